//! Arrow IPC files and streams (pyarrow, polars, the `datasets` library's `save_to_disk` and
//! cache files), read message by message as a stream.
//!
//! A message is a flatbuffer (the schema, a record batch, a dictionary batch) and a body of
//! buffers. The schema's names and metadata are scanned as raw bytes (flatbuffer strings are
//! length-prefixed and NUL-terminated, so a token in them has its boundaries). A batch's
//! buffers are opened (lz4-frame or zstd, when the batch says it is compressed), and string
//! and binary values are bounded the way Arrow bounds them, so values back to back in one data
//! buffer are scanned one by one: a buffer of offsets (32- or 64-bit, non-decreasing, within
//! the next buffer) bounds the values of the buffer after it, and a buffer of views (16-byte
//! entries pointing into the batch's variadic buffers: polars' `string_view`) bounds the
//! values they point to. The schema is not needed for this, so a damaged or unusual schema
//! does not hide values; every buffer not bounded this way is scanned as raw bytes.
//!
//! What a stream holds between messages that is not a message (polars writes a file's first
//! schema without its length prefix) is scanned as raw bytes up to the next message marker.

use std::borrow::Cow;
use std::io::{self, Read};
use std::ops::Range;

use super::lookahead::Lookahead;
use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The longest message metadata read (a schema with thousands of columns is well under it).
const MAX_METADATA: usize = 64 << 20;
/// The largest message body held to bound its values; a larger one is raw bytes, warned.
const MAX_BODY: usize = 256 << 20;
/// How far ahead a lost stream looks for the next message marker before giving up on
/// messages and scanning the rest as raw bytes.
const RESYNC_WINDOW: usize = 1 << 20;
const CONTINUATION: [u8; 4] = [0xff; 4];
const FILE_MAGIC: &[u8] = b"ARROW1\0\0";

/// Message header types (Message.fbs `MessageHeader`).
const DICTIONARY_BATCH: u8 = 2;
const RECORD_BATCH: u8 = 3;

pub fn is_arrow(head: &[u8]) -> bool {
    if head.starts_with(FILE_MAGIC) {
        return true;
    }
    // A stream: a continuation marker, the metadata's length, and a Message flatbuffer whose
    // version and header type are Arrow's.
    let Some(length) = head
        .get(4..8)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
    else {
        return false;
    };
    if !head.starts_with(&CONTINUATION) || length < 16 || length % 8 != 0 {
        return false;
    }
    let metadata = &head[8..head.len().min(8 + length)];
    Table::root(metadata).is_some_and(|message| {
        message.scalar::<2>(0).map_or(0, i16::from_le_bytes) <= 5
            && (1..=5).contains(&message.scalar::<1>(1).map_or(0, |b| b[0]))
    })
}

/// A flatbuffer table: its bytes' buffer, where it starts, and its vtable's field offsets.
#[derive(Clone, Copy)]
struct Table<'a> {
    buffer: &'a [u8],
    at: usize,
    vtable: &'a [u8],
}

impl<'a> Table<'a> {
    fn root(buffer: &'a [u8]) -> Option<Self> {
        let at = u32::from_le_bytes(buffer.get(..4)?.try_into().ok()?) as usize;
        Self::at(buffer, at)
    }

    fn at(buffer: &'a [u8], at: usize) -> Option<Self> {
        let relative = i32::from_le_bytes(buffer.get(at..at + 4)?.try_into().ok()?);
        let vtable_at = usize::try_from(at as i64 - i64::from(relative)).ok()?;
        let length = usize::from(u16::from_le_bytes(
            buffer.get(vtable_at..vtable_at + 2)?.try_into().ok()?,
        ));
        if length < 4 || length % 2 != 0 {
            return None;
        }
        let vtable = buffer.get(vtable_at + 4..vtable_at + length)?;
        Some(Self { buffer, at, vtable })
    }

    /// Where field `index` is, if present.
    fn field(&self, index: usize) -> Option<usize> {
        let entry = self.vtable.get(2 * index..2 * index + 2)?;
        match u16::from_le_bytes(entry.try_into().ok()?) {
            0 => None,
            offset => Some(self.at + usize::from(offset)),
        }
    }

    fn scalar<const N: usize>(&self, index: usize) -> Option<[u8; N]> {
        let at = self.field(index)?;
        self.buffer.get(at..at + N)?.try_into().ok()
    }

    /// Where the object an offset field points to starts.
    fn target(&self, index: usize) -> Option<usize> {
        let at = self.field(index)?;
        let relative = u32::from_le_bytes(self.buffer.get(at..at + 4)?.try_into().ok()?);
        at.checked_add(relative as usize)
    }

    fn table(&self, index: usize) -> Option<Table<'a>> {
        Self::at(self.buffer, self.target(index)?)
    }

    /// A vector of `size`-byte structs or scalars.
    fn vector(&self, index: usize, size: usize) -> Option<&'a [u8]> {
        let at = self.target(index)?;
        let count = u32::from_le_bytes(self.buffer.get(at..at + 4)?.try_into().ok()?) as usize;
        self.buffer.get(at + 4..at + 4 + count.checked_mul(size)?)
    }
}

/// What a record batch's metadata says about its body.
#[derive(Debug, Default, PartialEq, Eq)]
struct Batch {
    /// Each buffer's place in the body.
    buffers: Vec<Range<usize>>,
    /// 0: lz4 frame, 1: zstd (BodyCompression.codec); none when the body is not compressed.
    codec: Option<u8>,
    /// Whether the batch has variadic buffers (views into them are looked for).
    variadic: bool,
}

/// A message's header type, its body's length, and its batch if it is one.
fn message(metadata: &[u8]) -> Option<(u8, u64, Option<Batch>)> {
    let message = Table::root(metadata)?;
    let kind = message.scalar::<1>(1).map_or(0, |b| b[0]);
    let body = u64::try_from(message.scalar::<8>(3).map_or(0, i64::from_le_bytes)).ok()?;
    let batch = match kind {
        RECORD_BATCH => message.table(2),
        DICTIONARY_BATCH => message.table(2).and_then(|dictionary| dictionary.table(1)),
        _ => None,
    };
    let batch = batch.map(|batch| {
        let buffers = batch
            .vector(2, 16)
            .unwrap_or_default()
            .chunks_exact(16)
            .filter_map(|entry| {
                let offset = i64::from_le_bytes(entry[..8].try_into().expect("8 bytes"));
                let length = i64::from_le_bytes(entry[8..].try_into().expect("8 bytes"));
                let start = usize::try_from(offset).ok()?;
                Some(start..start.checked_add(usize::try_from(length).ok()?)?)
            })
            .collect();
        Batch {
            buffers,
            codec: batch
                .table(3)
                .map(|compression| compression.scalar::<1>(0).map_or(0, |b| b[0])),
            variadic: batch.vector(4, 8).is_some_and(|counts| !counts.is_empty()),
        }
    });
    Some((kind, body, batch))
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let values_frame = Frame {
        encoding: Encoding::Arrow,
        ..frame.clone()
    };
    let frame = &values_frame;
    let mut input = Lookahead::new(reader);
    input.fill(FILE_MAGIC.len())?;
    if input.available().starts_with(FILE_MAGIC) {
        input.consume(FILE_MAGIC.len());
    }
    let mut body = Vec::new();
    loop {
        input.fill(8)?;
        let head = input.available();
        if head.len() < 4 {
            // The end (or a stray byte or three: scanned all the same).
            let at = input.offset;
            return scanner.plain(&mut input.rest(), frame, at, walk);
        }
        let (prefix, length) = if head.starts_with(&CONTINUATION) {
            match head.get(4..8) {
                Some(length) => (8, u32::from_le_bytes(length.try_into().expect("4 bytes"))),
                None => {
                    let at = input.offset;
                    return scanner.plain(&mut input.rest(), frame, at, walk);
                }
            }
        } else {
            // The pre-1.0 format: no marker, only the length.
            (
                4,
                u32::from_le_bytes(head[..4].try_into().expect("4 bytes")),
            )
        };
        let length = length as usize;
        if length == 0 {
            // The end of the stream; in a file, the footer follows.
            input.consume(prefix);
            break;
        }
        if length <= MAX_METADATA {
            input.fill(prefix + length)?;
        }
        let parsed = input
            .available()
            .get(prefix..prefix + length)
            .filter(|_| length <= MAX_METADATA)
            .and_then(|metadata| Some((metadata.to_vec(), message(metadata)?)));
        let Some((metadata, (_, body_length, batch))) = parsed else {
            if !resync(scanner, &mut input, frame, walk)? {
                return Ok(());
            }
            continue;
        };
        let metadata_at = input.offset + prefix as u64;
        scanner.plain(&mut io::Cursor::new(metadata), frame, metadata_at, walk)?;
        input.consume(prefix + length);
        let body_at = input.offset;
        let body_length = usize::try_from(body_length).unwrap_or(usize::MAX);
        if body_length > MAX_BODY {
            walk.warn(
                frame,
                format!(
                    "arrow: the message body at offset {body_at} is larger than {} MiB; the \
                     rest of the stream was scanned as raw bytes",
                    MAX_BODY >> 20
                ),
            );
            return scanner.plain(&mut input.rest(), frame, body_at, walk);
        }
        input.take(body_length, &mut body)?;
        if body.len() < body_length {
            scanner.plain(&mut io::Cursor::new(&body), frame, body_at, walk)?;
            if !walk.work.is_spent() {
                walk.warn(
                    frame,
                    format!("arrow: the file ends inside the message body at offset {body_at}"),
                );
            }
            return Ok(());
        }
        match batch {
            Some(batch) => read_batch(scanner, &batch, &body, body_at, frame, walk)?,
            None => scanner.plain(&mut io::Cursor::new(&body), frame, body_at, walk)?,
        }
        if walk.work.is_spent() {
            return Ok(());
        }
    }
    // A file's footer (the schema again, and where each batch is) and its closing magic.
    let at = input.offset;
    let mut rest = input.rest();
    scanner.plain(&mut rest, frame, at, walk)
}

/// Bytes that are not a message: scanned as raw bytes up to the next continuation marker
/// within `RESYNC_WINDOW`, where messages are read again (true). With no marker in reach, the
/// rest of the stream is scanned as raw bytes (false).
fn resync(
    scanner: &mut ContentScanner,
    input: &mut Lookahead,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<bool> {
    // Refilled only when little is left, so a stream of markers that are not messages costs
    // one pass, not a window per marker.
    if input.available().len() < RESYNC_WINDOW / 2 {
        input.fill(RESYNC_WINDOW)?;
    }
    let available = input.available();
    let next = memchr::memmem::find_iter(&available[1..], &CONTINUATION)
        .map(|at| at + 1)
        .find(|&at| {
            available.get(at + 4..at + 8).is_some_and(|length| {
                u32::from_le_bytes(length.try_into().expect("4 bytes")) % 8 == 0
            })
        });
    let at = input.offset;
    let Some(next) = next else {
        let mut rest = LastBytes {
            inner: input.rest(),
            last: Vec::new(),
        };
        scanner.plain(&mut rest, frame, at, walk)?;
        // A file's footer is no message either; anything else is damage or a cut.
        if !rest.last.is_empty() && !rest.last.ends_with(b"ARROW1") && !walk.work.is_spent() {
            walk.warn(
                frame,
                format!(
                    "arrow: the bytes from offset {at} are not Arrow messages (a damaged or \
                     truncated file?); they were scanned as raw bytes"
                ),
            );
        }
        return Ok(false);
    };
    let skipped = available[..next].to_vec();
    scanner.plain(&mut io::Cursor::new(skipped), frame, at, walk)?;
    input.consume(next);
    Ok(true)
}

/// A reader that keeps the last bytes read through it.
struct LastBytes<R> {
    inner: R,
    last: Vec<u8>,
}

impl<R: Read> Read for LastBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.last
            .extend_from_slice(&buf[read.saturating_sub(8)..read]);
        let excess = self.last.len().saturating_sub(8);
        self.last.drain(..excess);
        Ok(read)
    }
}

/// A batch's body: each buffer opened, values bounded by offsets or views, the rest raw.
fn read_batch(
    scanner: &mut ContentScanner,
    batch: &Batch,
    body: &[u8],
    body_at: u64,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let max = scanner.options.max_inflated;
    let mut buffers: Vec<Cow<[u8]>> = Vec::with_capacity(batch.buffers.len());
    let mut exact = Vec::with_capacity(batch.buffers.len());
    let mut covered = vec![false; body.len()];
    for range in &batch.buffers {
        let Some(bytes) = body.get(range.clone()) else {
            buffers.push(Cow::Borrowed(&[][..]));
            exact.push(false);
            continue;
        };
        covered[range.clone()].iter_mut().for_each(|c| *c = true);
        match batch.codec {
            None | Some(_) if bytes.is_empty() => {
                buffers.push(Cow::Borrowed(bytes));
                exact.push(true);
            }
            None => {
                buffers.push(Cow::Borrowed(bytes));
                exact.push(true);
            }
            Some(codec) => match open_buffer(codec, bytes, max) {
                Some(Cow::Borrowed(_)) => {
                    buffers.push(Cow::Borrowed(&bytes[8..]));
                    exact.push(true);
                }
                Some(opened) => {
                    walk.work.charge(opened.len() as u64);
                    buffers.push(opened);
                    exact.push(false);
                }
                None => {
                    walk.warn(
                        frame,
                        format!(
                            "arrow: a compressed buffer at offset {} does not open; its bytes \
                             were scanned as they are",
                            body_at + range.start as u64
                        ),
                    );
                    buffers.push(Cow::Borrowed(bytes));
                    exact.push(true);
                }
            },
        }
    }
    let starts: Vec<u64> = batch
        .buffers
        .iter()
        .zip(&exact)
        .map(|(range, exact)| body_at + if *exact { range.start as u64 } else { 0 })
        .collect();
    let mut bounded = vec![false; buffers.len()];
    for index in 0..buffers.len().saturating_sub(1) {
        let (offsets, data) = (&buffers[index], &buffers[index + 1]);
        if let Some(values) = offset_values(offsets, data.len()) {
            let placement = (starts[index + 1], exact[index + 1]);
            scanner.framed_values(data, &values, placement, frame, walk)?;
            bounded[index + 1] = true;
        }
    }
    if batch.variadic {
        for index in 0..buffers.len() {
            let Some(views) = view_values(&buffers[index], &buffers[index + 1..]) else {
                continue;
            };
            for (target, values) in views {
                let target = index + 1 + target;
                let placement = (starts[target], exact[target]);
                scanner.framed_values(&buffers[target], &values, placement, frame, walk)?;
                bounded[target] = true;
            }
        }
    }
    for (index, buffer) in buffers.iter().enumerate() {
        if !bounded[index] && !buffer.is_empty() {
            scanner.plain(
                &mut io::Cursor::new(&buffer[..]),
                frame,
                starts[index],
                walk,
            )?;
        }
    }
    // Padding and anything the buffer list does not cover.
    let mut at = 0;
    while at < body.len() {
        if covered[at] {
            at += 1;
            continue;
        }
        let end = covered[at..]
            .iter()
            .position(|&c| c)
            .map_or(body.len(), |n| at + n);
        if body[at..end].iter().any(|&b| b != 0) {
            scanner.plain(
                &mut io::Cursor::new(&body[at..end]),
                frame,
                body_at + at as u64,
                walk,
            )?;
        }
        at = end;
    }
    Ok(())
}

/// A compressed buffer: its uncompressed length (-1: stored as it is), then an lz4 frame or a
/// zstd frame. Borrowed when stored.
fn open_buffer(codec: u8, bytes: &[u8], max: u64) -> Option<Cow<'_, [u8]>> {
    let length = i64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    if length == -1 {
        return Some(Cow::Borrowed(bytes));
    }
    let length = u64::try_from(length)
        .ok()
        .filter(|&l| l <= max.min(MAX_BODY as u64))?;
    let compressed = &bytes[8..];
    let mut out = Vec::new();
    let read = match codec {
        0 => lz4_flex::frame::FrameDecoder::new(compressed)
            .take(length + 1)
            .read_to_end(&mut out),
        1 => {
            // The length is known: one call into libzstd, no window kept.
            out.resize(length as usize, 0);
            zstd::bulk::decompress_to_buffer(compressed, &mut out[..])
                .inspect(|&written| out.truncate(written))
        }
        _ => return None,
    };
    (read.is_ok() && out.len() as u64 == length).then_some(Cow::Owned(out))
}

/// The values a buffer of offsets bounds in the buffer after it: 32-bit offsets, or 64-bit
/// ones (`large_string`), non-decreasing and within `data_len`. Empty values are left out.
fn offset_values(offsets: &[u8], data_len: usize) -> Option<Vec<Range<usize>>> {
    fn bounds<const N: usize>(offsets: &[u8], data_len: usize) -> Option<Vec<usize>> {
        if offsets.len() < 2 * N || !offsets.len().is_multiple_of(N) {
            return None;
        }
        let mut values = Vec::with_capacity(offsets.len() / N);
        for chunk in offsets.chunks_exact(N) {
            let value = if N == 4 {
                i64::from(i32::from_le_bytes(chunk.try_into().ok()?))
            } else {
                i64::from_le_bytes(chunk.try_into().ok()?)
            };
            let value = usize::try_from(value).ok().filter(|&v| v <= data_len)?;
            if values.last().is_some_and(|&last| value < last) {
                return None;
            }
            values.push(value);
        }
        Some(values)
    }
    let bounds = bounds::<4>(offsets, data_len).or_else(|| bounds::<8>(offsets, data_len))?;
    // A buffer of zeros (an all-empty column, or validity bits) bounds nothing.
    if bounds.last() == bounds.first() {
        return None;
    }
    Some(
        bounds
            .windows(2)
            .filter(|pair| pair[1] > pair[0])
            .map(|pair| pair[0]..pair[1])
            .collect(),
    )
}

/// The values a buffer of views (16 bytes each: a length, then the value inline if it is 12
/// bytes or shorter, else a prefix, a buffer index and an offset) points to in the buffers
/// after it, grouped by buffer; `None` unless every view is valid and one points out.
fn view_values(views: &[u8], following: &[Cow<[u8]>]) -> Option<Vec<(usize, Vec<Range<usize>>)>> {
    if views.is_empty() || !views.len().is_multiple_of(16) {
        return None;
    }
    let mut grouped: Vec<(usize, Vec<Range<usize>>)> = Vec::new();
    for view in views.chunks_exact(16) {
        let field = |at: usize| i32::from_le_bytes(view[at..at + 4].try_into().expect("4 bytes"));
        let length = usize::try_from(field(0)).ok()?;
        if length <= 12 {
            if view[4 + length..].iter().any(|&b| b != 0) {
                return None;
            }
            continue;
        }
        let (buffer, offset) = (
            usize::try_from(field(8)).ok()?,
            usize::try_from(field(12)).ok()?,
        );
        let data = following.get(buffer)?;
        let end = offset
            .checked_add(length)
            .filter(|&end| end <= data.len())?;
        if data[offset..offset + 4] != view[4..8] {
            return None;
        }
        let group = match grouped.iter().position(|(index, _)| *index == buffer) {
            Some(group) => group,
            None => {
                grouped.push((buffer, Vec::new()));
                grouped.len() - 1
            }
        };
        grouped[group].1.push(offset..end);
    }
    (!grouped.is_empty()).then_some(grouped)
}

//! Parquet files (pyarrow, polars, pandas, the Hub's own conversions), read as a stream from
//! the first page to the footer, never seeking: a file inside a tar or a git blob arrives
//! that way.
//!
//! Each page is a Thrift page header and its bytes. The codec is named only in the footer,
//! which comes last, so each page's codec is recognised from its bytes and checked against the
//! size its header declares (zstd and gzip by their magic, snappy by its length prefix, the
//! old Hadoop LZ4 by its block headers, LZ4 raw and brotli by decoding to exactly that size);
//! the codec that worked for the previous page is tried first. A page is decompressed whole
//! (pages are about a megabyte; at most `MAX_PAGE`), and its byte-array values are bounded
//! the way the format bounds them: dictionary and PLAIN pages are chains of length-prefixed
//! values, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY pages carry the lengths in their own
//! header. Pages that are not byte arrays are scanned as raw decompressed bytes. The Thrift
//! structures themselves (page statistics, column and offset indexes, the footer's schema and
//! key-value metadata) have every binary field scanned on its own.

use std::io::{self, Read};
use std::ops::Range;

use super::lookahead::Lookahead;
use super::thrift::{self, Struct};
use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The largest page read, compressed or not; a larger one is a warning and raw bytes.
const MAX_PAGE: usize = 128 << 20;
/// The longest page header read (statistics can make one long; they are usually bytes).
const MAX_HEADER: usize = 16 << 20;
/// What may follow the last page (indexes, bloom filters, the footer) and be held to be read.
const MAX_TAIL: usize = 64 << 20;
/// Values a DELTA_BYTE_ARRAY page may rebuild in total (each is a prefix of the one before
/// and a suffix of its own, so a crafted page could make them grow quadratically).
const MAX_REBUILT: usize = 64 << 20;
/// The most values one delta-encoded length list may hold.
const MAX_VALUES: u64 = 1 << 22;

pub fn is_parquet(head: &[u8]) -> bool {
    // A page header (or, in a file without pages, the footer) starts with field 1, an i32.
    head.len() >= 8 && head.starts_with(b"PAR1") && head[4] == 0x15
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Uncompressed,
    Snappy,
    Gzip,
    Brotli,
    Zstd,
    /// The old `LZ4` codec as Hadoop (and pyarrow) writes it: blocks with big-endian sizes.
    Lz4Hadoop,
    Lz4Raw,
}

const CODECS: [Codec; 7] = [
    Codec::Zstd,
    Codec::Gzip,
    Codec::Uncompressed,
    Codec::Snappy,
    Codec::Lz4Hadoop,
    Codec::Lz4Raw,
    Codec::Brotli,
];

/// Page types (parquet.thrift `PageType`).
const DATA_PAGE: i64 = 0;
const INDEX_PAGE: i64 = 1;
const DICTIONARY_PAGE: i64 = 2;
const DATA_PAGE_V2: i64 = 3;

/// Encodings (parquet.thrift `Encoding`).
const PLAIN: i64 = 0;
const DELTA_LENGTH_BYTE_ARRAY: i64 = 6;
const DELTA_BYTE_ARRAY: i64 = 7;

/// What a page header says.
#[derive(Debug)]
struct Page {
    kind: i64,
    uncompressed: usize,
    compressed: usize,
    /// The values' encoding (none for index pages).
    encoding: Option<i64>,
    /// A v2 data page: the levels' bytes at its start, never compressed.
    levels: usize,
    /// A v2 data page may say its values are not compressed.
    values_compressed: bool,
}

impl Page {
    fn of(header: &Struct) -> Option<Self> {
        let size = |id| usize::try_from(header.int(id)?).ok();
        let (kind, uncompressed, compressed) = (header.int(1)?, size(2)?, size(3)?);
        let mut page = Page {
            kind,
            uncompressed,
            compressed,
            encoding: None,
            levels: 0,
            values_compressed: true,
        };
        match kind {
            DATA_PAGE => page.encoding = Some(header.child(5)?.int(2)?),
            DICTIONARY_PAGE => page.encoding = Some(header.child(7)?.int(2).unwrap_or(PLAIN)),
            DATA_PAGE_V2 => {
                let v2 = header.child(8)?;
                page.encoding = Some(v2.int(4)?);
                let levels = v2.int(5)?.checked_add(v2.int(6)?)?;
                page.levels = usize::try_from(levels).ok()?;
                page.values_compressed = v2.bool(7).unwrap_or(true);
                if page.levels > compressed || page.levels > uncompressed {
                    return None;
                }
            }
            INDEX_PAGE => {}
            _ => return None,
        }
        Some(page)
    }
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let values_frame = Frame {
        encoding: Encoding::Parquet,
        ..frame.clone()
    };
    let mut input = Lookahead::new(reader);
    input.fill(4)?;
    input.consume(4.min(input.available().len()));
    let mut codec = None;
    let (mut raw, mut data) = (Vec::new(), Vec::new());
    while let Some(header) = next_header(&mut input)? {
        let Some(page) = Page::of(&header.fields) else {
            break;
        };
        let header_at = input.offset;
        scanner.framed_values(
            input.available(),
            &header.binaries,
            (header_at, true),
            &values_frame,
            walk,
        )?;
        input.consume(header.length);
        let page_at = input.offset;
        if page.compressed > MAX_PAGE || page.uncompressed > MAX_PAGE {
            walk.warn(
                frame,
                format!(
                    "parquet: the page at offset {page_at} is larger than {} MiB; its bytes \
                     were scanned as they are",
                    MAX_PAGE >> 20
                ),
            );
            let buffered = input.available().len().min(page.compressed);
            let held = input.available()[..buffered].to_vec();
            input.consume(buffered);
            let mut rest = (&mut input.reader).take((page.compressed - buffered) as u64);
            let mut chained = io::Cursor::new(held).chain(&mut rest);
            scanner.plain(&mut chained, &values_frame, page_at, walk)?;
            input.offset = page_at + page.compressed as u64;
            continue;
        }
        input.take(page.compressed, &mut raw)?;
        if raw.len() < page.compressed {
            scanner.plain(&mut io::Cursor::new(&raw), &values_frame, page_at, walk)?;
            if !walk.work.is_spent() {
                walk.warn(
                    frame,
                    format!("parquet: the file ends inside the page at offset {page_at}"),
                );
            }
            return Ok(());
        }
        let exact = match decompress(&page, &raw, &mut data, &mut codec) {
            Some(exact) => exact,
            None => {
                walk.warn(
                    frame,
                    format!(
                        "parquet: the page at offset {page_at} is compressed with a codec \
                         hf-scan does not read (LZO?); its bytes were scanned as they are"
                    ),
                );
                scanner.plain(&mut io::Cursor::new(&raw), &values_frame, page_at, walk)?;
                continue;
            }
        };
        walk.work.charge(data.len() as u64);
        match page_values(&page, &data) {
            Some(Values::Ranges(ranges)) => {
                scanner.framed_values(&data, &ranges, (page_at, exact), &values_frame, walk)?;
            }
            Some(Values::Rebuilt { bytes, ranges }) => {
                scanner.framed_values(&bytes, &ranges, (page_at, false), &values_frame, walk)?;
            }
            None => scanner.plain(
                &mut io::Cursor::new(&data),
                &values_frame,
                if exact { page_at } else { 0 },
                walk,
            )?,
        }
        if walk.work.is_spent() {
            return Ok(());
        }
    }
    tail(scanner, &mut input, frame, &values_frame, walk)
}

/// A Thrift struct read from the stream: its fields, its length, its binaries' ranges.
struct Header {
    fields: Struct,
    length: usize,
    binaries: Vec<Range<usize>>,
}

/// The next page header; `None` where the bytes are not a Thrift struct (the footer's region
/// has begun, or the file is damaged).
fn next_header(input: &mut Lookahead) -> io::Result<Option<Header>> {
    let mut wanted = 256;
    loop {
        input.fill(wanted)?;
        let available = input.available();
        let (mut at, mut binaries) = (0, Vec::new());
        match thrift::read_struct(available, &mut at, &mut binaries) {
            Ok(fields) => {
                return Ok(Some(Header {
                    fields,
                    length: at,
                    binaries,
                }))
            }
            Err(thrift::Error::Truncated) if !input.ended && wanted < MAX_HEADER => {
                wanted = (available.len() * 2).clamp(wanted * 2, MAX_HEADER);
            }
            Err(_) => return Ok(None),
        }
    }
}

/// Decompresses a page into `out`; whether `out` is the page's own bytes (offsets inside it
/// are file offsets). `None` if no codec hf-scan reads gives the declared size.
fn decompress(
    page: &Page,
    raw: &[u8],
    out: &mut Vec<u8>,
    hint: &mut Option<Codec>,
) -> Option<bool> {
    out.clear();
    if page.kind == DATA_PAGE_V2 && !page.values_compressed {
        out.extend_from_slice(raw);
        return Some(true);
    }
    let levels = page.levels;
    out.extend_from_slice(&raw[..levels]);
    let (compressed, size) = (&raw[levels..], page.uncompressed - levels);
    let order = hint
        .iter()
        .chain(CODECS.iter().filter(|c| Some(**c) != *hint));
    for &codec in order {
        out.truncate(levels);
        if decode(codec, compressed, size, out) && out.len() == page.uncompressed {
            *hint = Some(codec);
            return Some(codec == Codec::Uncompressed);
        }
    }
    out.truncate(levels);
    None
}

/// Appends `input` decoded with `codec` to `out`; false unless it decodes to exactly `size`
/// bytes.
fn decode(codec: Codec, input: &[u8], size: usize, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let read_all = |reader: &mut dyn Read, out: &mut Vec<u8>| {
        reader.take(size as u64 + 1).read_to_end(out).is_ok() && out.len() - start == size
    };
    match codec {
        Codec::Uncompressed => {
            input.len() == size && {
                out.extend_from_slice(input);
                true
            }
        }
        Codec::Zstd => {
            input.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) && {
                out.resize(start + size, 0);
                zstd::bulk::decompress_to_buffer(input, &mut out[start..])
                    .is_ok_and(|written| written == size)
            }
        }
        Codec::Gzip => {
            input.starts_with(&[0x1f, 0x8b])
                && read_all(&mut flate2::read::MultiGzDecoder::new(input), out)
        }
        Codec::Snappy => {
            snap::raw::decompress_len(input).is_ok_and(|length| length == size) && {
                out.resize(start + size, 0);
                snap::raw::Decoder::new()
                    .decompress(input, &mut out[start..])
                    .is_ok_and(|written| written == size)
            }
        }
        Codec::Lz4Hadoop => lz4_hadoop(input, size, out),
        Codec::Lz4Raw => {
            out.resize(start + size, 0);
            lz4_flex::block::decompress_into(input, &mut out[start..])
                .is_ok_and(|written| written == size)
        }
        Codec::Brotli => read_all(
            &mut brotli_decompressor::Decompressor::new(input, 4096),
            out,
        ),
    }
}

/// Hadoop's LZ4 framing: blocks, each its decompressed and compressed sizes (big-endian u32)
/// and an LZ4 block.
fn lz4_hadoop(mut input: &[u8], size: usize, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    while !input.is_empty() {
        let Some(sizes) = input.get(..8) else {
            return false;
        };
        let expanded = u32::from_be_bytes(sizes[..4].try_into().expect("4 bytes")) as usize;
        let packed = u32::from_be_bytes(sizes[4..].try_into().expect("4 bytes")) as usize;
        let Some(block) = input.get(8..8 + packed) else {
            return false;
        };
        let at = out.len();
        if at - start + expanded > size {
            return false;
        }
        out.resize(at + expanded, 0);
        if !lz4_flex::block::decompress_into(block, &mut out[at..])
            .is_ok_and(|written| written == expanded)
        {
            return false;
        }
        input = &input[8 + packed..];
    }
    out.len() - start == size
}

/// A page's values, as the format bounds them.
enum Values {
    /// Ranges of the page's bytes.
    Ranges(Vec<Range<usize>>),
    /// Values rebuilt from shared prefixes (DELTA_BYTE_ARRAY), and their ranges in `bytes`.
    Rebuilt {
        bytes: Vec<u8>,
        ranges: Vec<Range<usize>>,
    },
}

/// The byte-array values of a decompressed page, if it holds byte arrays in an encoding that
/// bounds them. A v1 data page starts with its levels, each a length-prefixed run: PLAIN
/// values are length-prefixed too, so the whole page is one chain; the delta encodings start
/// after zero, one or two level runs, whichever parses to the page's end.
fn page_values(page: &Page, data: &[u8]) -> Option<Values> {
    let starts: Vec<usize> = match page.kind {
        DATA_PAGE_V2 => vec![page.levels],
        DATA_PAGE => {
            let mut starts = vec![0];
            let mut at = 0;
            for _ in 0..2 {
                let length = u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?);
                at = at.checked_add(4 + length as usize)?;
                if at > data.len() {
                    break;
                }
                starts.push(at);
            }
            starts
        }
        DICTIONARY_PAGE => vec![0],
        _ => return None,
    };
    match page.encoding? {
        PLAIN => plain_chain(data, starts[0]).map(Values::Ranges),
        DELTA_LENGTH_BYTE_ARRAY => starts
            .iter()
            .find_map(|&start| delta_length(data, start))
            .map(Values::Ranges),
        DELTA_BYTE_ARRAY => starts
            .iter()
            .find_map(|&start| delta_byte_array(data, start)),
        _ => None,
    }
}

/// Length-prefixed values (u32 little-endian) from `start` that end exactly at the page's
/// end; `None` if they do not (the values are not byte arrays).
fn plain_chain(data: &[u8], start: usize) -> Option<Vec<Range<usize>>> {
    let mut ranges = Vec::new();
    let mut at = start;
    while at < data.len() {
        let length = u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize;
        let end = (at + 4)
            .checked_add(length)
            .filter(|&end| end <= data.len())?;
        ranges.push(at + 4..end);
        at = end;
    }
    (!ranges.is_empty()).then_some(ranges)
}

/// DELTA_LENGTH_BYTE_ARRAY: the lengths, delta-packed, then the values back to back to the
/// page's end.
fn delta_length(data: &[u8], start: usize) -> Option<Vec<Range<usize>>> {
    let (lengths, mut at) = delta_packed(data, start)?;
    let mut ranges = Vec::with_capacity(lengths.len());
    for length in lengths {
        let end = at.checked_add(usize::try_from(length).ok()?)?;
        if end > data.len() {
            return None;
        }
        ranges.push(at..end);
        at = end;
    }
    (at == data.len() && !ranges.is_empty()).then_some(ranges)
}

/// DELTA_BYTE_ARRAY: the lengths of the prefix each value shares with the one before, the
/// lengths of its own suffix, then the suffixes back to back to the page's end.
fn delta_byte_array(data: &[u8], start: usize) -> Option<Values> {
    let (prefixes, at) = delta_packed(data, start)?;
    let (suffixes, mut at) = delta_packed(data, at)?;
    if prefixes.len() != suffixes.len() || suffixes.is_empty() {
        return None;
    }
    let mut bytes = Vec::new();
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(suffixes.len());
    for (prefix, suffix) in prefixes.into_iter().zip(suffixes) {
        let (prefix, suffix) = (usize::try_from(prefix).ok()?, usize::try_from(suffix).ok()?);
        let end = at.checked_add(suffix).filter(|&end| end <= data.len())?;
        let previous = ranges.last().cloned().unwrap_or(0..0);
        if prefix > previous.len() || bytes.len() + prefix + suffix > MAX_REBUILT {
            return None;
        }
        let value_start = bytes.len();
        bytes.extend_from_within(previous.start..previous.start + prefix);
        bytes.extend_from_slice(&data[at..end]);
        ranges.push(value_start..bytes.len());
        at = end;
    }
    (at == data.len()).then_some(Values::Rebuilt { bytes, ranges })
}

/// DELTA_BINARY_PACKED integers from `start`: the values and where they end.
fn delta_packed(data: &[u8], start: usize) -> Option<(Vec<i64>, usize)> {
    let mut at = start;
    let varint = |at: &mut usize| -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *data.get(*at)?;
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    };
    let zigzag = |raw: u64| (raw >> 1) as i64 ^ -((raw & 1) as i64);
    let block = usize::try_from(varint(&mut at)?).ok()?;
    let miniblocks = usize::try_from(varint(&mut at)?).ok()?;
    let total = varint(&mut at)?;
    let first = zigzag(varint(&mut at)?);
    if block == 0 || block % 128 != 0 || miniblocks == 0 || block % miniblocks != 0 {
        return None;
    }
    let per_mini = block / miniblocks;
    if per_mini % 32 != 0 || total == 0 || total > MAX_VALUES {
        return None;
    }
    let total = total as usize;
    let mut values = Vec::with_capacity(total);
    values.push(first);
    let mut previous = first;
    while values.len() < total {
        let min_delta = zigzag(varint(&mut at)?);
        let widths = data.get(at..at.checked_add(miniblocks)?)?.to_vec();
        at += miniblocks;
        for width in widths {
            if values.len() >= total {
                break;
            }
            let width = usize::from(width);
            if width > 64 {
                return None;
            }
            let length = per_mini * width / 8;
            let bits = data.get(at..at.checked_add(length)?)?;
            at += length;
            for index in 0..per_mini {
                if values.len() >= total {
                    break;
                }
                let mut delta = 0u64;
                for bit in 0..width {
                    let position = index * width + bit;
                    if bits[position / 8] >> (position % 8) & 1 == 1 {
                        delta |= 1 << bit;
                    }
                }
                previous = previous.wrapping_add(min_delta).wrapping_add(delta as i64);
                values.push(previous);
            }
        }
    }
    Some((values, at))
}

/// What follows the last page: column and offset indexes, bloom filters, then the footer
/// (its length and `PAR1` close the file). Every Thrift struct in it has its binaries scanned
/// on their own; what does not parse is scanned as raw bytes.
fn tail(
    scanner: &mut ContentScanner,
    input: &mut Lookahead,
    frame: &Frame,
    values_frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    input.fill(MAX_TAIL + 1)?;
    let base = input.offset;
    let held = input.available().to_vec();
    if held.len() > MAX_TAIL {
        walk.warn(
            frame,
            format!(
                "parquet: more than {} MiB after the last page at offset {base}; scanned as raw \
                 bytes",
                MAX_TAIL >> 20
            ),
        );
        let mut rest = io::Cursor::new(held).chain(&mut input.reader);
        return scanner.plain(&mut rest, values_frame, base, walk);
    }
    let footer = held
        .len()
        .checked_sub(8)
        .filter(|&end| held[end + 4..] == *b"PAR1")
        .and_then(|end| {
            let length = u32::from_le_bytes(held[end..end + 4].try_into().ok()?) as usize;
            Some(end.checked_sub(length)?..end)
        });
    let Some(footer) = footer else {
        if !walk.work.is_spent() {
            walk.warn(
                frame,
                "parquet: no footer at the end (a truncated file?); what follows the last \
                 page was scanned as raw bytes"
                    .into(),
            );
        }
        return scanner.plain(&mut io::Cursor::new(&held), values_frame, base, walk);
    };
    // Indexes and bloom filters, struct after struct, then the footer.
    let mut at = 0;
    for region in [0..footer.start, footer.clone()] {
        at = at.max(region.start);
        while at < region.end {
            let mut binaries = Vec::new();
            let mut end = at;
            match thrift::read_struct(&held[..region.end], &mut end, &mut binaries) {
                Ok(_) if end > at => {
                    scanner.framed_values(&held, &binaries, (base, true), values_frame, walk)?;
                    at = end;
                }
                _ => {
                    let rest = &held[at..region.end];
                    scanner.plain(
                        &mut io::Cursor::new(rest),
                        values_frame,
                        base + at as u64,
                        walk,
                    )?;
                    at = region.end;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bit_pack(values: &[u64], width: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; values.len() * width / 8];
        for (index, value) in values.iter().enumerate() {
            for bit in 0..width {
                if value >> bit & 1 == 1 {
                    let position = index * width + bit;
                    bytes[position / 8] |= 1 << (position % 8);
                }
            }
        }
        bytes
    }

    #[test]
    fn delta_packed_integers_are_read_as_the_format_writes_them() {
        // block 128, 4 miniblocks of 32, 5 values: 10, 12, 11, 15, 15.
        let mut data = vec![0x80, 0x01, 0x04, 0x05, 20];
        // min delta -1 (zigzag 1), widths: 3 for the first miniblock, 0 for the rest.
        data.extend([0x01, 3, 0, 0, 0]);
        let mut deltas = vec![3u64, 0, 5, 1];
        deltas.resize(32, 0);
        data.extend(bit_pack(&deltas, 3));
        let (values, end) = delta_packed(&data, 0).expect("parses");
        assert_eq!(values, vec![10, 12, 11, 15, 15]);
        assert_eq!(end, data.len());
    }

    #[test]
    fn a_plain_chain_must_end_at_the_page_end() {
        let mut page = Vec::new();
        for value in [&b"abc"[..], b"", b"hello"] {
            page.extend((value.len() as u32).to_le_bytes());
            page.extend(value);
        }
        assert_eq!(plain_chain(&page, 0), Some(vec![4..7, 11..11, 15..20]));
        page.push(0);
        assert_eq!(plain_chain(&page, 0), None);
        assert_eq!(plain_chain(&[0xff, 0xff, 0xff, 0xff], 0), None);
    }

    #[test]
    fn delta_byte_array_values_are_rebuilt_from_their_shared_prefixes() {
        // "hf_ab", "hf_cd": prefixes 0, 3; suffixes 5, 2.
        let pack = |values: [i64; 2]| {
            let mut out = vec![0x80, 0x01, 0x04, 0x02];
            let first = values[0];
            out.push(((first << 1) ^ (first >> 63)) as u8);
            let delta = values[1] - values[0];
            out.push(((delta << 1) ^ (delta >> 63)) as u8);
            out.extend([0, 0, 0, 0]);
            out
        };
        let mut data = pack([0, 3]);
        data.extend(pack([5, 2]));
        data.extend(b"hf_abcd");
        match delta_byte_array(&data, 0) {
            Some(Values::Rebuilt { bytes, ranges }) => {
                let values: Vec<&[u8]> = ranges.iter().map(|r| &bytes[r.clone()]).collect();
                assert_eq!(values, vec![&b"hf_ab"[..], b"hf_cd"]);
            }
            _ => panic!("not rebuilt"),
        }
    }
}

//! 7z archives (7-Zip, py7zr): LZMA, LZMA2, deflate, bzip2, zstd and stored folders, with the
//! branch (BCJ: x86, ARM, ARM64, PowerPC, SPARC, IA-64, RISC-V) and delta filters 7-Zip and
//! py7zr put before them (py7zr's default is BCJ x86 over LZMA2).
//!
//! A 7z's header lies at its end (and is itself usually LZMA-compressed), so the archive is
//! held in memory to be read, up to `MAX_HELD`; a larger one is scanned as raw bytes with a
//! warning. Each folder (a solid block) is decoded once as a stream and cut into its files by
//! the sizes the header declares; each file is a member like a zip's, under the same limits.
//! Encrypted folders, coders hf-scan does not implement (PPMd, BCJ2), and a dictionary larger than the file it decodes into can hold are warnings naming
//! the files they hide.

use std::io::{self, Cursor, Read};

use lzma_rust2::filter::bcj::BcjReader;

use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The largest archive held to be read.
const MAX_HELD: u64 = 256 << 20;
/// The largest header (after decompression) read.
const MAX_HEADER: u64 = 64 << 20;
/// The most a decoder's dictionary may take (7-Zip's ultra preset uses 64 MiB).
const MAX_DICTIONARY: u64 = 256 << 20;
/// Files, folders and coders an archive may declare before it is taken as damaged.
const MAX_ITEMS: u64 = 1 << 20;

const SIGNATURE: &[u8] = b"7z\xbc\xaf\x27\x1c";

pub fn is_7z(head: &[u8]) -> bool {
    head.starts_with(SIGNATURE)
}

/// Property ids of the header (7-Zip's `7zFormat.txt`).
mod id {
    pub const END: u8 = 0x00;
    pub const HEADER: u8 = 0x01;
    pub const ARCHIVE_PROPERTIES: u8 = 0x02;
    pub const ADDITIONAL_STREAMS: u8 = 0x03;
    pub const MAIN_STREAMS: u8 = 0x04;
    pub const FILES: u8 = 0x05;
    pub const PACK_INFO: u8 = 0x06;
    pub const UNPACK_INFO: u8 = 0x07;
    pub const SUBSTREAMS: u8 = 0x08;
    pub const SIZE: u8 = 0x09;
    pub const CRC: u8 = 0x0a;
    pub const FOLDER: u8 = 0x0b;
    pub const UNPACK_SIZE: u8 = 0x0c;
    pub const NUM_UNPACK_STREAMS: u8 = 0x0d;
    pub const EMPTY_STREAM: u8 = 0x0e;
    pub const NAME: u8 = 0x11;
    pub const ENCODED_HEADER: u8 = 0x17;
}

/// Why the header could not be read.
#[derive(Debug)]
struct Damaged(&'static str);

type Parsed<T> = Result<T, Damaged>;

struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> Parsed<u8> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or(Damaged("the header ends early"))?;
        self.at += 1;
        Ok(byte)
    }

    fn take(&mut self, count: u64) -> Parsed<&'a [u8]> {
        let count = usize::try_from(count).map_err(|_| Damaged("a size is too large"))?;
        let end = self
            .at
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(Damaged("the header ends early"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// 7z's variable-length number: the first byte's leading ones count the bytes that follow.
    fn number(&mut self) -> Parsed<u64> {
        let first = self.byte()?;
        let mut mask = 0x80u8;
        let mut value = 0u64;
        for index in 0..8 {
            if first & mask == 0 {
                let high = u64::from(first & mask.wrapping_sub(1));
                return Ok(value | high << (8 * index));
            }
            value |= u64::from(self.byte()?) << (8 * index);
            mask >>= 1;
        }
        Ok(value)
    }

    /// A count of items, each of which takes at least a byte of the header (or is bounded).
    fn count(&mut self) -> Parsed<usize> {
        let count = self.number()?;
        if count > MAX_ITEMS {
            return Err(Damaged("it declares too many items"));
        }
        Ok(count as usize)
    }

    fn bits(&mut self, count: usize) -> Parsed<Vec<bool>> {
        let mut bits = Vec::with_capacity(count);
        let mut byte = 0;
        for index in 0..count {
            if index % 8 == 0 {
                byte = self.byte()?;
            }
            bits.push(byte & (0x80 >> (index % 8)) != 0);
        }
        Ok(bits)
    }

    /// A bit vector that may say "all defined" instead.
    fn defined(&mut self, count: usize) -> Parsed<Vec<bool>> {
        if self.byte()? != 0 {
            Ok(vec![true; count])
        } else {
            self.bits(count)
        }
    }

    fn skip_digests(&mut self, count: usize) -> Parsed<()> {
        let defined = self.defined(count)?;
        let present = defined.iter().filter(|&&d| d).count();
        self.take(4 * present as u64).map(drop)
    }
}

#[derive(Debug, Clone)]
struct Coder {
    id: Vec<u8>,
    properties: Vec<u8>,
    inputs: usize,
}

#[derive(Debug, Clone, Default)]
struct Folder {
    coders: Vec<Coder>,
    /// (input index, output index): an output feeding an input.
    bindings: Vec<(usize, usize)>,
    /// Input indexes fed by packed streams, in order.
    packed: Vec<usize>,
    /// Each coder output's size.
    unpack_sizes: Vec<u64>,
}

impl Folder {
    /// The folder's output: the one no binding consumes.
    fn size(&self) -> u64 {
        (0..self.unpack_sizes.len())
            .rev()
            .find(|out| !self.bindings.iter().any(|(_, bound)| bound == out))
            .map_or(0, |out| self.unpack_sizes[out])
    }
}

#[derive(Debug, Default)]
struct Streams {
    pack_position: u64,
    pack_sizes: Vec<u64>,
    folders: Vec<Folder>,
    /// Files per folder, and their sizes.
    files_per_folder: Vec<usize>,
    file_sizes: Vec<u64>,
}

fn streams_info(bytes: &mut Bytes) -> Parsed<Streams> {
    let mut streams = Streams::default();
    let mut property = bytes.byte()?;
    if property == id::PACK_INFO {
        streams.pack_position = bytes.number()?;
        let count = bytes.count()?;
        loop {
            match bytes.byte()? {
                id::END => break,
                id::SIZE => {
                    streams.pack_sizes =
                        (0..count).map(|_| bytes.number()).collect::<Parsed<_>>()?
                }
                id::CRC => bytes.skip_digests(count)?,
                _ => return Err(Damaged("an unknown pack property")),
            }
        }
        property = bytes.byte()?;
    }
    if property == id::UNPACK_INFO {
        if bytes.byte()? != id::FOLDER {
            return Err(Damaged("no folder list"));
        }
        let count = bytes.count()?;
        if bytes.byte()? != 0 {
            return Err(Damaged("folders stored outside the header"));
        }
        for _ in 0..count {
            streams.folders.push(folder(bytes)?);
        }
        if bytes.byte()? != id::UNPACK_SIZE {
            return Err(Damaged("no unpack sizes"));
        }
        for folder in &mut streams.folders {
            let outputs = folder.coders.len();
            folder.unpack_sizes = (0..outputs)
                .map(|_| bytes.number())
                .collect::<Parsed<_>>()?;
        }
        loop {
            match bytes.byte()? {
                id::END => break,
                id::CRC => bytes.skip_digests(streams.folders.len())?,
                _ => return Err(Damaged("an unknown folder property")),
            }
        }
        property = bytes.byte()?;
    }
    streams.files_per_folder = vec![1; streams.folders.len()];
    streams.file_sizes = streams.folders.iter().map(Folder::size).collect();
    if property == id::SUBSTREAMS {
        property = bytes.byte()?;
        if property == id::NUM_UNPACK_STREAMS {
            streams.files_per_folder = (0..streams.folders.len())
                .map(|_| bytes.count())
                .collect::<Parsed<_>>()?;
            property = bytes.byte()?;
        }
        let mut sizes = Vec::new();
        for (folder, &files) in streams.folders.iter().zip(&streams.files_per_folder) {
            if files == 0 {
                continue;
            }
            let mut sum = 0u64;
            if property == id::SIZE {
                for _ in 1..files {
                    let size = bytes.number()?;
                    sum = sum.checked_add(size).ok_or(Damaged("sizes overflow"))?;
                    sizes.push(size);
                }
            }
            let last = folder
                .size()
                .checked_sub(sum)
                .ok_or(Damaged("files larger than their folder"))?;
            sizes.push(last);
        }
        streams.file_sizes = sizes;
        if property == id::SIZE {
            property = bytes.byte()?;
        }
        while property != id::END {
            match property {
                id::CRC => {
                    let unknown = streams.files_per_folder.iter().sum::<usize>();
                    bytes.skip_digests(unknown)?;
                }
                _ => return Err(Damaged("an unknown substream property")),
            }
            property = bytes.byte()?;
        }
        property = bytes.byte()?;
    }
    if property != id::END {
        return Err(Damaged("an unknown streams property"));
    }
    Ok(streams)
}

fn folder(bytes: &mut Bytes) -> Parsed<Folder> {
    let count = bytes.count()?;
    if count == 0 || count > 64 {
        return Err(Damaged("a folder with no coders or too many"));
    }
    let mut folder = Folder::default();
    let (mut inputs, mut outputs) = (0usize, 0usize);
    for _ in 0..count {
        let flags = bytes.byte()?;
        let id = bytes.take(u64::from(flags & 0x0f))?.to_vec();
        let (ins, outs) = if flags & 0x10 != 0 {
            (bytes.count()?, bytes.count()?)
        } else {
            (1, 1)
        };
        if outs != 1 || ins > 64 {
            return Err(Damaged("a coder with several outputs"));
        }
        let properties = if flags & 0x20 != 0 {
            let length = bytes.number()?;
            bytes.take(length)?.to_vec()
        } else {
            Vec::new()
        };
        inputs += ins;
        outputs += outs;
        folder.coders.push(Coder {
            id,
            properties,
            inputs: ins,
        });
    }
    for _ in 1..outputs {
        folder.bindings.push((bytes.count()?, bytes.count()?));
    }
    let packed = inputs
        .checked_sub(outputs - 1)
        .ok_or(Damaged("more bindings than inputs"))?;
    if packed == 1 {
        folder.packed = (0..inputs)
            .filter(|input| !folder.bindings.iter().any(|(bound, _)| bound == input))
            .take(1)
            .collect();
    } else {
        folder.packed = (0..packed).map(|_| bytes.count()).collect::<Parsed<_>>()?;
    }
    Ok(folder)
}

/// The files: names, and which have no data (directories, empty files).
fn files_info(bytes: &mut Bytes) -> Parsed<Vec<(String, bool)>> {
    let count = bytes.count()?;
    let mut names = vec![String::new(); count];
    let mut empty = vec![false; count];
    loop {
        let property = bytes.byte()?;
        if property == id::END {
            break;
        }
        let size = bytes.number()?;
        let mut data = Bytes {
            bytes: bytes.take(size)?,
            at: 0,
        };
        match property {
            id::EMPTY_STREAM => empty = data.bits(count)?,
            id::NAME => {
                if data.byte()? != 0 {
                    return Err(Damaged("names stored outside the header"));
                }
                let units: Vec<u16> = data.bytes[1..]
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                for (name, units) in names.iter_mut().zip(units.split(|&unit| unit == 0)) {
                    *name = String::from_utf16_lossy(units);
                }
            }
            _ => {}
        }
    }
    Ok(names.into_iter().zip(empty).collect())
}

/// A decoded header: its streams and its files.
#[derive(Default)]
struct Header {
    streams: Streams,
    files: Vec<(String, bool)>,
}

fn header(bytes: &mut Bytes) -> Parsed<Header> {
    let mut header = Header::default();
    let mut property = bytes.byte()?;
    if property == id::ARCHIVE_PROPERTIES {
        loop {
            if bytes.byte()? == id::END {
                break;
            }
            let size = bytes.number()?;
            bytes.take(size)?;
        }
        property = bytes.byte()?;
    }
    if property == id::ADDITIONAL_STREAMS {
        streams_info(bytes)?;
        property = bytes.byte()?;
    }
    if property == id::MAIN_STREAMS {
        header.streams = streams_info(bytes)?;
        property = bytes.byte()?;
    }
    if property == id::FILES {
        header.files = files_info(bytes)?;
        property = bytes.byte()?;
    }
    if property != id::END {
        return Err(Damaged("an unknown header property"));
    }
    Ok(header)
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut held = Vec::new();
    reader.take(MAX_HELD + 1).read_to_end(&mut held)?;
    if held.len() as u64 > MAX_HELD {
        walk.warn(
            frame,
            format!(
                "7z: larger than {}: scanned as raw bytes, its files not opened",
                crate::collector::human_bytes(MAX_HELD)
            ),
        );
        let mut rest = Cursor::new(held).chain(reader);
        return scanner.plain(&mut rest, frame, 0, walk);
    }
    match read_header(scanner, &held) {
        Ok(header) => read_folders(scanner, &held, &header, frame, walk),
        Err(Damaged(why)) => {
            walk.warn(
                frame,
                format!("7z: the header cannot be read ({why}); scanned as raw bytes"),
            );
            scanner.plain(&mut Cursor::new(&held), frame, 0, walk)
        }
    }
}

/// The archive's header, decoded if it is encoded (7-Zip compresses it by default).
fn read_header(scanner: &ContentScanner, held: &[u8]) -> Parsed<Header> {
    let start = held.get(..32).ok_or(Damaged("the file ends early"))?;
    let offset = u64::from_le_bytes(start[12..20].try_into().expect("8 bytes"));
    let size = u64::from_le_bytes(start[20..28].try_into().expect("8 bytes"));
    let begin = usize::try_from(offset.saturating_add(32)).unwrap_or(usize::MAX);
    let end = begin.saturating_add(usize::try_from(size).unwrap_or(usize::MAX));
    if size == 0 {
        return Ok(Header::default());
    }
    let mut bytes = held
        .get(begin..end)
        .ok_or(Damaged("it lies past the end of the file: truncated?"))?
        .to_vec();
    // An encoded header decodes to a header, which may (in principle) be encoded again.
    for _ in 0..4 {
        let mut reader = Bytes {
            bytes: &bytes,
            at: 1,
        };
        match bytes.first() {
            Some(&id::HEADER) => return header(&mut reader),
            Some(&id::ENCODED_HEADER) => {
                let streams = streams_info(&mut reader)?;
                let folder = streams.folders.first().ok_or(Damaged("no header folder"))?;
                let packed = packed_streams(held, &streams)?;
                let limit = scanner.options.max_inflated.min(MAX_HEADER);
                let mut decoded = Vec::new();
                decoder(folder, &packed[0])?
                    .take(limit)
                    .read_to_end(&mut decoded)
                    .map_err(|_| Damaged("the header does not decode"))?;
                bytes = decoded;
            }
            _ => return Err(Damaged("no header property")),
        }
    }
    Err(Damaged("headers encoded too many times"))
}

/// Each folder's packed input, as slices of the archive.
fn packed_streams<'a>(held: &'a [u8], streams: &Streams) -> Parsed<Vec<Vec<&'a [u8]>>> {
    let mut at = 32u64
        .checked_add(streams.pack_position)
        .ok_or(Damaged("a pack position overflows"))?;
    let mut sizes = streams.pack_sizes.iter();
    let mut all = Vec::new();
    for folder in &streams.folders {
        let mut inputs = Vec::new();
        for _ in &folder.packed {
            let size = *sizes
                .next()
                .ok_or(Damaged("fewer packed streams than inputs"))?;
            let end = at
                .checked_add(size)
                .ok_or(Damaged("a pack size overflows"))?;
            let slice = usize::try_from(at)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(start, end)| held.get(start..end))
                .ok_or(Damaged("a packed stream lies past the end: truncated?"))?;
            inputs.push(slice);
            at = end;
        }
        all.push(inputs);
    }
    Ok(all)
}

/// The folder's output as a stream: its coders chained from the packed input to the one
/// output no binding consumes. Only chains of one-input coders are read.
fn decoder<'a>(folder: &Folder, packed: &[&'a [u8]]) -> Parsed<Box<dyn Read + 'a>> {
    if packed.len() != 1 || folder.coders.iter().any(|coder| coder.inputs != 1) {
        return Err(Damaged("a coder with several inputs (BCJ2)"));
    }
    // With one input per coder, input i and output i are coder i's.
    let mut coder = folder.packed[0];
    let mut stream: Box<dyn Read + 'a> = Box::new(packed[0]);
    for _ in 0..folder.coders.len() {
        let spec = folder
            .coders
            .get(coder)
            .ok_or(Damaged("a binding to no coder"))?;
        let size = *folder
            .unpack_sizes
            .get(coder)
            .ok_or(Damaged("a coder without a size"))?;
        stream = coder_stream(spec, size, stream)?;
        match folder.bindings.iter().find(|(_, out)| *out == coder) {
            Some(&(input, _)) => coder = input,
            None => return Ok(stream),
        }
    }
    Err(Damaged("the coders' bindings form a loop"))
}

fn coder_stream<'a>(
    coder: &Coder,
    size: u64,
    input: Box<dyn Read + 'a>,
) -> Parsed<Box<dyn Read + 'a>> {
    let unsupported = |id: &[u8]| match id {
        [0x06, 0xf1, 0x07, 0x01] => Damaged("encrypted (AES)"),
        [0x03, 0x04, 0x01] => Damaged("compressed with PPMd, which hf-scan does not read"),
        _ => Damaged("compressed with a coder hf-scan does not read"),
    };
    // A dictionary larger than what it decodes into is never used beyond that.
    let dictionary = |declared: u32| -> Parsed<u32> {
        let needed = u64::from(declared).min(size.max(4096));
        if needed > MAX_DICTIONARY {
            return Err(Damaged("a dictionary larger than hf-scan holds"));
        }
        Ok(needed as u32)
    };
    Ok(match coder.id.as_slice() {
        [0x00] => Box::new(input.take(size)),
        [0x21] => {
            let bits = *coder
                .properties
                .first()
                .ok_or(Damaged("no LZMA2 properties"))?;
            if bits > 40 {
                return Err(Damaged("an LZMA2 dictionary size out of range"));
            }
            let declared = if bits == 40 {
                u32::MAX
            } else {
                (2 | u32::from(bits & 1)) << (bits / 2 + 11)
            };
            let reader = lzma_rust2::Lzma2Reader::new(input, dictionary(declared)?, None);
            Box::new(reader.take(size))
        }
        [0x03, 0x01, 0x01] => {
            let properties = coder
                .properties
                .get(..5)
                .ok_or(Damaged("no LZMA properties"))?;
            let declared = u32::from_le_bytes(properties[1..5].try_into().expect("4 bytes"));
            let reader = lzma_rust2::LzmaReader::new_with_props(
                input,
                size,
                properties[0],
                dictionary(declared)?,
                None,
            )
            .map_err(|_| Damaged("LZMA properties out of range"))?;
            Box::new(reader.take(size))
        }
        [0x04, 0x01, 0x08] => Box::new(flate2::read::DeflateDecoder::new(input).take(size)),
        [0x04, 0x02, 0x02] => Box::new(bzip2::read::BzDecoder::new(input).take(size)),
        [0x04, 0xf7, 0x11, 0x01] => Box::new(
            zstd::stream::read::Decoder::new(input)
                .map_err(|_| Damaged("a zstd stream that does not open"))?
                .take(size),
        ),
        [0x03, 0x03, 0x01, 0x03] | [0x04] => Box::new(BcjReader::new_x86(input, 0).take(size)),
        [0x03, 0x03, 0x02, 0x05] | [0x05] => Box::new(BcjReader::new_ppc(input, 0).take(size)),
        [0x03, 0x03, 0x04, 0x01] | [0x06] => Box::new(BcjReader::new_ia64(input, 0).take(size)),
        [0x03, 0x03, 0x05, 0x01] | [0x07] => Box::new(BcjReader::new_arm(input, 0).take(size)),
        [0x03, 0x03, 0x07, 0x01] | [0x08] => {
            Box::new(BcjReader::new_arm_thumb(input, 0).take(size))
        }
        [0x03, 0x03, 0x08, 0x05] | [0x09] => Box::new(BcjReader::new_sparc(input, 0).take(size)),
        [0x0a] => Box::new(BcjReader::new_arm64(input, 0).take(size)),
        [0x0b] => Box::new(BcjReader::new_riscv(input, 0).take(size)),
        [0x03] => {
            let distance = usize::from(*coder.properties.first().unwrap_or(&0)) + 1;
            Box::new(lzma_rust2::filter::delta::DeltaReader::new(input, distance).take(size))
        }
        id => return Err(unsupported(id)),
    })
}

fn read_folders(
    scanner: &mut ContentScanner,
    held: &[u8],
    header: &Header,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let streams = &header.streams;
    let packed = match packed_streams(held, streams) {
        Ok(packed) => packed,
        Err(Damaged(why)) => {
            walk.warn(frame, format!("7z: {why}; scanned as raw bytes"));
            return scanner.plain(&mut Cursor::new(held), frame, 0, walk);
        }
    };
    // Files with data, in folder order; the others (directories, empty files) have none.
    let mut names = header
        .files
        .iter()
        .filter(|(_, empty)| !empty)
        .map(|(name, _)| name.as_str());
    let mut sizes = streams.file_sizes.iter();
    for (index, folder) in streams.folders.iter().enumerate() {
        let files = streams.files_per_folder[index];
        let names: Vec<String> = (0..files)
            .map(|n| {
                names
                    .next()
                    .map_or_else(|| format!("(file {n})"), str::to_string)
            })
            .collect();
        let sizes: Vec<u64> = sizes.by_ref().take(files).copied().collect();
        let mut stream = match decoder(folder, &packed[index]) {
            Ok(stream) => stream,
            Err(Damaged(why)) => {
                walk.warn(
                    frame,
                    format!(
                        "7z: {} file(s) ({}) are {why}: not scanned",
                        names.len(),
                        names.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                for input in &packed[index] {
                    scanner.plain(&mut Cursor::new(input), frame, 0, walk)?;
                }
                continue;
            }
        };
        for (name, size) in names.iter().zip(sizes) {
            if !walk.admit_entry(frame, &scanner.options) {
                return Ok(());
            }
            let mut member = (&mut stream).take(size);
            scanner.member(&mut member, name, Some(Encoding::SevenZip), frame, walk)?;
            // What the member's reader left (it stopped at a limit) is decoded past, within
            // the same limit; a file larger than that ends its folder.
            let left = member.limit();
            if left > scanner.options.max_inflated {
                break;
            }
            match io::copy(&mut member, &mut io::sink()) {
                Ok(drained) => walk.work.charge(drained),
                Err(err) => {
                    // The folder's stream is damaged past this file: its other files are lost.
                    walk.warn(
                        frame,
                        format!("7z: the folder holding {name} does not decode past it ({err})"),
                    );
                    break;
                }
            }
            if walk.work.is_spent() {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_7z_writes_them() {
        let read = |bytes: &[u8]| Bytes { bytes, at: 0 }.number().unwrap();
        assert_eq!(read(&[0x05]), 5);
        assert_eq!(read(&[0x7f]), 127);
        assert_eq!(read(&[0x80, 0x80]), 128);
        assert_eq!(read(&[0x81, 0x00]), 256);
        assert_eq!(read(&[0xc0, 0x00, 0x40]), 0x4000);
        assert_eq!(read(&[0xff, 1, 0, 0, 0, 0, 0, 0, 0]), 1);
    }
}

//! UTF-16 text (what Windows tools, PowerShell redirection and some editors write), little- or
//! big-endian, with or without a byte-order mark: transcoded on the fly so the matcher sees text
//! and reports real lines and columns.
//!
//! Tokens are ASCII, so the transcoder keeps every ASCII character and writes one `?` for each
//! other character (a surrogate pair is one character): columns count characters, and a byte
//! of the transcoded text maps back to its code unit exactly, so offsets are the file's own.
//! Without a mark, content counts as UTF-16 only when its first 256 bytes are nearly all
//! printable ASCII in one byte order with zeros in the other, so binaries are left alone (the
//! matcher's own UTF-16LE search still covers tokens inside them).

use std::io::{self, Read};

use crate::finding::Encoding;

/// Code units examined to recognise UTF-16 without a byte-order mark.
const SNIFF_UNITS: usize = 128;
/// Surrogate pairs collapsed into one character, at most; past this each half is a `?` of its
/// own (offsets stay exact, columns after an emoji count one too many), so a file of emoji
/// cannot grow the offset map without bound.
const MAX_COLLAPSED: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub fn found_as(self) -> Encoding {
        match self {
            Endian::Little => Encoding::Utf16Le,
            Endian::Big => Encoding::Utf16Be,
        }
    }
}

/// The byte order of UTF-16 text starting with `head`, if it is that.
pub fn endianness(head: &[u8]) -> Option<Endian> {
    match head {
        [0xff, 0xfe, ..] if !head.starts_with(&[0xff, 0xfe, 0, 0]) => Some(Endian::Little),
        [0xfe, 0xff, ..] => Some(Endian::Big),
        _ => {
            let units = &head[..head.len().min(2 * SNIFF_UNITS) & !1];
            // Nearly every unit of ASCII-range UTF-16 holds a zero byte: text without one
            // (every plain text file) is answered by one vectorised search.
            if units.len() < 16 || !units.contains(&0) {
                return None;
            }
            let printable = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
            let count = units.len() / 2;
            let little = units
                .chunks_exact(2)
                .filter(|u| printable(u[0]) && u[1] == 0)
                .count();
            let big = units
                .chunks_exact(2)
                .filter(|u| u[0] == 0 && printable(u[1]))
                .count();
            // Nearly all: a few non-ASCII letters are fine.
            if little * 20 >= count * 19 {
                Some(Endian::Little)
            } else if big * 20 >= count * 19 {
                Some(Endian::Big)
            } else {
                None
            }
        }
    }
}

pub fn is_utf16le(head: &[u8]) -> bool {
    endianness(head) == Some(Endian::Little)
}

pub fn is_utf16be(head: &[u8]) -> bool {
    endianness(head) == Some(Endian::Big)
}

/// Code units in a row whose two bytes are both ASCII text that end the UTF-16: the rest of
/// the stream is single-byte text (a PowerShell `>` transcript continued by cmd's `>>`). Both
/// bytes printable is what ASCII read as UTF-16 looks like; real UTF-16 text has a zero byte
/// in each ASCII character, and 16 CJK characters in a row that all look so are rare.
const ASCII_SWITCH_UNITS: usize = 16;

/// Reads UTF-16 and yields ASCII, one byte per character (see the module's docs); where the
/// stream turns into single-byte text, its bytes as they are.
pub struct Transcoder<R> {
    inner: R,
    endian: Endian,
    /// Bytes of a code unit cut by a read.
    partial: Vec<u8>,
    /// Whether the next unit is the first (a byte-order mark there is dropped).
    at_start: bool,
    bom_len: u64,
    /// A high surrogate waiting for its low half.
    high_surrogate: bool,
    /// Transcoded bytes produced so far.
    written: u64,
    /// Where surrogate pairs were collapsed: the transcoded offset of each, in order.
    collapsed: Vec<u64>,
    /// Raw bytes of code units in a row that look like single-byte text, held until the run
    /// decides.
    ascii_run: Vec<u8>,
    /// Where the stream turned into single-byte text: (transcoded offset, source offset).
    single_byte_from: Option<(u64, u64)>,
    /// Source bytes transcoded so far (whole units).
    consumed: u64,
    /// Output produced but not yet read.
    ready: Vec<u8>,
    ready_at: usize,
    raw: Vec<u8>,
}

impl<R: Read> Transcoder<R> {
    pub fn new(inner: R, endian: Endian) -> Self {
        Self {
            inner,
            endian,
            partial: Vec::new(),
            at_start: true,
            bom_len: 0,
            high_surrogate: false,
            written: 0,
            collapsed: Vec::new(),
            ascii_run: Vec::new(),
            single_byte_from: None,
            consumed: 0,
            ready: Vec::new(),
            ready_at: 0,
            raw: vec![0; 64 * 1024],
        }
    }

    /// The offset in the UTF-16 bytes of the transcoded byte at `offset`.
    pub fn source_offset(&self, offset: u64) -> u64 {
        if let Some((transcoded, source)) = self.single_byte_from {
            if offset >= transcoded {
                return source + (offset - transcoded);
            }
        }
        let pairs_before = self.collapsed.partition_point(|&at| at < offset) as u64;
        self.bom_len + 2 * (offset + pairs_before)
    }

    /// Where the text turned into single-byte text, in transcoded bytes, if it did.
    pub fn single_byte_from(&self) -> Option<u64> {
        self.single_byte_from.map(|(transcoded, _)| transcoded)
    }

    fn emit(&mut self, byte: u8) {
        self.ready.push(byte);
        self.written += 1;
    }

    /// The held run was UTF-16 after all: one `?` per unit (none of them is ASCII).
    fn flush_run(&mut self) {
        for _ in 0..self.ascii_run.len() / 2 {
            self.emit(b'?');
        }
        self.ascii_run.clear();
    }

    /// Transcodes whole code units of `raw` into `ready`; from a switch to single-byte text
    /// on, `raw`'s bytes are copied as they are.
    fn transcode(&mut self, raw: &[u8], source_start: u64) {
        let text = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e);
        let little = self.endian == Endian::Little;
        self.ready.reserve(raw.len() / 2 + 2 * ASCII_SWITCH_UNITS);
        for (index, pair) in raw.chunks_exact(2).enumerate() {
            if self.single_byte_from.is_some() {
                // Switched inside this buffer: the rest as it is.
                let rest = &raw[2 * index..];
                self.ready.extend_from_slice(rest);
                self.written += rest.len() as u64;
                return;
            }
            let (low, high) = if little {
                (pair[0], pair[1])
            } else {
                (pair[1], pair[0])
            };
            // The common case: an ASCII character, nothing pending.
            if high == 0
                && low < 0x80
                && !self.at_start
                && !self.high_surrogate
                && self.ascii_run.is_empty()
            {
                self.emit(low);
                continue;
            }
            let unit = u16::from(high) << 8 | u16::from(low);
            if std::mem::take(&mut self.at_start) && unit == 0xfeff {
                self.bom_len = 2;
                continue;
            }
            if text(pair[0]) && text(pair[1]) {
                self.ascii_run.extend_from_slice(pair);
                if self.ascii_run.len() >= 2 * ASCII_SWITCH_UNITS {
                    let run = std::mem::take(&mut self.ascii_run);
                    let source = source_start + 2 * (index as u64 + 1) - run.len() as u64;
                    self.single_byte_from = Some((self.written, source));
                    self.ready.extend_from_slice(&run);
                    self.written += run.len() as u64;
                }
                continue;
            }
            if !self.ascii_run.is_empty() {
                self.flush_run();
            }
            if self.high_surrogate
                && (0xdc00..0xe000).contains(&unit)
                && self.collapsed.len() < MAX_COLLAPSED
            {
                // The low half of a pair: the pair was one character, already written.
                self.high_surrogate = false;
                self.collapsed.push(self.written - 1);
                continue;
            }
            self.high_surrogate = (0xd800..0xdc00).contains(&unit);
            self.emit(if unit < 0x80 { unit as u8 } else { b'?' });
        }
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.ready_at < self.ready.len() {
                let count = out.len().min(self.ready.len() - self.ready_at);
                out[..count].copy_from_slice(&self.ready[self.ready_at..self.ready_at + count]);
                self.ready_at += count;
                return Ok(count);
            }
            self.ready.clear();
            self.ready_at = 0;
            if self.single_byte_from.is_some() && self.partial.is_empty() {
                // Single-byte text from here: straight through.
                let read = self.inner.read(out)?;
                self.written += read as u64;
                return Ok(read);
            }
            let mut raw = std::mem::take(&mut self.raw);
            let carried = self.partial.len();
            raw[..carried].copy_from_slice(&self.partial);
            let read = self.inner.read(&mut raw[carried..])?;
            let available = carried + read;
            if read == 0 {
                self.raw = raw;
                // A lone trailing byte is no character; a held run is UTF-16 after all.
                if self.single_byte_from.is_some() {
                    let partial = std::mem::take(&mut self.partial);
                    self.ready.extend_from_slice(&partial);
                    self.written += partial.len() as u64;
                } else {
                    self.partial.clear();
                    self.flush_run();
                }
                if self.ready.is_empty() {
                    return Ok(0);
                }
                continue;
            }
            let whole = available & !1;
            // Where `raw` starts in the source: everything consumed before it, as units.
            let source_start = self.consumed;
            self.transcode(&raw[..whole], source_start);
            self.consumed += whole as u64;
            self.partial = raw[whole..available].to_vec();
            self.raw = raw;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, endian: Endian, bom: bool) -> Vec<u8> {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        if bom {
            units.insert(0, 0xfeff);
        }
        units
            .iter()
            .flat_map(|u| match endian {
                Endian::Little => u.to_le_bytes(),
                Endian::Big => u.to_be_bytes(),
            })
            .collect()
    }

    #[test]
    fn recognises_both_orders_with_and_without_a_mark() {
        let text = "line one\nline two with some words\n";
        for endian in [Endian::Little, Endian::Big] {
            for bom in [true, false] {
                assert_eq!(endianness(&utf16(text, endian, bom)), Some(endian));
            }
        }
        assert_eq!(endianness(b"plain ASCII text, long enough to judge"), None);
        assert_eq!(endianness(&[0u8; 64]), None);
        assert_eq!(endianness(&[0xff, 0xfe, 0, 0, 1, 2]), None, "UTF-32LE");
    }

    #[test]
    fn transcodes_one_byte_per_character_and_maps_offsets_back() {
        let text = "é😀 x=hf_TOKEN\n";
        for endian in [Endian::Little, Endian::Big] {
            let bytes = utf16(text, endian, true);
            let mut transcoder = Transcoder::new(bytes.as_slice(), endian);
            let mut out = Vec::new();
            // Tiny reads: units and pairs cut across reads.
            let mut buf = [0u8; 1];
            while transcoder.read(&mut buf).unwrap() == 1 {
                out.push(buf[0]);
            }
            assert_eq!(out, b"?? x=hf_TOKEN\n");
            let at = out.iter().position(|&b| b == b'h').unwrap() as u64;
            // BOM, é, the pair (two units), space, x, =.
            assert_eq!(transcoder.source_offset(at), 2 + 2 * 6);
        }
    }

    /// A UTF-16 transcript continued in single-byte text (PowerShell's `>` then cmd's `>>`):
    /// the single-byte part is passed through, so its token is found, at its own offset.
    #[test]
    fn utf16_then_single_byte_text_is_read_as_both() {
        let head = utf16(
            "PS> Get-Content notes\r\nnothing here\r\n",
            Endian::Little,
            true,
        );
        let tail = b"C:\\> echo %HF_TOKEN% >> log\r\nhf_TOKENabcdefghij\r\n";
        let bytes = [head.as_slice(), tail].concat();
        let mut transcoder = Transcoder::new(bytes.as_slice(), Endian::Little);
        let mut out = Vec::new();
        transcoder.read_to_end(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.starts_with("PS> Get-Content notes\r\nnothing here\r\nC:\\> echo"),
            "{text}"
        );
        let at = memchr::memmem::find(&out, b"hf_TOKEN").unwrap() as u64;
        let expected = memchr::memmem::find(&bytes, b"hf_TOKEN").unwrap() as u64;
        assert_eq!(transcoder.source_offset(at), expected);
        assert!(transcoder.single_byte_from().is_some());

        // Real UTF-16 (with non-ASCII characters) never switches.
        let text = "données: été, 東京, 😀\n".repeat(50);
        let bytes = utf16(&text, Endian::Little, false);
        let mut transcoder = Transcoder::new(bytes.as_slice(), Endian::Little);
        transcoder.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(transcoder.single_byte_from(), None);
    }
}

//! Encoded tokens: base64 (Kubernetes secrets, Docker `auth` strings, CI variables pasted
//! encoded), UTF-16LE (files written by Windows PowerShell 5's `Out-File`, `reg export`) and
//! UTF-32LE (numpy's `U` arrays, UTF-32 text).
//!
//! Decoding every base64-looking run would cost a pass over every notebook image. Instead, the
//! matcher's single regex also looks for what a rule's prefix becomes when encoded: in base64,
//! the characters it fixes at each of the three alignments a byte string can have (`hf_`
//! becomes `aGZf`, `?hmX?` or `??oZl?`); in UTF-16LE, `h\0f\0_\0`. Only around such a hit is the
//! encoded run decoded (once per alignment, however many prefixes it holds) and run through
//! the ordinary matcher, so an encoded token gets the same boundary and placeholder checks as a
//! plain one, and input made of nothing but encoded prefixes stays linear.
//!
//! The registry: each encoding is a file (`base64.rs`, `utf16le.rs`, `utf32le.rs`) with the literals its
//! prefixes become, how a run around a hit is decoded, and how decoded positions map back;
//! `Encoding::expansion` says how much longer the encoded form is, and the chunk overlap
//! (`ENCODED_WINDOW`) follows from the largest. A rule that could match more than
//! `MAX_TOKEN_LEN` bytes is refused when rules load, so no token outgrows the overlap.

mod base64;
mod utf16le;
mod utf32le;

pub use base64::decode_base64_from;
/// Standard base64 without padding (prefix literals, the HTML report's policy hashes, tests).
pub(crate) use base64::encode as base64_encode;

use crate::detect::rules::MAX_TOKEN_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    Utf16Le,
    Utf32Le,
}

/// Every registered encoding.
pub const DECODERS: [Encoding; 3] = [Encoding::Base64, Encoding::Utf16Le, Encoding::Utf32Le];

impl Encoding {
    /// Encoded bytes per decoded byte, as a fraction (base64: 4/3; UTF-16: 2/1).
    const fn expansion(self) -> (usize, usize) {
        match self {
            Encoding::Base64 => (4, 3),
            Encoding::Utf16Le => (2, 1),
            Encoding::Utf32Le => (4, 1),
        }
    }

    /// How reports say a token was found through this decoder.
    pub fn found_as(self) -> crate::finding::Encoding {
        match self {
            Encoding::Base64 => crate::finding::Encoding::Base64,
            Encoding::Utf16Le => crate::finding::Encoding::Utf16Le,
            Encoding::Utf32Le => crate::finding::Encoding::Utf32,
        }
    }
}

/// A literal that marks a possibly encoded prefix.
#[derive(Debug, Clone)]
pub struct EncodedPrefix {
    /// What the matcher's regex looks for.
    pub literal: Vec<u8>,
    pub encoding: Encoding,
    /// Base64: how many characters of the prefix's first group come before `literal`.
    pub(super) chars_before: usize,
}

impl EncodedPrefix {
    /// Base64: how many characters of the prefix's first group come before the literal.
    pub fn chars_before(&self) -> usize {
        self.chars_before
    }
}

/// Bytes of a decoded window before the prefix: enough for the longest escape the left
/// boundary check looks at.
pub(super) const CONTEXT_CHARS: usize = 6;

/// Encoded bytes decoded around a hit, at most: the longest token and its context, in the
/// registered encoding that expands it most.
pub const ENCODED_WINDOW: usize = {
    let decoded = MAX_TOKEN_LEN + 2 * CONTEXT_CHARS;
    let mut widest = decoded;
    let mut i = 0;
    while i < DECODERS.len() {
        let (encoded, per) = DECODERS[i].expansion();
        let window = (decoded * encoded).div_ceil(per);
        if window > widest {
            widest = window;
        }
        i += 1;
    }
    widest
};

/// The encoded forms of `prefix` (none if it is too short to be distinctive).
pub fn encoded_prefixes(prefix: &[u8]) -> Vec<EncodedPrefix> {
    if prefix.len() < 3 {
        return Vec::new();
    }
    let mut prefixes = base64::prefixes(prefix);
    prefixes.push(utf16le::prefix(prefix));
    prefixes.push(utf32le::prefix(prefix));
    prefixes
}

/// An encoded run that was decoded: where its encoding starts and ends in the haystack, and
/// which alignment class it belongs to (base64: the group grid, `start % 4`; UTF-16: the byte
/// parity). The decoded bytes go to a buffer the caller reuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub encoding: Encoding,
    pub encoded_start: usize,
    pub end: usize,
    pub residue: usize,
}

impl Run {
    /// The haystack offset of the encoded form of decoded byte `index`.
    pub fn encoded_offset(&self, index: usize) -> usize {
        match self.encoding {
            Encoding::Base64 => self.encoded_start + index * 4 / 3,
            Encoding::Utf16Le => self.encoded_start + 2 * index,
            Encoding::Utf32Le => self.encoded_start + 4 * index,
        }
    }

    /// The haystack offset just past the encoded form of decoded bytes `..index`: a base64
    /// character that carries any bit of them is inside.
    pub fn encoded_end(&self, index: usize) -> usize {
        match self.encoding {
            Encoding::Base64 => self.encoded_start + (index * 4).div_ceil(3),
            Encoding::Utf16Le => self.encoded_start + 2 * index,
            Encoding::Utf32Le => self.encoded_start + 4 * index,
        }
    }
}

/// The run of ASCII characters stored as little-endian code units `width` bytes wide (the
/// character, then zeros) around a hit at `at`: a few units before it, for the boundary
/// check, and all after it until anything else. UTF-16LE and UTF-32LE differ only in width.
fn ascii_units_run(
    haystack: &[u8],
    at: usize,
    width: usize,
    encoding: Encoding,
    out: &mut Vec<u8>,
) -> Run {
    let is_ascii_unit = |i: usize| {
        i + width <= haystack.len()
            && (1..0x80).contains(&haystack[i])
            && haystack[i + 1..i + width].iter().all(|&b| b == 0)
    };
    let mut start = at;
    for _ in 0..CONTEXT_CHARS {
        if start >= width && is_ascii_unit(start - width) {
            start -= width;
        } else {
            break;
        }
    }
    let mut i = start;
    while is_ascii_unit(i) {
        out.push(haystack[i]);
        i += width;
    }
    Run {
        encoding,
        encoded_start: start,
        end: i,
        residue: at % width,
    }
}

/// Decodes the whole run that holds a hit of `prefix` at `at`, from the hit (plus a little
/// context before it, for the boundary check) to where the encoding ends, into `out`. Decoding
/// a run once, instead of a window per hit, keeps input made of nothing but encoded prefixes
/// linear: the matcher decodes each run at most once per alignment.
pub fn decode_run(
    haystack: &[u8],
    at: usize,
    prefix: &EncodedPrefix,
    out: &mut Vec<u8>,
) -> Option<Run> {
    out.clear();
    match prefix.encoding {
        Encoding::Base64 => base64::decode_run(haystack, at, prefix.chars_before, out),
        Encoding::Utf16Le => Some(utf16le::decode_run(haystack, at, out)),
        Encoding::Utf32Le => Some(utf32le::decode_run(haystack, at, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_prefixes_match_a_real_encoder() {
        let literals = |prefix: &[u8]| -> Vec<Vec<u8>> {
            encoded_prefixes(prefix)
                .into_iter()
                .map(|p| p.literal)
                .collect()
        };
        let expected: [&[u8]; 5] = [
            b"aGZf",
            b"hmX",
            b"oZl",
            b"h\0f\0_\0",
            b"h\0\0\0f\0\0\0_\0\0\0",
        ];
        assert_eq!(literals(b"hf_"), expected);
        let expected: [&[u8]; 3] = [b"YXBpX29yZ1", b"FwaV9vcmdf", b"hcGlfb3JnX"];
        assert_eq!(literals(b"api_org_")[..3], expected);
        assert_eq!(base64_encode(b"hf_abc"), "aGZfYWJj");
    }

    #[test]
    fn decoding_accepts_both_alphabets_and_stops_at_the_run_end() {
        let text = b"x: aGZfYWJj\n";
        let prefix = &encoded_prefixes(b"hf_")[0];
        let mut out = Vec::new();
        let run = decode_run(text, 3, prefix, &mut out).unwrap();
        assert_eq!(out, b"hf_abc");
        assert_eq!((run.encoded_start, run.end), (3, 11));
        let url_safe = b"Pz8-aGZf";
        let run = decode_run(url_safe, 4, prefix, &mut out).unwrap();
        assert_eq!(out, b"??>hf_");
        assert_eq!(run.encoded_offset(3), 4);
    }

    #[test]
    fn utf16le_windows_take_ascii_units_around_the_prefix() {
        let text: Vec<u8> = "\u{feff}T=hf_ab\u{e9}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let prefix = &encoded_prefixes(b"hf_")[3];
        let at = 6;
        let mut out = Vec::new();
        let run = decode_run(&text, at, prefix, &mut out).unwrap();
        assert_eq!(out, b"T=hf_ab", "stops at the BOM before and the é after");
        assert_eq!(run.encoded_offset(2), 6);
    }
}

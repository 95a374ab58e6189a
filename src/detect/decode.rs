//! Encoded tokens: base64 (Kubernetes secrets, Docker `auth` strings, CI variables pasted
//! encoded) and UTF-16LE (files written by Windows PowerShell 5's `Out-File`, `reg export`).
//!
//! Decoding every base64-looking run would cost a pass over every notebook image. Instead, the
//! matcher's single regex also looks for what a rule's prefix becomes when encoded: in base64,
//! the characters it fixes at each of the three alignments a byte string can have (`hf_`
//! becomes `aGZf`, `?hmX?` or `??oZl?`); in UTF-16LE, `h\0f\0_\0`. Only around such a hit is the
//! encoded run decoded (once per alignment, however many prefixes it holds) and run through
//! the ordinary matcher, so an encoded token gets the same boundary and placeholder checks as a
//! plain one, and input made of nothing but encoded prefixes stays linear.

use crate::detect::rules::MAX_TOKEN_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    Utf16Le,
}

impl Encoding {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Utf16Le => "utf-16le",
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
    chars_before: usize,
}

impl EncodedPrefix {
    /// Base64: how many characters of the prefix's first group come before the literal.
    pub fn chars_before(&self) -> usize {
        self.chars_before
    }
}

/// Bytes of a decoded window before the prefix: enough for the longest escape the left
/// boundary check looks at.
const CONTEXT_CHARS: usize = 6;

/// Encoded bytes decoded around a hit, at most: the longest token and its context, in the
/// longer of the two encodings (UTF-16 doubles it).
pub const ENCODED_WINDOW: usize = 2 * (MAX_TOKEN_LEN + 2 * CONTEXT_CHARS);

/// The encoded forms of `prefix` (none if it is too short to be distinctive).
pub fn encoded_prefixes(prefix: &[u8]) -> Vec<EncodedPrefix> {
    if prefix.len() < 3 {
        return Vec::new();
    }
    let utf16 = EncodedPrefix {
        literal: prefix.iter().flat_map(|&b| [b, 0]).collect(),
        encoding: Encoding::Utf16Le,
        chars_before: 0,
    };
    (0..3)
        .map(|alignment| {
            let mut bytes = vec![0u8; alignment];
            bytes.extend_from_slice(prefix);
            bytes.extend_from_slice(&[0, 0]);
            let encoded = encode(&bytes);
            // Character i carries bits [6i, 6i + 6) of the stream; it is fixed by the prefix
            // when those bits lie within the prefix's bits.
            let first = (8 * alignment).div_ceil(6);
            let last = (8 * (alignment + prefix.len())) / 6;
            EncodedPrefix {
                literal: encoded.as_bytes()[first..last].to_vec(),
                encoding: Encoding::Base64,
                chars_before: first,
            }
        })
        .chain(std::iter::once(utf16))
        .collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 without padding; used to derive the prefix literals (and by tests).
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=group.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Marks a byte that is not a base64 character in `SEXTETS`.
const NOT_BASE64: u8 = 0xFF;

/// The 6-bit value of every byte that is a base64 character, standard or URL-safe alphabet.
const SEXTETS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table[b'-' as usize] = 62;
    table[b'_' as usize] = 63;
    table
};

/// The 6-bit value of a base64 character, standard or URL-safe alphabet.
fn sextet(byte: u8) -> Option<u8> {
    let value = SEXTETS[byte as usize];
    (value != NOT_BASE64).then_some(value)
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
        }
    }

    /// The haystack offset just past the encoded form of decoded bytes `..index`: a base64
    /// character that carries any bit of them is inside.
    pub fn encoded_end(&self, index: usize) -> usize {
        match self.encoding {
            Encoding::Base64 => self.encoded_start + (index * 4).div_ceil(3),
            Encoding::Utf16Le => self.encoded_start + 2 * index,
        }
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
        Encoding::Base64 => decode_base64_run(haystack, at, prefix.chars_before, out),
        Encoding::Utf16Le => Some(decode_utf16le_run(haystack, at, out)),
    }
}

/// Starts one group early when that group is base64 too, so the byte before the token can be
/// checked.
fn decode_base64_run(
    haystack: &[u8],
    at: usize,
    chars_before: usize,
    out: &mut Vec<u8>,
) -> Option<Run> {
    let group_start = at.checked_sub(chars_before)?;
    if !haystack[group_start..at]
        .iter()
        .all(|&b| sextet(b).is_some())
    {
        return None;
    }
    Some(decode_base64_from(haystack, group_start, out))
}

/// Decodes base64 from the group starting at `group_start` (one group earlier when that is
/// base64 too) to the end of the run, into `out`.
pub fn decode_base64_from(haystack: &[u8], group_start: usize, out: &mut Vec<u8>) -> Run {
    out.clear();
    let start = match group_start.checked_sub(4) {
        Some(earlier)
            if haystack[earlier..group_start]
                .iter()
                .all(|&b| sextet(b).is_some()) =>
        {
            earlier
        }
        _ => group_start,
    };
    // Whole groups of four characters to three bytes first (the bulk of a long run), then the
    // last partial group character by character.
    let mut end = start;
    for group in haystack[start..].chunks_exact(4) {
        let values = [group[0], group[1], group[2], group[3]].map(|byte| SEXTETS[byte as usize]);
        if values.contains(&NOT_BASE64) {
            break;
        }
        let bits = values
            .iter()
            .fold(0u32, |bits, &value| (bits << 6) | u32::from(value));
        out.extend_from_slice(&bits.to_be_bytes()[1..]);
        end += 4;
    }
    let mut bits: u32 = 0;
    let mut count = 0;
    for &byte in &haystack[end..] {
        let Some(value) = sextet(byte) else { break };
        end += 1;
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Run {
        encoding: Encoding::Base64,
        encoded_start: start,
        end,
        residue: group_start % 4,
    }
}

/// ASCII characters stored as UTF-16LE (`c`, 0), a few before the hit and all after it until
/// anything else.
fn decode_utf16le_run(haystack: &[u8], at: usize, out: &mut Vec<u8>) -> Run {
    let is_ascii_unit = |i: usize| {
        i + 1 < haystack.len() && (1..0x80).contains(&haystack[i]) && haystack[i + 1] == 0
    };
    let mut start = at;
    for _ in 0..CONTEXT_CHARS {
        if start >= 2 && is_ascii_unit(start - 2) {
            start -= 2;
        } else {
            break;
        }
    }
    let mut i = start;
    while is_ascii_unit(i) {
        out.push(haystack[i]);
        i += 2;
    }
    Run {
        encoding: Encoding::Utf16Le,
        encoded_start: start,
        end: i,
        residue: at % 2,
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
        let expected: [&[u8]; 4] = [b"aGZf", b"hmX", b"oZl", b"h\0f\0_\0"];
        assert_eq!(literals(b"hf_"), expected);
        let expected: [&[u8]; 3] = [b"YXBpX29yZ1", b"FwaV9vcmdf", b"hcGlfb3JnX"];
        assert_eq!(literals(b"api_org_")[..3], expected);
        assert_eq!(encode(b"hf_abc"), "aGZfYWJj");
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

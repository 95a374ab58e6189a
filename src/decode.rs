//! Base64-encoded tokens: Kubernetes secrets, Docker `auth` strings, CI variables pasted
//! encoded.
//!
//! Decoding every base64-looking run would cost a pass over every notebook image. Instead, the
//! matcher's single regex also looks for the characters that a rule's prefix becomes when
//! encoded, at each of the three alignments a byte string can have in base64 (`hf_` becomes
//! `aGZf`, `?hmX?` or `??oZl?`). Only around such a hit is a short window decoded and run
//! through the ordinary matcher, so an encoded token gets the same boundary and placeholder
//! checks as a plain one.

/// A literal that marks a possibly encoded prefix.
#[derive(Debug, Clone)]
pub struct EncodedPrefix {
    /// The base64 characters fully determined by the prefix at this alignment.
    pub literal: String,
    /// How many base64 characters of the prefix's first group come before `literal`.
    chars_before: usize,
}

impl EncodedPrefix {
    /// Where the prefix starts in the bytes decoded from `encoded_start`, given a hit of the
    /// literal at `at`.
    pub fn decoded_start(&self, at: usize, encoded_start: usize) -> usize {
        let group_start = at - self.chars_before;
        (group_start - encoded_start) / 4 * 3 + self.alignment()
    }

    /// Bytes before the prefix in its base64 group.
    fn alignment(&self) -> usize {
        // chars_before is 0, 2 or 3 for alignments 0, 1 and 2.
        match self.chars_before {
            0 => 0,
            2 => 1,
            _ => 2,
        }
    }
}

/// Base64 characters decoded around a hit: enough for the longest token, its context, and the
/// group before it.
pub const ENCODED_WINDOW: usize = 4 * (crate::rules::MAX_TOKEN_LEN / 3 + 4);

/// The three encoded forms of `prefix` (none if it is too short to be distinctive).
pub fn encoded_prefixes(prefix: &[u8]) -> Vec<EncodedPrefix> {
    if prefix.len() < 3 {
        return Vec::new();
    }
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
                literal: encoded[first..last].to_string(),
                chars_before: first,
            }
        })
        .collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn encode(bytes: &[u8]) -> String {
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

/// The 6-bit value of a base64 character, standard or URL-safe alphabet.
fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// A decoded window: the bytes, and where in the haystack the encoded window starts.
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub encoded_start: usize,
}

impl Decoded {
    /// The haystack offset of the character that encodes decoded byte `index`.
    pub fn encoded_offset(&self, index: usize) -> usize {
        self.encoded_start + index * 4 / 3
    }
}

/// Decodes the window around a hit of `prefix` at `at` in `haystack`, starting one group
/// early when that group is base64 too, so the byte before the token can be checked.
pub fn decode_around(haystack: &[u8], at: usize, prefix: &EncodedPrefix) -> Option<Decoded> {
    let group_start = at.checked_sub(prefix.chars_before)?;
    if !haystack[group_start..at]
        .iter()
        .all(|&b| sextet(b).is_some())
    {
        return None;
    }
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
    let end = (start + ENCODED_WINDOW).min(haystack.len());
    let mut bytes = Vec::with_capacity(ENCODED_WINDOW * 3 / 4);
    let mut bits: u32 = 0;
    let mut count = 0;
    for &byte in &haystack[start..end] {
        let Some(value) = sextet(byte) else { break };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
        }
    }
    Some(Decoded {
        bytes,
        encoded_start: start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_prefixes_match_a_real_encoder() {
        let literals: Vec<String> = encoded_prefixes(b"hf_")
            .into_iter()
            .map(|p| p.literal)
            .collect();
        assert_eq!(literals, ["aGZf", "hmX", "oZl"]);
        let org: Vec<String> = encoded_prefixes(b"api_org_")
            .into_iter()
            .map(|p| p.literal)
            .collect();
        assert_eq!(org, ["YXBpX29yZ1", "FwaV9vcmdf", "hcGlfb3JnX"]);
        assert_eq!(encode(b"hf_abc"), "aGZfYWJj");
    }

    #[test]
    fn decoding_accepts_both_alphabets_and_stops_at_the_run_end() {
        let text = b"x: aGZfYWJj\n";
        let prefix = &encoded_prefixes(b"hf_")[0];
        let decoded = decode_around(text, 3, prefix).unwrap();
        assert_eq!(decoded.bytes, b"hf_abc");
        assert_eq!(decoded.encoded_start, 3);
        let url_safe = b"Pz8-aGZf";
        let decoded = decode_around(url_safe, 4, prefix).unwrap();
        assert_eq!(decoded.bytes, b"??>hf_");
        assert_eq!(decoded.encoded_offset(3), 4);
    }
}

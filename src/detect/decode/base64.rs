//! Base64, standard and URL-safe alphabets: Kubernetes secrets, Docker `auth` strings, CI
//! variables pasted encoded. A prefix fixes different characters at each of the three
//! alignments a byte string can have (`hf_` is `aGZf`, `?hmX?` or `??oZl?`); a run is decoded
//! from the group before the hit (for the boundary check) to the run's end, and decoded byte
//! `i` sits at encoded offset `start + 4i/3`.

use super::{EncodedPrefix, Encoding, Run};

/// The literals `prefix` becomes at each alignment.
pub(super) fn prefixes(prefix: &[u8]) -> Vec<EncodedPrefix> {
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

/// Starts one group early when that group is base64 too, so the byte before the token can be
/// checked.
pub(super) fn decode_run(
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

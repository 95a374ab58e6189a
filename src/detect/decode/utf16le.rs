//! UTF-16LE found inside other content: files written by Windows PowerShell 5's `Out-File`
//! and `reg export` embedded in archives or logs (a whole UTF-16 file is transcoded by the
//! content layer instead). A prefix is its bytes each followed by a zero; a run is the ASCII
//! units around the hit, and decoded byte `i` sits at encoded offset `start + 2i`.

use super::{EncodedPrefix, Encoding, Run, CONTEXT_CHARS};

/// The literal `prefix` becomes.
pub(super) fn prefix(prefix: &[u8]) -> EncodedPrefix {
    EncodedPrefix {
        literal: prefix.iter().flat_map(|&b| [b, 0]).collect(),
        encoding: Encoding::Utf16Le,
        chars_before: 0,
    }
}

/// ASCII characters stored as UTF-16LE (`c`, 0), a few before the hit and all after it until
/// anything else.
pub(super) fn decode_run(haystack: &[u8], at: usize, out: &mut Vec<u8>) -> Run {
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

//! UTF-16LE found inside other content: files written by Windows PowerShell 5's `Out-File`
//! and `reg export` embedded in archives or logs (a whole UTF-16 file is transcoded by the
//! content layer instead). A prefix is its bytes each followed by a zero; a run is the ASCII
//! units around the hit, and decoded byte `i` sits at encoded offset `start + 2i`.

use super::{ascii_units_run, EncodedPrefix, Encoding, Run};

/// The literal `prefix` becomes.
pub(super) fn prefix(prefix: &[u8]) -> EncodedPrefix {
    EncodedPrefix {
        literal: prefix.iter().flat_map(|&b| [b, 0]).collect(),
        encoding: Encoding::Utf16Le,
        chars_before: 0,
    }
}

/// ASCII characters stored as UTF-16LE (`c`, 0), a few before the hit and all after it
/// until anything else.
pub(super) fn decode_run(haystack: &[u8], at: usize, out: &mut Vec<u8>) -> Run {
    ascii_units_run(haystack, at, 2, Encoding::Utf16Le, out)
}

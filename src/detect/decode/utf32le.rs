//! UTF-32 found inside other content: numpy's `U` arrays (`.npy`, `.npz` members) keep every
//! string as UTF-32LE code points padded with zeros, and UTF-32 text files exist. A prefix is
//! its bytes each followed by three zeros; a run is the ASCII code points around the hit, and
//! decoded byte `i` sits at encoded offset `start + 4i`. UTF-32BE text is the same bytes one
//! to three places on, so it is found too.

use super::{ascii_units_run, EncodedPrefix, Encoding, Run};

/// The literal `prefix` becomes.
pub(super) fn prefix(prefix: &[u8]) -> EncodedPrefix {
    EncodedPrefix {
        literal: prefix.iter().flat_map(|&b| [b, 0, 0, 0]).collect(),
        encoding: Encoding::Utf32Le,
        chars_before: 0,
    }
}

/// ASCII characters stored as UTF-32LE (`c`, 0, 0, 0), a few before the hit and all after it
/// until anything else (a zero code point pads a numpy string: the value ends there).
pub(super) fn decode_run(haystack: &[u8], at: usize, out: &mut Vec<u8>) -> Run {
    ascii_units_run(haystack, at, 4, Encoding::Utf32Le, out)
}

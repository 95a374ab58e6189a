//! numpy's `.npy` arrays (and the members of `.npz` archives, which are `.npy` files in a zip):
//! the header declares the dtype, so each value is scanned within the bounds the format gives
//! it, like a pickle string: `U` (UTF-32 code points) and `S` (bytes) values are `itemsize`
//! wide, zero-padded, and back to back, so a value that is exactly a token is found even when
//! the next value starts with a letter, and a longer value that merely starts with `hf_` is not
//! reported. Object arrays are a pickle after the header; any other dtype (numbers, structured
//! records) is scanned as raw bytes.

use std::io::{self, Cursor, Read};

use super::{read_up_to, ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The most of a header read: numpy writes a few hundred bytes.
const MAX_HEADER: u64 = 64 << 10;
/// The widest value read into memory (a `U` value is four bytes a character); wider ones are
/// scanned as raw bytes.
const MAX_ITEM: usize = 1 << 20;

pub fn is_npy(head: &[u8]) -> bool {
    head.len() >= 10 && head.starts_with(b"\x93NUMPY") && (1..=3).contains(&head[6])
}

/// What the header's `descr` says about each value.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Values {
    /// UTF-32 code points, `n` to a value.
    Unicode { chars: usize, big_endian: bool },
    /// `n` bytes to a value.
    Bytes(usize),
    /// Python objects: a pickle follows.
    Objects,
    /// Numbers or records: nothing framed.
    Other,
}

fn values_of(header: &str) -> Values {
    let Some(at) = header.find("'descr':") else {
        return Values::Other;
    };
    let rest = header[at + 8..].trim_start();
    let Some(rest) = rest.strip_prefix('\'') else {
        // A list: a structured dtype.
        return Values::Other;
    };
    let Some(descr) = rest.split('\'').next() else {
        return Values::Other;
    };
    values_of_descr(descr)
}

/// The bytes one value of a simple dtype takes (`<U40`: 160, `i8`: 8, `?`: 1); `None` for
/// objects, records and anything else whose values have no fixed width here.
pub(super) fn item_size(descr: &str) -> Option<u64> {
    let descr = descr.trim_start_matches(['<', '>', '|', '=']);
    if descr == "?" {
        return Some(1);
    }
    let kind = descr.chars().next()?;
    let digits: String = descr[1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let width: u64 = digits.parse().ok().filter(|&w| w > 0)?;
    match kind {
        'U' => width.checked_mul(4),
        'S' | 'a' | 'V' | 'i' | 'u' | 'f' | 'c' | 'b' | 'M' | 'm' => Some(width),
        _ => None,
    }
}

/// What a dtype string (`<U40`, `|S8`, `O`, `U37`) says about each value.
pub(super) fn values_of_descr(descr: &str) -> Values {
    let (order, kind) = match descr.as_bytes() {
        [order @ (b'<' | b'>' | b'|' | b'='), rest @ ..] => (*order, rest),
        rest => (b'|', rest),
    };
    let width = |digits: &[u8]| {
        std::str::from_utf8(digits)
            .ok()?
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
    };
    match kind {
        [b'U', digits @ ..] => width(digits).map_or(Values::Other, |chars| Values::Unicode {
            chars,
            big_endian: order == b'>',
        }),
        [b'S' | b'a', digits @ ..] => width(digits).map_or(Values::Other, Values::Bytes),
        [b'O'] => Values::Objects,
        _ => Values::Other,
    }
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut fixed = [0u8; 12];
    let major = {
        let read = read_up_to(reader, &mut fixed[..8])?;
        if read < 8 {
            walk.warn(frame, "numpy: truncated header".into());
            return Ok(());
        }
        fixed[6]
    };
    let width = if major == 1 { 2 } else { 4 };
    if read_up_to(reader, &mut fixed[8..8 + width])? < width {
        walk.warn(frame, "numpy: truncated header".into());
        return Ok(());
    }
    let length = if major == 1 {
        u64::from(u16::from_le_bytes([fixed[8], fixed[9]]))
    } else {
        u64::from(u32::from_le_bytes([
            fixed[8], fixed[9], fixed[10], fixed[11],
        ]))
    };
    let mut position = 8 + width as u64;
    if length > MAX_HEADER {
        walk.warn(
            frame,
            format!("numpy: a header of {length} bytes; the file is scanned as raw bytes"),
        );
        return scanner.plain(reader, frame, position, walk);
    }
    let mut header = Vec::new();
    reader.take(length).read_to_end(&mut header)?;
    position += header.len() as u64;
    let values = values_of(&String::from_utf8_lossy(&header));
    scan_values(scanner, reader, &values, position, frame, walk)
}

/// The values of an array's data, `position` bytes into the member: each `U` or `S` value on
/// its own, object arrays as the pickle they are, anything else as raw bytes. joblib writes
/// numpy arrays this way inside its pickles (`pickle.rs`).
pub(super) fn scan_values(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    values: &Values,
    mut position: u64,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let item = match values {
        Values::Unicode { chars, .. } => chars.checked_mul(4),
        Values::Bytes(width) => Some(*width),
        Values::Objects => return scanner.stream(reader, frame, walk),
        Values::Other => None,
    };
    let Some(item) = item.filter(|&item| item <= MAX_ITEM) else {
        return scanner.plain(reader, frame, position, walk);
    };
    let mut value = vec![0u8; item];
    let mut text = Vec::with_capacity(item);
    loop {
        let read = read_up_to(reader, &mut value)?;
        if read == 0 {
            return Ok(());
        }
        text.clear();
        match values {
            Values::Unicode { big_endian, .. } => {
                for unit in value[..read].chunks_exact(4) {
                    let bytes = unit.try_into().expect("four bytes");
                    let point = if *big_endian {
                        u32::from_be_bytes(bytes)
                    } else {
                        u32::from_le_bytes(bytes)
                    };
                    if point == 0 {
                        break;
                    }
                    text.push(if point < 0x80 { point as u8 } else { b'?' });
                }
            }
            _ => {
                let end = memchr::memchr(0, &value[..read]).unwrap_or(read);
                text.extend_from_slice(&value[..end]);
            }
        }
        if !text.is_empty() {
            scanner.framed_string(
                &mut Cursor::new(&text),
                text.len() as u64,
                position,
                frame,
                Encoding::Numpy,
                walk,
            )?;
        }
        position += read as u64;
        if read < item {
            walk.warn(
                frame,
                "numpy: the data ends inside a value; what was read was scanned".into(),
            );
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descr_decides_how_values_are_bounded() {
        let header =
            |descr: &str| format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (3,), }}");
        assert_eq!(
            values_of(&header("'<U40'")),
            Values::Unicode {
                chars: 40,
                big_endian: false
            }
        );
        assert_eq!(
            values_of(&header("'>U7'")),
            Values::Unicode {
                chars: 7,
                big_endian: true
            }
        );
        assert_eq!(values_of(&header("'|S37'")), Values::Bytes(37));
        assert_eq!(values_of(&header("'|O'")), Values::Objects);
        assert_eq!(values_of(&header("'<f4'")), Values::Other);
        assert_eq!(values_of(&header("[('a', '<U4')]")), Values::Other);
        assert_eq!(values_of(&header("'<U0'")), Values::Other);
    }
}

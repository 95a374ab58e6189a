//! TensorBoard event files (`events.out.tfevents.*`) and other TFRecord files: records framed
//! by a length and two masked CRC-32Cs, each record a protobuf (`Event`). A text summary keeps
//! its words in a protobuf string, and the byte after a string is the next field's tag, often
//! a letter; so each length-delimited field is scanned on its own, bounded by its length, and
//! walked as a nested message when it parses as one. A token among other words in a text
//! summary is then found like in any text.

use std::io::{self, Cursor, Read};

use super::{read_up_to, ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The largest record read into memory; a larger one is scanned as raw bytes.
const MAX_RECORD: u64 = 64 << 20;
/// Nested messages walked, at most.
const MAX_DEPTH: usize = 16;

/// CRC-32C (Castagnoli), as TFRecord frames use it.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// A TFRecord stream: its first length's masked CRC-32C adds up.
pub fn is_tfrecord(head: &[u8]) -> bool {
    head.len() >= 12
        && masked(crc32c(&head[..8])) == u32::from_le_bytes(head[8..12].try_into().expect("4"))
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut position: u64 = 0;
    let mut record = Vec::new();
    loop {
        let mut header = [0u8; 12];
        let read = read_up_to(reader, &mut header)?;
        if read == 0 {
            return Ok(());
        }
        let length = u64::from_le_bytes(header[..8].try_into().expect("8"));
        let framed = read == 12
            && masked(crc32c(&header[..8]))
                == u32::from_le_bytes(header[8..].try_into().expect("4"));
        if !framed || length > MAX_RECORD {
            if framed {
                walk.warn(
                    frame,
                    format!(
                        "tfrecord: a record of {length} bytes; the rest is scanned as raw bytes"
                    ),
                );
            } else {
                walk.warn(
                    frame,
                    format!(
                        "tfrecord: the frame at byte {position} does not add up; the rest is \
                         scanned as raw bytes"
                    ),
                );
            }
            let mut rest = Cursor::new(header[..read].to_vec()).chain(reader);
            return scanner.plain(&mut rest, frame, position, walk);
        }
        position += 12;
        record.clear();
        reader.take(length).read_to_end(&mut record)?;
        let mut crc = [0u8; 4];
        let complete = record.len() as u64 == length && read_up_to(reader, &mut crc)? == 4;
        message(scanner, &record, position, 0, frame, walk)?;
        if !complete {
            walk.warn(
                frame,
                "tfrecord: the file ends inside a record; what was read was scanned".into(),
            );
            return Ok(());
        }
        position += length + 4;
    }
}

/// A protobuf message's length-delimited fields, each scanned on its own and walked when it
/// parses as a message; bytes that are no message are scanned whole, as raw bytes.
fn message(
    scanner: &mut ContentScanner,
    bytes: &[u8],
    position: u64,
    depth: usize,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let Some(fields) = length_delimited_fields(bytes) else {
        if depth == 0 {
            scanner.plain(&mut Cursor::new(bytes), frame, position, walk)?;
        }
        return Ok(());
    };
    for (start, end) in fields {
        let field = &bytes[start..end];
        let at = position + start as u64;
        scanner.framed_string(
            &mut Cursor::new(field),
            field.len() as u64,
            at,
            frame,
            Encoding::Protobuf,
            walk,
        )?;
        if depth < MAX_DEPTH {
            message(scanner, field, at, depth + 1, frame, walk)?;
        }
    }
    Ok(())
}

/// Where each length-delimited field of a message lies, if `bytes` parse as a message whole.
fn length_delimited_fields(bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut fields = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (key, used) = varint(&bytes[at..])?;
        at += used;
        if key >> 3 == 0 {
            return None;
        }
        match key & 7 {
            0 => at += varint(&bytes[at..])?.1,
            1 => at += 8,
            5 => at += 4,
            2 => {
                let (length, used) = varint(&bytes[at..])?;
                at += used;
                let end = at.checked_add(usize::try_from(length).ok()?)?;
                if end > bytes.len() {
                    return None;
                }
                fields.push((at, end));
                at = end;
            }
            _ => return None,
        }
        if at > bytes.len() {
            return None;
        }
    }
    Some(fields)
}

fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (index, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_is_castagnoli() {
        // The check value of CRC-32C.
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn a_message_yields_its_length_delimited_fields() {
        // Field 1 varint 150, field 2 string "hi", field 3 fixed32.
        let message = [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 2, 3, 4];
        assert_eq!(length_delimited_fields(&message), Some(vec![(5, 7)]));
        assert_eq!(length_delimited_fields(b"plain text"), None);
    }
}

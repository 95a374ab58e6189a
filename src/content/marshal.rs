//! Compiled Python (`.pyc`): a 16-byte header, then one `marshal` object, the module's code.
//!
//! A string constant in a code object is stored with its length before it (`z` + 1 byte, `a`
//! or `u` + 4 bytes) and the next object's type byte after it, often a letter, so a token in
//! a `.pyc` is glued to the format as in a pickle. This reader walks the object tree and scans
//! each string by its declared length. Code objects differ by Python version (the header's
//! magic number says which): 3.7, 3.8 to 3.10, and 3.11 on are known. Nesting is bounded; an
//! unknown type byte ends the walk and the rest is scanned as raw bytes.

use std::io::{self, BufReader, Read};

use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The `.pyc` header since Python 3.7: magic, flags, and a date and size or a hash.
const HEADER_LEN: u64 = 16;
/// Objects nest this deep at most (tuples of code objects of tuples…); CPython's own limit is
/// 2000, real modules stay far below a hundred.
const MAX_NESTING: usize = 256;
/// The `FLAG_REF` bit: the object is also stored in the reference table.
const FLAG_REF: u8 = 0x80;

/// What follows a code object's type byte, by Python version.
#[derive(Debug, Clone, Copy)]
struct CodeLayout {
    /// 4-byte ints before the first object (argcount, …, flags).
    leading_ints: usize,
    /// Objects between them and `firstlineno` (code, consts, names, …, name, qualname).
    objects: usize,
    /// Objects after `firstlineno` (line table, exception table).
    trailing_objects: usize,
}

/// The code layout for a `.pyc` magic number (CPython's `MAGIC_NUMBER`, little-endian).
fn layout_for(magic: u16) -> Option<CodeLayout> {
    match magic {
        // 3.7: argcount, kwonlyargcount, nlocals, stacksize, flags.
        3390..=3399 => Some(CodeLayout {
            leading_ints: 5,
            objects: 8,
            trailing_objects: 1,
        }),
        // 3.8 to 3.10: posonlyargcount added.
        3400..=3449 => Some(CodeLayout {
            leading_ints: 6,
            objects: 8,
            trailing_objects: 1,
        }),
        // 3.11 on: nlocals gone; localsplus names and kinds, qualname, exception table.
        3450..=3999 => Some(CodeLayout {
            leading_ints: 5,
            objects: 8,
            trailing_objects: 2,
        }),
        _ => None,
    }
}

/// A `.pyc` of a Python 3 version this reader knows, holding a code object.
pub fn is_pyc(head: &[u8]) -> bool {
    head.len() > HEADER_LEN as usize
        && head[2..4] == *b"\r\n"
        && layout_for(u16::from_le_bytes([head[0], head[1]])).is_some()
        && head[HEADER_LEN as usize] & !FLAG_REF == b'c'
}

/// Why the walk ended before the object tree did.
enum Ended {
    /// The stream ended inside an object.
    Truncated,
    /// A byte that is no marshal type: at this offset, raw bytes from here.
    Unknown(u64, u8),
    /// Nested deeper than `MAX_NESTING`.
    TooDeep,
}

struct Reader<'s, 'm, R> {
    input: BufReader<R>,
    position: u64,
    layout: CodeLayout,
    scanner: &'s mut ContentScanner<'m>,
    frame: &'s Frame,
    walk: &'s mut Walk,
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut header = [0u8; HEADER_LEN as usize];
    reader.read_exact(&mut header)?;
    let Some(layout) = layout_for(u16::from_le_bytes([header[0], header[1]])) else {
        return scanner.plain(reader, frame, HEADER_LEN, walk);
    };
    let mut marshal = Reader {
        input: BufReader::new(reader),
        position: HEADER_LEN,
        layout,
        scanner,
        frame,
        walk,
    };
    match marshal.object(0)? {
        Ok(()) => {
            // Anything after the module's code is not marshal; scan it as it is.
            let from = marshal.position;
            marshal
                .scanner
                .plain(&mut marshal.input, frame, from, marshal.walk)
        }
        Err(Ended::Truncated) => {
            let at = marshal.position;
            marshal.walk.warn(
                frame,
                format!("marshal: truncated at byte {at}; what was read before it was scanned"),
            );
            Ok(())
        }
        Err(Ended::Unknown(at, byte)) => {
            let first = [byte];
            let mut rest = first.as_slice().chain(&mut marshal.input);
            marshal.scanner.plain(&mut rest, frame, at, marshal.walk)
        }
        Err(Ended::TooDeep) => {
            marshal.walk.warn(
                frame,
                format!(
                    "marshal: objects nested deeper than {MAX_NESTING}; the rest is scanned as \
                     raw bytes"
                ),
            );
            let from = marshal.position;
            marshal
                .scanner
                .plain(&mut marshal.input, frame, from, marshal.walk)
        }
    }
}

type Step = io::Result<Result<(), Ended>>;

impl<R: Read> Reader<'_, '_, R> {
    fn exact<const N: usize>(&mut self) -> io::Result<Option<[u8; N]>> {
        let mut bytes = [0u8; N];
        match self.input.read_exact(&mut bytes) {
            Ok(()) => {
                self.position += N as u64;
                Ok(Some(bytes))
            }
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn skip(&mut self, count: u64) -> Step {
        let skipped = io::copy(&mut (&mut self.input).take(count), &mut io::sink())?;
        self.position += skipped;
        Ok(if skipped == count {
            Ok(())
        } else {
            Err(Ended::Truncated)
        })
    }

    /// A 4-byte length; negative lengths do not exist.
    fn length(&mut self) -> io::Result<Result<u64, Ended>> {
        Ok(match self.exact::<4>()? {
            Some(bytes) => match i32::from_le_bytes(bytes) {
                length if length >= 0 => Ok(length as u64),
                _ => Err(Ended::Unknown(self.position - 4, bytes[0])),
            },
            None => Err(Ended::Truncated),
        })
    }

    fn string(&mut self, length: u64) -> Step {
        let start = self.position;
        let complete = self.scanner.framed_string(
            &mut self.input,
            length,
            start,
            self.frame,
            Encoding::Marshal,
            self.walk,
        )?;
        self.position = start.saturating_add(length);
        Ok(if complete {
            Ok(())
        } else {
            Err(Ended::Truncated)
        })
    }

    fn objects(&mut self, count: u64, depth: usize) -> Step {
        for _ in 0..count {
            if let Err(ended) = self.object(depth)? {
                return Ok(Err(ended));
            }
        }
        Ok(Ok(()))
    }

    fn object(&mut self, depth: usize) -> Step {
        if depth > MAX_NESTING {
            return Ok(Err(Ended::TooDeep));
        }
        let at = self.position;
        let Some([byte]) = self.exact::<1>()? else {
            return Ok(Err(Ended::Truncated));
        };
        macro_rules! take {
            ($step:expr) => {
                match $step {
                    Ok(value) => value,
                    Err(ended) => return Ok(Err(ended)),
                }
            };
        }
        match byte & !FLAG_REF {
            b'0' | b'N' | b'F' | b'T' | b'S' | b'.' => Ok(Ok(())),
            b'i' | b'r' => self.skip(4),
            b'I' | b'g' => self.skip(8),
            b'y' => self.skip(16),
            b'f' | b'x' => {
                let parts = if byte & !FLAG_REF == b'x' { 2 } else { 1 };
                for _ in 0..parts {
                    let Some([length]) = self.exact::<1>()? else {
                        return Ok(Err(Ended::Truncated));
                    };
                    take!(self.skip(u64::from(length))?);
                }
                Ok(Ok(()))
            }
            b'l' => {
                let Some(bytes) = self.exact::<4>()? else {
                    return Ok(Err(Ended::Truncated));
                };
                let digits = u64::from(i32::from_le_bytes(bytes).unsigned_abs());
                self.skip(digits * 2)
            }
            b's' | b't' | b'u' | b'a' | b'A' => {
                let length = take!(self.length()?);
                self.string(length)
            }
            b'z' | b'Z' => {
                let Some([length]) = self.exact::<1>()? else {
                    return Ok(Err(Ended::Truncated));
                };
                self.string(u64::from(length))
            }
            b'(' | b'[' | b'<' | b'>' => {
                let count = take!(self.length()?);
                self.objects(count, depth + 1)
            }
            b')' => {
                let Some([count]) = self.exact::<1>()? else {
                    return Ok(Err(Ended::Truncated));
                };
                self.objects(u64::from(count), depth + 1)
            }
            b'{' => loop {
                // Key and value pairs until a NULL key.
                if self.input.fill_buf_first()? == Some(b'0') {
                    return self.skip(1);
                }
                take!(self.objects(2, depth + 1)?);
            },
            b'c' => {
                let layout = self.layout;
                take!(self.skip(4 * layout.leading_ints as u64)?);
                take!(self.objects(layout.objects as u64, depth + 1)?);
                take!(self.skip(4)?);
                self.objects(layout.trailing_objects as u64, depth + 1)
            }
            _ => Ok(Err(Ended::Unknown(at, byte))),
        }
    }
}

/// The next byte of a buffered reader, not consumed.
trait PeekByte {
    fn fill_buf_first(&mut self) -> io::Result<Option<u8>>;
}

impl<R: Read> PeekByte for BufReader<R> {
    fn fill_buf_first(&mut self) -> io::Result<Option<u8>> {
        use std::io::BufRead;
        Ok(self.fill_buf()?.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fake_body, fake_token, Rng};

    /// A Python 3.11 `.pyc` whose module code has one constant, `constant` (already marshalled).
    fn pyc_with(constant: &[u8]) -> Vec<u8> {
        let mut pyc = vec![0xa7, 0x0d, b'\r', b'\n'];
        pyc.extend_from_slice(&[0; 12]);
        pyc.push(b'c' | FLAG_REF);
        pyc.extend_from_slice(&[0; 20]); // argcount … flags
        pyc.extend_from_slice(b"s\x02\x00\x00\x00d\x00"); // code
        pyc.extend_from_slice(b")\x01"); // consts: a tuple of one
        pyc.extend_from_slice(constant);
        pyc.extend_from_slice(b")\x00)\x00s\x00\x00\x00\x00"); // names, localsplus names, kinds
        for text in [&b"m.py"[..], b"<module>", b"<module>"] {
            pyc.extend_from_slice(&[b'z', text.len() as u8]);
            pyc.extend_from_slice(text);
        }
        pyc.extend_from_slice(&[1, 0, 0, 0]); // firstlineno
        pyc.extend_from_slice(b"s\x00\x00\x00\x00s\x00\x00\x00\x00"); // line and exception tables
        pyc
    }

    fn found(pyc: &[u8]) -> Vec<(String, u64)> {
        crate::content::tokens_found_by(pyc, Encoding::Marshal)
    }

    #[test]
    fn string_constants_are_read_by_their_declared_length_in_every_shape() {
        let mut rng = Rng::new(83);
        for _ in 0..20 {
            for type_byte in [b'z', b'a', b'u', b's', b't'] {
                let short = type_byte == b'z';
                let token = fake_token(&mut rng);
                let header = |length: usize| -> Vec<u8> {
                    let mut bytes = vec![type_byte | FLAG_REF];
                    if short {
                        bytes.push(length as u8);
                    } else {
                        bytes.extend_from_slice(&(length as u32).to_le_bytes());
                    }
                    bytes
                };
                let mut constant = header(token.len());
                let at = constant.len();
                constant.extend_from_slice(token.as_bytes());
                let pyc = pyc_with(&constant);
                let offset = (pyc.windows(3).position(|w| w == b"hf_").unwrap()) as u64;
                assert_eq!(found(&pyc), [(token.clone(), offset)], "{type_byte}");
                assert_eq!(offset as usize, 17 + 20 + 7 + 2 + at);
                // A longer constant that merely starts with the token is no token.
                let longer = format!("{token}{}", &fake_body(&mut rng)[..3]);
                let mut constant = header(longer.len());
                constant.extend_from_slice(longer.as_bytes());
                assert_eq!(found(&pyc_with(&constant)), [], "{type_byte}");
            }
        }
    }

    #[test]
    fn pyc_headers_of_known_versions_are_recognised() {
        let mut pyc = vec![0u8; 17];
        pyc[..4].copy_from_slice(&[0xa7, 0x0d, b'\r', b'\n']); // 3.11: 3495
        pyc[16] = 0xe3; // 'c' | FLAG_REF
        assert!(is_pyc(&pyc));
        pyc[0..2].copy_from_slice(&3000u16.to_le_bytes());
        assert!(!is_pyc(&pyc), "an unknown magic");
        pyc[0..2].copy_from_slice(&3413u16.to_le_bytes());
        pyc[16] = b'z';
        assert!(!is_pyc(&pyc), "not a code object");
    }
}

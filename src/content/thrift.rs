//! Thrift's compact protocol, as Parquet writes its page headers, indexes and footer: a reader
//! of one struct that keeps its integer and nested-struct fields for the caller and records
//! where every binary field (a string or bytes: column names, key-value metadata, statistics'
//! minimum and maximum) lies, so each is scanned on its own within its declared length.
//!
//! Nothing here trusts a declared size: a collection may not claim more elements than there
//! are bytes left, nesting is bounded, and running out of bytes is told apart from bytes that
//! are not Thrift (a streaming caller reads more on the first and gives up on the second).

use std::ops::Range;

/// Structs and collections nested deeper than this are not Thrift Parquet writes.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The bytes end inside the struct.
    Truncated,
    /// The bytes are not a compact-protocol struct.
    Malformed,
}

/// A struct's fields that a caller may ask for; binaries are in the caller's list instead.
#[derive(Debug, Default)]
pub struct Struct {
    fields: Vec<(i16, Field)>,
}

#[derive(Debug)]
enum Field {
    Int(i64),
    Bool(bool),
    Struct(Struct),
    /// Binaries, doubles and collections: walked, not kept.
    Other,
}

impl Struct {
    /// An integer field (i8, i16, i32 or i64).
    pub fn int(&self, id: i16) -> Option<i64> {
        self.fields.iter().find_map(|(field, value)| match value {
            Field::Int(n) if *field == id => Some(*n),
            _ => None,
        })
    }

    pub fn bool(&self, id: i16) -> Option<bool> {
        self.fields.iter().find_map(|(field, value)| match value {
            Field::Bool(b) if *field == id => Some(*b),
            _ => None,
        })
    }

    pub fn child(&self, id: i16) -> Option<&Struct> {
        self.fields.iter().find_map(|(field, value)| match value {
            Field::Struct(s) if *field == id => Some(s),
            _ => None,
        })
    }
}

/// Reads the struct that starts at `bytes[*at]`, moving `at` past it and adding the range of
/// every binary field in it, at any depth, to `binaries`.
pub fn read_struct(
    bytes: &[u8],
    at: &mut usize,
    binaries: &mut Vec<Range<usize>>,
) -> Result<Struct, Error> {
    let mut reader = Reader { bytes, at: *at };
    let value = reader.struct_fields(0, binaries)?;
    *at = reader.at;
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

const STOP: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;
const UUID: u8 = 13;

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, Error> {
        let byte = *self.bytes.get(self.at).ok_or(Error::Truncated)?;
        self.at += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = self.byte()?;
            if shift == 63 && byte > 1 {
                return Err(Error::Malformed);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::Malformed)
    }

    fn zigzag(&mut self) -> Result<i64, Error> {
        let raw = self.varint()?;
        Ok((raw >> 1) as i64 ^ -((raw & 1) as i64))
    }

    fn skip(&mut self, count: usize) -> Result<(), Error> {
        if self.bytes.len() - self.at < count {
            return Err(Error::Truncated);
        }
        self.at += count;
        Ok(())
    }

    /// A collection's claimed element count, which each element's byte bounds.
    fn count(&mut self, claimed: u64) -> Result<usize, Error> {
        let left = (self.bytes.len() - self.at) as u64;
        if claimed > left {
            // The bytes may yet come, but not that many of them: a page header or footer
            // that claims more elements than there are bytes is read to its end first.
            return if claimed > 1 << 28 {
                Err(Error::Malformed)
            } else {
                Err(Error::Truncated)
            };
        }
        Ok(claimed as usize)
    }

    fn struct_fields(
        &mut self,
        depth: usize,
        binaries: &mut Vec<Range<usize>>,
    ) -> Result<Struct, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::Malformed);
        }
        let mut fields = Struct::default();
        let mut last_id: i16 = 0;
        loop {
            let header = self.byte()?;
            let kind = header & 0x0f;
            if kind == STOP {
                if header != 0 {
                    return Err(Error::Malformed);
                }
                return Ok(fields);
            }
            let id = match header >> 4 {
                0 => i16::try_from(self.zigzag()?).map_err(|_| Error::Malformed)?,
                delta => last_id
                    .checked_add(i16::from(delta))
                    .ok_or(Error::Malformed)?,
            };
            last_id = id;
            let value = match kind {
                TRUE => Field::Bool(true),
                FALSE => Field::Bool(false),
                STRUCT => Field::Struct(self.struct_fields(depth + 1, binaries)?),
                _ => self.value(kind, depth, binaries)?,
            };
            fields.fields.push((id, value));
        }
    }

    /// A value of `kind` that is not a struct field's boolean (those live in the header).
    fn value(
        &mut self,
        kind: u8,
        depth: usize,
        binaries: &mut Vec<Range<usize>>,
    ) -> Result<Field, Error> {
        Ok(match kind {
            // In a collection, a boolean is a byte of its own.
            TRUE | FALSE => Field::Bool(self.byte()? == TRUE),
            BYTE => Field::Int(i64::from(self.byte()? as i8)),
            I16 | I32 | I64 => Field::Int(self.zigzag()?),
            DOUBLE => {
                self.skip(8)?;
                Field::Other
            }
            UUID => {
                self.skip(16)?;
                Field::Other
            }
            BINARY => {
                let length = self.varint()?;
                let length = usize::try_from(length).map_err(|_| Error::Malformed)?;
                let start = self.at;
                self.skip(length)?;
                binaries.push(start..self.at);
                Field::Other
            }
            STRUCT => Field::Struct(self.struct_fields(depth + 1, binaries)?),
            LIST | SET => {
                let header = self.byte()?;
                let element = header & 0x0f;
                let claimed = match header >> 4 {
                    15 => self.varint()?,
                    size => u64::from(size),
                };
                let count = self.count(claimed)?;
                for _ in 0..count {
                    self.element(element, depth, binaries)?;
                }
                Field::Other
            }
            MAP => {
                let claimed = self.varint()?;
                let count = self.count(claimed)?;
                if count > 0 {
                    let types = self.byte()?;
                    for _ in 0..count {
                        self.element(types >> 4, depth, binaries)?;
                        self.element(types & 0x0f, depth, binaries)?;
                    }
                }
                Field::Other
            }
            _ => return Err(Error::Malformed),
        })
    }

    fn element(
        &mut self,
        kind: u8,
        depth: usize,
        binaries: &mut Vec<Range<usize>>,
    ) -> Result<(), Error> {
        if depth + 1 > MAX_DEPTH {
            return Err(Error::Malformed);
        }
        self.value(kind, depth + 1, binaries).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_struct_keeps_its_ints_and_nested_structs_and_finds_its_binaries() {
        // {1: i32 3, 2: i32 -2, 5: {1: binary "abc", 3: bool true}, 6: list<binary> ["xy"]}
        let bytes = [
            0x15, 0x06, // field 1, i32, zigzag 3
            0x15, 0x03, // field 2, i32, zigzag -2
            0x3c, // field 5, struct
            0x18, 0x03, b'a', b'b', b'c', // field 1, binary "abc"
            0x21, // field 3, bool true
            0x00, // end of nested
            0x19, 0x18, 0x02, b'x', b'y', // field 6, list of one binary
            0x00,
        ];
        let mut at = 0;
        let mut binaries = Vec::new();
        let value = read_struct(&bytes, &mut at, &mut binaries).expect("parses");
        assert_eq!(at, bytes.len());
        assert_eq!(value.int(1), Some(3));
        assert_eq!(value.int(2), Some(-2));
        let nested = value.child(5).expect("nested struct");
        assert_eq!(nested.bool(3), Some(true));
        assert_eq!(binaries, vec![7..10, 15..17]);
    }

    #[test]
    fn running_out_is_told_apart_from_bytes_that_are_not_thrift() {
        let mut binaries = Vec::new();
        assert_eq!(
            read_struct(&[0x15, 0x06, 0x18, 0x09, b'a'], &mut 0, &mut binaries).unwrap_err(),
            Error::Truncated
        );
        assert_eq!(
            read_struct(&[0x1f, 0x00], &mut 0, &mut binaries).unwrap_err(),
            Error::Malformed
        );
        // A list that claims a billion elements in three bytes.
        assert_eq!(
            read_struct(
                &[0x19, 0xf8, 0x80, 0x80, 0x80, 0x80, 0x04],
                &mut 0,
                &mut binaries
            )
            .unwrap_err(),
            Error::Malformed
        );
        // Nesting without end.
        let deep = vec![0x1c; 200];
        assert_eq!(
            read_struct(&deep, &mut 0, &mut binaries).unwrap_err(),
            Error::Malformed
        );
    }
}

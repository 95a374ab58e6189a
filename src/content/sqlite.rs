//! SQLite databases (web UIs, MLflow, experiment trackers keep settings and tokens in them),
//! read page by page by hf-scan itself: never SQL, never the `sqlite3` library. A text value in
//! a record is glued to its record header's serial-type byte or to the previous column, and a
//! long one is cut at page boundaries into an overflow chain; so every leaf page's cells are
//! parsed, each record's text and blob values scanned on their own with the bounds the record
//! declares (overflow chains reassembled), and what deleted rows leave behind (each page's
//! unallocated space and freeblocks, and pages that are not b-tree pages: the freelist) is
//! scanned as raw bytes.
//!
//! A write-ahead log (`app.db-wal`, where a database in WAL mode keeps its latest writes) is
//! read the same way, frame by frame: each frame is a page.
//!
//! A database is random access: one up to `MAX_HELD` is read into memory; a larger one is
//! scanned as raw bytes with a warning that names it.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// The most of a database held in memory to be read by its pages.
const MAX_HELD: u64 = 256 << 20;
const MAGIC: &[u8] = b"SQLite format 3\0";
/// A write-ahead log's header: magic (either checksum byte order) and format version 3007000.
const WAL_MAGIC: [[u8; 4]; 2] = [[0x37, 0x7f, 0x06, 0x82], [0x37, 0x7f, 0x06, 0x83]];
const WAL_VERSION: [u8; 4] = 3_007_000u32.to_be_bytes();
const WAL_HEADER: usize = 32;
const WAL_FRAME_HEADER: usize = 24;

pub fn is_sqlite(head: &[u8]) -> bool {
    head.starts_with(MAGIC) || is_wal(head)
}

fn is_wal(head: &[u8]) -> bool {
    head.len() >= 8
        && WAL_MAGIC.iter().any(|magic| head[..4] == *magic)
        && head[4..8] == WAL_VERSION
}

/// A varint as SQLite writes it (1 to 9 bytes, big-endian groups of 7 bits, the 9th byte
/// whole); the value and its length.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (index, &byte) in bytes.iter().enumerate().take(9) {
        if index == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

struct Database<'a> {
    /// The pages by number (1-based), each where it lies in the file: a database's pages in
    /// order, or a WAL's frames (the last frame of a page number wins).
    by_number: HashMap<usize, (usize, &'a [u8])>,
    usable: usize,
}

impl Database<'_> {
    fn page(&self, number: usize) -> Option<&[u8]> {
        self.by_number.get(&number).map(|(_, page)| *page)
    }

    /// A cell's payload: its local part, then its overflow chain, `size` bytes in all (fewer
    /// when the chain is broken; then also false). The chain's pages go to `overflow`, and a
    /// page already there ends the chain: in a sound database each overflow page belongs to
    /// one chain, and a crafted one whose cells all share one long chain would otherwise cost
    /// its whole size per cell.
    fn payload(
        &self,
        local: &[u8],
        first_overflow: usize,
        size: usize,
        overflow: &mut HashSet<usize>,
    ) -> (Vec<u8>, bool) {
        let mut payload = local.to_vec();
        let mut next = first_overflow;
        while payload.len() < size {
            let Some(page) = self.page(next).filter(|_| next != 0) else {
                return (payload, false);
            };
            if !overflow.insert(next) {
                return (payload, false);
            }
            let content = &page[4..self.usable.min(page.len())];
            let take = content.len().min(size - payload.len());
            payload.extend_from_slice(&content[..take]);
            next = u32::from_be_bytes(page[..4].try_into().expect("four bytes")) as usize;
        }
        (payload, true)
    }
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut held = Vec::new();
    reader.take(MAX_HELD + 1).read_to_end(&mut held)?;
    if held.len() as u64 > MAX_HELD {
        walk.warn(
            frame,
            format!(
                "sqlite: larger than {}: scanned as raw bytes, its records not read one by one",
                crate::collector::human_bytes(MAX_HELD)
            ),
        );
        let mut rest = io::Cursor::new(held).chain(reader);
        return scanner.plain(&mut rest, frame, 0, walk);
    }
    let wal = is_wal(&held);
    if held.len() < if wal { WAL_HEADER } else { 100 } {
        walk.warn(
            frame,
            "sqlite: shorter than its header; scanned as raw bytes".into(),
        );
        return scanner.plain(&mut io::Cursor::new(&held), frame, 0, walk);
    }
    let (page_size, reserved) = if wal {
        let size = u32::from_be_bytes(held[8..12].try_into().expect("four bytes"));
        (usize::try_from(size).unwrap_or(0), 0)
    } else {
        let size = match u16::from_be_bytes([held[16], held[17]]) {
            1 => 65536,
            size => usize::from(size),
        };
        (size, usize::from(held[20]))
    };
    if !(512..=65536).contains(&page_size)
        || !page_size.is_power_of_two()
        || reserved >= page_size - 480
    {
        walk.warn(
            frame,
            "sqlite: the header's page size is not one; scanned as raw bytes".into(),
        );
        return scanner.plain(&mut io::Cursor::new(&held), frame, 0, walk);
    }
    // Pages in the order they lie in the file: (page number, where it starts).
    let mut order = Vec::new();
    let end = if wal {
        let mut at = WAL_HEADER;
        while at + WAL_FRAME_HEADER + page_size <= held.len() {
            let number = u32::from_be_bytes(held[at..at + 4].try_into().expect("four bytes"));
            order.push((number as usize, at + WAL_FRAME_HEADER));
            at += WAL_FRAME_HEADER + page_size;
        }
        at
    } else {
        let pages = held.len() / page_size;
        order.extend((1..=pages).map(|number| (number, (number - 1) * page_size)));
        pages * page_size
    };
    let database = Database {
        by_number: order
            .iter()
            .map(|&(number, at)| (number, (at, &held[at..at + page_size])))
            .collect(),
        usable: page_size - reserved,
    };
    let mut damaged = Vec::new();
    let mut overflow = HashSet::new();
    let mut raw_pages = Vec::new();
    for &(number, base) in &order {
        let page = &held[base..base + page_size];
        let header_at = if number == 1 { 100 } else { 0 };
        match page[header_at] {
            kind @ (0x0d | 0x0a) => {
                let leaf = Leaf {
                    page,
                    header_at,
                    kind,
                    base,
                };
                if read_leaf(scanner, &database, &leaf, &mut overflow, frame, walk)?.is_err() {
                    damaged.push(number);
                }
            }
            0x05 | 0x02 => {}
            _ => raw_pages.push((number, base)),
        }
    }
    // Freelist and pointer-map pages, pages of dropped tables: raw. Overflow pages were read
    // through their chains.
    for (number, base) in raw_pages {
        if !overflow.contains(&number) {
            let page = &held[base..base + page_size];
            scanner.plain(&mut io::Cursor::new(page), frame, base as u64, walk)?;
            carve_deleted(scanner, page, base, frame, walk)?;
        }
    }
    if end < held.len() {
        scanner.plain(&mut io::Cursor::new(&held[end..]), frame, end as u64, walk)?;
    }
    if !damaged.is_empty() {
        walk.warn(
            frame,
            format!(
                "sqlite: {} damaged page(s), first {}: their cells were scanned as raw bytes",
                damaged.len(),
                damaged[0]
            ),
        );
    }
    Ok(())
}

/// A leaf page (table `0x0d` or index `0x0a`), where its header starts, and where the page
/// starts in the file.
struct Leaf<'a> {
    page: &'a [u8],
    header_at: usize,
    kind: u8,
    base: usize,
}

/// The cells of a leaf page: each record's values scanned on their own; the page's unallocated
/// space and freeblocks as raw bytes. `Err` when a cell or the header does not parse (the page
/// is then scanned as raw bytes).
fn read_leaf(
    scanner: &mut ContentScanner,
    database: &Database,
    leaf: &Leaf,
    overflow: &mut HashSet<usize>,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<Result<(), ()>> {
    let base = leaf.base;
    let Some((values, free)) = leaf_values(database, leaf, overflow) else {
        scanner.plain(&mut io::Cursor::new(leaf.page), frame, base as u64, walk)?;
        return Ok(Err(()));
    };
    for (offset, value) in values {
        scanner.framed_string(
            &mut io::Cursor::new(&value),
            value.len() as u64,
            (base + offset) as u64,
            frame,
            Encoding::Sqlite,
            walk,
        )?;
    }
    for (start, end) in free {
        let region = &leaf.page[start..end];
        if region.iter().any(|&b| b != 0) {
            scanner.plain(
                &mut io::Cursor::new(region),
                frame,
                (base + start) as u64,
                walk,
            )?;
            carve_deleted(scanner, region, base + start, frame, walk)?;
        }
    }
    Ok(Ok(()))
}

/// How far before a value a deleted record's serial types are looked for.
const CARVE_WINDOW: usize = 64;
/// The value lengths carved: every token the rules describe is within them.
const CARVE_LENGTHS: std::ops::RangeInclusive<usize> = 20..=160;

/// What a deleted record leaves in free space (a freeblock, a freelist page): its values,
/// but not the start of its cell, which the freeblock's own header overwrites, and nothing
/// between one value and the next. Where a rule's prefix starts a run of exactly `n` bytes and
/// the serial type of an `n`-byte text (`13 + 2n`, as a varint) lies in the record header just
/// before, those `n` bytes are scanned on their own, as a live value would be.
fn carve_deleted(
    scanner: &mut ContentScanner,
    region: &[u8],
    base: usize,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let matcher = scanner.chunks.matcher();
    if !matcher.may_hold_token(region) {
        return Ok(());
    }
    let mut candidates = Vec::new();
    for rule in matcher.rules().iter() {
        for start in memchr::memmem::find_iter(region, rule.prefix.as_bytes()) {
            let window = &region[start.saturating_sub(CARVE_WINDOW)..start];
            for length in CARVE_LENGTHS.take_while(|length| start + length <= region.len()) {
                let serial = 13 + 2 * length as u64;
                let varint: &[u8] = if serial < 0x80 {
                    &[serial as u8]
                } else {
                    &[0x80 | (serial >> 7) as u8, (serial & 0x7f) as u8]
                };
                if memchr::memmem::find(window, varint).is_some() {
                    candidates.push(start..start + length);
                }
            }
        }
    }
    for value in candidates {
        scanner.framed_string(
            &mut io::Cursor::new(&region[value.clone()]),
            value.len() as u64,
            (base + value.start) as u64,
            frame,
            Encoding::Sqlite,
            walk,
        )?;
    }
    Ok(())
}

/// A text or blob value and where it starts in its page.
type Value = (usize, Vec<u8>);
/// A byte range of a page.
type Region = (usize, usize);

fn leaf_values(
    database: &Database,
    leaf: &Leaf,
    overflow: &mut HashSet<usize>,
) -> Option<(Vec<Value>, Vec<Region>)> {
    let (page, header_at, kind) = (leaf.page, leaf.header_at, leaf.kind);
    let header = page.get(header_at..header_at + 8)?;
    let read_u16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            page.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let first_freeblock = usize::from(u16::from_be_bytes([header[1], header[2]]));
    let cells = usize::from(u16::from_be_bytes([header[3], header[4]]));
    let content_start = match usize::from(u16::from_be_bytes([header[5], header[6]])) {
        0 => 65536,
        start => start,
    };
    let pointers = header_at + 8;
    let usable = database.usable;
    let mut values = Vec::new();
    for index in 0..cells {
        let cell = read_u16(pointers + 2 * index)?;
        let mut at = cell;
        let (size, used) = varint(page.get(at..)?)?;
        at += used;
        if kind == 0x0d {
            let (_, used) = varint(page.get(at..)?)?;
            at += used;
        }
        let size = usize::try_from(size).ok()?;
        // How much of the payload is on this page (SQLite's file format, "Cell Payload
        // Overflow Pages").
        let max_local = if kind == 0x0d {
            usable - 35
        } else {
            (usable - 12) * 64 / 255 - 23
        };
        let local = if size <= max_local {
            size
        } else {
            let min_local = (usable - 12) * 32 / 255 - 23;
            let k = min_local + (size - min_local) % (usable - 4);
            if k <= max_local {
                k
            } else {
                min_local
            }
        };
        let local_bytes = page.get(at..at + local)?;
        let (payload, _complete) = if local < size {
            let next = page.get(at + local..at + local + 4)?;
            let next = u32::from_be_bytes(next.try_into().ok()?) as usize;
            database.payload(local_bytes, next, size, overflow)
        } else {
            (local_bytes.to_vec(), true)
        };
        record_values(&payload, at, &mut values);
    }
    // Unallocated space, between the cell pointers and the cell content, and freeblocks.
    let mut free = Vec::new();
    let pointers_end = pointers + 2 * cells;
    if content_start > pointers_end {
        free.push((pointers_end, content_start.min(page.len())));
    }
    let mut next = first_freeblock;
    let mut hops = 0;
    while next != 0 && hops < page.len() / 4 {
        hops += 1;
        let size = read_u16(next + 2)?;
        free.push((next + 4, (next + size).min(page.len()).max(next + 4)));
        next = read_u16(next)?;
    }
    Some((values, free))
}

/// The text and blob values of a record: its header's serial types say each value's kind and
/// length. `at` is where the record starts in its page (offsets of values past the local part
/// point at its start).
fn record_values(record: &[u8], at: usize, values: &mut Vec<Value>) {
    let Some((header_size, mut used)) = varint(record) else {
        return;
    };
    let header_size = usize::try_from(header_size).unwrap_or(usize::MAX);
    let mut body = header_size;
    while used < header_size.min(record.len()) {
        let Some((serial, length)) = varint(&record[used..]) else {
            return;
        };
        used += length;
        let size = match serial {
            0 | 8 | 9 | 10 | 11 => 0,
            1 => 1,
            2 => 2,
            3 => 3,
            4 => 4,
            5 => 6,
            6 | 7 => 8,
            n => usize::try_from((n - 12) / 2).unwrap_or(usize::MAX),
        };
        if serial >= 12 {
            if let Some(value) = record.get(body..body.saturating_add(size)) {
                if !value.is_empty() {
                    values.push((at + body, value.to_vec()));
                }
            }
        }
        body = body.saturating_add(size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_read_as_sqlite_writes_them() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn a_record_yields_its_text_and_blob_values() {
        // Header: size 4, then serial types: integer (1), text of 3 (19), blob of 2 (16).
        let record = [4, 1, 19, 16, 7, b'a', b'b', b'c', 0xde, 0xad];
        let mut values = Vec::new();
        record_values(&record, 100, &mut values);
        assert_eq!(values, [(105, b"abc".to_vec()), (108, vec![0xde, 0xad])]);
    }

    /// Each overflow page is read for one chain only: a loop ends the chain, and so does a
    /// second cell pointing into a chain already read (a crafted database cannot make every
    /// cell cost the whole file).
    #[test]
    fn an_overflow_page_is_read_for_one_chain_only() {
        let mut looping = vec![0u8; 512];
        looping[..4].copy_from_slice(&2u32.to_be_bytes());
        looping[4..8].copy_from_slice(b"data");
        let database = Database {
            by_number: HashMap::from([(2, (512, looping.as_slice()))]),
            usable: 512,
        };
        let mut overflow = HashSet::new();
        let (first, complete) = database.payload(b"local", 2, 1 << 30, &mut overflow);
        assert!(!complete);
        assert_eq!(first.len(), 5 + 508, "the page once, then the loop ends it");
        let (second, complete) = database.payload(b"again", 2, 1 << 30, &mut overflow);
        assert!(!complete);
        assert_eq!(second, b"again", "a chain already read is not read again");
    }
}

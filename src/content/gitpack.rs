//! A git pack met as content: a repository tarred with its `.git`, a container layer that
//! copied one, a `.pack` in a git blob. (A loose object is a zlib stream, which the zlib layer
//! already opens.)
//!
//! A pack arrives as a stream and its `.idx` perhaps later or not at all, so it is walked
//! entry by entry from its header: each entry inflated (zlib, bounded by its declared size and
//! the inflation limit), offset deltas resolved against the entries before them and ref deltas
//! against objects of the pack by id, with the pack reader's entry-header parser and delta
//! application (`source::git::pack`). Every object is scanned as a member named by its id
//! (`image.tar!app/.git/objects/pack/pack-1.pack!<id>`), which libgit2 computes. Resolved
//! objects are kept for the deltas after them up to `MAX_KEPT` bytes; a delta whose base was
//! not kept, or lies outside the pack (a thin pack), is a warning.

use std::collections::HashMap;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use flate2::{Decompress, FlushDecompress, Status};

use super::lookahead::Lookahead;
use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;
use crate::source::git::pack::{apply_delta, parse_header, Header, Kind};

/// Resolved objects kept as delta bases, in bytes.
const MAX_KEPT: usize = 256 << 20;
/// The largest object inflated into memory; a larger one is scanned as it inflates and kept
/// for no delta.
const MAX_OBJECT: u64 = 64 << 20;

pub fn is_pack(head: &[u8]) -> bool {
    head.len() >= 12
        && head.starts_with(b"PACK")
        && matches!(head[4..8], [0, 0, 0, 2] | [0, 0, 0, 3])
}

fn object_type(kind: Kind) -> git2::ObjectType {
    match kind {
        Kind::Commit => git2::ObjectType::Commit,
        Kind::Tree => git2::ObjectType::Tree,
        Kind::Blob => git2::ObjectType::Blob,
        Kind::Tag => git2::ObjectType::Tag,
    }
}

/// Objects resolved so far: by offset (offset deltas) and by id (ref deltas).
#[derive(Default)]
struct Kept {
    by_offset: HashMap<u64, (Kind, Rc<Vec<u8>>)>,
    offset_of: HashMap<git2::Oid, u64>,
    bytes: usize,
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut input = Lookahead::new(reader);
    input.fill(12)?;
    let count = u32::from_be_bytes(input.available()[8..12].try_into().expect("4 bytes"));
    input.consume(12);
    let mut kept = Kept::default();
    let mut inflater = Decompress::new(true);
    let (mut unresolved, mut not_kept) = (0u64, 0u64);
    let mut object = Vec::new();
    for _ in 0..count {
        if !walk.admit_entry(frame, &scanner.options) || walk.work.is_spent() {
            return Ok(());
        }
        let offset = input.offset;
        input.fill(64)?;
        let (header, size, used) = match parse_header(input.available(), offset) {
            Ok(parsed) => parsed,
            Err(why) => {
                walk.warn(
                    frame,
                    format!("git pack: the entry at offset {offset} is damaged ({why}); the rest was scanned as raw bytes"),
                );
                return scanner.plain(&mut input.rest(), frame, offset, walk);
            }
        };
        input.consume(used);
        let limit = size.min(scanner.options.max_inflated);
        let whole = limit <= MAX_OBJECT && size <= MAX_OBJECT;
        object.clear();
        let inflated = inflate(
            &mut input,
            &mut inflater,
            &mut object,
            whole.then_some(size),
        );
        let complete = match inflated {
            Ok(complete) => complete,
            Err(why) => {
                walk.warn(
                    frame,
                    format!("git pack: the entry at offset {offset} does not inflate ({why}); the rest was scanned as raw bytes"),
                );
                let at = input.offset;
                return scanner.plain(&mut input.rest(), frame, at, walk);
            }
        };
        walk.work.charge(object.len() as u64);
        if !whole || !complete {
            // Too large to hold (or cut short): what was inflated is scanned as it is.
            let name = format!("(object at offset {offset})");
            scanner.member(
                &mut Cursor::new(&object),
                &name,
                Some(Encoding::Zlib),
                frame,
                walk,
            )?;
            if !whole {
                walk.warn(
                    frame,
                    format!(
                        "git pack: the object at offset {offset} is {size} bytes; its first {} \
                         were scanned",
                        crate::collector::human_bytes(object.len() as u64)
                    ),
                );
            }
            if !complete {
                walk.warn(
                    frame,
                    format!("git pack: the file ends inside the entry at offset {offset}"),
                );
                return Ok(());
            }
            continue;
        }
        let base = match &header {
            Header::Whole(kind) => Ok(Some(*kind)),
            Header::OffsetDelta(at) => Err(kept.by_offset.get(at).cloned()),
            Header::RefDelta(id) => Err(kept
                .offset_of
                .get(id)
                .and_then(|at| kept.by_offset.get(at))
                .cloned()),
        };
        let (kind, data) = match base {
            Ok(Some(kind)) => (kind, Rc::new(std::mem::take(&mut object))),
            Ok(None) => unreachable!("a whole object has a kind"),
            Err(Some((kind, base))) => match apply_delta(&base, &object) {
                Ok(data) => (kind, Rc::new(data)),
                Err(_) => {
                    unresolved += 1;
                    continue;
                }
            },
            Err(None) => {
                // The base was not kept, or is not in this pack: the delta's inserted bytes
                // are scanned as they are.
                unresolved += 1;
                scanner.member(
                    &mut Cursor::new(&object),
                    &format!("(delta at offset {offset})"),
                    Some(Encoding::Zlib),
                    frame,
                    walk,
                )?;
                continue;
            }
        };
        // Hashing memory cannot fail in libgit2; were it to, the object is still scanned.
        let id = git2::Oid::hash_object(object_type(kind), &data).unwrap_or(git2::Oid::zero());
        scanner.member(
            &mut Cursor::new(&data[..]),
            &id.to_string(),
            Some(Encoding::Zlib),
            frame,
            walk,
        )?;
        if kept.bytes + data.len() <= MAX_KEPT {
            kept.bytes += data.len();
            kept.offset_of.insert(id, offset);
            kept.by_offset.insert(offset, (kind, data));
        } else {
            not_kept += 1;
        }
    }
    if unresolved > 0 {
        walk.warn(
            frame,
            format!(
                "git pack: {unresolved} delta(s) could not be resolved (their base is outside \
                 the pack{}); their inserted bytes were scanned as they are",
                if not_kept > 0 {
                    ", or was not kept: more than 256 MiB of objects"
                } else {
                    ""
                }
            ),
        );
    }
    // The trailing checksum, and anything after it.
    let at = input.offset;
    scanner.plain(&mut input.rest(), frame, at, walk)
}

/// Inflates one entry's zlib stream from `input` into `out` (up to `size` bytes when given,
/// else up to `MAX_OBJECT`), consuming exactly its compressed bytes. Whether the stream ended
/// (false: the input ended first).
fn inflate(
    input: &mut Lookahead,
    inflater: &mut Decompress,
    out: &mut Vec<u8>,
    size: Option<u64>,
) -> Result<bool, &'static str> {
    inflater.reset(true);
    let cap = size.unwrap_or(MAX_OBJECT) as usize;
    out.reserve(cap.min(8 << 20));
    let mut sink = Vec::new();
    loop {
        if input.available().is_empty() {
            input.fill(64 << 10).map_err(|_| "read error")?;
            if input.available().is_empty() {
                return Ok(false);
            }
        }
        let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
        // Output past the cap is inflated into a scratch buffer and dropped (it was declared
        // smaller, or is too large to hold): the compressed bytes must still be passed.
        let target = if out.len() < cap {
            &mut *out
        } else {
            &mut sink
        };
        if target.capacity() - target.len() < 32 << 10 {
            target.reserve(64 << 10);
        }
        let status = inflater
            .decompress_vec(input.available(), target, FlushDecompress::None)
            .map_err(|_| "corrupt zlib data")?;
        sink.clear();
        input.consume((inflater.total_in() - before_in) as usize);
        if status == Status::StreamEnd {
            out.truncate(cap);
            return Ok(true);
        }
        if inflater.total_in() == before_in && inflater.total_out() == before_out {
            input
                .fill(input.available().len() + (64 << 10))
                .map_err(|_| "read error")?;
            if input.ended && inflater.total_in() == before_in {
                let left = input.available().len();
                if left == 0 {
                    return Ok(false);
                }
                // No progress with bytes at hand and no more to come.
                let status = inflater
                    .decompress_vec(input.available(), &mut sink, FlushDecompress::Finish)
                    .map_err(|_| "corrupt zlib data")?;
                input.consume((inflater.total_in() - before_in) as usize);
                if status == Status::StreamEnd {
                    return Ok(true);
                }
                return Ok(false);
            }
        }
    }
}

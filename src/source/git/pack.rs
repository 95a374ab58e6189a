//! Objects read straight from the repository's pack files, in pack order.
//!
//! Why not libgit2 for this: reading every blob of a mirror is most of a history scan, and
//! libgit2 spent 1.5x the time git itself needs to inflate the same objects on one thread
//! (system zlib, an allocation and a copy per object, delta chains walked again) and scaled
//! poorly to a second one. Here each worker reads its own slice of the pack in order through a
//! small read window, inflates with zlib-rs (the `flate2` backend the content layer already
//! uses), and keeps the objects it resolved last, so a delta's base is usually at hand: git
//! writes a base before its deltas, and `git cat-file --batch-all-objects --unordered` reads
//! in the same order.
//!
//! The pack and its index are untrusted input like the rest of the repository: every offset,
//! size and delta instruction is checked, delta chains are bounded, and an object this module
//! cannot read is handed back to libgit2 (`None`), which reads it or reports it missing — so a
//! gap here costs time, never an object.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use flate2::{Decompress, FlushDecompress, Status};

use git2::Oid;

/// Pack indexes larger than this are not loaded (a pack of 40 million objects would need
/// one): the order is an optimisation, not worth that much memory.
const MAX_INDEX_BYTES: u64 = 1 << 30;

/// The version-2 index header: `\377tOc`, then version 2.
const INDEX_V2_HEADER: [u8; 8] = [0xff, b't', b'O', b'c', 0, 0, 0, 2];

/// Where an object lies: its pack's number and its offset there. Objects in no readable
/// index (loose ones) sort after every packed one.
pub(super) type PackPosition = (usize, u64);

/// The packs of one repository: each version-2 index and the path of its pack.
pub(super) struct Packs {
    indexes: Vec<PackIndex>,
    files: Vec<PathBuf>,
}

impl Packs {
    /// The packs under `objects/pack` of the repository whose object directory is `objects`,
    /// in file-name order; unreadable or unknown-version indexes are left out.
    pub fn load(objects: &Path) -> Self {
        let mut paths: Vec<_> = std::fs::read_dir(objects.join("pack"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
            .collect();
        paths.sort();
        let (mut indexes, mut files) = (Vec::new(), Vec::new());
        for path in paths {
            let small = path
                .metadata()
                .is_ok_and(|meta| meta.is_file() && meta.len() <= MAX_INDEX_BYTES);
            if let Some(index) = small
                .then(|| std::fs::read(&path).ok())
                .flatten()
                .and_then(PackIndex::parse)
            {
                indexes.push(index);
                files.push(path.with_extension("pack"));
            }
        }
        Self { indexes, files }
    }

    /// Where `oid` lies; `(usize::MAX, 0)` when no index lists it.
    pub fn position(&self, oid: Oid) -> PackPosition {
        self.locate(oid).unwrap_or((usize::MAX, 0))
    }

    pub(super) fn locate(&self, oid: Oid) -> Option<PackPosition> {
        self.indexes
            .iter()
            .enumerate()
            .find_map(|(pack, index)| index.offset(oid).map(|offset| (pack, offset)))
    }
}

/// Longest delta chain followed: git writes at most 4,095 (`pack.depth`); a longer or
/// circular chain is refused.
const MAX_DELTA_CHAIN: usize = 5_000;
/// Bytes read from a pack where an entry starts (most entries are smaller, and in pack order
/// the next entries are often in the same read), and where a larger entry goes on.
const ENTRY_READ: usize = 16 << 10;
/// Bytes read where an entry starts away from the last read (objects met out of pack order:
/// a tree a commit names, the next object of a delta family): most are smaller.
const SMALL_READ: usize = 4 << 10;
const STREAM_READ: usize = 256 << 10;
/// An output buffer is never reserved larger than this ahead of the bytes that fill it: a
/// header that claims a huge size costs nothing until the data is there.
const RESERVE_AHEAD: usize = 8 << 20;

/// An object's kind, as a pack stores it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

/// Why an object could not be read here (libgit2 gets the next try).
pub(crate) type Unreadable = &'static str;

/// One worker's reader of a repository's packs: open files, a read window, an inflater and
/// the objects it resolved last.
pub(super) struct PackReader<'p> {
    packs: &'p Packs,
    files: Vec<Option<File>>,
    window: Vec<u8>,
    /// Which pack and offset `window` holds.
    window_at: (usize, u64),
    inflater: Decompress,
    recent: HashMap<PackPosition, (Kind, Rc<Vec<u8>>)>,
    older: HashMap<PackPosition, (Kind, Rc<Vec<u8>>)>,
    recent_bytes: usize,
    cache_bytes: usize,
    /// Deltas applied so far (what a chain costs).
    pub(super) deltas_applied: u64,
}

impl<'p> PackReader<'p> {
    /// A reader that keeps up to about `cache_bytes` of resolved objects.
    pub fn new(packs: &'p Packs, cache_bytes: usize) -> Self {
        Self {
            packs,
            files: packs.files.iter().map(|_| None).collect(),
            window: Vec::new(),
            window_at: (usize::MAX, 0),
            inflater: Decompress::new(false),
            recent: HashMap::new(),
            older: HashMap::new(),
            recent_bytes: 0,
            cache_bytes,
            deltas_applied: 0,
        }
    }

    /// The object `oid` if it is packed, readable here and of kind `want`; `None` otherwise.
    pub fn read(&mut self, oid: Oid, want: Kind) -> Option<Rc<Vec<u8>>> {
        let position = self.packs.locate(oid)?;
        self.read_at(position, want)
    }

    /// The object at `position` (as `Packs::position` gave it) if it is readable here and of
    /// kind `want`; `None` otherwise, and for a position in no pack.
    pub fn read_at(&mut self, position: PackPosition, want: Kind) -> Option<Rc<Vec<u8>>> {
        if position.0 >= self.packs.files.len() {
            return None;
        }
        match self.resolve(position) {
            Ok((kind, data)) if kind == want => Some(data),
            _ => None,
        }
    }

    /// The object at `position`, its delta chain applied.
    fn resolve(&mut self, position: PackPosition) -> Result<(Kind, Rc<Vec<u8>>), Unreadable> {
        let mut chain: Vec<(PackPosition, Vec<u8>)> = Vec::new();
        let mut at = position;
        let (kind, mut data) = loop {
            if let Some(found) = self.cached(at) {
                break found;
            }
            if chain.len() > MAX_DELTA_CHAIN {
                return Err("delta chain too long or circular");
            }
            let (header, inflated) = self.entry(at)?;
            match header {
                Header::Whole(kind) => {
                    let data = Rc::new(inflated);
                    self.remember(at, kind, &data);
                    break (kind, data);
                }
                Header::OffsetDelta(base) => {
                    chain.push((at, inflated));
                    at = (at.0, base);
                }
                Header::RefDelta(base) => {
                    chain.push((at, inflated));
                    at = self.packs.locate(base).ok_or("delta base not packed")?;
                }
            }
        };
        while let Some((at, delta)) = chain.pop() {
            data = Rc::new(apply_delta(&data, &delta)?);
            self.deltas_applied += 1;
            self.remember(at, kind, &data);
        }
        Ok((kind, data))
    }

    /// The position of the delta base of the entry at `at`; `None` for a whole object. Reads
    /// the entry's header only.
    pub(super) fn base_of(&mut self, at: PackPosition) -> Result<Option<PackPosition>, Unreadable> {
        let (pack, offset) = at;
        let start = self.fill(pack, offset, 64, self.read_size(pack, offset))?;
        Ok(match parse_header(&self.window[start..], offset)?.0 {
            Header::Whole(_) => None,
            Header::OffsetDelta(base) => Some((pack, base)),
            Header::RefDelta(base) => Some(self.packs.locate(base).ok_or("delta base not packed")?),
        })
    }

    /// The kind of the object `oid`, from entry headers alone (a delta's is its base's); `None`
    /// when it is not packed or cannot be read here.
    pub(super) fn kind_of(&mut self, oid: Oid) -> Option<Kind> {
        let mut at = self.packs.locate(oid)?;
        for _ in 0..=MAX_DELTA_CHAIN {
            let (pack, offset) = at;
            let start = self
                .fill(pack, offset, 64, self.read_size(pack, offset))
                .ok()?;
            at = match parse_header(&self.window[start..], offset).ok()?.0 {
                Header::Whole(kind) => return Some(kind),
                Header::OffsetDelta(base) => (pack, base),
                Header::RefDelta(base) => self.packs.locate(base)?,
            };
        }
        None
    }

    fn cached(&mut self, at: PackPosition) -> Option<(Kind, Rc<Vec<u8>>)> {
        if let Some((kind, data)) = self.recent.get(&at) {
            return Some((*kind, Rc::clone(data)));
        }
        let (kind, data) = self.older.remove(&at)?;
        self.remember(at, kind, &data);
        Some((kind, data))
    }

    /// Keeps a resolved object (two generations: when the newer one is full it becomes the
    /// older, and the older is let go). An object up to the whole budget is kept: a large
    /// blob's next version is a delta on it, and reading in pack order meets that delta next,
    /// so a chain of versions costs one delta each (as git's delta-base cache makes it), not
    /// the whole chain again for each. Larger objects are not kept (nor by git past its
    /// 96 MiB cache).
    fn remember(&mut self, at: PackPosition, kind: Kind, data: &Rc<Vec<u8>>) {
        if data.len() > self.cache_bytes {
            return;
        }
        self.recent_bytes += data.len();
        self.recent.insert(at, (kind, Rc::clone(data)));
        if self.recent_bytes > self.cache_bytes / 2 {
            self.older = std::mem::take(&mut self.recent);
            self.recent_bytes = 0;
        }
    }

    /// The entry at `at`: its header and its inflated data (an object, or a delta).
    fn entry(&mut self, at: PackPosition) -> Result<(Header, Vec<u8>), Unreadable> {
        let (pack, offset) = at;
        let start = self.fill(pack, offset, 64, self.read_size(pack, offset))?;
        let (header, size, used) = parse_header(&self.window[start..], offset)?;
        let size = usize::try_from(size).map_err(|_| "object too large")?;
        let mut out = Vec::with_capacity(size.min(RESERVE_AHEAD));
        // The zlib wrapper is read here and the deflate stream inflated raw: its Adler-32
        // trailer is not checked (checking objects is `git fsck`'s work; libgit2's own hash
        // check is off for the same reason, see `open`), which saves a pass over every byte.
        let wrapper = self
            .window
            .get(start + used..start + used + 2)
            .ok_or("truncated zlib header")?;
        let (method, flags) = (wrapper[0], wrapper[1]);
        if method & 0x0f != 8
            || (u16::from(method) << 8 | u16::from(flags)) % 31 != 0
            || flags & 0x20 != 0
        {
            return Err("not a zlib stream");
        }
        let mut position = offset + used as u64 + 2;
        // Deflate never makes data larger than this (zlib's `compressBound`): a read need not
        // go past it, so a small object costs a small read.
        let stream_end = position
            .saturating_add(size as u64)
            .saturating_add(size as u64 >> 12)
            .saturating_add(size as u64 >> 14)
            .saturating_add(64);
        self.inflater.reset(false);
        loop {
            let rest = usize::try_from(stream_end.saturating_sub(position)).unwrap_or(usize::MAX);
            let start = self.fill(pack, position, 1, rest.clamp(SMALL_READ, STREAM_READ))?;
            let input = &self.window[start..];
            if out.len() == out.capacity() {
                out.reserve((size - out.len()).clamp(1, RESERVE_AHEAD));
            }
            let (in_before, out_before) = (self.inflater.total_in(), out.len());
            let status = self
                .inflater
                .decompress_vec(input, &mut out, FlushDecompress::None)
                .map_err(|_| "corrupt zlib stream")?;
            position += self.inflater.total_in() - in_before;
            if out.len() > size {
                return Err("object larger than its header says");
            }
            match status {
                Status::StreamEnd => break,
                _ if self.inflater.total_in() == in_before && out.len() == out_before => {
                    return Err("zlib stream makes no progress");
                }
                _ => {}
            }
        }
        if out.len() != size {
            return Err("object size differs from its header");
        }
        Ok((header, out))
    }

    /// How much to read for an entry at `offset`: `ENTRY_READ` just past the last read (the
    /// next entries are likely wanted too), `SMALL_READ` elsewhere.
    fn read_size(&self, pack: usize, offset: u64) -> usize {
        let (window_pack, window_start) = self.window_at;
        let window_end = window_start + self.window.len() as u64;
        if window_pack == pack && offset >= window_end && offset - window_end < ENTRY_READ as u64 {
            ENTRY_READ
        } else {
            SMALL_READ
        }
    }

    /// Makes the read window hold at least `want` bytes of pack `pack` from `offset` (fewer
    /// only at the end of the file), reading `read` bytes when it must read, and says where in
    /// the window they start.
    fn fill(
        &mut self,
        pack: usize,
        offset: u64,
        want: usize,
        read: usize,
    ) -> Result<usize, Unreadable> {
        let (window_pack, window_start) = self.window_at;
        let inside = window_pack == pack
            && offset >= window_start
            && offset - window_start + want as u64 <= self.window.len() as u64;
        if !inside {
            let file = match &mut self.files[pack] {
                Some(file) => file,
                slot => {
                    slot.insert(File::open(&self.packs.files[pack]).map_err(|_| "pack unreadable")?)
                }
            };
            self.window.resize(read.max(want), 0);
            let read = read_at(file, &mut self.window, offset).map_err(|_| "pack unreadable")?;
            self.window.truncate(read);
            self.window_at = (pack, offset);
            if read == 0 {
                return Err("pack truncated");
            }
        }
        Ok((offset - self.window_at.1) as usize)
    }
}

/// What a pack entry holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Header {
    Whole(Kind),
    /// A delta against the entry at this offset of the same pack.
    OffsetDelta(u64),
    /// A delta against the object with this id.
    RefDelta(Oid),
}

/// Git's offset varint (an offset delta's distance; a version-4 index entry's prefix length):
/// big-endian base-128, seven bits a byte, the high bit set while more follow, one added at
/// each continuation. The value and the bytes it took; `None` when cut short or past 64 bits.
pub(crate) fn offset_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        used += 1;
        byte = *bytes.get(used)?;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
    }
    Some((value, used + 1))
}

/// An entry's header at `offset`: what it is, the inflated size, and the header's length.
pub(crate) fn parse_header(bytes: &[u8], offset: u64) -> Result<(Header, u64, usize), Unreadable> {
    let mut used = 0;
    let mut next = || -> Result<u8, Unreadable> {
        let byte = *bytes.get(used).ok_or("truncated entry header")?;
        used += 1;
        Ok(byte)
    };
    let first = next()?;
    let kind = (first >> 4) & 7;
    let mut size = u64::from(first & 0x0f);
    let mut shift = 4;
    let mut byte = first;
    while byte & 0x80 != 0 {
        byte = next()?;
        if shift > 60 {
            return Err("entry size overflows");
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    let header = match kind {
        1 => Header::Whole(Kind::Commit),
        2 => Header::Whole(Kind::Tree),
        3 => Header::Whole(Kind::Blob),
        4 => Header::Whole(Kind::Tag),
        6 => {
            let (distance, length) = bytes
                .get(used..)
                .and_then(offset_varint)
                .ok_or("truncated or overflowing delta offset")?;
            used += length;
            if distance == 0 || distance > offset {
                return Err("delta base outside the pack");
            }
            Header::OffsetDelta(offset - distance)
        }
        7 => {
            let id = bytes
                .get(used..used + 20)
                .ok_or("truncated delta base id")?;
            used += 20;
            Header::RefDelta(Oid::from_bytes(id).map_err(|_| "bad delta base id")?)
        }
        _ => return Err("unknown entry type"),
    };
    Ok((header, size, used))
}

/// `base` with `delta`'s copy and insert instructions applied (git's delta format).
pub(crate) fn apply_delta(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, Unreadable> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Result<u64, Unreadable> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = *delta.get(*at).ok_or("truncated delta")?;
            *at += 1;
            if shift > 63 {
                return Err("delta size overflows");
            }
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
    };
    if varint(&mut at)? != base.len() as u64 {
        return Err("delta base size differs");
    }
    let size = usize::try_from(varint(&mut at)?).map_err(|_| "object too large")?;
    let mut out = Vec::with_capacity(size.min(RESERVE_AHEAD));
    while let Some(&op) = delta.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            let mut fields = [0u64; 2];
            for (bit, field) in (0..7).map(|bit| (bit, usize::from(bit >= 4))) {
                if op & (1 << bit) != 0 {
                    let byte = *delta.get(at).ok_or("truncated delta")?;
                    at += 1;
                    let shift = if bit >= 4 { bit - 4 } else { bit };
                    fields[field] |= u64::from(byte) << (8 * shift);
                }
            }
            let [copy_at, mut length] = fields;
            if length == 0 {
                length = 0x10000;
            }
            let from = usize::try_from(copy_at).map_err(|_| "delta copy outside its base")?;
            let end = from
                .checked_add(length as usize)
                .filter(|&end| end <= base.len())
                .ok_or("delta copy outside its base")?;
            if out.len() + (end - from) > size {
                return Err("delta writes past its size");
            }
            out.extend_from_slice(&base[from..end]);
        } else if op != 0 {
            let data = delta
                .get(at..at + usize::from(op))
                .ok_or("truncated delta")?;
            at += data.len();
            if out.len() + data.len() > size {
                return Err("delta writes past its size");
            }
            out.extend_from_slice(data);
        } else {
            return Err("reserved delta instruction");
        }
    }
    if out.len() != size {
        return Err("delta result size differs");
    }
    Ok(out)
}

/// Reads into `buffer` from `offset` of `file`, as much as is there (less only at its end).
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(
            file,
            &mut buffer[filled..],
            offset + filled as u64,
        );
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(
            file,
            &mut buffer[filled..],
            offset + filled as u64,
        );
        match read {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// One `.idx` file (version 2): a fan-out table of 256 counts, the sorted object ids, their
/// CRCs, 31-bit offsets (the high bit marks an index into the 64-bit table), 64-bit offsets.
struct PackIndex {
    data: Vec<u8>,
    objects: usize,
}

impl PackIndex {
    fn parse(data: Vec<u8>) -> Option<Self> {
        if data.get(..8)? != INDEX_V2_HEADER {
            return None;
        }
        let objects = usize::try_from(read_u32(&data, 8 + 255 * 4)?).ok()?;
        // Header, fan-out, then 20 + 4 + 4 bytes per object, then the checksums.
        let needed = objects.checked_mul(28)?.checked_add(8 + 1024 + 40)?;
        (data.len() >= needed).then_some(Self { data, objects })
    }

    fn offset(&self, oid: Oid) -> Option<u64> {
        let first = usize::from(oid.as_bytes()[0]);
        let fanout = |byte: usize| read_u32(&self.data, 8 + byte * 4).map(|n| n as usize);
        let start = if first == 0 { 0 } else { fanout(first - 1)? };
        let end = fanout(first)?.min(self.objects);
        let ids = 8 + 1024;
        // A crafted fan-out may be out of order: an empty range, not a panic.
        let (mut low, mut high) = (start.min(end), end);
        // Ids are compared by their first eight bytes as one number, and in full only when
        // those are equal: a mirror looks up millions of ids (a call to `memcmp` per step of
        // the search was 7% of a rails/rails scan).
        let wanted = oid.as_bytes();
        let prefix = |id: &[u8]| {
            id.first_chunk::<8>()
                .map_or(0, |bytes| u64::from_be_bytes(*bytes))
        };
        let wanted_prefix = prefix(wanted);
        while low < high {
            let middle = low + (high - low) / 2;
            let id = self.data.get(ids + middle * 20..ids + middle * 20 + 20)?;
            let order = prefix(id)
                .cmp(&wanted_prefix)
                .then_with(|| id[8..].cmp(&wanted[8..]));
            match order {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return self.offset_at(middle),
            }
        }
        None
    }

    fn offset_at(&self, position: usize) -> Option<u64> {
        let offsets = 8 + 1024 + self.objects * 24;
        let small = read_u32(&self.data, offsets + position * 4)?;
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large = offsets + self.objects * 4 + (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.data.get(large..large + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_varints_read_as_git_writes_them() {
        assert_eq!(offset_varint(&[0x00]), Some((0, 1)));
        assert_eq!(offset_varint(&[0x7f, 0xaa]), Some((127, 1)));
        // One added at each continuation: 0x80 0x00 is 128, not 0.
        assert_eq!(offset_varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(offset_varint(&[0xff, 0x7f]), Some((16_511, 2)));
        assert_eq!(offset_varint(&[]), None);
        assert_eq!(offset_varint(&[0x80]), None);
        // Past 64 bits.
        assert_eq!(
            offset_varint(&[[0xff; 10].as_slice(), &[0x7f]].concat()),
            None
        );
    }

    /// A version-2 index of `objects` (ids, offsets), ids sorted as git writes them.
    fn index(objects: &mut [([u8; 20], u64)]) -> Vec<u8> {
        objects.sort();
        let mut data = INDEX_V2_HEADER.to_vec();
        for byte in 0..256usize {
            let count = objects
                .iter()
                .filter(|(id, _)| usize::from(id[0]) <= byte)
                .count();
            data.extend((count as u32).to_be_bytes());
        }
        for (id, _) in objects.iter() {
            data.extend(id);
        }
        data.extend(std::iter::repeat_n(0, objects.len() * 4));
        let mut large = Vec::new();
        for (_, offset) in objects.iter() {
            if *offset < 0x8000_0000 {
                data.extend((*offset as u32).to_be_bytes());
            } else {
                data.extend((0x8000_0000 | large.len() as u32).to_be_bytes());
                large.push(*offset);
            }
        }
        for offset in large {
            data.extend(offset.to_be_bytes());
        }
        data.extend([0; 40]);
        data
    }

    #[test]
    fn finds_small_and_large_offsets_and_misses_absent_ids() {
        let mut objects = [([7; 20], 12), ([0; 20], 99), ([0xff; 20], 5 << 32)];
        let parsed = PackIndex::parse(index(&mut objects)).unwrap();
        assert_eq!(parsed.offset(Oid::from_bytes(&[7; 20]).unwrap()), Some(12));
        assert_eq!(parsed.offset(Oid::from_bytes(&[0; 20]).unwrap()), Some(99));
        assert_eq!(
            parsed.offset(Oid::from_bytes(&[0xff; 20]).unwrap()),
            Some(5 << 32)
        );
        assert_eq!(parsed.offset(Oid::from_bytes(&[8; 20]).unwrap()), None);
    }

    #[test]
    fn damaged_indexes_are_refused_or_miss_without_panicking() {
        let good = index(&mut [([7; 20], 12), ([9; 20], 30)]);
        // Truncated anywhere, or with another version: refused.
        for cut in [0, 7, 8, 500, 1032, good.len() - 41] {
            assert!(PackIndex::parse(good[..cut].to_vec()).is_none(), "{cut}");
        }
        let mut v3 = good.clone();
        v3[7] = 3;
        assert!(PackIndex::parse(v3).is_none());
        // A fan-out out of order, or a large offset pointing past the end: a miss.
        let mut fanout = good.clone();
        fanout[8 + 8 * 4..8 + 9 * 4].copy_from_slice(&[0xff; 4]);
        let parsed = PackIndex::parse(fanout).unwrap();
        assert_eq!(parsed.offset(Oid::from_bytes(&[9; 20]).unwrap()), None);
        let mut large = good;
        let offsets = 8 + 1024 + 2 * 24;
        large[offsets..offsets + 4].copy_from_slice(&0x8000_0009u32.to_be_bytes());
        let parsed = PackIndex::parse(large).unwrap();
        assert_eq!(parsed.offset(Oid::from_bytes(&[7; 20]).unwrap()), None);
    }

    #[test]
    fn reads_the_order_of_a_real_repository() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let status = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        };
        git(&["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("a"), "one").unwrap();
        git(&["add", "a"]);
        git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "m",
        ]);
        git(&["gc", "-q"]);
        let repo = git2::Repository::open(dir.path()).unwrap();
        let order = Packs::load(&repo.commondir().join("objects"));
        let blob = repo.revparse_single("HEAD:a").unwrap().id();
        let (pack, offset) = order.position(blob);
        assert_eq!(pack, 0);
        assert!(offset >= 12, "after the pack header");
        assert_eq!(order.position(Oid::zero()), (usize::MAX, 0));
    }
}

//! The content layer: what every source's bytes go through before the matcher.
//!
//! A source hands over a file, a blob or a stream; this layer sniffs what it is from its first
//! bytes (`sniff`), opens containers and compressed streams as streams (`archive`, `compress`:
//! nothing is extracted to disk, nothing is held whole in memory but a nested zip's central
//! directory), reads serialized Python by its own framing (`pickle`, `marshal`), and scans the
//! bytes that come out with the chunked matcher. Provenance grows as it descends: a hit
//! records the member it was found in (`inner.tar.gz!notes.txt`) and the layer that found it
//! (`encoding`).
//!
//! Hostile input is expected: every stream a container produces goes through a `Guard`, which
//! turns a decoding error or a limit into the end of that stream (what was read is scanned,
//! not lost) and records why; member names are labels and never paths to write to; nesting,
//! inflated bytes and entry counts are bounded (`ContentOptions`). Whatever a limit or an error
//! stopped becomes a warning naming the member, so the scan is incomplete, never silently
//! short.

mod archive;
mod arrow;
mod compress;
mod gitpack;
mod lookahead;
mod marshal;
mod members;
mod notebook;
mod numpy;
mod parquet;
mod pickle;
mod sevenzip;
mod sniff;
mod sqlite;
mod tar;
mod tfrecord;
mod thrift;
mod utf16;

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use crate::detect::matcher::Matcher;
use crate::detect::scan::{ChunkScanner, Scanned, MAX_ITEM_HITS};
use crate::finding::Encoding;

pub use members::MemberCache;
use members::MemberKey;
pub use sniff::Kind;

pub const DEFAULT_MAX_DEPTH: usize = 8;
pub const DEFAULT_MAX_INFLATED: u64 = 1 << 30;
pub const DEFAULT_MAX_ENTRIES: u64 = 100_000;
/// The work budget of one top-level item before its own size is counted (`--max-item-work`).
pub const DEFAULT_ITEM_WORK: u64 = 1 << 30;
/// Work each byte of a top-level item adds to its budget: a 2 GB checkpoint may make its
/// readers produce 128 GB, a 20 KB tarball of bombs only the floor.
pub const WORK_PER_ITEM_BYTE: u64 = 64;
/// What reading one byte costs, in bytes of plain scanning: a layer's output is counted once
/// per layer it passes, and slow decoders and format walkers several times.
const COST_PLAIN: u64 = 1;
const COST_XZ: u64 = 2;
const COST_SLOW_DECODER: u64 = 4;
const COST_FORMAT_WALK: u64 = 8;
/// The most of one member's name kept (a tar's GNU long name can be any length).
const MAX_MEMBER_NAME: usize = 1024;
/// A string in a pickle or marshal stream up to this long is read into memory and scanned
/// whole; a longer one is scanned as a stream.
const STRING_IN_MEMORY: u64 = 1 << 20;

/// How far into containers to look.
#[derive(Debug, Clone, Copy)]
pub struct ContentOptions {
    /// Open archives and compressed streams (`--no-archives` turns it off: they are scanned
    /// as raw bytes).
    pub archives: bool,
    /// Container levels entered: the files of `x.tar.gz` are two levels down.
    pub max_depth: usize,
    /// The most one compressed stream or archive member may inflate to
    /// (`--max-archive-bytes`).
    pub max_inflated: u64,
    /// The work one top-level item may cost before its own size is counted
    /// (`--max-item-work`): every byte a layer produces, weighted by `cost`, stored members
    /// included; the item's size times `WORK_PER_ITEM_BYTE` is added.
    pub item_work: u64,
    /// Archive entries one top-level item may hold, all levels together.
    pub max_entries: u64,
    /// Files and blobs larger than this are not scanned (`--max-file-size`), with a notice:
    /// the user's choice, so not an incomplete scan.
    pub max_file_size: Option<u64>,
}

impl Default for ContentOptions {
    fn default() -> Self {
        Self {
            archives: true,
            max_depth: DEFAULT_MAX_DEPTH,
            max_inflated: DEFAULT_MAX_INFLATED,
            max_entries: DEFAULT_MAX_ENTRIES,
            item_work: DEFAULT_ITEM_WORK,
            max_file_size: None,
        }
    }
}

/// A format's reader: its bytes, the frame they sit in, the item's walk.
type FormatReader = fn(&mut ContentScanner, &mut dyn Read, &Frame, &mut Walk) -> io::Result<()>;

/// Scans content of any kind; one per worker thread (it owns the chunk scanner's buffer).
pub struct ContentScanner<'m> {
    chunks: ChunkScanner<'m>,
    options: ContentOptions,
    strings: Vec<u8>,
    /// Zip members met before in this scan (`members`), when the scan shares one.
    members: Option<&'m MemberCache>,
}

impl ContentScanner<'_> {
    /// `--max-file-size`, when a file or blob of `bytes` is over it.
    pub fn too_large(&self, bytes: u64) -> Option<u64> {
        self.options.max_file_size.filter(|&limit| bytes > limit)
    }
}

/// One top-level item's walk: what it found, and what it has spent of its limits.
struct Walk {
    out: Scanned,
    work: Rc<Work>,
    entries: u64,
    entries_exhausted: bool,
}

/// What an item held at one moment of its walk (`Walk::mark`).
struct Mark {
    hits: usize,
    warnings: usize,
    members: u64,
    entries: u64,
    dropped_hits: u64,
    work_reported: bool,
}

/// The work budget of one top-level item, shared by every `Guard` under it: bytes produced by
/// every layer, each weighted by what its reader costs. Spent, it ends every stream of the
/// item as if at its end, and the first stream it ends says so.
struct Work {
    spent: Cell<u64>,
    limit: Cell<u64>,
    reported: Cell<bool>,
}

impl Work {
    fn new(options: &ContentOptions, item_size: u64) -> Rc<Self> {
        let work = Rc::new(Self {
            spent: Cell::new(0),
            limit: Cell::new(options.item_work),
            reported: Cell::new(false),
        });
        work.earn(item_size);
        work
    }

    /// The item grew by `bytes` (a stream's size is learned as it is read).
    fn earn(&self, bytes: u64) {
        let more = bytes.saturating_mul(WORK_PER_ITEM_BYTE);
        self.limit.set(self.limit.get().saturating_add(more));
    }

    fn charge(&self, amount: u64) {
        self.spent.set(self.spent.get().saturating_add(amount));
    }

    fn is_spent(&self) -> bool {
        self.spent.get() > self.limit.get()
    }
}

impl Walk {
    fn new(options: &ContentOptions, item_size: u64) -> Self {
        Self {
            out: Scanned::default(),
            work: Work::new(options, item_size),
            entries: 0,
            entries_exhausted: false,
        }
    }

    /// The item's result: past `MAX_ITEM_HITS`, occurrences were counted, and it says so.
    fn finish(mut self) -> Scanned {
        if self.out.dropped_hits > 0 {
            let message = format!(
                "more than {MAX_ITEM_HITS} token occurrences: {} more were counted, not reported \
                 one by one",
                self.out.dropped_hits
            );
            self.out.warnings.push((None, message));
        }
        self.out
    }

    /// The result of an item that was plain bytes from top to bottom.
    fn plain_whole(mut self, scanned: Scanned) -> Scanned {
        self.out.bytes = scanned.bytes;
        self.out.binary = scanned.binary;
        self.absorb(scanned, &Frame::top(), 0, None);
        self.finish()
    }

    /// How many more hits this item may keep.
    fn hits_left(&self) -> usize {
        MAX_ITEM_HITS.saturating_sub(self.out.hits.len())
    }

    fn warn(&mut self, frame: &Frame, message: String) {
        self.out.warnings.push((frame.member.clone(), message));
    }

    /// Counts an archive entry; false once the item holds more than the limit allows (warned
    /// once).
    fn admit_entry(&mut self, frame: &Frame, options: &ContentOptions) -> bool {
        self.entries += 1;
        if self.entries <= options.max_entries {
            return true;
        }
        if !self.entries_exhausted {
            self.entries_exhausted = true;
            self.warn(
                frame,
                format!(
                    "more than {} archive entries: the rest were not scanned",
                    options.max_entries
                ),
            );
        }
        false
    }

    /// Where the item stands, to tell later what one member's scan added (`outcome_since`).
    fn mark(&self) -> Mark {
        Mark {
            hits: self.out.hits.len(),
            warnings: self.out.warnings.len(),
            members: self.out.members,
            entries: self.entries,
            dropped_hits: self.out.dropped_hits,
            work_reported: self.work.reported.get(),
        }
    }

    /// What the member labelled `label` added since `mark`, relative to it; `None` when its
    /// scan depended on the rest of the item (a warning, a limit, the work budget).
    fn outcome_since(&self, mark: &Mark, label: &str) -> Option<members::Outcome> {
        let clean = self.out.warnings.len() == mark.warnings
            && self.out.dropped_hits == mark.dropped_hits
            && self.work.reported.get() == mark.work_reported
            && !self.work.is_spent()
            && !self.entries_exhausted
            && self.out.hits.len() < MAX_ITEM_HITS;
        if !clean {
            return None;
        }
        let mut hits = Vec::with_capacity(self.out.hits.len() - mark.hits);
        for hit in &self.out.hits[mark.hits..] {
            let suffix = hit.member.as_deref()?.strip_prefix(label)?;
            let mut hit = hit.clone();
            hit.member = Some(suffix.to_string());
            hits.push(hit);
        }
        Some(members::Outcome {
            members: self.out.members - mark.members,
            entries: self.entries - mark.entries,
            hits,
        })
    }

    /// Adds a member's kept outcome as if it had been scanned here, under `label`; false (and
    /// nothing added) when its entries would pass the item's entry limit.
    fn replay(
        &mut self,
        outcome: &members::Outcome,
        label: &str,
        options: &ContentOptions,
    ) -> bool {
        if self.entries.saturating_add(outcome.entries) > options.max_entries {
            return false;
        }
        self.entries += outcome.entries;
        self.out.members += outcome.members;
        for hit in &outcome.hits {
            if self.out.hits.len() >= MAX_ITEM_HITS {
                self.out.dropped_hits += 1;
                continue;
            }
            let mut hit = hit.clone();
            hit.member = Some(format!("{label}{}", hit.member.as_deref().unwrap_or("")));
            self.out.hits.push(hit);
        }
        true
    }

    /// Takes the hits of a scan of `frame`'s bytes that started at `base` in them.
    fn absorb(&mut self, scanned: Scanned, frame: &Frame, base: u64, reader: Option<Encoding>) {
        self.out.dropped_hits += scanned.dropped_hits;
        for mut hit in scanned.hits {
            if self.out.hits.len() >= MAX_ITEM_HITS {
                self.out.dropped_hits += 1;
                continue;
            }
            hit.member = frame.member.clone();
            if hit.encoding == Encoding::Plain {
                hit.encoding = reader.unwrap_or(frame.encoding);
            }
            // A marker inside an archive member, a compressed stream or a format's string is
            // not in any diff a reviewer reads: it does not count (detect::scan, `reviewable`).
            if hit.member.is_some() || hit.encoding != Encoding::Plain {
                hit.allowed_inline = false;
            }
            if base > 0 || reader.is_some() {
                // Lines of a fragment are not lines of the member.
                hit.offset += base;
                hit.line = None;
                hit.column = None;
                hit.end_column = None;
            }
            let duplicate = self.out.hits.iter().rev().take(8).any(|seen| {
                seen.offset == hit.offset
                    && seen.member == hit.member
                    && seen.secret.hash() == hit.secret.hash()
            });
            if !duplicate {
                self.out.hits.push(hit);
            }
        }
    }
}

/// Where in the nesting a stream sits.
#[derive(Debug, Clone)]
struct Frame {
    /// The member's path inside the top-level item, nesting joined with `!`.
    member: Option<String>,
    /// Containers entered to get here.
    depth: usize,
    /// The innermost layer that transformed the bytes (`gzip`, `deflate`), `plain` if none.
    encoding: Encoding,
}

impl Frame {
    fn top() -> Self {
        Self {
            member: None,
            depth: 0,
            encoding: Encoding::Plain,
        }
    }

    /// A member named `name` of the container this frame is. A name longer than
    /// `MAX_MEMBER_NAME` bytes is cut, and says so: every hit and warning inside carries it.
    fn member(&self, name: &str, encoding: Encoding) -> Self {
        let name = cut_name(name);
        Self {
            member: Some(match &self.member {
                Some(parent) => format!("{parent}!{name}"),
                None => name.into_owned(),
            }),
            depth: self.depth + 1,
            encoding,
        }
    }

    /// The same member, decompressed.
    fn inflated(&self, encoding: Encoding) -> Self {
        Self {
            member: self.member.clone(),
            depth: self.depth + 1,
            encoding,
        }
    }
}

/// A member's name, cut at `MAX_MEMBER_NAME` bytes with the cut said.
fn cut_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= MAX_MEMBER_NAME
        || (name.len() <= MAX_MEMBER_NAME + 48 && name.ends_with(CUT_MARK_END))
    {
        return name.into();
    }
    cut_label(name, name.len() as u64).into()
}

/// The end of a name's cut mark: a name that ends with it was cut already.
const CUT_MARK_END: &str = " bytes)";

/// The first `MAX_MEMBER_NAME` bytes of a name that was `length` bytes long, and the cut said.
fn cut_label(name: &str, length: u64) -> String {
    let mut end = name.len().min(MAX_MEMBER_NAME);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…(name cut: {length}{CUT_MARK_END}", &name[..end])
}

impl<'m> ContentScanner<'m> {
    pub fn new(matcher: &'m Matcher, options: ContentOptions) -> Self {
        Self {
            chunks: ChunkScanner::new(matcher),
            options,
            strings: Vec::new(),
            members: None,
        }
    }

    /// Zip members are scanned once across every scanner given `cache` (see `members`).
    pub fn with_member_cache(mut self, cache: &'m MemberCache) -> Self {
        self.members = Some(cache);
        self
    }

    /// The plain chunk scanner, for text that is never a container (commit messages), with
    /// the hit limit of a whole item.
    pub fn chunks(&mut self) -> &mut ChunkScanner<'m> {
        self.chunks.set_hit_limit(MAX_ITEM_HITS);
        &mut self.chunks
    }

    /// Scans a file: a zip is opened by its central directory (the file can seek), anything
    /// else as a stream. An error reading the file itself is returned; errors inside its
    /// containers are warnings in the result.
    pub fn scan_file(&mut self, file: File) -> io::Result<Scanned> {
        let size = file.metadata()?.len();
        self.scan_open_file(file, size)
    }

    /// As `scan_file`, for a file whose size the caller has (from the same open file).
    pub fn scan_open_file(&mut self, mut file: File, size: u64) -> io::Result<Scanned> {
        // The first read goes straight into the chunk scanner's buffer: a plain text file, most
        // of a tree, is then scanned from there without a separate read for sniffing.
        let primed = self.chunks.prime(&mut file, sniff::HEAD_LEN)?;
        let kind = sniff::sniff(&primed[..primed.len().min(sniff::HEAD_LEN)]);
        let mut walk = Walk::new(&self.options, size);
        let top = Frame::top();
        if plain_at_top(kind, self.options.archives) {
            let primed = primed.len();
            self.chunks.set_hit_limit(walk.hits_left());
            // A first read that brought the whole size the file was opened with is the whole
            // file: no read to find its end (one syscall less per file, most files of a tree).
            // A file that reports no size (under /proc) or grew is read to its end.
            let scanned = if size > 0 && primed as u64 == size {
                self.chunks.scan_primed(io::empty(), primed)?
            } else {
                self.chunks.scan_primed(&mut file, primed)?
            };
            return Ok(walk.plain_whole(scanned));
        }
        let head = primed.to_vec();
        if self.options.archives && kind == Kind::Zip {
            file.seek(SeekFrom::Start(0))?;
            self.guarded(Kind::Zip, &top, &mut walk, |scanner, walk| {
                archive::zip_seekable(scanner, &mut file, &top, walk)
            })?;
            walk.out.bytes = size;
        } else {
            let mut counted = Counted::new(Cursor::new(head).chain(file));
            self.dispatch(kind, &mut counted, &top, &mut walk)?;
            walk.out.bytes = counted.count;
        }
        Ok(walk.finish())
    }

    /// Scans a stream (standard input).
    pub fn scan_reader(&mut self, reader: impl Read) -> io::Result<Scanned> {
        let mut walk = Walk::new(&self.options, 0);
        let mut counted = Counted::earning(reader, Rc::clone(&walk.work));
        self.stream(&mut counted, &Frame::top(), &mut walk)?;
        walk.out.bytes = counted.count;
        Ok(walk.finish())
    }

    /// Scans content already in memory (a git blob).
    pub fn scan_bytes(&mut self, bytes: &[u8]) -> Scanned {
        let mut walk = Walk::new(&self.options, bytes.len() as u64);
        let top = Frame::top();
        let kind = sniff::sniff(&bytes[..bytes.len().min(sniff::HEAD_LEN)]);
        if plain_at_top(kind, self.options.archives) {
            // Scanned where it lies, not copied through the chunk buffer.
            self.chunks.set_hit_limit(walk.hits_left());
            let scanned = self.chunks.scan_bytes(bytes);
            return walk.plain_whole(scanned);
        }
        let result = if self.options.archives && kind == Kind::Zip {
            self.guarded(Kind::Zip, &top, &mut walk, |scanner, walk| {
                archive::zip_seekable(scanner, &mut Cursor::new(bytes), &top, walk)
            })
        } else {
            self.dispatch(kind, &mut Cursor::new(bytes), &top, &mut walk)
        };
        if let Err(err) = result {
            walk.warn(&top, err.to_string());
        }
        walk.out.bytes = bytes.len() as u64;
        walk.finish()
    }

    /// Sniffs a stream and scans it as what it is.
    fn stream(&mut self, reader: &mut dyn Read, frame: &Frame, walk: &mut Walk) -> io::Result<()> {
        let head = read_head(reader)?;
        let kind = sniff::sniff(&head);
        let mut whole = Cursor::new(head).chain(reader);
        self.dispatch(kind, &mut whole, frame, walk)
    }

    fn dispatch(
        &mut self,
        kind: Kind,
        reader: &mut dyn Read,
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        if kind.is_container() {
            if !self.options.archives {
                return self.plain(reader, frame, 0, walk);
            }
            if frame.depth >= self.options.max_depth {
                walk.warn(
                    frame,
                    format!(
                        "{} nested deeper than {} archive levels: scanned as raw bytes \
                         (--max-archive-depth)",
                        kind.name(),
                        self.options.max_depth
                    ),
                );
                return self.plain(reader, frame, 0, walk);
            }
        }
        match kind {
            Kind::Gzip | Kind::Bzip2 | Kind::Xz | Kind::Zstd | Kind::Zlib => {
                self.guarded(kind, frame, walk, |scanner, walk| {
                    scanner.inflate(kind, reader, frame, walk)
                })
            }
            Kind::Tar => self.guarded(kind, frame, walk, |scanner, walk| {
                tar::walk(scanner, reader, frame, walk)
            }),
            Kind::Zip => self.guarded(kind, frame, walk, |scanner, walk| {
                archive::zip_stream(scanner, reader, frame, walk)
            }),
            Kind::SevenZip => self.guarded(kind, frame, walk, |scanner, walk| {
                sevenzip::walk(scanner, reader, frame, walk)
            }),
            Kind::GitPack => self.guarded(kind, frame, walk, |scanner, walk| {
                gitpack::walk(scanner, reader, frame, walk)
            }),
            Kind::Pickle => self.format_walk(kind, pickle::walk, reader, frame, walk),
            Kind::Marshal => self.format_walk(kind, marshal::walk, reader, frame, walk),
            Kind::Numpy => self.format_walk(kind, numpy::walk, reader, frame, walk),
            Kind::Sqlite => self.format_walk(kind, sqlite::walk, reader, frame, walk),
            Kind::TfRecord => self.format_walk(kind, tfrecord::walk, reader, frame, walk),
            Kind::Parquet => self.format_walk(kind, parquet::walk, reader, frame, walk),
            Kind::Arrow => self.format_walk(kind, arrow::walk, reader, frame, walk),
            Kind::Utf16Le => self.utf16(utf16::Endian::Little, reader, frame, walk),
            Kind::Utf16Be => self.utf16(utf16::Endian::Big, reader, frame, walk),
            Kind::Notebook => self.notebook(reader, frame, walk),
            Kind::Plain => self.plain(reader, frame, 0, walk),
        }
    }

    /// A format reader that walks a structure (pickle opcodes, marshal objects, numpy values,
    /// SQLite pages, TFRecord records): guarded, and its input charged to the item's work
    /// budget at a format walk's cost.
    fn format_walk(
        &mut self,
        kind: Kind,
        read: FormatReader,
        reader: &mut dyn Read,
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        self.guarded(kind, frame, walk, |scanner, walk| {
            let mut metered = Guard::new(reader, u64::MAX, COST_FORMAT_WALK, &walk.work);
            let result = read(scanner, &mut metered, frame, walk);
            metered.report(kind.name(), frame, walk);
            result
        })
    }

    /// Runs a format reader; if the third-party code under it panics on hostile input, the
    /// item is reported as not fully read instead of taking the scan down.
    fn guarded(
        &mut self,
        kind: Kind,
        frame: &Frame,
        walk: &mut Walk,
        read: impl FnOnce(&mut Self, &mut Walk) -> io::Result<()>,
    ) -> io::Result<()> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(self, walk))) {
            Ok(result) => result,
            Err(_) => {
                walk.warn(
                    frame,
                    format!("the {} reader failed on this input", kind.name()),
                );
                Ok(())
            }
        }
    }

    /// A compressed stream: its decompressed bytes, sniffed again.
    fn inflate(
        &mut self,
        kind: Kind,
        reader: &mut dyn Read,
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        let fields = compress::HeaderFields::default();
        let decoder = match compress::decoder(kind, reader, &fields) {
            Ok(decoder) => decoder,
            Err(err) => {
                walk.warn(frame, format!("{}: {err}", kind.name()));
                return Ok(());
            }
        };
        let encoding = kind.found_as();
        let mut guard = Guard::new(
            decoder,
            self.options.max_inflated,
            cost(encoding),
            &walk.work,
        );
        let result = self.stream(&mut guard, &frame.inflated(encoding), walk);
        guard.report(kind.name(), frame, walk);
        drop(guard);
        let fields = std::mem::take(&mut *fields.borrow_mut());
        for (what, text) in &fields.fields {
            let label = frame.member(&format!("({what})"), frame.encoding);
            self.metadata(text, 0, &label, walk)?;
        }
        if fields.dropped > 0 {
            walk.warn(
                frame,
                format!(
                    "{}: header text past 1 MiB ({} bytes) was not scanned",
                    kind.name(),
                    fields.dropped
                ),
            );
        }
        result
    }

    /// A member of an archive, named `name`; `inflated_by` names the decompression its bytes
    /// come out of (`deflate`), which is bounded by the inflation limit. Counted and sniffed.
    fn member(
        &mut self,
        reader: &mut dyn Read,
        name: &str,
        inflated_by: Option<Encoding>,
        parent: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        walk.out.members += 1;
        let frame = parent.member(name, inflated_by.unwrap_or(parent.encoding));
        let (limit, cost) = match inflated_by {
            Some(encoding) => (self.options.max_inflated, cost(encoding)),
            None => (u64::MAX, COST_PLAIN),
        };
        let mut guard = Guard::new(reader, limit, cost, &walk.work);
        let result = self.stream(&mut guard, &frame, walk);
        guard.report(inflated_by.map_or("member", Encoding::as_str), &frame, walk);
        result
    }

    /// A zip member known by `key` (`members`): its outcome replayed where it was scanned
    /// before in this scan, else scanned as `member` does and its outcome kept when it owes
    /// nothing to the rest of the item.
    fn member_once(
        &mut self,
        key: Option<MemberKey>,
        reader: &mut dyn Read,
        name: &str,
        inflated_by: Option<Encoding>,
        parent: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        let (Some(cache), Some(key)) = (self.members, key) else {
            return self.member(reader, name, inflated_by, parent, walk);
        };
        let frame = parent.member(name, inflated_by.unwrap_or(parent.encoding));
        let label = frame.member.unwrap_or_default();
        if let Some(outcome) = cache.get(&key) {
            if walk.replay(&outcome, &label, &self.options) {
                return Ok(());
            }
        }
        let mark = walk.mark();
        self.member(reader, name, inflated_by, parent, walk)?;
        if let Some(outcome) = walk.outcome_since(&mark, &label) {
            cache.insert(key, outcome);
        }
        Ok(())
    }

    /// Bytes as they are, with the matcher's own encoded-token searches; offsets from `base`.
    fn plain(
        &mut self,
        reader: &mut dyn Read,
        frame: &Frame,
        base: u64,
        walk: &mut Walk,
    ) -> io::Result<()> {
        self.chunks.set_hit_limit(walk.hits_left());
        let scanned = self.chunks.scan_reader(reader)?;
        if frame.member.is_none() && frame.depth == 0 && base == 0 {
            walk.out.binary = scanned.binary;
        }
        walk.absorb(scanned, frame, base, None);
        Ok(())
    }

    /// A notebook: plain text, each hit placed in its cell.
    fn notebook(
        &mut self,
        reader: &mut dyn Read,
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        let mut tracker = notebook::Tracker::default();
        self.chunks.set_hit_limit(walk.hits_left());
        let scanned = self.chunks.scan_reader(notebook::Tracked {
            inner: reader,
            tracker: &mut tracker,
        })?;
        if frame.member.is_none() && frame.depth == 0 {
            walk.out.binary = scanned.binary;
        }
        let first = walk.out.hits.len();
        walk.absorb(scanned, frame, 0, None);
        for hit in &mut walk.out.hits[first..] {
            hit.cell = tracker.place(hit.offset);
        }
        Ok(())
    }

    /// UTF-16 text, transcoded: lines and columns are the text's, offsets the file's.
    fn utf16(
        &mut self,
        endian: utf16::Endian,
        reader: &mut dyn Read,
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        let mut transcoder = utf16::Transcoder::new(reader, endian);
        self.chunks.set_hit_limit(walk.hits_left());
        let scanned = self.chunks.scan_reader(&mut transcoder)?;
        let first = walk.out.hits.len();
        let text = Frame {
            encoding: endian.found_as(),
            ..frame.clone()
        };
        walk.absorb(scanned, &text, 0, None);
        let single_byte_from = transcoder.single_byte_from();
        for hit in &mut walk.out.hits[first..] {
            // Past a switch to single-byte text, a token was not in UTF-16.
            if single_byte_from.is_some_and(|from| hit.offset >= from) {
                hit.encoding = frame.encoding;
            }
            hit.offset = transcoder.source_offset(hit.offset);
        }
        Ok(())
    }

    /// A container's metadata (a comment, a link target, PAX records), `offset` bytes into it:
    /// scanned on its own as `metadata`.
    fn metadata(
        &mut self,
        bytes: &[u8],
        offset: u64,
        label: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        self.framed_string(
            &mut Cursor::new(bytes),
            bytes.len() as u64,
            offset,
            label,
            Encoding::Metadata,
            walk,
        )?;
        Ok(())
    }

    /// Values a format bounds, as ranges of `bytes`: each scanned on its own (`framed_string`).
    /// `placement` is where `bytes` start in the member, and whether a value's place in them
    /// is its place there too (not for decompressed bytes: every value is then placed at
    /// `bytes`' start). Most pages of values hold no token candidate at all: one search of the
    /// whole says so at once.
    fn framed_values(
        &mut self,
        bytes: &[u8],
        values: &[std::ops::Range<usize>],
        placement: (u64, bool),
        frame: &Frame,
        walk: &mut Walk,
    ) -> io::Result<()> {
        if values.is_empty() || !self.chunks.matcher().may_hold_token(bytes) {
            return Ok(());
        }
        let (base, exact) = placement;
        for range in values {
            let value = &bytes[range.clone()];
            let offset = if exact {
                base + range.start as u64
            } else {
                base
            };
            self.framed_string(
                &mut Cursor::new(value),
                value.len() as u64,
                offset,
                frame,
                frame.encoding,
                walk,
            )?;
        }
        Ok(())
    }

    /// A string a format reader framed (`length` bytes of `reader`, starting at `offset` in
    /// the member): scanned on its own, so the format's bytes around it are no boundary.
    /// Returns false when the stream ended before the declared length.
    fn framed_string(
        &mut self,
        reader: &mut dyn Read,
        length: u64,
        offset: u64,
        frame: &Frame,
        format: Encoding,
        walk: &mut Walk,
    ) -> io::Result<bool> {
        if length <= STRING_IN_MEMORY {
            let mut string = std::mem::take(&mut self.strings);
            string.clear();
            let read = reader.take(length).read_to_end(&mut string)?;
            self.chunks.set_hit_limit(walk.hits_left());
            let scanned = self.chunks.scan_bytes(&string);
            self.strings = string;
            walk.absorb(scanned, frame, offset, Some(format));
            Ok(read as u64 == length)
        } else {
            let mut counted = Counted::new(reader.take(length));
            self.chunks.set_hit_limit(walk.hits_left());
            let scanned = self.chunks.scan_reader(&mut counted)?;
            walk.absorb(scanned, frame, offset, Some(format));
            Ok(counted.count == length)
        }
    }
}

/// For the format readers' tests: the tokens a default content scan of `bytes` finds, with
/// their offsets, each checked to have been found by `expected`.
#[cfg(test)]
fn tokens_found_by(bytes: &[u8], expected: Encoding) -> Vec<(String, u64)> {
    let matcher = crate::detect::matcher::Matcher::new(crate::detect::rules::Rules::builtin())
        .expect("the built-in rules compile");
    let scanned = ContentScanner::new(&matcher, ContentOptions::default()).scan_bytes(bytes);
    scanned
        .hits
        .iter()
        .map(|hit| {
            assert_eq!(hit.encoding, expected);
            (hit.secret.expose().to_string(), hit.offset)
        })
        .collect()
}

/// Fills `buf` unless the stream ends first; how much was read. Format readers read fixed-size
/// headers with it, where a short read is the end of the file, not an error.
fn read_up_to(reader: &mut (impl Read + ?Sized), buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Whether content of `kind` at the top level is scanned as plain bytes, no reader needed.
fn plain_at_top(kind: Kind, archives: bool) -> bool {
    kind == Kind::Plain || (kind.is_container() && !archives)
}

/// Reads up to `HEAD_LEN` bytes (fewer only at the end of the stream).
fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(sniff::HEAD_LEN);
    reader.take(sniff::HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// What one byte a layer of `encoding` produces costs the item's work budget.
fn cost(encoding: Encoding) -> u64 {
    match encoding {
        Encoding::Xz | Encoding::SevenZip => COST_XZ,
        // bzip2 is the slowest decoder; a zip member's other methods (bzip2, lzma, zstd,
        // deflate64) are taken at the slowest's cost.
        Encoding::Bzip2 | Encoding::Zip => COST_SLOW_DECODER,
        Encoding::Pickle
        | Encoding::Marshal
        | Encoding::Numpy
        | Encoding::Sqlite
        | Encoding::Protobuf
        | Encoding::Parquet
        | Encoding::Arrow => COST_FORMAT_WALK,
        _ => COST_PLAIN,
    }
}

/// Counts the bytes read through it; reading a top-level stream adds to its item's budget.
struct Counted<R> {
    inner: R,
    count: u64,
    earns: Option<Rc<Work>>,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            count: 0,
            earns: None,
        }
    }

    fn earning(inner: R, work: Rc<Work>) -> Self {
        Self {
            inner,
            count: 0,
            earns: Some(work),
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count += read as u64;
        if let Some(work) = &self.earns {
            work.earn(read as u64);
        }
        Ok(read)
    }
}

/// Why a guarded stream ended early.
enum Stop {
    Error(io::Error),
    Limit(u64),
    Work,
}

/// A stream a container produced. A decoding error, the inflation limit or the item's spent
/// work budget ends it like an end of file, so what came before is scanned; `report` then
/// says why it ended.
struct Guard<R> {
    inner: R,
    produced: u64,
    limit: u64,
    cost: u64,
    work: Rc<Work>,
    stop: Option<Stop>,
}

impl<R: Read> Guard<R> {
    fn new(inner: R, limit: u64, cost: u64, work: &Rc<Work>) -> Self {
        Self {
            inner,
            produced: 0,
            limit,
            cost,
            work: Rc::clone(work),
            stop: None,
        }
    }

    fn report(&mut self, layer: &str, frame: &Frame, walk: &mut Walk) {
        match self.stop.take() {
            None => {}
            Some(Stop::Limit(limit)) => walk.warn(
                frame,
                format!(
                    "{layer}: stopped after inflating {} (--max-archive-bytes); the rest was \
                     not scanned",
                    crate::collector::human_bytes(limit)
                ),
            ),
            Some(Stop::Error(err)) => walk.warn(
                frame,
                format!("{layer}: {err}; what was read before it was scanned"),
            ),
            // Every stream the spent budget ends stops here; the first one says so.
            Some(Stop::Work) if !self.work.reported.replace(true) => walk.warn(
                frame,
                format!(
                    "{layer}: this item's work budget ({} of output from all its layers, \
                     --max-item-work plus {WORK_PER_ITEM_BYTE} times its size) is spent; the \
                     rest of the item was not scanned",
                    crate::collector::human_bytes(self.work.limit.get())
                ),
            ),
            Some(Stop::Work) => {}
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.is_some() || buf.is_empty() {
            return Ok(0);
        }
        if self.work.is_spent() {
            self.stop = Some(Stop::Work);
            return Ok(0);
        }
        let room = self.limit - self.produced;
        if room == 0 {
            // At the limit: more data means the limit stopped it.
            let mut probe = [0u8; 1];
            if matches!(self.inner.read(&mut probe), Ok(1)) {
                self.stop = Some(Stop::Limit(self.limit));
            }
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        loop {
            match self.inner.read(&mut buf[..want]) {
                Ok(read) => {
                    self.produced += read as u64;
                    self.work.charge((read as u64).saturating_mul(self.cost));
                    return Ok(read);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.stop = Some(Stop::Error(err));
                    return Ok(0);
                }
            }
        }
    }
}

#[cfg(test)]
mod open_file_tests {
    use super::*;
    use crate::testing::{fake_token, Rng};

    /// The tokens a scan of `text`, written to a file and opened as if `fstat` had said
    /// `size`, finds.
    fn found_with_size(text: &str, size: u64) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, text).unwrap();
        let matcher = crate::detect::matcher::Matcher::builtin();
        let mut scanner = ContentScanner::new(&matcher, ContentOptions::default());
        let scanned = scanner
            .scan_open_file(File::open(&path).unwrap(), size)
            .unwrap();
        assert_eq!(scanned.bytes, text.len() as u64, "every byte counted");
        let hits = scanned.hits.iter();
        hits.map(|hit| hit.secret.expose().to_string()).collect()
    }

    /// A first read that brings the whole size is not followed by a read for the end; a file
    /// that reports no size (as under /proc) or grew after it was measured is read to its
    /// end all the same, past the first read's 256 KiB too.
    #[test]
    fn a_file_is_read_to_its_end_whatever_size_it_reported() {
        let mut rng = Rng::new(7);
        let (first, last) = (fake_token(&mut rng), fake_token(&mut rng));
        let small = format!("a = \"{first}\"\nb = \"{last}\"\n");
        let large = format!(
            "a = \"{first}\"\n{}\nb = \"{last}\"\n",
            "x".repeat(600 << 10)
        );
        for text in [&small, &large] {
            let whole = text.len() as u64;
            for size in [whole, 0, whole / 2, 20] {
                assert_eq!(
                    found_with_size(text, size),
                    [first.clone(), last.clone()],
                    "{} bytes opened as {size}",
                    text.len()
                );
            }
        }
    }
}

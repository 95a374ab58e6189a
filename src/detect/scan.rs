//! Runs bytes through the matcher and turns matches into hits with positions.
//!
//! Files are read in bounded chunks, so a multi-gigabyte file costs one chunk of memory. Each
//! chunk keeps the tail of the one before it (`OVERLAP` bytes), so a token that straddles a
//! chunk edge is seen whole; a token is reported by the chunk in which it starts before that
//! chunk's cutoff, so none is reported twice. Line and column are tracked across chunks by
//! counting newlines as the cutoff advances. Content with a NUL byte in its first 8 KiB is
//! binary (as git and ripgrep decide it): it is scanned all the same, and its hits carry a byte
//! offset and no line.

use std::io::{self, Read};

use memchr::{memchr, memchr_iter, memmem, memrchr};

use crate::detect::decode::ENCODED_WINDOW;
use crate::detect::matcher::{Matcher, RawMatch};
use crate::finding::{CellPlace, Encoding, Secret};

/// Bytes of context kept on each side of a token: enough for the longest escape (`\u0022`)
/// or length prefix (8 bytes, GGUF) before it and the boundary byte after it.
const CONTEXT: usize = 8;
/// Bytes each chunk shares with the next: room for the longest token in its base64 form.
const OVERLAP: usize = ENCODED_WINDOW + 2 * CONTEXT;
/// Default chunk size: nearly every source file is one read, and a thread's buffer stays small
/// (each page of it is touched once per thread: a 4 MiB buffer made a 2,845-file tree scan
/// fault in 1,000 more pages, 1 ms of a 31 ms scan, for no fewer reads).
pub const DEFAULT_CHUNK_SIZE: usize = 256 << 10;
/// Content in memory up to this size is scanned whole, in place; larger content is scanned in
/// chunks, so a blob of nothing but tokens does not hold a match for each of them at once.
const WHOLE_LIMIT: usize = 4 << 20;
/// How far around a token to look for an `hf-scan:allow` comment on its line.
const ALLOW_WINDOW: usize = 4096;
pub const ALLOW_MARKER: &[u8] = b"hf-scan:allow";
/// `hf-scan:allow-next-line`: the marker, then this.
const NEXT_LINE_SUFFIX: &[u8] = b"-next-line";

/// A token found in some content, before it becomes a `Finding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    /// The token; its `Debug` redacts, so a hit can be logged or asserted on safely.
    pub secret: Secret,
    pub offset: u64,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub end_column: Option<u64>,
    /// An `hf-scan:allow` comment sits on the token's line.
    pub allowed_inline: bool,
    /// `plain`, or the encoding the token was found in (`base64`, `utf-16le`), or the format
    /// reader that found it (`pickle`, `gzip`, …: set by the content layer).
    pub encoding: Encoding,
    /// Inside a container: the member's path, nesting joined with `!`
    /// (`inner.tar.gz!notes.txt`); set by the content layer.
    pub member: Option<String>,
    /// In a notebook: the cell holding the token; set by the content layer.
    pub cell: Option<CellPlace>,
}

/// What scanning one piece of content produced.
#[derive(Debug, Default)]
pub struct Scanned {
    pub hits: Vec<Hit>,
    pub bytes: u64,
    pub binary: bool,
    /// Archive members scanned inside it (the content layer counts them).
    pub members: u64,
    /// What could not be read inside it, as (member, reason): a limit reached, a corrupt or
    /// encrypted member. The scan of the rest went on; the whole is incomplete.
    pub warnings: Vec<(Option<String>, String)>,
    /// Token occurrences past the scanner's hit limit: counted, not stored.
    pub dropped_hits: u64,
}

/// Token occurrences one top-level item may keep (each is a finding: a path, a member, a
/// line). Past it they are counted, not stored, and the item's scan says so: a file of nothing
/// but tokens (200 MiB of them inflate from a 610 KB gzip) must not exhaust memory.
pub const MAX_ITEM_HITS: usize = 10_000;

/// Scans content from a reader in bounded chunks, reusing one buffer across calls.
pub struct ChunkScanner<'m> {
    matcher: &'m Matcher,
    chunk_size: usize,
    buffer: Vec<u8>,
    /// The most hits one scan keeps (`MAX_ITEM_HITS` unless the content layer says less).
    hit_limit: usize,
}

impl<'m> ChunkScanner<'m> {
    pub fn new(matcher: &'m Matcher) -> Self {
        Self::with_chunk_size(matcher, DEFAULT_CHUNK_SIZE)
    }

    /// `chunk_size` is raised to a few times the overlap, below which chunking would not
    /// make progress.
    pub fn with_chunk_size(matcher: &'m Matcher, chunk_size: usize) -> Self {
        Self {
            matcher,
            chunk_size: chunk_size.max(4 * OVERLAP),
            buffer: Vec::new(),
            hit_limit: MAX_ITEM_HITS,
        }
    }

    pub fn matcher(&self) -> &'m Matcher {
        self.matcher
    }

    /// Keeps at most `limit` hits per scan; the rest are counted in `Scanned::dropped_hits`.
    pub fn set_hit_limit(&mut self, limit: usize) {
        self.hit_limit = limit;
    }

    fn ready_buffer(&mut self) {
        if self.buffer.len() != self.chunk_size {
            // Zeroed once per thread, then reused: reads go straight into it, whole chunks at a
            // time, so a small file costs one read.
            self.buffer = vec![0; self.chunk_size];
        }
    }

    /// Reads the start of `reader` straight into the buffer, at least `min` bytes unless it
    /// ends first, and returns them: the caller sniffs them, then either goes on with
    /// `scan_primed` on the same reader (no byte is copied or read twice) or copies them out.
    pub fn prime(&mut self, reader: &mut impl Read, min: usize) -> io::Result<&[u8]> {
        self.ready_buffer();
        let (filled, _) = fill_until(reader, &mut self.buffer, 0, min)?;
        Ok(&self.buffer[..filled])
    }

    /// Scans what `prime` read (its `primed` bytes) and the rest of `reader` after them.
    pub fn scan_primed(&mut self, reader: impl Read, primed: usize) -> io::Result<Scanned> {
        self.scan_from(reader, primed.min(self.buffer.len()))
    }

    pub fn scan_reader(&mut self, reader: impl Read) -> io::Result<Scanned> {
        self.ready_buffer();
        self.scan_from(reader, 0)
    }

    /// Scans the buffer's first `filled` bytes, then the rest of `reader`.
    fn scan_from(&mut self, mut reader: impl Read, mut filled: usize) -> io::Result<Scanned> {
        let matcher = self.matcher;
        let hit_limit = self.hit_limit;
        let storage = &mut self.buffer;
        let mut scanned = Scanned::default();
        let mut buffer_start: u64 = 0;
        let mut accept_from = 0;
        let mut lines = LineTracker::default();
        let mut first_chunk = true;
        loop {
            let eof;
            (filled, eof) = fill(&mut reader, storage, filled)?;
            let buffer = &storage[..filled];
            if first_chunk {
                scanned.binary = memchr(0, &buffer[..buffer.len().min(8192)]).is_some();
                first_chunk = false;
            }
            let cutoff = if eof {
                buffer.len()
            } else {
                buffer.len() - OVERLAP + CONTEXT
            };
            let binary = scanned.binary;
            matcher.find_in(buffer, accept_from, |found| {
                // An encoded token's match may start a few bytes before the prefix that found
                // it, so both ends are checked: each token belongs to exactly one chunk.
                if found.start < accept_from || found.start >= cutoff {
                    return;
                }
                if scanned.hits.len() >= hit_limit {
                    scanned.dropped_hits += 1;
                    return;
                }
                let secret = secret_of(matcher, &buffer[found.start..found.end], &found);
                let offset = buffer_start + found.start as u64;
                let (line, column, end_column) = if binary {
                    (None, None, None)
                } else {
                    let (line, column) = lines.position_of(buffer, buffer_start, offset);
                    let width = (found.end - found.start) as u64;
                    (Some(line), Some(column), Some(column + width))
                };
                let encoding = encoding_of(&found);
                scanned.hits.push(Hit {
                    rule: found.rule,
                    secret,
                    offset,
                    line,
                    column,
                    end_column,
                    allowed_inline: reviewable(binary, encoding)
                        && allow_marker_on_line(buffer, found.start, found.end),
                    encoding,
                    member: None,
                    cell: None,
                });
            });
            if eof {
                scanned.bytes = buffer_start + buffer.len() as u64;
                return Ok(scanned);
            }
            if !binary {
                lines.position_of(buffer, buffer_start, buffer_start + cutoff as u64);
            }
            let keep_from = filled - OVERLAP;
            storage.copy_within(keep_from..filled, 0);
            filled = OVERLAP;
            buffer_start += keep_from as u64;
            accept_from = CONTEXT;
        }
    }

    /// Scans content already in memory (a git blob); never fails.
    pub fn scan_bytes(&mut self, bytes: &[u8]) -> Scanned {
        // Larger content is scanned in chunks: the same hits, as the chunked-against-whole
        // tests check.
        if bytes.len() > WHOLE_LIMIT.max(self.chunk_size) {
            return self
                .scan_reader(bytes)
                .expect("reading from memory cannot fail");
        }
        let mut scanned = Scanned {
            bytes: bytes.len() as u64,
            binary: memchr(0, &bytes[..bytes.len().min(8192)]).is_some(),
            ..Scanned::default()
        };
        let mut lines = LineTracker::default();
        let (matcher, hit_limit) = (self.matcher, self.hit_limit);
        matcher.find_in(bytes, 0, |found| {
            if scanned.hits.len() >= hit_limit {
                scanned.dropped_hits += 1;
                return;
            }
            let (line, column, end_column) = if scanned.binary {
                (None, None, None)
            } else {
                let (line, column) = lines.position_of(bytes, 0, found.start as u64);
                (
                    Some(line),
                    Some(column),
                    Some(column + (found.end - found.start) as u64),
                )
            };
            let encoding = encoding_of(&found);
            scanned.hits.push(Hit {
                rule: found.rule,
                secret: secret_of(matcher, &bytes[found.start..found.end], &found),
                offset: found.start as u64,
                line,
                column,
                end_column,
                allowed_inline: reviewable(scanned.binary, encoding)
                    && allow_marker_on_line(bytes, found.start, found.end),
                encoding,
                member: None,
                cell: None,
            });
        });
        scanned
    }
}

/// The token of `found`, whose matched text is `matched`, as a `Secret`.
fn secret_of(matcher: &Matcher, matched: &[u8], found: &RawMatch) -> Secret {
    let token = found
        .decoded
        .as_ref()
        .map_or(matched, |(_, token)| token.as_slice());
    // Every rule pattern matches ASCII only, so this is never lossy.
    Secret::new(
        String::from_utf8_lossy(token).into_owned(),
        matcher.rules().get(found.rule).prefix.len(),
    )
}

fn encoding_of(found: &RawMatch) -> Encoding {
    found
        .decoded
        .as_ref()
        .map_or(Encoding::Plain, |(encoding, _)| encoding.found_as())
}

/// Reads into `storage[filled..]` until it is full or the reader is exhausted. Returns the new
/// fill level and whether the reader is at its end.
fn fill(reader: &mut impl Read, storage: &mut [u8], filled: usize) -> io::Result<(usize, bool)> {
    fill_until(reader, storage, filled, storage.len())
}

/// Reads into `storage` after its first `filled` bytes until at least `until` of it hold data
/// (or it is full), each read offered all the room left; true when the reader ended first.
fn fill_until(
    reader: &mut impl Read,
    storage: &mut [u8],
    mut filled: usize,
    until: usize,
) -> io::Result<(usize, bool)> {
    while filled < until.min(storage.len()) {
        match reader.read(&mut storage[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok((filled, false))
}

/// Turns byte offsets into 1-based lines and columns, moving forward only.
#[derive(Debug)]
struct LineTracker {
    /// Absolute offset up to which newlines have been counted.
    counted_to: u64,
    line: u64,
    /// Unicode scalar values between the start of the current line and `counted_to`.
    chars_into_line: u64,
}

impl Default for LineTracker {
    fn default() -> Self {
        Self {
            counted_to: 0,
            line: 1,
            chars_into_line: 0,
        }
    }
}

impl LineTracker {
    /// Line and column of absolute offset `target`; `buffer` holds the bytes from absolute
    /// offset `buffer_start`, including everything between the last target and this one.
    fn position_of(&mut self, buffer: &[u8], buffer_start: u64, target: u64) -> (u64, u64) {
        let from = (self.counted_to - buffer_start) as usize;
        let to = (target - buffer_start) as usize;
        let span = &buffer[from..to];
        match memrchr(b'\n', span) {
            Some(last_newline) => {
                self.line += memchr_iter(b'\n', span).count() as u64;
                self.chars_into_line = count_chars(&span[last_newline + 1..]);
            }
            None => self.chars_into_line += count_chars(span),
        }
        self.counted_to = target;
        (self.line, self.chars_into_line + 1)
    }
}

/// Unicode scalar values in UTF-8 bytes: every byte that is not a continuation byte.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// Whether a reviewer reads a token's line in a diff: plain text, not binary content (shown as
/// "Binary file not shown") nor a run decoded from base64 or UTF-16. Only there does an
/// `hf-scan:allow` marker count; a marker nobody can see must not hide a token.
fn reviewable(binary: bool, encoding: Encoding) -> bool {
    !binary && encoding == Encoding::Plain
}

/// Whether the token at `buffer[start..end]` is allowed inline: an `hf-scan:allow` marker on
/// its own line, or an `hf-scan:allow-next-line` marker on the line just before it (for
/// files where a comment cannot share the token's line, as detect-secrets' `pragma: allowlist
/// nextline`).
fn allow_marker_on_line(buffer: &[u8], start: usize, end: usize) -> bool {
    let window_start = start.saturating_sub(ALLOW_WINDOW);
    let line_start =
        memrchr(b'\n', &buffer[window_start..start]).map_or(window_start, |i| window_start + i + 1);
    let window_end = (end + ALLOW_WINDOW).min(buffer.len());
    let line_end = memchr(b'\n', &buffer[end..window_end]).map_or(window_end, |i| end + i);
    let line = &buffer[line_start..line_end];
    // `hf-scan:allow-next-line` begins with `hf-scan:allow`, but allows the next line only.
    if memmem::find_iter(line, ALLOW_MARKER)
        .any(|at| !line[at + ALLOW_MARKER.len()..].starts_with(NEXT_LINE_SUFFIX))
    {
        return true;
    }
    let Some(previous_end) = line_start.checked_sub(1).filter(|&nl| buffer[nl] == b'\n') else {
        return false;
    };
    let from = previous_end.saturating_sub(ALLOW_WINDOW);
    let previous_start = memrchr(b'\n', &buffer[from..previous_end]).map_or(from, |i| from + i + 1);
    let previous = &buffer[previous_start..previous_end];
    memmem::find_iter(previous, ALLOW_MARKER)
        .any(|at| previous[at + ALLOW_MARKER.len()..].starts_with(NEXT_LINE_SUFFIX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::Rules;
    use crate::testing::{fake_token, Rng};

    fn matcher() -> Matcher {
        Matcher::new(Rules::builtin()).unwrap()
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let token = fake_token(&mut Rng::new(1));
        let text = format!("first\nπ = \"{token}\"\n");
        let m = matcher();
        let hits = ChunkScanner::new(&m).scan_bytes(text.as_bytes()).hits;
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].line, Some(2));
        assert_eq!(hits[0].column, Some(6));
        assert_eq!(hits[0].end_column, Some(6 + 37));
        assert_eq!(hits[0].secret.expose(), token);
    }

    #[test]
    fn tokens_across_chunk_edges_are_found_once_with_right_lines() {
        let m = matcher();
        let mut rng = Rng::new(9);
        let mut text = String::new();
        let mut expected = Vec::new();
        for line in 1..=3000u64 {
            if line % 7 == 0 {
                let token = fake_token(&mut rng);
                let pad = "y".repeat((line % 13) as usize);
                expected.push((line, pad.len() as u64 + 6, token.clone()));
                text.push_str(&format!("{pad}tok=\"{token}\" hf_hub_download\n"));
            } else {
                text.push_str(&"z".repeat((line % 61) as usize));
                text.push('\n');
            }
        }
        let whole = ChunkScanner::new(&m).scan_bytes(text.as_bytes()).hits;
        // Chunk sizes chosen to land edges inside tokens at many offsets.
        for chunk_size in [4 * OVERLAP, 4 * OVERLAP + 17, 5000, 65_537] {
            let scanned = ChunkScanner::with_chunk_size(&m, chunk_size)
                .scan_reader(text.as_bytes())
                .unwrap();
            assert_eq!(scanned.bytes, text.len() as u64);
            assert_eq!(scanned.hits, whole, "chunk size {chunk_size}");
        }
        let found: Vec<_> = whole
            .iter()
            .map(|h| {
                (
                    h.line.unwrap(),
                    h.column.unwrap(),
                    h.secret.expose().to_string(),
                )
            })
            .collect();
        assert_eq!(found, expected);
    }

    /// A reader that hands out at most `step` bytes per read, as a pipe or a slow disk may.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// What `prime` read is scanned once, with the rest after it: the same hits, lines and
    /// byte count as scanning the whole in memory, whatever the read sizes and chunk edges.
    #[test]
    fn a_primed_scan_agrees_with_a_whole_one() {
        let m = matcher();
        let mut rng = Rng::new(11);
        let mut text = String::new();
        for line in 0..400 {
            if line % 9 == 4 {
                text.push_str(&format!("t{line} = \"{}\"\n", fake_token(&mut rng)));
            } else {
                text.push_str(&"w".repeat(line % 70));
                text.push('\n');
            }
        }
        let whole = ChunkScanner::new(&m).scan_bytes(text.as_bytes());
        assert!(!whole.hits.is_empty());
        for (chunk_size, step, min) in [
            (4 * OVERLAP, 5, 512),
            (5000, 4096, 1),
            (65_537, 1 << 20, 512),
        ] {
            let mut scanner = ChunkScanner::with_chunk_size(&m, chunk_size);
            let mut reader = Trickle {
                bytes: text.as_bytes(),
                step,
            };
            let primed = scanner.prime(&mut reader, min).unwrap();
            assert!(
                primed.len() >= min.min(chunk_size),
                "{} bytes primed",
                primed.len()
            );
            assert!(text.as_bytes().starts_with(primed));
            let primed = primed.len();
            let scanned = scanner.scan_primed(&mut reader, primed).unwrap();
            assert_eq!(
                scanned.hits, whole.hits,
                "chunk {chunk_size}, read step {step}"
            );
            assert_eq!(scanned.bytes, text.len() as u64);
        }
    }

    /// A deterministic fuzz: inputs stitched from fragments that stress boundaries, escapes,
    /// base64 prefixes and chunk edges. Chunked reading must agree with reading whole, and
    /// nothing may panic.
    #[test]
    fn chunked_and_whole_scans_agree_on_hostile_input() {
        let m = matcher();
        let mut rng = Rng::new(77);
        let encoded_token = |rng: &mut Rng| {
            let token = fake_token(rng);
            let pad = "xy"[..rng.below(3) as usize % 3].to_string();
            crate::detect::decode::base64_encode(format!("{pad}{token}").as_bytes())
        };
        for round in 0..300 {
            let mut input = Vec::new();
            while input.len() < 6000 {
                match rng.below(13) {
                    0 => input.extend_from_slice(fake_token(&mut rng).as_bytes()),
                    1 => input.extend_from_slice(encoded_token(&mut rng).as_bytes()),
                    2 => input.extend_from_slice(b"hf_"),
                    3 => input.extend_from_slice(b"aGZf"),
                    4 => input.extend_from_slice(b"\\u00"),
                    5 => input.extend_from_slice(b"%2"),
                    6 => input.push(b'\n'),
                    7 => input.push(0),
                    8 => input.extend_from_slice(b"hmXoZlh\0f\0_\0"),
                    11 => input.extend(fake_token(&mut rng).bytes().flat_map(|b| [b, 0])),
                    9 => input.push(0xC3),
                    _ => {
                        let len = rng.below(40) as usize;
                        input.extend(crate::testing::fake_body(&mut rng).bytes().take(len));
                    }
                }
            }
            let whole = ChunkScanner::new(&m).scan_bytes(&input).hits;
            let chunk_size = 4 * OVERLAP + rng.below(900) as usize;
            let chunked = ChunkScanner::with_chunk_size(&m, chunk_size)
                .scan_reader(&input[..])
                .unwrap()
                .hits;
            let only_chunked: Vec<_> = chunked.iter().filter(|h| !whole.contains(h)).collect();
            let only_whole: Vec<_> = whole.iter().filter(|h| !chunked.contains(h)).collect();
            assert!(
                only_chunked.is_empty() && only_whole.is_empty() && chunked.len() == whole.len(),
                "round {round}, chunk size {chunk_size}: only chunked {only_chunked:?}, only whole {only_whole:?}"
            );
        }
    }

    #[test]
    fn binary_content_reports_offsets_not_lines() {
        let m = matcher();
        let token = fake_token(&mut Rng::new(2));
        let mut bytes = vec![0u8, 1, 2, 3];
        bytes.extend_from_slice(token.as_bytes());
        bytes.push(0);
        let scanned = ChunkScanner::new(&m).scan_reader(&bytes[..]).unwrap();
        assert!(scanned.binary);
        assert_eq!(scanned.hits.len(), 1);
        assert_eq!(scanned.hits[0].offset, 4);
        assert_eq!(scanned.hits[0].line, None);
    }

    #[test]
    fn allow_next_line_marker_applies_to_the_next_line_only() {
        let m = matcher();
        let mut rng = Rng::new(31);
        let (a, b, c) = (
            fake_token(&mut rng),
            fake_token(&mut rng),
            fake_token(&mut rng),
        );
        let text = format!(
            "# hf-scan:allow-next-line\nx = \"{a}\"\ny = \"{b}\"\nz = \"{c}\"  # hf-scan:allow-next-line\n"
        );
        let hits = ChunkScanner::new(&m).scan_bytes(text.as_bytes()).hits;
        let allowed: Vec<_> = hits.iter().map(|h| h.allowed_inline).collect();
        assert_eq!(allowed, vec![true, false, false]);
    }

    #[test]
    fn allow_marker_applies_to_its_own_line_only() {
        let m = matcher();
        let mut rng = Rng::new(3);
        let (a, b) = (fake_token(&mut rng), fake_token(&mut rng));
        let text = format!("x = \"{a}\"  # hf-scan:allow\ny = \"{b}\"\n");
        let hits = ChunkScanner::new(&m).scan_bytes(text.as_bytes()).hits;
        let allowed: Vec<_> = hits.iter().map(|h| h.allowed_inline).collect();
        assert_eq!(allowed, vec![true, false]);
    }
}

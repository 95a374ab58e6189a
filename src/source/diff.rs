//! `--diff`: a unified diff on standard input (`git diff | hf-scan --diff`), scanned as the
//! change it is rather than as text. Tokens on *added* lines are reported at their path and
//! line in the new file; removed lines are never reported (a diff that deletes a token fixes
//! a leak). As the gate does for commits, a token removed and added back within one file's
//! hunks is a move, not a new leak.
//!
//! The diff is data: paths come from its `+++` headers (git's C-style quoting undone, `b/`
//! dropped), only as report locations; nothing in it is a command or an option. One line is
//! held at most `MAX_LINE` bytes (the rest is cut, with a warning), one file's added and
//! removed lines at most `MAX_FILE_BYTES` each (the rest is scanned in further blocks; a
//! move is recognised against the removals read before the block that adds the token back).

use std::collections::HashSet;
use std::io::BufRead;

use super::{ScanContext, Source};
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::SourceKind;

/// The longest diff line held; longer ones are cut, with a warning.
const MAX_LINE: usize = 1 << 20;
/// Added lines of one file scanned together at most; more are scanned in further blocks.
const MAX_FILE_BYTES: usize = 16 << 20;

/// Standard input read as a unified diff.
pub struct DiffSource;

impl Source for DiffSource {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let mut sink = EventSink::new(events);
        let mut diff = DiffReader::new(context, &mut sink);
        let mut input = std::io::stdin().lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            let read =
                std::io::Read::take(&mut input, MAX_LINE as u64 + 1).read_until(b'\n', &mut line);
            match read {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) => {
                    diff.sink
                        .send(Event::Warning(format!("standard input: {err}")));
                    break;
                }
            }
            if line.len() > MAX_LINE && !line.ends_with(b"\n") {
                // Skip to the end of this line; what was held is scanned as the line.
                let mut rest = Vec::new();
                let _ = input.read_until(b'\n', &mut rest);
                diff.cut_lines += 1;
            }
            diff.line(&line);
        }
        diff.finish();
        Ok(())
    }
}

/// A file of the diff being read: its path in the new tree, and what its hunks add and remove.
#[derive(Default)]
struct FileChange {
    path: Option<String>,
    /// Added lines, joined, and the new-file line number of each.
    added: Vec<u8>,
    added_lines: Vec<u64>,
    /// Removed lines not yet scanned, and the tokens the scanned ones held (a token among
    /// them that comes back on an added line is a move).
    removed: Vec<u8>,
    removed_tokens: HashSet<String>,
}

struct DiffReader<'c, 's> {
    context: &'c ScanContext<'c>,
    sink: &'s mut EventSink,
    file: FileChange,
    /// The next line number in the new file, inside a hunk.
    new_line: Option<u64>,
    /// Removed and added lines a hunk header announced that are still to come.
    left: (u64, u64),
    cut_lines: u64,
    saw_diff: bool,
}

impl<'c, 's> DiffReader<'c, 's> {
    fn new(context: &'c ScanContext<'c>, sink: &'s mut EventSink) -> Self {
        Self {
            context,
            sink,
            file: FileChange::default(),
            new_line: None,
            left: (0, 0),
            cut_lines: 0,
            saw_diff: false,
        }
    }

    fn line(&mut self, raw: &[u8]) {
        let line = raw.strip_suffix(b"\n").unwrap_or(raw);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let in_hunk = self.new_line.is_some() && (self.left.0 > 0 || self.left.1 > 0);
        if in_hunk {
            match line.first() {
                Some(b'+') => {
                    let number = self.new_line.unwrap_or(1);
                    self.add(&line[1..], number);
                    self.new_line = Some(number + 1);
                    self.left.1 = self.left.1.saturating_sub(1);
                    return;
                }
                Some(b'-') => {
                    if self.file.removed.len() + line.len() > MAX_FILE_BYTES {
                        self.scan_removed();
                    }
                    self.file.removed.extend_from_slice(&line[1..]);
                    self.file.removed.push(b'\n');
                    self.left.0 = self.left.0.saturating_sub(1);
                    return;
                }
                Some(b' ') | None => {
                    self.new_line = self.new_line.map(|n| n + 1);
                    self.left.0 = self.left.0.saturating_sub(1);
                    self.left.1 = self.left.1.saturating_sub(1);
                    return;
                }
                Some(b'\\') => return, // "\ No newline at end of file"
                _ => {}
            }
        }
        if line.starts_with(b"diff --git ") {
            self.finish_file();
            self.saw_diff = true;
        } else if let Some(path) = line.strip_prefix(b"+++ ") {
            // A new file section may come without a `diff --git` line (`diff -u`).
            if self.file.path.is_some() || !self.file.added.is_empty() {
                self.finish_file();
            }
            self.saw_diff = true;
            self.file.path = new_path(path);
            self.new_line = None;
        } else if let Some(header) = line.strip_prefix(b"@@ ") {
            if let Some((removed, start, added)) = hunk_header(header) {
                self.new_line = Some(start);
                self.left = (removed, added);
            }
        } else if line.first() == Some(&b'\\') {
            // "\ No newline at end of file" after a hunk's last line.
        }
    }

    fn add(&mut self, text: &[u8], number: u64) {
        if self.file.added.len() + text.len() > MAX_FILE_BYTES && !self.file.added.is_empty() {
            // One block at a time: the removed lines stay, so moves are still recognised.
            self.scan_added();
        }
        self.file.added.extend_from_slice(text);
        self.file.added.push(b'\n');
        self.file.added_lines.push(number);
    }

    /// Keeps the tokens of the removed lines held so far, and lets the lines go: a file's
    /// removals cost one block of memory however long they are.
    fn scan_removed(&mut self) {
        if self.file.removed.is_empty() {
            return;
        }
        let hits = self.context.scanner().scan_bytes(&self.file.removed).hits;
        self.file
            .removed_tokens
            .extend(hits.iter().map(|hit| hit.secret.hash().to_string()));
        self.file.removed.clear();
    }

    /// Scans what the current file adds so far, reporting each token at its new-file line,
    /// except tokens its removed lines (read so far) held: a move.
    fn scan_added(&mut self) {
        self.scan_removed();
        let added = std::mem::take(&mut self.file.added);
        let lines = std::mem::take(&mut self.file.added_lines);
        let mut scanned = self.context.scanner().scan_bytes(&added);
        let moved = &self.file.removed_tokens;
        scanned
            .hits
            .retain(|hit| !moved.contains(hit.secret.hash()));
        for hit in &mut scanned.hits {
            // The line within the added text becomes the line in the new file.
            hit.line = hit
                .line
                .and_then(|line| lines.get(line.saturating_sub(1) as usize).copied());
        }
        let path = self
            .file
            .path
            .clone()
            .unwrap_or_else(|| crate::source::stdin::STDIN_PATH.to_string());
        self.sink.send(Event::Content {
            origin: Origin::file(SourceKind::Stdin, Some(path.clone()), Some(path)),
            scanned,
        });
    }

    fn finish_file(&mut self) {
        if !self.file.added.is_empty() {
            self.scan_added();
        }
        self.file = FileChange::default();
        self.new_line = None;
        self.left = (0, 0);
    }

    fn finish(mut self) {
        self.finish_file();
        if !self.saw_diff {
            self.sink.send(Event::Warning(
                "--diff: standard input holds no unified diff (no `diff --git` or `+++` line); \
                 nothing was scanned"
                    .into(),
            ));
        }
        if self.cut_lines > 0 {
            self.sink.send(Event::Warning(format!(
                "--diff: {} longer than {} were cut there and only their start scanned",
                crate::collector::plural(self.cut_lines, "line"),
                crate::collector::human_bytes(MAX_LINE as u64)
            )));
        }
    }
}

/// `-a,b +c,d @@ …` → (b, c, d); a count left out is 1.
fn hunk_header(header: &[u8]) -> Option<(u64, u64, u64)> {
    let text = std::str::from_utf8(header).ok()?;
    let mut parts = text.split_whitespace();
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |range: &str| -> Option<(u64, u64)> {
        match range.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let (_, removed) = count(old)?;
    let (start, added) = count(new)?;
    Some((removed, start.max(1), added))
}

/// The path a `+++` header names in the new tree: `b/` dropped, git's quoting undone; `None`
/// for `/dev/null` (a deleted file adds nothing).
fn new_path(header: &[u8]) -> Option<String> {
    // `+++ b/path\t2026-01-01 …` (diff -u puts a date after a tab).
    let header = header.split(|&b| b == b'\t').next().unwrap_or(header);
    let path = if header.first() == Some(&b'"') {
        unquote(header)?
    } else {
        header.to_vec()
    };
    if path == b"/dev/null" {
        return None;
    }
    let path = path.strip_prefix(b"b/").unwrap_or(&path);
    Some(String::from_utf8_lossy(path).into_owned())
}

/// Undoes git's C-style quoting of a path (`"a\tb\303\251"`).
fn unquote(quoted: &[u8]) -> Option<Vec<u8>> {
    let inner = quoted.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        match bytes.next()? {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            digit @ b'0'..=b'3' => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    let next = bytes.next()?;
                    if !(b'0'..=b'7').contains(&next) {
                        return None;
                    }
                    value = value * 8 + u32::from(next - b'0');
                }
                out.push(u8::try_from(value).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_and_paths_are_read_as_git_writes_them() {
        assert_eq!(hunk_header(b"-1,3 +1,4 @@ fn main()"), Some((3, 1, 4)));
        assert_eq!(hunk_header(b"-0,0 +1 @@"), Some((0, 1, 1)));
        assert_eq!(hunk_header(b"-x +1 @@"), None);
        assert_eq!(new_path(b"b/src/app.py").as_deref(), Some("src/app.py"));
        assert_eq!(new_path(b"/dev/null"), None);
        assert_eq!(
            new_path(b"\"b/caf\\303\\251 \\\"x\\\".py\"").as_deref(),
            Some("caf\u{e9} \"x\".py")
        );
        assert_eq!(
            new_path(b"b/notes.txt\t2026-01-01 10:00:00").as_deref(),
            Some("notes.txt")
        );
    }
}

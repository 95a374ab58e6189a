//! Jupyter notebooks: scanned as the text they are (so the file's line and column stay right),
//! while a small streaming JSON structure tracker notes where each cell and each of its parts
//! (`source`, `outputs`, `metadata`, `attachments`) begins, so a finding also says which cell
//! to open in Jupyter and whether the token is in the code or in an output it printed.
//!
//! The tracker reads the bytes as they stream past, keeps a stack of open containers and the
//! current key of the few objects it cares about, and records one transition per cell and part:
//! memory grows with the number of cells, not the notebook's size.

use std::io::{self, Read};

use crate::finding::CellPlace;

/// Keys longer than this are not ones the tracker looks for.
const MAX_KEY: usize = 16;

/// A notebook as Jupyter writes it: a JSON object whose first key is `cells` (nbformat 4 sorts
/// its keys), or one naming `nbformat` early.
pub fn is_notebook(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    if text[start] != b'{' {
        return false;
    }
    let rest = &text[start + 1..];
    let first_key = rest.iter().position(|b| !b.is_ascii_whitespace());
    first_key.is_some_and(|at| rest[at..].starts_with(b"\"cells\""))
        || memchr::memmem::find(text, b"\"nbformat\"").is_some()
}

/// Where a cell or part begins: from `offset` on, bytes belong to cell `cell` (1-based), part
/// `part`; `None` outside every cell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    offset: u64,
    cell: Option<(u32, Option<String>)>,
}

/// Follows the JSON structure of a stream.
#[derive(Default)]
pub struct Tracker {
    offset: u64,
    /// Open containers: `true` for an object.
    stack: Vec<bool>,
    in_string: bool,
    escaped: bool,
    /// Whether the next string in the innermost object is a key.
    expecting_key: bool,
    /// The key being read (first bytes), when it is a key at a depth of interest.
    key: Option<Vec<u8>>,
    /// The last key read at each object depth up to 3.
    keys: [Option<Vec<u8>>; 4],
    cells: u32,
    transitions: Vec<Transition>,
    /// Containers open beyond `MAX_TRACKED_DEPTH` (only counted: nothing that deep is a cell).
    untracked_depth: usize,
    /// Whether `MAX_TRANSITIONS` was reached: later hits get no cell.
    full: bool,
}

/// Nesting tracked container by container; deeper levels are only counted.
const MAX_TRACKED_DEPTH: usize = 64;
/// Cell boundaries and parts recorded per notebook (a million `{},` must not grow memory
/// without bound); past it, hits are placed in no cell.
const MAX_TRANSITIONS: usize = 1 << 20;

impl Tracker {
    /// Records where a cell or part begins or ends, while there is room.
    fn transition(&mut self, offset: u64, cell: Option<(u32, Option<String>)>) {
        if self.full {
            return;
        }
        if self.transitions.len() + 1 >= MAX_TRANSITIONS {
            self.full = true;
            self.transitions.push(Transition { offset, cell: None });
            return;
        }
        self.transitions.push(Transition { offset, cell });
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while let Some((&byte, rest)) = bytes.split_first() {
            // Most of a notebook is the inside of strings that are not keys (code, outputs):
            // nothing there matters but where the string ends, so it is skipped at memchr's
            // speed rather than stepped through byte by byte.
            if self.in_string && !self.escaped && self.key.is_none() {
                let plain = memchr::memchr2(b'"', b'\\', bytes).unwrap_or(bytes.len());
                if plain > 0 {
                    self.offset += plain as u64;
                    bytes = &bytes[plain..];
                    continue;
                }
            }
            self.step(byte);
            self.offset += 1;
            bytes = rest;
        }
    }

    fn depth(&self) -> usize {
        self.stack.len() + self.untracked_depth
    }

    /// Inside the root object's `cells` array, at the level of its elements.
    fn in_cells_array(&self) -> bool {
        self.depth() == 2 && !self.stack[1] && self.keys[1].as_deref() == Some(b"cells".as_slice())
    }

    fn step(&mut self, byte: u8) {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
                if let Some(key) = self.key.take() {
                    self.key_read(key);
                }
            } else if let Some(key) = &mut self.key {
                if key.len() < MAX_KEY {
                    key.push(byte);
                }
            }
            return;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                let is_key = self.expecting_key && self.depth() <= 3;
                self.key = is_key.then(Vec::new);
                self.expecting_key = false;
            }
            b'{' | b'[' => {
                let object = byte == b'{';
                if object && self.in_cells_array() {
                    self.cells = self.cells.saturating_add(1);
                    self.transition(self.offset, Some((self.cells, None)));
                }
                if self.stack.len() < MAX_TRACKED_DEPTH {
                    self.stack.push(object);
                } else {
                    self.untracked_depth += 1;
                }
                self.expecting_key = object;
                let depth = self.depth();
                if let Some(slot) = self.keys.get_mut(depth) {
                    *slot = None;
                }
            }
            b'}' | b']' => {
                if self.untracked_depth > 0 {
                    self.untracked_depth -= 1;
                } else {
                    self.stack.pop();
                }
                if byte == b'}' && self.in_cells_array() {
                    self.transition(self.offset + 1, None);
                }
                self.expecting_key = false;
            }
            b',' => {
                self.expecting_key = self.untracked_depth == 0 && self.stack.last() == Some(&true)
            }
            _ => {}
        }
    }

    fn key_read(&mut self, key: Vec<u8>) {
        let depth = self.depth();
        if depth == 3 && self.cells > 0 {
            let part = String::from_utf8_lossy(&key).into_owned();
            self.transition(self.offset, Some((self.cells, Some(part))));
        }
        if let Some(slot) = self.keys.get_mut(depth) {
            *slot = Some(key);
        }
    }

    /// The cell and part holding the byte at `offset`.
    pub fn place(&self, offset: u64) -> Option<CellPlace> {
        let index = self.transitions.partition_point(|t| t.offset <= offset);
        let (number, part) = self.transitions.get(index.checked_sub(1)?)?.cell.clone()?;
        Some(CellPlace { number, part })
    }
}

/// A reader that shows every byte it passes to a `Tracker`.
pub struct Tracked<'t, R> {
    pub inner: R,
    pub tracker: &'t mut Tracker,
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.tracker.feed(&buf[..read]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Title with \"quotes\" and [brackets] {braces}"]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {"tags": ["x"]},
   "outputs": [{"name": "stdout", "text": ["TOKEN-IN-OUTPUT\n"]}],
   "source": ["TOKEN-IN-SOURCE"]
  }
 ],
 "metadata": {"kernelspec": {"name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    fn place_of(needle: &str) -> Option<CellPlace> {
        let mut tracker = Tracker::default();
        // Fed in small pieces: the tracker must not care where reads end.
        for piece in NOTEBOOK.as_bytes().chunks(7) {
            tracker.feed(piece);
        }
        tracker.place(NOTEBOOK.find(needle).unwrap() as u64)
    }

    /// The skip over string contents records what stepping through every byte records,
    /// wherever reads end (escaped quotes and backslashes at piece boundaries included).
    #[test]
    fn skipping_strings_changes_no_transition() {
        let escapes = NOTEBOOK.replace("TOKEN-IN-SOURCE", r#"a \\\" b \\\\ \" c\\"#);
        for notebook in [NOTEBOOK, escapes.as_str()] {
            let mut stepped = Tracker::default();
            for &byte in notebook.as_bytes() {
                stepped.step(byte);
                stepped.offset += 1;
            }
            for piece in [1, 2, 3, 7, 64, notebook.len()] {
                let mut skipped = Tracker::default();
                for part in notebook.as_bytes().chunks(piece) {
                    skipped.feed(part);
                }
                assert_eq!(
                    skipped.transitions, stepped.transitions,
                    "pieces of {piece}"
                );
                assert_eq!(skipped.offset, stepped.offset);
            }
        }
    }

    #[test]
    fn places_are_cells_and_parts() {
        assert!(is_notebook(NOTEBOOK.as_bytes()));
        assert!(!is_notebook(b"{\"name\": \"package\"}"));
        assert_eq!(
            place_of("TOKEN-IN-OUTPUT"),
            Some(CellPlace {
                number: 2,
                part: Some("outputs".into())
            })
        );
        assert_eq!(
            place_of("TOKEN-IN-SOURCE"),
            Some(CellPlace {
                number: 2,
                part: Some("source".into())
            })
        );
        assert_eq!(
            place_of("Title"),
            Some(CellPlace {
                number: 1,
                part: Some("source".into())
            })
        );
        assert_eq!(place_of("kernelspec"), None);
    }

    /// A notebook of `{},` by the million, or nested a million deep, keeps bounded state
    /// (issue: `{},` x 100M gzipped aborted the run).
    #[test]
    fn floods_of_cells_and_nesting_keep_bounded_state() {
        let mut tracker = Tracker::default();
        tracker.feed(b"{\"cells\": [");
        let flood = b"{},".repeat(MAX_TRANSITIONS);
        tracker.feed(&flood);
        tracker.feed(b"{\"source\": \"late\"}]}");
        assert!(tracker.transitions.len() <= MAX_TRANSITIONS);
        assert_eq!(
            tracker.place(tracker.offset - 5),
            None,
            "past the cap: no cell"
        );
        assert_eq!(
            tracker.place(20).map(|place| place.number),
            Some(4),
            "before the cap, cells are placed"
        );

        let mut deep = Tracker::default();
        deep.feed(&b"[".repeat(1 << 20));
        assert!(deep.stack.len() <= MAX_TRACKED_DEPTH);
        assert_eq!(deep.depth(), 1 << 20);
        deep.feed(&b"]".repeat(1 << 20));
        assert_eq!(deep.depth(), 0);
    }
}

//! The working tree: files under each PATH, walked in parallel.
//!
//! The `ignore` crate's parallel walker does what ripgrep does: it honours `.gitignore`,
//! `.ignore` and git's exclude files (unless `--no-ignore`), and detects symlink loops when
//! `--follow` is on. hf-scan also scans hidden files (a leaked `.env` is hidden) but never enters
//! `.git`, whose objects are `--history`'s business. Each walker thread owns one chunk scanner,
//! so buffers are reused and no file needs its whole size in memory.
//!
//! Ignore files say what git should not pick up, not what is safe: a `.env` force-added with
//! `git add -f` is committed content that `.gitignore` still matches. So inside a git work tree,
//! every file the index tracks under the root that the walk passed over is scanned too.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::SourceKind;
use crate::matcher::Matcher;
use crate::project::ProjectConfig;
use crate::scan::ChunkScanner;

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub follow: bool,
    pub threads: usize,
}

/// Scans a single file given on the command line; its path is reported as given.
pub fn scan_file(path: &Path, matcher: &Matcher, events: &EventSender) {
    let shown = slash_path(path);
    let mut scanner = ChunkScanner::new(matcher);
    send_file(&mut scanner, path, shown, &mut EventSink::new(events));
}

/// Walks `root` (a directory) and scans every file in it; paths are reported relative to it.
pub fn scan_tree(
    root: &Path,
    options: WalkOptions,
    project: &ProjectConfig,
    matcher: &Matcher,
    events: &EventSender,
) {
    // With --follow, a link may lead anywhere: to /proc/self/pagemap (terabytes of zeros),
    // /dev/zero, a FIFO, another user's files. Only links that stay inside the root are
    // followed.
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical_root = canonical_root.as_path();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .parents(!options.no_ignore)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        // Honour .gitignore in a plain directory too, not only inside a git checkout: a user
        // who wrote one means it.
        .require_git(false)
        .follow_links(options.follow)
        .threads(options.threads)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel();
    // The tracked files under the root, when ignore rules are in force and it is a work tree:
    // the walk records what it visited, and what it skipped of these is scanned after it.
    let tracked = if options.no_ignore {
        BTreeSet::new()
    } else {
        tracked_files(root)
    };
    let visited = Mutex::new(HashSet::new());
    walker.run(|| {
        let mut events = EventSink::new(events);
        let mut scanner = ChunkScanner::new(matcher);
        let mut seen = Visited {
            paths: Vec::new(),
            shared: (!tracked.is_empty()).then_some(&visited),
        };
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                // A loop is reported by the walker when --follow meets one; every file in it
                // is still scanned once through its first path.
                Err(err) if is_loop(&err) => return WalkState::Continue,
                Err(err) => {
                    events.send(Event::Warning(err.to_string()));
                    return WalkState::Continue;
                }
            };
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let relative = slash_path(relative);
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if project.is_excluded(&relative, is_dir) {
                events.send(Event::Skipped(1));
                return if is_dir {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if entry.path_is_symlink() {
                if let Some(why) = unfollowable(entry.path(), canonical_root) {
                    events.send(Event::Notice(format!(
                        "{relative}: link not followed: {why}"
                    )));
                    return WalkState::Skip;
                }
            }
            if entry.file_type().is_some_and(|t| t.is_file()) {
                if seen.shared.is_some() {
                    seen.paths.push(relative.clone());
                }
                send_file(&mut scanner, entry.path(), relative, &mut events);
            }
            WalkState::Continue
        })
    });
    let visited = visited.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut events = EventSink::new(events);
    let mut scanner = ChunkScanner::new(matcher);
    for relative in tracked {
        if visited.contains(&relative) || project.is_excluded(&relative, false) {
            continue;
        }
        let path = root.join(&relative);
        // As git checks it out: a regular file (a tracked link is not followed here).
        if path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            send_file(&mut scanner, &path, relative, &mut events);
        }
    }
}

/// A walker thread's record of the files it scanned, handed to the shared set when the
/// thread's closure is dropped (one lock per thread, not per file).
struct Visited<'a> {
    paths: Vec<String>,
    shared: Option<&'a Mutex<HashSet<String>>>,
}

impl Drop for Visited<'_> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared {
            let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.extend(self.paths.drain(..));
        }
    }
}

/// Paths (relative to `root`, `/`-separated) of the files git's index tracks under `root`,
/// each once (a conflicted path has an entry per stage); empty outside a work tree.
fn tracked_files(root: &Path) -> BTreeSet<String> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return BTreeSet::new();
    };
    let (Some(workdir), Ok(index)) = (repo.workdir(), repo.index()) else {
        return BTreeSet::new();
    };
    let (Ok(workdir), Ok(root)) = (workdir.canonicalize(), root.canonicalize()) else {
        return BTreeSet::new();
    };
    let Ok(prefix) = root.strip_prefix(&workdir) else {
        return BTreeSet::new();
    };
    let mut prefix = slash_path(prefix);
    if prefix == "." {
        prefix.clear();
    } else {
        prefix.push('/');
    }
    index
        .iter()
        // Regular and executable files; not links (0o120000) or submodules (0o160000).
        .filter(|entry| entry.mode & 0o170000 == 0o100000)
        .filter_map(|entry| {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            path.strip_prefix(&prefix).map(str::to_string)
        })
        .collect()
}

fn send_file(scanner: &mut ChunkScanner, path: &Path, shown: String, events: &mut EventSink) {
    let event = match File::open(path).and_then(|file| scanner.scan_reader(file)) {
        Ok(scanned) => Event::Content {
            origin: Origin {
                source: SourceKind::File,
                path: Some(shown),
                commit: None,
                tag: None,
            },
            scanned,
        },
        Err(err) => Event::Warning(format!("{shown}: {err}")),
    };
    events.send(event);
}

/// Why a followed link must not be read: it leaves the scanned root, or reaches something
/// that is neither a file nor a directory (a device, a FIFO, a socket).
fn unfollowable(link: &Path, root: &Path) -> Option<&'static str> {
    let Ok(target) = link.canonicalize() else {
        return Some("its target cannot be resolved");
    };
    if !target.starts_with(root) {
        return Some("it leads outside the scanned directory");
    }
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() || meta.is_dir() => None,
        Ok(_) => Some("it leads to a special file"),
        Err(_) => Some("its target cannot be read"),
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => is_loop(err),
        _ => false,
    }
}

/// A path as reports show it: `/`-separated, without a leading `./`.
pub fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let trimmed = text.trim_start_matches("./");
    if trimmed.is_empty() {
        ".".to_string()
    } else {
        trimmed.to_string()
    }
}

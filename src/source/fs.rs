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

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::git::index_file;
use super::{ScanContext, Source};
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::content::ContentScanner;
use crate::finding::SourceKind;

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    pub no_ignore: bool,
    pub follow: bool,
    pub threads: usize,
}

/// A file given on the command line (pre-commit passes the staged files this way); its path is
/// reported as given.
pub struct FileSource<'a>(pub &'a Path);

impl Source for FileSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        scan_file(self.0, context, events);
        Ok(())
    }
}

/// A directory, walked.
pub struct TreeSource<'a> {
    pub root: &'a Path,
    pub walk: WalkOptions,
}

impl Source for TreeSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        context.progress.phase("scanning files", None);
        scan_tree(self.root, self.walk, context, events);
        Ok(())
    }
}

/// Scans a single file; the project's excludes apply to it as to a walked file.
fn scan_file(path: &Path, context: &ScanContext, events: &EventSender) {
    let project = context.project;
    let shown = slash_path(path);
    let in_repo = path
        .parent()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .and_then(work_tree_of)
        .zip(path.file_name())
        .map(|(tree, name)| format!("{}{}", tree.prefix, name.to_string_lossy()));
    let excluded_as = match (&in_repo, project.excludes_from_repo_top) {
        (Some(in_repo), true) => in_repo,
        _ => &shown,
    };
    if project.is_excluded(excluded_as, false) {
        let mut events = EventSink::new(events);
        events.send(Event::Skipped(1));
        if context.verbose {
            let why = project.why_excluded(excluded_as, false);
            events.send(Event::PassedOver { path: shown, why });
        }
        return;
    }
    let mut scanner = context.scanner();
    send_file(
        &mut scanner,
        path,
        shown,
        in_repo,
        &mut EventSink::new(events),
    );
}

/// Walks `root` (a directory) and scans every file in it. Paths are reported as the user can
/// open them (`root` joined with the file's place under it, as ripgrep prints them), and, in a
/// git work tree, also relative to its top (for SARIF, annotations and fingerprints, which must
/// not depend on the PATH the file was reached through).
fn scan_tree(root: &Path, options: WalkOptions, context: &ScanContext, events: &EventSender) {
    let project = context.project;
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
    // In a work tree with ignore rules in force, the walk records what it visited; when the
    // rules hid anything, the tracked files it skipped are scanned after it.
    let work_tree = work_tree_of(root);
    let record_visits = work_tree.is_some() && !options.no_ignore;
    let repo_prefix = work_tree.as_ref().map(|tree| tree.prefix.as_str());
    let shown_prefix = match slash_path(root).as_str() {
        "." => String::new(),
        shown => format!("{}/", shown.trim_end_matches('/')),
    };
    // What exclude_paths match: the path under the root, or from the work tree's top when the
    // config came from there.
    let as_excluded = |relative: &str| match repo_prefix {
        Some(prefix) if project.excludes_from_repo_top => format!("{prefix}{relative}"),
        _ => relative.to_string(),
    };
    let excluded = |relative: &str, is_dir: bool| match repo_prefix {
        Some(prefix) if project.excludes_from_repo_top => {
            project.is_excluded(&format!("{prefix}{relative}"), is_dir)
        }
        _ => project.is_excluded(relative, is_dir),
    };
    let place = |relative: &str| {
        (
            format!("{shown_prefix}{relative}"),
            repo_prefix.map(|prefix| format!("{prefix}{relative}")),
        )
    };
    let visited = Mutex::new(Vec::new());
    let passed_over = Mutex::new(PassedOver::new(context.verbose));
    walker.run(|| {
        let mut events = EventSink::new(events);
        let mut scanner = context.scanner();
        let mut seen = Visited {
            paths: Vec::new(),
            shared: record_visits.then_some(&visited),
            passed_over: PassedOver::new(context.verbose),
            tally: (!options.no_ignore).then_some(&passed_over),
        };
        Box::new(move |entry| {
            if seen.tally.is_some() && entry.as_ref().map_or(true, |entry| entry.depth() > 0) {
                seen.passed_over.handed += 1;
            }
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
            if seen.tally.is_some() {
                seen.passed_over.handed_over(&relative, is_dir);
            }
            if excluded(&relative, is_dir) {
                events.send(Event::Skipped(1));
                if context.verbose {
                    let (shown, _) = place(&relative);
                    events.send(Event::PassedOver {
                        path: if is_dir { format!("{shown}/") } else { shown },
                        why: project.why_excluded(&as_excluded(&relative), is_dir),
                    });
                }
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
            if seen.tally.is_some() && is_dir {
                seen.passed_over.list(entry.path(), &relative);
            }
            if entry.file_type().is_some_and(|t| t.is_file()) {
                let (shown, in_repo) = place(&relative);
                send_file(&mut scanner, entry.path(), shown, in_repo, &mut events);
                if seen.shared.is_some() {
                    seen.paths.push(relative);
                }
            }
            WalkState::Continue
        })
    });
    let visited: Vec<Vec<String>> = visited.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut passed_over = passed_over.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut events = EventSink::new(events);
    let mut scanner = context.scanner();
    // The index is read only when something was hidden: in a clean checkout, every tracked
    // file was handed over (reading an index of 2,849 entries cost 7% of a diffusers scan).
    let tracked = match &work_tree {
        Some(tree) if record_visits && passed_over.hid_something() => {
            tree.tracked().unwrap_or_else(|err| {
                events.send(Event::Warning(format!(
                    "git's index could not be read ({err}): tracked files that ignore rules \
                     match were not scanned (--no-ignore scans every file)"
                )));
                Vec::new()
            })
        }
        _ => Vec::new(),
    };
    // A repository libgit2 cannot open (SHA-256 objects, a newer format) has an index all the
    // same: what the rules hid may be tracked, and was not checked.
    if work_tree.is_none() && !options.no_ignore && passed_over.hid_something() {
        if let Some(why) = unopenable_repository(root) {
            events.send(Event::Warning(format!(
                "the git repository here could not be opened ({why}): tracked files that \
                 ignore rules match were not scanned (--no-ignore scans every file)"
            )));
        }
    }
    // Sorted only when the index was read: most checkouts hide no tracked file.
    let mut visited: Vec<&str> = if tracked.is_empty() {
        Vec::new()
    } else {
        visited.iter().flatten().map(String::as_str).collect()
    };
    visited.sort_unstable();
    for relative in &tracked {
        if visited.binary_search(&relative.as_str()).is_ok() || excluded(relative, false) {
            continue;
        }
        let path = root.join(relative);
        // As git checks it out: a regular file (a tracked link is not followed here).
        if path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            passed_over.scanned_anyway(relative);
            let (shown, in_repo) = place(relative);
            send_file(&mut scanner, &path, shown, in_repo, &mut events);
        }
    }
    if !options.no_ignore {
        passed_over.report(&shown_prefix, &mut events);
    }
}

/// What the walk passed over because of ignore rules (`.gitignore`, `.ignore`, git's exclude
/// files): every directory the walk enters is listed once more, and what the walker did not
/// hand over is what the rules hid. Counted in the summary, and named when the name usually
/// holds credentials: a Dockerfile's `COPY . /app` ships a gitignored `.env.local` all the
/// same. With `--verbose` every name is kept, and every hidden one is listed.
#[derive(Default)]
struct PassedOver {
    /// Keep every name, not only credential-like ones (`--verbose`).
    every_name: bool,
    /// Entries in the directories the walk entered (`.git` aside).
    listed: u64,
    /// Entries the walker handed over below the root (errors included).
    handed: u64,
    /// The directories entered, relative to the root (`.` for the root itself).
    entered: HashSet<String>,
    /// The names kept (see `every_name`) of the entries listed, and of those handed over.
    names_listed: Vec<String>,
    names_handed: Vec<String>,
    /// Ignored files scanned in the second pass because git tracks them.
    tracked_ignored: u64,
}

impl PassedOver {
    fn new(every_name: bool) -> Self {
        PassedOver {
            every_name,
            ..PassedOver::default()
        }
    }

    fn keeps(&self, name: &str) -> bool {
        self.every_name || holds_credentials(name)
    }

    /// An entry the walker handed over (`relative` to the root); a directory's name is kept
    /// with a `/` after it, as `list` keeps it.
    fn handed_over(&mut self, relative: &str, is_dir: bool) {
        if self.keeps(relative) {
            let slash = if is_dir { "/" } else { "" };
            self.names_handed.push(format!("{relative}{slash}"));
        }
    }

    fn list(&mut self, dir: &Path, relative: &str) {
        let Ok(children) = std::fs::read_dir(dir) else {
            return;
        };
        self.entered.insert(relative.to_string());
        for child in children.flatten() {
            let name = child.file_name();
            if name == ".git" {
                continue;
            }
            self.listed += 1;
            let name = name.to_string_lossy();
            if self.keeps(&name) {
                let slash = if child.file_type().is_ok_and(|t| t.is_dir()) {
                    "/"
                } else {
                    ""
                };
                self.names_listed.push(match relative {
                    "." => format!("{name}{slash}"),
                    dir => format!("{dir}/{name}{slash}"),
                });
            }
        }
    }

    fn absorb(&mut self, other: &mut PassedOver) {
        self.listed += other.listed;
        self.handed += other.handed;
        self.entered.extend(other.entered.drain());
        self.names_listed.append(&mut other.names_listed);
        self.names_handed.append(&mut other.names_handed);
    }

    /// Whether the directories listed held entries the walker did not hand over. Counts, so a
    /// file created or deleted during the walk can tip it either way; the tracked files are
    /// then read for nothing, or a hidden one created during the scan is missed (as a file
    /// created after it would be).
    fn hid_something(&self) -> bool {
        self.listed > self.handed
    }

    /// A tracked file found by the second pass: not hidden after all when its directory was
    /// listed (inside an ignored directory, the directory was the one entry counted).
    fn scanned_anyway(&mut self, relative: &str) {
        let dir = relative.rsplit_once('/').map_or(".", |(dir, _)| dir);
        if self.entered.contains(dir) {
            self.tracked_ignored += 1;
            self.names_handed.push(relative.to_string());
        }
    }

    fn report(mut self, shown_prefix: &str, events: &mut EventSink) {
        const NAMED: usize = 10;
        let ignored = self
            .listed
            .saturating_sub(self.handed + self.tracked_ignored);
        if ignored == 0 {
            return;
        }
        events.send(Event::Ignored(ignored));
        let handed: HashSet<String> = self.names_handed.drain(..).collect();
        self.names_listed.sort();
        let hidden: Vec<&String> = self
            .names_listed
            .iter()
            .filter(|path| !handed.contains(*path))
            .collect();
        if self.every_name {
            for path in &hidden {
                events.send(Event::PassedOver {
                    path: format!("{shown_prefix}{path}"),
                    why: "ignore rules (.gitignore, .ignore, git's exclude files; --no-ignore \
                          scans it)"
                        .into(),
                });
            }
        }
        let hidden: Vec<&String> = hidden
            .into_iter()
            .filter(|path| holds_credentials(path))
            .collect();
        for path in hidden.iter().take(NAMED) {
            events.send(Event::Notice(format!(
                "{shown_prefix}{path}: ignored by .gitignore and not scanned, yet images and \
                 archives built from here still ship it (--no-ignore scans it)"
            )));
        }
        if hidden.len() > NAMED {
            events.send(Event::Notice(format!(
                "{} more ignored files with credential-like names were not scanned",
                hidden.len() - NAMED
            )));
        }
    }
}

/// Names that conventionally hold credentials: dotenv files, netrc, git's credential store,
/// the Hugging Face CLI's token files.
fn holds_credentials(path: &str) -> bool {
    // Asked of every entry listed and handed over: compared in place, never lowercased into a
    // new string.
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let starts = |prefix: &[u8]| {
        name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    let ends = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    starts(b".env.")
        || ends(b".env")
        || [
            ".netrc",
            "_netrc",
            ".git-credentials",
            "token",
            "stored_tokens",
        ]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known.as_bytes()))
}

/// A walker thread's record of the files it scanned, handed to the shared list when the
/// thread's closure is dropped (one lock per thread, not per file).
struct Visited<'a> {
    paths: Vec<String>,
    shared: Option<&'a Mutex<Vec<Vec<String>>>>,
    passed_over: PassedOver,
    tally: Option<&'a Mutex<PassedOver>>,
}

impl Drop for Visited<'_> {
    fn drop(&mut self) {
        if let Some(tally) = self.tally {
            let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
            tally.absorb(&mut self.passed_over);
        }
        if let Some(shared) = self.shared {
            let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.push(std::mem::take(&mut self.paths));
        }
    }
}

/// Where a scanned directory sits in a git work tree.
struct WorkTree {
    /// The directory relative to the work tree's top, `/`-separated, ending in `/` (empty at
    /// the top).
    prefix: String,
    repo: git2::Repository,
}

impl WorkTree {
    /// The files git's index tracks under the directory, relative to it, each once (a
    /// conflicted path has an entry per stage), in git's order.
    fn tracked(&self) -> Result<Vec<String>, String> {
        let path = self.repo.path().join("index");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            // No index yet (a repository with nothing added): nothing is tracked.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err.to_string()),
        };
        // SHA-1 ids: libgit2 as built here (without its experimental SHA-256 support) opens no
        // other repository, so a SHA-256 work tree never gets here.
        index_file::tracked_files(&bytes, 20, &self.prefix).map_err(|err| err.to_string())
    }
}

/// Why the repository at or above `dir` cannot be opened, when there is one.
fn unopenable_repository(dir: &Path) -> Option<String> {
    match git2::Repository::discover(dir) {
        Err(err) if err.code() != git2::ErrorCode::NotFound => Some(err.message().to_string()),
        _ => None,
    }
}

fn work_tree_of(dir: &Path) -> Option<WorkTree> {
    let repo = git2::Repository::discover(dir).ok()?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    let mut prefix = slash_path(dir.strip_prefix(&workdir).ok()?);
    if prefix == "." {
        prefix.clear();
    } else {
        prefix.push('/');
    }
    Some(WorkTree { prefix, repo })
}

fn send_file(
    scanner: &mut ContentScanner,
    path: &Path,
    shown: String,
    in_repo: Option<String>,
    events: &mut EventSink,
) {
    // One open and one fstat per file: the size decides --max-file-size and the work budget.
    let opened = File::open(path).and_then(|file| {
        let size = file.metadata()?.len();
        Ok((file, size))
    });
    let opened = match opened {
        Ok((_, size)) if scanner.too_large(size).is_some() => {
            let limit = scanner.too_large(size).unwrap_or_default();
            events.send(Event::TooLarge {
                path: shown,
                bytes: size,
                limit,
            });
            return;
        }
        opened => opened,
    };
    let event = match opened.and_then(|(file, size)| scanner.scan_open_file(file, size)) {
        Ok(scanned) => Event::Content {
            origin: Origin::file(SourceKind::File, Some(shown), in_repo),
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
    let text = path.to_string_lossy();
    // Asked of every entry the walk hands over: copied once, not twice, when it has no backslash.
    let text = if text.contains('\\') {
        std::borrow::Cow::Owned(text.replace('\\', "/"))
    } else {
        text
    };
    let trimmed = text.trim_start_matches("./");
    if trimmed.is_empty() {
        ".".to_string()
    } else {
        trimmed.to_string()
    }
}

//! The working tree: files under each PATH, walked in parallel.
//!
//! The walk (`tree_walk`) honours `.gitignore`, `.ignore` and git's exclude files as ripgrep
//! does (unless `--no-ignore`), tells what they hid, and detects link loops when `--follow` is
//! on. hf-scan also scans hidden files (a leaked `.env` is hidden) but never enters `.git`,
//! whose objects are `--history`'s business. Each walking thread owns one chunk scanner, so
//! buffers are reused and no file needs its whole size in memory.
//!
//! Ignore files say what git should not pick up, not what is safe: a `.env` force-added with
//! `git add -f` is committed content that `.gitignore` still matches. So inside a git work tree,
//! every tracked file the ignore rules hid (or a directory above it) is scanned too.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::git::{common_dir, git_dir_named_by, index_file, read_regular_file};
use super::tree_walk::{self, Entry, Kind, Visitor, WalkRules};
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
    let work_tree = work_tree_of(root);
    let tree = TreeScan {
        // With --follow, a link may lead anywhere: to /proc/self/pagemap (terabytes of
        // zeros), /dev/zero, a FIFO, another user's files. Only links that stay inside the
        // root are followed.
        canonical_root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        context,
        repo_prefix: work_tree.as_ref().map(|tree| tree.prefix.clone()),
        shown_prefix: match slash_path(root).as_str() {
            "." => String::new(),
            shown => format!("{}/", shown.trim_end_matches('/')),
        },
    };
    let rules = WalkRules {
        ignore_files: !options.no_ignore,
        follow: options.follow,
        threads: options.threads,
    };
    let hidden = Mutex::new(Hidden::new(context.verbose));
    tree_walk::walk(root, rules, || TreeVisitor {
        tree: &tree,
        events: EventSink::new(events),
        scanner: context.scanner(),
        hidden: Hidden::new(context.verbose),
        shared: &hidden,
    });
    let mut hidden = hidden.into_inner().unwrap_or_else(|e| e.into_inner());
    hidden.entries.sort_unstable();
    let mut events = EventSink::new(events);
    let mut scanner = context.scanner();
    // The index is read only when the rules hid something: in a clean checkout, every
    // tracked file was scanned (reading an index of 2,849 entries cost 7% of a diffusers scan).
    let tracked = match &work_tree {
        Some(work_tree) if hidden.hid_something() => work_tree.tracked().unwrap_or_else(|err| {
            events.send(Event::Warning(format!(
                "git's index could not be read ({err}): tracked files that ignore rules \
                 match were not scanned (--no-ignore scans every file)"
            )));
            Vec::new()
        }),
        _ => Vec::new(),
    };
    // A repository neither libgit2 nor hf-scan can open (an unknown format) has an index all the
    // same: what the rules hid may be tracked, and was not checked.
    if work_tree.is_none() && hidden.hid_something() {
        if let Some(why) = unopenable_repository(root) {
            events.send(Event::Warning(format!(
                "the git repository here could not be opened ({why}): tracked files that \
                 ignore rules match were not scanned (--no-ignore scans every file)"
            )));
        }
    }
    for relative in &tracked {
        if !hidden.hides(relative) || tree.excluded(relative, false) {
            continue;
        }
        let path = root.join(relative);
        // As git checks it out: a regular file (a tracked link is not followed here).
        if path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            hidden.scanned_anyway(relative);
            let (shown, in_repo) = tree.place(relative);
            send_file(&mut scanner, &path, shown, in_repo, &mut events);
        }
    }
    hidden.report(&tree.shown_prefix, &mut events);
}

/// What every walking thread shares about the tree it scans.
struct TreeScan<'a> {
    canonical_root: PathBuf,
    context: &'a ScanContext<'a>,
    /// Where the root sits in its git work tree (see [`WorkTree::prefix`]).
    repo_prefix: Option<String>,
    /// The root as reports show it, with a `/` after it (empty for `.`).
    shown_prefix: String,
}

impl TreeScan<'_> {
    /// What `exclude_paths` match: the path under the root, or from the work tree's top when
    /// the config came from there.
    fn as_excluded(&self, relative: &str) -> String {
        match &self.repo_prefix {
            Some(prefix) if self.context.project.excludes_from_repo_top => {
                format!("{prefix}{relative}")
            }
            _ => relative.to_string(),
        }
    }

    fn excluded(&self, relative: &str, is_dir: bool) -> bool {
        match &self.repo_prefix {
            Some(prefix) if self.context.project.excludes_from_repo_top => self
                .context
                .project
                .is_excluded(&format!("{prefix}{relative}"), is_dir),
            _ => self.context.project.is_excluded(relative, is_dir),
        }
    }

    /// A file's path as shown, and relative to its work tree's top.
    fn place(&self, relative: &str) -> (String, Option<String>) {
        (
            format!("{}{relative}", self.shown_prefix),
            self.repo_prefix
                .as_ref()
                .map(|prefix| format!("{prefix}{relative}")),
        )
    }
}

/// One walking thread: its scanner, its events, and its share of what the rules hid (handed
/// to the shared tally when the thread ends: one lock per thread, not per entry).
struct TreeVisitor<'a> {
    tree: &'a TreeScan<'a>,
    events: EventSink,
    scanner: ContentScanner<'a>,
    hidden: Hidden,
    shared: &'a Mutex<Hidden>,
}

impl Visitor for TreeVisitor<'_> {
    fn admit(&mut self, entry: &Entry) -> bool {
        let is_dir = entry.kind == Kind::Dir;
        if self.tree.excluded(entry.relative, is_dir) {
            self.events.send(Event::Skipped(1));
            if self.tree.context.verbose {
                let (shown, _) = self.tree.place(entry.relative);
                self.events.send(Event::PassedOver {
                    path: if is_dir { format!("{shown}/") } else { shown },
                    why: self
                        .tree
                        .context
                        .project
                        .why_excluded(&self.tree.as_excluded(entry.relative), is_dir),
                });
            }
            return false;
        }
        if entry.is_link {
            if let Some(why) = unfollowable(entry.path, &self.tree.canonical_root) {
                self.events.send(Event::Notice(format!(
                    "{}: link not followed: {why}",
                    entry.relative
                )));
                return false;
            }
        }
        true
    }

    fn file(&mut self, path: &Path, relative: String) {
        let (shown, in_repo) = self.tree.place(&relative);
        send_file(&mut self.scanner, path, shown, in_repo, &mut self.events);
    }

    fn ignored(&mut self, relative: String, is_dir: bool) {
        self.hidden.entries.push((relative, is_dir));
    }

    fn warning(&mut self, message: String) {
        self.events.send(Event::Warning(message));
    }
}

impl Drop for TreeVisitor<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.entries.append(&mut self.hidden.entries);
    }
}

/// What ignore rules (`.gitignore`, `.ignore`, git's exclude files) hid from the walk: an
/// ignored directory is one entry, not entered. Counted in the summary, and named when the
/// name usually holds credentials: a Dockerfile's `COPY . /app` ships a gitignored
/// `.env.local` all the same. With `--verbose` every hidden entry is listed.
struct Hidden {
    /// List every entry, not only credential-like ones (`--verbose`).
    every_name: bool,
    /// Each entry hidden, relative to the root, and whether it is a directory; sorted once
    /// the walk is over.
    entries: Vec<(String, bool)>,
}

impl Hidden {
    fn new(every_name: bool) -> Self {
        Hidden {
            every_name,
            entries: Vec::new(),
        }
    }

    fn hid_something(&self) -> bool {
        !self.entries.is_empty()
    }

    fn find(&self, relative: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(path, _)| path.as_str().cmp(relative))
    }

    /// Whether the rules hid the file at `relative`, or a directory above it.
    fn hides(&self, relative: &str) -> bool {
        let mut place = relative;
        loop {
            if self.find(place).is_ok() {
                return true;
            }
            match place.rfind('/') {
                Some(slash) => place = &place[..slash],
                None => return false,
            }
        }
    }

    /// A tracked file the second pass scanned: not hidden after all when it was hidden itself
    /// (inside an ignored directory, the directory stays the one entry counted).
    fn scanned_anyway(&mut self, relative: &str) {
        if let Ok(at) = self.find(relative) {
            self.entries.remove(at);
        }
    }

    fn report(self, shown_prefix: &str, events: &mut EventSink) {
        const NAMED: usize = 10;
        if self.entries.is_empty() {
            return;
        }
        events.send(Event::Ignored(self.entries.len() as u64));
        if self.every_name {
            for (path, is_dir) in &self.entries {
                let slash = if *is_dir { "/" } else { "" };
                events.send(Event::PassedOver {
                    path: format!("{shown_prefix}{path}{slash}"),
                    why: "ignore rules (.gitignore, .ignore, git's exclude files; --no-ignore \
                          scans it)"
                        .into(),
                });
            }
        }
        // A directory is not named, whatever its name.
        let named: Vec<&String> = self
            .entries
            .iter()
            .filter(|(path, is_dir)| !is_dir && holds_credentials(path))
            .map(|(path, _)| path)
            .collect();
        for path in named.iter().take(NAMED) {
            events.send(Event::Notice(format!(
                "{shown_prefix}{path}: ignored by .gitignore and not scanned, yet images and \
                 archives built from here still ship it (--no-ignore scans it)"
            )));
        }
        if named.len() > NAMED {
            events.send(Event::Notice(format!(
                "{} more ignored files with credential-like names were not scanned",
                named.len() - NAMED
            )));
        }
    }
}

/// Names that conventionally hold credentials: dotenv files, netrc, git's credential store,
/// the Hugging Face CLI's token files.
fn holds_credentials(path: &str) -> bool {
    // Compared in place, never lowercased into a new string.
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

/// Where a scanned directory sits in a git work tree.
struct WorkTree {
    /// The directory relative to the work tree's top, `/`-separated, ending in `/` (empty at
    /// the top).
    prefix: String,
    /// The git directory, which holds the index.
    git_dir: PathBuf,
    /// The length of an object id: 20 bytes (SHA-1) or 32 (SHA-256).
    id_len: usize,
}

impl WorkTree {
    /// The files git's index tracks under the directory, relative to it, each once (a
    /// conflicted path has an entry per stage), in git's order.
    fn tracked(&self) -> Result<Vec<String>, String> {
        let path = self.git_dir.join("index");
        // A regular file only: a hostile tree's `.git` can name a directory whose `index` is a
        // FIFO, whose read never returns.
        match path.symlink_metadata() {
            Ok(meta) if !meta.is_file() => return Err("not a regular file".into()),
            _ => {}
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            // No index yet (a repository with nothing added): nothing is tracked.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err.to_string()),
        };
        index_file::tracked_files(&bytes, self.id_len, &self.prefix).map_err(|err| err.to_string())
    }
}

/// Why the repository at or above `dir` cannot be opened, when there is one.
fn unopenable_repository(dir: &Path) -> Option<String> {
    match git2::Repository::discover(dir) {
        Err(err) if err.code() != git2::ErrorCode::NotFound => Some(err.message().to_string()),
        _ => None,
    }
}

/// The git work tree `dir` is in, if any. libgit2 finds it; a repository it cannot open (as
/// built here it has no SHA-256 support) is found by [`git_work_tree_above`].
fn work_tree_of(dir: &Path) -> Option<WorkTree> {
    let dir = dir.canonicalize().ok()?;
    let (top, git_dir, id_len) = match git2::Repository::discover(&dir) {
        Ok(repo) => (
            repo.workdir()?.canonicalize().ok()?,
            repo.path().to_path_buf(),
            20,
        ),
        Err(err) if err.code() == git2::ErrorCode::NotFound => return None,
        Err(_) => git_work_tree_above(&dir)?,
    };
    let mut prefix = slash_path(dir.strip_prefix(&top).ok()?);
    if prefix == "." {
        prefix.clear();
    } else {
        prefix.push('/');
    }
    Some(WorkTree {
        prefix,
        git_dir,
        id_len,
    })
}

/// The nearest directory at or above `dir` (canonical) with a `.git` that is a git directory
/// (or a file naming one, `gitdir: …`), its git directory, and its object ids' length from
/// `extensions.objectFormat`; `None` when there is none or its format is unknown.
fn git_work_tree_above(dir: &Path) -> Option<(PathBuf, PathBuf, usize)> {
    for top in dir.ancestors() {
        let Some(git_dir) = top
            .join(".git")
            .symlink_metadata()
            .ok()
            .and_then(|meta| git_dir_named_by(top, meta.file_type()))
        else {
            continue;
        };
        if !git_dir.join("HEAD").is_file() {
            continue;
        }
        // A linked work tree keeps its config in the common directory.
        let common = common_dir(&git_dir);
        let config = read_regular_file(&common.join("config"), 1 << 20).unwrap_or_default();
        let id_len = match object_format(&config).as_deref() {
            None | Some("sha1") => 20,
            Some("sha256") => 32,
            Some(_) => return None,
        };
        return Some((top.to_path_buf(), git_dir, id_len));
    }
    None
}

/// `extensions.objectFormat` in a git config file's text, lowercased.
fn object_format(config: &str) -> Option<String> {
    let mut in_extensions = false;
    let mut format = None;
    for line in config.lines() {
        let line = line.trim();
        if let Some(section) = line.strip_prefix('[') {
            let name = section.split([']', ' ', '"', '.']).next().unwrap_or("");
            in_extensions = name.eq_ignore_ascii_case("extensions");
            continue;
        }
        if !in_extensions {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim().eq_ignore_ascii_case("objectformat") {
                let value = value.split(['#', ';']).next().unwrap_or("");
                format = Some(value.trim().trim_matches('"').to_ascii_lowercase());
            }
        }
    }
    format
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

#[cfg(test)]
mod tests {
    use super::object_format;

    #[test]
    fn the_object_format_is_read_from_the_extensions_section_only() {
        let written_by_git = "[core]\n\trepositoryformatversion = 1\n\tbare = false\n\
                              [extensions]\n\tobjectformat = sha256\n";
        assert_eq!(object_format(written_by_git).as_deref(), Some("sha256"));
        let by_hand = "[Extensions]\nobjectFormat=\"SHA256\" ; a comment\n";
        assert_eq!(object_format(by_hand).as_deref(), Some("sha256"));
        let elsewhere = "[core]\nobjectformat = sha256\n[remote \"extensions\"]\n\
                         objectformat = sha256\n";
        assert_eq!(object_format(elsewhere), None);
        assert_eq!(object_format("[extensions]\nworktreeConfig = true\n"), None);
        assert_eq!(object_format(""), None);
    }
}

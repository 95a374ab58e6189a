//! Git: every commit's history, the index (`--staged`), and commit ranges (`--since`,
//! `--range`).
//!
//! History is scanned in phases, so each expensive step runs once and in parallel:
//! 1. walk every ref (branches, remotes, tags, stash, a detached HEAD) in topological order,
//!    parents first, reading every commit (in parallel) and scanning its message;
//! 2. for each commit, in parallel, list the (path, blob) pairs it introduces: entries that
//!    differ from every parent (so a plain merge introduces nothing, and a conflict resolution
//!    introduces what it wrote), found by comparing each directory with every parent's at
//!    once and skipping a subtree equal to any parent's by id (`trees.rs`); commit messages are
//!    scanned here when libgit2 walked (ranges);
//! 3. in commit order, keep the first (commit, path) at which each blob appears: a blob is
//!    scanned once however many commits and paths carry it, and a renamed or copied file keeps
//!    the commit that first added its content;
//! 4. read and scan the distinct blobs in parallel, by delta family, each family depth-first
//!    and whole on one worker, so each delta is applied once (`lineage.rs`, `pack.rs`);
//! 5. report each token once per (token, path), at the earliest commit, so editing other lines
//!    of a file does not report its token again; a range (`--since`, `--range`, `--pre-push`,
//!    `--github-event`) instead reports every (token, path) a commit of it adds, judged against
//!    the commit's parents (`additions.rs`).
//!
//! The files: `walk.rs` (which commits: refs and ranges), `packed_walk.rs` (the walk of whole
//! histories), `history.rs` (the phases), `trees.rs` (what a commit introduces), `pack.rs`
//! (the pack reader), `lineage.rs` (the order blobs are read in), `additions.rs` (what a
//! range's commit adds), `first_parent.rs` (what a commit deleted), `commit.rs` (commit objects
//! and what a report says of one), `tags.rs` (tag messages), `staged.rs` (`--staged`),
//! `files.rs` (files at a commit, for the project config), `missing.rs` (unreadable objects).
//!
//! Objects are read by hf-scan's own pack reader (`pack.rs`: each object inflated once, delta
//! bases kept while they are needed), and through libgit2 when it cannot read one (a loose
//! object, a damaged pack). Whole histories are walked by hf-scan's workers over that reader,
//! in libgit2's order (`packed_walk.rs`); libgit2 lists the refs, walks ranges and
//! what has grafts or a shallow boundary, and answers the rest (the index, HEAD). Each worker
//! thread has its own reader and repository handle (libgit2 handles are not shared across
//! threads). What cannot be read (a missing object in a partial clone or a damaged
//! repository, commits beyond a shallow boundary) is counted and reported as a warning, never
//! as "clean".

use std::path::{Path, PathBuf};

/// The git directory a work tree's `.git` stands for: `.git` itself when it is a directory (or
/// a link to one), or the directory a `.git` file names (`gitdir: …`, relative to `top`: a
/// linked work tree, a submodule).
pub(crate) fn git_dir_named_by(top: &Path, dot_git: std::fs::FileType) -> Option<PathBuf> {
    let path = top.join(".git");
    if !dot_git.is_file() {
        return Some(path);
    }
    let text = read_regular_file(&path, POINTER_FILE_LIMIT)?;
    let named = text.lines().next()?.strip_prefix("gitdir: ")?.trim_end();
    Some(top.join(named))
}

/// The most read of a file that only names a directory (`.git`, `commondir`).
const POINTER_FILE_LIMIT: u64 = 4096;

/// A file of a work tree or a git directory, read only when it is a regular file (not a link:
/// a hostile tree can point one at `/dev/zero`, or plant a FIFO whose read never returns) of
/// at most `limit` bytes.
pub(crate) fn read_regular_file(path: &Path, limit: u64) -> Option<String> {
    let meta = path.symlink_metadata().ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(std::fs::File::open(path).ok()?, limit),
        &mut text,
    )
    .ok()?;
    Some(text)
}

/// Where a git directory's shared parts are (`config`, `info/exclude`, `objects`): the
/// directory its `commondir` file names (a linked work tree's), or itself.
pub(crate) fn common_dir(git_dir: &Path) -> PathBuf {
    match read_regular_file(&git_dir.join("commondir"), POINTER_FILE_LIMIT) {
        Some(common) => git_dir.join(common.lines().next().unwrap_or("").trim_end()),
        None => git_dir.to_path_buf(),
    }
}

use anyhow::bail;
use git2::Repository;

use super::{ScanContext, Source};
use crate::collector::EventSender;

mod additions;
mod commit;
#[cfg(test)]
mod engine_tests;
mod files;
mod first_parent;
mod history;
pub mod index_file;
mod lineage;
mod missing;
pub(crate) mod pack;
mod packed_walk;
mod staged;
mod tags;
mod trees;
mod walk;

pub use self::commit::commit_info;
pub use self::files::{blob_id_at, CommitTree};
pub use self::history::scan_history;
pub use self::staged::scan_staged;
pub use self::walk::{check_range, resolve};

/// The history of a repository within a range of commits.
pub struct HistorySource<'a> {
    pub gitdir: &'a Path,
    pub range: &'a CommitRange,
}

impl Source for HistorySource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        scan_history(&open(self.gitdir)?, self.range, context, events)
    }
}

/// What `git commit` would record.
pub struct StagedSource<'a>(pub &'a Path);

impl Source for StagedSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        context.progress.phase("scanning the index", None);
        scan_staged(&open(self.0)?, context, events)
    }
}

/// Which commits a history scan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitRange {
    /// Everything reachable from any ref.
    All,
    /// Everything reachable from the refs matching these globs (`--refs refs/heads/*`; `HEAD`
    /// names HEAD).
    Refs(Vec<String>),
    /// Reachable from HEAD, not from this revision (`--since`).
    Since(String),
    /// Reachable from the second, not from the first (`--range A..B`).
    Between(String, String),
    /// What a push to `remote` would add (`--pre-push`): reachable from any local branch or
    /// tag, from HEAD and from `tip`, but from none of the remote's tracking refs.
    Unpushed { remote: String, tip: Option<String> },
}

impl CommitRange {
    /// Whether it is whole histories (every ref, or the chosen refs), where each token is
    /// reported once, at the commit that introduced it; a range judges each commit on its own.
    pub fn is_whole_history(&self) -> bool {
        matches!(self, CommitRange::All | CommitRange::Refs(_))
    }
}

/// libgit2's pack window size, and the most it keeps mapped.
const MWINDOW_BYTES: usize = 8 << 20;

const MWINDOW_MAPPED_BYTES: usize = 48 << 20;

/// Sets libgit2's process-wide options, once. `main` calls it before any thread exists
/// (libgit2 reads these globals without a lock, and `hf-scan hub` opens mirrors from several
/// threads); `open` calls it too, for library users, and later calls do nothing.
pub fn configure_libgit2() {
    static OPTIONS: std::sync::Once = std::sync::Once::new();
    OPTIONS.call_once(|| {
        // Two libgit2 defaults that cost a scan which reads every object once (measured on
        // the benchmark repository, README): re-hashing each object as it is read (a
        // corruption check, which is `git fsck`'s business; a missing object is still an
        // error), and the object cache, which held ~500 MB of parsed trees and commits that
        // are rarely read twice. Without them the history scan runs ~20% faster in a fifth of
        // the memory.
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
        // libgit2 maps pack files in windows of up to 1 GiB and keeps up to 8 GiB mapped;
        // every page it touched counts as this process's memory. Commits, the fallback reads
        // and the report's lookups touch little, so small windows under a small cap keep that
        // bounded.
        // SAFETY: process-wide libgit2 options, set once; `main` gets here before it starts
        // any thread.
        unsafe {
            let _ = git2::opts::set_mwindow_size(MWINDOW_BYTES);
            let _ = git2::opts::set_mwindow_mapped_limit(MWINDOW_MAPPED_BYTES);
        }
    });
}

/// Opens the repository at or above `path` (a working tree, a subdirectory, or a bare repo).
pub fn open(path: &Path) -> anyhow::Result<Repository> {
    configure_libgit2();
    if let Err(err) = path.metadata() {
        bail!("{}: {err}", path.display());
    }
    Repository::discover(path).map_err(|err| {
        anyhow::anyhow!(
            "{} is not in a git repository ({})",
            path.display(),
            err.message()
        )
    })
}

/// The directory whose `.hf-scan.toml` applies: the working tree, or a bare repository's own
/// directory.
pub fn config_root(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or(repo.path()).to_path_buf()
}

/// Reads hostile bytes the way a history scan reads git objects — as a raw tree, a commit, a
/// pack entry's header, and a delta (the first byte says where the base ends) — for the
/// fuzzer (`fuzz/fuzz_targets/git_objects.rs`). Whatever the bytes, it returns.
#[doc(hidden)]
pub fn fuzz_git_objects(data: &[u8]) {
    for entry in trees::entries(data) {
        if entry.is_err() {
            break;
        }
    }
    let _ = commit::parse_commit(data);
    let _ = pack::parse_header(data, u64::from(data.first().copied().unwrap_or(0)) * 1000);
    let split = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let _ = pack::apply_delta(&data[split..], &data[..split]);
    let _ = pack::apply_delta(&data[..split], &data[split..]);
}

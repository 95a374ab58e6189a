//! Git: every commit's history, the index (`--staged`), and commit ranges (`--since`,
//! `--range`).
//!
//! History is scanned in phases, so each expensive step runs once and in parallel:
//! 1. walk every ref (branches, remotes, tags, stash, a detached HEAD) in topological order,
//!    parents first;
//! 2. for each commit, in parallel, list the (path, blob) pairs it introduces: entries that
//!    differ from every parent (so a plain merge introduces nothing, and a conflict resolution
//!    introduces what it wrote), found by comparing each directory with every parent's at
//!    once and skipping a subtree equal to any parent's by id (`trees.rs`); commit messages are
//!    scanned here too;
//! 3. in commit order, keep the first (commit, path) at which each blob appears: a blob is
//!    scanned once however many commits and paths carry it, and a renamed or copied file keeps
//!    the commit that first added its content;
//! 4. read and scan the distinct blobs in parallel, in pack order (`pack.rs`);
//! 5. report each token once per (token, path), at the earliest commit, so editing other lines
//!    of a file does not report its token again.
//!
//! Objects are read by hf-scan's own pack reader (`pack.rs`: each object inflated once, delta
//! bases kept while they are needed), and through libgit2 when it cannot read one (a loose
//! object, a damaged pack). libgit2 walks the refs and answers the rest (the index, ranges,
//! HEAD). Each worker thread has its own reader and repository handle (libgit2 handles are not
//! shared across threads). What cannot be read — a missing object in a partial clone or a damaged repository,
//! commits beyond a shallow boundary — is counted and reported as a warning, never as "clean".

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context};
use git2::{ObjectType, Oid, Repository, Sort, Tree};

use self::additions::{Additions, BlobTokens};
use self::pack::{Kind, PackReader, Packs};
use self::trees::{CommitDiff, TreeReader, MAX_TREE_DEPTH};
use super::{ScanContext, Source};
use crate::collector::content_warnings;
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::content::ContentScanner;
use crate::detect::matcher::Matcher;
use crate::detect::scan::{ChunkScanner, Hit, Scanned};
use crate::finding::{CommitInfo, Introduced, SourceKind, TagInfo};
use crate::project::ProjectConfig;

mod additions;
#[cfg(test)]
mod engine_tests;
mod pack;
mod trees;

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
    /// Reachable from HEAD, not from this revision (`--since`).
    Since(String),
    /// Reachable from the second, not from the first (`--range A..B`).
    Between(String, String),
    /// What a push to `remote` would add (`--pre-push`): reachable from any local branch or
    /// tag, from HEAD and from `tip`, but from none of the remote's tracking refs.
    Unpushed { remote: String, tip: Option<String> },
}

/// How many unreadable objects are named one by one before the rest are only counted.
const MISSING_NAMED: usize = 10;
/// Commits or blobs a worker claims at a time: long runs of neighbours keep its pack cache
/// warm (256 against 32: 4% faster on the diffusers mirror, one hyperfine run).
const WORK_BLOCK: usize = 256;

/// libgit2's pack window size, and the most it keeps mapped.
const MWINDOW_BYTES: usize = 8 << 20;
const MWINDOW_MAPPED_BYTES: usize = 48 << 20;

/// Opens the repository at or above `path` (a working tree, a subdirectory, or a bare repo).
pub fn open(path: &Path) -> anyhow::Result<Repository> {
    // Two libgit2 defaults that cost a scan which reads every object once (measured on the
    // benchmark repository, README): re-hashing each object as it is read (a corruption
    // check, which is `git fsck`'s business; a missing object is still an error), and the
    // object cache, which held ~500 MB of parsed trees and commits that are rarely read twice.
    // Without them the history scan runs ~20% faster in a fifth of the memory.
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(false);
    // libgit2 maps pack files in windows of up to 1 GiB and keeps up to 8 GiB mapped; every
    // page it touched counts as this process's memory. Commits, the fallback reads and the
    // report's lookups touch little, so small windows under a small cap keep that bounded.
    // SAFETY: these set process-wide libgit2 options; no other thread is inside libgit2 yet.
    unsafe {
        let _ = git2::opts::set_mwindow_size(MWINDOW_BYTES);
        let _ = git2::opts::set_mwindow_mapped_limit(MWINDOW_MAPPED_BYTES);
    }
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

/// Resolves the range's revisions now, so a typo is an error before any work starts.
pub fn check_range(repo: &Repository, range: &CommitRange) -> anyhow::Result<()> {
    match range {
        CommitRange::All => Ok(()),
        CommitRange::Since(base) => resolve(repo, "HEAD").and(resolve(repo, base)).map(drop),
        CommitRange::Between(from, to) => resolve(repo, from).and(resolve(repo, to)).map(drop),
        CommitRange::Unpushed { remote, tip } => {
            if !git2::Reference::is_valid_name(&format!("refs/remotes/{remote}/x"))
                || remote.contains(['*', '?', '['])
            {
                bail!("`{remote}` is not a remote name");
            }
            tip.as_deref()
                .map_or(Ok(()), |tip| resolve(repo, tip).map(drop))
        }
    }
}

/// The directory whose `.hf-scan.toml` applies: the working tree, or a bare repository's own
/// directory.
pub fn config_root(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or(repo.path()).to_path_buf()
}

/// The text of the file at `path` (`/`-separated, relative to the root) in `commit`'s tree;
/// `None` when the commit has no file there.
pub fn read_file_at(
    repo: &Repository,
    commit: Oid,
    path: &str,
    limit: u64,
) -> anyhow::Result<Option<String>> {
    let Some(oid) = blob_id_at(repo, commit, path)? else {
        return Ok(None);
    };
    let blob = repo
        .find_blob(oid)
        .map_err(|_| anyhow::anyhow!("not a regular file"))?;
    if blob.size() as u64 > limit {
        bail!("larger than {} KiB", limit >> 10);
    }
    String::from_utf8(blob.content().to_vec())
        .map(Some)
        .map_err(|_| anyhow::anyhow!("not UTF-8 text"))
}

/// The id of the entry at `path` in `commit`'s tree, if there is one.
pub fn blob_id_at(repo: &Repository, commit: Oid, path: &str) -> anyhow::Result<Option<Oid>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|commit| commit.tree())
        .map_err(|err| anyhow::anyhow!("reading commit {commit}: {}", err.message()))?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(entry.id())),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(err) => bail!("{}", err.message()),
    }
}

/// Collects unreadable-object warnings: the first few by id, then a count.
#[derive(Default)]
struct Missing {
    named: Vec<String>,
    count: usize,
}

impl Missing {
    fn record(&mut self, what: &str, oid: Oid, err: &git2::Error) {
        self.count += 1;
        if self.named.len() < MISSING_NAMED {
            self.named.push(format!("{what} {oid}: {}", err.message()));
        }
    }

    fn merge(&mut self, other: Missing) {
        self.count += other.count;
        for warning in other.named {
            if self.named.len() < MISSING_NAMED {
                self.named.push(warning);
            }
        }
    }

    fn send(self, events: &mut EventSink) {
        if self.count == 0 {
            return;
        }
        for warning in self.named {
            events.send(Event::Warning(format!("git object unreadable: {warning}")));
        }
        events.send(Event::Warning(format!(
            "{} git object(s) could not be read (missing from a partial clone or a damaged \
             repository); what they hold was not scanned",
            self.count
        )));
    }
}

/// What one commit introduces, and its scanned message.
struct CommitChanges {
    introduced: CommitDiff,
    message: Scanned,
}

/// A blob's job and one path it appeared at.
type BlobPlace = (usize, String);

/// A distinct blob, where it first appeared, and where it appeared later: at other paths
/// (renames, copies) and, in a range, at the same path again (a re-add).
struct BlobJob {
    oid: Oid,
    path: String,
    commit: usize,
    later: Vec<(usize, String)>,
}

/// Scans the history of `repo` within `range`.
pub fn scan_history(
    repo: &Repository,
    range: &CommitRange,
    context: &ScanContext,
    events: &EventSender,
) -> anyhow::Result<()> {
    let project = context.project;
    let mut sink = EventSink::new(events);
    let shallow = shallow_boundary(repo);
    if !shallow.is_empty() {
        sink.send(Event::Warning(format!(
            "the repository is shallow: history is truncated at {} boundary commit(s); tokens \
             found there are marked \"introduced\": \"at-or-before\", and older history was not \
             scanned (fetch it with `git fetch --unshallow`)",
            shallow.len()
        )));
    }
    context.progress.phase("walking refs", None);
    let commits = walk(repo, range, &mut sink)?;
    let gitdir = repo.path().to_path_buf();
    let packs = Packs::load(&repo.commondir().join("objects"));

    // Phase 2: what each commit introduces, in parallel.
    let changes: Vec<Mutex<Option<CommitChanges>>> =
        commits.iter().map(|_| Mutex::new(None)).collect();
    let missing = Mutex::new(Missing::default());
    context
        .progress
        .phase("comparing commits", Some(commits.len() as u64));
    run_workers(
        commits.len(),
        &gitdir,
        &packs,
        context,
        events,
        |worker, index| {
            worker.sink.send(Event::Commits(1));
            let mut local = Missing::default();
            let found = commit_changes(worker, commits[index], &shallow, project, &mut local);
            let sink = &mut worker.sink;
            if found.introduced.skipped > 0 {
                sink.send(Event::Skipped(found.introduced.skipped));
            }
            if let Some(path) = &found.introduced.too_deep {
                sink.send(Event::Warning(format!(
                    "commit {}: {}…: directories nested deeper than {MAX_TREE_DEPTH} levels \
                     were not scanned",
                    commits[index],
                    path.chars().take(80).collect::<String>()
                )));
            }
            *changes[index].lock().unwrap() = Some(found);
            missing.lock().unwrap().merge(local);
        },
    )?;
    let mut changes: Vec<CommitChanges> = changes
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap()
                .expect("every commit was processed")
        })
        .collect();

    // Phase 3: the first appearance of each blob, in commit order.
    // A blob seen again at another path was renamed or copied: remember the path, so a later
    // edit there is not taken for a new leak.
    // A range keeps every appearance: each commit of it is judged on its own (`additions.rs`).
    let every_appearance = *range != CommitRange::All;
    let mut job_of: HashMap<Oid, usize> = HashMap::new();
    let mut jobs: Vec<BlobJob> = Vec::new();
    // The lists are consumed (their paths move into the jobs): only the messages are needed
    // after this, and a mirror's lists are tens of megabytes.
    for (commit, change) in changes.iter_mut().enumerate() {
        for (path, oid) in std::mem::take(&mut change.introduced.blobs) {
            match job_of.get(&oid) {
                Some(&job) if every_appearance || jobs[job].path != path => {
                    jobs[job].later.push((commit, path));
                }
                Some(_) => {}
                None => {
                    job_of.insert(oid, jobs.len());
                    jobs.push(BlobJob {
                        oid,
                        path,
                        commit,
                        later: Vec::new(),
                    });
                }
            }
        }
    }
    drop(job_of);

    // Phase 4: scan each distinct blob once, in parallel, read in pack order.
    let mut read_order: Vec<usize> = (0..jobs.len()).collect();
    read_order.sort_by_cached_key(|&job| packs.position(jobs[job].oid));
    let scanned: Mutex<Vec<(usize, Scanned)>> = Mutex::new(Vec::new());
    context
        .progress
        .phase("scanning blobs", Some(jobs.len() as u64));
    run_workers(
        jobs.len(),
        &gitdir,
        &packs,
        context,
        events,
        |worker, index| {
            let index = read_order[index];
            let job = &jobs[index];
            let content = match worker.packs.read(job.oid, Kind::Blob) {
                Some(content) => Ok(BlobContent::Packed(content)),
                // Loose, or not readable by the pack reader: libgit2 reads it or says why not.
                None => worker.repo.find_blob(job.oid).map(BlobContent::Loose),
            };
            let (scanner, sink) = (&mut worker.scanner, &mut worker.sink);
            match content {
                Ok(content) => {
                    if every_appearance && is_lfs_pointer(content.bytes()) {
                        sink.send(Event::Notice(format!(
                            "{}: a Git LFS pointer (added in commit {}): its content is not in \
                             git and was not scanned here (`hf-scan hub` fetches LFS objects)",
                            job.path,
                            &commits[job.commit].to_string()[..10]
                        )));
                    }
                    let mut result = scanner.scan_bytes(content.bytes());
                    drop(content);
                    sink.send(Event::Counted {
                        blobs: 1,
                        bytes: result.bytes,
                        members: result.members,
                    });
                    for warning in content_warnings(
                        &format!("{} (blob {})", job.path, job.oid),
                        std::mem::take(&mut result.warnings),
                    ) {
                        sink.send(Event::Warning(warning));
                    }
                    if !result.hits.is_empty() {
                        scanned.lock().unwrap().push((index, result));
                    }
                }
                Err(err) => missing.lock().unwrap().record("blob", job.oid, &err),
            }
        },
    )?;
    missing.into_inner().unwrap().send(&mut sink);

    // Phase 5: one finding per leak, at the earliest commit; blobs and messages together, in
    // commit order, so "earliest" holds across both. A range judges every appearance of a
    // blob with tokens by what that commit adds (`additions.rs`).
    let mut found: Vec<(usize, Option<BlobPlace>, Vec<Hit>)> = Vec::new();
    for (job, result) in scanned.into_inner().unwrap() {
        let first = &jobs[job];
        if every_appearance {
            for (commit, path) in &first.later {
                found.push((*commit, Some((job, path.clone())), result.hits.clone()));
            }
        }
        found.push((first.commit, Some((job, first.path.clone())), result.hits));
    }
    for (commit, change) in changes.iter_mut().enumerate() {
        if !change.message.hits.is_empty() {
            found.push((commit, None, std::mem::take(&mut change.message.hits)));
        }
    }
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut head = HeadTokens::new(repo, context.scanner());
    let mut additions = Additions::new(repo, context.scanner());
    let mut leaks = Leaks::default();
    // What a commit deleted matters only where a token turns up: read for those commits alone.
    let mut deleted_by: HashMap<usize, Vec<String>> = HashMap::new();
    for (commit, place, mut hits) in found {
        let path = place.as_ref().map(|(_, path)| path.clone());
        let source = match place {
            Some(_) => SourceKind::History,
            None => SourceKind::CommitMessage,
        };
        match &place {
            Some((_, path)) if every_appearance => {
                additions.retain_added(commits[commit], path, &mut hits, || {
                    deleted_paths(repo, commits[commit], project)
                });
            }
            Some((job, path)) => {
                for (_, alias) in &jobs[*job].later {
                    for hit in &hits {
                        leaks.record(hit.secret.expose(), Some(alias));
                    }
                }
                let deleted = deleted_by
                    .entry(commit)
                    .or_insert_with(|| deleted_paths(repo, commits[commit], project));
                hits.retain(|hit| leaks.is_new(hit.secret.expose(), Some(path), deleted));
            }
            None => hits.retain(|hit| leaks.is_new(hit.secret.expose(), None, &[])),
        }
        if hits.is_empty() {
            continue;
        }
        // A commit's own message cannot be older than the commit, shallow or not.
        let mut commit = commit_info(repo, commits[commit], &shallow);
        if source == SourceKind::CommitMessage {
            commit.introduced = Introduced::At;
        }
        // Split by whether HEAD still holds each token at this path.
        let (in_head, gone): (Vec<Hit>, Vec<Hit>) = match &path {
            Some(path) => {
                let at_head = head.tokens_at(path);
                hits.into_iter()
                    .partition(|hit| at_head.contains(hit.secret.hash()))
            }
            None => (hits, Vec::new()),
        };
        for (hits, present) in [(in_head, true), (gone, false)] {
            if hits.is_empty() {
                continue;
            }
            sink.send(Event::Findings {
                origin: Origin {
                    source,
                    repo_path: path.clone(),
                    path: path.clone(),
                    commit: Some(commit.clone()),
                    tag: None,
                    in_head: path.is_some().then_some(present),
                },
                hits,
            });
        }
    }
    if *range == CommitRange::All {
        scan_tag_messages(repo, context.matcher, &mut sink);
    }
    Ok(())
}

/// The tokens HEAD's tree holds at a path, read once per path: whether a leak was removed
/// since (it stays in history and every clone either way).
struct HeadTokens<'a> {
    tree: Option<Tree<'a>>,
    tokens: BlobTokens<'a>,
    by_path: HashMap<String, HashSet<String>>,
}

impl<'a> HeadTokens<'a> {
    fn new(repo: &'a Repository, scanner: ContentScanner<'a>) -> Self {
        let tree = repo.head().ok().and_then(|head| head.peel_to_tree().ok());
        Self {
            tree,
            tokens: BlobTokens::new(repo, scanner),
            by_path: HashMap::new(),
        }
    }

    /// The hashes of the tokens in HEAD's version of `path` (none when HEAD lacks the path
    /// or is unborn).
    fn tokens_at(&mut self, path: &str) -> &HashSet<String> {
        if !self.by_path.contains_key(path) {
            let hashes = match &self.tree {
                Some(tree) => self.tokens.at_path(tree, path),
                None => HashSet::new(),
            };
            self.by_path.insert(path.to_string(), hashes);
        }
        &self.by_path[path]
    }
}

/// Tags pointing at tags are followed this far.
const MAX_TAG_CHAIN: usize = 16;

/// Scans the messages of annotated tags (release notes paste tokens too), each tag object once
/// however many refs name it, following tags of tags.
fn scan_tag_messages(repo: &Repository, matcher: &Matcher, sink: &mut EventSink) {
    // Annotated tags live under refs/tags; reading the target of every other ref (a mirror
    // has thousands of refs/pull/*) to learn it is a commit would cost a read each.
    let Ok(references) = repo.references_glob("refs/tags/*") else {
        return;
    };
    let mut scanner = ChunkScanner::new(matcher);
    let mut seen = HashSet::new();
    for reference in references.flatten() {
        let Some(mut oid) = reference.target() else {
            continue;
        };
        for _ in 0..MAX_TAG_CHAIN {
            if !seen.insert(oid) {
                break;
            }
            let Ok(tag) = repo.find_tag(oid) else { break };
            let scanned = scanner.scan_bytes(tag.message_bytes().unwrap_or_default());
            if !scanned.hits.is_empty() {
                let tagger = tag.tagger();
                let info = TagInfo {
                    // The tag object's own name: a tag of a tag keeps its own.
                    name: String::from_utf8_lossy(tag.name_bytes()).into_owned(),
                    id: oid.to_string(),
                    tagger_name: tagger
                        .as_ref()
                        .map(|t| String::from_utf8_lossy(t.name_bytes()).into_owned())
                        .unwrap_or_default(),
                    tagger_email: tagger
                        .as_ref()
                        .map(|t| String::from_utf8_lossy(t.email_bytes()).into_owned())
                        .unwrap_or_default(),
                    date: tagger
                        .as_ref()
                        .map(|t| rfc3339(t.when()))
                        .unwrap_or_default(),
                };
                sink.send(Event::Findings {
                    origin: Origin {
                        source: SourceKind::TagMessage,
                        path: None,
                        repo_path: None,
                        commit: None,
                        tag: Some(info),
                        in_head: None,
                    },
                    hits: scanned.hits,
                });
            }
            oid = tag.target_id();
        }
    }
}

/// The leaks reported so far: for each token, the paths it is known at (`None` for a commit
/// message), in a sorted set, so recording a path and asking whether a deleted file or
/// directory held the token cost a logarithm, not a pass over every known path: one blob at
/// thousands of paths stays linear.
#[derive(Default)]
struct Leaks {
    paths_of: HashMap<String, BTreeSet<Option<String>>>,
}

impl Leaks {
    /// Whether `token` at `path` is a new leak, recording it either way. It is not new if it
    /// was reported at this path, or if this commit deleted a path it was reported at: that is
    /// a move (a rename, perhaps with edits), not a second leak.
    fn is_new(&mut self, token: &str, path: Option<&str>, deleted: &[String]) -> bool {
        let known = self.paths_of.entry(token.to_string()).or_default();
        let key = path.map(str::to_string);
        if known.contains(&key) {
            return false;
        }
        let moved = path.is_some()
            && deleted.iter().any(|gone| {
                let gone = Some(gone.clone());
                if gone.as_deref().is_some_and(|g| g.ends_with('/')) {
                    // A deleted directory: any known path under it.
                    known.range(gone.clone()..).next().is_some_and(|p| {
                        p.as_deref()
                            .zip(gone.as_deref())
                            .is_some_and(|(p, g)| p.starts_with(g))
                    })
                } else {
                    known.contains(&gone)
                }
            });
        known.insert(key);
        !moved
    }

    fn record(&mut self, token: &str, path: Option<&str>) {
        self.paths_of
            .entry(token.to_string())
            .or_default()
            .insert(path.map(str::to_string));
    }
}

/// Scans what `git commit` would record: index blobs that differ from HEAD's tree.
pub fn scan_staged(
    repo: &Repository,
    context: &ScanContext,
    events: &EventSender,
) -> anyhow::Result<()> {
    let project = context.project;
    if repo.is_bare() {
        bail!(
            "--staged needs a working tree; {} is a bare repository",
            repo.path().display()
        );
    }
    let mut sink = EventSink::new(events);
    let index = repo.index().context("reading the git index")?;
    // A repository with no commits yet compares against nothing: everything staged is new.
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree().context("reading HEAD's tree")?),
        Err(err)
            if err.code() == git2::ErrorCode::UnbornBranch
                || err.code() == git2::ErrorCode::NotFound =>
        {
            None
        }
        Err(err) => return Err(err).context("reading HEAD"),
    };
    let diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(&index), None)
        .context("comparing the index with HEAD")?;
    let mut scanner = context.scanner();
    let mut missing = Missing::default();
    for delta in diff.deltas() {
        let file = delta.new_file();
        // Deleted paths have a zero id; intent-to-add entries too.
        if file.id().is_zero() || file.mode() == git2::FileMode::Commit {
            continue;
        }
        let path = file
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        if project.is_excluded(&path, false) {
            sink.send(Event::Skipped(1));
            continue;
        }
        match repo.find_blob(file.id()) {
            Ok(blob) => sink.send(Event::Content {
                origin: Origin::file(SourceKind::Staged, Some(path.clone()), Some(path)),
                scanned: scanner.scan_bytes(blob.content()),
            }),
            Err(err) => missing.record("staged blob", file.id(), &err),
        }
    }
    missing.send(&mut sink);
    Ok(())
}

/// The commits to scan, parents before children.
fn walk(repo: &Repository, range: &CommitRange, sink: &mut EventSink) -> anyhow::Result<Vec<Oid>> {
    let mut walk = repo.revwalk().context("starting the commit walk")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    match range {
        CommitRange::All => {
            let mut tips = 0;
            for reference in repo.references().context("listing refs")? {
                let Ok(reference) = reference else { continue };
                // Tags may point at trees or blobs; only commits have history.
                if let Ok(commit) = reference.peel_to_commit() {
                    walk.push(commit.id())?;
                    tips += 1;
                }
            }
            if let Ok(head) = repo.head() {
                if let Ok(commit) = head.peel_to_commit() {
                    walk.push(commit.id())?;
                    tips += 1;
                }
            }
            if tips == 0 {
                return Ok(Vec::new());
            }
        }
        CommitRange::Since(base) => {
            walk.push(resolve(repo, "HEAD")?)?;
            walk.hide(resolve(repo, base)?)?;
        }
        CommitRange::Between(from, to) => {
            walk.push(resolve(repo, to)?)?;
            walk.hide(resolve(repo, from)?)?;
        }
        CommitRange::Unpushed { remote, tip } => {
            // Globs skip refs that point at no commit; an unborn HEAD is no error here.
            walk.push_glob("refs/heads/*")?;
            walk.push_glob("refs/tags/*")?;
            let _ = walk.push_head();
            if let Some(tip) = tip {
                walk.push(resolve(repo, tip)?)?;
            }
            walk.hide_glob(&format!("refs/remotes/{remote}/*"))?;
        }
    }
    let mut commits = Vec::new();
    for oid in walk {
        match oid {
            Ok(oid) => commits.push(oid),
            Err(err) => {
                sink.send(Event::Warning(format!(
                    "the commit walk stopped early: {}",
                    err.message()
                )));
                break;
            }
        }
    }
    Ok(commits)
}

/// The commit `revision` names.
pub fn resolve(repo: &Repository, revision: &str) -> anyhow::Result<Oid> {
    let object = repo
        .revparse_single(revision)
        .map_err(|err| anyhow::anyhow!("unknown revision `{revision}` ({})", err.message()))?;
    let commit = object
        .peel_to_commit()
        .map_err(|_| anyhow::anyhow!("revision `{revision}` is not a commit"))?;
    Ok(commit.id())
}

/// What each worker thread owns: libgit2 handles are not shared across threads, and its
/// caches stay warm for the neighbours it claims.
struct Worker<'a> {
    repo: Repository,
    packs: PackReader<'a>,
    scanner: ContentScanner<'a>,
    sink: EventSink,
}

/// Resolved pack objects all workers together keep (`PackReader`): delta bases a read in
/// pack order meets again soon.
const PACK_CACHE_BYTES: usize = 48 << 20;

/// Runs `work(worker, index)` for every index below `count` on `context.threads` threads;
/// indexes are claimed in blocks, so a worker handles neighbours (a commit and its parent
/// share trees; blobs near each other in a pack share delta bases).
fn run_workers<'a>(
    count: usize,
    gitdir: &Path,
    packs: &'a Packs,
    context: &ScanContext<'a>,
    events: &EventSender,
    work: impl Fn(&mut Worker<'a>, usize) + Sync,
) -> anyhow::Result<()> {
    let next = AtomicUsize::new(0);
    let threads = context.threads.clamp(1, count.div_ceil(WORK_BLOCK).max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    let mut worker = Worker {
                        repo: Repository::open(gitdir)
                            .with_context(|| format!("opening {}", gitdir.display()))?,
                        packs: PackReader::new(packs, PACK_CACHE_BYTES / threads),
                        scanner: context.scanner(),
                        sink: EventSink::new(events),
                    };
                    loop {
                        let start = next.fetch_add(WORK_BLOCK, Ordering::Relaxed);
                        if start >= count {
                            return Ok(());
                        }
                        let end = (start + WORK_BLOCK).min(count);
                        for index in start..end {
                            work(&mut worker, index);
                        }
                        context.progress.advance((end - start) as u64);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|handle| handle.join().expect("a git worker panicked"))
    })
}

/// The (path, blob) pairs `oid` introduces, and its scanned message.
fn commit_changes(
    worker: &mut Worker,
    oid: Oid,
    shallow: &HashSet<Oid>,
    project: &ProjectConfig,
    missing: &mut Missing,
) -> CommitChanges {
    let mut changes = CommitChanges {
        introduced: CommitDiff::default(),
        message: Scanned::default(),
    };
    let commit = match read_commit(&mut worker.packs, &worker.repo, oid) {
        Ok(commit) => commit,
        Err(err) => {
            missing.record("commit", oid, &err);
            return changes;
        }
    };
    changes.message = worker.scanner.chunks().scan_bytes(&commit.message);
    let odb = match worker.repo.odb() {
        Ok(odb) => odb,
        Err(err) => {
            missing.record("commit", oid, &err);
            return changes;
        }
    };
    let mut parent_trees = Vec::new();
    for &parent_id in &commit.parents {
        let tree = read_commit(&mut worker.packs, &worker.repo, parent_id).and_then(|parent| {
            TreeReader {
                packs: &mut worker.packs,
                odb: &odb,
            }
            .get(parent.tree)
            .map(|_| parent.tree)
        });
        match tree {
            Ok(tree) => parent_trees.push(tree),
            // A shallow boundary's parents are absent by design; that is reported once as the
            // shallow warning, not as missing objects.
            Err(_) if shallow.contains(&oid) => {}
            Err(err) => missing.record("parent commit", parent_id, &err),
        }
    }
    let mut reader = TreeReader {
        packs: &mut worker.packs,
        odb: &odb,
    };
    changes.introduced =
        trees::introduced_blobs(&mut reader, commit.tree, &parent_trees, project, missing);
    changes
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
    let _ = parse_commit(data);
    let _ = pack::parse_header(data, u64::from(data.first().copied().unwrap_or(0)) * 1000);
    let split = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let _ = pack::apply_delta(&data[split..], &data[..split]);
    let _ = pack::apply_delta(&data[..split], &data[split..]);
}

/// Whether a blob is a Git LFS pointer file (the spec's first line; pointers are small).
fn is_lfs_pointer(bytes: &[u8]) -> bool {
    bytes.len() < 1024 && bytes.starts_with(b"version https://git-lfs.github.com/spec/")
}

/// A blob's bytes, held once: the pack reader's, or libgit2's.
enum BlobContent<'r> {
    Packed(Rc<Vec<u8>>),
    Loose(git2::Blob<'r>),
}

impl BlobContent<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Packed(content) => content,
            Self::Loose(blob) => blob.content(),
        }
    }
}

/// What phase 2 needs of a commit.
struct CommitObject {
    tree: Oid,
    parents: Vec<Oid>,
    message: Vec<u8>,
}

/// The commit `oid`, from the packs, else through libgit2 (loose objects, grafts, and what
/// the pack reader cannot read).
fn read_commit(
    packs: &mut PackReader,
    repo: &Repository,
    oid: Oid,
) -> Result<CommitObject, git2::Error> {
    if let Some(commit) = packs
        .read(oid, Kind::Commit)
        .and_then(|raw| parse_commit(&raw))
    {
        return Ok(commit);
    }
    let commit = repo.find_commit(oid)?;
    Ok(CommitObject {
        tree: commit.tree_id(),
        parents: commit.parent_ids().collect(),
        message: commit.message_bytes().to_vec(),
    })
}

/// A raw commit's tree, parents and message (leading blank lines skipped, as libgit2 gives
/// it); `None` when it is not shaped like one.
fn parse_commit(raw: &[u8]) -> Option<CommitObject> {
    let (headers, message) = match memchr::memmem::find(raw, b"\n\n") {
        Some(end) => (&raw[..end], &raw[end + 2..]),
        None => (raw, &[][..]),
    };
    let hex_id = |hex: &[u8]| -> Option<Oid> {
        (hex.len() == 40)
            .then(|| Oid::from_str(std::str::from_utf8(hex).ok()?).ok())
            .flatten()
    };
    let mut lines = headers.split(|&byte| byte == b'\n');
    let tree = hex_id(lines.next()?.strip_prefix(b"tree ")?)?;
    let mut parents = Vec::new();
    for line in lines {
        match line.strip_prefix(b"parent ") {
            Some(id) => parents.push(hex_id(id)?),
            None => break,
        }
    }
    let skip = message.iter().take_while(|&&byte| byte == b'\n').count();
    Some(CommitObject {
        tree,
        parents,
        message: message[skip..].to_vec(),
    })
}

/// The paths `oid` deletes relative to its first parent (directories end in `/`): a token
/// that turns up at a new path in the same commit moved, it did not leak again.
fn deleted_paths(repo: &Repository, oid: Oid, project: &ProjectConfig) -> Vec<String> {
    repo.find_commit(oid)
        .map(|commit| first_parent_diff(repo, &commit, project).1)
        .unwrap_or_default()
}

/// libgit2's comparison of `commit` with its first parent: the (path, blob) pairs that differ,
/// and the paths it deletes. The first engine's phase 2 (before merges were filtered), kept for
/// what a commit deleted, and as the reference the new engine is tested against.
fn first_parent_diff(
    repo: &Repository,
    commit: &git2::Commit,
    project: &ProjectConfig,
) -> (Vec<(String, Oid)>, Vec<String>) {
    let Ok(tree) = commit.tree() else {
        return Default::default();
    };
    let first_parent = commit.parent(0).ok().and_then(|parent| parent.tree().ok());
    let (mut introduced, mut deleted, mut skipped, mut too_deep) =
        (Vec::new(), Vec::new(), 0, None);
    // Unreadable objects were counted when the commit was first compared.
    let mut missing = Missing::default();
    differing_blobs(
        repo,
        tree,
        first_parent,
        project,
        &mut TreeChanges {
            introduced: &mut introduced,
            deleted: &mut deleted,
            skipped: &mut skipped,
            too_deep: &mut too_deep,
            missing: &mut missing,
        },
    );
    (introduced, deleted)
}

/// Where `differing_blobs` puts what it finds.
struct TreeChanges<'a> {
    introduced: &'a mut Vec<(String, Oid)>,
    deleted: &'a mut Vec<String>,
    skipped: &'a mut u64,
    /// The first directory found nested deeper than `MAX_TREE_DEPTH`.
    too_deep: &'a mut Option<String>,
    missing: &'a mut Missing,
}

/// Blobs in `new` that `old` does not have at the same path, and paths of `old` that `new`
/// lacks; identical subtrees are skipped by id, which is what makes a walk of every commit
/// affordable. Iterative, with an explicit stack of directories: a tree thousands of levels
/// deep is a warning, never a stack overflow. Entries come out in the order a recursive walk
/// gives (each directory's entries in tree order, a subdirectory's before its next sibling),
/// which keeps the blobs' read order close to the pack's.
fn differing_blobs(
    repo: &Repository,
    new: Tree<'_>,
    old: Option<Tree<'_>>,
    project: &ProjectConfig,
    found: &mut TreeChanges,
) {
    struct Directory<'r> {
        new: Tree<'r>,
        old: Option<Tree<'r>>,
        prefix: String,
        next: usize,
    }
    let mut stack = vec![Directory {
        new,
        old,
        prefix: String::new(),
        next: 0,
    }];
    while let Some(top) = stack.last_mut() {
        if top.next >= top.new.len() {
            // Done with this directory: what its old version had and it lacks was deleted.
            let done = stack.pop().expect("the top of the stack");
            if let Some(old) = &done.old {
                for entry in old.iter() {
                    if done.new.get_name_bytes(entry.name_bytes()).is_none() {
                        let mut gone = format!(
                            "{}{}",
                            done.prefix,
                            String::from_utf8_lossy(entry.name_bytes())
                        );
                        if entry.kind() == Some(ObjectType::Tree) {
                            gone.push('/');
                        }
                        found.deleted.push(gone);
                    }
                }
            }
            continue;
        }
        let index = top.next;
        top.next += 1;
        // Tree entries borrow their tree (and drop late): read what is needed, then let go.
        let (path, id, kind, old_tree_id) = {
            let entry = top.new.get(index).expect("index below the tree's length");
            let old_entry = top
                .old
                .as_ref()
                .and_then(|old| old.get_name_bytes(entry.name_bytes()));
            let (id, kind) = (entry.id(), entry.kind());
            if old_entry.as_ref().is_some_and(|old| old.id() == id) {
                continue;
            }
            if kind != Some(ObjectType::Tree) && kind != Some(ObjectType::Blob) {
                // Submodules (gitlinks) are not followed.
                continue;
            }
            let path = format!(
                "{}{}",
                top.prefix,
                String::from_utf8_lossy(entry.name_bytes())
            );
            let old_tree_id = old_entry
                .filter(|old| old.kind() == Some(ObjectType::Tree))
                .map(|old| old.id());
            (path, id, kind, old_tree_id)
        };
        let is_dir = kind == Some(ObjectType::Tree);
        if project.is_excluded(&path, is_dir) {
            *found.skipped += 1;
            continue;
        }
        if !is_dir {
            found.introduced.push((path, id));
            continue;
        }
        if stack.len() >= MAX_TREE_DEPTH {
            found.too_deep.get_or_insert(path);
            continue;
        }
        let old_subtree = old_tree_id.and_then(|old| repo.find_tree(old).ok());
        match repo.find_tree(id) {
            Ok(subtree) => stack.push(Directory {
                new: subtree,
                old: old_subtree,
                prefix: path + "/",
                next: 0,
            }),
            Err(err) => found.missing.record("tree", id, &err),
        }
    }
}

/// Commits at which a shallow clone's history is cut.
fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}

pub(crate) fn commit_info(repo: &Repository, oid: Oid, shallow: &HashSet<Oid>) -> CommitInfo {
    let introduced = if shallow.contains(&oid) {
        Introduced::AtOrBefore
    } else {
        Introduced::At
    };
    let Ok(commit) = repo.find_commit(oid) else {
        return CommitInfo {
            id: oid.to_string(),
            author_name: String::new(),
            author_email: String::new(),
            date: String::new(),
            summary: String::new(),
            introduced,
        };
    };
    let author = commit.author();
    CommitInfo {
        id: oid.to_string(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        date: rfc3339(author.when()),
        summary: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        introduced,
    }
}

/// A git timestamp as RFC 3339 in the author's own offset: `2024-05-01T09:30:00+02:00`.
fn rfc3339(time: git2::Time) -> String {
    let offset = i64::from(time.offset_minutes());
    let local = time.seconds() + offset * 60;
    let days = local.div_euclid(86_400);
    let seconds_of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60,
        seconds_of_day % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_keeps_the_authors_offset() {
        assert_eq!(rfc3339(git2::Time::new(0, 0)), "1970-01-01T00:00:00+00:00");
        // 2024-02-29T23:30:00Z seen from UTC+02:00 is the next day.
        assert_eq!(
            rfc3339(git2::Time::new(1_709_249_400, 120)),
            "2024-03-01T01:30:00+02:00"
        );
        assert_eq!(
            rfc3339(git2::Time::new(1_709_249_400, -330)),
            "2024-02-29T18:00:00-05:30"
        );
    }
}

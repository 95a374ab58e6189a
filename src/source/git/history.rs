//! The history scan's phases (the module above says what each does and why): commits compared
//! in parallel, each distinct blob scanned once in pack order, then one finding per leak at the
//! earliest commit, or, in a range, per commit that adds it (`additions.rs`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use git2::{Oid, Repository, Tree};

use super::additions::{Additions, BlobTokens};
use super::commit::{commit_info, read_commit};
use super::first_parent::deleted_paths;
use super::lineage::read_plan;
use super::missing::Missing;
use super::pack::{Kind, PackReader, Packs};
use super::packed_walk::{PackedWalk, Walked};
use super::tags::scan_tag_messages;
use super::trees::{self, CommitDiff, TreeReader, MAX_TREE_DEPTH};
use super::walk::walk;
use super::CommitRange;
use crate::collector::content_warnings;
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::content::ContentScanner;
use crate::detect::scan::{Hit, Scanned};
use crate::finding::{Introduced, SourceKind};
use crate::project::ProjectConfig;
use crate::source::ScanContext;

/// What one commit introduces, and the tokens in its message (only the hits are kept: a
/// mirror has a CommitChanges per commit, 160,777 of them for rails/rails).
struct CommitChanges {
    introduced: CommitDiff,
    message_hits: Vec<Hit>,
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
    // Grafts rewrite parents, and libgit2's walk honours them: commits they cut off are never
    // walked. Never silently.
    let grafts = std::fs::read_to_string(repo.commondir().join("info/grafts")).unwrap_or_default();
    let grafted = grafts
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .count();
    if grafted > 0 {
        sink.send(Event::Warning(format!(
            "the repository has grafts (.git/info/grafts, {grafted} line(s)): they rewrite \
             parents, and history they cut off was not scanned (remove the file, or convert it \
             with `git replace --convert-graft-file`, to scan it)"
        )));
    }
    context.progress.phase("walking refs", None);
    // libgit2 lists the refs (and walks what hf-scan's walk does not), mapping the pack index
    // and windows of the pack for it; a handle of its own, dropped as soon as it is done, lets
    // those go before the phases that hold the most (on rails/rails ~80 MB of the peak).
    let packs = Packs::load(&repo.commondir().join("objects"));
    // hf-scan's reader walks whole histories (libgit2's order, each commit's tree kept);
    // grafts and a shallow boundary rewrite parents, which libgit2's walk knows how to honour.
    let own_walk = shallow.is_empty() && grafted == 0;
    let PackedWalk {
        commits,
        read: walked,
    } = {
        let walker = Repository::open(repo.path())
            .with_context(|| format!("opening {}", repo.path().display()))?;
        walk(
            walker,
            range,
            &mut sink,
            own_walk.then_some((&packs, context)),
        )?
    };
    if commits.is_empty() {
        // Said, so that "0 findings" is not read as a scan of something.
        sink.send(Event::Notice(match range {
            CommitRange::All => "the repository has no commits: nothing to scan".to_string(),
            _ => "the range holds no commits: nothing to scan".to_string(),
        }));
    }
    let gitdir = repo.path().to_path_buf();

    // Phase 2: what each commit introduces, in parallel.
    let changes: Vec<Mutex<Option<CommitChanges>>> =
        commits.iter().map(|_| Mutex::new(None)).collect();
    let missing = Mutex::new(Missing::default());
    context
        .progress
        .phase("comparing commits", Some(commits.len() as u64));
    run_workers(
        &fixed_blocks(commits.len()),
        PACK_CACHE_BYTES,
        &gitdir,
        &packs,
        context,
        events,
        |worker, index| {
            worker.sink.send(Event::Commits(1));
            let mut local = Missing::default();
            let found = commit_changes(
                worker,
                commits[index],
                &walked,
                &shallow,
                project,
                &mut local,
            );
            let sink = &mut worker.sink;
            if !found.introduced.skipped.is_empty() {
                sink.send(Event::Skipped(found.introduced.skipped.len() as u64));
            }
            if context.verbose {
                for (path, is_dir) in &found.introduced.skipped {
                    sink.send(Event::PassedOver {
                        path: format!(
                            "{path}{} (commit {})",
                            if *is_dir { "/" } else { "" },
                            &commits[index].to_string()[..10]
                        ),
                        why: project.why_excluded(path, *is_dir),
                    });
                }
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

    // What the walk read of each commit is all in the changes now.
    drop(walked);

    // Phase 3: the first appearance of each blob, in commit order.
    // A blob seen again at another path was renamed or copied: remember the path, so a later
    // edit there is not taken for a new leak.
    // A range keeps every appearance: each commit of it is judged on its own (`additions.rs`).
    let every_appearance = !range.is_whole_history();
    let mut job_of: HashMap<Oid, usize> = HashMap::new();
    let mut jobs: Vec<BlobJob> = Vec::new();
    // The changes are consumed here (their paths move into the jobs, a mirror's lists are tens
    // of megabytes): what the phases after this need of a commit is its message's hits, and
    // the rest is let go before the blobs are read.
    let mut message_hits: HashMap<usize, Vec<Hit>> = HashMap::new();
    for (commit, slot) in changes.into_iter().enumerate() {
        let change = slot
            .into_inner()
            .unwrap()
            .expect("every commit was processed");
        if !change.message_hits.is_empty() {
            message_hits.insert(commit, change.message_hits);
        }
        for (path, oid) in change.introduced.blobs {
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

    // Phase 4: scan each distinct blob once, in parallel, read by delta family (`lineage.rs`).
    let positions: Vec<_> = jobs.iter().map(|job| packs.position(job.oid)).collect();
    let plan = read_plan(&mut PackReader::new(&packs, 0), &positions, WORK_BLOCK);
    let scanned: Mutex<Vec<(usize, Scanned)>> = Mutex::new(Vec::new());
    context
        .progress
        .phase("scanning blobs", Some(jobs.len() as u64));
    run_workers(
        &plan.blocks,
        BLOB_CACHE_BYTES,
        &gitdir,
        &packs,
        context,
        events,
        |worker, index| {
            let index = plan.order[index];
            let job = &jobs[index];
            let content = match worker.packs.read_at(positions[index], Kind::Blob) {
                Some(content) => Ok(BlobContent::Packed(content)),
                // Loose, or not readable by the pack reader: libgit2 reads it or says why not.
                None => worker.repo.find_blob(job.oid).map(BlobContent::Loose),
            };
            let (scanner, sink) = (&mut worker.scanner, &mut worker.sink);
            match content {
                Ok(content) if scanner.too_large(content.bytes().len() as u64).is_some() => {
                    let bytes = content.bytes().len() as u64;
                    let limit = scanner.too_large(bytes).unwrap_or_default();
                    sink.send(Event::TooLarge {
                        path: format!(
                            "{} (commit {})",
                            job.path,
                            &commits[job.commit].to_string()[..10]
                        ),
                        bytes,
                        limit,
                    });
                }
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
                Err(err) => {
                    let place = format!(
                        "{} at commit {}",
                        job.path,
                        &commits[job.commit].to_string()[..10]
                    );
                    missing
                        .lock()
                        .unwrap()
                        .record_at("blob", job.oid, Some(place), &err);
                }
            }
        },
    )?;
    missing.into_inner().unwrap().send(&mut sink);
    // The pack index (35 MB on rails/rails) and the blobs' places in it are not read again:
    // what follows reads through libgit2, which maps its own copy.
    drop(positions);
    drop(packs);

    // Phase 5: one finding per leak, at the earliest commit; blobs and messages together, in
    // commit order, so "earliest" holds across both. A range judges every appearance of a
    // blob with tokens by what that commit adds (`additions.rs`).
    // Hits are held once per blob and per message, and copied for one appearance at a time: a
    // file of many tokens copied to many paths in a range must not be held once per path.
    let mut found: Vec<(usize, Option<BlobPlace>)> = Vec::new();
    let mut blob_hits: HashMap<usize, Vec<Hit>> = HashMap::new();
    for (job, result) in scanned.into_inner().unwrap() {
        let first = &jobs[job];
        if every_appearance {
            for (commit, path) in &first.later {
                found.push((*commit, Some((job, path.clone()))));
            }
        }
        found.push((first.commit, Some((job, first.path.clone()))));
        blob_hits.insert(job, result.hits);
    }
    found.extend(message_hits.keys().map(|&commit| (commit, None)));
    found.sort();
    let mut head = HeadTokens::new(repo, context.scanner());
    let mut additions = Additions::new(repo, context.scanner());
    let mut leaks = Leaks::default();
    // What a commit deleted matters only where a token turns up: read for those commits alone.
    let mut deleted_by: HashMap<usize, Vec<String>> = HashMap::new();
    for (commit, place) in found {
        let mut hits = match &place {
            // A full history meets each blob once; a range once per appearance.
            Some((job, _)) if every_appearance => blob_hits[job].clone(),
            Some((job, _)) => blob_hits.remove(job).unwrap_or_default(),
            None => message_hits.remove(&commit).unwrap_or_default(),
        };
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
    match range {
        CommitRange::All => scan_tag_messages(repo, &["refs/tags/*"], context.matcher, &mut sink),
        CommitRange::Refs(globs) => {
            let globs: Vec<&str> = globs.iter().map(String::as_str).collect();
            scan_tag_messages(repo, &globs, context.matcher, &mut sink);
        }
        _ => {}
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

/// What each worker thread owns: libgit2 handles are not shared across threads, and its
/// caches stay warm for the neighbours it claims.
struct Worker<'a> {
    repo: Repository,
    packs: PackReader<'a>,
    scanner: ContentScanner<'a>,
    sink: EventSink,
}

/// Commits or blobs a worker claims at a time: long runs of neighbours keep its pack cache
/// warm (256 against 32: 4% faster on the diffusers mirror, one hyperfine run).
const WORK_BLOCK: usize = 256;

/// Resolved pack objects all workers together keep (`PackReader`) while comparing commits:
/// the trees and delta bases neighbouring commits share. 48 MB cost 50 MB more peak memory on
/// rails/rails (306 against 270 MB) and 45 MB on diffusers for no speed the noise of the
/// machine let us see; 24 MB took 10% more CPU on huggingface_hub.
const PACK_CACHE_BYTES: usize = 32 << 20;

/// The same for the blob phase: read by delta family, a worker needs only its family's recent
/// objects (16 MB applied as few deltas as 32 on the three mirrors and rails/rails, and cost
/// 16 MB less; 8 MB applied 14% more on huggingface_hub).
const BLOB_CACHE_BYTES: usize = 16 << 20;

/// Indexes below `count` in blocks of `WORK_BLOCK`.
fn fixed_blocks(count: usize) -> Vec<Range<usize>> {
    (0..count)
        .step_by(WORK_BLOCK)
        .map(|start| start..(start + WORK_BLOCK).min(count))
        .collect()
}

/// Runs `work(worker, index)` for every index of `blocks` on `context.threads` threads; a
/// worker claims a block at a time, so it handles neighbours (a commit and its parent share
/// trees; a delta family's blobs share bases).
fn run_workers<'a>(
    blocks: &[Range<usize>],
    cache_bytes: usize,
    gitdir: &Path,
    packs: &'a Packs,
    context: &ScanContext<'a>,
    events: &EventSender,
    work: impl Fn(&mut Worker<'a>, usize) + Sync,
) -> anyhow::Result<()> {
    let next = AtomicUsize::new(0);
    let threads = context.threads.clamp(1, blocks.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    let mut worker = Worker {
                        repo: Repository::open(gitdir)
                            .with_context(|| format!("opening {}", gitdir.display()))?,
                        packs: PackReader::new(packs, cache_bytes / threads),
                        scanner: context.scanner(),
                        sink: EventSink::new(events),
                    };
                    while let Some(block) = blocks.get(next.fetch_add(1, Ordering::Relaxed)) {
                        for index in block.clone() {
                            work(&mut worker, index);
                        }
                        context.progress.advance(block.len() as u64);
                    }
                    Ok(())
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
    walked: &Walked,
    shallow: &HashSet<Oid>,
    project: &ProjectConfig,
    missing: &mut Missing,
) -> CommitChanges {
    let mut changes = CommitChanges {
        introduced: CommitDiff::default(),
        message_hits: Vec::new(),
    };
    // The walk read the commit and its parents already when it was hf-scan's own; after
    // libgit2's, the commit is read here, and each parent for its tree.
    let (tree, parents): (Oid, Vec<(Oid, Option<Oid>)>) = match walked.get(oid) {
        Some((place, commit)) => {
            changes.message_hits = walked.message_hits(place);
            let parents = commit.parents.iter().map(|&parent| {
                let parent = &walked.commits[parent as usize];
                (parent.oid, Some(parent.tree))
            });
            (commit.tree, parents.collect())
        }
        None => match read_commit(&mut worker.packs, &worker.repo, oid) {
            Ok(commit) => {
                changes.message_hits = worker.scanner.chunks().scan_bytes(&commit.message).hits;
                let parents = commit.parents.into_iter().map(|parent| (parent, None));
                (commit.tree, parents.collect())
            }
            Err(err) => {
                missing.record("commit", oid, &err);
                return changes;
            }
        },
    };
    let odb = match worker.repo.odb() {
        Ok(odb) => odb,
        Err(err) => {
            missing.record("commit", oid, &err);
            return changes;
        }
    };
    let mut parent_trees = Vec::new();
    for (parent_id, known_tree) in parents {
        let parent_tree = match known_tree {
            Some(tree) => Ok(tree),
            None => read_commit(&mut worker.packs, &worker.repo, parent_id).map(|p| p.tree),
        };
        let tree = parent_tree.and_then(|tree| {
            TreeReader {
                packs: &mut worker.packs,
                odb: &odb,
            }
            .get(tree)
            .map(|_| tree)
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
        trees::introduced_blobs(&mut reader, tree, &parent_trees, project, missing);
    changes
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

//! Which commits a history scan covers: the ref walk (every ref, parents first, libgit2's
//! topological order) and the ranges (`--since`, `--range`, `--pre-push`), resolved before any
//! work starts so a typo is an error, not an empty scan.

use anyhow::{bail, Context};
use git2::{Oid, Repository, Sort};

use super::pack::Packs;
use super::packed_walk::{packed_walk, peel_to_commits, PackedWalk, Walked};
use super::CommitRange;
use crate::collector::{Event, EventSink};
use crate::source::ScanContext;

/// Resolves the range's revisions now, so a typo is an error before any work starts.
pub fn check_range(repo: &Repository, range: &CommitRange) -> anyhow::Result<()> {
    match range {
        CommitRange::All => Ok(()),
        CommitRange::Refs(globs) => {
            for glob in globs {
                let matched = if glob == "HEAD" {
                    repo.head().is_ok()
                } else {
                    repo.references_glob(glob)
                        .with_context(|| format!("--refs {glob}"))?
                        .flatten()
                        .next()
                        .is_some()
                };
                if !matched {
                    bail!("--refs {glob}: no ref matches it (`git for-each-ref` lists them)");
                }
            }
            Ok(())
        }
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

/// The commits to scan, parents before children, and, when hf-scan's pack reader walked them
/// (`packs` given: whole histories without grafts or a shallow boundary), what each holds.
pub(super) fn walk(
    repo: Repository,
    range: &CommitRange,
    sink: &mut EventSink,
    packs: Option<(&Packs, &ScanContext)>,
) -> anyhow::Result<PackedWalk> {
    if matches!(range, CommitRange::All | CommitRange::Refs(_)) {
        // Tags may point at trees or blobs; only commits have history.
        let targets = ref_targets(&repo, range)?;
        let Some((packs, context)) = packs else {
            let peel = |oid| repo.find_object(oid, None).ok()?.peel_to_commit().ok();
            let pushes: Vec<Oid> = targets
                .into_iter()
                .filter_map(|oid| peel(oid).map(|commit| commit.id()))
                .collect();
            return walk_with_libgit2(&repo, &pushes, sink);
        };
        // The handle that listed the refs maps pack windows of its own: let go first.
        let gitdir = repo.path().to_path_buf();
        drop(repo);
        let peeled = peel_to_commits(&gitdir, packs, &targets, context.threads);
        let pushes: Vec<Oid> = peeled.into_iter().flatten().collect();
        if pushes.is_empty() {
            return Ok(PackedWalk::default());
        }
        if let Some(walked) = packed_walk(&gitdir, packs, &pushes, context) {
            return Ok(walked);
        }
        let repo =
            Repository::open(&gitdir).with_context(|| format!("opening {}", gitdir.display()))?;
        return walk_with_libgit2(&repo, &pushes, sink);
    }
    let mut walk = repo.revwalk().context("starting the commit walk")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    match range {
        // Walked above.
        CommitRange::All | CommitRange::Refs(_) => {}
        CommitRange::Since(base) => {
            walk.push(resolve(&repo, "HEAD")?)?;
            walk.hide(resolve(&repo, base)?)?;
        }
        CommitRange::Between(from, to) => {
            walk.push(resolve(&repo, to)?)?;
            walk.hide(resolve(&repo, from)?)?;
        }
        CommitRange::Unpushed { remote, tip } => {
            // Globs skip refs that point at no commit; an unborn HEAD is no error here.
            walk.push_glob("refs/heads/*")?;
            walk.push_glob("refs/tags/*")?;
            let _ = walk.push_head();
            if let Some(tip) = tip {
                walk.push(resolve(&repo, tip)?)?;
            }
            walk.hide_glob(&format!("refs/remotes/{remote}/*"))?;
        }
    }
    collect(walk, sink)
}

/// libgit2's walk from `pushes`: for grafts and a shallow boundary, which it honours, and for
/// a commit hf-scan's walk could not read, where it says why.
fn walk_with_libgit2(
    repo: &Repository,
    pushes: &[Oid],
    sink: &mut EventSink,
) -> anyhow::Result<PackedWalk> {
    let mut walk = repo.revwalk().context("starting the commit walk")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for &tip in pushes {
        walk.push(tip)?;
    }
    collect(walk, sink)
}

/// The commits of a libgit2 walk; an error ends it with a warning.
fn collect(walk: git2::Revwalk, sink: &mut EventSink) -> anyhow::Result<PackedWalk> {
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
    Ok(PackedWalk {
        commits,
        read: Walked::default(),
    })
}

/// Where the refs of a whole history point (every ref, or every chosen ref, then HEAD), in
/// the order they are pushed to the walk: symbolic refs resolved, tags not yet peeled.
fn ref_targets(repo: &Repository, range: &CommitRange) -> anyhow::Result<Vec<Oid>> {
    let target = |reference: git2::Reference| reference.resolve().ok()?.target();
    let mut targets = Vec::new();
    match range {
        CommitRange::Refs(globs) => {
            for glob in globs {
                if glob == "HEAD" {
                    targets.extend(repo.head().ok().and_then(target));
                    continue;
                }
                let references = repo.references_glob(glob).context("listing refs")?;
                targets.extend(references.flatten().filter_map(target));
            }
        }
        _ => {
            let references = repo.references().context("listing refs")?;
            targets.extend(references.flatten().filter_map(target));
            targets.extend(repo.head().ok().and_then(target));
        }
    }
    Ok(targets)
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

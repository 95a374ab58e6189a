//! What a commit of a range adds: the rule a gate (`--range`, `--since`, `--pre-push`,
//! `--github-event`) blames commits by.
//!
//! A commit *adds* a token at a path when its blob there holds the token and no parent's blob at
//! that path does, unless the commit deleted (from its first parent) a path that held it: that
//! is a move, as the full history decides. So a token copied to a new path, or deleted and
//! added back, is added again; a token already there, moved within its file, or left alone
//! while other lines change, is not. A range cannot lean on what earlier commits reported, as
//! the full history does (it has not scanned them), so it asks each parent's blob instead: a
//! parent's version is read and scanned only where a commit of the range holds a token.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use crate::content::ContentScanner;
use crate::detect::scan::Hit;

/// The hashes of the tokens in each blob asked about, each blob scanned once.
pub(super) struct BlobTokens<'a> {
    repo: &'a Repository,
    scanner: ContentScanner<'a>,
    by_blob: HashMap<Oid, HashSet<String>>,
}

impl<'a> BlobTokens<'a> {
    pub(super) fn new(repo: &'a Repository, scanner: ContentScanner<'a>) -> Self {
        Self {
            repo,
            scanner,
            by_blob: HashMap::new(),
        }
    }

    /// The token hashes in blob `oid` (none when it cannot be read).
    pub(super) fn in_blob(&mut self, oid: Oid) -> &HashSet<String> {
        if !self.by_blob.contains_key(&oid) {
            let hashes = self
                .repo
                .find_blob(oid)
                .map(|blob| {
                    self.scanner
                        .scan_bytes(blob.content())
                        .hits
                        .into_iter()
                        .map(|hit| hit.secret.hash().to_string())
                        .collect()
                })
                .unwrap_or_default();
            self.by_blob.insert(oid, hashes);
        }
        &self.by_blob[&oid]
    }

    /// The token hashes in `tree`'s blob at `path` (none when there is no blob there).
    pub(super) fn at_path(&mut self, tree: &Tree, path: &str) -> HashSet<String> {
        match tree.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Blob) => self.in_blob(entry.id()).clone(),
            _ => HashSet::new(),
        }
    }
}

/// Decides, commit by commit, which hits a commit adds; parents' trees and the tokens a commit
/// deleted are read once per commit.
pub(super) struct Additions<'a> {
    repo: &'a Repository,
    tokens: BlobTokens<'a>,
    /// Per commit: its parents' trees, and the tokens held by the paths it deleted.
    commits: HashMap<Oid, CommitSide<'a>>,
}

struct CommitSide<'a> {
    parents: Vec<Tree<'a>>,
    moved: HashSet<String>,
}

impl<'a> Additions<'a> {
    pub(super) fn new(repo: &'a Repository, scanner: ContentScanner<'a>) -> Self {
        Self {
            repo,
            tokens: BlobTokens::new(repo, scanner),
            commits: HashMap::new(),
        }
    }

    /// Keeps the hits of `commit`'s blob at `path` that the commit adds there. `deleted` gives
    /// the paths the commit deleted from its first parent (directories end in `/`); it is
    /// called only the first time a commit is asked about.
    pub(super) fn retain_added(
        &mut self,
        commit: Oid,
        path: &str,
        hits: &mut Vec<Hit>,
        deleted: impl FnOnce() -> Vec<String>,
    ) {
        if !self.commits.contains_key(&commit) {
            let side = self.commit_side(commit, &deleted());
            self.commits.insert(commit, side);
        }
        let side = &self.commits[&commit];
        let mut held = HashSet::new();
        for parent in &side.parents {
            held.extend(self.tokens.at_path(parent, path));
        }
        hits.retain(|hit| {
            let hash = hit.secret.hash();
            !held.contains(hash) && !side.moved.contains(hash)
        });
    }

    /// The parents' trees of `commit` (those that can be read: a shallow boundary has none),
    /// and the tokens its first parent held at the paths in `deleted`.
    fn commit_side(&mut self, commit: Oid, deleted: &[String]) -> CommitSide<'a> {
        let parents: Vec<Tree<'a>> = self
            .repo
            .find_commit(commit)
            .map(|commit| {
                commit
                    .parents()
                    .filter_map(|parent| parent.tree().ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut moved = HashSet::new();
        if let Some(first) = parents.first() {
            for gone in deleted {
                let Ok(entry) = first.get_path(Path::new(gone.trim_end_matches('/'))) else {
                    continue;
                };
                match entry.kind() {
                    Some(ObjectType::Blob) => moved.extend(self.tokens.in_blob(entry.id()).clone()),
                    Some(ObjectType::Tree) => {
                        let Ok(tree) = self.repo.find_tree(entry.id()) else {
                            continue;
                        };
                        let mut blobs = Vec::new();
                        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
                            if entry.kind() == Some(ObjectType::Blob) {
                                blobs.push(entry.id());
                            }
                            git2::TreeWalkResult::Ok
                        });
                        for blob in blobs {
                            moved.extend(self.tokens.in_blob(blob).clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        CommitSide { parents, moved }
    }
}

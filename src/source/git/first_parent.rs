//! libgit2's comparison of a commit with its first parent: what the commit deleted (a token
//! turning up at a new path in the same commit moved, it did not leak again), and the first
//! engine's phase 2, kept as the reference the new engine is tested against.

use git2::{ObjectType, Oid, Repository, Tree};

use super::missing::Missing;
use super::trees::MAX_TREE_DEPTH;
use crate::project::ProjectConfig;

/// The paths `oid` deletes relative to its first parent (directories end in `/`): a token
/// that turns up at a new path in the same commit moved, it did not leak again.
pub(super) fn deleted_paths(repo: &Repository, oid: Oid, project: &ProjectConfig) -> Vec<String> {
    repo.find_commit(oid)
        .map(|commit| first_parent_diff(repo, &commit, project).1)
        .unwrap_or_default()
}

/// libgit2's comparison of `commit` with its first parent: the (path, blob) pairs that differ,
/// and the paths it deletes. The first engine's phase 2 (before merges were filtered), kept for
/// what a commit deleted, and as the reference the new engine is tested against.
pub(super) fn first_parent_diff(
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

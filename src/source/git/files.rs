//! Files at a commit: what project files (the config, its rules, a baseline) are read through
//! when the base of a change judges it (`project::CommitFiles`).

use std::path::Path;

use anyhow::bail;
use git2::{Oid, Repository};

use crate::project::CommitFiles;

/// A commit's tree as project files see it (`project::CommitFiles`).
pub struct CommitTree<'r> {
    pub repo: &'r Repository,
    pub commit: Oid,
}

impl CommitFiles for CommitTree<'_> {
    fn read(&self, path: &str, limit: u64) -> anyhow::Result<Option<String>> {
        read_file_at(self.repo, self.commit, path, limit)
    }

    fn name(&self) -> String {
        self.commit.to_string()[..10].to_string()
    }
}

/// The text of the file at `path` (`/`-separated, relative to the root) in `commit`'s tree;
/// `None` when the commit has no file there.
fn read_file_at(
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

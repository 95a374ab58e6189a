//! `--staged`: what `git commit` would record, the index against HEAD's tree.

use anyhow::{bail, Context};
use git2::Repository;

use super::missing::Missing;
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::SourceKind;
use crate::source::ScanContext;

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
    if diff.deltas().len() == 0 {
        sink.send(Event::Notice(
            "nothing is staged: no change to scan (`git add` stages one)".into(),
        ));
    }
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
            if context.verbose {
                let why = project.why_excluded(&path, false);
                sink.send(Event::PassedOver { path, why });
            }
            continue;
        }
        match repo.find_blob(file.id()) {
            Ok(blob) if scanner.too_large(blob.size() as u64).is_some() => {
                let bytes = blob.size() as u64;
                let limit = scanner.too_large(bytes).unwrap_or_default();
                sink.send(Event::TooLarge { path, bytes, limit });
            }
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

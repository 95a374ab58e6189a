//! Annotated tag messages (release notes paste tokens too), scanned in full-history scans.

use std::collections::HashSet;

use git2::Repository;

use super::commit::rfc3339;
use crate::collector::{Event, EventSink, Origin};
use crate::detect::matcher::Matcher;
use crate::detect::scan::ChunkScanner;
use crate::finding::{SourceKind, TagInfo};

/// Tags pointing at tags are followed this far.
const MAX_TAG_CHAIN: usize = 16;

/// Scans the messages of annotated tags (release notes paste tokens too), each tag object once
/// however many refs name it, following tags of tags.
pub(super) fn scan_tag_messages(
    repo: &Repository,
    globs: &[&str],
    matcher: &Matcher,
    sink: &mut EventSink,
) {
    // Annotated tags live under refs/tags; reading the target of every other ref (a mirror
    // has thousands of refs/pull/*) to learn it is a commit would cost a read each.
    let references = globs
        .iter()
        .filter_map(|glob| repo.references_glob(glob).ok())
        .flat_map(|references| references.flatten())
        .filter(|reference| reference.name_bytes().starts_with(b"refs/tags/"));
    let mut scanner = ChunkScanner::new(matcher);
    let mut seen = HashSet::new();
    for reference in references {
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

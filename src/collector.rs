//! The one place scan results meet.
//!
//! Sources run on many threads and never print; they send `Event`s down a channel. The collector
//! turns hits into `Finding`s, counts what was scanned, keeps every warning, and feeds the
//! progress line. Reporters then get a finished, sorted list, so output does not depend on the
//! thread count or on which thread finished first.

use std::sync::mpsc::{Receiver, Sender};

use serde::Serialize;

use crate::baseline::SuppressedCounts;
use crate::detect::rules::Rules;
use crate::detect::scan::{Hit, Scanned};
use crate::finding::{CommitInfo, Finding, Location, SourceKind, Suppression, TagInfo};
use crate::sanitize;

/// Where a piece of content came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source: SourceKind,
    /// As the user can open it (relative to the working directory, or as given).
    pub path: Option<String>,
    /// Relative to the top of the git work tree, when the content is in one.
    pub repo_path: Option<String>,
    pub commit: Option<CommitInfo>,
    pub tag: Option<TagInfo>,
    /// History only: whether HEAD's version of the path still holds these hits' tokens.
    pub in_head: Option<bool>,
}

impl Origin {
    /// Content at a path, outside history: no commit, no tag.
    pub fn file(source: SourceKind, path: Option<String>, repo_path: Option<String>) -> Self {
        Self {
            source,
            path,
            repo_path,
            commit: None,
            tag: None,
            in_head: None,
        }
    }
}

/// What a source worker reports.
#[derive(Debug)]
pub enum Event {
    /// One file or blob scanned: counted, and its hits become findings.
    Content { origin: Origin, scanned: Scanned },
    /// Hits whose content was counted elsewhere (history reports findings after scanning).
    Findings { origin: Origin, hits: Vec<Hit> },
    /// Blobs scanned and their bytes, when their hits travel separately.
    Counted {
        blobs: u64,
        bytes: u64,
        members: u64,
    },
    /// Commits walked.
    Commits(u64),
    /// Something that could not be read; the scan goes on, but is incomplete.
    Warning(String),
    /// Something a reviewer should know that does not make the scan incomplete.
    Notice(String),
    /// Paths passed over on purpose (excluded by the config): in history, path versions.
    Skipped(u64),
    /// With `--verbose`: a path passed over and why (`src/x.env: excluded by …`); counted
    /// by the event that goes with it (`Skipped`, `Ignored`, `TooLarge`), listed by this one.
    PassedOver { path: String, why: String },
    /// Paths ignore rules passed over in a tree walk (an ignored directory counts once).
    Ignored(u64),
    /// A file or blob of `bytes`, larger than `--max-file-size` (`limit`), not scanned.
    TooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
}

/// The content layer's warnings about a piece of content at `path`, as warning lines:
/// `release.tar.gz!src/.env: reason`.
pub fn content_warnings(
    path: &str,
    warnings: Vec<(Option<String>, String)>,
) -> impl Iterator<Item = String> + '_ {
    warnings
        .into_iter()
        .map(move |(member, message)| match member {
            Some(member) => format!("{path}!{member}: {message}"),
            None => format!("{path}: {message}"),
        })
}

/// Events travel in batches: one channel message per file would cost a futex wake-up per file,
/// which on a tree of small files costs more than scanning them.
const BATCH: usize = 256;
/// Findings one run keeps (each item keeps at most `detect::scan::MAX_ITEM_HITS`); past
/// this they are counted, with a warning, so a tree of token floods stays bounded.
pub const MAX_RUN_FINDINGS: usize = 200_000;
/// Warnings kept one by one; past this they are counted (the run is incomplete either way).
const MAX_WARNINGS: usize = 10_000;

/// Notices kept one by one; past this they are counted.
const MAX_NOTICES: usize = 50;

pub type EventSender = Sender<Vec<Event>>;

/// A worker's end of the channel: collects events and sends them in batches, and sends what is
/// left when dropped.
pub struct EventSink {
    sender: EventSender,
    pending: Vec<Event>,
}

impl EventSink {
    pub fn new(sender: &EventSender) -> Self {
        Self {
            sender: sender.clone(),
            pending: Vec::with_capacity(BATCH),
        }
    }

    pub fn send(&mut self, event: Event) {
        self.pending.push(event);
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
            // The collector outlives every worker; a failed send means it is gone already.
            let _ = self.sender.send(batch);
        }
    }
}

impl Drop for EventSink {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Counts for the report's `stats` object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub files: u64,
    pub blobs: u64,
    pub commits: u64,
    pub bytes: u64,
    /// Archive members scanned inside files and blobs, all levels together.
    pub members: u64,
    pub skipped: u64,
    /// Paths of a tree scan that `.gitignore` (or `.ignore`, git's exclude files) hid and so
    /// were not scanned (an ignored directory counts once); `--no-ignore` scans them.
    pub ignored: u64,
    /// Findings suppressed, by mechanism: shown in every summary, so a suppression a change
    /// adds is visible to whoever reviews it.
    pub suppressed: SuppressedCounts,
    pub duration_ms: u64,
    pub incomplete: bool,
    pub warnings: Vec<String>,
    /// Things a reviewer should know that do not make the scan incomplete (the change edits
    /// the config that was read from its base, a link left the scanned root).
    pub notices: Vec<String>,
}

impl Stats {
    /// Adds another scan's counts, warnings and notices (`hf-scan hub` scans repository by
    /// repository).
    pub fn absorb(&mut self, other: Stats) {
        self.files += other.files;
        self.blobs += other.blobs;
        self.commits += other.commits;
        self.bytes += other.bytes;
        self.members += other.members;
        self.skipped += other.skipped;
        self.ignored += other.ignored;
        self.incomplete |= other.incomplete;
        self.warnings.extend(other.warnings);
        self.notices.extend(other.notices);
    }

    /// What was scanned, for summaries: the non-zero counts, in words with their plurals
    /// (`3 commits, 12 blobs`, `1 file`, `0 files` when nothing was there).
    pub fn scanned(&self) -> String {
        let parts: Vec<String> = [
            (self.commits, "commit"),
            (self.blobs, "blob"),
            (self.files, "file"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, noun)| plural(count, noun))
        .collect();
        let scanned = if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        };
        match self.members {
            0 => scanned,
            members => format!("{scanned} ({})", plural(members, "archive member")),
        }
    }
}

/// `1 file`, `2 files`.
pub fn plural(count: u64, noun: &str) -> String {
    let consonant_y = noun
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']));
    match (count, consonant_y) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{count} {stem}ies"),
        _ => format!("{count} {noun}s"),
    }
}

/// `--verbose`'s line for a file or blob scanned: its path, size, archive members and findings.
fn list_scanned(origin: &Origin, scanned: &Scanned) {
    let Some(path) = origin.path.as_deref() else {
        return;
    };
    let mut line = format!("hf-scan: scanned {path} ({}", human_bytes(scanned.bytes));
    if scanned.members > 0 {
        line.push_str(&format!(", {}", plural(scanned.members, "archive member")));
    }
    if !scanned.hits.is_empty() {
        line.push_str(&format!(", {}", plural(scanned.hits.len() as u64, "hit")));
    }
    line.push(')');
    crate::progress::log_line(&sanitize::for_display(&line));
}

/// Everything a scan found, ready for the reporters.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// The scanned repository's page on GitHub or GitLab, for links to each finding.
    pub web: Option<crate::report::links::WebRepo>,
}

/// Receives events until every sender is gone.
/// With `verbose`, each file scanned and each path passed over is a line on stderr as it comes.
pub fn collect(
    batches: Receiver<Vec<Event>>,
    rules: &Rules,
    progress: &crate::progress::Progress,
    verbose: bool,
) -> ScanResult {
    let mut result = ScanResult::default();
    let mut notices_left_out = 0;
    let mut warnings_left_out = 0;
    let mut findings_left_out = 0;
    // Files and blobs over --max-file-size: how many, their bytes, the limit.
    let mut too_large = (0u64, 0u64, 0u64);
    let mut warn = |stats: &mut Stats, warning: &str| {
        stats.incomplete = true;
        if stats.warnings.len() < MAX_WARNINGS {
            // Warnings quote paths and git messages: never a token, even in JSON.
            stats
                .warnings
                .push(sanitize::redact_tokens(warning).into_owned());
        } else {
            warnings_left_out += 1;
        }
    };
    for event in batches.into_iter().flatten() {
        match event {
            Event::Content { origin, scanned } => {
                match origin.source {
                    SourceKind::History | SourceKind::Staged => result.stats.blobs += 1,
                    SourceKind::CommitMessage | SourceKind::TagMessage => {}
                    SourceKind::File
                    | SourceKind::Stdin
                    | SourceKind::Discussion
                    | SourceKind::Bucket
                    | SourceKind::SpaceVariable
                    | SourceKind::Job => result.stats.files += 1,
                }
                result.stats.bytes += scanned.bytes;
                result.stats.members += scanned.members;
                progress.add(1, scanned.bytes, scanned.hits.len() as u64);
                if verbose {
                    list_scanned(&origin, &scanned);
                }
                if !scanned.warnings.is_empty() {
                    let path = origin.path.as_deref().unwrap_or("<content>");
                    for warning in content_warnings(path, scanned.warnings) {
                        warn(&mut result.stats, &warning);
                    }
                }
                findings_left_out +=
                    add_findings(&mut result.findings, &origin, scanned.hits, rules);
            }
            Event::Findings { origin, hits } => {
                progress.add(0, 0, hits.len() as u64);
                findings_left_out += add_findings(&mut result.findings, &origin, hits, rules);
            }
            Event::Counted {
                blobs,
                bytes,
                members,
            } => {
                result.stats.blobs += blobs;
                result.stats.bytes += bytes;
                result.stats.members += members;
                progress.add(blobs, bytes, 0);
            }
            Event::Commits(commits) => {
                result.stats.commits += commits;
                progress.add_commits(commits);
            }
            Event::Warning(warning) => warn(&mut result.stats, &warning),
            Event::Skipped(count) => result.stats.skipped += count,
            Event::PassedOver { path, why } => {
                if verbose {
                    crate::progress::log_line(&sanitize::for_display(&format!(
                        "hf-scan: skipped {path}: {why}"
                    )));
                }
            }
            Event::TooLarge { path, bytes, limit } => {
                if verbose {
                    crate::progress::log_line(&sanitize::for_display(&format!(
                        "hf-scan: skipped {}: {} is larger than --max-file-size ({})",
                        path,
                        human_bytes(bytes),
                        human_bytes(limit)
                    )));
                }
                too_large.0 += 1;
                too_large.1 += bytes;
                too_large.2 = limit;
            }
            Event::Ignored(count) => result.stats.ignored += count,
            Event::Notice(notice) => {
                if result.stats.notices.len() < MAX_NOTICES {
                    result
                        .stats
                        .notices
                        .push(sanitize::redact_tokens(&notice).into_owned());
                } else {
                    notices_left_out += 1;
                }
            }
        }
    }
    if too_large.0 > 0 {
        // The limit is the user's choice: a notice, not an incomplete scan.
        result.stats.notices.push(format!(
            "not scanned, larger than --max-file-size ({}): {}, {} in all",
            human_bytes(too_large.2),
            match too_large.0 {
                1 => "1 file or blob".to_string(),
                count => format!("{count} files or blobs"),
            },
            human_bytes(too_large.1)
        ));
    }
    if findings_left_out > 0 {
        warn(
            &mut result.stats,
            &format!(
                "more than {MAX_RUN_FINDINGS} findings: {findings_left_out} more were counted, \
                 not reported one by one"
            ),
        );
    }
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result.stats.warnings.sort();
    if warnings_left_out > 0 {
        result
            .stats
            .warnings
            .push(format!("…and {warnings_left_out} more warnings like these"));
    }
    result.stats.notices.sort();
    if notices_left_out > 0 {
        result
            .stats
            .notices
            .push(format!("…and {notices_left_out} more notices like these"));
    }
    result
}

/// Adds the hits as findings, up to `MAX_RUN_FINDINGS`; returns how many did not fit.
fn add_findings(
    findings: &mut Vec<Finding>,
    origin: &Origin,
    hits: Vec<Hit>,
    rules: &Rules,
) -> u64 {
    let room = MAX_RUN_FINDINGS.saturating_sub(findings.len());
    let left_out = hits.len().saturating_sub(room) as u64;
    for hit in hits.into_iter().take(room) {
        let rule = rules.get(hit.rule);
        findings.push(Finding {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: rule.severity,
            secret: hit.secret,
            source: origin.source,
            location: Location {
                path: origin.path.clone(),
                repo_path: origin.repo_path.clone(),
                member: hit.member,
                cell: hit.cell,
                line: hit.line,
                column: hit.column,
                end_column: hit.end_column,
                offset: hit.offset,
            },
            encoding: hit.encoding,
            commit: origin.commit.clone(),
            tag: origin.tag.clone(),
            in_head: origin.in_head,
            suppression: hit.allowed_inline.then_some(Suppression::Inline),
            verification: None,
            hub: None,
        });
    }
    left_out
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Encoding, Secret};

    /// A run keeps at most `MAX_RUN_FINDINGS` findings and says how many more it counted.
    #[test]
    fn a_run_keeps_a_bounded_number_of_findings() {
        let rules = Rules::builtin();
        let (sender, receiver) = std::sync::mpsc::channel::<Vec<Event>>();
        let hit = Hit {
            rule: 0,
            secret: Secret::new(format!("hf_{}", "a1".repeat(17)), 3),
            offset: 0,
            line: None,
            column: None,
            end_column: None,
            allowed_inline: false,
            encoding: Encoding::Plain,
            member: None,
            cell: None,
        };
        let per_item = 10_000;
        let items = MAX_RUN_FINDINGS / per_item + 1;
        for item in 0..items {
            sender
                .send(vec![Event::Findings {
                    origin: Origin::file(SourceKind::File, Some(format!("f{item}")), None),
                    hits: vec![hit.clone(); per_item],
                }])
                .unwrap();
        }
        drop(sender);
        let result = collect(
            receiver,
            &rules,
            &crate::progress::Progress::new(false, None),
            false,
        );
        assert_eq!(result.findings.len(), MAX_RUN_FINDINGS);
        assert!(result.stats.incomplete);
        let expected = format!("{} more were counted", items * per_item - MAX_RUN_FINDINGS);
        assert!(
            result.stats.warnings.iter().any(|w| w.contains(&expected)),
            "{:?}",
            result.stats.warnings
        );
    }
}

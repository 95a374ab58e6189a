//! Baselines and suppression: what a team has decided not to be told about again.
//!
//! Three mechanisms, from the narrowest to the broadest:
//! - an `hf-scan:allow` comment on the token's line (found by the scanner; `--no-inline-allow`
//!   ignores them);
//! - the project config (`project.rs`): token hashes to allow;
//! - a baseline file (`--baseline`, written by `--write-baseline`): findings accepted when the
//!   baseline was made.
//!
//! Fingerprints are keyed on content (rule, path, token hash), never on line numbers, so moving a
//! line neither resurrects an accepted finding nor hides a new token placed on an accepted line.
//! A baseline line names its fingerprint, token hash, rule and path, and a finding matches only
//! when all of them agree: a line that reads `tests/fake.txt` cannot carry the fingerprint of
//! `src/prod.env` past a reviewer. The baseline holds one finding per line, sorted, so git
//! merges concurrent additions cleanly, and hashes only: a baseline must not itself be a leak.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::bail;
use serde::Serialize;

use crate::files::DATA_LIMIT;
use crate::finding::{Finding, Suppression};
use crate::project::{ProjectConfig, ProjectFiles};
use crate::sanitize::escape_controls;

const BASELINE_HEADER: &str = "# hf-scan baseline v1: <fingerprint> <sha256 of token> <rule> <path>; one finding per line, sorted, no tokens";

/// Accepted findings: for each fingerprint, the token hash and path its line names.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    entries: HashMap<String, (String, String)>,
}

impl Baseline {
    pub fn load(files: &ProjectFiles, path: &Path) -> anyhow::Result<Self> {
        let origin = files.describe(path);
        let Some(text) = files.read(path, DATA_LIMIT)? else {
            bail!("baseline {origin} does not exist");
        };
        Self::parse(&text, &origin)
    }

    pub fn parse(text: &str, origin: &str) -> anyhow::Result<Self> {
        let mut entries = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            // The path is the rest of the line: it may hold spaces.
            let mut fields = line.splitn(4, ' ');
            let (Some(fingerprint), Some(hash), Some(_rule), Some(path)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                bail!(
                    "baseline {origin}:{}: expected `<fingerprint> <sha256> <rule> <path>`",
                    index + 1
                );
            };
            if fingerprint.len() != 32 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "baseline {origin}:{}: expected a 32-hex-digit fingerprint at the start of the line",
                    index + 1
                );
            }
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "baseline {origin}:{}: expected the token's SHA-256 (64 hex digits) second",
                    index + 1
                );
            }
            entries.insert(
                fingerprint.to_ascii_lowercase(),
                (hash.to_ascii_lowercase(), path.to_string()),
            );
        }
        Ok(Self { entries })
    }

    /// Whether `finding` is accepted: its fingerprint is listed, and the line names the same
    /// token hash and the same path.
    pub fn contains(&self, finding: &Finding) -> bool {
        self.entries
            .get(&finding.fingerprint())
            .is_some_and(|(hash, path)| {
                hash == finding.secret.hash() && *path == baseline_path(finding)
            })
    }

    /// The baseline text for `findings`: one line each, sorted and deduplicated.
    pub fn render(findings: &[Finding]) -> String {
        let lines: BTreeSet<String> = findings
            .iter()
            .map(|finding| {
                format!(
                    "{} {} {} {}",
                    finding.fingerprint(),
                    finding.secret.hash(),
                    finding.rule_id,
                    baseline_path(finding)
                )
            })
            .collect();
        let mut text = String::from(BASELINE_HEADER);
        text.push('\n');
        for line in lines {
            let _ = writeln!(text, "{line}");
        }
        text
    }
}

/// The path as a baseline line writes it: `-` for none, control characters escaped so a path
/// cannot break the one-finding-per-line format.
fn baseline_path(finding: &Finding) -> String {
    // A path may hold a token (a file named after one); the file says it holds none. Redacted
    // on both sides of a match; the fingerprint still tells such paths apart.
    let path = crate::sanitize::redact_tokens(finding.location.stable_path().unwrap_or("-"));
    escape_controls(&path).into_owned()
}

/// How many findings each mechanism suppressed, for every summary: a suppression is a decision
/// someone made, and a reviewer must see that it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SuppressedCounts {
    pub inline: u64,
    pub config: u64,
    pub baseline: u64,
}

impl SuppressedCounts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut counts = Self::default();
        for finding in findings {
            match finding.suppression {
                Some(Suppression::Inline) => counts.inline += 1,
                Some(Suppression::AllowedHash) => counts.config += 1,
                Some(Suppression::Baseline) => counts.baseline += 1,
                None => {}
            }
        }
        counts
    }

    pub fn total(&self) -> u64 {
        self.inline + self.config + self.baseline
    }

    /// `2 inline, 1 by config` (only the non-zero ones), or `None` when nothing was suppressed.
    pub fn describe(&self) -> Option<String> {
        let parts: Vec<String> = [
            (self.inline, "inline (hf-scan:allow)"),
            (self.config, "by the config's allowed hashes"),
            (self.baseline, "by the baseline"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, how)| format!("{count} {how}"))
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Marks findings that the config or the baseline suppresses (inline marks are set by the
/// scanner), after dropping inline marks when they are not honoured.
pub fn apply(
    findings: &mut [Finding],
    config: &ProjectConfig,
    baseline: Option<&Baseline>,
    inline_allow: bool,
) {
    for finding in findings {
        if !inline_allow && finding.suppression == Some(Suppression::Inline) {
            finding.suppression = None;
        }
        if finding.suppression.is_some() {
            continue;
        }
        if config.allows_hash(finding.secret.hash()) {
            finding.suppression = Some(Suppression::AllowedHash);
        } else if baseline.is_some_and(|b| b.contains(finding)) {
            finding.suppression = Some(Suppression::Baseline);
        }
    }
}

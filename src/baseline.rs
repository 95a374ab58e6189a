//! Suppression: what a team has decided not to be told about again.
//!
//! Three mechanisms, from the narrowest to the broadest:
//! - an `hf-scan:allow` comment on the token's line (found by the scanner);
//! - `.hf-scan.toml` at the scanned root: paths to skip (gitignore syntax), SHA-256 hashes of
//!   tokens to allow (known fakes, long-revoked tokens), and extra rule files;
//! - a baseline file (`--baseline`, written by `--write-baseline`): the fingerprints of findings
//!   accepted when the baseline was made.
//!
//! Fingerprints are keyed on content (rule, path, token hash), never on line numbers, so moving a
//! line neither resurrects an accepted finding nor hides a new token placed on an accepted line.
//! The baseline holds one finding per line, sorted, so git merges concurrent additions cleanly,
//! and it stores hashes only: a baseline must not itself be a leak.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use crate::finding::{Finding, Suppression};
use crate::rules::Rules;

pub const CONFIG_FILE_NAME: &str = ".hf-scan.toml";
const BASELINE_HEADER: &str = "# hf-scan baseline v1: <fingerprint> <sha256 of token> <rule> <path>; one finding per line, sorted, no tokens";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectConfigFile {
    #[serde(default)]
    exclude_paths: Vec<String>,
    #[serde(default)]
    allowed_secret_hashes: Vec<String>,
    #[serde(default)]
    extra_rules: Vec<PathBuf>,
}

/// `.hf-scan.toml`, loaded and checked.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    /// Where the config came from, for messages; `None` when there was none.
    pub path: Option<PathBuf>,
    exclude: Gitignore,
    allowed_hashes: BTreeSet<String>,
    pub extra_rules: Vec<Rules>,
}

impl ProjectConfig {
    pub fn empty() -> Self {
        Self {
            path: None,
            exclude: Gitignore::empty(),
            allowed_hashes: BTreeSet::new(),
            extra_rules: Vec::new(),
        }
    }

    /// Loads `path`; `required` says whether a missing file is an error (it is when the user
    /// named it with `--config`, not when it is the default at the scanned root).
    pub fn load(path: &Path, required: bool) -> anyhow::Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::empty())
            }
            Err(err) => bail!("reading config {}: {err}", path.display()),
        };
        let file: ProjectConfigFile = toml::from_str(&text)
            .map_err(|err| anyhow::anyhow!("config {}: {}", path.display(), err.message()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut exclude = GitignoreBuilder::new("");
        for pattern in &file.exclude_paths {
            exclude.add_line(None, pattern).with_context(|| {
                format!("config {}: exclude_paths: `{pattern}`", path.display())
            })?;
        }
        let exclude = exclude
            .build()
            .with_context(|| format!("config {}: exclude_paths", path.display()))?;
        let mut allowed_hashes = BTreeSet::new();
        for (index, hash) in file.allowed_secret_hashes.iter().enumerate() {
            // The value is not echoed: a user who pasted a token here must not see it in logs.
            let hash = hash.trim().to_ascii_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "config {}: allowed_secret_hashes entry {} is not a SHA-256 hex digest \
                     (put the token's hash there, never the token)",
                    path.display(),
                    index + 1
                );
            }
            allowed_hashes.insert(hash);
        }
        let mut extra_rules = Vec::new();
        for rules_path in file.extra_rules {
            extra_rules.push(Rules::load(&base.join(rules_path))?);
        }
        Ok(Self {
            path: Some(path.to_path_buf()),
            exclude,
            allowed_hashes,
            extra_rules,
        })
    }

    /// Whether `relative_path` (relative to the scanned root, `/`-separated) is excluded.
    pub fn is_excluded(&self, relative_path: &str, is_dir: bool) -> bool {
        !relative_path.is_empty()
            && self
                .exclude
                .matched_path_or_any_parents(relative_path, is_dir)
                .is_ignore()
    }

    pub fn allows_hash(&self, hash: &str) -> bool {
        self.allowed_hashes.contains(hash)
    }
}

/// Fingerprints of accepted findings.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading baseline {}", path.display()))?;
        let mut fingerprints = BTreeSet::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fingerprint = line.split_whitespace().next().unwrap_or_default();
            if fingerprint.len() != 32 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "baseline {}:{}: expected a 32-hex-digit fingerprint at the start of the line",
                    path.display(),
                    index + 1
                );
            }
            fingerprints.insert(fingerprint.to_ascii_lowercase());
        }
        Ok(Self { fingerprints })
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
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
                    finding.location.path.as_deref().unwrap_or("-")
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

/// Marks findings that an inline comment, the config or the baseline suppresses. Inline marks
/// are set by the scanner; this adds the other two.
pub fn apply(findings: &mut [Finding], config: &ProjectConfig, baseline: Option<&Baseline>) {
    for finding in findings {
        if finding.suppression.is_some() {
            continue;
        }
        if config.allows_hash(finding.secret.hash()) {
            finding.suppression = Some(Suppression::AllowedHash);
        } else if baseline.is_some_and(|b| b.contains(&finding.fingerprint())) {
            finding.suppression = Some(Suppression::Baseline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclude_paths_use_gitignore_syntax() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(
            &path,
            "exclude_paths = [\"fixtures/\", \"*.snap\", \"/top.txt\"]\n",
        )
        .unwrap();
        let config = ProjectConfig::load(&path, true).unwrap();
        assert!(config.is_excluded("fixtures/a/b.txt", false));
        assert!(config.is_excluded("src/x.snap", false));
        assert!(config.is_excluded("top.txt", false));
        assert!(!config.is_excluded("sub/top.txt", false));
        assert!(!config.is_excluded("src/main.rs", false));
    }

    #[test]
    fn a_token_in_allowed_hashes_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&path, "allowed_secret_hashes = [\"hf_notahash\"]\n").unwrap();
        let err = ProjectConfig::load(&path, true).unwrap_err();
        assert!(format!("{err:#}").contains("not a SHA-256"));
    }

    #[test]
    fn unknown_config_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&path, "exclude = [\"x\"]\n").unwrap();
        assert!(ProjectConfig::load(&path, true).is_err());
    }
}

//! What a scan reports: findings, where they came from, and the secret itself as a type that
//! cannot be printed by accident.
//!
//! `Secret`'s `Debug` and `Display` redact; the token is reachable only through
//! `Secret::expose`, which the reporters call only when the user passed `--show-secrets`. That
//! keeps tokens out of logs, panics and error messages by construction rather than by care.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod verification;
pub use verification::{
    Identity, NamespaceReach, OrgMembership, Power, Reach, RepoCount, RepoRef, ResourceGroupRole,
    ScopedPermissions, Scopes, Verification,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn score(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}

/// A token found in the input. Printing it shows the redacted form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret {
    value: String,
    prefix_len: usize,
    /// Computed once: baselines, configs, fingerprints, reports and verification all key on it.
    hash: String,
}

impl Secret {
    /// `prefix_len` is the length of the rule's literal prefix (`hf_`), kept visible when
    /// redacting.
    pub fn new(value: String, prefix_len: usize) -> Self {
        let prefix_len = prefix_len.min(value.len());
        let hash = hex_sha256(value.as_bytes());
        Self {
            value,
            prefix_len,
            hash,
        }
    }

    /// The token itself. Call only to show it on `--show-secrets` or to send it to the Hub.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// `hf_Ab…yZ`: the prefix, two characters each side, and nothing a thief could use.
    pub fn redacted(&self) -> String {
        let body = &self.value[self.prefix_len..];
        let prefix = &self.value[..self.prefix_len];
        if body.len() < 8 || !body.is_ascii() {
            return format!("{prefix}…");
        }
        format!("{prefix}{}…{}", &body[..2], &body[body.len() - 2..])
    }

    /// Lowercase hex SHA-256 of the token: the same token anywhere has the same hash, and the
    /// hash can be stored in baselines and configs without leaking the token.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// How a token was found: in plain text, or through the decoder or format reader named. Reports
/// show it as `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Encoding {
    #[serde(rename = "plain")]
    Plain,
    #[serde(rename = "base64")]
    Base64,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// UTF-32 code points (numpy `U` arrays, UTF-32 text), either byte order.
    #[serde(rename = "utf-32")]
    Utf32,
    #[serde(rename = "gzip")]
    Gzip,
    #[serde(rename = "bzip2")]
    Bzip2,
    #[serde(rename = "xz")]
    Xz,
    #[serde(rename = "zstd")]
    Zstd,
    /// A raw zlib stream (joblib's `compress=`, git's loose objects).
    #[serde(rename = "zlib")]
    Zlib,
    /// A zip member compressed with deflate.
    #[serde(rename = "deflate")]
    Deflate,
    /// A zip member compressed another way.
    #[serde(rename = "zip")]
    Zip,
    /// A 7z member (LZMA, LZMA2 or another 7z coder).
    #[serde(rename = "7z")]
    SevenZip,
    #[serde(rename = "pickle")]
    Pickle,
    #[serde(rename = "marshal")]
    Marshal,
    /// A numpy array's value, bounded by its dtype's width.
    #[serde(rename = "numpy")]
    Numpy,
    /// A SQLite record's value, bounded by its serial type.
    #[serde(rename = "sqlite")]
    Sqlite,
    /// A protobuf string in a TFRecord file (TensorBoard event files), bounded by its length.
    #[serde(rename = "protobuf")]
    Protobuf,
    /// A Parquet value, bounded by its length or its page's delta-encoded lengths, or a
    /// string of the file's Thrift metadata (page statistics, indexes, the footer).
    #[serde(rename = "parquet")]
    Parquet,
    /// An Arrow IPC value, bounded by its offsets or its view, or a string of the file's
    /// schema and metadata.
    #[serde(rename = "arrow")]
    Arrow,
    /// A container's metadata: a zip or member comment, a gzip header's name or comment, a tar
    /// PAX record or link target.
    #[serde(rename = "metadata")]
    Metadata,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::Base64 => "base64",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Utf32 => "utf-32",
            Encoding::Gzip => "gzip",
            Encoding::Bzip2 => "bzip2",
            Encoding::Xz => "xz",
            Encoding::Zstd => "zstd",
            Encoding::Zlib => "zlib",
            Encoding::Deflate => "deflate",
            Encoding::Zip => "zip",
            Encoding::SevenZip => "7z",
            Encoding::Pickle => "pickle",
            Encoding::Marshal => "marshal",
            Encoding::Numpy => "numpy",
            Encoding::Sqlite => "sqlite",
            Encoding::Protobuf => "protobuf",
            Encoding::Parquet => "parquet",
            Encoding::Arrow => "arrow",
            Encoding::Metadata => "metadata",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the scanned bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    File,
    History,
    Staged,
    CommitMessage,
    TagMessage,
    Stdin,
    /// A discussion or pull request on the Hub (`hf-scan hub --discussions`).
    Discussion,
    /// A file in a Hub Storage Bucket (`hf-scan hub`).
    Bucket,
    /// A Space's variable: its value and description (`hf-scan hub`).
    SpaceVariable,
    /// A Hub Job's or scheduled Job's environment, command and arguments (`hf-scan hub --jobs`).
    Job,
}

/// Where in the input a token sits. `line`/`column` are 1-based and absent in binary content,
/// where `offset` (0-based bytes) is what locates it. Columns count Unicode scalar values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// As the user can open it: relative to the working directory (or as the PATH was given),
    /// like ripgrep prints paths.
    pub path: Option<String>,
    /// Relative to the top of the git work tree, when the file is in one: what SARIF,
    /// annotations, fingerprints and baselines use, so they do not depend on the PATH.
    pub repo_path: Option<String>,
    /// Inside an archive: the member's path within the file, nesting joined with `!`
    /// (`inner.tar.gz!notes.txt`); line, column and offset are then relative to the member.
    pub member: Option<String>,
    /// In a notebook: the cell (and its part) holding the token.
    pub cell: Option<CellPlace>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub end_column: Option<u64>,
    pub offset: u64,
}

impl Location {
    /// The path that does not depend on how the file was reached: relative to the work tree's
    /// top when there is one, else as shown.
    pub fn stable_path(&self) -> Option<&str> {
        self.repo_path.as_deref().or(self.path.as_deref())
    }
}

/// A finding's place in a Jupyter notebook.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CellPlace {
    /// 1-based, in the order the notebook shows its cells.
    pub number: u32,
    /// The cell's key holding the token: `source`, `outputs`, `metadata`, `attachments`.
    pub part: Option<String>,
}

/// The commit that introduced a finding, for history scans.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// RFC 3339.
    pub date: String,
    pub summary: String,
    /// `at`: this commit introduced the token. `at-or-before`: it is a shallow clone's boundary
    /// commit, so the token may be older than the history that was fetched.
    pub introduced: Introduced,
}

/// The annotated tag whose message holds a finding (`source: tag-message`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TagInfo {
    /// The tag's name, as the tag object records it.
    pub name: String,
    /// The tag object's id.
    pub id: String,
    pub tagger_name: String,
    pub tagger_email: String,
    /// RFC 3339; empty when the tag has no tagger.
    pub date: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Introduced {
    At,
    AtOrBefore,
}

/// Why a finding is suppressed; suppressed findings reach SARIF (as `suppressions`) but not the
/// other reports or the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suppression {
    /// An `hf-scan:allow` comment on the line.
    Inline,
    /// The token's hash is allowed in `.hf-scan.toml`.
    AllowedHash,
    /// The finding's fingerprint is in the `--baseline` file.
    Baseline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub secret: Secret,
    pub source: SourceKind,
    pub location: Location,
    pub encoding: Encoding,
    pub commit: Option<CommitInfo>,
    /// For `tag-message` findings: the tag.
    pub tag: Option<TagInfo>,
    /// For `history` findings: whether HEAD's version of the path still holds the token
    /// (`false`: it was removed since, but remains in history and every clone).
    pub in_head: Option<bool>,
    pub suppression: Option<Suppression>,
    /// Set by `--verify`.
    pub verification: Option<Verification>,
    /// `hf-scan hub`: the Hub repository and a link to the place.
    pub hub: Option<HubPlace>,
}

/// Where on the Hub a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubPlace {
    /// `model`, `dataset`, `space`, `kernel`, `bucket` or `jobs` (a namespace's jobs).
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// A link a person can open: the file at the commit and line, or the discussion.
    #[serde(skip)]
    pub url: String,
}

impl Finding {
    /// A stable id keyed on content, not position: rule, path and token hash. Moving the token
    /// within its file keeps the fingerprint; a different token on the same line changes it.
    pub fn fingerprint(&self) -> String {
        let path = match (&self.location.member, self.location.stable_path()) {
            (Some(member), path) => format!("{}!{member}", path.unwrap_or("")),
            (None, path) => path.unwrap_or("").to_string(),
        };
        let key = format!(
            "hf-scan-v1\0{}\0{}\0{}",
            self.rule_id,
            path,
            self.secret.hash()
        );
        hex_sha256(key.as_bytes())[..32].to_string()
    }

    /// `path:line:column`, or `path@offset` in binary content; inside an archive
    /// `path!member:line:column`.
    pub fn position(&self) -> String {
        let message;
        let inside;
        let path = match (&self.location.path, &self.tag) {
            (Some(path), _) => match &self.location.member {
                Some(member) => {
                    inside = format!("{path}!{member}");
                    &inside
                }
                None => path.as_str(),
            },
            (None, Some(tag)) => {
                message = format!("<message of tag {}>", tag.name);
                &message
            }
            (None, None) => "<commit message>",
        };
        let at = match (self.location.line, self.location.column) {
            (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
            _ => format!("{path}@{}", self.location.offset),
        };
        match &self.location.cell {
            Some(CellPlace {
                number,
                part: Some(part),
            }) => format!("{at} (cell {number}, {part})"),
            Some(CellPlace { number, part: None }) => format!("{at} (cell {number})"),
            None => at,
        }
    }

    /// The order reports use: by path, then position, then rule; deterministic whatever the
    /// thread count.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.location.path.as_deref(),
            self.location.member.as_deref(),
            self.tag.as_ref().map(|t| t.name.as_str()),
            self.commit.as_ref().map(|c| c.date.as_str()),
            self.location.offset,
            self.rule_id.as_str(),
            self.commit.as_ref().map(|c| c.id.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fake_token, Rng};

    #[test]
    fn debug_and_display_never_show_the_token() {
        let token = fake_token(&mut Rng::new(5));
        let secret = Secret::new(token.clone(), 3);
        for shown in [
            format!("{secret}"),
            format!("{secret:?}"),
            secret.redacted(),
        ] {
            assert!(!shown.contains(&token[3..]), "{shown}");
            assert!(!shown.contains(&token[5..20]), "{shown}");
        }
        assert_eq!(
            secret.redacted(),
            format!("hf_{}…{}", &token[3..5], &token[35..])
        );
    }

    #[test]
    fn hash_is_sha256_of_the_token() {
        let secret = Secret::new("hf_abc".into(), 3);
        assert_eq!(
            secret.hash(),
            // sha256("hf_abc"), computed independently with `printf hf_abc | sha256sum`.
            "df36395a9d2f54b8e6e96d9710226cb93b5c6dad3ae506518b76363bd61ed591"
        );
    }
}

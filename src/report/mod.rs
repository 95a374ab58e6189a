//! Reporters: one file per format, each given the finished, sorted result.
//!
//! Every reporter shows `Secret::redacted()` unless the user passed `--show-secrets`; the choice
//! is made once, in `Shown::token`, so no format can forget it.

mod github;
mod html;
mod json;
pub mod links;
mod markdown;
mod sarif;

pub use sarif::write_failure as write_sarif_failure;
pub mod text;

use std::borrow::Cow;
use std::io::{self, Write};

use clap::ValueEnum;

use crate::collector::ScanResult;
use crate::detect::rules::Rules;
use crate::finding::{CommitInfo, Finding};
use crate::sanitize;

pub const REVOKE_URL: &str = "https://huggingface.co/settings/tokens";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: one finding per line and a summary.
    Text,
    /// One JSON document, version 1 of the documented schema.
    Json,
    /// One finding object per line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A Markdown table, for a GitHub job summary or a pull request comment.
    Markdown,
    /// One self-contained page for people: counts, a timeline, a sortable table.
    Html,
}

/// What the reporters need besides the result.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub show_secrets: bool,
    pub color: bool,
    pub quiet: bool,
    /// Run by the commit or commit-message hook: the findings were never committed.
    pub before_commit: bool,
}

impl ReportOptions {
    /// The token as this report may show it.
    pub fn token(&self, finding: &Finding) -> String {
        if self.show_secrets {
            finding.secret.expose().to_string()
        } else {
            finding.secret.redacted()
        }
    }

    /// A string echoed from scanned content (a path, a commit summary, an author) as a
    /// machine-readable report may carry it: tokens redacted unless `--show-secrets`.
    pub fn text<'a>(&self, echoed: &'a str) -> Cow<'a, str> {
        if self.show_secrets {
            Cow::Borrowed(echoed)
        } else {
            sanitize::redact_tokens(echoed)
        }
    }

    /// The same for people: also with control characters escaped, so a file name or an
    /// author name cannot drive the terminal or inject a workflow command.
    pub fn display(&self, echoed: &str) -> String {
        sanitize::escape_controls(&self.text(echoed)).into_owned()
    }

    /// The commit as a machine-readable report carries it (summary and names redacted).
    pub fn commit(&self, commit: &CommitInfo) -> CommitInfo {
        CommitInfo {
            author_name: self.text(&commit.author_name).into_owned(),
            author_email: self.text(&commit.author_email).into_owned(),
            summary: self.text(&commit.summary).into_owned(),
            ..commit.clone()
        }
    }
}

/// Writes `result` in `format`. Suppressed findings appear only in SARIF (as suppressions, so
/// GitHub keeps the alert closed instead of closing and reopening it).
pub fn write(
    format: Format,
    result: &ScanResult,
    rules: &Rules,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(result, options, out),
        Format::Json => json::write(result, options, out),
        Format::Jsonl => json::write_lines(result, options, out),
        Format::Sarif => sarif::write(result, rules, options, out),
        Format::Github => github::write(result, options, out),
        Format::Markdown => markdown::write(result, options, out),
        Format::Html => html::write(result, options, out),
    }
}

/// The findings that count: not suppressed.
pub fn reported(result: &ScanResult) -> impl Iterator<Item = &Finding> {
    result
        .findings
        .iter()
        .filter(|finding| finding.suppression.is_none())
}

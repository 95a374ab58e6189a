//! `--format json` (one document, schema version 1) and `--format jsonl` (one finding a line).
//!
//! The field names and meanings are a contract (DESIGN.md, README): fields may be added, never
//! changed, within version 1.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::{reported, ReportOptions};
use crate::collector::{ScanResult, Stats};
use crate::finding::{CellPlace, CommitInfo, Encoding, Finding, Severity, SourceKind, TagInfo};
use crate::finding::{HubPlace, Verification};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<FindingJson<'a>>,
    stats: &'a Stats,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
pub struct FindingJson<'a> {
    rule_id: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    redacted: String,
    secret_hash: &'a str,
    fingerprint: String,
    source: SourceKind,
    location: LocationJson<'a>,
    encoding: Encoding,
    commit: Option<CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<TagInfo>,
    /// History findings: HEAD's version of the path still holds the token.
    in_head: Option<bool>,
    verification: Option<&'a Verification>,
    /// `hf-scan hub`: `{type, id}` of the Hub repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<HubPlace>,
    /// `hf-scan hub`: a link to the file at the commit and line, or to the discussion.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Cow<'a, str>>,
}

#[derive(Serialize)]
struct LocationJson<'a> {
    path: Option<Cow<'a, str>>,
    /// Relative to the top of the git work tree; null outside one.
    repo_path: Option<Cow<'a, str>>,
    /// Inside an archive: the member's path, nesting joined with `!`; null otherwise.
    member: Option<Cow<'a, str>>,
    /// In a notebook: `{"number", "part"}` of the cell holding the token; null otherwise.
    cell: Option<&'a CellPlace>,
    line: Option<u64>,
    column: Option<u64>,
    end_column: Option<u64>,
    /// Byte offset from the start of the content: the position in binary files.
    offset: u64,
}

pub fn finding_json<'a>(finding: &'a Finding, options: &ReportOptions) -> FindingJson<'a> {
    FindingJson {
        rule_id: &finding.rule_id,
        severity: finding.severity,
        secret: options.show_secrets.then(|| finding.secret.expose()),
        redacted: finding.secret.redacted(),
        secret_hash: finding.secret.hash(),
        fingerprint: finding.fingerprint(),
        source: finding.source,
        location: LocationJson {
            path: finding.location.path.as_deref().map(|p| options.text(p)),
            repo_path: finding
                .location
                .repo_path
                .as_deref()
                .map(|p| options.text(p)),
            member: finding.location.member.as_deref().map(|m| options.text(m)),
            cell: finding.location.cell.as_ref(),
            line: finding.location.line,
            column: finding.location.column,
            end_column: finding.location.end_column,
            offset: finding.location.offset,
        },
        encoding: finding.encoding,
        commit: finding.commit.as_ref().map(|c| options.commit(c)),
        tag: finding.tag.as_ref().map(|t| TagInfo {
            name: options.text(&t.name).into_owned(),
            tagger_name: options.text(&t.tagger_name).into_owned(),
            tagger_email: options.text(&t.tagger_email).into_owned(),
            ..t.clone()
        }),
        in_head: finding.in_head,
        verification: finding.verification.as_ref(),
        // A repository id is the Hub user's to choose, and may hold a token like a path.
        repo: finding.hub.as_ref().map(|place| HubPlace {
            id: options.text(&place.id).into_owned(),
            ..place.clone()
        }),
        url: finding.hub.as_ref().map(|place| options.text(&place.url)),
    }
}

pub fn write(result: &ScanResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "hf-scan",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: reported(result)
            .map(|finding| finding_json(finding, options))
            .collect(),
        stats: &result.stats,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

pub fn write_lines(
    result: &ScanResult,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for finding in reported(result) {
        serde_json::to_writer(&mut *out, &finding_json(finding, options))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

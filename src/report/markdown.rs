//! `--format markdown`: a table for a GitHub job summary (`$GITHUB_STEP_SUMMARY`) or a comment.
//!
//! GitHub caps a step summary at 1 MiB, so the table stops at `MAX_ROWS` rows (most severe
//! first) and says how many it left out; every cell is escaped so a path cannot break the table.

use std::io::{self, Write};

use super::{reported, ReportOptions, REVOKE_URL};
use crate::collector::{human_bytes, ScanResult};
use crate::finding::Finding;

const MAX_ROWS: usize = 500;

pub fn write(result: &ScanResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut findings: Vec<&Finding> = reported(result).collect();
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    let stats = &result.stats;
    let scanned = format!("{}, {}", stats.scanned(), human_bytes(stats.bytes));
    if findings.is_empty() {
        writeln!(out, "### hf-scan: no Hugging Face tokens found\n")?;
        writeln!(out, "Scanned {scanned}.")?;
    } else {
        writeln!(
            out,
            "### hf-scan: {} Hugging Face token finding(s)\n",
            findings.len()
        )?;
        writeln!(
            out,
            "Revoke each token at {REVOKE_URL}: removing it from the code does not un-leak it.\n"
        )?;
        writeln!(
            out,
            "| Severity | Token | Location | Commit | Verification |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for finding in findings.iter().take(MAX_ROWS) {
            let commit = finding
                .tag
                .as_ref()
                .map(|tag| format!("tag {}", code(&options.display(&tag.name))))
                .or_else(|| {
                    finding.commit.as_ref().map(|c| {
                        format!(
                            "`{}` {}",
                            &c.id[..c.id.len().min(10)],
                            code(&options.display(&c.author_name))
                        )
                    })
                })
                .unwrap_or_default();
            let verification = finding
                .verification
                .as_ref()
                .map(|v| code(&options.display(&v.describe())))
                .unwrap_or_else(|| "not checked".into());
            writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} |",
                finding.severity.as_str(),
                cell(&options.token(finding)),
                cell(&options.display(&finding.position())),
                commit,
                verification
            )?;
        }
        if findings.len() > MAX_ROWS {
            writeln!(
                out,
                "\n…and {} more; see the SARIF or JSON report.",
                findings.len() - MAX_ROWS
            )?;
        }
        writeln!(out, "\nScanned {scanned}.")?;
    }
    if let Some(how) = stats.suppressed.describe() {
        writeln!(
            out,
            "\n**Suppressed:** {} finding(s): {how}.",
            stats.suppressed.total()
        )?;
    }
    if stats.skipped > 0 {
        writeln!(
            out,
            "\n**Skipped:** {} path(s) excluded by the project config.",
            stats.skipped
        )?;
    }
    if stats.ignored > 0 {
        writeln!(
            out,
            "\n**Ignored:** {} path(s) ignored by .gitignore, not scanned (`--no-ignore` scans them).",
            stats.ignored
        )?;
    }
    for notice in &stats.notices {
        writeln!(out, "\n**Note:** {}", code(&options.display(notice)))?;
    }
    if stats.incomplete {
        writeln!(
            out,
            "\n**Incomplete:** {} warning(s); see the log.",
            stats.warnings.len()
        )?;
    }
    Ok(())
}

/// An echoed string (an author, a tag, a Hub name, a notice quoting paths) as a code span: no
/// emphasis, link or autolink inside one can render, whatever it holds.
fn code(text: &str) -> String {
    format!("`{}`", cell(text))
}

/// Escapes what would end a cell or a code span.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

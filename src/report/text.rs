//! `--format text`: for people reading a terminal.
//!
//! One finding per line, `path:line:col  rule  hf_Ab…yZ  severity`, so the output greps and
//! sorts; history findings add an indented line naming the commit that introduced the token.
//! Then what to do, and a summary of how much was scanned, so a clean result is visibly a real
//! one.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::{reported, ReportOptions, REVOKE_URL};
use crate::collector::{human_bytes, plural, ScanResult};
use crate::finding::{Encoding, Finding, Introduced, Severity, SourceKind, Verification};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";

struct Paint(bool);

impl Paint {
    fn wrap(&self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// The whole report, for a file (`-o`): findings, then the run's notes and warnings, what to
/// do, and the summary.
pub fn write(result: &ScanResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    write_findings(result, options, out)?;
    if options.quiet {
        return Ok(());
    }
    for notice in &result.stats.notices {
        writeln!(out, "hf-scan: note: {}", options.display(notice))?;
    }
    for warning in &result.stats.warnings {
        writeln!(out, "hf-scan: warning: {}", options.display(warning))?;
    }
    write_closing(result, options, out)
}

/// The findings, one per line with what follows each: what standard output carries.
pub fn write_findings(
    result: &ScanResult,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint(options.color);
    for finding in reported(result) {
        let severity_style = match finding.severity {
            Severity::Critical | Severity::High => RED,
            Severity::Medium => YELLOW,
            Severity::Low => DIM,
        };
        writeln!(
            out,
            "{}  {}  {}  {}",
            paint.wrap(BOLD, &options.display(&finding.position())),
            finding.rule_id,
            shown_token(finding, options),
            paint.wrap(severity_style, finding.severity.as_str()),
        )?;
        if let Some(verification) = &finding.verification {
            let style = match verification.status() {
                "valid" => RED,
                "invalid" => DIM,
                _ => YELLOW,
            };
            writeln!(
                out,
                "    {}",
                paint.wrap(style, &options.display(&verification.describe()))
            )?;
            if let Verification::Valid(identity) = verification {
                for line in identity.report_lines() {
                    writeln!(out, "    {}", options.display(&line))?;
                }
            }
        }
        if let Some(place) = &finding.hub {
            writeln!(out, "    {}", options.display(&place.url))?;
        }
        let origin = match (&finding.tag, &finding.commit) {
            (Some(tag), _) => Some(format!(
                "in the message of tag {} by {} <{}> on {}",
                tag.name, tag.tagger_name, tag.tagger_email, tag.date
            )),
            (None, Some(commit)) => Some(format!(
                "introduced in {}{} by {} <{}> on {}: {}",
                &commit.id[..commit.id.len().min(10)],
                match commit.introduced {
                    Introduced::At => "",
                    Introduced::AtOrBefore => " or before (the history is shallow there)",
                },
                commit.author_name,
                commit.author_email,
                commit.date,
                commit.summary
            )),
            (None, None) => None,
        };
        if let Some(origin) = origin {
            writeln!(out, "    {}", paint.wrap(DIM, &options.display(&origin)))?;
        }
        match finding.in_head {
            Some(true) => writeln!(out, "    {}", paint.wrap(DIM, "still in this file at HEAD"))?,
            Some(false) => writeln!(
                out,
                "    {}",
                paint.wrap(DIM, "gone from this file at HEAD, still in history")
            )?,
            None => {}
        }
    }
    Ok(())
}

/// What to do and the summary: on standard error after the run's warnings, so the advice and
/// "INCOMPLETE … (see above)" read top to bottom and `hf-scan > findings.txt` keeps findings
/// only.
pub fn write_closing(
    result: &ScanResult,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint(options.color);
    let distinct: BTreeSet<&str> = reported(result)
        .map(|finding| finding.secret.hash())
        .collect();
    let count = reported(result).count();
    let stats = &result.stats;
    let seconds = stats.duration_ms as f64 / 1000.0;
    let scanned = stats.scanned();
    if count > 0 {
        writeln!(out)?;
        let only_staged = reported(result).all(|f| f.source == SourceKind::Staged);
        if options.before_commit {
            writeln!(
                out,
                "What to do: take the token out of the change (edit the file or the message, load\n\
                 the token from HF_TOKEN or a secret store). The commit did not happen; revoke\n\
                 the token at {REVOKE_URL} only if it already left this machine."
            )?;
        } else if only_staged {
            writeln!(
                out,
                "What to do: take the token out of the staged change (edit the file, load the token\n\
                 from HF_TOKEN or a secret store, `git add` again). If it was ever pushed, shared\n\
                 or pasted elsewhere, revoke it at {REVOKE_URL}."
            )?;
        } else {
            writeln!(
                out,
                "What to do: revoke each token at {REVOKE_URL}\n\
                 (deleting the line does not un-leak it: it stays in git history and every clone),\n\
                 then load a new one from HF_TOKEN or a secret store."
            )?;
        }
        writeln!(
            out,
            "To accept a finding on purpose (a test fixture, a revoked token): an `hf-scan:allow`\n\
             comment on its line, its hash in .hf-scan.toml, or a baseline (--write-baseline)."
        )?;
    }
    let suppressed = match stats.suppressed.describe() {
        Some(how) => format!(", {} suppressed ({how})", stats.suppressed.total()),
        None => String::new(),
    };
    let skipped = if stats.skipped > 0 {
        format!(", {} skipped by the config", stats.skipped)
    } else {
        String::new()
    };
    let ignored = if stats.ignored > 0 {
        format!(
            ", {} ignored by .gitignore (--no-ignore scans them)",
            plural(stats.ignored, "path")
        )
    } else {
        String::new()
    };
    if scanned == "nothing" {
        // Nothing staged, an empty history, nothing to audit: not "0 findings in 0 files".
        return writeln!(
            out,
            "{}: nothing was scanned{suppressed}{skipped}{ignored} ({seconds:.2}s){}",
            paint.wrap(BOLD, "hf-scan"),
            incomplete(stats)
        );
    }
    writeln!(
        out,
        "{}: {count} {} ({} distinct {}){suppressed}{skipped}{ignored} in {scanned}, {}, {seconds:.2}s{}",
        paint.wrap(BOLD, "hf-scan"),
        if count == 1 { "finding" } else { "findings" },
        distinct.len(),
        if distinct.len() == 1 {
            "token"
        } else {
            "tokens"
        },
        human_bytes(stats.bytes),
        incomplete(stats)
    )
}

/// `; INCOMPLETE: 2 warnings (see above)`, or nothing for a complete scan.
fn incomplete(stats: &crate::collector::Stats) -> String {
    if stats.incomplete {
        format!(
            "; INCOMPLETE: {} (see above)",
            plural(stats.warnings.len() as u64, "warning")
        )
    } else {
        String::new()
    }
}

/// The token as shown, with the encoding it was found in when it was not plain text: the file
/// holds `aGZf…` where the report shows `hf_…`.
fn shown_token(finding: &Finding, options: &ReportOptions) -> String {
    match finding.encoding {
        Encoding::Plain => options.token(finding),
        encoding => format!("{} ({encoding})", options.token(finding)),
    }
}

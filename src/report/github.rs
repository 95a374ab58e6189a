//! `--format github`: GitHub Actions workflow commands, which GitHub turns into annotations.
//!
//! GitHub shows at most ten error annotations per step, so the most severe findings come first,
//! and a closing notice gives the total so nothing is silently cut.

use std::io::{self, Write};

use super::{reported, ReportOptions, REVOKE_URL};
use crate::collector::ScanResult;
use crate::finding::Finding;

pub fn write(result: &ScanResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut findings: Vec<&Finding> = reported(result).collect();
    // Stable: equal severities keep the report's path order.
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    for finding in &findings {
        let mut properties = Vec::new();
        // GitHub resolves annotation paths from the repository's top.
        if let Some(path) = finding.location.stable_path() {
            properties.push(format!("file={}", escape_property(&options.display(path))));
        }
        // Inside an archive, the line is the member's, not the file's: the annotation is on
        // the file, and the message says where inside it.
        if finding.location.member.is_none() {
            if let Some(line) = finding.location.line {
                properties.push(format!("line={line}"));
            }
            if let Some(column) = finding.location.column {
                properties.push(format!("col={column}"));
            }
            if let Some(end_column) = finding.location.end_column {
                properties.push(format!("endColumn={end_column}"));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!(
                "{} ({})",
                finding.rule_name,
                finding.severity.as_str()
            ))
        ));
        let mut message = format!(
            "{} found at {}. Revoke it at {REVOKE_URL}, then remove it.",
            options.token(finding),
            options.display(&finding.position())
        );
        if let Some(tag) = &finding.tag {
            message.push_str(&format!(
                " In the message of tag {} ({}).",
                options.display(&tag.name),
                tag.id
            ));
        }
        if let Some(commit) = &finding.commit {
            message.push_str(&format!(
                " Introduced in {} by {} on {}.",
                commit.id,
                options.display(&commit.author_name),
                commit.date
            ));
        }
        writeln!(
            out,
            "::error {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    for notice in &result.stats.notices {
        writeln!(
            out,
            "::notice title=hf-scan::{}",
            escape_data(&options.display(notice))
        )?;
    }
    if !findings.is_empty() {
        writeln!(
            out,
            "::notice title=hf-scan::{}",
            escape_data(&format!(
                "hf-scan found {} Hugging Face token finding(s); the most severe are annotated first.",
                findings.len()
            ))
        )?;
    }
    Ok(())
}

/// Escaping for a command's message, as the Actions toolkit does it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value, which also may not hold `:` or `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_escape_separators() {
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        assert_eq!(escape_data("50%\r\nx:y"), "50%25%0D%0Ax:y");
    }
}

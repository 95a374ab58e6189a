//! `--format html`: one self-contained page for people who will not read JSON.
//!
//! At the top, what a reader wants before the detail: totals, counts by severity, verification
//! status, repository (Hub audits) and path prefix, and a timeline of when leaks were
//! introduced. Below, every reported finding in a table that `html/report.js` sorts and filters;
//! the rows are rendered here, so the page reads the same without JavaScript.
//!
//! The page loads nothing: its CSS and script are embedded, and its Content-Security-Policy
//! allows exactly those two (by SHA-256) and nothing else, so even text that escaped escaping
//! could not run or fetch anything. Every echoed string is redacted like every format and
//! HTML-escaped; links are built by `links.rs`, never taken from scanned content.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use sha2::{Digest, Sha256};

use super::links::{self, WebRepo};
use super::{reported, ReportOptions, REVOKE_URL};
use crate::collector::{human_bytes, plural, ScanResult};
use crate::finding::{Finding, Severity, SourceKind, Verification};

const CSS: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");
/// Path prefixes and repositories beyond this many are summed as "everything else".
const TOP: usize = 12;

pub fn write(result: &ScanResult, options: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<&Finding> = reported(result).collect();
    let mut page = String::with_capacity(16 * 1024 + findings.len() * 1024);
    head(&mut page, findings.len());
    summary(&mut page, result, &findings, options);
    table(&mut page, result.web.as_ref(), &findings, options);
    notes(&mut page, result, options);
    let _ = write!(
        page,
        "<footer>hf-scan {} · tokens are shown redacted{} · this page loads nothing from the \
         network</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        if options.show_secrets {
            " unless --show-secrets was given (it was: treat this file as a secret)"
        } else {
            ""
        },
    );
    out.write_all(page.as_bytes())
}

fn head(page: &mut String, count: usize) {
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'",
        base64_sha256(CSS),
        base64_sha256(SCRIPT)
    );
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>hf-scan: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        plural(count as u64, "finding")
    );
}

/// A finding's verification status as the report names it.
fn status(finding: &Finding) -> &'static str {
    match &finding.verification {
        Some(Verification::Valid(_)) => "live",
        Some(Verification::Invalid { .. }) => "revoked",
        Some(Verification::Unknown { .. }) => "unknown",
        None => "unchecked",
    }
}

const STATUSES: [(&str, &str); 4] = [
    ("live", "live (the Hub accepts it)"),
    ("revoked", "revoked or expired"),
    ("unknown", "unknown (no answer)"),
    ("unchecked", "not checked (no --verify)"),
];

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

fn summary(page: &mut String, result: &ScanResult, findings: &[&Finding], options: &ReportOptions) {
    let stats = &result.stats;
    let distinct: std::collections::BTreeSet<&str> =
        findings.iter().map(|f| f.secret.hash()).collect();
    let live = findings.iter().filter(|f| status(f) == "live").count();
    let _ = write!(
        page,
        "<header>\n<h1>hf-scan report</h1>\n<p class=\"meta\">Scanned {}, {} in {:.2} s.</p>\n",
        escape(&stats.scanned()),
        human_bytes(stats.bytes),
        stats.duration_ms as f64 / 1000.0
    );
    if stats.incomplete {
        let _ = writeln!(
            page,
            "<p class=\"banner\" id=\"incomplete\"><strong>Incomplete:</strong> {} (listed at \
             the end). Finding nothing where it could not read would not mean nothing is \
             there.</p>",
            plural(stats.warnings.len() as u64, "warning")
        );
    }
    page.push_str("</header>\n<section id=\"summary\">\n<div class=\"totals\">\n");
    for (id, number, what) in [
        ("total-findings", findings.len(), "findings"),
        ("total-tokens", distinct.len(), "distinct tokens"),
        ("total-live", live, "live tokens"),
        (
            "total-suppressed",
            stats.suppressed.total() as usize,
            "suppressed",
        ),
    ] {
        let _ = writeln!(
            page,
            "<div class=\"total\" id=\"{id}\"><span class=\"n\">{number}</span><span \
             class=\"what\">{what}</span></div>"
        );
    }
    page.push_str("</div>\n<div class=\"breakdowns\">\n");

    let by_severity: Vec<(String, String, usize)> = SEVERITIES
        .iter()
        .map(|severity| {
            let name = severity.as_str();
            let count = findings.iter().filter(|f| f.severity == *severity).count();
            (name.to_string(), format!("severity={name}"), count)
        })
        .collect();
    counts(page, "by-severity", "By severity", &by_severity);
    let by_status: Vec<(String, String, usize)> = STATUSES
        .iter()
        .map(|(name, label)| {
            let count = findings.iter().filter(|f| status(f) == *name).count();
            (label.to_string(), format!("status={name}"), count)
        })
        .collect();
    counts(page, "by-status", "By verification", &by_status);
    if findings.iter().any(|f| f.hub.is_some()) {
        // Named as the Hub's URLs and the findings' paths name them: `acme/m`, `datasets/acme/d`.
        let repositories = tally(findings.iter().map(|f| match &f.hub {
            Some(place) if place.kind == "model" => options.display(&place.id),
            Some(place) => options.display(&format!("{}s/{}", place.kind, place.id)),
            None => "(not on the Hub)".to_string(),
        }));
        counts(page, "by-repository", "By repository", &repositories);
    }
    // Paths are echoed content: redacted (a token can be a file name) like the table's.
    let prefixes = tally(findings.iter().map(|f| options.display(&path_prefix(f))));
    counts(page, "by-path", "By path", &prefixes);
    page.push_str("</div>\n");
    timeline(page, findings);
    page.push_str("</section>\n");
}

/// Counts of each distinct value, most first, the tail beyond `TOP` summed; each row filters
/// the table by its text.
fn tally(values: impl Iterator<Item = String>) -> Vec<(String, String, usize)> {
    let mut counted: BTreeMap<String, usize> = BTreeMap::new();
    for value in values {
        *counted.entry(value).or_default() += 1;
    }
    let mut rows: Vec<(String, usize)> = counted.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rest: usize = rows.iter().skip(TOP).map(|row| row.1).sum();
    let mut shown: Vec<(String, String, usize)> = rows
        .into_iter()
        .take(TOP)
        .map(|(name, count)| (name.clone(), format!("text={name}"), count))
        .collect();
    if rest > 0 {
        shown.push(("everything else".into(), String::new(), rest));
    }
    shown
}

/// The first directory of a finding's path (`src/`), the file itself at the top, or where a
/// pathless finding came from.
fn path_prefix(finding: &Finding) -> String {
    match (finding.location.stable_path(), finding.source) {
        (Some(path), _) => match path.split_once('/') {
            Some((first, _)) => format!("{first}/"),
            None => path.to_string(),
        },
        (None, SourceKind::CommitMessage) => "(commit messages)".into(),
        (None, SourceKind::TagMessage) => "(tag messages)".into(),
        (None, SourceKind::Stdin) => "(standard input)".into(),
        (None, _) => "(no path)".into(),
    }
}

/// One summary figure: a row per value with its count and a bar.
fn counts(page: &mut String, id: &str, caption: &str, rows: &[(String, String, usize)]) {
    let most = rows.iter().map(|row| row.2).max().unwrap_or(0).max(1);
    let _ = write!(
        page,
        "<figure id=\"{id}\"><figcaption>{caption}</figcaption><table class=\"counts\">"
    );
    for (label, filter, count) in rows {
        let filter = if filter.is_empty() || *count == 0 {
            String::new()
        } else {
            format!(" data-filter=\"{}\"", escape(filter))
        };
        let width = (*count as f64 / most as f64 * 100.0).round();
        let _ = write!(
            page,
            "<tr{filter}><th>{}</th><td class=\"n\">{count}</td><td class=\"bar\"><svg \
             width=\"100%\" height=\"10\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" \
             aria-hidden=\"true\"><rect width=\"{width}\" height=\"10\"/></svg></td></tr>",
            escape(label)
        );
    }
    page.push_str("</table></figure>\n");
}

/// When the leaks were introduced: findings per month of their commit's date (per year when
/// they span more than ten years), as bars.
fn timeline(page: &mut String, findings: &[&Finding]) {
    let dates: Vec<(i32, u32)> = findings
        .iter()
        .filter_map(|finding| {
            let date = match (&finding.tag, &finding.commit) {
                (Some(tag), _) => &tag.date,
                (None, Some(commit)) => &commit.date,
                _ => return None,
            };
            let year = date.get(0..4)?.parse().ok()?;
            let month = date.get(5..7)?.parse().ok()?;
            (1..=12).contains(&month).then_some((year, month))
        })
        .collect();
    page.push_str(
        "<figure id=\"timeline\"><figcaption>When the leaks were introduced</figcaption>",
    );
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        page.push_str(
            "<p class=\"meta\">No commit dates: only history scans (<code>--history</code>, \
             ranges, <code>hf-scan hub</code>) know when a token was introduced.</p></figure>\n",
        );
        return;
    };
    let index = |(year, month): (i32, u32)| year as i64 * 12 + month as i64 - 1;
    let by_year = index(*last) - index(*first) >= 120;
    let key = |date: (i32, u32)| {
        if by_year {
            date.0 as i64 - first.0 as i64
        } else {
            index(date) - index(*first)
        }
    };
    let buckets = key(*last) as usize + 1;
    let mut counts = vec![0usize; buckets];
    for date in &dates {
        counts[key(*date) as usize] += 1;
    }
    let label = |bucket: usize| {
        if by_year {
            format!("{}", first.0 + bucket as i32)
        } else {
            let month = index(*first) + bucket as i64;
            format!("{}-{:02}", month / 12, month % 12 + 1)
        }
    };
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    // At most about a page wide, so the labels are not scaled down to specks.
    let width = (buckets * 44).clamp(480, 960);
    let _ = write!(
        page,
        "<svg class=\"timeline\" width=\"{width}\" height=\"130\" viewBox=\"0 0 {width} 130\" \
         role=\"img\" aria-label=\"findings by {}\">",
        if by_year { "year" } else { "month" }
    );
    let step = width as f64 / buckets as f64;
    let label_every = buckets.div_ceil(24).max(1);
    for (bucket, count) in counts.iter().enumerate() {
        let height = (*count as f64 / most as f64 * 100.0).round();
        let x = bucket as f64 * step;
        let _ = write!(
            page,
            "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{height}\"><title>{}: {}</title></rect>",
            x + 1.0,
            105.0 - height,
            (step - 2.0).max(1.0),
            label(bucket),
            plural(*count as u64, "finding")
        );
        if bucket % label_every == 0 || bucket + 1 == buckets {
            let _ = write!(
                page,
                "<text x=\"{:.1}\" y=\"122\">{}</text>",
                x + 1.0,
                label(bucket)
            );
        }
    }
    page.push_str("</svg></figure>\n");
}

fn table(page: &mut String, web: Option<&WebRepo>, findings: &[&Finding], options: &ReportOptions) {
    page.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if findings.is_empty() {
        page.push_str(
            "<p class=\"empty\" id=\"no-findings\">No Hugging Face tokens found.</p>\n</section>\n",
        );
        return;
    }
    page.push_str(
        "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: \
         path, owner, commit, author…\" aria-label=\"Filter the findings\">\
         <select id=\"severity-filter\" aria-label=\"Severity\"><option value=\"\">every \
         severity</option>",
    );
    for severity in SEVERITIES {
        let _ = write!(page, "<option>{}</option>", severity.as_str());
    }
    page.push_str(
        "</select><select id=\"status-filter\" aria-label=\"Verification\"><option \
         value=\"\">every status</option>",
    );
    for (name, _) in STATUSES {
        let _ = write!(page, "<option>{name}</option>");
    }
    page.push_str(
        "</select><span id=\"shown\"></span></div>\n<table class=\"findings\" \
         id=\"findings-table\">\n<thead><tr><th data-type=\"number\">Severity</th>\
         <th>Status</th><th>Token</th>",
    );
    // Without verification nobody's name is known: no empty column.
    let owners = findings
        .iter()
        .any(|finding| finding.verification.is_some());
    if owners {
        page.push_str("<th>Owner and role</th>");
    }
    page.push_str(
        "<th>Location</th><th>Commit</th><th>Author</th><th>Date</th><th>What to do</th>\
         </tr></thead>\n<tbody>\n",
    );
    for finding in findings {
        row(page, finding, web, options, owners);
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

fn row(
    page: &mut String,
    finding: &Finding,
    web: Option<&WebRepo>,
    options: &ReportOptions,
    owners: bool,
) {
    let shown = |text: &str| escape(&options.display(text));
    let status = status(finding);
    let severity = finding.severity.as_str();
    let rank = SEVERITIES.len()
        - SEVERITIES
            .iter()
            .position(|s| *s == finding.severity)
            .unwrap_or(0);
    let _ = write!(
        page,
        "<tr data-severity=\"{severity}\" data-status=\"{status}\"><td class=\"sev \
         sev-{severity}\" data-sort=\"{rank}\">{severity}</td><td class=\"status \
         status-{status}\">{status}</td><td><code>{}</code><span class=\"sub\">{}</span></td>",
        escape(&options.token(finding)),
        escape(&finding.rule_id),
    );
    match &finding.verification {
        Some(Verification::Valid(identity)) => {
            let _ = write!(
                page,
                "<td>{}<span class=\"sub\">{}</span>",
                shown(identity.user.as_deref().unwrap_or("?")),
                shown(&identity.details())
            );
            // What it can change and where it is cut off; the reach counts stay in text and JSON.
            let lines = identity.report_lines().into_iter();
            for line in
                lines.filter(|line| !line.starts_with("reach ") && !line.starts_with("most "))
            {
                let _ = write!(page, "<span class=\"sub\">{}</span>", shown(&line));
            }
            page.push_str("</td>");
        }
        Some(Verification::Invalid { reason } | Verification::Unknown { reason }) => {
            let _ = write!(
                page,
                "<td><span class=\"sub\">{}</span></td>",
                shown(reason)
            );
        }
        None if owners => page.push_str("<td></td>"),
        None => {}
    }
    // A path breaks after its slashes, not in the middle of a name.
    let position = shown(&finding.position()).replace('/', "/<wbr>");
    // A link is built from the path, and a path can hold a token: such a link is left out
    // rather than shown whole (a redacted one would lead nowhere).
    let link = links::link(finding, web).filter(|url| options.text(url) == url.as_str());
    let _ = match link {
        Some(url) => write!(
            page,
            "<td class=\"where mono\"><a href=\"{}\" rel=\"noreferrer noopener\" \
             target=\"_blank\">{position}</a>",
            escape(&url)
        ),
        None => write!(page, "<td class=\"where mono\">{position}"),
    };
    if let Some(place) = &finding.hub {
        let _ = write!(
            page,
            "<span class=\"sub\">{} {}</span>",
            shown(&place.kind),
            shown(&place.id)
        );
    }
    if finding.encoding != crate::finding::Encoding::Plain {
        let _ = write!(
            page,
            "<span class=\"sub\">found {}</span>",
            finding.encoding
        );
    }
    if let (Some(commit), Some(_)) = (&finding.commit, finding.location.line) {
        // The line is the file's at the commit that introduced the token, not today's.
        let _ = write!(
            page,
            "<span class=\"sub\">line as of {}</span>",
            escape(&commit.id[..commit.id.len().min(10)])
        );
    }
    page.push_str("</td>");
    let (commit, author, date) = match (&finding.tag, &finding.commit) {
        (Some(tag), _) => (
            format!("tag {}", shown(&tag.name)),
            format!(
                "{} <span class=\"sub\">{}</span>",
                shown(&tag.tagger_name),
                shown(&tag.tagger_email)
            ),
            shown(&tag.date),
        ),
        (None, Some(commit)) => (
            format!(
                "<code>{}</code><span class=\"sub\">{}</span>",
                escape(&commit.id[..commit.id.len().min(10)]),
                shown(&commit.summary)
            ),
            format!(
                "{} <span class=\"sub\">{}</span>",
                shown(&commit.author_name),
                shown(&commit.author_email)
            ),
            shown(&commit.date),
        ),
        (None, None) => Default::default(),
    };
    let _ = writeln!(
        page,
        "<td class=\"mono\">{commit}</td><td>{author}</td><td class=\"mono date\" \
         data-sort=\"{date}\">{}</td><td class=\"todo\">{}</td></tr>",
        date.get(..10).unwrap_or(&date),
        advice(finding)
    );
}

/// What to do about one finding, most urgent first.
fn advice(finding: &Finding) -> String {
    let revoke = format!(
        "<a href=\"{REVOKE_URL}\" rel=\"noreferrer noopener\" target=\"_blank\">revoke it</a>"
    );
    let mut advice = match (&finding.verification, finding.source) {
        (Some(Verification::Valid(identity)), _) => format!(
            "<strong>Live:</strong> {revoke} now (only {} can), then check what it touched.",
            escape(&crate::sanitize::for_display(
                identity.user.as_deref().unwrap_or("its owner")
            ))
        ),
        (Some(Verification::Invalid { .. }), _) => {
            "Already dead; remove it so scans stay quiet, or accept it with an allow comment or a \
             baseline."
                .to_string()
        }
        (_, SourceKind::Staged) => format!(
            "Take it out of the staged change and load it from <code>HF_TOKEN</code>; {revoke} if \
             it was ever shared."
        ),
        _ => format!("{revoke}, or check it with <code>hf-scan verify</code>."),
    };
    if finding.in_head == Some(false) {
        advice.push_str(" Gone from this file at HEAD, still in history and every clone.");
    }
    advice
}

/// Warnings, notices and suppressions, so the page says everything the terminal did.
fn notes(page: &mut String, result: &ScanResult, options: &ReportOptions) {
    let stats = &result.stats;
    let mut items: Vec<String> = Vec::new();
    if let Some(how) = stats.suppressed.describe() {
        items.push(format!(
            "{} suppressed ({})",
            plural(stats.suppressed.total(), "finding"),
            escape(&how)
        ));
    }
    if stats.skipped > 0 {
        items.push(format!(
            "{} skipped by the config",
            plural(stats.skipped, "path")
        ));
    }
    if stats.ignored > 0 {
        items.push(format!(
            "{} ignored by .gitignore, not scanned (<code>--no-ignore</code> scans them)",
            plural(stats.ignored, "path")
        ));
    }
    items.extend(
        stats
            .notices
            .iter()
            .map(|notice| format!("Note: {}", escape(&options.display(notice)))),
    );
    items.extend(stats.warnings.iter().map(|warning| {
        format!(
            "<strong>Warning:</strong> {}",
            escape(&crate::sanitize::for_display(warning))
        )
    }));
    if items.is_empty() {
        return;
    }
    page.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul class=\"notes\">\n");
    for item in items {
        let _ = writeln!(page, "<li>{item}</li>");
    }
    page.push_str("</ul>\n</section>\n");
}

/// Text as HTML character data or a quoted attribute value.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The `'sha256-…'` source a Content-Security-Policy allows an inline block by: the digest in
/// standard, padded base64.
fn base64_sha256(block: &str) -> String {
    let mut encoded = crate::detect::decode::base64_encode(&Sha256::digest(block.as_bytes()));
    while !encoded.len().is_multiple_of(4) {
        encoded.push('=');
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_policy_hash_is_standard_base64() {
        // SHA-256 of the empty string, as every CSP tool writes it.
        assert_eq!(
            base64_sha256(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            base64_sha256("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}

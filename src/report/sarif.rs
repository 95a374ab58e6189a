//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning.
//!
//! What GitHub and the official schema need, and other scanners have got wrong: one rule per id;
//! 1-based regions (`endColumn` is never 0); a redacted message; `partialFingerprints` computed
//! from the token's hash and path, never from the token; a document written even when there are
//! no findings; and suppressed findings kept with `suppressions`, so an accepted alert stays
//! closed instead of vanishing and reappearing.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingDescriptor, Result as SarifResult, ResultLevel,
    Run, Sarif, Suppression, Tool, ToolComponent,
};

use super::{ReportOptions, REVOKE_URL};
use crate::collector::ScanResult;
use crate::detect::rules::{Rule, Rules};
use crate::finding::{Finding, Severity, Suppression as Suppressed};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write(
    result: &ScanResult,
    rules: &Rules,
    options: &ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let results: Vec<SarifResult> = result
        .findings
        .iter()
        .map(|finding| sarif_result(finding, rules, options))
        .collect();
    // Warnings (what could not be read) and notices ride along, so code scanning shows an
    // incomplete scan as incomplete rather than as a clean one.
    let notifications: Vec<Notification> = result
        .stats
        .warnings
        .iter()
        .map(|warning| notification("warning", &options.text(warning)))
        .chain(
            result
                .stats
                .notices
                .iter()
                .map(|notice| notification("note", &options.text(notice))),
        )
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(!result.stats.incomplete)
        .tool_execution_notifications(notifications)
        .build();
    write_run(rules, results, invocation, out)
}

/// An empty run for a scan that could not start (a base commit missing from a shallow
/// checkout, a bad config): `executionSuccessful` false with the reason, so the workflow's
/// upload step reports the real error instead of failing a second time on a missing file.
/// `reason` is already redacted and escaped.
pub fn write_failure(reason: &str, out: &mut dyn Write) -> io::Result<()> {
    let invocation = Invocation::builder()
        .execution_successful(false)
        .tool_execution_notifications(vec![notification("error", reason)])
        .build();
    write_run(&Rules::builtin(), Vec::new(), invocation, out)
}

fn notification(level: &str, text: &str) -> Notification {
    Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(text).build())
        .build()
}

fn write_run(
    rules: &Rules,
    results: Vec<SarifResult>,
    invocation: Invocation,
    out: &mut dyn Write,
) -> io::Result<()> {
    let descriptors: Vec<ReportingDescriptor> = rules.iter().map(descriptor).collect();
    let driver = ToolComponent::builder()
        .name("hf-scan")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://huggingface.co/docs/hub/security-tokens")
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    out.write_all(b"\n")
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let markdown = format!(
        "**{}**\n\n{}\n\n**What to do**\n\n1. Revoke the token: open [{REVOKE_URL}]({REVOKE_URL}), \
         find it under *Access Tokens* and choose *Invalidate and refresh* (or delete it).\n\
         2. Create a replacement with the narrowest role that works (fine-grained where possible).\n\
         3. Load it from the `HF_TOKEN` environment variable or a secret store, not from a file \
         in the repository.\n4. Deleting the line is not enough: the token remains in git history \
         and in every clone until it is revoked.\n\n{}",
        rule.name, rule.description, rule.remediation
    );
    let mut properties = BTreeMap::new();
    properties.insert(
        "security-severity".to_string(),
        Value::String(rule.severity.score().to_string()),
    );
    properties.insert("precision".to_string(), json!("very-high"));
    ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.name.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(rule.description.clone())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!("{}\n\n{}", rule.description, rule.remediation))
                .markdown(markdown)
                .build(),
        )
        .help_uri("https://huggingface.co/docs/hub/security-tokens")
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_string(), "secret".to_string()])
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn sarif_result(finding: &Finding, rules: &Rules, options: &ReportOptions) -> SarifResult {
    let rule_index = rules
        .iter()
        .position(|rule| rule.id == finding.rule_id)
        .unwrap_or(0) as i64;
    let level = match finding.severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    };
    let mut text = format!(
        "{} {} found. Revoke it at {REVOKE_URL}; removing it from the file does not un-leak it.",
        finding.rule_name,
        options.token(finding)
    );
    let region = match (finding.location.line, finding.location.column) {
        // Inside an archive the position is the member's: the region is the file, and the
        // message says where inside it.
        _ if finding.location.member.is_some() => {
            text.push_str(&format!(
                " Inside the archive, at {}.",
                options.text(&finding.position())
            ));
            Region::builder().start_line(1).build()
        }
        (Some(line), Some(column)) => Region::builder()
            .start_line(line as i64)
            .start_column(column as i64)
            .end_line(line as i64)
            .end_column(finding.location.end_column.unwrap_or(column + 1) as i64)
            .build(),
        _ => {
            text.push_str(&format!(
                " (binary content, at byte offset {})",
                finding.location.offset
            ));
            Region::builder()
                .start_line(1)
                .byte_offset(finding.location.offset as i64)
                .byte_length(finding.secret.expose().len() as i64)
                .build()
        }
    };
    // Relative to the repository's top (%SRCROOT%), whatever PATH the scan was given; a
    // message has no file, so it gets the name git gives the file it is edited in.
    let uri = match (finding.location.stable_path(), &finding.tag) {
        (Some(path), _) => options.text(path).into_owned(),
        (None, Some(_)) => "TAG_EDITMSG".to_string(),
        (None, None) => "COMMIT_EDITMSG".to_string(),
    };
    // A Hub finding's file is not on this machine: its link is the artifact.
    let artifact = match &finding.hub {
        Some(place) => ArtifactLocation::builder()
            .uri(options.text(&place.url).into_owned())
            .build(),
        None => ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id("%SRCROOT%")
            .build(),
    };
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build();
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_string(), json!(finding.severity.as_str()));
    properties.insert(
        "security-severity".to_string(),
        json!(finding.severity.score()),
    );
    properties.insert("secret_hash".to_string(), json!(finding.secret.hash()));
    properties.insert("source".to_string(), json!(finding.source));
    if let Some(commit) = &finding.commit {
        properties.insert("commit".to_string(), json!(options.commit(commit)));
    }
    if let Some(member) = &finding.location.member {
        properties.insert("member".to_string(), json!(options.text(member)));
    }
    if let Some(in_head) = finding.in_head {
        properties.insert("in_head".to_string(), json!(in_head));
    }
    if let Some(tag) = &finding.tag {
        properties.insert("tag".to_string(), json!(options.text(&tag.name)));
        text.push_str(&format!(
            " In the message of tag {}.",
            options.text(&tag.name)
        ));
    }
    if let Some(verification) = &finding.verification {
        properties.insert("verification".to_string(), json!(verification));
        text.push_str(&format!(
            " Verification: {}.",
            options.text(&verification.describe())
        ));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "primaryLocationLineHash".to_string(),
        format!("{}:1", finding.fingerprint()),
    );
    let builder = SarifResult::builder()
        .rule_id(finding.rule_id.clone())
        .rule_index(rule_index)
        .level(level)
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    match finding.suppression {
        None => builder.build(),
        Some(reason) => builder.suppressions(vec![suppression(reason)]).build(),
    }
}

fn suppression(reason: Suppressed) -> Suppression {
    let (kind, justification) = match reason {
        Suppressed::Inline => ("inSource", "hf-scan:allow comment on the line"),
        Suppressed::AllowedHash => ("external", "token hash allowed in .hf-scan.toml"),
        Suppressed::Baseline => ("external", "finding is in the baseline"),
    };
    Suppression::builder()
        .kind(json!(kind))
        .status(json!("accepted"))
        .justification(justification)
        .build()
}

/// `hf-user-access-token` → `HfUserAccessToken`, the form SARIF viewers show as a rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

//! hf-scan finds Hugging Face access tokens before they leak, and finds the ones that already
//! did.
//!
//! The flow: `cli` checks the arguments into a `Config`; sources (`source::*`) read content and
//! run it through the `matcher`, sending hits to the `collector` on one thread; suppression
//! (`baseline`) marks what the team accepted; a reporter (`report::*`) writes the sorted result.
//! `run` wires these together and says how the scan ended; `main` maps that to an exit status.

pub mod baseline;
pub mod cli;
pub mod collector;
pub mod content;
pub mod detect;
pub mod files;
pub mod finding;
pub mod github_event;
pub mod hook;
pub mod hub;
pub mod incident;
pub mod manual;
pub mod progress;
pub mod project;
pub mod report;
pub mod sanitize;
pub mod source;
#[doc(hidden)]
pub mod testing;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::Context;

use crate::baseline::{Baseline, SuppressedCounts};
use crate::cli::{Config, Target};
use crate::collector::{collect, Event, EventSink, ScanResult};
use crate::finding::Suppression;
use crate::finding::Verification;
use crate::hub::verify;
use crate::progress::Progress;
use crate::report::{Format, ReportOptions};
use crate::source::Source;

/// How a scan ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Findings reported (not suppressed).
    pub findings: usize,
    /// Something could not be read, so "nothing found" would not be the whole truth.
    pub incomplete: bool,
    /// The status for findings: 1 unless `--exit-code` says otherwise.
    pub findings_exit_code: u8,
}

impl Outcome {
    /// 0 clean, 1 (or `--exit-code`) findings, 2 incomplete without findings.
    pub fn exit_code(self) -> u8 {
        if self.findings > 0 {
            self.findings_exit_code
        } else if self.incomplete {
            2
        } else {
            0
        }
    }
}

/// Runs a checked configuration: scan, suppress, report.
pub fn run(config: Config) -> anyhow::Result<Outcome> {
    if !config.reporting.quiet {
        for note in &config.notes {
            eprintln!("hf-scan: {}", sanitize::for_display(note));
        }
    }
    let started = Instant::now();
    let mut result = scan_targets(&config, &config.targets);
    // Only the HTML report links findings; opening the repository costs a millisecond.
    let reporting = &config.reporting;
    if reporting.format == Format::Html
        || reporting
            .extra_reports
            .iter()
            .any(|(f, _)| *f == Format::Html)
    {
        result.web = web_repo(&config.targets);
    }
    finish(config, result, started)
}

/// The web page of the one repository the targets are in, if it is on GitHub or GitLab: what
/// the HTML report links findings to. Targets in several repositories (or none) get no links.
fn web_repo(targets: &[Target]) -> Option<report::links::WebRepo> {
    let mut found = None;
    for target in targets {
        let path = match target {
            Target::Tree(path) => path.as_path(),
            Target::File(path) => path.parent().unwrap_or(path),
            Target::History(gitdir, _) | Target::Staged(gitdir) => gitdir.as_path(),
            Target::Stdin | Target::Diff => continue,
        };
        let web = report::links::WebRepo::of_repository(path)?;
        match &found {
            Some(previous) if *previous != web => return None,
            _ => found = Some(web),
        }
    }
    found
}

/// `hf-scan hub`: list, mirror and scan the Hub repositories `plan` names, then suppress,
/// verify and report like any scan.
pub fn run_hub(
    config: Config,
    plan: hub::audit::AuditPlan,
    client: hub::client::HubClient,
) -> anyhow::Result<Outcome> {
    if !config.reporting.quiet {
        for note in &config.notes {
            eprintln!("hf-scan: {}", sanitize::for_display(note));
        }
    }
    let started = Instant::now();
    let result = hub::audit::run(&plan, &client, |sources, label| {
        scan_sources(&config, &[], sources, Some(label))
    });
    finish(config, result, started)
}

/// Suppression, verification and reports for a scan's result.
fn finish(config: Config, mut result: ScanResult, started: Instant) -> anyhow::Result<Outcome> {
    baseline::apply(
        &mut result.findings,
        &config.project,
        config.baseline.as_ref(),
        config.inline_allow,
    );
    if let Some(file) = &config.write_baseline {
        let accepted: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.suppression != Some(Suppression::Inline))
            .cloned()
            .collect();
        file.write_with(|out| out.write_all(Baseline::render(&accepted).as_bytes()))?;
        if !config.reporting.quiet {
            eprintln!(
                "hf-scan: wrote {} to the baseline {}",
                collector::plural(accepted.len() as u64, "finding"),
                sanitize::for_display(&file.path.display().to_string())
            );
        }
        for finding in &mut result.findings {
            finding.suppression.get_or_insert(Suppression::Baseline);
        }
    }
    result.stats.suppressed = SuppressedCounts::of(&result.findings);
    let notes = config
        .notes
        .iter()
        .map(|note| sanitize::redact_tokens(note).into_owned());
    result.stats.notices.splice(0..0, notes);

    if let Some(hub) = &config.reporting.verify {
        verify_findings(hub, &mut result)?;
        if config.reporting.only_verified {
            // Dead tokens go; live ones and the ones that could not be checked stay.
            result
                .findings
                .retain(|f| !matches!(f.verification, Some(Verification::Invalid { .. })));
        }
    }

    // The whole run the user waited for: scan and verification.
    result.stats.duration_ms = started.elapsed().as_millis() as u64;
    write_report(&config, &result)?;
    if let (Some(file), false) = (&config.reporting.output, config.reporting.quiet) {
        eprintln!(
            "hf-scan: wrote the {} report to {}",
            clap::ValueEnum::to_possible_value(&config.reporting.format)
                .map_or_else(String::new, |value| value.get_name().to_string()),
            sanitize::for_display(&file.path.display().to_string())
        );
    }
    if config.reporting.quiet && result.stats.incomplete {
        // Quiet means no chatter, not silence about a scan that may have missed something.
        eprintln!(
            "hf-scan: the scan is incomplete ({}; run without --quiet to see them)",
            collector::plural(result.stats.warnings.len() as u64, "warning")
        );
    }
    if !config.reporting.quiet {
        // The configuration's notes were printed before the scan; these came from it.
        for notice in &result.stats.notices[config.notes.len()..] {
            eprintln!("hf-scan: note: {}", sanitize::for_display(notice));
        }
        for warning in &result.stats.warnings {
            eprintln!("hf-scan: warning: {}", sanitize::for_display(warning));
        }
        if config.reporting.format == Format::Text && config.reporting.output.is_none() {
            let options = ReportOptions {
                color: config.reporting.color && io::stderr().is_terminal(),
                quiet: false,
                ..report_options(&config)
            };
            let mut err = io::stderr().lock();
            let _ = report::text::write_closing(&result, &options, &mut err);
        }
        if result.stats.incomplete {
            if report::reported(&result).next().is_none() {
                eprintln!(
                    "hf-scan: the scan is incomplete (see the warnings above), so finding \
                     nothing would not mean there is nothing"
                );
            } else {
                eprintln!(
                    "hf-scan: the scan is incomplete (see the warnings above): what it could \
                     not read may hold more tokens"
                );
            }
        }
    }
    Ok(Outcome {
        findings: report::reported(&result).count(),
        incomplete: result.stats.incomplete,
        findings_exit_code: config.reporting.findings_exit_code,
    })
}

/// The verification phase: each distinct reported token once, then live tokens ranked first.
fn verify_findings(hub: &verify::VerifyConfig, result: &mut ScanResult) -> anyhow::Result<()> {
    let secrets: Vec<_> = report::reported(result).map(|f| f.secret.clone()).collect();
    if secrets.is_empty() {
        return Ok(());
    }
    let verified = verify::verify_all(hub, &secrets)?;
    result.stats.notices.extend(verified.notices);
    verify::apply(&mut result.findings, &verified.results);
    result.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.sort_key().cmp(&b.sort_key()))
    });
    Ok(())
}

/// Scans for `hf-scan revoke --from-scan`: the distinct tokens a scan of `config` reports
/// (suppressed ones are not), and whether the scan was incomplete.
pub fn scan_for_tokens(config: &Config) -> (Vec<finding::Secret>, bool) {
    let mut result = scan_targets(config, &config.targets);
    baseline::apply(
        &mut result.findings,
        &config.project,
        config.baseline.as_ref(),
        config.inline_allow,
    );
    let mut seen = std::collections::HashSet::new();
    let secrets = report::reported(&result)
        .filter(|finding| seen.insert(finding.secret.hash().to_string()))
        .map(|finding| finding.secret.clone())
        .collect();
    (secrets, result.stats.incomplete)
}

/// Runs every target's source on worker threads while this thread collects.
fn scan_targets(config: &Config, targets: &[Target]) -> ScanResult {
    scan_sources(config, targets, Vec::new(), None)
}

/// Runs `targets`, then `extra` sources, on worker threads while this thread collects;
/// `label` says what the scan is part of on the progress line (`hf-scan hub`'s repository).
fn scan_sources(
    config: &Config,
    targets: &[Target],
    extra: Vec<Box<dyn Source + Send + '_>>,
    label: Option<String>,
) -> ScanResult {
    let progress = Progress::new(config.reporting.progress, label);
    let progress = &progress;
    let (events, received) = mpsc::channel::<Vec<Event>>();
    let members = crate::content::MemberCache::new();
    let members = &members;
    std::thread::scope(|scope| {
        scope.spawn(|| progress.run_ticker());
        scope.spawn(move || {
            let context = source::ScanContext {
                matcher: &config.matcher,
                project: &config.project,
                content: config.content,
                threads: config.walk.threads,
                progress,
                verbose: config.reporting.verbose,
                members,
            };
            for target in targets {
                let source: Box<dyn Source + '_> = match target {
                    Target::Stdin => Box::new(source::stdin::Stdin),
                    Target::Diff => Box::new(source::diff::DiffSource),
                    Target::File(path) => Box::new(source::fs::FileSource(path)),
                    Target::Tree(root) => Box::new(source::fs::TreeSource {
                        root,
                        walk: config.walk,
                    }),
                    Target::History(gitdir, range) => {
                        Box::new(source::git::HistorySource { gitdir, range })
                    }
                    Target::Staged(gitdir) => Box::new(source::git::StagedSource(gitdir)),
                };
                warn_on_failure(source.scan(&context, &events), &events);
            }
            for source in extra {
                warn_on_failure(source.scan(&context, &events), &events);
            }
        });
        let result = collect(
            received,
            config.matcher.rules(),
            progress,
            config.reporting.verbose,
        );
        progress.finish();
        result
    })
}

/// A git source that could not run (the repository vanished, the walk failed) leaves the scan
/// incomplete: it becomes a warning, so the run never passes for clean.
fn warn_on_failure(scanned: anyhow::Result<()>, events: &collector::EventSender) {
    if let Err(err) = scanned {
        EventSink::new(events).send(Event::Warning(format!("{err:#}")));
    }
}

/// How reports show things, from the configuration.
fn report_options(config: &Config) -> ReportOptions {
    ReportOptions {
        show_secrets: config.reporting.show_secrets,
        color: config.reporting.color,
        quiet: config.reporting.quiet,
        before_commit: config.reporting.before_commit,
    }
}

fn write_report(config: &Config, result: &ScanResult) -> anyhow::Result<()> {
    let options = report_options(config);
    let rules = config.matcher.rules();
    let file_options = ReportOptions {
        color: false,
        quiet: false,
        ..options
    };
    for (format, file) in &config.reporting.extra_reports {
        file.write_with(|out| report::write(*format, result, rules, &file_options, out))?;
    }
    if let Some(file) = &config.github_summary {
        file.write_with(|out| report::write(Format::Markdown, result, rules, &file_options, out))?;
    }
    if let Some(file) = &config.github_output {
        let findings = report::reported(result).count();
        file.write_with(|out| writeln!(out, "findings={findings}"))?;
    }
    match &config.reporting.output {
        Some(file) => file
            .write_with(|out| report::write(config.reporting.format, result, rules, &options, out)),
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            // Text on a terminal or a pipe: findings on standard output; the advice and the
            // summary follow the warnings on standard error (`finish`).
            let written = if config.reporting.format == Format::Text {
                report::text::write_findings(result, &options, &mut out)
            } else {
                report::write(config.reporting.format, result, rules, &options, &mut out)
            };
            match written.and_then(|()| out.flush()) {
                // `hf-scan | head`: the reader has what it wanted; not an error.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("writing the report"),
            }
        }
    }
}

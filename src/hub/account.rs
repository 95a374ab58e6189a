//! What a Hub account holds besides repositories, where tokens are pasted by mistake: a
//! Space's *variables* (public values, unlike its secrets) and a Job's `environment` (a token
//! passed as a value instead of a secret is shown in the job's details), with the Job's
//! command and arguments. Read as the Hub's own client reads them (`get_space_variables`,
//! `list_jobs`, `list_scheduled_jobs`) and scanned like files; nothing is written back.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::{Secret, SourceKind};
use crate::hub::client::{list_pages, request, HubClient};
use crate::source::{ScanContext, Source};

/// Entries a listing page may hold (the Hub chooses the size of jobs' pages).
const MAX_PAGE: usize = 10_000;

#[derive(Deserialize)]
struct Variable {
    #[serde(default)]
    value: serde_json::Value,
    #[serde(default)]
    description: Option<String>,
}

/// A Space's variables (`GET /api/spaces/{id}/variables`), each scanned on its own: its value,
/// then its description, as a file named `variables/{KEY}`. Where the auditor may not read
/// them (401, 403) `unreadable` counts the Space for the audit's notice; any other failure is
/// a warning.
pub struct SpaceVariableSource<'a> {
    pub client: &'a HubClient,
    pub token: Option<&'a Secret>,
    /// `owner/name`.
    pub space: &'a str,
    pub unreadable: &'a AtomicU64,
}

impl Source for SpaceVariableSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let mut sink = EventSink::new(events);
        let mut url = self.client.endpoint.join("api/spaces/");
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(self.space.split('/'))
                .push("variables");
        }
        let variables = match request(self.client, url, self.token) {
            Ok(reply) if reply.status.is_success() => {
                match serde_json::from_slice::<BTreeMap<String, Variable>>(&reply.body) {
                    Ok(variables) => variables,
                    Err(_) => {
                        sink.send(Event::Warning(
                            "its variables were not understood; not scanned".into(),
                        ));
                        return Ok(());
                    }
                }
            }
            Ok(reply) if matches!(reply.status.as_u16(), 401 | 403) => {
                self.unreadable.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            // A Space with no variables endpoint (an old Space, a stand-in) has none to read.
            Ok(reply) if reply.status.as_u16() == 404 => return Ok(()),
            Ok(reply) => {
                sink.send(Event::Warning(format!(
                    "its variables could not be read (HTTP {})",
                    reply.status.as_u16()
                )));
                return Ok(());
            }
            Err(reason) => {
                sink.send(Event::Warning(format!(
                    "its variables could not be read ({reason})"
                )));
                return Ok(());
            }
        };
        let mut scanner = context.scanner();
        for (key, variable) in variables {
            let mut text = match variable.value {
                serde_json::Value::String(value) => value,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            if let Some(description) = variable.description {
                text.push('\n');
                text.push_str(&description);
            }
            let path = format!("variables/{key}");
            sink.send(Event::Content {
                origin: Origin::file(SourceKind::SpaceVariable, Some(path.clone()), Some(path)),
                scanned: scanner.scan_bytes(text.as_bytes()),
            });
        }
        Ok(())
    }
}

/// The parts of a Job (or a scheduled Job's `jobSpec`) that can hold a pasted token.
#[derive(Deserialize, Default)]
struct JobSpec {
    #[serde(default)]
    command: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    arguments: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    environment: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct Job {
    id: String,
    #[serde(flatten)]
    spec: JobSpec,
}

#[derive(Deserialize)]
struct ScheduledJob {
    id: String,
    #[serde(rename = "jobSpec", alias = "job_spec", default)]
    spec: JobSpec,
}

/// A value as the job shows it: strings as they are, anything else as JSON.
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl JobSpec {
    /// One line per environment value (`NAME=value`), then the command, the arguments and the
    /// labels, as a person reads them in the job's details.
    fn text(&self) -> String {
        let mut lines = Vec::new();
        for (name, value) in self.environment.iter().flatten() {
            lines.push(format!("{name}={}", shown(value)));
        }
        for (label, list) in [("command", &self.command), ("arguments", &self.arguments)] {
            if let Some(list) = list {
                let words: Vec<String> = list.iter().map(shown).collect();
                lines.push(format!("{label}: {}", words.join(" ")));
            }
        }
        for (name, value) in self.labels.iter().flatten() {
            lines.push(format!("label {name}={}", shown(value)));
        }
        lines.join("\n")
    }
}

/// Whether an id the Hub gave can name a file in reports: letters, digits, `-`, `_`.
fn usable_job_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A namespace's Jobs (`GET /api/jobs/{ns}`, paginated) and scheduled Jobs
/// (`GET /api/scheduled-jobs/{ns}`), each scanned as a file named `{id}` or
/// `scheduled/{id}`.
pub struct JobsSource<'a> {
    pub client: &'a HubClient,
    pub token: Option<&'a Secret>,
    pub namespace: &'a str,
}

impl JobsSource<'_> {
    fn url(&self, collection: &str) -> reqwest::Url {
        let mut url = self.client.endpoint.join("api/");
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push(collection)
                .push(self.namespace);
        }
        url
    }
}

impl Source for JobsSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let mut sink = EventSink::new(events);
        let mut scanner = context.scanner();
        let mut unusable = 0u64;
        let mut scan_job = |sink: &mut EventSink, path: String, spec: &JobSpec| {
            sink.send(Event::Content {
                origin: Origin::file(SourceKind::Job, Some(path.clone()), Some(path)),
                scanned: scanner.scan_bytes(spec.text().as_bytes()),
            });
        };
        let mut jobs = Vec::new();
        if let Err(reason) = list_pages::<Job>(
            self.client,
            self.url("jobs"),
            MAX_PAGE,
            self.token,
            || Ok(()),
            |page| jobs.extend(page),
        ) {
            sink.send(Event::Warning(format!(
                "its jobs could not be listed ({reason})"
            )));
        }
        for job in jobs {
            if usable_job_id(&job.id) {
                scan_job(&mut sink, job.id, &job.spec);
            } else {
                unusable += 1;
            }
        }
        let mut scheduled = Vec::new();
        if let Err(reason) = list_pages::<ScheduledJob>(
            self.client,
            self.url("scheduled-jobs"),
            MAX_PAGE,
            self.token,
            || Ok(()),
            |page| scheduled.extend(page),
        ) {
            sink.send(Event::Warning(format!(
                "its scheduled jobs could not be listed ({reason})"
            )));
        }
        for job in scheduled {
            if usable_job_id(&job.id) {
                scan_job(&mut sink, format!("scheduled/{}", job.id), &job.spec);
            } else {
                unusable += 1;
            }
        }
        if unusable > 0 {
            sink.send(Event::Warning(format!(
                "the Hub listed {} with an id hf-scan does not use; not scanned",
                crate::collector::plural(unusable, "job")
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_as_its_details_do() {
        let job: Job = serde_json::from_str(
            r#"{"id":"68a1","owner":{"id":"1","name":"alice","type":"user"},
                "command":["python","-c","print(1)"],"arguments":["--lr",3],
                "environment":{"B":"two","A":"one"},"secrets":{"S":null},"extra":1}"#,
        )
        .unwrap();
        assert_eq!(
            job.spec.text(),
            "A=one\nB=two\ncommand: python -c print(1)\narguments: --lr 3"
        );
        let scheduled: ScheduledJob =
            serde_json::from_str(r#"{"id":"s1","jobSpec":{"environment":{"X":"y"}}}"#).unwrap();
        assert_eq!(scheduled.spec.text(), "X=y");
        assert!(usable_job_id("68a1_b-2"));
        assert!(!usable_job_id("../x") && !usable_job_id(""));
    }
}

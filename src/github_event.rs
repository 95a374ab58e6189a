//! Which commits a GitHub Actions run should scan, decided from the event that triggered it.
//!
//! The Action passes `$GITHUB_EVENT_PATH` as `--github-event` and GitHub sets
//! `GITHUB_EVENT_NAME`. Keeping this in the binary, rather than in shell inside `action.yml`,
//! lets it be tested against real repositories with synthetic payloads:
//! - `pull_request`: the pull request's commits, `base.sha..head.sha`;
//! - `pull_request_target`: the same, but only with `--allow-pull-request-target`: that event
//!   runs with the base repository's write token and secrets, and a job that checks out the
//!   pull request's code there must be sure nothing in it runs (README, "Security model");
//! - `push`: `before..after`; a new branch (`before` all zeros) or a force push whose `before`
//!   is gone scans the commits not on the default branch, or the whole history when the
//!   default branch is not fetched; a deleted branch (`after` all zeros) scans nothing;
//! - `merge_group`: a merge queue's group, `merge_group.base_sha..merge_group.head_sha`;
//! - `schedule`, `workflow_dispatch`: the whole history, with the checked-out config (the
//!   branch the workflow runs on, not a contributor's change);
//! - any other event: an error. A change is always judged by the config of its base; when the
//!   base cannot be read (a push whose old tip and default branch are not in the checkout),
//!   no project config is used at all, and the run says so.

use std::path::Path;

use anyhow::{bail, Context};
use git2::{Oid, Repository};
use serde_json::Value;

use crate::files::{read_bounded, DATA_LIMIT};
use crate::source::git::CommitRange;

/// What the event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventScan {
    Commits(CommitRange, ConfigSource),
    /// Nothing to scan, and why (a deleted branch).
    Nothing(String),
}

/// Where the project config (`.hf-scan.toml`, its rules, an in-repository baseline) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The commit the change is measured against: the change cannot edit what judges it.
    Base(String),
    /// The checkout (schedule, dispatch: the workflow's own branch, not a change).
    Checkout,
    /// None from the repository, and why: the base is not there, and the change's own config
    /// must not judge it.
    Nothing(String),
}

/// The events the Action documents (README, "GitHub Action"); any other is refused.
pub const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "push",
    "merge_group",
    "schedule",
    "workflow_dispatch",
];

/// Reads the payload at `path` for the event `name` and decides what to scan in `repo`.
pub fn scan_for_event(
    repo: &Repository,
    name: &str,
    path: &Path,
    allow_pull_request_target: bool,
) -> anyhow::Result<EventScan> {
    if name == "pull_request_target" && !allow_pull_request_target {
        bail!(
            "refusing to run for pull_request_target: that event gives the job the base \
             repository's write token and secrets while it checks out untrusted code. Use \
             `on: pull_request`, or pass --allow-pull-request-target after reading the README's \
             \"Security model\""
        );
    }
    let text = read_bounded(path, DATA_LIMIT)
        .with_context(|| format!("reading the GitHub event payload {}", path.display()))?;
    let payload = parse_payload(&text)
        .with_context(|| format!("the GitHub event payload {} is not JSON", path.display()))?;
    decide(repo, name, &payload)
}

/// Parses a payload; also the fuzzing entry point (nothing in a payload may panic).
pub fn parse_payload(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str(text)
}

/// What an event's payload names, before the repository is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// `base..head` of a pull request or a merge queue's group.
    PullRequest { base: String, head: String },
    /// `before..after` of a push, and the default branch's name.
    Push {
        before: String,
        after: String,
        default_branch: String,
    },
    /// Everything (schedule, dispatch).
    Everything,
}

/// Reads the commit ids an event names from its payload (also the fuzzing entry point: a
/// payload is input, and no payload may panic).
pub fn wanted_commits(name: &str, payload: &Value) -> anyhow::Result<Wanted> {
    Ok(match name {
        "pull_request" | "pull_request_target" => Wanted::PullRequest {
            base: sha(payload, &["pull_request", "base", "sha"])?,
            head: sha(payload, &["pull_request", "head", "sha"])?,
        },
        "push" => Wanted::Push {
            before: sha(payload, &["before"])?,
            after: sha(payload, &["after"])?,
            default_branch: payload
                .pointer("/repository/default_branch")
                .and_then(Value::as_str)
                .filter(|name| git2::Reference::is_valid_name(&format!("refs/heads/{name}")))
                .unwrap_or("main")
                .to_string(),
        },
        "merge_group" => Wanted::PullRequest {
            base: sha(payload, &["merge_group", "base_sha"])?,
            head: sha(payload, &["merge_group", "head_sha"])?,
        },
        "schedule" | "workflow_dispatch" => Wanted::Everything,
        other => bail!(
            "hf-scan does not know the GitHub event `{other}`: the Action runs on {} (README, \
             \"GitHub Action\"); for another event, decide what to scan in the workflow and \
             pass --range or --history",
            EVENTS.join(", ")
        ),
    })
}

fn decide(repo: &Repository, name: &str, payload: &Value) -> anyhow::Result<EventScan> {
    match wanted_commits(name, payload)? {
        Wanted::PullRequest { base, head } => {
            require(repo, &base, "the pull request's base")?;
            require(repo, &head, "the pull request's head")?;
            Ok(EventScan::Commits(
                CommitRange::Between(base.clone(), head),
                ConfigSource::Base(base),
            ))
        }
        Wanted::Push {
            before,
            after,
            default_branch,
        } => {
            if is_zero(&after) {
                return Ok(EventScan::Nothing("the push deleted a branch".into()));
            }
            require(repo, &after, "the pushed commit")?;
            if !is_zero(&before) && has_commit(repo, &before) {
                return Ok(EventScan::Commits(
                    CommitRange::Between(before.clone(), after),
                    ConfigSource::Base(before),
                ));
            }
            // A new branch, or a force push whose old tip was not fetched: what the default
            // branch does not have, else everything.
            let remote = format!("refs/remotes/origin/{default_branch}");
            match repo.refname_to_id(&remote) {
                Ok(tip) if tip.to_string() != after => Ok(EventScan::Commits(
                    CommitRange::Between(remote.clone(), after),
                    ConfigSource::Base(remote),
                )),
                _ => Ok(EventScan::Commits(
                    CommitRange::All,
                    ConfigSource::Nothing(format!(
                        "the push's base (its old tip, or {remote}) is not in the checkout"
                    )),
                )),
            }
        }
        Wanted::Everything => Ok(EventScan::Commits(CommitRange::All, ConfigSource::Checkout)),
    }
}

fn sha(payload: &Value, path: &[&str]) -> anyhow::Result<String> {
    let mut value = payload;
    for key in path {
        value = &value[key];
    }
    match value.as_str() {
        Some(sha) if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(sha.to_string())
        }
        _ => bail!(
            "the GitHub event payload has no commit id at `{}`",
            path.join(".")
        ),
    }
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn has_commit(repo: &Repository, sha: &str) -> bool {
    Oid::from_str(sha).is_ok_and(|oid| repo.find_commit(oid).is_ok())
}

fn require(repo: &Repository, sha: &str, what: &str) -> anyhow::Result<()> {
    if !has_commit(repo, sha) {
        bail!(
            "{what} ({sha}) is not in the repository: check out with `fetch-depth: 0` \
             (actions/checkout) so hf-scan can see the commits it must scan"
        );
    }
    Ok(())
}

//! The GitHub Action's logic in the binary: which commits an event asks for (with synthetic
//! payloads against real repositories), several reports from one scan, and the Markdown summary.

mod common;

use std::path::Path;

use common::*;
use serde_json::{json, Value};

/// A clone with `origin/main` holding one old token, and a feature branch adding another.
struct Checkout {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    base: String,
    head: String,
    old_token: String,
    new_token: String,
}

fn checkout() -> Checkout {
    let dir = temp_dir();
    let upstream = dir.path().join("upstream");
    std::fs::create_dir(&upstream).unwrap();
    let mut rng = Rng::new(500);
    let (old_token, new_token) = (fake_token(&mut rng), fake_token(&mut rng));
    git(&upstream, &["init", "-q", "-b", "main"]);
    write(&upstream, "old.env", format!("T={old_token}\n"));
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "old"]);
    let path = dir.path().join("checkout");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            upstream.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    let base = git(&path, &["rev-parse", "HEAD"]);
    git(&path, &["checkout", "-q", "-b", "feature"]);
    write(&path, "new.env", format!("T={new_token}\n"));
    git(&path, &["add", "-A"]);
    git(&path, &["commit", "-q", "-m", "new"]);
    let head = git(&path, &["rev-parse", "HEAD"]);
    Checkout {
        _dir: dir,
        path,
        base,
        head,
        old_token,
        new_token,
    }
}

/// Runs `hf-scan --github-event` for `event` with `payload`; returns the secrets reported.
fn run_event(checkout: &Checkout, event: &str, payload: Value) -> (Vec<String>, i32, String) {
    let payload_file = checkout.path.parent().unwrap().join("event.json");
    std::fs::write(&payload_file, payload.to_string()).unwrap();
    let output = hf_scan()
        .current_dir(&checkout.path)
        .env("GITHUB_EVENT_NAME", event)
        .arg("--github-event")
        .arg(&payload_file)
        .args(["--format", "json", "--show-secrets"])
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    let secrets = serde_json::from_slice::<Value>(&output.stdout)
        .map(|report| {
            let mut secrets: Vec<String> = findings(&report)
                .iter()
                .map(|f| f["secret"].as_str().unwrap().to_string())
                .collect();
            secrets.sort();
            secrets
        })
        .unwrap_or_default();
    (secrets, code, stderr(&output))
}

const ZEROS: &str = "0000000000000000000000000000000000000000";

#[test]
fn pull_request_scans_base_to_head() {
    let c = checkout();
    let payload = json!({"pull_request": {"base": {"sha": c.base}, "head": {"sha": c.head}}});
    let (secrets, code, _) = run_event(&c, "pull_request", payload);
    assert_eq!((secrets, code), (vec![c.new_token.clone()], 1));
}

#[test]
fn push_scans_before_to_after() {
    let c = checkout();
    let (secrets, _, _) = run_event(&c, "push", json!({"before": c.base, "after": c.head}));
    assert_eq!(secrets, vec![c.new_token.clone()]);
    let (secrets, code, _) = run_event(&c, "push", json!({"before": c.head, "after": c.head}));
    assert_eq!((secrets.len(), code), (0, 0), "an empty push adds nothing");
}

#[test]
fn new_branch_push_scans_what_the_default_branch_lacks() {
    let c = checkout();
    let payload =
        json!({"before": ZEROS, "after": c.head, "repository": {"default_branch": "main"}});
    let (secrets, _, _) = run_event(&c, "push", payload);
    assert_eq!(secrets, vec![c.new_token.clone()]);

    // Without the default branch fetched, the whole history.
    let payload =
        json!({"before": ZEROS, "after": c.head, "repository": {"default_branch": "trunk"}});
    let (secrets, _, _) = run_event(&c, "push", payload);
    let mut both = vec![c.old_token.clone(), c.new_token.clone()];
    both.sort();
    assert_eq!(secrets, both);
}

#[test]
fn deleted_branch_push_scans_nothing() {
    let c = checkout();
    let (secrets, code, err) = run_event(&c, "push", json!({"before": c.head, "after": ZEROS}));
    assert_eq!((secrets.len(), code), (0, 0));
    assert!(err.contains("deleted a branch"), "{err}");
}

#[test]
fn schedule_and_dispatch_scan_the_whole_history() {
    let c = checkout();
    let mut both = vec![c.old_token.clone(), c.new_token.clone()];
    both.sort();
    for event in ["schedule", "workflow_dispatch"] {
        let (secrets, _, _) = run_event(&c, event, json!({}));
        assert_eq!(secrets, both, "{event}");
    }
}

/// A change whose own config excludes the path it leaks at: `feature` gains a commit that
/// writes `.hf-scan.toml` (excluding `*.env`) on top of the new token. Returns the new head.
fn change_excluding_itself(c: &Checkout) -> String {
    write(&c.path, ".hf-scan.toml", "exclude_paths = [\"*.env\"]\n");
    git(&c.path, &["add", "-A"]);
    git(&c.path, &["commit", "-q", "-m", "quiet"]);
    git(&c.path, &["rev-parse", "HEAD"])
}

#[test]
fn merge_group_scans_the_group_with_the_base_config() {
    let c = checkout();
    let head = change_excluding_itself(&c);
    let payload = json!({"merge_group": {"base_sha": c.base, "head_sha": head}});
    let (secrets, code, err) = run_event(&c, "merge_group", payload);
    assert_eq!((secrets, code), (vec![c.new_token.clone()], 1), "{err}");
    assert!(
        err.contains(".hf-scan.toml"),
        "the config edit is a notice: {err}"
    );
    let (_, code, err) = run_event(&c, "merge_group", json!({"merge_group": {}}));
    assert_eq!(code, 2);
    assert!(err.contains("merge_group.base_sha"), "{err}");
}

#[test]
fn a_push_whose_base_is_not_here_uses_no_config_from_the_change() {
    let c = checkout();
    let head = change_excluding_itself(&c);
    let payload =
        json!({"before": ZEROS, "after": head, "repository": {"default_branch": "trunk"}});
    let (secrets, code, err) = run_event(&c, "push", payload);
    let mut both = vec![c.old_token.clone(), c.new_token.clone()];
    both.sort();
    assert_eq!((secrets, code), (both, 1), "{err}");
    assert!(
        err.contains("no project config from the repository"),
        "{err}"
    );
}

#[test]
fn an_event_the_action_does_not_document_is_an_error() {
    let c = checkout();
    let payload = json!({"pull_request": {"base": {"sha": c.base}, "head": {"sha": c.head}}});
    for event in ["pull_request_review", "issue_comment", "release"] {
        let (secrets, code, err) = run_event(&c, event, payload.clone());
        assert_eq!((secrets.len(), code), (0, 2), "{event}");
        assert!(err.contains("merge_group") && err.contains(event), "{err}");
    }
}

#[test]
fn missing_commits_fail_with_advice() {
    let c = checkout();
    let absent = "1234567890123456789012345678901234567890";
    let payload = json!({"pull_request": {"base": {"sha": absent}, "head": {"sha": c.head}}});
    let (_, code, err) = run_event(&c, "pull_request", payload.clone());
    assert_eq!(code, 2);
    assert!(err.contains("fetch-depth: 0"), "{err}");

    let (_, code, err) = run_event(&c, "pull_request", json!({"pull_request": {}}));
    assert_eq!(code, 2);
    assert!(err.contains("pull_request.base.sha"), "{err}");

    // The SARIF file the workflow uploads is still written, and says why the scan did not run.
    let payload_file = c.path.parent().unwrap().join("shallow.json");
    std::fs::write(&payload_file, payload.to_string()).unwrap();
    let sarif_file = c.path.parent().unwrap().join("hf-scan.sarif");
    let output = hf_scan()
        .current_dir(&c.path)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .arg("--github-event")
        .arg(&payload_file)
        .args(["--format", "github", "--report"])
        .arg(format!("sarif={}", sarif_file.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&std::fs::read(&sarif_file).unwrap()).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("fetch-depth: 0"),
        "{invocation}"
    );
}

#[test]
fn one_scan_writes_several_reports() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(501));
    write(dir.path(), "a|b.env", format!("T={token}\n"));
    let out = temp_dir();
    let sarif = out.path().join("r.sarif");
    let summary = out.path().join("summary.md");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "github"])
        .arg("--report")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--report")
        .arg(format!("markdown={}", summary.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("::error file=a|b.env,line=1"));
    let sarif: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("### hf-scan: 1 Hugging Face token finding(s)"),
        "{summary}"
    );
    assert!(summary.contains("| Severity | Token | Location | Commit | Verification |"));
    assert!(
        summary.contains("`a\\|b.env:1:3`"),
        "the pipe is escaped: {summary}"
    );
    assert!(!summary.contains(&token));

    let bad = hf_scan()
        .current_dir(dir.path())
        .args(["--report", "pdf=x.pdf"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--report"), "{}", stderr(&bad));
}

#[test]
fn markdown_summary_of_a_clean_scan_says_so() {
    let dir = temp_dir();
    write(dir.path(), "clean.txt", "nothing\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    assert!(
        out.starts_with("### hf-scan: no Hugging Face tokens found"),
        "{out}"
    );
    assert!(out.contains("Scanned 1 file, "), "{out}");
}

#[test]
fn readme_shows_the_validated_example_workflow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let workflow = std::fs::read_to_string(root.join("examples/github-workflow.yml")).unwrap();
    assert!(
        readme.contains(&workflow),
        "README's workflow must be examples/github-workflow.yml verbatim (CI validates that file)"
    );
}

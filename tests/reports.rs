//! Report formats: the JSON contract, SARIF against the official schema, GitHub annotations,
//! and redaction in every one of them.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const FORMATS: [&str; 5] = ["text", "json", "jsonl", "sarif", "github"];

fn tree_with_tokens() -> (tempfile::TempDir, Vec<String>) {
    let dir = temp_dir();
    let mut rng = Rng::new(100);
    let user = fake_token(&mut rng);
    let org = fake_org_token(&mut rng);
    write(
        dir.path(),
        "src/app.py",
        format!("import os\n\nTOKEN = \"{user}\"\n"),
    );
    write(dir.path(), "deploy/org.env", format!("ORG={org}\n"));
    let mut binary = vec![0u8; 16];
    binary.extend_from_slice(user.as_bytes());
    write(dir.path(), "bin/blob.bin", binary);
    (dir, vec![user, org])
}

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let output = hf_scan().current_dir(dir).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn no_format_shows_a_token_without_show_secrets() {
    let (dir, tokens) = tree_with_tokens();
    for format in FORMATS {
        let out = run(dir.path(), &["--format", format]);
        for token in &tokens {
            let body = &token[token.len() - 30..];
            assert!(!out.contains(body), "{format} leaked a token");
        }
        let shown = run(dir.path(), &["--format", format, "--show-secrets"]);
        for token in &tokens {
            assert!(
                shown.contains(token.as_str()),
                "{format} --show-secrets hides it"
            );
        }
    }
}

#[test]
fn json_report_has_exactly_the_documented_fields() {
    let (dir, tokens) = tree_with_tokens();
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "hf-scan");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let findings = findings(&report);
    assert_eq!(findings.len(), 3);
    // Sorted by path: bin/, deploy/, src/.
    let paths: Vec<_> = findings
        .iter()
        .map(|f| f["location"]["path"].clone())
        .collect();
    assert_eq!(paths, ["bin/blob.bin", "deploy/org.env", "src/app.py"]);
    let app = &findings[2];
    let mut keys: Vec<_> = app.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "commit",
            "encoding",
            "fingerprint",
            "in_head",
            "location",
            "redacted",
            "rule_id",
            "secret_hash",
            "severity",
            "source",
            "verification"
        ]
    );
    assert_eq!(app["rule_id"], "hf-user-access-token");
    assert_eq!(app["severity"], "high");
    assert_eq!(app["source"], "file");
    assert_eq!(app["encoding"], "plain");
    assert!(app["commit"].is_null());
    assert!(app["verification"].is_null());
    assert_eq!(app["location"]["line"], 3);
    assert_eq!(app["location"]["column"], 10);
    assert_eq!(app["location"]["end_column"], 47);
    let expected_hash = hf_scan::finding::hex_sha256(tokens[0].as_bytes());
    assert_eq!(app["secret_hash"], expected_hash.as_str());
    assert_eq!(
        findings[0]["secret_hash"],
        expected_hash.as_str(),
        "same token, same hash"
    );
    assert_eq!(app["fingerprint"].as_str().unwrap().len(), 32);
    assert_ne!(
        app["fingerprint"], findings[0]["fingerprint"],
        "other path, other fingerprint"
    );
    let redacted = app["redacted"].as_str().unwrap();
    assert_eq!(
        redacted,
        format!("hf_{}…{}", &tokens[0][3..5], &tokens[0][35..])
    );
    assert_eq!(findings[1]["rule_id"], "hf-org-api-token");
    let stats = &report["stats"];
    for key in [
        "files",
        "blobs",
        "commits",
        "bytes",
        "skipped",
        "duration_ms",
    ] {
        assert!(stats[key].is_u64(), "stats.{key}");
    }
    assert_eq!(stats["files"], 3);
    assert_eq!(stats["incomplete"], false);
    assert_eq!(stats["warnings"], Value::Array(vec![]));
}

#[test]
fn jsonl_is_one_finding_object_per_line() {
    let (dir, _) = tree_with_tokens();
    let out = run(dir.path(), &["--format", "jsonl"]);
    let lines: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines
        .iter()
        .all(|f| f["rule_id"].is_string() && f["location"].is_object()));
}

/// The SARIF 2.1.0 schema that serde-sarif ships, read from the sources cargo unpacked to build
/// it (`$CARGO_HOME/registry/src/<index>/serde-sarif-<version>/`), the version taken from
/// Cargo.lock. This needs nothing but the build itself: `cargo metadata --offline` needed every
/// platform's crates downloaded, which a fresh machine has not done.
fn sarif_schema() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.lock")).unwrap()).unwrap();
    let version = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("serde-sarif"))
        .expect("serde-sarif is in Cargo.lock")["version"]
        .as_str()
        .unwrap()
        .to_string();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let registries = cargo_home.join("registry/src");
    let schema = std::fs::read_dir(&registries)
        .unwrap_or_else(|err| panic!("{}: {err}", registries.display()))
        .filter_map(Result::ok)
        .map(|index| {
            index
                .path()
                .join(format!("serde-sarif-{version}/src/schema.json"))
        })
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "serde-sarif {version} sources under {}",
                registries.display()
            )
        });
    serde_json::from_slice(&std::fs::read(schema).unwrap()).unwrap()
}

fn assert_valid_sarif(sarif: &Value) {
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_validates_and_carries_what_github_needs() {
    let (dir, tokens) = tree_with_tokens();
    let sarif: Value = serde_json::from_str(&run(dir.path(), &["--format", "sarif"])).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<_> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "hf-user-access-token",
            "hf-org-api-token",
            "hf-oauth-access-token",
            "hf-jwt-token"
        ],
        "one rule per id"
    );
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["text"].as_str().unwrap().contains("Revoke"));
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("https://huggingface.co/settings/tokens"));
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!(["security", "secret"])
        );
        assert!(rule["properties"]["security-severity"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/'), "relative uri");
        let region = &location["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            if let Some(value) = region.get(key) {
                assert!(value.as_i64().unwrap() >= 1, "{key} >= 1");
            }
        }
        let fingerprint = result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        for token in &tokens {
            assert!(!fingerprint.contains(&token[3..]));
            assert_ne!(fingerprint, hf_scan::finding::hex_sha256(token.as_bytes()));
        }
    }
    let app = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/app.py")
        .unwrap();
    let region = &app["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_i64(), region["startColumn"].as_i64()),
        (Some(3), Some(10))
    );
    assert_eq!(region["endColumn"], 47);
}

#[test]
fn sarif_is_written_even_with_no_findings() {
    let dir = temp_dir();
    write(dir.path(), "clean.txt", "nothing\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
}

/// Every SARIF run says whether the scan ran whole: what could not be read is a warning
/// notification and `executionSuccessful` is false, so code scanning does not show it as clean.
#[test]
fn sarif_carries_warnings_as_tool_execution_notifications() {
    let dir = temp_dir();
    write(dir.path(), "clean.txt", "nothing\n");
    // A gzip stream cut short: a warning, and the scan is incomplete.
    write(
        dir.path(),
        "cut.gz",
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x4c],
    );
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{invocation}");
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["level"] == "warning"
            && n["message"]["text"].as_str().unwrap().contains("cut.gz")),
        "{invocation}"
    );

    let clean = temp_dir();
    write(clean.path(), "clean.txt", "nothing\n");
    let output = hf_scan()
        .current_dir(clean.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

/// A scan that cannot start still writes its SARIF files: an empty run whose invocation says
/// why, valid against the schema (the workflow's upload step then shows the real error).
#[test]
fn sarif_is_written_when_the_scan_cannot_start() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let main_sarif = dir.path().join("main.sarif");
    let extra_sarif = dir.path().join("extra.sarif");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--range", "1234567890123456789012345678901234567890..HEAD"])
        .args(["--format", "sarif", "--output"])
        .arg(&main_sarif)
        .arg("--report")
        .arg(format!("sarif={}", extra_sarif.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("1234567890"),
        "{}",
        stderr(&output)
    );
    for path in [&main_sarif, &extra_sarif] {
        let sarif: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_valid_sarif(&sarif);
        let run = &sarif["runs"][0];
        assert_eq!(run["results"], Value::Array(vec![]));
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        let reason = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap();
        assert!(reason.contains("unknown revision"), "{reason}");
    }
}

#[test]
fn github_format_annotates_with_escaped_workflow_commands() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(101));
    write(dir.path(), "odd,name:1.env", format!("T={token}\n"));
    let out = run(dir.path(), &["--format", "github"]);
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=odd%2Cname%3A1.env,line=1,col=3,endColumn=40,title=Hugging Face User Access Token (high)::"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::notice title=hf-scan::hf-scan found 1 "));
}

/// Markdown (the job summary): an author name written as Markdown renders as text, inside a
/// code span, never as a link or emphasis.
#[test]
fn markdown_never_renders_echoed_markdown() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let token = fake_token(&mut Rng::new(2103));
    write(dir.path(), "app.py", format!("t = '{token}'\n"));
    git(dir.path(), &["add", "-A"]);
    let author = "**[Verified: no leak](https://attacker.example/x)**";
    let status = with_test_git_identity(
        std::process::Command::new("git")
            .current_dir(dir.path())
            .args(["commit", "-q", "-m", "app"]),
    )
    .env("GIT_AUTHOR_NAME", author)
    .status()
    .unwrap();
    assert!(status.success());
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--history", "--format", "markdown"])
        .output()
        .unwrap();
    let shown = stdout(&output);
    assert!(shown.contains(&format!("`{author}`")), "{shown}");
    assert_eq!(
        shown.matches("](https://attacker").count(),
        shown.matches(&format!("`{author}`")).count(),
        "every occurrence is inside a code span: {shown}"
    );
}

//! Tokens inside ML artifacts and archives (issue 10): the fixtures `fixtures/make_artifacts.py`
//! makes with Python's own pickle, marshal, zipfile and tarfile, scanned from a tree, from
//! standard input and from git history, with the limits that stop bombs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/artifacts")
}

/// (file, member, encoding, token) for every token `expected.json` lists.
fn expected() -> BTreeSet<(String, Option<String>, String, String)> {
    let text = std::fs::read_to_string(artifacts_dir().join("expected.json")).unwrap();
    let expected: Value = serde_json::from_str(&text).unwrap();
    let mut all = BTreeSet::new();
    for (file, found) in expected.as_object().unwrap() {
        for item in found.as_array().unwrap() {
            all.insert((
                file.clone(),
                item["member"].as_str().map(str::to_string),
                item["encoding"].as_str().unwrap().to_string(),
                item["token"].as_str().unwrap().to_string(),
            ));
        }
    }
    all
}

/// The artifacts (without the expectations) copied into a fresh directory: the project config
/// keeps fixtures/ out of the self-scan.
fn artifacts_tree() -> tempfile::TempDir {
    let dir = temp_dir();
    for entry in std::fs::read_dir(artifacts_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "expected.json" {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

fn found(report: &Value) -> BTreeSet<(String, Option<String>, String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["location"]["member"].as_str().map(str::to_string),
                f["encoding"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn warnings_of(report: &Value) -> Vec<String> {
    report["stats"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_artifact_token_is_found_in_its_member_by_its_layer() {
    let dir = artifacts_tree();
    let (report, code) = json_report(dir.path(), &["--show-secrets", "--max-archive-depth", "12"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(found(&report), expected(), "{report:#}");
    // Truncated archives are scanned as far as they go, and say so.
    let warnings = warnings_of(&report);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("truncated.tar.gz: gzip:")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("truncated.zip: zip:")),
        "{warnings:?}"
    );
    assert_eq!(report["stats"]["incomplete"], true);
    assert!(
        report["stats"]["members"].as_u64().unwrap() >= 25,
        "{report}"
    );
}

#[test]
fn archives_nested_past_the_depth_limit_are_scanned_raw_with_a_warning() {
    let dir = artifacts_tree();
    let (report, _) = json_report(dir.path(), &["--show-secrets", "deep.zip"]);
    let warnings = warnings_of(&report);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("level8.zip: zip nested deeper than 8 archive levels")
            && warnings[0].contains("--max-archive-depth"),
        "{warnings:?}"
    );
    // The innermost zips are stored, so their raw bytes still show the token.
    let finding = &findings(&report)[0];
    assert!(
        finding["location"]["member"]
            .as_str()
            .unwrap()
            .ends_with("level8.zip"),
        "{finding}"
    );
    let (report, code) = json_report(dir.path(), &["deep.zip", "--max-archive-depth", "2"]);
    assert_eq!(code, 1);
    assert!(
        warnings_of(&report)[0].contains("deeper than 2"),
        "{report}"
    );
}

#[test]
fn an_inflation_bomb_stops_at_the_limit_and_the_token_beside_it_is_found() {
    let dir = artifacts_tree();
    let started = std::time::Instant::now();
    let (report, code) = json_report(dir.path(), &["bomb.zip", "--max-archive-bytes", "1M"]);
    let elapsed = started.elapsed();
    assert_eq!(code, 1, "{report}");
    let members: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["location"]["member"].clone())
        .collect();
    assert_eq!(members, ["beside.txt"], "{report}");
    let warnings = warnings_of(&report);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("bomb.zip!zeros.bin: deflate: stopped after inflating 1.0 MiB")
            && warnings[0].contains("--max-archive-bytes"),
        "{warnings:?}"
    );
    assert_eq!(report["stats"]["incomplete"], true);
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

#[test]
fn no_archives_scans_containers_as_raw_bytes_but_still_reads_pickles() {
    let dir = artifacts_tree();
    let (report, _) = json_report(
        dir.path(),
        &[
            "--show-secrets",
            "--no-archives",
            "release-1.0.tar.gz",
            "args-protocol2.pkl",
        ],
    );
    let found = found(&report);
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(found.iter().next().unwrap().0, "args-protocol2.pkl");
    assert!(warnings_of(&report).is_empty(), "{report}");
}

#[test]
fn member_names_are_labels_and_nothing_is_written() {
    let dir = artifacts_tree();
    let before: BTreeSet<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["traversal.tar", "--format", "text"])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(
        out.contains("traversal.tar!../../../../tmp/evil.txt:1:1"),
        "{out}"
    );
    assert!(out.contains("traversal.tar!/etc/cron.d/evil:1:1"), "{out}");
    // The link member has no content of its own: no finding, no warning.
    assert!(!out.contains("passwd"), "{out}");
    // No warning: standard error holds only the advice and the summary.
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let after: BTreeSet<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn text_sarif_and_annotations_point_at_the_real_file_and_name_the_member() {
    let dir = artifacts_tree();
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("release-1.0.tar.gz")
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(
        out.contains("release-1.0.tar.gz!src-1.0/.env:2:10"),
        "{out}"
    );
    assert!(out.contains("(gzip)"), "{out}");
    let err = stderr(&output);
    assert!(err.contains("in 1 file (2 archive members)"), "{err}");

    let output = hf_scan()
        .current_dir(dir.path())
        .args(["release-1.0.tar.gz", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "release-1.0.tar.gz");
    assert_eq!(location["region"]["startLine"], 1);
    assert!(location["region"]["startColumn"].is_null(), "{location}");
    assert_eq!(result["properties"]["member"], "src-1.0/.env");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("release-1.0.tar.gz!src-1.0/.env:2:10"),
        "{result}"
    );

    let output = hf_scan()
        .current_dir(dir.path())
        .args(["release-1.0.tar.gz", "--format", "github"])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(out.contains("file=release-1.0.tar.gz,title="), "{out}");
    assert!(!out.contains("line="), "{out}");
    assert!(
        out.contains("release-1.0.tar.gz!src-1.0/.env:2:10"),
        "{out}"
    );
}

#[test]
fn a_tarball_on_standard_input_is_opened() {
    let dir = artifacts_tree();
    let tarball = std::fs::read(dir.path().join("release-1.0.tar.gz")).unwrap();
    let output = hf_scan()
        .args(["-", "--format", "json"])
        .write_stdin(tarball)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &findings(&report)[0];
    assert_eq!(finding["location"]["path"], "-");
    assert_eq!(finding["location"]["member"], "src-1.0/.env");
    assert_eq!(finding["location"]["line"], 2);
}

/// Every blob of history and the index goes through the same content layer as a file.
#[test]
fn history_and_staged_open_artifacts_too() {
    let dir = artifacts_tree();
    git(dir.path(), &["init", "-q"]);
    git(
        dir.path(),
        &["add", "training_args.bin", "release-1.0.tar.gz"],
    );
    let (report, code) = json_report(dir.path(), &["--staged", "--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let members: BTreeSet<_> = findings(&report)
        .iter()
        .map(|f| f["location"]["member"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        members,
        BTreeSet::from(["archive/data.pkl".to_string(), "src-1.0/.env".to_string()])
    );
    git(dir.path(), &["commit", "-qm", "add artifacts"]);
    let (report, code) = json_report(dir.path(), &["--history", "--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let found: BTreeSet<_> = found(&report)
        .into_iter()
        .map(|(file, member, encoding, _)| (file, member, encoding))
        .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            (
                "release-1.0.tar.gz".to_string(),
                Some("src-1.0/.env".to_string()),
                "gzip".to_string()
            ),
            (
                "training_args.bin".to_string(),
                Some("archive/data.pkl".to_string()),
                "pickle".to_string()
            ),
        ])
    );
    for finding in findings(&report) {
        assert_eq!(finding["in_head"], true, "{finding}");
    }
}

/// The committed fixtures are what the script makes (Python is part of the test toolchain:
/// `.ci/run` installs it; a machine without it fails here rather than skipping).
#[test]
fn the_fixtures_are_what_the_script_makes() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/make_artifacts.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", stderr(&output));
}

/// UTF-16 in both byte orders, with and without a mark: real lines and columns (in
/// characters, the accented ones included), and the byte offset of the token in the file.
#[test]
fn utf16_text_reports_lines_columns_and_file_offsets() {
    let dir = artifacts_tree();
    for (name, big_endian) in [
        ("secrets-utf16le-bom.txt", false),
        ("secrets-utf16be-bom.txt", true),
        ("secrets-utf16le.txt", false),
    ] {
        let (report, code) = json_report(dir.path(), &[name, "--show-secrets"]);
        assert_eq!(code, 1, "{report}");
        let finding = &findings(&report)[0];
        let location = &finding["location"];
        assert_eq!(
            (location["line"].clone(), location["column"].clone()),
            (3.into(), 13.into()),
            "{name}"
        );
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        let prefix: Vec<u8> = "hf_"
            .bytes()
            .flat_map(|b| if big_endian { [0, b] } else { [b, 0] })
            .collect();
        let at = bytes.windows(6).position(|w| w == prefix).unwrap();
        assert_eq!(location["offset"], at as u64, "{name}");
    }
}

/// A notebook keeps the file's line and column, and says which cell holds the token and
/// whether in its source or its outputs.
#[test]
fn a_notebook_finding_names_its_cell_and_part() {
    let dir = artifacts_tree();
    let (report, code) = json_report(dir.path(), &["explore.ipynb"]);
    assert_eq!(code, 1, "{report}");
    let location = &findings(&report)[0]["location"];
    assert_eq!(location["cell"]["number"], 3, "{location}");
    assert_eq!(location["cell"]["part"], "outputs", "{location}");
    let text = std::fs::read_to_string(dir.path().join("explore.ipynb")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("Logged in with"))
        .unwrap()
        + 1;
    assert_eq!(location["line"], line as u64);
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("explore.ipynb")
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(out.contains(&format!("explore.ipynb:{line}:")), "{out}");
    assert!(out.contains("(cell 3, outputs)"), "{out}");
}

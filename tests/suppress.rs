//! Suppression: inline comments, the project config, and baselines that survive moved lines.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn inline_allow_comment_suppresses_that_line_only() {
    let dir = temp_dir();
    let mut rng = Rng::new(200);
    let (a, b) = (fake_token(&mut rng), fake_token(&mut rng));
    write(
        dir.path(),
        "test_fixture.py",
        format!("FAKE = \"{a}\"  # hf-scan:allow\nREAL = \"{b}\"\n"),
    );
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(findings(&report)[0]["location"]["line"], 2);

    // SARIF keeps the suppressed one, marked, so GitHub does not reopen it.
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
}

#[test]
fn config_excludes_paths_and_allows_token_hashes() {
    let dir = temp_dir();
    let mut rng = Rng::new(201);
    let (fixture, known_fake, real) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    write(dir.path(), "fixtures/tokens.txt", &fixture);
    write(
        dir.path(),
        "docs/example.md",
        format!("export HF_TOKEN={known_fake}\n"),
    );
    write(dir.path(), "src/main.py", format!("t = '{real}'\n"));
    let hash = hf_scan::finding::hex_sha256(known_fake.as_bytes());
    write(
        dir.path(),
        ".hf-scan.toml",
        format!("exclude_paths = [\"fixtures/\"]\nallowed_secret_hashes = [\"{hash}\"]\n"),
    );
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    let paths: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/main.py"]);
    assert_eq!(report["stats"]["skipped"], 1);
}

#[test]
fn config_flag_overrides_the_default_location() {
    let dir = temp_dir();
    write(dir.path(), "leak.txt", fake_token(&mut Rng::new(202)));
    let elsewhere = temp_dir();
    let config = write(
        elsewhere.path(),
        "ci.toml",
        "exclude_paths = [\"leak.txt\"]\n",
    );
    let (_, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    let (report, code) = json_report(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn broken_config_is_an_error_without_echoing_values() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(203));
    write(
        dir.path(),
        ".hf-scan.toml",
        format!("allowed_secret_hashes = [\"{token}\"]\n"),
    );
    let output = hf_scan().current_dir(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("allowed_secret_hashes"), "{err}");
    assert!(!err.contains(&token), "the error must not echo a token");

    write(dir.path(), ".hf-scan.toml", "exclude_pathz = []\n");
    let output = hf_scan().current_dir(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let missing = hf_scan()
        .current_dir(dir.path())
        .args(["--config", "nope.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn extra_rules_from_the_config_are_used_and_checked() {
    let dir = temp_dir();
    write(
        dir.path(),
        "rules/extra.toml",
        r#"
[[rule]]
id = "acme-internal-token"
name = "ACME internal token"
severity = "medium"
prefix = "acme_"
pattern = "acme_[A-Za-z0-9]{20}"
description = "An ACME token."
remediation = "Rotate it."
examples = ["acme_Q8zR2mXv9LpT4kWn7YbC"]
negative_examples = ["acme_short"]
"#,
    );
    write(
        dir.path(),
        ".hf-scan.toml",
        "extra_rules = [\"rules/extra.toml\"]\nexclude_paths = [\"rules/\"]\n",
    );
    write(dir.path(), "app.cfg", "key = acme_Zp3Xq7Rv2Nm8Kd4Wt6Ys\n");
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["rule_id"], "acme-internal-token");
    assert_eq!(findings(&report)[0]["severity"], "medium");

    // A rule whose own example does not match is a broken config.
    write(
        dir.path(),
        "rules/extra.toml",
        "[[rule]]\nid = \"bad\"\nname = \"b\"\nseverity = \"low\"\nprefix = \"zz_\"\npattern = \"zz_[0-9]{4}\"\ndescription = \"d\"\nremediation = \"r\"\nexamples = [\"zz_12\"]\n",
    );
    let output = hf_scan().current_dir(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("example does not match"));

    // A rule longer than the chunk overlap allows, or unbounded, could lose a token at a chunk
    // edge: refused when rules load.
    for (pattern, says) in [
        ("zz_[0-9]+", "no upper bound"),
        ("zz_[0-9]{1600}", "can match 1603 bytes"),
    ] {
        write(
            dir.path(),
            "rules/extra.toml",
            format!("[[rule]]\nid = \"long\"\nname = \"l\"\nseverity = \"low\"\nprefix = \"zz_\"\npattern = \"{pattern}\"\ndescription = \"d\"\nremediation = \"r\"\n"),
        );
        let output = hf_scan().current_dir(dir.path()).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
    }
}

#[test]
fn baseline_accepts_known_findings_and_survives_moved_lines() {
    let dir = temp_dir();
    let mut rng = Rng::new(204);
    let (old, new) = (fake_token(&mut rng), fake_token(&mut rng));
    write(dir.path(), "notebook.py", format!("a = 1\nt = '{old}'\n"));
    let baseline = dir.path().join(".hf-scan-baseline");

    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--write-baseline", ".hf-scan-baseline"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "writing a baseline accepts the findings"
    );
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains(&old), "a baseline must not be a leak");
    assert!(text.contains(&hf_scan::finding::hex_sha256(old.as_bytes())));
    let lines: Vec<_> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1);

    let (report, code) = json_report(dir.path(), &["--baseline", ".hf-scan-baseline"]);
    assert_eq!((code, findings(&report).len()), (0, 0));

    // Moving the line does not resurrect it.
    write(
        dir.path(),
        "notebook.py",
        format!("# moved\n\n\nx = 2\nt = '{old}'\n"),
    );
    let (report, code) = json_report(dir.path(), &["--baseline", ".hf-scan-baseline"]);
    assert_eq!((code, findings(&report).len()), (0, 0));

    // A different token on the accepted line is reported.
    write(
        dir.path(),
        "notebook.py",
        format!("# moved\n\n\nx = 2\nt = '{new}'\n"),
    );
    let (report, code) = json_report(
        dir.path(),
        &["--baseline", ".hf-scan-baseline", "--show-secrets"],
    );
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["secret"], new.as_str());

    // Baselined findings reach SARIF as suppressions.
    write(dir.path(), "notebook.py", format!("t = '{old}'\n"));
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--baseline", ".hf-scan-baseline", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );
}

#[test]
fn baseline_entries_are_sorted_one_per_line() {
    let dir = temp_dir();
    let mut rng = Rng::new(205);
    for name in ["z.env", "a.env", "m.env"] {
        write(dir.path(), name, fake_token(&mut rng));
    }
    hf_scan()
        .current_dir(dir.path())
        .args(["--write-baseline", "b.txt"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("b.txt")).unwrap();
    let entries: Vec<_> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries, sorted);
}

#[test]
fn malformed_baseline_is_an_error() {
    let dir = temp_dir();
    write(dir.path(), "b.txt", "not a fingerprint\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--baseline", "b.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("b.txt:1"));
}

/// An `hf-scan:allow` marker counts only where a reviewer reads it in a diff: a plain text file
/// or a notebook cell's text. Inside a gzip stream, an archive member, a binary file or a
/// base64 or UTF-16 run, GitHub shows nothing to review, so the marker is ignored (the issue's
/// reproduction: `{"hf_token": "TOKEN"}  hf-scan:allow` gzipped passed the gate).
#[test]
fn inline_allow_counts_only_where_a_reviewer_can_read_it() {
    use std::io::Write as _;
    let dir = temp_dir();
    let mut rng = Rng::new(202);
    let tokens: Vec<String> = (0..7).map(|_| fake_token(&mut rng)).collect();
    let marked = |token: &str| format!("{{\"hf_token\": \"{token}\"}}  hf-scan:allow\n");

    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(marked(&tokens[0]).as_bytes()).unwrap();
    write(dir.path(), "settings.json.gz", gzip.finish().unwrap());

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("settings.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(marked(&tokens[1]).as_bytes()).unwrap();
    write(dir.path(), "bundle.zip", zip.finish().unwrap().into_inner());

    write(
        dir.path(),
        "blob.bin",
        [b"\0\x01".as_slice(), marked(&tokens[2]).as_bytes()].concat(),
    );
    write(
        dir.path(),
        "encoded.txt",
        format!(
            "cfg = \"{}\"  # hf-scan:allow\n",
            base64(tokens[3].as_bytes())
        ),
    );
    let utf16: Vec<u8> = format!("t = \"{}\"  # hf-scan:allow\n", tokens[4])
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(
        dir.path(),
        "wide.txt",
        [b"\xff\xfe".as_slice(), &utf16].concat(),
    );

    // Where a reviewer reads it, the marker still counts.
    write(dir.path(), "fixture.py", marked(&tokens[5]));
    let cell = serde_json::json!({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
                   "source": [format!("login('{}')  # hf-scan:allow\n", tokens[6])]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    write(dir.path(), "demo.ipynb", cell.to_string());

    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    let mut reported: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    reported.sort();
    let mut expected: Vec<&str> = tokens[..5].iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(reported, expected, "{report}");
    assert_eq!(
        report["stats"]["suppressed"]["inline"], 2,
        "{}",
        report["stats"]
    );
}

//! What a new user meets in the first hour (issue 9): errors that say what helps, counts that
//! read right, and `--quiet` that does not hide an incomplete scan.

mod common;

use common::*;

#[test]
fn usage_errors_keep_the_hint_and_the_accepted_values() {
    let output = hf_scan().arg("--histroy").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("a similar argument exists: '--history'"),
        "{err}"
    );
    assert!(!err.contains("Usage:"), "{err}");

    let output = hf_scan().args(["--format", "yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("possible values: text, json, jsonl"), "{err}");
}

#[test]
fn a_missing_repository_path_is_named_as_missing() {
    let dir = temp_dir();
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--history", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("nope: No such file or directory"), "{err}");
    assert!(!err.contains("not in a git repository"), "{err}");
}

#[cfg(unix)]
#[test]
fn quiet_still_says_when_the_scan_is_incomplete() {
    let dir = temp_dir();
    write(dir.path(), "a.txt", "clean\n");
    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("dangling")).unwrap();
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--follow", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("incomplete (1 warning;"), "{err}");
}

#[test]
fn summaries_count_in_words_with_plurals() {
    let dir = temp_dir();
    write(dir.path(), "a.txt", "clean\n");
    let text = stdout(&hf_scan().current_dir(dir.path()).output().unwrap());
    assert!(text.contains(" in 1 file, "), "{text}");

    let repo = temp_dir();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    write(repo.path(), "b.txt", "clean\n");
    git(repo.path(), &["add", "-A"]);
    let text = stdout(
        &hf_scan()
            .current_dir(repo.path())
            .arg("--staged")
            .output()
            .unwrap(),
    );
    assert!(text.contains(" in 1 blob, "), "{text}");
    assert!(!text.contains("0 commits"), "{text}");
}

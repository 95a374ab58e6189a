//! Shared helpers for the integration tests: the real binary, temporary trees, fake tokens.

#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod hub;
pub mod terminal;

pub use hf_scan::testing::{fake_org_token, fake_token, Rng};

/// The hf-scan binary built by cargo for this test run.
pub fn hf_scan() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("hf-scan").expect("the binary is built");
    // Nothing from the machine's own environment that changes what hf-scan does or where it
    // writes (under GitHub Actions these would be the real step output and summary files).
    // Each run gets its own verification cache, so no test sees another's answers.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cache-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    command
        .env("XDG_CACHE_HOME", cache)
        .env_remove("NO_COLOR")
        .env_remove("HF_ENDPOINT")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_EVENT_NAME");
    command
}

/// Isolates a command that runs git from the machine's git configuration and gives it a fixed
/// identity (the history tests assert on author name and email), so tests run the same on a
/// developer's machine and on a fresh CI machine with no git identity.
pub fn with_test_git_identity(command: &mut Command) -> &mut Command {
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
}

/// Runs `git args` in `dir` with the test identity; panics with git's message if it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = with_test_git_identity(Command::new("git").current_dir(dir).args(args))
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    stdout(&output).trim().to_string()
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes `contents` to `root/relative`, creating parent directories.
pub fn write(root: &Path, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs hf-scan with `args` in `dir` and parses its JSON report.
pub fn json_report(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let output = hf_scan()
        .current_dir(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", stdout(&output)));
    (report, output.status.code().unwrap())
}

/// The findings array of a JSON report.
pub fn findings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["findings"].as_array().expect("findings is an array")
}

/// Standard base64, written out here so the test does not trust the code under test.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

//! Shared helpers for the integration tests: the real binary, temporary trees, fake tokens.

#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub mod hub;

pub use hf_scan::testing::{fake_org_token, fake_token, Rng};

/// The hf-scan binary built by cargo for this test run.
pub fn hf_scan() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("hf-scan").expect("the binary is built");
    command.env_remove("NO_COLOR").env_remove("HF_ENDPOINT");
    command
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

//! Shell completions and man pages: the copies committed under `docs/` are what the binary
//! generates (so a new flag fails here until they are regenerated), every flag is in them, and
//! bash really completes with the generated script.
//!
//! After changing a flag, regenerate the copies with
//! `HF_SCAN_BLESS=1 cargo test --test manual`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use common::*;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "hf-scan.bash"),
    ("zsh", "_hf-scan"),
    ("fish", "hf-scan.fish"),
    ("powershell", "_hf-scan.ps1"),
    ("elvish", "hf-scan.elv"),
];

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn bless() -> bool {
    std::env::var_os("HF_SCAN_BLESS").is_some()
}

/// Compares a committed copy with what was generated, or rewrites it when blessing.
fn check_copy(committed: &Path, generated: &[u8]) {
    if bless() {
        std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
        std::fs::write(committed, generated).unwrap();
        return;
    }
    let on_disk =
        std::fs::read(committed).unwrap_or_else(|err| panic!("{}: {err}", committed.display()));
    assert!(
        on_disk == generated,
        "{} is out of date with the flags: run `HF_SCAN_BLESS=1 cargo test --test manual`",
        committed.display()
    );
}

/// Every long flag of hf-scan and its subcommands.
fn long_flags() -> BTreeSet<String> {
    fn walk(command: &clap::Command, flags: &mut BTreeSet<String>) {
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                flags.insert(format!("--{long}"));
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, flags);
        }
    }
    let mut flags = BTreeSet::new();
    walk(&hf_scan::cli::Args::command(), &mut flags);
    flags
}

#[test]
fn committed_completions_are_what_the_binary_generates_and_name_every_flag() {
    let flags = long_flags();
    assert!(flags.contains("--history") && flags.contains("--discussions"));
    for (shell, file) in SHELLS {
        let output = hf_scan().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        for flag in &flags {
            // fish names a flag `-l flag`, the others `--flag`.
            let bare = flag.trim_start_matches('-');
            assert!(
                script.contains(flag.as_str()) || script.contains(&format!("-l {bare} ")),
                "{shell} completion lacks {flag}"
            );
        }
        check_copy(&docs().join("completions").join(file), &output.stdout);
    }
}

#[test]
fn bash_completes_flags_subcommands_and_values_with_the_generated_script() {
    let output = hf_scan().args(["completions", "bash"]).output().unwrap();
    let dir = temp_dir();
    let script = write(dir.path(), "hf-scan.bash", &output.stdout);
    let complete = |words: &[&str]| -> String {
        let current = words.len() - 1;
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={current}; _hf__scan hf-scan '{}' '{}'; \
             echo \"${{COMPREPLY[@]}}\"",
            script.display(),
            quoted.join(" "),
            words[current],
            words[current - 1],
        );
        let output = Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_string()
    };
    assert_eq!(complete(&["hf-scan", "--hist"]), "--history");
    assert_eq!(complete(&["hf-scan", "hub", "--disc"]), "--discussions");
    assert_eq!(
        complete(&["hf-scan", "verify", "--rea"]),
        "--reach --reach-requests"
    );
    assert_eq!(
        complete(&["hf-scan", "--format", ""]),
        "text json jsonl sarif github markdown html"
    );
    assert!(complete(&["hf-scan", "completions", ""]).contains("powershell"));
}

#[test]
fn committed_man_pages_are_what_the_binary_generates() {
    let out = temp_dir();
    let output = hf_scan()
        .args(["man", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut generated: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    generated.sort();
    assert_eq!(
        generated,
        [
            "hf-scan-completions.1",
            "hf-scan-hub.1",
            "hf-scan-man.1",
            "hf-scan-revoke.1",
            "hf-scan-verify.1",
            "hf-scan.1"
        ]
    );
    let all: String = generated
        .iter()
        .map(|name| std::fs::read_to_string(out.path().join(name)).unwrap())
        .collect();
    for flag in long_flags() {
        // roff escapes each `-`.
        assert!(
            all.contains(&flag.replace('-', "\\-")),
            "no man page documents {flag}"
        );
    }
    let committed = docs().join("man");
    if !bless() {
        let mut on_disk: Vec<String> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        on_disk.sort();
        assert_eq!(
            on_disk, generated,
            "docs/man holds other pages than hf-scan makes"
        );
    }
    for name in &generated {
        check_copy(
            &committed.join(name),
            &std::fs::read(out.path().join(name)).unwrap(),
        );
    }

    // Without --out-dir: the main page on standard output, the same bytes.
    let printed = hf_scan().arg("man").output().unwrap();
    assert!(printed.status.success());
    assert_eq!(
        printed.stdout,
        std::fs::read(out.path().join("hf-scan.1")).unwrap()
    );
    assert!(stdout(&printed).starts_with(".ie \\n(.g .ds Aq"));
}

#[test]
fn man_does_not_write_through_a_planted_link() {
    let out = temp_dir();
    let target = out.path().join("elsewhere");
    std::fs::write(&target, "keep").unwrap();
    std::os::unix::fs::symlink(&target, out.path().join("hf-scan.1")).unwrap();
    let output = hf_scan()
        .args(["man", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn man_out_dir_is_made_when_it_does_not_exist() {
    let out = temp_dir();
    let dir = out.path().join("share/man/man1");
    let output = hf_scan()
        .args(["man", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(dir.join("hf-scan.1").is_file());
    assert!(dir.join("hf-scan-hub.1").is_file());
}

/// Each subcommand's help lists what it takes: `revoke` has no verification budget, and
/// `verify` says what it reads and what its exit status means.
#[test]
fn subcommand_help_lists_only_its_own_flags_and_says_what_it_reads() {
    let help = |command: &str| {
        if command == "--help" {
            stdout(&hf_scan().arg("--help").output().unwrap())
        } else {
            stdout(&hf_scan().args([command, "--help"]).output().unwrap())
        }
    };
    let revoke = help("revoke");
    for verify_only in [
        "--verify-max",
        "--verify-concurrency",
        "--reach-requests",
        "--verify-deadline",
    ] {
        assert!(!revoke.contains(verify_only), "{verify_only}: {revoke}");
    }
    assert!(
        revoke.contains("--hf-endpoint") && revoke.contains("--proxy"),
        "{revoke}"
    );
    assert!(!revoke.contains("to verify against"), "{revoke}");
    let verify = help("verify");
    assert!(verify.contains("one token per line"), "{verify}");
    assert!(
        verify
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Exit status: 1 if any token is valid"),
        "{verify}"
    );
    let main = help("--help");
    assert!(
        main.contains("that stay inside the scanned directory"),
        "{main}"
    );
}

/// The pages say what clap cannot: examples, the environment, each command's exit statuses.
#[test]
fn man_pages_have_examples_environment_and_exit_status() {
    let pages = hf_scan::manual::man_pages().unwrap();
    let page = |name: &str| {
        String::from_utf8(pages.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    let main = page("hf-scan.1");
    for part in [
        ".SH EXAMPLES",
        ".SH ENVIRONMENT",
        "HF_ENDPOINT",
        "NO_COLOR",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(main.contains(part), "{part}");
    }
    assert!(page("hf-scan-verify.1").contains("a token is valid: an incident"));
    // The synopsis names each option's value.
    assert!(
        main.contains("[\\fB\\-\\-exclude\\fR \\fIGLOB\\fR]"),
        "{main}"
    );
    assert!(page("hf-scan-hub.1").contains("[\\fB\\-\\-author\\fR \\fINAME\\fR]"));
    assert!(page("hf-scan-revoke.1").contains(".SH \"EXIT STATUS\""));
    assert!(page("hf-scan-hub.1").contains(".SH \"EXIT STATUS\""));
}

//! Hostile input, as an attacker would write it: tokens planted in every string hf-scan echoes,
//! control characters in names, inputs that used to hang, crash or go quadratic. Each test here
//! reproduces a problem the security review found (issue 8) and failed before its fix.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const FORMATS: [&str; 6] = ["text", "json", "jsonl", "sarif", "github", "markdown"];

/// Runs git in `dir` with the test identity, overridden by `env`.
fn git_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) {
    let mut command = Command::new("git");
    with_test_git_identity(command.current_dir(dir).args(args));
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
}

/// Every string hf-scan echoes from the repository carries a token somewhere: commit summaries
/// and bodies, author and committer names and emails, a path. Over many random placements, no
/// report format and no line on stderr may contain any of them.
#[test]
fn no_format_echoes_a_planted_token() {
    let mut rng = Rng::new(800);
    for round in 0..6 {
        let dir = temp_dir();
        let repo = dir.path();
        git(repo, &["init", "-q", "-b", "main"]);
        let planted: Vec<String> = (0..6).map(|_| fake_token(&mut rng)).collect();
        // Encoded tokens too, in some rounds: a base64 token in a summary is still a token.
        let shown = |token: &String| {
            if round % 2 == 1 {
                base64(format!("u:{token}").as_bytes())
            } else {
                token.clone()
            }
        };
        let path = format!("notes-{}.txt", shown(&planted[0]));
        write(repo, &path, format!("key = {}\n", planted[1]));
        git(repo, &["add", "-A"]);
        let summary = format!("add {} to the config", shown(&planted[2]));
        let body = format!("{summary}\n\nthe old one was {}\n", shown(&planted[3]));
        let author_name = format!("Mallory {}", shown(&planted[4]));
        let author_email = format!("{}@example.org", shown(&planted[5]));
        git_with(
            repo,
            &[
                ("GIT_AUTHOR_NAME", &author_name),
                ("GIT_AUTHOR_EMAIL", &author_email),
            ],
            &["commit", "-q", "-m", &body],
        );
        for format in FORMATS {
            let output = hf_scan()
                .current_dir(repo)
                .args(["--history", "--format", format])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(1),
                "{format}: {}",
                stderr(&output)
            );
            let everything = stdout(&output) + &stderr(&output);
            for token in &planted {
                assert!(
                    !everything.contains(&token[3..]),
                    "round {round}, {format}: a token is printed whole:\n{everything}"
                );
            }
            assert!(
                everything.contains("hf_"),
                "{format}: the findings are there"
            );
        }
        // With --show-secrets the same report does show them: redaction is a choice, not loss.
        let output = hf_scan()
            .current_dir(repo)
            .args(["--history", "--format", "json", "--show-secrets"])
            .output()
            .unwrap();
        assert!(stdout(&output).contains(&author_name));
    }
}

/// Config and baseline errors quote what the user wrote; a token pasted there stays redacted.
#[test]
fn config_and_baseline_errors_do_not_echo_a_token() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(801));
    write(dir.path(), "a.txt", "clean\n");
    for config in [
        format!("allowed_secret_hashes = \"{token}\"\n"),
        format!("allowed_secret_hashes = [\"{token}\"]\n"),
        format!("exclude_paths = [\"{token}\", 3]\n"),
        format!("{token} = 1\n"),
    ] {
        write(dir.path(), ".hf-scan.toml", &config);
        let output = hf_scan().current_dir(dir.path()).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{config}");
        let err = stderr(&output);
        assert!(!err.contains(&token[3..]), "{config} → {err}");
        assert!(err.contains("config"), "{err}");
    }
    std::fs::remove_file(dir.path().join(".hf-scan.toml")).unwrap();
    write(dir.path(), "baseline.txt", format!("{token} x y z\n"));
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--baseline", "baseline.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !stderr(&output).contains(&token[3..]),
        "{}",
        stderr(&output)
    );
    // A token typed as an argument is not echoed back by the usage error either.
    let output = hf_scan().arg(format!("--{token}")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !stderr(&output).contains(&token[3..]),
        "{}",
        stderr(&output)
    );
}

/// Author names and summaries with terminal escapes, and a file whose name would inject a
/// GitHub workflow command through a warning: escaped in text, markdown, github and warnings.
#[cfg(unix)]
#[test]
fn control_characters_are_escaped_in_every_human_format_and_warning() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let token = fake_token(&mut Rng::new(802));
    let evil_name = "a\n::error title=x::all clear";
    write(repo, evil_name, format!("T={token}\n"));
    git(repo, &["add", "-A"]);
    git_with(
        repo,
        &[(
            "GIT_AUTHOR_NAME",
            "Eve \u{1b}[31mRED\u{1b}]8;;https://x.example\u{7}",
        )],
        &["commit", "-q", "-m", "summary \u{1b}[2J cleared"],
    );
    for format in ["text", "github", "markdown"] {
        let output = hf_scan()
            .current_dir(repo)
            .args(["--history", "--color", "never", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}");
        let out = stdout(&output);
        assert!(
            !out.contains('\u{1b}'),
            "{format}: raw ESC reaches the terminal:\n{out}"
        );
        assert!(!out.contains('\u{7}'), "{format}");
        assert!(
            !out.lines().any(|line| line.starts_with("::error title=x")),
            "{format}: an injected workflow command:\n{out}"
        );
    }
    // A warning naming the file (a dangling link under --follow) stays on one line.
    let tree = temp_dir();
    std::os::unix::fs::symlink("/nonexistent/target", tree.path().join(evil_name)).unwrap();
    let output = hf_scan()
        .current_dir(tree.path())
        .args(["--follow", "."])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(err.contains("warning"), "{err}");
    assert!(
        !err.lines().any(|line| line.starts_with("::")),
        "a warning injects a workflow command:\n{err}"
    );
    assert!(err.contains("a\\n::error"), "{err}");
}

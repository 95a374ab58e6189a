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

/// A repository whose `main` is clean, and a pull request branch that adds a real token and,
/// beside it, every switch that used to turn the gate off.
struct PullRequest {
    _dir: tempfile::TempDir,
    repo: std::path::PathBuf,
    base: String,
    head: String,
    token: String,
}

fn pull_request_that_switches_its_gate_off() -> PullRequest {
    let dir = temp_dir();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "README.md", "hello\n");
    write(&repo, ".hf-scan.toml", "exclude_paths = [\"docs/\"]\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    let token = fake_token(&mut Rng::new(810));
    let hash = hf_scan::finding::hex_sha256(token.as_bytes());
    write(&repo, "prod.env", format!("HF_TOKEN={token}\n"));
    write(
        &repo,
        ".hf-scan.toml",
        format!("exclude_paths = [\"*.env\"]\nallowed_secret_hashes = [\"{hash}\"]\n"),
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "config tweaks"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    PullRequest {
        _dir: dir,
        repo,
        base,
        head,
        token,
    }
}

fn pull_request_event(pr: &PullRequest) -> std::path::PathBuf {
    let path = pr.repo.parent().unwrap().join("event.json");
    let payload = serde_json::json!({
        "pull_request": {"base": {"sha": pr.base}, "head": {"sha": pr.head}}
    });
    std::fs::write(&path, payload.to_string()).unwrap();
    path
}

#[test]
fn a_pull_request_cannot_switch_its_own_gate_off() {
    let pr = pull_request_that_switches_its_gate_off();
    let event = pull_request_event(&pr);
    let runner = temp_dir();
    let outputs = runner.path().join("outputs");
    let summary = runner.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let output = hf_scan()
        .current_dir(&pr.repo)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg("--github-event")
        .arg(&event)
        .args(["--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let annotations = stdout(&output);
    assert!(
        annotations.starts_with("::error file=prod.env,line=1"),
        "{annotations}"
    );
    assert!(
        annotations.contains("::notice title=hf-scan::this change edits .hf-scan.toml"),
        "the edit is pointed out: {annotations}"
    );
    // hf-scan writes the step output and appends the job summary itself.
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "findings=1\n");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("earlier step\n### hf-scan: 1 Hugging Face token finding(s)"),
        "{summary}"
    );
    assert!(
        summary.contains("this change edits .hf-scan.toml"),
        "{summary}"
    );
    assert!(!summary.contains(&pr.token[3..]));

    // The same with --config-from outside Actions; and without it, the working tree's config
    // applies (a developer's own choice on their own machine).
    let range = format!("{}..{}", pr.base, pr.head);
    let (report, code) = json_report(&pr.repo, &["--range", &range, "--config-from", &pr.base]);
    assert_eq!((findings(&report).len(), code), (1, 1));
    assert!(report["stats"]["notices"][0]
        .as_str()
        .unwrap()
        .contains("edits .hf-scan.toml"));
    let (report, code) = json_report(&pr.repo, &["--range", &range]);
    assert_eq!((findings(&report).len(), code), (0, 0));
    assert_eq!(report["stats"]["skipped"], 1, "{report}");
}

#[test]
fn inline_allows_are_counted_everywhere_and_can_be_ignored() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(811));
    write(
        dir.path(),
        "a.py",
        format!("T = \"{token}\"  # hf-scan:allow\n"),
    );
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!((findings(&report).len(), code), (0, 0));
    assert_eq!(
        report["stats"]["suppressed"],
        serde_json::json!({"inline": 1, "config": 0, "baseline": 0})
    );
    let text = stdout(&hf_scan().current_dir(dir.path()).output().unwrap());
    assert!(
        text.contains("1 suppressed (1 inline (hf-scan:allow))"),
        "{text}"
    );
    let markdown = stdout(
        &hf_scan()
            .current_dir(dir.path())
            .args(["--format", "markdown"])
            .output()
            .unwrap(),
    );
    assert!(
        markdown.contains("**Suppressed:** 1 finding(s): 1 inline"),
        "{markdown}"
    );
    let (report, code) = json_report(dir.path(), &["--no-inline-allow"]);
    assert_eq!((findings(&report).len(), code), (1, 1));
}

#[test]
fn a_baseline_line_matches_only_its_own_path_and_token() {
    let dir = temp_dir();
    let mut rng = Rng::new(812);
    let (fake, real) = (fake_token(&mut rng), fake_token(&mut rng));
    write(dir.path(), "tests/fake.txt", format!("{fake}\n"));
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--write-baseline", "baseline.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    write(dir.path(), "src/prod.env", format!("HF_TOKEN={real}\n"));
    let (report, _) = json_report(dir.path(), &["--baseline", "baseline.txt"]);
    let prod = findings(&report)
        .iter()
        .find(|f| f["location"]["path"] == "src/prod.env")
        .unwrap()
        .clone();
    // A forged line: prod.env's fingerprint, but the path and hash a reviewer would wave
    // through.
    let honest = std::fs::read_to_string(dir.path().join("baseline.txt")).unwrap();
    let fake_line = honest.lines().nth(1).unwrap();
    let fields: Vec<&str> = fake_line.splitn(4, ' ').collect();
    let forged = format!(
        "{honest}{} {} {} {}\n",
        prod["fingerprint"].as_str().unwrap(),
        fields[1],
        fields[2],
        fields[3]
    );
    write(dir.path(), "baseline.txt", forged);
    let (report, code) = json_report(dir.path(), &["--baseline", "baseline.txt"]);
    let paths: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!((paths, code), (vec!["src/prod.env"], 1));
    assert_eq!(report["stats"]["suppressed"]["baseline"], 1);
}

#[test]
fn pull_request_target_is_refused_unless_allowed() {
    let pr = pull_request_that_switches_its_gate_off();
    let event = pull_request_event(&pr);
    let run = |extra: &[&str]| {
        hf_scan()
            .current_dir(&pr.repo)
            .env("GITHUB_EVENT_NAME", "pull_request_target")
            .arg("--github-event")
            .arg(&event)
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("Security model"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(run(&["--allow-pull-request-target"]).status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn reports_are_never_written_through_a_planted_link() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(813));
    write(dir.path(), "a.env", format!("T={token}\n"));
    let victim = write(dir.path(), "victim.txt", "precious\n");
    std::os::unix::fs::symlink(&victim, dir.path().join("hf-scan.sarif")).unwrap();
    for args in [
        vec!["--report", "sarif=hf-scan.sarif"],
        vec!["-o", "hf-scan.sarif"],
        vec!["--write-baseline", "hf-scan.sarif"],
    ] {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("symbolic link"),
            "{}",
            stderr(&output)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    }
}

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
    // The summary is on standard error, after any warnings.
    let text = stderr(&hf_scan().current_dir(dir.path()).output().unwrap());
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

/// Runs hf-scan with `args` in `dir`, killed after `limit`; `None` if it ran out of time.
fn run_within(
    dir: &Path,
    args: &[&str],
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("hf-scan"))
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

/// 4 MiB of nothing but encoded prefixes: each hit used to decode a window of its own (13 to
/// 38 s in a debug build). Now each run is decoded once per alignment (under a second). The
/// mixed flood (short runs, every alignment) is smaller: it guards against a search that
/// looks past its run, which made it quadratic.
#[test]
fn floods_of_encoded_prefixes_stay_linear() {
    let dir = temp_dir();
    for (name, unit, size) in [
        ("hmx", &b"hmX"[..], 4 << 20),
        ("agzf", b"aGZf", 4 << 20),
        ("utf16", b"h\0f\0_\0", 4 << 20),
        ("mixed", b"aGZfhmXoZl_h\0f\0_\0", 1 << 20),
    ] {
        let content: Vec<u8> = unit.iter().copied().cycle().take(size).collect();
        write(dir.path(), name, content);
    }
    for name in ["hmx", "agzf", "utf16", "mixed"] {
        let output = run_within(
            dir.path(),
            &["-j1", "--quiet", name],
            std::time::Duration::from_secs(6),
        )
        .unwrap_or_else(|| panic!("{name}: still running after 6 s"));
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
    }
}

/// One blob reachable at 8,000 paths used to cost quadratic bookkeeping (6.5 s in release).
#[test]
fn one_blob_at_thousands_of_paths_stays_linear() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let token = fake_token(&mut Rng::new(820));
    let blob = {
        let mut child = Command::new("git")
            .current_dir(repo)
            .args(["hash-object", "-w", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("T={token}\n").as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string()
    };
    let index_info: String = (0..8000)
        .map(|i| format!("100644 {blob}\tdir{}/copy{i}.env\n", i % 50))
        .collect();
    let mut child = with_test_git_identity(Command::new("git").current_dir(repo).args([
        "update-index",
        "--add",
        "--index-info",
    ]))
    .stdin(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(index_info.as_bytes())
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    git(repo, &["commit", "-q", "-m", "copies"]);
    let output = run_within(
        repo,
        &["--history", "--format", "json"],
        std::time::Duration::from_secs(20),
    )
    .expect("finishes");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        findings(&report).len(),
        1,
        "the blob is scanned and reported once"
    );
}

/// A tree 8,000 levels deep used to overflow the stack (exit 134). Now the walk is iterative
/// and stops at git's own depth limit with a warning.
#[test]
fn a_tree_thousands_of_levels_deep_is_a_warning_not_a_crash() {
    let dir = temp_dir();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let token = fake_token(&mut Rng::new(821));
    let shallow_blob = repo.blob(format!("T={token}\n").as_bytes()).unwrap();
    let mut tree = {
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert("deep.env", shallow_blob, 0o100644).unwrap();
        builder.write().unwrap()
    };
    for _ in 0..8000 {
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert("d", tree, 0o040000).unwrap();
        tree = builder.write().unwrap();
    }
    let mut root = repo
        .treebuilder(Some(&repo.find_tree(tree).unwrap()))
        .unwrap();
    root.insert("top.env", shallow_blob, 0o100644).unwrap();
    let root = repo.find_tree(root.write().unwrap()).unwrap();
    let signature = git2::Signature::now("Ada Lovelace", "ada@example.org").unwrap();
    repo.commit(Some("HEAD"), &signature, &signature, "deep", &root, &[])
        .unwrap();
    let output = run_within(
        dir.path(),
        &["--history", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("finishes");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("exit {:?}: {}", output.status, stderr(&output)));
    assert_eq!(output.status.code(), Some(1));
    let paths: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["top.env"]);
    assert_eq!(report["stats"]["incomplete"], true);
    assert!(
        report["stats"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("deeper than 2048 levels"),
        "{}",
        report["stats"]["warnings"]
    );
}

/// A config that is a FIFO used to hang; one that points at /dev/zero (itself, or through
/// extra_rules) exhausted memory. Now each is a clear error, at once.
#[cfg(unix)]
#[test]
fn project_files_that_are_not_small_regular_files_are_errors() {
    let dir = temp_dir();
    write(dir.path(), "a.txt", "clean\n");
    let config = dir.path().join(".hf-scan.toml");
    assert!(Command::new("mkfifo")
        .arg(&config)
        .status()
        .unwrap()
        .success());
    let output = run_within(dir.path(), &[], std::time::Duration::from_secs(10))
        .expect("a FIFO config does not hang");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &config).unwrap();
    let output = run_within(dir.path(), &[], std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(output.status.code(), Some(2));
    std::fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("rules.toml")).unwrap();
    write(
        dir.path(),
        ".hf-scan.toml",
        "extra_rules = [\"rules.toml\"]\n",
    );
    let output = run_within(dir.path(), &[], std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = run_within(
        dir.path(),
        &["--baseline", "/dev/zero"],
        std::time::Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

/// A `.env` force-added to git but matched by `.gitignore` is committed content: a tree scan
/// used to skip it (0 findings, exit 0). An untracked ignored file is still skipped.
#[test]
fn tracked_files_are_scanned_even_when_gitignore_matches_them() {
    let dir = temp_dir();
    let repo = dir.path();
    let mut rng = Rng::new(830);
    let (tracked, untracked) = (fake_token(&mut rng), fake_token(&mut rng));
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, ".gitignore", "*.env\nbuild/\n");
    write(repo, "app/.env", format!("HF_TOKEN={tracked}\n"));
    write(repo, "app/build/keep.env", format!("HF_TOKEN={tracked}\n"));
    write(repo, "app/local.env", format!("HF_TOKEN={untracked}\n"));
    git(repo, &["add", "-f", "app/.env", "app/build/keep.env"]);
    git(repo, &["add", ".gitignore"]);
    git(repo, &["commit", "-q", "-m", "force-added"]);
    for (root, expected) in [
        (repo.to_path_buf(), vec!["app/.env", "app/build/keep.env"]),
        (repo.join("app"), vec![".env", "build/keep.env"]),
    ] {
        let (report, code) = json_report(&root, &["--show-secrets"]);
        let mut paths: Vec<&str> = findings(&report)
            .iter()
            .map(|f| f["location"]["path"].as_str().unwrap())
            .collect();
        paths.sort();
        assert_eq!((paths, code), (expected, 1), "{report}");
        assert!(
            !report.to_string().contains(&untracked),
            "untracked ignored file"
        );
    }
}

/// Scans `repo` (its `.gitignore` says `*.log`): clean and without a warning, then again once
/// an ignored `debug.log` exists (`track` may then add it): incomplete (exit 2), with a warning
/// saying each of `says`.
fn warns_once_rules_hide_something(repo: &Path, track: impl Fn(), says: &[&str]) {
    let (report, code) = json_report(repo, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["stats"]["warnings"],
        serde_json::json!([]),
        "{report}"
    );
    write(repo, "debug.log", "ignored\n");
    track();
    let (report, code) = json_report(repo, &[]);
    assert_eq!(code, 2, "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(says.iter().all(|said| warnings.contains(said)), "{report}");
}

/// The index is read only when ignore rules hid something: a checkout where nothing is
/// hidden scans clean past a damaged index, and one with an ignored file says the tracked
/// files it could not check were not scanned (it used to pass them over in silence).
#[test]
fn the_index_is_read_only_when_ignore_rules_hid_something() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, ".gitignore", "*.log\n");
    write(repo, "a.txt", "clean\n");
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "clean"]);
    std::fs::write(repo.join(".git/index"), b"DIRC damaged").unwrap();
    warns_once_rules_hide_something(repo, || {}, &["index could not be read", "not scanned"]);
}

/// An index that is a FIFO (a hostile tree's `.git` can name any directory) is not read: the
/// scan ends, saying the tracked files were not checked, instead of waiting forever.
#[test]
fn an_index_that_is_a_fifo_is_a_warning_not_a_hang() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, ".gitignore", "*.log\n");
    write(repo, "a.txt", "clean\n");
    std::fs::remove_file(repo.join(".git/index")).ok();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.join(".git/index"))
        .status()
        .unwrap();
    assert!(made.success());
    warns_once_rules_hide_something(repo, || {}, &["index could not be read", "regular file"]);
}

/// A repository with SHA-256 objects, which libgit2 as built here cannot open: the files it
/// tracks that its ignore rules match are still found (in its index, read by hf-scan's own
/// reader) and scanned, from its top and from below it, with paths from its top.
#[test]
fn a_sha256_repositorys_tracked_ignored_files_are_scanned() {
    let dir = temp_dir();
    let repo = dir.path();
    let mut rng = Rng::new(832);
    let (tracked, untracked) = (fake_token(&mut rng), fake_token(&mut rng));
    git(repo, &["init", "-q", "--object-format=sha256"]);
    write(repo, ".gitignore", "*.env\n");
    write(repo, "app/.env", format!("HF_TOKEN={tracked}\n"));
    write(repo, "app/local.env", format!("HF_TOKEN={untracked}\n"));
    git(repo, &["add", "-f", "app/.env"]);
    git(repo, &["add", ".gitignore"]);
    for (root, expected) in [(repo.to_path_buf(), "app/.env"), (repo.join("app"), ".env")] {
        let (report, code) = json_report(&root, &["--show-secrets"]);
        assert_eq!(code, 1, "{report}");
        let places: Vec<(&str, &str)> = findings(&report)
            .iter()
            .map(|f| {
                let location = &f["location"];
                let path = location["path"].as_str().unwrap();
                (
                    path,
                    location["repo_path"].as_str().unwrap_or("no repo_path"),
                )
            })
            .collect();
        // The path as the user can open it, and from the repository's top (fingerprints,
        // SARIF), wherever the scan started.
        assert_eq!(places, [(expected, "app/.env")], "{report}");
        assert_eq!(
            report["stats"]["warnings"],
            serde_json::json!([]),
            "{report}"
        );
        assert!(!report.to_string().contains(&untracked), "{report}");
    }
}

/// A repository neither libgit2 nor hf-scan can read (an object format that does not exist)
/// still tracks what its ignore rules may hide: the scan says those files were not checked,
/// instead of passing them over in silence.
#[test]
fn a_repository_that_cannot_be_opened_is_a_warning_when_rules_hid_something() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "--object-format=sha256"]);
    write(repo, ".gitignore", "*.log\n");
    write(repo, "a.txt", "clean\n");
    let track = || {
        git(repo, &["add", "-f", "debug.log"]);
        let config = std::fs::read_to_string(repo.join(".git/config")).unwrap();
        assert!(config.contains("sha256"), "{config}");
        std::fs::write(repo.join(".git/config"), config.replace("sha256", "sha512")).unwrap();
    };
    warns_once_rules_hide_something(repo, track, &["could not be opened", "sha512"]);
}

/// Annotated tag messages (and tags of tags) are scanned in --history; the tag is named.
#[test]
fn annotated_tag_messages_are_scanned() {
    let dir = temp_dir();
    let repo = dir.path();
    let mut rng = Rng::new(831);
    let (in_tag, in_nested) = (fake_token(&mut rng), fake_token(&mut rng));
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, "a.txt", "clean\n");
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "clean"]);
    git(
        repo,
        &[
            "tag",
            "-a",
            "v1.0",
            "-m",
            &format!("release\n\ntoken {in_tag}\n"),
        ],
    );
    git(
        repo,
        &[
            "tag",
            "-a",
            "v1.0-signed",
            "v1.0",
            "-m",
            &format!("re-tag {in_nested}"),
        ],
    );
    let (report, code) = json_report(repo, &["--history", "--show-secrets"]);
    assert_eq!(code, 1);
    let mut found: Vec<(String, String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["source"].as_str().unwrap().to_string(),
                f["tag"]["name"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (
            "tag-message".to_string(),
            "v1.0".to_string(),
            in_tag.clone(),
        ),
        (
            "tag-message".to_string(),
            "v1.0-signed".to_string(),
            in_nested.clone(),
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let text = stdout(
        &hf_scan()
            .current_dir(repo)
            .arg("--history")
            .output()
            .unwrap(),
    );
    assert!(text.contains("<message of tag v1.0>:3:7"), "{text}");
    assert!(
        text.contains("in the message of tag v1.0 by Ada Lovelace"),
        "{text}"
    );
    assert!(!text.contains(&in_tag[3..]));
    let sarif = stdout(
        &hf_scan()
            .current_dir(repo)
            .args(["--history", "--format", "sarif"])
            .output()
            .unwrap(),
    );
    assert!(sarif.contains("\"uri\": \"TAG_EDITMSG\""), "{sarif}");
}

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

    // A mistake after a subcommand points at that subcommand's help.
    let output = hf_scan().args(["verify", "--bogus"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("(see hf-scan verify --help)"),
        "{}",
        stderr(&output)
    );
    let output = hf_scan().arg("--bogus").output().unwrap();
    assert!(stderr(&output).contains("(see hf-scan --help)"));

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
    let text = stderr(&hf_scan().current_dir(dir.path()).output().unwrap());
    assert!(text.contains(" in 1 file, "), "{text}");

    let repo = temp_dir();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    write(repo.path(), "b.txt", "clean\n");
    git(repo.path(), &["add", "-A"]);
    let text = stderr(
        &hf_scan()
            .current_dir(repo.path())
            .arg("--staged")
            .output()
            .unwrap(),
    );
    assert!(text.contains(" in 1 blob, "), "{text}");
    assert!(!text.contains("0 commits"), "{text}");
}

/// `hf-scan a b` used to print `secrets.txt:1:3` for both files, and scanning `notebooks`
/// reported `explore.ipynb`, which SARIF and annotations then pointed at in the wrong place.
/// Now paths are as the user can open them; SARIF, annotations, fingerprints and baselines use
/// the path from the repository's top, whatever PATH reached the file.
#[test]
fn paths_say_where_the_file_is_whatever_the_path_given() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let mut rng = Rng::new(900);
    write(
        repo,
        "a/secrets.txt",
        format!("T={}\n", fake_token(&mut rng)),
    );
    write(
        repo,
        "b/secrets.txt",
        format!("T={}\n", fake_token(&mut rng)),
    );
    write(
        repo,
        "notebooks/explore.ipynb",
        format!("{{\"source\": [\"t = '{}'\"]}}\n", fake_token(&mut rng)),
    );
    let (report, _) = json_report(repo, &["a", "b"]);
    let paths: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["a/secrets.txt", "b/secrets.txt"]);

    let from_top = json_report(repo, &["notebooks"]).0;
    let from_inside = json_report(&repo.join("notebooks"), &[]).0;
    let (top, inside) = (&findings(&from_top)[0], &findings(&from_inside)[0]);
    assert_eq!(top["location"]["path"], "notebooks/explore.ipynb");
    assert_eq!(inside["location"]["path"], "explore.ipynb");
    assert_eq!(top["location"]["repo_path"], "notebooks/explore.ipynb");
    assert_eq!(inside["location"]["repo_path"], "notebooks/explore.ipynb");
    assert_eq!(
        top["fingerprint"], inside["fingerprint"],
        "same file, same fingerprint"
    );

    let sarif = stdout(
        &hf_scan()
            .current_dir(repo.join("notebooks"))
            .args(["--format", "sarif"])
            .output()
            .unwrap(),
    );
    assert!(
        sarif.contains("\"uri\": \"notebooks/explore.ipynb\""),
        "{sarif}"
    );
    let annotations = stdout(
        &hf_scan()
            .current_dir(repo.join("notebooks"))
            .args(["--format", "github"])
            .output()
            .unwrap(),
    );
    assert!(
        annotations.starts_with("::error file=notebooks/explore.ipynb,line=1"),
        "{annotations}"
    );
    // A baseline written from the top accepts the finding when scanning from inside.
    let output = hf_scan()
        .current_dir(repo)
        .args(["--write-baseline", "baseline.txt", "notebooks"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let baseline = repo.join("baseline.txt");
    let output = hf_scan()
        .current_dir(repo.join("notebooks"))
        .arg("--baseline")
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// The text report shows `hf_Eq…BT` where the file holds `aGZf…`: it now says how the token
/// was written.
#[test]
fn text_output_says_how_an_encoded_token_was_found() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(910));
    write(
        dir.path(),
        "secret.yaml",
        format!("token: {}\n", base64(token.as_bytes())),
    );
    let text = stdout(&hf_scan().current_dir(dir.path()).output().unwrap());
    let redacted = format!("hf_{}…{}", &token[3..5], &token[35..]);
    assert!(text.contains(&format!("{redacted} (base64)")), "{text}");
}

/// `-o` and `--write-baseline` used to print nothing about what they wrote.
#[test]
fn written_files_are_announced() {
    let dir = temp_dir();
    write(
        dir.path(),
        "a.env",
        format!("T={}\n", fake_token(&mut Rng::new(911))),
    );
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "json", "-o", "out.json"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("wrote the json report to out.json"),
        "{}",
        stderr(&output)
    );
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--write-baseline", "base.txt"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("wrote 1 finding to the baseline base.txt"),
        "{}",
        stderr(&output)
    );
}

/// In a shallow clone: a boundary finding says "or before" in text as in JSON, a token in the
/// boundary commit's own message is not "at-or-before", and the summary does not claim that
/// something could not be read.
#[test]
fn shallow_clones_are_described_truthfully() {
    let dir = temp_dir();
    let upstream = dir.path().join("upstream");
    std::fs::create_dir(&upstream).unwrap();
    git(&upstream, &["init", "-q", "-b", "main"]);
    let mut rng = Rng::new(912);
    let (in_file, in_message) = (fake_token(&mut rng), fake_token(&mut rng));
    write(&upstream, "old.env", format!("T={in_file}\n"));
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "old"]);
    write(&upstream, "new.txt", "clean\n");
    git(&upstream, &["add", "-A"]);
    git(
        &upstream,
        &["commit", "-q", "-m", &format!("new {in_message}")],
    );
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", upstream.display()),
            clone.to_str().unwrap(),
        ],
    );
    let (report, _) = json_report(&clone, &["--history", "--show-secrets"]);
    let introduced = |secret: &str| {
        findings(&report)
            .iter()
            .find(|f| f["secret"] == secret)
            .unwrap_or_else(|| panic!("{report}"))["commit"]["introduced"]
            .clone()
    };
    assert_eq!(introduced(&in_file), "at-or-before");
    assert_eq!(introduced(&in_message), "at");
    let output = hf_scan()
        .current_dir(&clone)
        .arg("--history")
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains(" or before (the history is shallow there)"),
        "{text}"
    );
    assert!(!text.contains("could not be read"), "{text}");
    // The summary follows the warning it points at, on standard error.
    let err = stderr(&output);
    let warning = err.find("warning: the repository is shallow").expect(&err);
    let summary = err.find("INCOMPLETE: 1 warning (see above)").expect(&err);
    assert!(warning < summary, "{err}");
}

/// Run from a subdirectory, hf-scan used to ignore the repository's `.hf-scan.toml`. Now it
/// finds it at the work tree's top, as git tools do, and its exclude_paths match paths from
/// there.
#[test]
fn the_repository_config_applies_in_a_subdirectory() {
    let dir = temp_dir();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let mut rng = Rng::new(920);
    let (fixture, allowed, real) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    let hash = hf_scan::finding::hex_sha256(allowed.as_bytes());
    write(
        repo,
        ".hf-scan.toml",
        format!("exclude_paths = [\"/sub/fixtures/\"]\nallowed_secret_hashes = [\"{hash}\"]\n"),
    );
    write(repo, "sub/fixtures/fake.env", format!("T={fixture}\n"));
    write(repo, "sub/known.env", format!("T={allowed}\n"));
    write(repo, "sub/app.env", format!("T={real}\n"));
    let (report, code) = json_report(&repo.join("sub"), &["--show-secrets"]);
    let secrets: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    assert_eq!((secrets, code), (vec![real.as_str()], 1), "{report}");
    assert_eq!(report["stats"]["skipped"], 1);
    assert_eq!(report["stats"]["suppressed"]["config"], 1);
}

/// Excludes on the command line, and an allow comment for the next line: what users of other
/// scanners look for.
#[test]
fn command_line_excludes_and_next_line_allows() {
    let dir = temp_dir();
    let mut rng = Rng::new(930);
    let (a, b, c) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    write(dir.path(), "vendor/lib/x.env", format!("T={a}\n"));
    write(dir.path(), "snap/y.snap", format!("T={b}\n"));
    write(
        dir.path(),
        "app.yaml",
        format!("# hf-scan:allow-next-line\ntoken: {c}\n"),
    );
    let (report, code) = json_report(dir.path(), &["--exclude", "vendor/", "--exclude", "*.snap"]);
    assert_eq!((findings(&report).len(), code), (0, 0), "{report}");
    assert_eq!(report["stats"]["skipped"], 2);
    assert_eq!(report["stats"]["suppressed"]["inline"], 1);
    let (report, _) = json_report(dir.path(), &["--exclude", "vendor/"]);
    assert_eq!(findings(&report).len(), 1, "only the .snap file");
}

/// A gitignored `.env.local` is not scanned, but `COPY . /app` ships it: the summary counts
/// what ignore rules hid, a notice names the credential-like files, and `--no-ignore` finds
/// the token. A file git tracks although ignored is scanned and not counted as hidden.
#[test]
fn paths_hidden_by_gitignore_are_counted_and_credential_files_named() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q"]);
    let mut rng = Rng::new(912);
    write(dir.path(), ".gitignore", ".env.local\nbuild/\n*.log\n");
    write(
        dir.path(),
        ".env.local",
        format!("HF_TOKEN={}\n", fake_token(&mut rng)),
    );
    write(dir.path(), "build/out.txt", "built\n");
    write(dir.path(), "build/more.txt", "built\n");
    write(dir.path(), "run.log", "log\n");
    write(dir.path(), "forced.log", "forced\n");
    write(dir.path(), "app.py", "print(1)\n");
    git(dir.path(), &["add", ".gitignore", "app.py"]);
    git(dir.path(), &["add", "-f", "forced.log"]);

    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty(), "{report}");
    // .env.local, build/ (one entry), run.log; forced.log is tracked and scanned.
    assert_eq!(report["stats"]["ignored"], 3, "{report}");
    assert_eq!(report["stats"]["files"], 3, "{report}");
    let notices = report["stats"]["notices"].to_string();
    assert!(
        notices.contains(".env.local: ignored by .gitignore"),
        "{notices}"
    );
    assert!(!notices.contains("run.log"), "{notices}");

    let output = hf_scan().current_dir(dir.path()).output().unwrap();
    let err = stderr(&output);
    assert!(
        err.contains("3 paths ignored by .gitignore (--no-ignore scans them)"),
        "{err}"
    );
    assert!(
        err.contains("note: .env.local: ignored by .gitignore"),
        "{err}"
    );

    let (report, code) = json_report(dir.path(), &["--no-ignore"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report).len(), 1, "{report}");
    assert_eq!(findings(&report)[0]["location"]["path"], ".env.local");
    assert_eq!(report["stats"]["ignored"], 0, "{report}");
}

/// Outside git, a `.gitignore` the user wrote is honoured and what it hid is counted too;
/// nothing is counted when no rule hides anything.
#[test]
fn ignored_paths_are_counted_in_a_plain_directory_and_zero_when_none() {
    let dir = temp_dir();
    write(dir.path(), ".gitignore", "secret/\n");
    write(dir.path(), "secret/a.txt", "a\n");
    write(dir.path(), "sub/b.txt", "b\n");
    let (report, _) = json_report(dir.path(), &[]);
    assert_eq!(report["stats"]["ignored"], 1, "{report}");
    let (report, _) = json_report(&dir.path().join("sub"), &[]);
    assert_eq!(report["stats"]["ignored"], 0, "{report}");
    let output = hf_scan()
        .current_dir(dir.path().join("sub"))
        .output()
        .unwrap();
    assert!(!stdout(&output).contains("ignored"), "{}", stdout(&output));
}

/// `--exit-code N` (the gitleaks habit) is the status for findings; 2 keeps meaning an error
/// or an incomplete scan, so it and 0 are refused. An incomplete scan with findings says that
/// more may hide where it could not read, not that "finding nothing" would mean little.
#[test]
fn exit_code_for_findings_and_an_incomplete_scan_with_findings() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(24));
    write(dir.path(), "leak.env", format!("HF_TOKEN={token}\n"));
    let run = |args: &[&str]| {
        hf_scan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["--exit-code", "42"]).status.code(), Some(42));
    assert_eq!(run(&[]).status.code(), Some(1));
    for refused in ["0", "2", "256", "x"] {
        let output = run(&["--exit-code", refused]);
        assert_eq!(output.status.code(), Some(2), "{refused}");
        assert!(
            stderr(&output).contains("--exit-code"),
            "{}",
            stderr(&output)
        );
    }
    let clean = temp_dir();
    write(clean.path(), "a.txt", "clean\n");
    let output = hf_scan()
        .current_dir(clean.path())
        .args(["--exit-code", "42"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));

    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("dangling")).unwrap();
    let output = run(&["--follow", "--exit-code", "42"]);
    assert_eq!(output.status.code(), Some(42), "findings come first");
    let err = stderr(&output);
    assert!(
        err.contains("what it could not read may hold more tokens"),
        "{err}"
    );
    assert!(!err.contains("finding nothing"), "{err}");
}

/// `--history PATH` reads the whole repository that holds PATH: naming a file says so.
#[test]
fn a_history_path_inside_the_repository_only_picks_the_repository() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "sub/file.py", "print('hi')\n");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    let run = |path: &str| {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(["--history", path])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stderr(&output)
    };
    let err = run("sub/file.py");
    assert!(
        err.contains("sub/file.py only picks the repository: the whole of"),
        "{err}"
    );
    assert!(!run(".").contains("only picks"));
}

/// `--write-baseline` accepts what it found (exit 0), but an incomplete scan still exits 2:
/// the baseline is written, and what could not be read is not in it.
#[test]
fn write_baseline_on_an_incomplete_scan_writes_it_and_exits_2() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(25));
    write(dir.path(), "leak.env", format!("HF_TOKEN={token}\n"));
    let baseline = dir.path().join("baseline");
    let run = |extra: &[&str]| {
        hf_scan()
            .current_dir(dir.path())
            .arg("--write-baseline")
            .arg(&baseline)
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(run(&[]).status.code(), Some(0));
    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("dangling")).unwrap();
    let output = run(&["--follow"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert_eq!(
        written.lines().filter(|l| !l.starts_with('#')).count(),
        1,
        "{written}"
    );
}

/// Nothing staged, or a history with no commits, is said as such, not "0 findings in 0 files".
#[test]
fn nothing_to_scan_is_said_as_such() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (mode, note) in [
        ("--staged", "nothing is staged: no change to scan"),
        (
            "--history",
            "the repository has no commits: nothing to scan",
        ),
    ] {
        let output = hf_scan()
            .current_dir(dir.path())
            .arg(mode)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{mode}");
        assert!(
            stderr(&output).contains("hf-scan: nothing was scanned"),
            "{mode}: {}",
            stderr(&output)
        );
        assert!(!stdout(&output).contains("0 files"));
        assert!(
            stderr(&output).contains(note),
            "{mode}: {}",
            stderr(&output)
        );
    }
}

/// `--max-file-size` (gitleaks' --max-target-megabytes) leaves larger files and history
/// blobs unscanned, counted in a notice: the user's choice, so the scan is not incomplete.
#[test]
fn max_file_size_skips_larger_files_and_blobs_with_a_notice() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(26));
    let big = format!("{}HF_TOKEN={token}\n", "x".repeat(3000));
    write(dir.path(), "big.txt", &big);
    write(dir.path(), "small.txt", "clean\n");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    for mode in [None, Some("--history")] {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(mode)
            .args(["--max-file-size", "2K"])
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{mode:?}: {err}");
        assert!(
            err.contains("not scanned, larger than --max-file-size (2.0 KiB): 1 file or blob"),
            "{mode:?}: {err}"
        );
        let found = hf_scan()
            .current_dir(dir.path())
            .args(mode)
            .output()
            .unwrap();
        assert_eq!(
            found.status.code(),
            Some(1),
            "without the limit it is found"
        );
    }
}

/// `--refs GLOB` limits a history scan to the commits those refs reach (a mirror's
/// refs/pull/* left out, or chosen alone); a glob that matches nothing is an error, not an
/// empty scan.
#[test]
fn refs_choose_which_refs_a_history_scan_walks() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(27));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "a.txt", "clean\n");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    git(dir.path(), &["checkout", "-q", "-b", "pr"]);
    write(dir.path(), "b.env", format!("HF_TOKEN={token}\n"));
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "two"]);
    git(dir.path(), &["update-ref", "refs/pull/1/head", "HEAD"]);
    git(dir.path(), &["checkout", "-q", "main"]);
    git(dir.path(), &["branch", "-q", "-D", "pr"]);
    let run = |args: &[&str]| {
        hf_scan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["--history"]).status.code(), Some(1));
    assert_eq!(run(&["--refs", "refs/heads/*"]).status.code(), Some(0));
    assert_eq!(
        run(&["--refs", "refs/heads/*", "--refs", "refs/pull/*"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(run(&["--refs", "HEAD"]).status.code(), Some(0));
    let output = run(&["--refs", "refs/nothing/*"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--refs refs/nothing/*: no ref matches it"),
        "{}",
        stderr(&output)
    );
}

/// `git diff | hf-scan --diff`: tokens on added lines at their path and line in the new
/// file; a diff that removes a token is clean; a token moved within a file is not new.
#[test]
fn diff_mode_reports_added_lines_at_their_new_file_line() {
    let dir = temp_dir();
    let mut rng = Rng::new(28);
    let (moved, added, removed) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(
        dir.path(),
        "app.py",
        format!("a\nb\nOLD = \"{moved}\"\nc\n"),
    );
    write(dir.path(), "gone.env", format!("HF_TOKEN={removed}\n"));
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    write(
        dir.path(),
        "app.py",
        format!("a\nb\nc\nMOVED = \"{moved}\"\nd\nNEW = \"{added}\"\n"),
    );
    std::fs::remove_file(dir.path().join("gone.env")).unwrap();
    let diff = git(dir.path(), &["diff"]);
    let output = hf_scan()
        .args(["--diff", "--format", "json", "--show-secrets"])
        .write_stdin(diff)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["secret"], added.as_str());
    assert_eq!(findings[0]["location"]["path"], "app.py");
    assert_eq!(findings[0]["location"]["line"], 6);
    assert_eq!(findings[0]["location"]["column"], 8);

    // Only the removal: nothing is reported.
    git(dir.path(), &["checkout", "-q", "app.py"]);
    let output = hf_scan()
        .arg("--diff")
        .write_stdin(git(dir.path(), &["diff"]))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // Not a diff: said, and the run is incomplete.
    let output = hf_scan()
        .arg("--diff")
        .write_stdin(format!("HF_TOKEN={added}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds no unified diff"),
        "{}",
        stderr(&output)
    );

    let output = hf_scan().args(["--diff", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--diff reads a unified diff on standard input"));
}

/// Findings on standard output, everything else on standard error in reading order, and a
/// text report written with `-o` carries the warnings and the summary too.
#[test]
fn findings_on_stdout_the_rest_on_stderr_and_the_file_report_has_it_all() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(29));
    write(dir.path(), "leak.env", format!("HF_TOKEN={token}\n"));
    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("dangling")).unwrap();
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("--follow")
        .output()
        .unwrap();
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(out.lines().count(), 1, "the one finding: {out}");
    assert!(out.starts_with("leak.env:1:10"), "{out}");
    let warning = err.find("hf-scan: warning: ").expect(&err);
    let advice = err.find("What to do").expect(&err);
    let summary = err.find("INCOMPLETE: 1 warning (see above)").expect(&err);
    assert!(warning < advice && advice < summary, "{err}");

    let report = dir.path().join("report.txt");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--follow", "--exclude", "report.txt", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = std::fs::read_to_string(&report).unwrap();
    for part in [
        "leak.env:1:10",
        "hf-scan: warning: ",
        "What to do",
        "INCOMPLETE",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
}

/// `--include GLOB` limits a tree, the index or history to matching paths (gitleaks'
/// `--log-opts="-- PATH"`), the rest counted as skipped.
#[test]
fn include_limits_every_mode_to_matching_paths() {
    let dir = temp_dir();
    let mut rng = Rng::new(30);
    let (top, inside) = (fake_token(&mut rng), fake_token(&mut rng));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "a.env", format!("HF_TOKEN={top}\n"));
    write(dir.path(), "src/b.env", format!("HF_TOKEN={inside}\n"));
    git(dir.path(), &["add", "."]);
    for mode in [None, Some("--staged"), Some("--history")] {
        if mode == Some("--history") {
            git(dir.path(), &["commit", "-q", "-m", "one"]);
        }
        let secrets = |include: &str| {
            let (report, _) = json_report(
                dir.path(),
                &[mode.unwrap_or("."), "--include", include, "--show-secrets"],
            );
            findings(&report)
                .iter()
                .map(|f| f["secret"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(secrets("src/"), std::slice::from_ref(&inside), "{mode:?}");
        assert_eq!(secrets("*.env").len(), 2, "{mode:?}");
        assert!(secrets("*.py").is_empty(), "{mode:?}");
    }
}

/// `--verbose` lists each file scanned and each path passed over with why: the config's
/// exclusion (naming the glob), `--exclude`, `--include`, ignore rules, `--max-file-size`; in
/// history the excluded path versions with their commit. Nothing of it without the flag.
#[test]
fn verbose_lists_what_was_scanned_and_skipped_and_why() {
    let dir = temp_dir();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, ".gitignore", "build/\nlocal.env\n");
    write(root, ".hf-scan.toml", "exclude_paths = [\"docs/\"]\n");
    write(root, "docs/guide.md", "guide\n");
    write(root, "build/out.txt", "built\n");
    write(root, "local.env", "A=1\n");
    write(root, "src/train.py", "print('train')\n");
    write(root, "src/notes.txt", "notes\n");
    write(root, "weights.bin", vec![b'w'; 4096]);
    let token = fake_token(&mut Rng::new(27));
    write(root, "src/app.cfg", format!("token={token}\n"));
    let run = |args: &[&str]| {
        let output = hf_scan().current_dir(root).args(args).output().unwrap();
        (output.status.code(), stdout(&output), stderr(&output))
    };
    let (code, out, err) = run(&[
        "--verbose",
        "--exclude",
        "*.txt",
        "--max-file-size",
        "2K",
        ".",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        out.contains("src/app.cfg:1:7"),
        "findings stay on stdout: {out}"
    );
    for line in [
        "hf-scan: scanned src/train.py (15 B)",
        "hf-scan: scanned src/app.cfg (44 B, 1 hit)",
        "hf-scan: skipped docs/: excluded by `docs/` (exclude_paths in the project config)",
        "hf-scan: skipped src/notes.txt: excluded by `*.txt` (--exclude)",
        "hf-scan: skipped weights.bin: 4.0 KiB is larger than --max-file-size (2.0 KiB)",
        "hf-scan: skipped build/: ignore rules",
        "hf-scan: skipped local.env: ignore rules",
    ] {
        assert!(err.contains(line), "missing `{line}` in:\n{err}");
    }
    assert!(!err.contains(&token), "redacted");
    assert!(
        !err.contains('\u{1b}'),
        "no terminal escapes in a pipe: {err:?}"
    );
    assert!(!out.contains("hf-scan: scanned"), "the list is on stderr");

    let (_, _, err) = run(&["--include", "src/**", "--verbose", "."]);
    assert!(
        err.contains("hf-scan: skipped weights.bin: matches no --include glob"),
        "{err}"
    );

    let (_, _, plain) = run(&["."]);
    assert!(!plain.contains("hf-scan: scanned") && !plain.contains("hf-scan: skipped"));

    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "all"]);
    let commit = git(root, &["rev-parse", "--short=10", "HEAD"]);
    let (code, _, err) = run(&["--history", "--verbose", "--max-file-size", "2K", "."]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "hf-scan: skipped docs/ (commit {}): excluded by `docs/`",
            commit.trim()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "hf-scan: skipped weights.bin (commit {}): 4.0 KiB is larger",
            commit.trim()
        )),
        "{err}"
    );
    let (code, _, err) = run(&["--verbose", "--quiet", "."]);
    assert_eq!(code, Some(2), "{err}");
}

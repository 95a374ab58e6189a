//! Git history, the index and commit ranges, against repositories built with the git CLI in
//! temporary directories.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

/// A repository in a temporary directory, driven with the git CLI, with fixed identities and
/// strictly increasing commit dates so the history is the same on every run.
struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    clock: std::cell::Cell<u64>,
}

impl Repo {
    fn new() -> Self {
        let dir = temp_dir();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        let repo = Repo {
            _dir: dir,
            path,
            clock: std::cell::Cell::new(1_700_000_000),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let time = self.clock.get() + 60;
        self.clock.set(time);
        let date = format!("{time} +0100");
        let output = with_test_git_identity(Command::new("git").current_dir(dir).args(args))
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.path, args)
    }

    fn write(&self, relative: &str, contents: &str) {
        write(&self.path, relative, contents);
    }

    /// Writes, stages everything and commits; returns the commit id.
    fn commit(&self, relative: &str, contents: &str, message: &str) -> String {
        self.write(relative, contents);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.head()
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    fn scan(&self, args: &[&str]) -> (Value, i32) {
        scan_at(&self.path, args)
    }
}

fn scan_at(path: &Path, args: &[&str]) -> (Value, i32) {
    let output = hf_scan()
        .args(args)
        .args(["--format", "json", "--show-secrets"])
        .arg(path)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}{}", stdout(&output), stderr(&output)));
    (report, output.status.code().unwrap())
}

/// (secret, path, commit id) of each finding.
fn leaks(report: &Value) -> Vec<(String, Option<String>, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["secret"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().map(str::to_string),
                f["commit"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn token_removed_later_is_reported_at_the_commit_that_added_it() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(300));
    repo.commit("README.md", "# demo\n", "start");
    let added = repo.commit(
        "config.py",
        &format!("import os\nTOKEN = '{token}'\n"),
        "add config",
    );
    repo.commit(
        "config.py",
        "import os\nTOKEN = os.environ['HF_TOKEN']\n",
        "use env",
    );
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1);
    assert_eq!(
        leaks(&report),
        vec![(token, Some("config.py".into()), added.clone())]
    );
    let finding = &findings(&report)[0];
    assert_eq!(finding["source"], "history");
    assert_eq!(finding["location"]["line"], 2);
    let commit = &finding["commit"];
    assert_eq!(commit["author_name"], "Ada Lovelace");
    assert_eq!(commit["author_email"], "ada@example.org");
    assert_eq!(commit["summary"], "add config");
    assert_eq!(commit["introduced"], "at");
    let date = commit["date"].as_str().unwrap();
    assert!(
        date.starts_with("2023-11-14T") && date.ends_with("+01:00"),
        "{date}"
    );
    assert_eq!(report["stats"]["commits"], 3);
    // The working tree is clean: a plain scan finds nothing.
    let (_, code) = repo.scan(&[]);
    assert_eq!(code, 0);
}

#[test]
fn renamed_copied_and_edited_files_are_one_finding_at_the_first_commit() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(301));
    let added = repo.commit("a.env", &format!("HF_TOKEN={token}\n"), "add");
    repo.git(&["mv", "a.env", "b.env"]);
    repo.git(&["commit", "-q", "-m", "rename"]);
    repo.commit(
        "b.env",
        &format!("HF_TOKEN={token}\nOTHER=1\n"),
        "edit after rename",
    );
    repo.commit("copy.env", &format!("HF_TOKEN={token}\nOTHER=1\n"), "copy");
    std::fs::rename(repo.path.join("copy.env"), repo.path.join("moved.env")).unwrap();
    repo.commit(
        "moved.env",
        &format!("# moved and edited\nHF_TOKEN={token}\n"),
        "move and edit",
    );
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1);
    assert_eq!(leaks(&report), vec![(token, Some("a.env".into()), added)]);
}

#[test]
fn same_token_pasted_into_a_second_file_is_a_second_finding() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(302));
    let first = repo.commit("train.py", &format!("login('{token}')\n"), "train");
    let second = repo.commit("deploy.sh", &format!("export HF_TOKEN={token}\n"), "deploy");
    let (report, _) = repo.scan(&["--history"]);
    let mut found = leaks(&report);
    found.sort();
    let mut expected = vec![
        (token.clone(), Some("deploy.sh".to_string()), second),
        (token, Some("train.py".to_string()), first),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn every_ref_is_walked_side_branch_tag_only_orphan_and_stash() {
    let repo = Repo::new();
    let mut rng = Rng::new(303);
    let (side, orphan, stashed, message) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    repo.commit("main.txt", "main\n", "main");
    repo.git(&["checkout", "-q", "-b", "experiment"]);
    let side_commit = repo.commit("side.txt", &side, "side work");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "--orphan", "scratch"]);
    repo.git(&["rm", "-rfq", "."]);
    let orphan_commit = repo.commit("orphan.txt", &orphan, "orphan");
    repo.git(&["tag", "-a", "v0-orphan", "-m", "annotated tag on an orphan"]);
    repo.git(&["checkout", "-q", "-f", "main"]);
    repo.git(&["branch", "-D", "scratch"]);
    let message_commit = repo.commit("notes.txt", "notes\n", &format!("oops {message}"));
    repo.write("main.txt", &format!("wip {stashed}\n"));
    repo.git(&["stash", "-q"]);
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1);
    let found = leaks(&report);
    assert!(
        found.contains(&(side, Some("side.txt".into()), side_commit)),
        "{found:?}"
    );
    assert!(
        found.contains(&(orphan, Some("orphan.txt".into()), orphan_commit)),
        "{found:?}"
    );
    assert!(found
        .iter()
        .any(|(s, p, _)| *s == stashed && p.as_deref() == Some("main.txt")));
    assert!(
        found.contains(&(message.clone(), None, message_commit)),
        "{found:?}"
    );
    let in_message = findings(&report)
        .iter()
        .find(|f| f["secret"] == message.as_str())
        .unwrap();
    assert_eq!(in_message["source"], "commit-message");
    assert!(in_message["location"]["path"].is_null());
    assert_eq!(found.len(), 4);
}

#[test]
fn merges_add_no_duplicates_but_an_evil_merge_is_blamed() {
    let repo = Repo::new();
    let mut rng = Rng::new(304);
    let (branch_token, merge_token) = (fake_token(&mut rng), fake_token(&mut rng));
    repo.commit("base.txt", "base\n", "base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let branch_commit = repo.commit("feature.py", &format!("T = '{branch_token}'\n"), "feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("other.txt", "other\n", "main moves on");
    repo.git(&["merge", "-q", "--no-ff", "-m", "plain merge", "feature"]);
    repo.git(&["checkout", "-q", "-b", "second"]);
    repo.commit("second.txt", "second\n", "second");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("third.txt", "third\n", "third");
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "second"]);
    repo.write("resolution.txt", &merge_token);
    repo.git(&["add", "resolution.txt"]);
    repo.git(&["commit", "-q", "-m", "evil merge"]);
    let evil = repo.head();
    let (report, _) = repo.scan(&["--history"]);
    let mut found = leaks(&report);
    found.sort();
    let mut expected = vec![
        (branch_token, Some("feature.py".to_string()), branch_commit),
        (merge_token, Some("resolution.txt".to_string()), evil),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn each_distinct_blob_is_scanned_once() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(305));
    repo.commit("a.txt", &token, "one");
    for i in 0..5 {
        repo.commit(&format!("n{i}.txt"), "same content\n", &format!("c{i}"));
    }
    let (report, _) = repo.scan(&["--history"]);
    // Blobs: the token file and the one "same content" blob shared by five paths.
    assert_eq!(report["stats"]["blobs"], 2);
    assert_eq!(report["stats"]["commits"], 6);
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn bare_repository_subdirectory_and_detached_head_work() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(306));
    let added = repo.commit("src/deep/k.txt", &token, "add");
    repo.commit("src/deep/k.txt", "gone\n", "remove");
    let expected = vec![(token, Some("src/deep/k.txt".to_string()), added.clone())];

    let (report, _) = scan_at(&repo.path.join("src/deep"), &["--history"]);
    assert_eq!(
        leaks(&report),
        expected,
        "a subdirectory opens the repository"
    );

    repo.git(&["checkout", "-q", "--detach", &added]);
    let (report, _) = repo.scan(&["--history"]);
    assert_eq!(leaks(&report), expected, "detached HEAD");

    let bare = repo.path.parent().unwrap().join("bare.git");
    repo.git_in(
        repo.path.parent().unwrap(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let (report, code) = scan_at(&bare, &["--history"]);
    assert_eq!(code, 1);
    assert_eq!(leaks(&report), expected, "bare repository");
}

#[test]
fn empty_repository_is_clean_with_zero_commits() {
    let repo = Repo::new();
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 0);
    assert_eq!(report["stats"]["commits"], 0);
    assert!(findings(&report).is_empty());
}

#[test]
fn shallow_clone_warns_and_marks_boundary_findings_at_or_before() {
    let repo = Repo::new();
    let mut rng = Rng::new(307);
    let (old, recent) = (fake_token(&mut rng), fake_token(&mut rng));
    repo.commit("old.txt", &old, "old token");
    for i in 0..3 {
        repo.commit(&format!("f{i}.txt"), "x\n", "filler");
    }
    let recent_commit = repo.commit("recent.txt", &recent, "recent token");
    let clone = repo.path.parent().unwrap().join("shallow");
    repo.git_in(
        repo.path.parent().unwrap(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &format!("file://{}", repo.path.display()),
            clone.to_str().unwrap(),
        ],
    );
    let output = hf_scan()
        .args(["--history", "--format", "json", "--show-secrets"])
        .arg(&clone)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("shallow"), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stats"]["incomplete"], true);
    let by_secret = |secret: &str| {
        findings(&report)
            .iter()
            .find(|f| f["secret"] == secret)
            .cloned()
            .unwrap_or_else(|| panic!("{secret} not found"))
    };
    // The old token's commit is beyond the boundary; it is seen in the boundary commit's tree.
    let old_finding = by_secret(&old);
    assert_eq!(old_finding["commit"]["introduced"], "at-or-before");
    let recent_finding = by_secret(&recent);
    assert_eq!(recent_finding["commit"]["id"], recent_commit.as_str());
    assert_eq!(recent_finding["commit"]["introduced"], "at");
}

#[test]
fn missing_object_warns_keeps_scanning_and_never_exits_0() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(308));
    repo.commit("lost.txt", "this blob will be deleted\n", "lost");
    let blob = repo.git(&["rev-parse", "HEAD:lost.txt"]);
    let object = repo
        .path
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();

    let output = hf_scan()
        .args(["--history", "--format", "json"])
        .arg(&repo.path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "clean but incomplete");
    let err = stderr(&output);
    assert_eq!(err.matches("warning:").count(), 1, "one warning: {err}");
    assert!(
        err.contains(&format!("1 git object could not be read (missing from a partial clone or a damaged repository), so what it holds was not scanned: blob {blob}, lost.txt at commit ")),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stats"]["incomplete"], true);

    // git writes trees only from objects it has: the blob is written again for the commit
    // (whether `git add` would re-hash the unchanged file depends on the clock, which made
    // this test flaky) and deleted again after it.
    repo.git(&["hash-object", "-w", "lost.txt"]);
    repo.commit("found.txt", &token, "token");
    std::fs::remove_file(&object).unwrap();
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1, "findings win over incomplete");
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(report["stats"]["incomplete"], true);
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let repo = Repo::new();
    let mut rng = Rng::new(309);
    let (staged, unstaged, committed) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    // Before the first commit, everything staged is new.
    repo.write("first.txt", &committed);
    repo.git(&["add", "first.txt"]);
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["source"], "staged");
    repo.git(&["commit", "-q", "-m", "first"]);

    // Already committed content is not reported again; unstaged changes are not reported.
    repo.write("notes.txt", &format!("{unstaged}\n"));
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!((code, findings(&report).len()), (0, 0));

    // Staged, then deleted from the working tree: still what the commit would record.
    repo.write("app.py", &format!("\n\nT = '{staged}'\n"));
    repo.git(&["add", "app.py"]);
    std::fs::remove_file(repo.path.join("app.py")).unwrap();
    let (report, code) = repo.scan(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(
        leaks(&report),
        vec![(staged, Some("app.py".into()), String::new())]
    );
    assert_eq!(findings(&report)[0]["location"]["line"], 3);
    assert!(findings(&report)[0]["commit"].is_null());
}

#[test]
fn since_and_range_report_only_what_the_commits_add() {
    let repo = Repo::new();
    let mut rng = Rng::new(310);
    let (before, in_pr, later) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    repo.commit("old.txt", &before, "before the PR");
    let base = repo.head();
    let pr_commit = repo.commit("pr.txt", &in_pr, "the PR");
    let pr_head = repo.head();
    repo.commit("later.txt", &later, "after the PR");

    let (report, code) = repo.scan(&["--since", &base]);
    assert_eq!(code, 1);
    let mut secrets: Vec<_> = leaks(&report).into_iter().map(|l| l.0).collect();
    secrets.sort();
    let mut expected = vec![in_pr.clone(), later];
    expected.sort();
    assert_eq!(secrets, expected);

    let (report, _) = repo.scan(&["--range", &format!("{base}..{pr_head}")]);
    assert_eq!(
        leaks(&report),
        vec![(in_pr, Some("pr.txt".into()), pr_commit)]
    );
    assert_eq!(report["stats"]["commits"], 1);

    let output = hf_scan()
        .args(["--range", "nonexistent..HEAD"])
        .arg(&repo.path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nonexistent"));
}

#[test]
fn history_text_and_sarif_carry_the_commit() {
    let repo = Repo::new();
    let token = fake_token(&mut Rng::new(311));
    let added = repo.commit("k.env", &format!("T={token}\n"), "add key");
    let output = hf_scan().arg("--history").arg(&repo.path).output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("k.env:1:3  hf-user-access-token"), "{text}");
    assert!(
        text.contains(&format!(
            "introduced in {} by Ada Lovelace <ada@example.org> on 2023-11-14T",
            &added[..10]
        )),
        "{text}"
    );
    let output = hf_scan()
        .args(["--history", "--format", "sarif"])
        .arg(&repo.path)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["commit"]["id"], added.as_str());
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "k.env"
    );
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = temp_dir();
    let output = hf_scan().arg("--history").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not in a git repository"));
}

/// `in_head` says whether the leak was cleaned up: `true` while HEAD's version of the path
/// still holds the token, `false` once it was removed (it stays in history either way), `null`
/// for what has no path at HEAD to compare (a commit message) and outside history.
#[test]
fn in_head_tells_a_removed_leak_from_one_still_present() {
    let repo = Repo::new();
    let mut rng = Rng::new(301);
    let (removed, kept, in_message) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    repo.commit("old.py", &format!("T = '{removed}'\n"), "add old");
    repo.commit("old.py", "T = None\n", "clean old");
    repo.commit(
        "keep.py",
        &format!("# moved below\nT = '{kept}'\n"),
        "add keep",
    );
    repo.commit(
        "keep.py",
        &format!("# first line\n# moved\nT = '{kept}'\n"),
        &format!("edit keep {in_message}"),
    );
    let (report, code) = repo.scan(&["--history"]);
    assert_eq!(code, 1, "{report}");
    let in_head = |path: &str| {
        findings(&report)
            .iter()
            .find(|f| f["location"]["path"] == path)
            .map(|f| f["in_head"].clone())
            .unwrap_or_else(|| panic!("no finding in {path}: {report}"))
    };
    assert_eq!(in_head("old.py"), false);
    assert_eq!(in_head("keep.py"), true);
    let message = findings(&report)
        .iter()
        .find(|f| f["source"] == "commit-message")
        .expect("the commit message's token");
    assert!(message["in_head"].is_null(), "{message}");

    let output = hf_scan()
        .current_dir(&repo.path)
        .arg("--history")
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(
        out.contains("gone from this file at HEAD, still in history"),
        "{out}"
    );
    assert!(out.contains("still in this file at HEAD"), "{out}");

    let output = hf_scan()
        .current_dir(&repo.path)
        .args(["--history", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let heads: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| &result["properties"]["in_head"])
        .collect();
    assert!(heads.contains(&&Value::Bool(true)), "{sarif}");
    assert!(heads.contains(&&Value::Bool(false)), "{sarif}");

    repo.write("tree.py", &format!("T = '{removed}'\n"));
    let (report, _) = repo.scan(&[]);
    assert!(!findings(&report).is_empty(), "{report}");
    for finding in findings(&report) {
        assert!(finding["in_head"].is_null(), "{finding}");
    }
}

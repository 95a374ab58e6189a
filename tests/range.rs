//! Ranges blame a commit only for what it adds, checked against a reference written here with
//! the git command line on generated histories (merges, conflict resolutions, renames, copies,
//! deletions and re-adds):
//! - a range reports exactly the (commit, path, token) a commit of the range adds: the commit's
//!   blob at the path holds the token, no parent's blob at the path does, and the commit did
//!   not delete a path whose first-parent blob held it (a move);
//! - every full-history finding whose commit lies in the range is reported by the range.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const PATHS: &[&str] = &["a.txt", "b.txt", "dir/c.txt", "dir/d.txt", "e.txt"];

/// (commit, path, token)
type Addition = (String, String, String);

struct History {
    _dir: tempfile::TempDir,
    path: PathBuf,
    tokens: Vec<String>,
    rng: Rng,
    clock: u64,
    filler: u64,
}

impl History {
    fn new(seed: u64) -> Self {
        let dir = temp_dir();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        let mut rng = Rng::new(seed);
        let tokens = (0..3).map(|_| fake_token(&mut rng)).collect();
        let history = History {
            _dir: dir,
            path,
            tokens,
            rng,
            clock: 1_700_000_000,
            filler: 0,
        };
        history.git(&["init", "-q", "-b", "main"]);
        history
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    /// git with a commit date one minute after the last, so the order is the same every run.
    fn git_dated(&mut self, args: &[&str]) -> std::process::Output {
        self.clock += 60;
        let date = format!("{} +0000", self.clock);
        with_test_git_identity(Command::new("git").current_dir(&self.path).args(args))
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.below(items.len() as u64) as usize]
    }

    fn existing(&self) -> Vec<&'static str> {
        PATHS
            .iter()
            .copied()
            .filter(|path| self.path.join(path).is_file())
            .collect()
    }

    fn filler_line(&mut self) -> String {
        self.filler += 1;
        format!("line {}", self.filler)
    }

    /// Some lines, perhaps with a token or two among them.
    fn contents(&mut self) -> String {
        let mut lines = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            lines.push(self.filler_line());
        }
        for _ in 0..self.rng.below(3) {
            let token = self.pick(&self.tokens.clone()).clone();
            lines.push(format!("TOKEN = \"{token}\""));
        }
        lines.join("\n") + "\n"
    }

    /// One random change to the working tree.
    fn change(&mut self) {
        let existing = self.existing();
        let choice = if existing.is_empty() {
            0
        } else {
            self.rng.below(8)
        };
        match choice {
            // Write a file afresh.
            0 | 1 => {
                let path = *self.pick(PATHS);
                let contents = self.contents();
                write(&self.path, path, contents);
            }
            // Another line above: every token moves down, none is added.
            2 => {
                let path = *self.pick(&existing);
                let old = std::fs::read_to_string(self.path.join(path)).unwrap();
                let line = self.filler_line();
                write(&self.path, path, format!("{line}\n{old}"));
            }
            // Delete a file.
            3 => {
                let path = *self.pick(&existing);
                std::fs::remove_file(self.path.join(path)).unwrap();
            }
            // Rename (a move), sometimes with an edit.
            4 => {
                let from = *self.pick(&existing);
                let to = *self.pick(PATHS);
                if from != to {
                    let mut text = std::fs::read_to_string(self.path.join(from)).unwrap();
                    if self.rng.below(2) == 0 {
                        text.push_str(&self.filler_line());
                        text.push('\n');
                    }
                    std::fs::remove_file(self.path.join(from)).unwrap();
                    write(&self.path, to, text);
                }
            }
            // Copy.
            5 => {
                let from = *self.pick(&existing);
                let to = *self.pick(PATHS);
                let text = std::fs::read(self.path.join(from)).unwrap();
                write(&self.path, to, text);
            }
            // Take the tokens out of a file (to be added back later, perhaps).
            6 => {
                let path = *self.pick(&existing);
                let old = std::fs::read_to_string(self.path.join(path)).unwrap();
                let kept: String = old
                    .lines()
                    .filter(|line| !line.contains("TOKEN"))
                    .map(|line| format!("{line}\n"))
                    .collect();
                write(&self.path, path, kept);
            }
            // Delete the directory.
            _ => {
                let _ = std::fs::remove_dir_all(self.path.join("dir"));
            }
        }
    }

    fn commit(&mut self, message: &str) {
        self.change();
        if self.rng.below(3) == 0 {
            self.change();
        }
        self.git(&["add", "-A"]);
        let output = self.git_dated(&["commit", "-q", "--allow-empty", "-m", message]);
        assert!(output.status.success(), "{}", stderr(&output));
    }

    /// Merges `branch` into the current one; a conflict is resolved by a fresh change, and
    /// sometimes a clean merge is amended with one too (an evil merge).
    fn merge(&mut self, branch: &str) {
        let output = self.git_dated(&["merge", "-q", "--no-ff", "--no-edit", branch]);
        if !output.status.success() {
            // Resolve every conflict by keeping ours, then change something on top.
            let _ = self.git_dated(&["checkout", "--ours", "--", "."]);
            self.git(&["add", "-A"]);
            self.change();
            self.git(&["add", "-A"]);
            let output = self.git_dated(&["commit", "-q", "--no-edit"]);
            assert!(output.status.success(), "{}", stderr(&output));
        } else if self.rng.below(3) == 0 {
            self.change();
            self.git(&["add", "-A"]);
            let output = self.git_dated(&["commit", "-q", "--amend", "--no-edit"]);
            assert!(output.status.success(), "{}", stderr(&output));
        }
    }

    /// A history on `main` and `feature` with merges both ways; returns the commit ids.
    fn generate(&mut self, rounds: usize) {
        self.commit("start");
        self.commit("second");
        self.git(&["branch", "feature"]);
        for round in 0..rounds {
            let branch = if self.rng.below(2) == 0 {
                "main"
            } else {
                "feature"
            };
            self.git(&["checkout", "-q", branch]);
            match self.rng.below(6) {
                0 => {
                    let other = if branch == "main" { "feature" } else { "main" };
                    self.merge(other);
                }
                _ => self.commit(&format!("round {round}")),
            }
        }
        self.git(&["checkout", "-q", "main"]);
    }
}

/// The reference: what each commit of `range` adds, from git's own output.
struct Reference<'a> {
    repo: &'a Path,
    tokens: &'a [String],
    trees: HashMap<String, HashMap<String, String>>,
    blobs: HashMap<String, BTreeSet<String>>,
}

impl<'a> Reference<'a> {
    fn tree(&mut self, commit: &str) -> HashMap<String, String> {
        if !self.trees.contains_key(commit) {
            let listing = git(self.repo, &["ls-tree", "-r", commit]);
            let entries = listing
                .lines()
                .map(|line| {
                    let (meta, path) = line.split_once('\t').unwrap();
                    let blob = meta.split_whitespace().nth(2).unwrap().to_string();
                    (path.to_string(), blob)
                })
                .collect();
            self.trees.insert(commit.to_string(), entries);
        }
        self.trees[commit].clone()
    }

    fn tokens_in(&mut self, blob: &str) -> BTreeSet<String> {
        if !self.blobs.contains_key(blob) {
            let text = git(self.repo, &["cat-file", "-p", blob]);
            let held = self
                .tokens
                .iter()
                .filter(|token| text.contains(token.as_str()))
                .cloned()
                .collect();
            self.blobs.insert(blob.to_string(), held);
        }
        self.blobs[blob].clone()
    }

    fn tokens_at(&mut self, commit: &str, path: &str) -> BTreeSet<String> {
        match self.tree(commit).get(path) {
            Some(blob) => self.tokens_in(&blob.clone()),
            None => BTreeSet::new(),
        }
    }

    fn additions(&mut self, range: &[&str]) -> BTreeSet<Addition> {
        let mut args = vec!["rev-list", "--parents"];
        args.extend_from_slice(range);
        let listing = git(self.repo, &args);
        let mut added = BTreeSet::new();
        for line in listing.lines() {
            let mut ids = line.split_whitespace();
            let commit = ids.next().unwrap().to_string();
            let parents: Vec<String> = ids.map(str::to_string).collect();
            let mut moved = BTreeSet::new();
            if let Some(first) = parents.first() {
                let ours = self.tree(&commit);
                for path in self.tree(first).keys() {
                    // A file whose path is now a directory is as gone as a deleted one.
                    if !ours.contains_key(path) {
                        moved.extend(self.tokens_at(first, path));
                    }
                }
            }
            for path in self.tree(&commit).keys() {
                let mut held = BTreeSet::new();
                for parent in &parents {
                    held.extend(self.tokens_at(parent, path));
                }
                for token in self.tokens_at(&commit, path) {
                    if !held.contains(&token) && !moved.contains(&token) {
                        added.insert((commit.clone(), path.clone(), token));
                    }
                }
            }
        }
        added
    }
}

fn scan(repo: &Path, args: &[&str]) -> Value {
    scan_with(repo, args, &[])
}

fn scan_with(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let output = hf_scan()
        .envs(env.iter().copied())
        .args(args)
        .args(["--format", "json", "--show-secrets"])
        .arg(repo)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "hf-scan {args:?}: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn reported(report: &Value) -> BTreeSet<Addition> {
    findings(report)
        .iter()
        .map(|finding| {
            (
                finding["commit"]["id"].as_str().unwrap().to_string(),
                finding["location"]["path"].as_str().unwrap().to_string(),
                finding["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn commits_of(repo: &Path, range: &[&str]) -> HashSet<String> {
    let mut args = vec!["rev-list"];
    args.extend_from_slice(range);
    git(repo, &args).lines().map(str::to_string).collect()
}

#[test]
fn ranges_report_exactly_what_their_commits_add_on_generated_histories() {
    let mut ranges_checked = 0;
    let mut additions_seen = 0;
    let mut readds_seen = 0;
    for seed in 0..6 {
        let mut history = History::new(9_000 + seed);
        history.generate(24);
        let repo = history.path.clone();
        let full = reported(&scan(&repo, &["--history"]));
        let all: Vec<String> = git(&repo, &["rev-list", "--topo-order", "--reverse", "--all"])
            .lines()
            .map(str::to_string)
            .collect();
        let mut reference = Reference {
            repo: &repo,
            tokens: &history.tokens,
            trees: HashMap::new(),
            blobs: HashMap::new(),
        };
        // Tip to tip, both ways, and from several points of the history to each tip.
        let mut ranges: Vec<(String, String)> = vec![
            ("main".into(), "feature".into()),
            ("feature".into(), "main".into()),
        ];
        for step in [1, 3, all.len() / 2, all.len() * 3 / 4] {
            let from = all[step.min(all.len() - 1)].clone();
            ranges.push((from.clone(), "main".into()));
            ranges.push((from, "feature".into()));
        }
        for (from, to) in &ranges {
            let spec = format!("{from}..{to}");
            let report = scan(&repo, &["--range", &spec]);
            let got = reported(&report);
            let expected = reference.additions(&[&spec]);
            assert_eq!(
                got, expected,
                "seed {seed}, --range {spec}: hf-scan (left) against the reference (right)"
            );
            // The full history's findings in the range are all reported by it.
            let inside = commits_of(&repo, &[&spec]);
            for finding in full.iter().filter(|(commit, _, _)| inside.contains(commit)) {
                assert!(
                    got.contains(finding),
                    "seed {seed}, --range {spec}: full-history finding {finding:?} missing"
                );
            }
            let extra = got.difference(&full).count();
            readds_seen += extra;
            additions_seen += got.len();
            ranges_checked += 1;
        }
    }
    // The generator must exercise what the rule is about, or the test proves nothing.
    assert!(ranges_checked >= 50, "{ranges_checked} ranges");
    assert!(additions_seen > 50, "only {additions_seen} additions seen");
    assert!(
        readds_seen > 0,
        "no range reported a copy or re-add beyond the full history"
    );
}

/// The issue's reproduction: a commit that adds a comment above a token already in the file is
/// not blamed for it, in every range mode; a copy and a re-add in the same range are.
#[test]
fn a_commit_that_only_touches_a_file_holding_a_token_is_not_blamed() {
    let history = History::new(77);
    let token = history.tokens[0].clone();
    write(
        &history.path,
        "conf.py",
        format!("a = 1\nb = 2\nTOKEN = \"{token}\"\n"),
    );
    history.git(&["add", "-A"]);
    history.git(&["commit", "-qm", "init"]);
    history.git(&["checkout", "-qb", "feature"]);
    write(
        &history.path,
        "conf.py",
        format!("# comment\na = 1\nb = 2\nTOKEN = \"{token}\"\n"),
    );
    history.git(&["commit", "-qam", "add comment"]);
    let repo = history.path.clone();
    for args in [
        vec!["--range", "main..feature"],
        vec!["--since", "main"],
        vec!["--pre-push"],
    ] {
        let mut env = vec![];
        if args[0] == "--pre-push" {
            // What a push of `feature` adds when the remote has `main`.
            history.git(&["update-ref", "refs/remotes/origin/main", "main"]);
            history.git(&["branch", "-D", "main"]);
            env.push(("PRE_COMMIT_REMOTE_NAME", "origin"));
        }
        let report = scan_with(&repo, &args, &env);
        assert_eq!(findings(&report).len(), 0, "{args:?}: {report}");
    }

    // A copy to a new path adds the token there; deleting it and adding it back adds it again.
    history.git(&["branch", "main", "refs/remotes/origin/main"]);
    std::fs::copy(repo.join("conf.py"), repo.join("copy.py")).unwrap();
    history.git(&["add", "-A"]);
    history.git(&["commit", "-qm", "copy"]);
    let copied = history.git(&["rev-parse", "HEAD"]);
    write(&repo, "conf.py", "a = 1\n");
    history.git(&["commit", "-qam", "remove"]);
    write(&repo, "conf.py", format!("a = 1\nTOKEN = \"{token}\"\n"));
    history.git(&["commit", "-qam", "add back"]);
    let readded = history.git(&["rev-parse", "HEAD"]);
    let got = reported(&scan(&repo, &["--range", "main..feature"]));
    let expected: BTreeSet<Addition> = [
        (copied, "copy.py".to_string(), token.clone()),
        (readded, "conf.py".to_string(), token),
    ]
    .into();
    assert_eq!(got, expected);
}

/// A Git LFS pointer added in a range is named in a notice: its content is not in git, so a
/// clean range does not look clean without saying why.
#[test]
fn lfs_pointers_added_in_a_range_are_named() {
    let history = History::new(78);
    write(&history.path, "README.md", "# demo\n");
    history.git(&["add", "-A"]);
    history.git(&["commit", "-qm", "init"]);
    write(
        &history.path,
        "model.safetensors",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    history.git(&["add", "-A"]);
    history.git(&["commit", "-qm", "weights"]);
    let report = scan(&history.path, &["--range", "HEAD~1..HEAD"]);
    let notices = report["stats"]["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|n| {
            let n = n.as_str().unwrap();
            n.contains("model.safetensors") && n.contains("LFS")
        }),
        "{notices:?}"
    );
    assert_eq!(findings(&report).len(), 0);
}

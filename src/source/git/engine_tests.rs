//! The history engine checked against the one it replaced, and the pack reader against
//! libgit2, on a generated repository shaped like a GitHub mirror: merges (some that change
//! what they merge, one octopus), renames and copies of files and whole directories,
//! deletions, an orphan branch with an annotated tag, and thousands of pull-request refs.
//!
//! The first engine compared each commit with its first parent through libgit2's trees and
//! then looked every differing path up in the other parents; `reference_introduced` is that
//! algorithm, kept here. Phases 3 to 5 of the scan (first appearance, scanning, one finding per
//! leak) did not change, so equal (path, blob) lists for every commit, in the same order, mean
//! equal findings.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use super::first_parent::first_parent_diff;
use super::lineage::read_plan;
use super::missing::Missing;
use super::pack::{Kind, PackReader, Packs};
use super::trees::{self, TreeReader};
use super::walk::walk;
use super::CommitRange;
use crate::collector::EventSink;
use crate::project::ProjectConfig;
use crate::testing::{fake_token, Rng};

/// Runs git in `dir` with no global or system config; fails the test if git fails.
pub(super) fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `git fast-import` on `stream` in the repository at `dir`.
fn fast_import(dir: &Path, stream: &[u8]) {
    let mut import = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(import.stdin.as_mut().unwrap(), stream).unwrap();
    drop(import.stdin.take());
    assert!(import.wait().unwrap().success());
}

/// A `git fast-import` stream under construction.
struct History {
    stream: Vec<u8>,
    marks: usize,
    time: u64,
    commits: Vec<usize>,
}

enum Change<'a> {
    Write(&'a str, usize),
    Delete(&'a str),
    Rename(&'a str, &'a str),
    Copy(&'a str, &'a str),
}

impl History {
    fn new() -> Self {
        Self {
            stream: Vec::new(),
            marks: 0,
            time: 1_700_000_000,
            commits: Vec::new(),
        }
    }

    fn mark(&mut self) -> usize {
        self.marks += 1;
        self.marks
    }

    fn blob(&mut self, content: &str) -> usize {
        let mark = self.mark();
        self.stream
            .extend(format!("blob\nmark :{mark}\ndata {}\n{content}\n", content.len()).as_bytes());
        mark
    }

    fn commit(
        &mut self,
        branch: &str,
        parents: &[usize],
        changes: &[Change],
        message: &str,
    ) -> usize {
        let mark = self.mark();
        self.time += 60;
        let mut text = format!(
            "commit {branch}\nmark :{mark}\ncommitter T <t@example.com> {} +0000\ndata {}\n{message}\n",
            self.time,
            message.len()
        );
        for (index, parent) in parents.iter().enumerate() {
            text += &format!("{} :{parent}\n", if index == 0 { "from" } else { "merge" });
        }
        for change in changes {
            text += &match change {
                Change::Write(path, blob) => format!("M 100644 :{blob} {path}\n"),
                Change::Delete(path) => format!("D {path}\n"),
                Change::Rename(from, to) => format!("R {from} {to}\n"),
                Change::Copy(from, to) => format!("C {from} {to}\n"),
            };
        }
        self.stream.extend((text + "\n").as_bytes());
        self.commits.push(mark);
        mark
    }

    fn reset(&mut self, reference: &str, mark: usize) {
        self.stream
            .extend(format!("reset {reference}\nfrom :{mark}\n\n").as_bytes());
    }
}

/// Builds the repository (bare) and packs it with git's own delta compression.
fn generated_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
    let mut rng = Rng::new(2026);
    let mut history = History::new();
    let content = |rng: &mut Rng, path: &str| {
        let mut text: String = (0..40)
            .map(|line| format!("{path} line {line} {}\n", rng.below(1000)))
            .collect();
        if rng.below(5) == 0 {
            text += &format!("HF_TOKEN = \"{}\"\n", fake_token(rng));
        }
        text
    };
    // main: 30 files in 6 directories.
    let mut files: Vec<String> = (0..30).map(|i| format!("dir{}/f{i}.txt", i % 6)).collect();
    let blobs: Vec<usize> = files
        .iter()
        .map(|path| {
            let text = content(&mut rng, path);
            history.blob(&text)
        })
        .collect();
    let writes: Vec<Change> = files
        .iter()
        .zip(&blobs)
        .map(|(path, &blob)| Change::Write(path, blob))
        .collect();
    let mut tip = history.commit("refs/heads/main", &[], &writes, "root");
    let mut renamed_dirs = 0;
    for step in 0..240usize {
        let pick = rng.below(files.len() as u64) as usize;
        let path = files[pick].clone();
        match step % 12 {
            7 => {
                let new = format!("dir{}/new{step}.txt", step % 6);
                let blob = history.blob(&content(&mut rng, &new));
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Write(&new, blob)],
                    "add",
                );
                files.push(new);
            }
            8 if files.len() > 12 => {
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Delete(&path)],
                    "delete",
                );
                files.remove(pick);
            }
            9 => {
                let new = format!("{path}.moved");
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Rename(&path, &new)],
                    "rename",
                );
                files[pick] = new;
            }
            10 => {
                let new = format!("{path}.copy");
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Copy(&path, &new)],
                    "copy",
                );
                files.push(new);
            }
            11 => {
                // A whole directory moves.
                let from = path.split('/').next().unwrap().to_string();
                renamed_dirs += 1;
                let to = format!("moved{renamed_dirs}");
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Rename(&from, &to)],
                    "move dir",
                );
                for file in &mut files {
                    if let Some(rest) = file.strip_prefix(&format!("{from}/")) {
                        *file = format!("{to}/{rest}");
                    }
                }
            }
            _ => {
                let blob = history.blob(&content(&mut rng, &path));
                tip = history.commit(
                    "refs/heads/main",
                    &[tip],
                    &[Change::Write(&path, blob)],
                    "edit",
                );
            }
        }
        if step % 20 == 19 {
            // A topic branch of three commits, merged back; every other merge also edits a
            // file of its own (a conflict resolution); the 6th merges two branches at once.
            let branches = if step == 119 { 2 } else { 1 };
            let mut heads = Vec::new();
            let mut merged: Vec<(String, usize)> = Vec::new();
            for branch in 0..branches {
                let name = format!("refs/heads/topic{step}-{branch}");
                let mut head = tip;
                for _ in 0..3 {
                    let path = files[rng.below(files.len() as u64) as usize].clone();
                    let blob = history.blob(&content(&mut rng, &path));
                    head = history.commit(&name, &[head], &[Change::Write(&path, blob)], "topic");
                    merged.push((path, blob));
                }
                heads.push(head);
            }
            let mut changes: Vec<Change> = merged
                .iter()
                .map(|(path, blob)| Change::Write(path, *blob))
                .collect();
            let resolved_path = files[pick % files.len()].clone();
            if step % 40 == 19 {
                let resolution = history.blob(&content(&mut rng, &resolved_path));
                changes.push(Change::Write(&resolved_path, resolution));
            }
            let parents: Vec<usize> = std::iter::once(tip).chain(heads).collect();
            tip = history.commit("refs/heads/main", &parents, &changes, "merge");
        }
    }
    // An orphan branch with an annotated tag.
    let mut orphan = None;
    for step in 0..4 {
        let blob = history.blob(&content(&mut rng, "orphan.txt"));
        let parents: Vec<usize> = orphan.into_iter().collect();
        orphan = Some(history.commit(
            "refs/heads/orphan",
            &parents,
            &[Change::Write("orphan.txt", blob)],
            &format!("orphan {step}"),
        ));
    }
    history.stream.extend(
        format!(
            "tag orphan-v1\nfrom :{}\ntagger T <t@example.com> 1700000000 +0000\ndata 7\nrelease\n",
            orphan.unwrap()
        )
        .as_bytes(),
    );
    // Thousands of pull-request refs at commits all over the history.
    let commits = history.commits.clone();
    for pull in 0..3000 {
        let at = commits[rng.below(commits.len() as u64) as usize];
        history.reset(&format!("refs/pull/{pull}/head"), at);
    }
    fast_import(dir.path(), &history.stream);
    git(
        dir.path(),
        &[
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
            "--depth=50",
            "--window=10",
        ],
    );
    dir
}

/// What the first engine said a commit introduces: the first-parent diff, then each path
/// looked up in the other parents.
fn reference_introduced(
    repo: &Repository,
    oid: Oid,
    project: &ProjectConfig,
) -> Vec<(String, Oid)> {
    let commit = repo.find_commit(oid).unwrap();
    let parents: Vec<_> = commit
        .parents()
        .map(|parent| parent.tree().unwrap())
        .collect();
    let (mut introduced, _) = first_parent_diff(repo, &commit, project);
    if parents.len() > 1 {
        introduced.retain(|(path, oid)| {
            parents[1..].iter().all(|parent| {
                parent
                    .get_path(Path::new(path))
                    .map_or(true, |entry| entry.id() != *oid)
            })
        });
    }
    introduced
}

#[test]
fn the_new_engine_introduces_what_the_first_one_did_on_every_commit() {
    let dir = generated_repository();
    let repo = super::open(dir.path()).unwrap();
    assert!(repo.references().unwrap().count() > 3000);
    let (sender, _receiver) = std::sync::mpsc::channel();
    let packs = Packs::load(&repo.commondir().join("objects"));
    let walker = super::open(dir.path()).unwrap();
    let commits = walk(
        walker,
        &CommitRange::All,
        &mut EventSink::new(&sender),
        None,
    )
    .unwrap()
    .commits;
    assert!(commits.len() >= 290, "{}", commits.len());
    let mut reader = PackReader::new(&packs, 8 << 20);
    let odb = repo.odb().unwrap();
    let project = ProjectConfig::empty();
    let (mut merges, mut introduced_total) = (0, 0);
    for &oid in &commits {
        let commit = repo.find_commit(oid).unwrap();
        let parent_trees: Vec<Oid> = commit.parents().map(|parent| parent.tree_id()).collect();
        merges += usize::from(parent_trees.len() > 1);
        let mut missing = Missing::default();
        let found = trees::introduced_blobs(
            &mut TreeReader {
                packs: &mut reader,
                odb: &odb,
            },
            commit.tree_id(),
            &parent_trees,
            &project,
            &mut missing,
        );
        assert_eq!(missing.count, 0);
        let expected = reference_introduced(&repo, oid, &project);
        assert_eq!(found.blobs, expected, "commit {oid}");
        introduced_total += expected.len();
    }
    assert!(merges >= 12, "{merges} merges");
    assert!(introduced_total > 300, "{introduced_total}");
}

/// A history whose commit times go every way (ties, children older than their parents, as
/// rebases and skewed clocks leave them), merges of up to three parents, several roots, refs
/// all over it, annotated tags (of commits, of a tag, of a tree, of a blob), and a tag and two
/// commits left loose: hf-scan's walk gives libgit2's order, commit for commit, and each
/// commit's tree and parents.
#[test]
fn the_packed_walk_gives_libgit2s_order() {
    for seed in [1, 2, 3] {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
        let mut rng = Rng::new(seed);
        let mut history = History::new();
        let blob = history.blob("x");
        let mut marks: Vec<usize> = Vec::new();
        for step in 0..300 {
            history.time = 1_700_000_000 + rng.below(40) * 60;
            let mut parents: Vec<usize> = Vec::new();
            if !marks.is_empty() && rng.below(30) != 0 {
                for _ in 0..1 + rng.below(3) {
                    let parent = marks[rng.below(marks.len() as u64) as usize];
                    if !parents.contains(&parent) {
                        parents.push(parent);
                    }
                }
            }
            let branch = if parents.is_empty() {
                format!("refs/heads/root{step}")
            } else {
                format!("refs/heads/b{}", step % 7)
            };
            let path = format!("f{}", step % 5);
            marks.push(history.commit(&branch, &parents, &[Change::Write(&path, blob)], "c"));
        }
        for pull in 0..200 {
            let at = marks[rng.below(marks.len() as u64) as usize];
            history.reset(&format!("refs/pull/{pull}/head"), at);
        }
        fast_import(dir.path(), &history.stream);
        // Annotated tags: of a commit, of that tag, of a tree and of a blob (no history).
        let tagger = ["-c", "user.name=t", "-c", "user.email=t@example.com"];
        let tag = |name: &str, target: &str| {
            let args = [&tagger[..], &["tag", "-a", "-m", name, name, target]].concat();
            git(dir.path(), &args);
        };
        tag("v1", "refs/heads/b5");
        tag("v1-again", "v1");
        tag("a-tree", "refs/heads/b2^{tree}");
        tag("a-blob", "refs/heads/b2:f1");
        git(dir.path(), &["repack", "-q", "-a", "-d"]);
        tag("loose-tag", "refs/heads/b4~3");
        // Two commits outside the packs: the walk reads them through libgit2.
        git(dir.path(), &["symbolic-ref", "HEAD", "refs/heads/b3"]);
        let tree = git(dir.path(), &["rev-parse", "HEAD^{tree}"]);
        let mut parent = git(dir.path(), &["rev-parse", "refs/heads/b3"]);
        for _ in 0..2 {
            parent = git(
                dir.path(),
                &[
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@example.com",
                    "commit-tree",
                    tree.trim(),
                    "-p",
                    parent.trim(),
                    "-m",
                    "loose",
                ],
            );
        }
        git(
            dir.path(),
            &["update-ref", "refs/heads/loose", parent.trim()],
        );

        let repo = super::open(dir.path()).unwrap();
        let packs = Packs::load(&repo.commondir().join("objects"));
        let (sender, _receiver) = std::sync::mpsc::channel();
        let mut sink = EventSink::new(&sender);
        let matcher = crate::detect::matcher::Matcher::builtin();
        let project = ProjectConfig::empty();
        let progress = crate::progress::Progress::new(false, None);
        let members = crate::content::MemberCache::new();
        let context = crate::source::ScanContext {
            matcher: &matcher,
            project: &project,
            content: crate::content::ContentOptions::default(),
            threads: 3,
            progress: &progress,
            verbose: false,
            members: &members,
        };
        for range in [
            CommitRange::All,
            CommitRange::Refs(vec!["refs/pull/*".into(), "HEAD".into()]),
        ] {
            let walker = super::open(dir.path()).unwrap();
            let libgit2 = walk(walker, &range, &mut sink, None).unwrap();
            let walker = super::open(dir.path()).unwrap();
            let own = walk(walker, &range, &mut sink, Some((&packs, &context))).unwrap();
            assert!(libgit2.read.commits.is_empty());
            assert!(libgit2.commits.len() > 100, "{}", libgit2.commits.len());
            assert_eq!(own.commits, libgit2.commits, "seed {seed}, {range:?}");
            assert_eq!(own.read.commits.len(), own.commits.len());
            for oid in &own.commits {
                let commit = repo.find_commit(*oid).unwrap();
                let (_, walked) = own.read.get(*oid).unwrap();
                assert_eq!(walked.tree, commit.tree_id());
                let parents = walked.parents.iter();
                let parents: Vec<Oid> =
                    parents.map(|&p| own.read.commits[p as usize].oid).collect();
                assert_eq!(parents, commit.parent_ids().collect::<Vec<_>>());
            }
        }
        let names = [
            "v1",
            "v1-again",
            "a-tree",
            "a-blob",
            "loose-tag",
            "refs/heads/b6",
        ];
        let targets: Vec<Oid> = names
            .iter()
            .map(|name| Oid::from_str(git(dir.path(), &["rev-parse", name]).trim()).unwrap())
            .collect();
        let commit_of = |name: &str| {
            let hex = git(dir.path(), &["rev-parse", &format!("{name}^{{commit}}")]);
            Some(Oid::from_str(hex.trim()).unwrap())
        };
        assert_eq!(
            super::packed_walk::peel_to_commits(dir.path(), &packs, &targets, 2),
            [
                commit_of("v1"),
                commit_of("v1"),
                None,
                None,
                commit_of("loose-tag"),
                commit_of("refs/heads/b6")
            ]
        );
    }
}

#[test]
fn the_pack_reader_reads_every_object_as_libgit2_does_with_either_kind_of_delta() {
    let dir = generated_repository();
    let listing = git(
        dir.path(),
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype)",
        ],
    );
    for delta_base_offset in [true, false] {
        repack(dir.path(), delta_base_offset, &[]);
        let repo = Repository::open(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        let packs = Packs::load(&repo.commondir().join("objects"));
        // A small cache, so chains are also resolved from their base.
        let mut reader = PackReader::new(&packs, 64 << 10);
        let mut kinds: HashMap<&str, usize> = HashMap::new();
        for line in listing.lines() {
            let (id, kind) = line.split_once(' ').unwrap();
            let kind_of = match kind {
                "commit" => Kind::Commit,
                "tree" => Kind::Tree,
                "blob" => Kind::Blob,
                _ => Kind::Tag,
            };
            let oid = Oid::from_str(id).unwrap();
            let read = reader
                .read(oid, kind_of)
                .unwrap_or_else(|| panic!("{kind} {id} unread ({delta_base_offset})"));
            assert_eq!(*read, odb.read(oid).unwrap().data(), "{kind} {id}");
            *kinds.entry(kind).or_default() += 1;
            // Asked for the wrong kind, it declines.
            let wrong = if kind_of == Kind::Blob {
                Kind::Tree
            } else {
                Kind::Blob
            };
            assert!(reader.read(oid, wrong).is_none());
        }
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }
}

/// A large blob in many versions, packed as one long delta chain: read in pack order, each
/// version costs about one delta (the last version read is the next one's base), not the
/// chain from its start again (objects over an eighth of the cache were never kept: 400
/// versions of a 4 MiB file took 25 s where `git cat-file` takes 0.6 s).
#[test]
fn a_long_delta_chain_on_a_large_blob_costs_one_delta_per_version() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
    let mut rng = Rng::new(2118);
    let mut lines: Vec<String> = (0..(2 << 20) / 64)
        .map(|i| format!("{i:08} {:055}\n", rng.below(1_000_000)))
        .collect();
    let mut history = History::new();
    let versions = 60;
    let mut parent = Vec::new();
    for version in 0..versions {
        let at = rng.below(lines.len() as u64) as usize;
        lines[at] = format!("{version:08} changed\n");
        let blob = history.blob(&lines.concat());
        let commit = history.commit(
            "refs/heads/main",
            &parent,
            &[Change::Write("big.txt", blob)],
            "v",
        );
        parent = vec![commit];
    }
    fast_import(dir.path(), &history.stream);
    git(
        dir.path(),
        &[
            "repack",
            "-q",
            "-a",
            "-d",
            "-f",
            "--depth=4000",
            "--window=10",
        ],
    );
    let repo = Repository::open(dir.path()).unwrap();
    let packs = Packs::load(&repo.commondir().join("objects"));
    let listing = git(
        dir.path(),
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype)",
        ],
    );
    let mut blobs: Vec<_> = listing
        .lines()
        .filter_map(|line| line.strip_suffix(" blob"))
        .map(|id| {
            let oid = Oid::from_str(id).unwrap();
            (packs.locate(oid).unwrap(), oid)
        })
        .collect();
    assert_eq!(blobs.len(), versions);
    blobs.sort();
    // One worker's share of the cache with 6 workers: the blob is a quarter of it.
    let mut reader = PackReader::new(&packs, 8 << 20);
    for (_, oid) in &blobs {
        assert!(reader.read(*oid, Kind::Blob).is_some());
    }
    assert!(
        reader.deltas_applied <= 2 * versions as u64,
        "{} deltas applied for {versions} versions",
        reader.deltas_applied
    );
}

/// Read in the order `lineage.rs` plans, every blob costs one delta, with a cache that holds
/// a family but not the bases of forty interleaved ones (read in pack order, the same reader
/// resolves chains again); the plan lists each blob once, and a blob and its delta base are in
/// the same block, so two workers never resolve one family.
#[test]
fn blobs_read_by_delta_family_cost_one_delta_each() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
    let mut rng = Rng::new(77);
    // 40 files of about 3 KB, edited one line at a time in turn: in pack order their versions
    // interleave, so a delta's base was read some forty objects earlier.
    let mut files: Vec<Vec<String>> = (0..40)
        .map(|file| {
            (0..48)
                .map(|line| {
                    let words: String = (0..4)
                        .map(|_| format!("{:016x}", rng.below(1 << 62)))
                        .collect();
                    format!("{file}:{line}:{words}\n")
                })
                .collect()
        })
        .collect();
    let mut history = History::new();
    let mut parent = Vec::new();
    for version in 0..15 {
        let mut writes = Vec::new();
        let names: Vec<String> = (0..files.len())
            .map(|file| format!("f{file}.txt"))
            .collect();
        for (file, lines) in files.iter_mut().enumerate() {
            let at = rng.below(lines.len() as u64) as usize;
            lines[at] = format!("version {version} {:016x}\n", rng.below(1 << 62));
            writes.push((file, history.blob(&lines.concat())));
        }
        let changes: Vec<Change> = writes
            .iter()
            .map(|&(file, blob)| Change::Write(&names[file], blob))
            .collect();
        let commit = history.commit("refs/heads/main", &parent, &changes, "v");
        parent = vec![commit];
    }
    fast_import(dir.path(), &history.stream);
    for delta_base_offset in [true, false] {
        repack(
            dir.path(),
            delta_base_offset,
            &["--depth=50", "--window=50"],
        );
        read_by_family(dir.path());
    }
}

/// Repacks everything from scratch; without `delta_base_offset`, deltas name their base by id
/// instead of by offset.
fn repack(dir: &Path, delta_base_offset: bool, options: &[&str]) {
    let setting = format!("repack.useDeltaBaseOffset={delta_base_offset}");
    let mut args = vec!["-c", &setting, "repack", "-q", "-a", "-d", "-f"];
    args.extend(options);
    git(dir, &args);
}

fn read_by_family(dir: &Path) {
    let repo = Repository::open(dir).unwrap();
    let odb = repo.odb().unwrap();
    let packs = Packs::load(&repo.commondir().join("objects"));
    let listing = git(
        dir,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype) %(deltabase)",
        ],
    );
    let mut blobs = Vec::new();
    let mut base_of = HashMap::new();
    for line in listing.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields[1] == "blob" {
            let oid = Oid::from_str(fields[0]).unwrap();
            let base = Oid::from_str(fields[2]).unwrap();
            if !base.is_zero() {
                base_of.insert(oid, base);
            }
            blobs.push(oid);
        }
    }
    assert_eq!(blobs.len(), 600);
    assert!(base_of.len() > 500, "{} blob deltas", base_of.len());
    let positions: Vec<_> = blobs.iter().map(|&oid| packs.position(oid)).collect();
    let plan = read_plan(&mut PackReader::new(&packs, 0), &positions, 16);

    let mut listed = plan.order.clone();
    listed.sort_unstable();
    assert_eq!(listed, (0..blobs.len()).collect::<Vec<_>>());
    let mut block_of = vec![usize::MAX; blobs.len()];
    let mut covered = 0;
    for (number, block) in plan.blocks.iter().enumerate() {
        assert_eq!(block.start, covered, "blocks follow each other");
        covered = block.end;
        for &job in &plan.order[block.clone()] {
            block_of[job] = number;
        }
    }
    assert_eq!(covered, blobs.len());
    assert!(
        plan.blocks.len() > 2,
        "{} blocks: {:?}, {} deltas",
        plan.blocks.len(),
        plan.blocks,
        base_of.len()
    );
    let job_of: HashMap<Oid, usize> = blobs
        .iter()
        .enumerate()
        .map(|(job, &oid)| (oid, job))
        .collect();
    for (oid, base) in &base_of {
        assert_eq!(
            block_of[job_of[oid]], block_of[job_of[base]],
            "{oid} and its base {base}"
        );
    }

    let read_all = |order: &[usize]| {
        let mut reader = PackReader::new(&packs, 96 << 10);
        for &job in order {
            let read = reader.read(blobs[job], Kind::Blob).unwrap();
            assert_eq!(*read, odb.read(blobs[job]).unwrap().data());
        }
        reader.deltas_applied
    };
    assert_eq!(read_all(&plan.order), base_of.len() as u64);
    let mut pack_order: Vec<usize> = (0..blobs.len()).collect();
    pack_order.sort_by_key(|&job| positions[job]);
    let in_pack_order = read_all(&pack_order);
    assert!(
        in_pack_order > base_of.len() as u64 * 3 / 2,
        "{in_pack_order} deltas in pack order for {}",
        base_of.len()
    );

    // Every third blob only: the bases that are no job are planned too, each job read once.
    let some: Vec<usize> = (0..blobs.len()).step_by(3).collect();
    let some_positions: Vec<_> = some.iter().map(|&job| positions[job]).collect();
    let plan = read_plan(&mut PackReader::new(&packs, 0), &some_positions, 16);
    let mut listed = plan.order.clone();
    listed.sort_unstable();
    assert_eq!(listed, (0..some.len()).collect::<Vec<_>>());
    assert_eq!(plan.blocks.last().unwrap().end, some.len());
    let chosen: Vec<usize> = plan.order.iter().map(|&index| some[index]).collect();
    read_all(&chosen);
}

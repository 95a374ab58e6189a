//! The walk's decisions against the `ignore` crate's own walker, on generated trees: ignore
//! files at every depth (with `!` patterns, directory-only patterns, anchored ones), `.ignore`
//! beside `.gitignore`, `info/exclude` of the repository and of a nested one, rules above the
//! walked root, and links (to files, to directories, back to a directory above).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use super::*;
use crate::testing::Rng;

const NAMES: &[&str] = &[
    "a", "b", "sub", "build", "logs", "keep.py", "c.py", "d.txt", "x.pyc", ".env", "deep",
];
const PATTERNS: &[&str] = &[
    "*.pyc",
    "build/",
    "/a",
    "!keep.py",
    "sub/*.txt",
    "logs",
    "*.txt",
    "!d.txt",
    "b/",
    "**/c.py",
    ".env",
    "!.env",
    "/sub/",
    "a/**",
    "*",
    "!*/",
    "!sub",
    "d.*",
    "[ab]",
    "sub/",
    "deep/b",
    "# a comment",
    "",
    "!/build",
    "*.py",
    "/*/x.pyc",
];

#[derive(Default)]
struct Seen {
    admitted: BTreeSet<String>,
    ignored: BTreeSet<String>,
    scanned: BTreeSet<String>,
    warnings: Vec<String>,
}

struct Recorder<'a>(&'a Mutex<Seen>);

fn shown(relative: &str, is_dir: bool) -> String {
    format!("{relative}{}", if is_dir { "/" } else { "" })
}

impl Visitor for Recorder<'_> {
    fn admit(&mut self, entry: &Entry) -> bool {
        let mut seen = self.0.lock().unwrap();
        seen.admitted
            .insert(shown(entry.relative, entry.kind == Kind::Dir));
        true
    }
    fn file(&mut self, path: &Path, relative: String) {
        assert!(path.is_file(), "{}", path.display());
        self.0.lock().unwrap().scanned.insert(relative);
    }
    fn ignored(&mut self, relative: String, is_dir: bool) {
        self.0
            .lock()
            .unwrap()
            .ignored
            .insert(shown(&relative, is_dir));
    }
    fn warning(&mut self, message: String) {
        self.0.lock().unwrap().warnings.push(message);
    }
}

fn ours(root: &Path, follow: bool, threads: usize) -> Seen {
    let seen = Mutex::new(Seen::default());
    let rules = WalkRules {
        ignore_files: true,
        follow,
        threads,
    };
    walk(root, rules, || Recorder(&seen));
    seen.into_inner().unwrap()
}

/// What the `ignore` crate's walker hands over below `root`, configured as hf-scan used it.
fn theirs(root: &Path, follow: bool) -> BTreeSet<String> {
    let mut handed = BTreeSet::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(follow)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        if entry.depth() == 0 {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        handed.insert(shown(&relative.to_string_lossy(), is_dir));
    }
    handed
}

fn write_rules(rng: &mut Rng, file: &Path, most: u64) {
    let lines: Vec<&str> = (0..1 + rng.below(most))
        .map(|_| PATTERNS[rng.below(PATTERNS.len() as u64) as usize])
        .collect();
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
}

fn generate(rng: &mut Rng, dir: &Path, depth: u32) {
    for _ in 0..1 + rng.below(5) {
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        if depth < 3 && rng.below(3) == 0 {
            std::fs::create_dir(&path).unwrap();
            generate(rng, &path, depth + 1);
        } else {
            std::fs::write(&path, "x\n").unwrap();
        }
    }
    if rng.below(2) == 0 {
        write_rules(rng, &dir.join(".gitignore"), 4);
    }
    if rng.below(6) == 0 {
        write_rules(rng, &dir.join(".ignore"), 2);
    }
    // A nested repository with its own exclude file.
    if depth > 0 && rng.below(8) == 0 {
        std::fs::create_dir_all(dir.join(".git/info")).unwrap();
        write_rules(rng, &dir.join(".git/info/exclude"), 2);
    }
    // Links stay inside the generated tree: one up from depth 1, two up from depth 2.
    if rng.below(10) == 0 {
        let target = ["..", "a", "sub", "keep.py", "../..", "missing"][rng.below(6) as usize];
        let ups = target.matches("..").count() as u32;
        if ups <= depth {
            let _ = std::os::unix::fs::symlink(target, dir.join(format!("link{depth}")));
        }
    }
}

/// `path` (absolute) as `./../../…` from the current directory.
fn relative_to_current_dir(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let mut relative = PathBuf::from(".");
    for _ in cwd.components().skip(1) {
        relative.push("..");
    }
    relative.join(path.strip_prefix("/").unwrap())
}

#[test]
fn the_walk_hides_what_the_ignore_crates_walker_hides() {
    let mut rng = Rng::new(25);
    let mut hidden_somewhere = 0;
    for round in 0..300 {
        let top = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(top.path().join(".git/info")).unwrap();
        if rng.below(2) == 0 {
            write_rules(&mut rng, &top.path().join(".git/info/exclude"), 2);
        }
        generate(&mut rng, top.path(), 0);
        // Some walks start below the top, where the top's rules still apply.
        let inner = top.path().join("deep");
        let root = if round % 3 == 0 {
            if !inner.is_dir() {
                let _ = std::fs::remove_file(&inner);
                std::fs::create_dir(&inner).unwrap();
                generate(&mut rng, &inner, 1);
            }
            inner
        } else {
            top.path().to_path_buf()
        };
        // Half the walks are given a relative root, `./` first, as `hf-scan .` gives one.
        let root = if round % 2 == 1 {
            relative_to_current_dir(&root)
        } else {
            root
        };
        for follow in [false, true] {
            let expected = theirs(&root, follow);
            for threads in [1, 2, 3] {
                let seen = ours(&root, follow, threads);
                assert_eq!(
                    seen.admitted,
                    expected,
                    "round {round}, follow {follow}, {threads} threads, {}",
                    root.display()
                );
                // Everything listed in a directory entered is either handed over or hidden.
                let mut listed = BTreeSet::new();
                let entered = seen.admitted.iter().filter(|p| p.ends_with('/'));
                for dir in entered.map(|d| d.trim_end_matches('/')).chain(["."]) {
                    for child in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                        let name = child.file_name().to_string_lossy().into_owned();
                        if name == ".git" {
                            continue;
                        }
                        let relative = match dir {
                            "." => name,
                            dir => format!("{dir}/{name}"),
                        };
                        let meta = if follow {
                            child.path().metadata()
                        } else {
                            child.path().symlink_metadata()
                        };
                        let is_dir = meta.is_ok_and(|m| m.is_dir());
                        listed.insert(shown(&relative, is_dir));
                    }
                }
                let handed_or_hidden: BTreeSet<String> =
                    seen.admitted.union(&seen.ignored).cloned().collect();
                // Links that fail or loop are neither; they are all that may differ.
                let unaccounted: Vec<&String> = listed.difference(&handed_or_hidden).collect();
                assert!(
                    unaccounted.iter().all(|p| p.contains("link")),
                    "round {round}: {unaccounted:?}"
                );
                assert!(seen.ignored.is_disjoint(&seen.admitted));
                let files: BTreeSet<String> = seen
                    .admitted
                    .iter()
                    .filter(|p| !p.ends_with('/') && root.join(p).is_file())
                    .filter(|p| follow || !root.join(p).is_symlink())
                    .cloned()
                    .collect();
                assert_eq!(seen.scanned, files, "round {round}");
                hidden_somewhere += usize::from(!seen.ignored.is_empty());
            }
        }
    }
    // The generated trees did exercise the rules.
    assert!(hidden_somewhere > 500, "{hidden_somewhere}");
}

#[test]
fn an_unreadable_directory_is_a_warning_and_the_rest_is_walked() {
    use std::os::unix::fs::PermissionsExt;
    let top = tempfile::tempdir().unwrap();
    std::fs::create_dir(top.path().join("locked")).unwrap();
    std::fs::write(top.path().join("locked/a"), "x").unwrap();
    std::fs::write(top.path().join("open"), "x").unwrap();
    std::fs::set_permissions(top.path().join("locked"), PermissionsExt::from_mode(0o000)).unwrap();
    // As root, permissions do not stop a read: the directory is then walked.
    let readable = std::fs::read_dir(top.path().join("locked")).is_ok();
    let seen = ours(top.path(), false, 2);
    std::fs::set_permissions(top.path().join("locked"), PermissionsExt::from_mode(0o755)).unwrap();
    assert!(seen.scanned.contains("open"));
    if readable {
        assert!(seen.scanned.contains("locked/a"));
    } else {
        assert_eq!(seen.warnings.len(), 1, "{:?}", seen.warnings);
        assert!(seen.warnings[0].contains("locked"), "{:?}", seen.warnings);
    }
}

#[test]
fn a_linked_work_trees_exclude_file_is_read_from_the_common_directory() {
    let top = tempfile::tempdir().unwrap();
    let common = top.path().join("main.git");
    std::fs::create_dir_all(common.join("info")).unwrap();
    std::fs::create_dir_all(common.join("worktrees/wt")).unwrap();
    std::fs::write(common.join("info/exclude"), "secret.env\n").unwrap();
    std::fs::write(common.join("worktrees/wt/commondir"), "../..\n").unwrap();
    let tree = top.path().join("wt");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(
        tree.join(".git"),
        format!("gitdir: {}\n", common.join("worktrees/wt").display()),
    )
    .unwrap();
    std::fs::write(tree.join("secret.env"), "x").unwrap();
    std::fs::write(tree.join("kept.py"), "x").unwrap();
    let seen = ours(&tree, false, 2);
    assert_eq!(seen.ignored, BTreeSet::from(["secret.env".to_string()]));
    assert_eq!(seen.scanned, BTreeSet::from(["kept.py".to_string()]));
}

/// Ignore files a hostile tree plants so that reading them never ends: a `.gitignore` that is
/// a FIFO, one linking to `/dev/zero`, an `.ignore` linking to a FIFO, a `.git` file whose
/// git directory's `commondir` is a FIFO. None is read (git reads none of them either): their
/// rules do not apply, so more is scanned, never less.
#[test]
fn ignore_files_that_never_end_are_not_read() {
    let top = tempfile::tempdir().unwrap();
    let at = |path: &str| top.path().join(path);
    let fifo = |path: &Path| {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.unwrap().success(), "mkfifo {}", path.display());
    };
    for dir in ["a", "b", "c", "d/gd", "e"] {
        std::fs::create_dir_all(at(dir)).unwrap();
    }
    for dir in ["a", "b", "c", "d", "e"] {
        std::fs::write(at(dir).join("x.log"), "x").unwrap();
    }
    fifo(&at("fifo"));
    fifo(&at("a/.gitignore"));
    std::os::unix::fs::symlink("/dev/zero", at("b/.gitignore")).unwrap();
    std::os::unix::fs::symlink("../fifo", at("c/.ignore")).unwrap();
    std::fs::write(at("d/.git"), "gitdir: gd\n").unwrap();
    std::fs::write(at("d/gd/HEAD"), "ref: refs/heads/main\n").unwrap();
    fifo(&at("d/gd/commondir"));
    // The control: a readable ignore file hides its directory's log.
    std::fs::write(at("e/.gitignore"), "*.log\n").unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let root = top.path().to_path_buf();
    std::thread::spawn(move || done.send(ours(&root, false, 2)));
    let seen = finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the walk ends");
    for dir in ["a", "b", "c", "d"] {
        assert!(seen.scanned.contains(&format!("{dir}/x.log")), "{dir}");
    }
    assert_eq!(seen.ignored, BTreeSet::from(["e/x.log".to_string()]));
    assert!(!seen.scanned.iter().any(|path| path.contains("fifo")));
}

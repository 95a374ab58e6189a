//! The pre-commit hooks, for real: the `pre-commit` framework (from PyPI) installs this
//! repository's `.pre-commit-hooks.yaml` into a temporary project, and `git commit` / `git push`
//! run them. `.ci/run` installs pre-commit; elsewhere the test is skipped with a message unless
//! `CI` is set, where a missing pre-commit is a failure.
//!
//! The wheel-based hooks (the README's `repo: local` snippet, `examples/pre-commit-wheel.yaml`,
//! and the layout of a hooks repository of its own, `examples/pre-commit-hooks-repo/`) install
//! hf-scan's wheel from a directory (`HF_SCAN_TEST_WHEELS`, which `.ci/run` fills with a wheel
//! built by maturin and the setuptools wheel pip needs) with pip's index switched off, so what
//! runs is this checkout's wheel and no release is needed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn pre_commit() -> Option<PathBuf> {
    let candidate = std::env::var_os("HF_SCAN_PRE_COMMIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("pre-commit"));
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(candidate);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "pre-commit is required in CI (set HF_SCAN_PRE_COMMIT or put it on PATH)"
    );
    skipped("pre-commit is not installed (pip install pre-commit)");
    None
}

/// The directory of wheels the wheel-based hooks install from, with pip's index off.
fn wheel_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HF_SCAN_TEST_WHEELS").map(PathBuf::from);
    let has_wheel = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("hf_scan-") && name.ends_with(".whl")
            })
        })
    };
    match dir {
        Some(dir) if has_wheel(&dir) => Some(dir),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "the wheel hooks are tested in CI: set HF_SCAN_TEST_WHEELS to a directory \
                 holding hf-scan's wheel and setuptools' (as .ci/run does)"
            );
            skipped("set HF_SCAN_TEST_WHEELS to a directory with hf-scan's wheel");
            None
        }
    }
}

struct Project {
    _dir: tempfile::TempDir,
    path: PathBuf,
    home: PathBuf,
    pre_commit: PathBuf,
    /// Whether the hf-scan this test run built is on PATH (for the `-system` hooks).
    binary_on_path: bool,
    /// Set for every command (pip's wheel directory for the wheel-based hooks).
    env: Vec<(&'static str, std::ffi::OsString)>,
}

/// Where the project's pre-commit config takes the hooks from.
#[derive(Clone, PartialEq, Eq)]
enum HookSource {
    /// A repository holding only this checkout's `.pre-commit-hooks.yaml` (the `-system`
    /// hooks need nothing else).
    HooksFileOnly,
    /// This repository at HEAD, which pre-commit clones and builds with cargo.
    ThisRepository,
    /// A repository laid out as `examples/pre-commit-hooks-repo/`, whose `pip install .`
    /// installs the wheel found in this directory.
    WheelHooksRepository(PathBuf),
}

impl Project {
    fn command(&self, program: &Path, args: &[&str]) -> Output {
        let binary_dir = assert_cmd::cargo::cargo_bin("hf-scan")
            .parent()
            .unwrap()
            .to_path_buf();
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            self.binary_on_path
                .then_some(binary_dir)
                .into_iter()
                .chain(std::env::split_paths(&inherited)),
        )
        .unwrap();
        with_test_git_identity(Command::new(program).current_dir(&self.path).args(args))
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", &self.home)
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .output()
            .unwrap()
    }

    fn git(&self, args: &[&str]) -> Output {
        self.command(Path::new("git"), args)
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let output = self.git(args);
        assert!(
            output.status.success(),
            "git {args:?}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        stdout(&output)
    }
}

/// A project that uses `hooks` from `source` (each an id, then `args:` if any), with
/// pre-commit installed for commit, commit message and push.
fn project(hooks: &[&str], source: HookSource) -> Option<Project> {
    let pre_commit = pre_commit()?;
    let dir = temp_dir();
    let path = dir.path().join("project");
    std::fs::create_dir(&path).unwrap();
    let hooks_repo = match source {
        HookSource::ThisRepository => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        _ => dir.path().join("hooks"),
    };
    let project = Project {
        home: dir.path().join("pre-commit-home"),
        _dir: dir,
        path,
        pre_commit,
        binary_on_path: source == HookSource::HooksFileOnly,
        env: match &source {
            HookSource::WheelHooksRepository(wheels) => pip_from(wheels),
            _ => Vec::new(),
        },
    };
    let in_hooks = |args: &[&str]| {
        let output = project.command(
            Path::new("git"),
            &[&["-C", hooks_repo.to_str().unwrap()], args].concat(),
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_string()
    };
    if source != HookSource::ThisRepository {
        std::fs::create_dir(&hooks_repo).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files: &[(PathBuf, &str)] = match source {
            HookSource::HooksFileOnly => &[(
                root.join(".pre-commit-hooks.yaml"),
                ".pre-commit-hooks.yaml",
            )],
            _ => &[
                (
                    root.join("examples/pre-commit-hooks-repo/.pre-commit-hooks.yaml"),
                    ".pre-commit-hooks.yaml",
                ),
                (
                    root.join("examples/pre-commit-hooks-repo/pyproject.toml"),
                    "pyproject.toml",
                ),
            ],
        };
        for (from, to) in files {
            std::fs::copy(from, hooks_repo.join(to)).unwrap();
        }
        in_hooks(&["init", "-q", "-b", "main"]);
        in_hooks(&["add", "-A"]);
        in_hooks(&["commit", "-q", "-m", "hooks"]);
    }
    let rev = in_hooks(&["rev-parse", "HEAD"]);
    project.git_ok(&["init", "-q", "-b", "main"]);
    let ids: String = hooks
        .iter()
        .map(|hook| {
            let mut words = hook.split(' ');
            let id = words.next().unwrap();
            let args: Vec<String> = words.map(|arg| format!("\"{arg}\"")).collect();
            if args.is_empty() {
                format!("      - id: {id}\n")
            } else {
                format!("      - id: {id}\n        args: [{}]\n", args.join(", "))
            }
        })
        .collect();
    write(
        &project.path,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n{ids}",
            hooks_repo.display()
        ),
    );
    install_git_hooks(&project);
    Some(project)
}

/// `pre-commit install` for commit, commit message and push.
fn install_git_hooks(project: &Project) {
    let installed = project.command(
        &project.pre_commit,
        &[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "pre-push",
            "--hook-type",
            "commit-msg",
        ],
    );
    assert!(installed.status.success(), "{}", stderr(&installed));
}

/// pip's settings that make pre-commit install from `wheels` and nowhere else.
fn pip_from(wheels: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("PIP_NO_INDEX", "1".into()),
        ("PIP_FIND_LINKS", wheels.as_os_str().to_owned()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1".into()),
    ]
}

/// A project whose `.pre-commit-config.yaml` is the README's wheel snippet, verbatim.
fn wheel_snippet_project(wheels: &Path) -> Option<Project> {
    let pre_commit = pre_commit()?;
    let dir = temp_dir();
    let path = dir.path().join("project");
    std::fs::create_dir(&path).unwrap();
    let project = Project {
        home: dir.path().join("pre-commit-home"),
        _dir: dir,
        path,
        pre_commit,
        binary_on_path: false,
        env: pip_from(wheels),
    };
    project.git_ok(&["init", "-q", "-b", "main"]);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pre-commit-wheel.yaml"),
        project.path.join(".pre-commit-config.yaml"),
    )
    .unwrap();
    install_git_hooks(&project);
    Some(project)
}

#[test]
fn commit_hook_blocks_a_staged_token_and_nothing_else() {
    if let Some(project) = project(&["hf-scan-system"], HookSource::HooksFileOnly) {
        commit_is_blocked_only_by_a_staged_token(&project);
    }
}

/// The `language: rust` hook, built by pre-commit from this repository at HEAD: a full
/// release build, so it runs only when `HF_SCAN_TEST_RUST_HOOK=1` (as `.ci/run` sets it).
#[test]
fn rust_commit_hook_builds_and_blocks_a_staged_token() {
    if std::env::var_os("HF_SCAN_TEST_RUST_HOOK").is_none() {
        skipped("set HF_SCAN_TEST_RUST_HOOK=1 to build the language: rust hook");
        return;
    }
    if let Some(project) = project(&["hf-scan"], HookSource::ThisRepository) {
        commit_is_blocked_only_by_a_staged_token(&project);
    }
}

/// The README's `repo: local` snippet: pre-commit installs the pinned wheel (from a directory
/// here, PyPI for a user) and each of the three hooks blocks what it should.
#[test]
fn wheel_snippet_hooks_install_the_pinned_wheel_and_block_tokens() {
    let Some(wheels) = wheel_dir() else {
        return;
    };
    let Some(project) = wheel_snippet_project(&wheels) else {
        return;
    };
    commit_is_blocked_only_by_a_staged_token(&project);
    ran_from_an_environment_of_its_own(&project);
    message_with_a_token_is_blocked(&project);
}

/// The hooks repository layout for after the first release (`examples/pre-commit-hooks-repo/`,
/// as ruff-pre-commit is laid out): pre-commit's `pip install .` of it brings the wheel.
#[test]
fn a_hooks_repository_of_its_own_installs_the_pinned_wheel() {
    let Some(wheels) = wheel_dir() else {
        return;
    };
    let Some(project) = project(
        &["hf-scan", "hf-scan-commit-msg"],
        HookSource::WheelHooksRepository(wheels),
    ) else {
        return;
    };
    commit_is_blocked_only_by_a_staged_token(&project);
    ran_from_an_environment_of_its_own(&project);
    message_with_a_token_is_blocked(&project);
}

/// The wheel examples pin the version this checkout builds, and the README shows the snippet
/// as it is tested.
#[test]
fn wheel_examples_pin_this_version_and_the_readme_shows_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let pin = format!("hf-scan=={}", env!("CARGO_PKG_VERSION"));
    let snippet = read("examples/pre-commit-wheel.yaml");
    assert_eq!(snippet.matches(&format!("[\"{pin}\"]")).count(), 3);
    assert_eq!(snippet.matches("hf-scan==").count(), 3);
    let hooks_repo = read("examples/pre-commit-hooks-repo/pyproject.toml");
    assert!(hooks_repo.contains(&format!("dependencies = [\"{pin}\"]")));
    assert!(hooks_repo.contains(&format!("version = \"{}\"", env!("CARGO_PKG_VERSION"))));
    let readme = read("README.md");
    let yaml = snippet
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        readme.contains(&format!("```yaml\n{yaml}\n```")),
        "the README's wheel snippet must be examples/pre-commit-wheel.yaml (without its comments)"
    );
    // Its ids and entries are this repository's hooks'.
    let own = read(".pre-commit-hooks.yaml");
    for entry in [
        "hf-scan --hook=pre-commit",
        "hf-scan --hook=commit-msg",
        "hf-scan --hook=pre-push",
    ] {
        assert!(own.contains(&format!("entry: {entry}\n")));
        assert!(snippet.contains(&format!("entry: {entry}\n")));
        assert!(
            read("examples/pre-commit-hooks-repo/.pre-commit-hooks.yaml")
                .contains(&format!("entry: {entry}\n"))
        );
    }
}

/// The hf-scan that ran is the one pre-commit installed, not one found on PATH.
fn ran_from_an_environment_of_its_own(project: &Project) {
    let installed: Vec<PathBuf> = std::fs::read_dir(&project.home)
        .unwrap()
        .flatten()
        .filter_map(|repo| std::fs::read_dir(repo.path()).ok())
        .flatten()
        .flatten()
        .map(|env| env.path().join("bin/hf-scan"))
        .filter(|binary| binary.is_file())
        .collect();
    assert_eq!(
        installed.len(),
        1,
        "one environment holds hf-scan: {installed:?}"
    );
    let version = Command::new(&installed[0])
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        stdout(&version).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        stdout(&version)
    );
}

fn message_with_a_token_is_blocked(project: &Project) {
    write(&project.path, "CHANGELOG.md", "changes\n");
    project.git_ok(&["add", "CHANGELOG.md"]);
    let token = fake_token(&mut Rng::new(604));
    let blocked = project.git(&["commit", "-m", &format!("try {token}")]);
    assert!(!blocked.status.success(), "the commit must be blocked");
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(shown.contains("COMMIT_EDITMSG:1:5"), "{shown}");
    assert!(!shown.contains(&token), "redacted");
}

fn commit_is_blocked_only_by_a_staged_token(project: &Project) {
    write(&project.path, "README.md", "# demo\n");
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "-m", "clean start"]);

    let token = fake_token(&mut Rng::new(600));
    write(&project.path, "train.py", format!("login('{token}')\n"));
    project.git_ok(&["add", "train.py"]);
    let blocked = project.git(&["commit", "-m", "add training"]);
    assert!(!blocked.status.success(), "the commit must be blocked");
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(
        shown.contains("train.py:1:8  hf-user-access-token"),
        "{shown}"
    );
    assert!(shown.contains(&format!("hf_{}…", &token[3..5])), "{shown}");
    assert!(!shown.contains(&token), "redacted");
    assert!(
        shown.contains("hf-scan:allow"),
        "says how to proceed: {shown}"
    );
    assert_eq!(project.git_ok(&["rev-list", "--count", "HEAD"]).trim(), "1");

    // Unstage it: the token stays in the working tree, unstaged, and a clean commit passes.
    project.git_ok(&["reset", "-q", "train.py"]);
    write(&project.path, "notes.md", "notes\n");
    project.git_ok(&["add", "notes.md"]);
    let passed = project.git(&["commit", "-m", "notes"]);
    assert!(
        passed.status.success(),
        "{}{}",
        stdout(&passed),
        stderr(&passed)
    );
    assert_eq!(project.git_ok(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

/// pre-commit users and CI jobs run `pre-commit run --all-files` and expect the files to be
/// checked: the commit hook used to scan the index only, and passed with tokens in the tree.
#[test]
fn all_files_run_checks_the_files_it_is_given() {
    let Some(project) = project(&["hf-scan-system"], HookSource::HooksFileOnly) else {
        return;
    };
    let token = fake_token(&mut Rng::new(602));
    write(
        &project.path,
        "config/settings.py",
        format!("TOKEN = '{token}'\n"),
    );
    write(&project.path, "README.md", "# demo\n");
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "--no-verify", "-m", "before the hook"]);
    let run = project.command(&project.pre_commit, &["run", "--all-files"]);
    assert!(!run.status.success(), "{}", stdout(&run));
    assert!(
        stdout(&run).contains("config/settings.py:1:10  hf-user-access-token"),
        "{}",
        stdout(&run)
    );
}

/// Committed file names that look like options (issue: `--exclude=**` switched the scan off,
/// `--verify` with `--hf-endpoint=…` sent the token to that host, `--output=.git/config` wrote
/// into git's config, `man` printed the man page): through the real pre-commit, the commit is
/// blocked, nothing is sent and nothing is written.
#[test]
fn file_names_that_look_like_options_never_steer_the_commit_hook() {
    let Some(project) = project(&["hf-scan-system"], HookSource::HooksFileOnly) else {
        return;
    };
    write(&project.path, "README.md", "# demo\n");
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "-m", "clean start"]);
    let config_before = std::fs::read(project.path.join(".git/config")).unwrap();
    // Anything that connects here was sent a token.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("--hf-endpoint=http://{}", listener.local_addr().unwrap());
    let token = fake_token(&mut Rng::new(610));
    write(&project.path, "train.py", format!("login('{token}')\n"));
    for hostile in [
        "--exclude=**",
        "--verify",
        endpoint.as_str(),
        "--output=.git/config",
        "-q",
        "man",
    ] {
        write(&project.path, hostile, "x\n");
    }
    project.git_ok(&["add", "-A"]);
    let blocked = project.git(&["commit", "-m", "innocent"]);
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(
        !blocked.status.success(),
        "the commit must be blocked: {shown}"
    );
    assert_eq!(project.git_ok(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert!(
        listener.accept().is_err(),
        "a request reached the endpoint a file name named"
    );
    assert_eq!(
        std::fs::read(project.path.join(".git/config")).unwrap(),
        config_before,
        ".git/config was written"
    );
    assert!(!shown.contains(".TH"), "the man page was printed: {shown}");
    assert!(!shown.contains(&token), "redacted");

    // Without the names an option has, the other odd names are scanned as the files they are.
    for option_like in [
        "--exclude=**",
        "--verify",
        endpoint.as_str(),
        "--output=.git/config",
        "-q",
    ] {
        project.git_ok(&["rm", "-q", "--cached", "--", option_like]);
        std::fs::remove_file(project.path.join(option_like)).unwrap();
    }
    write(&project.path, "-notes", format!("t = '{token}'\n"));
    project.git_ok(&["add", "-A"]);
    let blocked = project.git(&["commit", "-m", "odd names"]);
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(!blocked.status.success(), "{shown}");
    assert!(
        shown.contains("train.py:1:8  hf-user-access-token"),
        "{shown}"
    );
    assert!(
        shown.contains("-notes:1:6  hf-user-access-token"),
        "{shown}"
    );
    assert!(
        shown.contains("The commit did not happen"),
        "the advice is for a commit that never happened: {shown}"
    );
}

/// The split without the framework: a name that starts with `-` and names a file on disk is
/// never read as an option, even when the index does not list it (a commit with an index of
/// its own); an ordinary option is still one, and the file names after it are paths.
#[test]
fn hook_command_line_never_reads_a_file_on_disk_as_an_option() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let token = fake_token(&mut Rng::new(612));
    write(dir.path(), "app.py", format!("T = '{token}'\n"));
    write(dir.path(), "--exclude=**", "x\n");
    git(dir.path(), &["add", "app.py"]);
    let refused = hf_scan()
        .current_dir(dir.path())
        .args(["--hook=pre-commit", "--exclude=**", "app.py"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("Rename the file"),
        "{}",
        stderr(&refused)
    );

    let scanned = hf_scan()
        .current_dir(dir.path())
        .args(["--hook=pre-commit", "--format", "jsonl", "app.py"])
        .output()
        .unwrap();
    assert_eq!(scanned.status.code(), Some(1), "{}", stderr(&scanned));
    assert!(
        stdout(&scanned).contains(r#""path":"app.py""#),
        "{}",
        stdout(&scanned)
    );
}

/// A user's `args:` still reach the commit hook as options, with file names after them.
#[test]
fn commit_hook_args_still_take_effect() {
    let Some(project) = project(
        &["hf-scan-system --format jsonl --exclude vendor/**"],
        HookSource::HooksFileOnly,
    ) else {
        return;
    };
    let token = fake_token(&mut Rng::new(611));
    write(&project.path, "vendor/lib.py", format!("T = '{token}'\n"));
    write(&project.path, "app.py", format!("T = '{token}'\n"));
    project.git_ok(&["add", "-A"]);
    let blocked = project.git(&["commit", "-m", "app"]);
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(!blocked.status.success(), "{shown}");
    assert!(shown.contains(r#""path":"app.py""#), "JSON lines: {shown}");
    assert!(
        !shown.contains("vendor/lib.py"),
        "the exclusion applies: {shown}"
    );
}

/// A token typed into a commit message is stopped before the commit exists.
#[test]
fn commit_msg_hook_blocks_a_token_in_the_message() {
    let Some(project) = project(&["hf-scan-commit-msg-system"], HookSource::HooksFileOnly) else {
        return;
    };
    write(&project.path, "README.md", "# demo\n");
    project.git_ok(&["add", "-A"]);
    let token = fake_token(&mut Rng::new(603));
    let blocked = project.git(&["commit", "-m", &format!("use {token} for now")]);
    assert!(!blocked.status.success(), "the commit must be blocked");
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(shown.contains("COMMIT_EDITMSG:1:5"), "{shown}");
    assert!(!shown.contains(&token), "redacted");
    assert!(
        project.git(&["rev-parse", "HEAD"]).status.code() != Some(0),
        "no commit"
    );
    let passed = project.git(&["commit", "-q", "-m", "a clean message"]);
    assert!(passed.status.success(), "{}", stderr(&passed));
}

#[test]
fn push_hook_blocks_pushed_commits_that_add_a_token() {
    // `args:` reach hf-scan (the entry used to be `bash -c`, which dropped them).
    let Some(project) = project(
        &["hf-scan-push-system --format jsonl"],
        HookSource::HooksFileOnly,
    ) else {
        return;
    };
    let remote = project.path.parent().unwrap().join("remote.git");
    project.git_ok(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    project.git_ok(&["remote", "add", "origin", remote.to_str().unwrap()]);
    write(&project.path, "README.md", "# demo\n");
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "-m", "clean"]);
    let first = project.git(&["push", "-q", "origin", "main"]);
    assert!(
        first.status.success(),
        "{}{}",
        stdout(&first),
        stderr(&first)
    );

    let token = fake_token(&mut Rng::new(601));
    write(
        &project.path,
        "deploy.sh",
        format!("export HF_TOKEN={token}\n"),
    );
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "-m", "deploy"]);
    let blocked = project.git(&["push", "origin", "main"]);
    assert!(!blocked.status.success(), "the push must be blocked");
    let shown = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(
        shown.contains(r#""path":"deploy.sh","repo_path":"deploy.sh""#)
            && shown.contains(r#""line":1,"column":17"#),
        "the args reached hf-scan: {shown}"
    );
    let remote_head = Command::new("git")
        .args([
            "--git-dir",
            remote.to_str().unwrap(),
            "rev-list",
            "--count",
            "main",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&remote_head).trim(),
        "1",
        "the token never reached the remote"
    );

    // A new branch, pushed on its own, is checked too.
    project.git_ok(&["reset", "-q", "--hard", "HEAD~1"]);
    project.git_ok(&["checkout", "-q", "-b", "feature"]);
    write(&project.path, "feature.env", format!("HF_TOKEN={token}\n"));
    project.git_ok(&["add", "-A"]);
    project.git_ok(&["commit", "-q", "-m", "feature"]);
    let blocked = project.git(&["push", "origin", "feature"]);
    assert!(
        !blocked.status.success(),
        "the new branch's push must be blocked"
    );
    let clean = project.git(&["push", "origin", "main"]);
    assert!(
        clean.status.success(),
        "{}{}",
        stdout(&clean),
        stderr(&clean)
    );
}

#[test]
fn rust_and_system_hooks_run_the_same_command() {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let entry_of = |id: &str| -> String {
        let start = hooks
            .find(&format!("- id: {id}\n"))
            .unwrap_or_else(|| panic!("hook {id} is defined"));
        let block = &hooks[start..];
        let line = block
            .lines()
            .find(|l| l.trim_start().starts_with("entry:"))
            .unwrap();
        line.trim().to_string()
    };
    assert_eq!(entry_of("hf-scan"), entry_of("hf-scan-system"));
    assert_eq!(entry_of("hf-scan-push"), entry_of("hf-scan-push-system"));
    assert_eq!(
        entry_of("hf-scan-commit-msg"),
        entry_of("hf-scan-commit-msg-system")
    );
    assert!(hooks.matches("minimum_pre_commit_version: '3.2.0'").count() == 6);
    assert!(hooks.matches("\n  language: rust\n").count() == 3);
}

/// Says that a test did not run, where the test output shows it: written to the process's
/// stderr directly, which the test harness does not capture (eprintln! output would be
/// swallowed, leaving a plain `ok`).
fn skipped(why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED (this test did not run): {why}");
}

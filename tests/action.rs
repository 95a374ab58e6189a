//! The GitHub Action, run step by step as the runner would: every `run:` step of `action.yml`
//! with bash, its `${{ }}` expressions filled in, its `env:` and `working-directory:`, each
//! step's `$GITHUB_OUTPUT` read back into `steps.<id>.outputs`; the `actions/cache` step is
//! simulated (a hit restores a directory the test prepared). `cargo` on PATH is a stand-in that
//! records where and how it ran and installs the binary this test run built, so a build takes
//! milliseconds while still proving which toolchain and directory the Action used.
//!
//! The checkout under test is hostile: it holds a `json.py` (Python runs it if it imports `json`
//! from the working directory), a `rust-toolchain.toml` pointing at its own toolchain, a
//! `.cargo/config.toml` with a `rustc-wrapper`, and binaries planted where old versions of the
//! Action kept their build. Each of them would write a marker file if it ran.

#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::json;

/// One step of `action.yml`, as far as this test needs it.
#[derive(Debug, Default)]
struct Step {
    id: Option<String>,
    /// `if:`, of the only forms the file uses: `inputs.NAME == 'value'` or `!=`.
    condition: Option<String>,
    uses: Option<String>,
    working_directory: Option<String>,
    env: Vec<(String, String)>,
    run: Option<String>,
}

fn action_yml() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap()
}

/// The inputs' defaults and the steps, read from the file's fixed layout (two-space indents).
fn parse_action() -> (HashMap<String, String>, Vec<Step>) {
    let text = action_yml();
    let mut defaults = HashMap::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut section = "";
    let mut input = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line.trim_end_matches(':');
            continue;
        }
        match section {
            "inputs" => {
                if let Some(name) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
                    input = name.trim_end_matches(':').to_string();
                } else if let Some(value) = line.strip_prefix("    default: ") {
                    defaults.insert(input.clone(), value.trim_matches('"').to_string());
                }
            }
            "runs" => {
                if line.starts_with("    - name: ") {
                    steps.push(Step::default());
                    continue;
                }
                let Some(step) = steps.last_mut() else {
                    continue;
                };
                let Some(rest) = line.strip_prefix("      ") else {
                    continue;
                };
                if let Some(id) = rest.strip_prefix("id: ") {
                    step.id = Some(id.to_string());
                } else if let Some(condition) = rest.strip_prefix("if: ") {
                    step.condition = Some(condition.to_string());
                } else if let Some(uses) = rest.strip_prefix("uses: ") {
                    step.uses = Some(uses.to_string());
                } else if let Some(dir) = rest.strip_prefix("working-directory: ") {
                    step.working_directory = Some(dir.to_string());
                } else if rest == "env:" {
                    while let Some(entry) = lines.peek().and_then(|l| l.strip_prefix("        ")) {
                        lines.next();
                        if entry.starts_with('#') {
                            continue;
                        }
                        let (name, value) = entry.split_once(": ").expect("NAME: value");
                        step.env.push((name.to_string(), value.to_string()));
                    }
                } else if rest == "run: |" {
                    let mut script = Vec::new();
                    while let Some(next) = lines.peek() {
                        if !(next.is_empty() || next.starts_with("        ")) {
                            break;
                        }
                        script.push(next.strip_prefix("        ").unwrap_or(""));
                        lines.next();
                    }
                    step.run = Some(script.join("\n"));
                }
            }
            _ => {}
        }
    }
    (defaults, steps)
}

/// Whether a step's `if:` holds, as the runner would decide it.
fn condition_holds(condition: &str, context: &HashMap<String, String>) -> bool {
    let (left, right, equal) = match condition.split_once(" != ") {
        Some((left, right)) => (left, right, false),
        None => {
            let (left, right) = condition
                .split_once(" == ")
                .unwrap_or_else(|| panic!("the test does not know the condition `{condition}`"));
            (left, right, true)
        }
    };
    let value = context
        .get(left.trim())
        .unwrap_or_else(|| panic!("the test does not know `{left}`"));
    (value == right.trim().trim_matches('\'')) == equal
}

/// Fills in `${{ name }}` from `context`; an unknown name fails the test, except a step's
/// output, which is empty when the step did not set it (or did not run), as on a runner.
fn expand(template: &str, context: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closing }}") + start;
        let name = rest[start + 3..end].trim();
        let value = match context.get(name) {
            Some(value) => value.as_str(),
            None if name.starts_with("steps.") => "",
            None => panic!("the test does not know `{name}`"),
        };
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A checkout with a pull request adding a token, and every trap a pull request can set.
struct Hostile {
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    runner: PathBuf,
    marker: PathBuf,
    event: PathBuf,
    token: String,
}

fn write_script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/bash\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn hostile_checkout() -> Hostile {
    let dir = temp_dir();
    let workspace = dir.path().join("work/repo");
    let runner = dir.path().join("runner");
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::create_dir_all(runner.join("temp")).unwrap();
    let marker = dir.path().join("PWNED");
    git(&workspace, &["init", "-q", "-b", "main"]);
    write(&workspace, "README.md", "hello\n");
    git(&workspace, &["add", "-A"]);
    git(&workspace, &["commit", "-q", "-m", "base"]);
    let base = git(&workspace, &["rev-parse", "HEAD"]);
    git(&workspace, &["checkout", "-q", "-b", "feature"]);
    let token = fake_token(&mut Rng::new(900));
    write(&workspace, "prod.env", format!("HF_TOKEN={token}\n"));
    let pwn = format!("echo \"$0 ran\" >> '{}'", marker.display());
    write(
        &workspace,
        "json.py",
        format!(
            "open('{}', 'a').write('json.py ran\\n')\n",
            marker.display()
        ),
    );
    write_script(&workspace.join("tc/bin/cargo"), &pwn);
    write_script(&workspace.join("tc/bin/rustc"), &pwn);
    write(
        &workspace,
        "rust-toolchain.toml",
        format!(
            "[toolchain]\npath = \"{}\"\n",
            workspace.join("tc").display()
        ),
    );
    write_script(&workspace.join("wrapper"), &pwn);
    write(
        &workspace,
        ".cargo/config.toml",
        format!(
            "[build]\nrustc-wrapper = \"{}\"\n",
            workspace.join("wrapper").display()
        ),
    );
    git(&workspace, &["add", "-A"]);
    git(&workspace, &["commit", "-q", "-m", "feature"]);
    let head = git(&workspace, &["rev-parse", "HEAD"]);
    // Binaries planted where the Action keeps its build, now and in older versions.
    write_script(&runner.join("temp/hf-scan-action/bin/hf-scan"), &pwn);
    write_script(&runner.join("home/.hf-scan-action/bin/hf-scan"), &pwn);
    let event = runner.join("event.json");
    let payload = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    std::fs::write(&event, payload.to_string()).unwrap();
    Hostile {
        _dir: dir,
        workspace,
        runner,
        marker,
        event,
        token,
    }
}

/// What a run of the Action left behind.
struct ActionRun {
    status: Option<i32>,
    log: String,
    outputs: HashMap<String, String>,
    cargo_calls: String,
    summary: String,
}

/// How the simulated cache step behaves.
enum Cache {
    Miss,
    /// Restores this directory to the cache path.
    Hit(PathBuf),
}

fn run_action(h: &Hostile, cache: Cache, inputs: &[(&str, &str)]) -> ActionRun {
    run_action_with_env(h, cache, inputs, &[])
}

/// As `run_action`, with `job_env` in every step's environment (a workflow's `env:`).
fn run_action_with_env(
    h: &Hostile,
    cache: Cache,
    inputs: &[(&str, &str)],
    job_env: &[(&str, &std::ffi::OsStr)],
) -> ActionRun {
    let (defaults, steps) = parse_action();
    let temp = h.runner.join("temp");
    let fake_bin = h.runner.join("fake-bin");
    let cargo_log = h.runner.join("cargo-calls.log");
    let _ = std::fs::remove_file(&cargo_log);
    write_script(
        &fake_bin.join("cargo"),
        &format!(
            "echo \"pwd=$PWD toolchain=${{RUSTUP_TOOLCHAIN:-}} $*\" >> '{log}'\n\
             root=; while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             mkdir -p \"$root/bin\" && cp '{bin}' \"$root/bin/hf-scan\"",
            log = cargo_log.display(),
            bin = assert_cmd::cargo::cargo_bin("hf-scan").display()
        ),
    );
    let action_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut context: HashMap<String, String> = HashMap::new();
    context.insert("runner.temp".into(), temp.display().to_string());
    context.insert("runner.os".into(), "Linux".into());
    context.insert("runner.arch".into(), "X64".into());
    context.insert(
        "github.action_path".into(),
        action_path.display().to_string(),
    );
    context.insert("github.action_ref".into(), "v0".into());
    for (name, value) in &defaults {
        context.insert(format!("inputs.{name}"), value.clone());
    }
    for (name, value) in inputs {
        context.insert(format!("inputs.{name}"), value.to_string());
    }
    let summary = h.runner.join("summary.md");
    let path = format!("{}:{}", fake_bin.display(), std::env::var("PATH").unwrap());
    let mut log = String::new();
    let mut status;
    for step in steps {
        let id = step.id.clone().unwrap_or_default();
        let mut outputs = HashMap::new();
        status = Some(0);
        if let Some(condition) = &step.condition {
            if !condition_holds(condition, &context) {
                continue;
            }
        }
        if let Some(uses) = &step.uses {
            assert!(
                uses.starts_with("actions/cache@"),
                "unexpected action {uses}"
            );
            let hit = match &cache {
                Cache::Miss => "false",
                Cache::Hit(saved) => {
                    let target = temp.join("hf-scan-action");
                    let _ = std::fs::remove_dir_all(&target);
                    let copied = std::process::Command::new("cp")
                        .arg("-a")
                        .arg(saved)
                        .arg(&target)
                        .status()
                        .unwrap();
                    assert!(copied.success());
                    "true"
                }
            };
            outputs.insert("cache-hit".to_string(), hit.to_string());
        } else {
            let output_file = h.runner.join(format!("output-{id}"));
            std::fs::write(&output_file, "").unwrap();
            let dir = expand(step.working_directory.as_deref().unwrap_or(""), &context);
            let dir = if dir.is_empty() {
                h.workspace.clone()
            } else {
                PathBuf::from(dir)
            };
            let mut command = std::process::Command::new("bash");
            command
                .arg("-e")
                .arg("-c")
                .arg(step.run.as_deref().expect("a run step"))
                .current_dir(&dir)
                .env_clear()
                .env("PATH", &path)
                .env("HOME", h.runner.join("home"))
                .env("RUNNER_TEMP", &temp)
                .env("GITHUB_WORKSPACE", &h.workspace)
                .env("GITHUB_ACTION_PATH", &action_path)
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &h.event)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_OUTPUT", &output_file)
                .envs(job_env.iter().copied());
            for (name, value) in &step.env {
                command.env(name, expand(value, &context));
            }
            let output = command.output().unwrap();
            log.push_str(&stdout(&output));
            log.push_str(&stderr(&output));
            for line in std::fs::read_to_string(&output_file).unwrap().lines() {
                let (name, value) = line.split_once('=').expect("name=value");
                outputs.insert(name.to_string(), value.to_string());
            }
            status = output.status.code();
        }
        // A failed step ends the job, as on a runner; the scan step is the last one.
        if status != Some(0) || id == "scan" {
            return ActionRun {
                status,
                log,
                outputs,
                cargo_calls: std::fs::read_to_string(&cargo_log).unwrap_or_default(),
                summary: std::fs::read_to_string(&summary).unwrap_or_default(),
            };
        }
        for (name, value) in &outputs {
            context.insert(format!("steps.{id}.outputs.{name}"), value.clone());
        }
    }
    panic!("action.yml has no scan step");
}

#[test]
fn the_action_runs_nothing_from_the_checkout() {
    let h = hostile_checkout();
    let run = run_action(&h, Cache::Miss, &[]);
    assert_eq!(run.status, Some(1), "{}", run.log);
    assert!(
        !h.marker.exists(),
        "code from the checkout ran: {}",
        std::fs::read_to_string(&h.marker).unwrap_or_default()
    );
    // Built from the action's own directory, with the toolchain pinned.
    let action_path = env!("CARGO_MANIFEST_DIR");
    assert!(
        run.cargo_calls.starts_with(&format!(
            "pwd={action_path} toolchain=stable install --locked"
        )),
        "{}",
        run.cargo_calls
    );
    assert!(
        run.log.contains("::error file=prod.env,line=1"),
        "{}",
        run.log
    );
    assert!(!run.log.contains(&h.token[3..]), "{}", run.log);
    assert_eq!(run.outputs["findings"], "1");
    let sarif = PathBuf::from(&run.outputs["sarif-file"]);
    assert!(
        sarif.starts_with(h.runner.join("temp")),
        "outside the checkout: {sarif:?}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(run.summary.contains("| high | `hf_"), "{}", run.summary);

    let run = run_action(&h, Cache::Miss, &[("fail-on-findings", "false")]);
    assert_eq!(run.status, Some(0), "fail-on-findings: false");
    assert!(!h.marker.exists());
}

#[test]
fn a_cached_binary_is_used_only_when_its_hash_matches() {
    let h = hostile_checkout();
    // A first run builds and records the binary's hash; keep what the cache would save.
    let first = run_action(&h, Cache::Miss, &[]);
    assert_eq!(first.status, Some(1), "{}", first.log);
    let saved = h.runner.join("saved-cache");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(h.runner.join("temp/hf-scan-action"))
        .arg(&saved)
        .status()
        .unwrap();
    assert!(copied.success());

    let hit = run_action(&h, Cache::Hit(saved.clone()), &[]);
    assert_eq!(hit.status, Some(1), "{}", hit.log);
    assert_eq!(hit.cargo_calls, "", "a verified cache hit builds nothing");

    // A restored binary that is not the one that was built is replaced, never run.
    let pwn = format!("echo \"$0 ran\" >> '{}'", h.marker.display());
    write_script(&saved.join("bin/hf-scan"), &pwn);
    let tampered = run_action(&h, Cache::Hit(saved), &[]);
    assert_eq!(tampered.status, Some(1), "{}", tampered.log);
    assert!(tampered.cargo_calls.contains("install"), "rebuilt");
    assert!(!h.marker.exists(), "the tampered binary ran");
}

#[test]
fn action_inputs_reach_hf_scan_without_shell_expansion() {
    let h = hostile_checkout();
    let run = run_action(
        &h,
        Cache::Miss,
        &[("extra-args", "--show-secrets $(touch pwned) *")],
    );
    assert_eq!(
        run.status,
        Some(2),
        "unknown arguments are an error: {}",
        run.log
    );
    assert!(
        !h.runner.join("temp/pwned").exists(),
        "no command substitution"
    );
    let run = run_action(&h, Cache::Miss, &[("extra-args", "--show-secrets")]);
    assert!(run.log.contains(&h.token), "extra-args reach hf-scan");
    // inline-allow: false reports a token on an allowed line.
    let allowed = format!("T={}  # hf-scan:allow\n", fake_token(&mut Rng::new(901)));
    write(&h.workspace, "allowed.env", allowed);
    git(&h.workspace, &["add", "-A"]);
    git(&h.workspace, &["commit", "-q", "-m", "allowed"]);
    let head = git(&h.workspace, &["rev-parse", "HEAD"]);
    let mut payload: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&h.event).unwrap()).unwrap();
    payload["pull_request"]["head"]["sha"] = json!(head);
    std::fs::write(&h.event, payload.to_string()).unwrap();
    assert_eq!(run_action(&h, Cache::Miss, &[]).outputs["findings"], "1");
    assert_eq!(
        run_action(&h, Cache::Miss, &[("inline-allow", "false")]).outputs["findings"],
        "2"
    );
}

/// The cache key used to be constant (`hashFiles` skips files outside the workspace, where the
/// action lives), so a new version of the Action kept running the first binary ever cached.
/// It must name the action's ref and the source hash a step computes.
#[test]
fn the_cache_key_names_the_action_ref_and_its_source_hash() {
    let action = action_yml();
    let key = action
        .lines()
        .find_map(|line| line.trim().strip_prefix("key: "))
        .expect("the cache step's key");
    assert!(key.contains("${{ github.action_ref }}"), "{key}");
    assert!(key.contains("${{ steps.source.outputs.hash }}"), "{key}");
    assert!(!key.contains("hashFiles"), "{key}");
    // The step computes a real SHA-256 of the source.
    let h = hostile_checkout();
    let (_, steps) = parse_action();
    let source = steps
        .iter()
        .find(|step| step.id.as_deref() == Some("source"))
        .unwrap();
    let output_file = h.runner.join("source-output");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(source.run.as_deref().unwrap())
        .current_dir(h.runner.join("temp"))
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_OUTPUT", &output_file)
        .status()
        .unwrap();
    assert!(status.success());
    let output = std::fs::read_to_string(&output_file).unwrap();
    let hash = output.trim().strip_prefix("hash=").expect("hash=…");
    assert_eq!(hash.len(), 64, "{output}");
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{output}");
}

/// The scan step runs in `$RUNNER_TEMP`, so file inputs are resolved against the workspace;
/// a baseline inside the repository is read from the base commit, so one the pull request
/// adds for its own token is not there.
#[test]
fn the_baseline_input_is_resolved_in_the_workspace_and_read_from_the_base() {
    let h = hostile_checkout();
    write(
        &h.workspace,
        ".hf-scan-baseline",
        "# added by the pull request\n",
    );
    let run = run_action(&h, Cache::Miss, &[("baseline", ".hf-scan-baseline")]);
    assert_eq!(run.status, Some(2), "{}", run.log);
    assert!(
        run.log.contains("baseline .hf-scan-baseline (at "),
        "read from the base commit, found through the workspace: {}",
        run.log
    );
    assert!(run.log.contains("does not exist"), "{}", run.log);
}

/// The directory holding hf-scan's wheel (`HF_SCAN_TEST_WHEELS`, which `.ci/run` sets).
fn wheel_dir() -> Option<PathBuf> {
    let found = std::env::var_os("HF_SCAN_TEST_WHEELS").and_then(|dir| {
        std::fs::read_dir(&dir).ok()?.flatten().find_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name.starts_with("hf_scan-") && name.ends_with(".whl")).then(|| entry.path())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Action's wheel path is tested in CI: set HF_SCAN_TEST_WHEELS to a directory \
             holding hf-scan's wheel (as .ci/run does)"
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (this test did not run): set HF_SCAN_TEST_WHEELS to test the wheel path"
        );
    }
    found
}

/// `install: wheel`: the Action's own version is installed with pip from the index it is
/// given (a directory here, with pip's index off), nothing is built or cached, and a digest
/// in `wheel-sha256` is enforced.
#[test]
fn the_wheel_install_pins_the_actions_version_and_its_digest() {
    let Some(wheel) = wheel_dir() else {
        return;
    };
    let h = hostile_checkout();
    let folder = wheel.parent().unwrap().as_os_str();
    let env: &[(&str, &std::ffi::OsStr)] =
        &[("PIP_NO_INDEX", "1".as_ref()), ("PIP_FIND_LINKS", folder)];
    let run = run_action_with_env(&h, Cache::Miss, &[("install", "wheel")], env);
    assert_eq!(run.status, Some(1), "{}", run.log);
    assert_eq!(run.cargo_calls, "", "nothing is built");
    assert_eq!(run.outputs["findings"], "1", "{}", run.log);
    assert!(run.log.contains("without a digest check"), "{}", run.log);
    assert!(!h.marker.exists(), "code from the checkout ran");
    assert!(
        !h.runner
            .join("temp/hf-scan-action")
            .join("hf-scan.sha256")
            .exists(),
        "the build's cache directory is not used"
    );

    let digest = {
        use sha2::Digest as _;
        let bytes = std::fs::read(&wheel).unwrap();
        let sum = sha2::Sha256::digest(&bytes);
        sum.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let other = "0".repeat(64);
    let pinned = run_action_with_env(
        &h,
        Cache::Miss,
        &[
            ("install", "wheel"),
            ("wheel-sha256", &format!("{other} {digest}")),
        ],
        env,
    );
    assert_eq!(
        pinned.status,
        Some(1),
        "one of the digests matches: {}",
        pinned.log
    );
    assert!(!pinned.log.contains("without a digest check"));

    let refused = run_action_with_env(
        &h,
        Cache::Miss,
        &[("install", "wheel"), ("wheel-sha256", &other)],
        env,
    );
    assert_eq!(refused.status, Some(2), "{}", refused.log);
    assert!(
        refused.log.contains("HASH"),
        "pip says why: {}",
        refused.log
    );
    assert!(!refused.outputs.contains_key("findings"), "nothing scanned");

    let garbage = run_action_with_env(
        &h,
        Cache::Miss,
        &[("install", "wheel"), ("wheel-sha256", "$(touch pwned)")],
        env,
    );
    assert_eq!(garbage.status, Some(2), "{}", garbage.log);
    assert!(
        garbage.log.contains("not a SHA-256 digest"),
        "{}",
        garbage.log
    );
    assert!(!h.runner.join("temp/pwned").exists());

    let unknown = run_action_with_env(&h, Cache::Miss, &[("install", "docker")], env);
    assert_eq!(unknown.status, Some(2), "{}", unknown.log);
}

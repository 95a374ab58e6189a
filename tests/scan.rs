//! The working-tree scan end to end: walking, matching, positions, exit codes.

mod common;

use common::*;

#[test]
fn token_in_env_file_is_reported_with_position_and_exit_1() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(1));
    write(
        dir.path(),
        "app/.env",
        format!("# config\nHF_TOKEN={token}\n"),
    );
    let output = hf_scan().current_dir(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let redacted = format!("hf_{}…{}", &token[3..5], &token[35..]);
    assert!(
        out.contains(&format!(
            "app/.env:2:10  hf-user-access-token  {redacted}  high"
        )),
        "{out}"
    );
    // Findings on standard output; what to do and the summary on standard error.
    let err = stderr(&output);
    assert!(
        err.contains("https://huggingface.co/settings/tokens"),
        "{err}"
    );
    assert!(
        err.contains("1 finding (1 distinct token) in 1 file, "),
        "{err}"
    );
    assert!(!out.contains("What to do"), "{out}");
    assert!(
        !out.contains(&token) && !err.contains(&token),
        "the token must be redacted"
    );
}

#[test]
fn clean_tree_exits_0_and_says_how_much_it_scanned() {
    let dir = temp_dir();
    write(
        dir.path(),
        "a.py",
        "from huggingface_hub import hf_hub_download\n",
    );
    write(
        dir.path(),
        "b.txt",
        "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    );
    let output = hf_scan().arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stderr(&output).contains("0 findings (0 distinct tokens) in 2 files"));
    assert_eq!(
        stdout(&output),
        "",
        "nothing found, nothing on standard output"
    );
}

#[test]
fn gitignore_is_honoured_and_no_ignore_overrides_it() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2));
    write(dir.path(), ".gitignore", "secret.txt\n");
    write(dir.path(), "secret.txt", &token);
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
    let (report, code) = json_report(dir.path(), &["--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["location"]["path"], "secret.txt");
}

#[test]
fn hidden_files_are_scanned_but_git_directory_is_not() {
    let dir = temp_dir();
    let mut rng = Rng::new(3);
    write(dir.path(), ".config/hub/token", fake_token(&mut rng));
    write(
        dir.path(),
        ".git/config",
        format!("url = https://u:{}@huggingface.co/x", fake_token(&mut rng)),
    );
    let (report, _) = json_report(dir.path(), &[]);
    let paths: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec![".config/hub/token"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_only_with_follow_inside_the_root_and_loops_end() {
    let dir = temp_dir();
    let outside = temp_dir();
    write(dir.path(), "real/leak.txt", fake_token(&mut Rng::new(4)));
    write(outside.path(), "other.txt", fake_token(&mut Rng::new(40)));
    let scanned = dir.path().join("scanned");
    std::fs::create_dir(&scanned).unwrap();
    std::os::unix::fs::symlink(dir.path().join("real"), scanned.join("linked")).unwrap();
    std::os::unix::fs::symlink(&scanned, scanned.join("loop")).unwrap();
    std::os::unix::fs::symlink(outside.path(), scanned.join("outside")).unwrap();
    // These used to hang a --follow scan (terabytes of page map; a FIFO nobody writes to).
    std::os::unix::fs::symlink("/proc/self/pagemap", scanned.join("pagemap")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(dir.path().join("real/fifo"))
        .status()
        .unwrap()
        .success());
    write(&scanned, "inside/leak.txt", fake_token(&mut Rng::new(41)));
    std::os::unix::fs::symlink(scanned.join("inside"), scanned.join("alias")).unwrap();
    let (report, code) = json_report(&scanned, &[]);
    assert_eq!((code, findings(&report).len()), (1, 1));
    let (report, code) = json_report(&scanned, &["--follow"]);
    let mut paths: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(code, 1);
    assert_eq!(paths, vec!["alias/leak.txt", "inside/leak.txt"], "{report}");
    let notices = report["stats"]["notices"].to_string();
    for link in ["linked", "outside", "pagemap"] {
        assert!(
            notices.contains(&format!("{link}: link not followed: it leads outside")),
            "{notices}"
        );
    }
}

#[test]
fn binary_file_reports_byte_offset_and_no_line() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(5));
    let mut bytes = b"\x00\x01compiled\x00".to_vec();
    bytes.extend_from_slice(token.as_bytes());
    bytes.extend_from_slice(b"\x00\xff");
    write(dir.path(), "model.pyc", bytes);
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    let location = &findings(&report)[0]["location"];
    assert_eq!(location["offset"], 11);
    assert!(location["line"].is_null() && location["column"].is_null());
    let text = hf_scan().current_dir(dir.path()).output().unwrap();
    assert!(stdout(&text).contains("model.pyc@11  hf-user-access-token"));
}

#[test]
fn large_file_token_across_a_chunk_edge_is_found_once_with_its_line() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(6));
    // Lines of 64 bytes up to just before the 4 MiB chunk edge, so the token straddles it.
    let line = format!("{}\n", "a".repeat(63));
    let edge = 4 << 20;
    let lines_before = (edge - 10) / 64;
    let mut text = line.repeat(lines_before);
    let pad = edge - 10 - text.len();
    text.push_str(&" ".repeat(pad));
    text.push_str(&token);
    text.push('\n');
    text.push_str(&line.repeat(100_000));
    write(dir.path(), "big.log", &text);
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
    let location = &findings(&report)[0]["location"];
    assert_eq!(location["line"], lines_before as u64 + 1);
    assert_eq!(location["column"], pad as u64 + 1);
    assert_eq!(location["offset"], (edge - 10) as u64);
    assert_eq!(report["stats"]["bytes"], text.len() as u64);
}

#[test]
fn stdin_is_scanned_with_dash() {
    let token = fake_org_token(&mut Rng::new(7));
    let output = hf_scan()
        .args(["-", "--format", "json"])
        .write_stdin(format!("line one\nORG={token}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &findings(&report)[0];
    assert_eq!(finding["rule_id"], "hf-org-api-token");
    assert_eq!(finding["source"], "stdin");
    assert_eq!(finding["location"]["path"], "-");
    assert_eq!(finding["location"]["line"], 2);
}

#[test]
fn a_single_file_path_is_reported_as_given() {
    let dir = temp_dir();
    write(
        dir.path(),
        "src/settings.py",
        format!("TOKEN = '{}'\n", fake_token(&mut Rng::new(8))),
    );
    let (report, code) = json_report(dir.path(), &["src/settings.py"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0]["location"]["path"], "src/settings.py");
}

#[test]
fn notebook_and_remote_url_tokens_are_found() {
    let dir = temp_dir();
    let mut rng = Rng::new(9);
    let (a, b) = (fake_token(&mut rng), fake_token(&mut rng));
    write(
        dir.path(),
        "train.ipynb",
        format!(
            "{{\"cells\": [{{\"source\": [\"from huggingface_hub import login\\n\", \"login(\\\"{a}\\\")\\n\"]}}]}}\n"
        ),
    );
    write(
        dir.path(),
        "git-config",
        format!("[remote \"origin\"]\n\turl = https://alice:{b}@huggingface.co/acme/model\n"),
    );
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    let mut secrets: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    secrets.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(secrets, expected);
}

#[test]
fn output_is_the_same_with_one_thread_or_many() {
    let dir = temp_dir();
    let mut rng = Rng::new(10);
    for i in 0..200 {
        let body = if i % 3 == 0 {
            format!("t = '{}'\n", fake_token(&mut rng))
        } else {
            "nothing here\n".to_string()
        };
        write(dir.path(), &format!("d{}/f{i}.py", i % 7), body);
    }
    let run = |threads: &str| {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(["--format", "jsonl", "-j", threads])
            .output()
            .unwrap();
        stdout(&output)
    };
    let one = run("1");
    assert_eq!(one.lines().count(), 67);
    assert_eq!(one, run("8"));
}

#[test]
fn bad_flag_value_names_the_flag_and_the_accepted_values_and_exits_2() {
    let output = hf_scan().args(["--format", "pdf"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(
        err.trim().lines().count(),
        2,
        "short, no usage block: {err}"
    );
    assert!(err.contains("--format"), "{err}");
    assert!(err.contains("[possible values: text, json"), "{err}");
}

#[test]
fn missing_path_is_an_error_exit_2() {
    let output = hf_scan().arg("/nonexistent/hf-scan-test").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/hf-scan-test"));
}

#[cfg(unix)]
#[test]
fn unreadable_entry_warns_and_never_exits_0() {
    let dir = temp_dir();
    std::os::unix::fs::symlink(dir.path().join("vanished"), dir.path().join("dangling")).unwrap();
    write(dir.path(), "ok.txt", "fine\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--follow", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "incomplete and clean is not 0"
    );
    assert!(stderr(&output).contains("dangling"), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stats"]["incomplete"], true);
    assert!(report["stats"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("dangling"));

    write(dir.path(), "leak.txt", fake_token(&mut Rng::new(11)));
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("--follow")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "incomplete with findings is 1"
    );
    assert!(stderr(&output).contains("INCOMPLETE"));
}

#[cfg(unix)]
#[test]
fn closed_pipe_is_not_an_error() {
    let dir = temp_dir();
    let mut rng = Rng::new(12);
    let many: String = (0..5000)
        .map(|_| format!("{}\n", fake_token(&mut rng)))
        .collect();
    write(dir.path(), "many.txt", many);
    let binary = assert_cmd::cargo::cargo_bin("hf-scan");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' '{}' | head -n 1",
            binary.display(),
            dir.path().display()
        ))
        .output()
        .unwrap();
    assert_eq!(stdout(&output).lines().count(), 1);
    let err = stderr(&output);
    assert!(
        !err.contains("error") && !err.contains("Broken pipe") && !err.contains("panicked"),
        "no broken-pipe message: {err}"
    );
}

#[test]
fn quiet_prints_findings_only() {
    let dir = temp_dir();
    write(dir.path(), "a.env", fake_token(&mut Rng::new(13)));
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("a.env:1:1  hf-user-access-token"));
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let dir = temp_dir();
    write(dir.path(), "a.env", fake_token(&mut Rng::new(14)));
    let plain = hf_scan().current_dir(dir.path()).output().unwrap();
    assert!(
        !stdout(&plain).contains('\x1b'),
        "not a terminal: no colour"
    );
    let always = hf_scan()
        .current_dir(dir.path())
        .args(["--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(stdout(&always).contains("\x1b[1m"), "--color always wins");
    let never = hf_scan()
        .current_dir(dir.path())
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert!(!stdout(&never).contains('\x1b'));
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let dir = temp_dir();
    write(dir.path(), "a.env", fake_token(&mut Rng::new(15)));
    let report_path = temp_dir();
    let file = report_path.path().join("report.json");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "json", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn the_repository_passes_its_own_scan() {
    let output = hf_scan().arg(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

/// Runs hf-scan on a FIFO that a writer keeps open for `seconds`, under `script` so stdout and
/// stderr are a terminal, with NO_COLOR set or not; returns everything the terminal showed.
#[cfg(unix)]
fn slow_scan_on_a_terminal(extra: &str, seconds: f32, no_color: bool) -> String {
    let dir = temp_dir();
    let fifo = dir.path().join("slow-input");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let token = fake_token(&mut Rng::new(16));
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut pipe = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        pipe.write_all(token.as_bytes()).unwrap();
        std::thread::sleep(std::time::Duration::from_secs_f32(seconds));
    });
    let binary = assert_cmd::cargo::cargo_bin("hf-scan");
    let mut script = std::process::Command::new("script");
    if no_color {
        script.env("NO_COLOR", "1");
    } else {
        script.env_remove("NO_COLOR");
    }
    let output = script
        .args(["-qec"])
        .arg(format!(
            // Standard input from the FIFO: a FIFO named as PATH is refused (it could block).
            "'{}' {extra} - < '{}'",
            binary.display(),
            fifo.display()
        ))
        .arg("/dev/null")
        .output()
        .expect("script(1) from util-linux runs");
    writer.join().unwrap();
    stdout(&output)
}

#[cfg(unix)]
#[test]
fn long_scans_show_progress_on_a_terminal_unless_quiet() {
    // The line itself is tests/progress.rs's subject; here: it appears after a second.
    let shown = slow_scan_on_a_terminal("", 1.6, false);
    assert!(
        shown.contains("\r\x1b[2Khf-scan: scanning · 0 findings"),
        "{shown:?}"
    );
    assert!(shown.contains("1 finding (1 distinct token)"), "{shown:?}");
    let quiet = slow_scan_on_a_terminal("--quiet", 1.6, false);
    assert!(!quiet.contains("hf-scan: scanning"), "{quiet:?}");
    // On a terminal, --color auto colours, unless NO_COLOR is set.
    assert!(shown.contains("\x1b[1m"), "{shown:?}");
    let auto = slow_scan_on_a_terminal("--color auto", 0.0, false);
    assert!(auto.contains("\x1b[1m"), "{auto:?}");
    let no_color = slow_scan_on_a_terminal("--color auto", 0.0, true);
    assert!(!no_color.contains("\x1b[1m"), "NO_COLOR: {no_color:?}");
    // Not a terminal: no progress line (the other tests capture stderr through a pipe).
    let dir = temp_dir();
    write(dir.path(), "a.txt", "x\n");
    let piped = hf_scan().arg(dir.path()).output().unwrap();
    assert!(!stderr(&piped).contains("hf-scan: scanning"));
}

#[test]
fn base64_encoded_tokens_are_found_and_marked() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(17));
    let encoded = base64(token.as_bytes());
    write(
        dir.path(),
        "k8s/secret.yaml",
        format!("apiVersion: v1\nkind: Secret\ndata:\n  HF_TOKEN: {encoded}\n"),
    );
    write(dir.path(), "plain.env", format!("HF_TOKEN={token}\n"));
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 2);
    let encoded_finding = &found[0];
    assert_eq!(encoded_finding["location"]["path"], "k8s/secret.yaml");
    assert_eq!(encoded_finding["encoding"], "base64");
    assert_eq!(encoded_finding["secret"], token.as_str());
    assert_eq!(encoded_finding["location"]["line"], 4);
    assert_eq!(encoded_finding["location"]["column"], 13);
    assert_eq!(found[1]["encoding"], "plain");
    assert_eq!(found[0]["secret_hash"], found[1]["secret_hash"]);
}

#[test]
fn utf16_files_from_powershell_are_scanned() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(18));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        format!("$env:HF_TOKEN = '{token}'\r\n")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    write(dir.path(), "setup.ps1.txt", bytes);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    let finding = &findings(&report)[0];
    assert_eq!(finding["encoding"], "utf-16le");
    assert_eq!(finding["secret"], token.as_str());
    assert_eq!(finding["location"]["offset"], 2 + 2 * 17);
}

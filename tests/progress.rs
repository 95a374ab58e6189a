//! The progress line under a real pseudo-terminal: phases with counts out of their totals,
//! redrawn in place, never wider than the terminal, cleared before anything else is printed;
//! and nothing at all when stderr is not a terminal or with `--quiet`.

mod common;

use common::terminal::{drawn_lines, run_on_a_terminal, CLEAR_LINE, COLUMNS};
use common::*;

fn repository_with_history(commits: usize) -> tempfile::TempDir {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q"]);
    let mut rng = Rng::new(77);
    for i in 0..commits {
        let body = if i % 10 == 3 {
            format!("HF_TOKEN={}\n", fake_token(&mut rng))
        } else {
            format!("step = {i}\n")
        };
        write(dir.path(), &format!("dir{}/file{i}.py", i % 4), body);
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-qm", &format!("commit {i}")]);
    }
    dir
}

#[test]
fn a_history_scan_on_a_terminal_shows_its_phases_and_clears_the_line() {
    let dir = repository_with_history(40);
    let (terminal, report, code) = run_on_a_terminal(dir.path(), &["--history"], &[]);
    assert_eq!(code, 1, "{terminal}");
    assert!(report.contains("hf-user-access-token"), "{report}");
    // A pty turns \n into \r\n; the progress line is redrawn after "\r\x1b[2K".
    let drawn = drawn_lines(&terminal);
    assert!(
        drawn
            .iter()
            .any(|line| line.starts_with("hf-scan: walking refs")),
        "{drawn:?}"
    );
    assert!(
        drawn
            .iter()
            .any(|line| line.starts_with("hf-scan: comparing commits ") && line.contains("/40 (")),
        "{drawn:?}"
    );
    assert!(
        drawn
            .iter()
            .any(|line| line.starts_with("hf-scan: scanning blobs ") && line.contains("/40 (")),
        "{drawn:?}"
    );
    // Progress lines (the summary that follows the last clearing holds newlines).
    for line in drawn.iter().filter(|line| !line.contains('\n')) {
        assert!(
            line.chars().count() < usize::from(COLUMNS),
            "a line wider than the terminal wraps and cannot be redrawn: {line:?}"
        );
    }
    assert_cleared(&terminal);
}

/// The progress line was cleared before anything else was printed: after the last clearing
/// comes nothing, or whole lines (the advice and summary on standard error).
fn assert_cleared(terminal: &str) {
    let tail = terminal.rsplit(CLEAR_LINE).next().unwrap_or_default();
    assert!(tail.is_empty() || tail.ends_with('\n'), "{terminal:?}");
    assert!(
        !tail.contains("scanning ") && !tail.contains("walking refs"),
        "{terminal:?}"
    );
}

#[test]
fn progress_never_reaches_a_pipe_or_a_quiet_run() {
    let dir = repository_with_history(12);
    let output = hf_scan()
        .current_dir(dir.path())
        .env("HF_SCAN_PROGRESS_AFTER_MS", "0")
        .arg("--history")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(
        !log.contains('\r') && !log.contains("comparing commits"),
        "{log}"
    );

    let (terminal, _, code) = run_on_a_terminal(dir.path(), &["--history", "--quiet"], &[]);
    assert_eq!(code, 1);
    assert!(!terminal.contains('\r'), "{terminal:?}");
    assert!(!terminal.contains("hf-scan:"), "{terminal:?}");
}

#[test]
fn a_tree_scan_shows_what_it_read() {
    let dir = temp_dir();
    for i in 0..50 {
        write(
            dir.path(),
            &format!("f{i}.txt"),
            "nothing to see\n".repeat(100),
        );
    }
    let (terminal, _, code) = run_on_a_terminal(dir.path(), &[], &[]);
    assert_eq!(code, 0, "{terminal}");
    assert!(
        terminal.contains("\r\x1b[2Khf-scan: scanning"),
        "{terminal:?}"
    );
    assert_cleared(&terminal);
}

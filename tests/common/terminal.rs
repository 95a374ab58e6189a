//! A pseudo-terminal for the progress tests: hf-scan's stderr on a real tty of a known width.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};

pub const CLEAR_LINE: &str = "\r\x1b[2K";
pub const COLUMNS: u16 = 72;

/// The progress lines drawn on a terminal (each redraw starts with `CLEAR_LINE`).
pub fn drawn_lines(terminal: &str) -> Vec<&str> {
    terminal
        .split(CLEAR_LINE)
        .skip(1)
        .map(|line| line.trim_end_matches(['\r', '\n']))
        .collect()
}

/// Runs hf-scan with stderr on a pseudo-terminal `COLUMNS` wide; returns what the terminal
/// received, stdout and the exit status.
pub fn run_on_a_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    run_with_terminal(dir, args, env, None)
}

/// As `run_on_a_terminal`, with standard input on the terminal too, typed as `input` (a
/// `\x04` at the start of a line is Ctrl-D, the end of input).
pub fn type_on_a_terminal(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    input: &str,
) -> (String, String, i32) {
    run_with_terminal(dir, args, env, Some(input))
}

fn run_with_terminal(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    input: Option<&str>,
) -> (String, String, i32) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: COLUMNS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors we then own.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // std's Command, to hand it the terminal: nothing here reads the Hub or a cache.
    let stdin = match input {
        Some(_) => Stdio::from(slave.try_clone().unwrap()),
        None => Stdio::null(),
    };
    let child = Command::new(env!("CARGO_BIN_EXE_hf-scan"))
        .current_dir(dir)
        .env("HF_SCAN_PROGRESS_AFTER_MS", "0")
        .envs(env.iter().copied())
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    if let Some(input) = input {
        use std::io::Write;
        let mut typing = File::from(master.try_clone().unwrap());
        for line in input.split_inclusive(['\n', '\x04']) {
            typing.write_all(line.as_bytes()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    // The child holds the only slave descriptor now: reading the master ends (EIO) when it
    // exits.
    let reader = std::thread::spawn(move || {
        let mut terminal = File::from(master);
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match terminal.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    });
    let output = child.wait_with_output().unwrap();
    let terminal = reader.join().unwrap();
    (
        terminal,
        super::stdout(&output),
        output.status.code().unwrap_or(-1),
    )
}

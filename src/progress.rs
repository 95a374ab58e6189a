//! The progress line: on a terminal only, for scans long enough to need one.
//!
//! Sources name their phases (`walking refs`, `comparing commits`, `scanning blobs`) with a
//! total when they know one, and advance a counter as they go; the collector adds files, bytes
//! and findings. A ticker thread redraws one line on stderr in place — the phase, its count
//! out of its total, the throughput and an ETA — and clears it at the end, so the report and the
//! summary are never interleaved with it. Nothing is drawn when stderr is not a terminal or
//! `--quiet` is given (the CLI decides), nor in the first second (`HF_SCAN_PROGRESS_AFTER_MS`
//! changes that), so short scans print nothing extra.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::collector::human_bytes;

const TICK: Duration = Duration::from_millis(100);
const DEFAULT_AFTER: Duration = Duration::from_secs(1);
/// A phase's rate is trusted for an ETA once it has run this long.
const ETA_AFTER: Duration = Duration::from_millis(300);
const CLEAR_LINE: &str = "\r\x1b[2K";

pub struct Progress {
    commits: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
    findings: AtomicU64,
    phase: Mutex<Phase>,
    phase_done: AtomicU64,
    /// Set once a line has been drawn, so `finish` knows to clear it.
    drawn: AtomicBool,
    done: AtomicBool,
    enabled: bool,
    /// What this scan is part of (`repository 3/12 acme/model`), shown first.
    label: Option<String>,
    started: Instant,
    after: Duration,
}

/// Held while writing to the terminal, so a ticker, a phase change and a log line from
/// another thread (`hf-scan hub`'s clones) never interleave.
static TERMINAL: Mutex<()> = Mutex::new(());
/// Whether a progress line is on the terminal now, for `log_line` to clear first.
static LINE_SHOWN: AtomicBool = AtomicBool::new(false);

/// Prints `text` as a line of its own on standard error; on a terminal the progress line is
/// cleared first (the ticker draws it again on its next tick), while a log file or pipe gets
/// the text alone.
pub fn log_line(text: &str) {
    static STDERR_IS_TERMINAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let _guard = TERMINAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    LINE_SHOWN.store(false, Ordering::Relaxed);
    let on_terminal = *STDERR_IS_TERMINAL.get_or_init(|| std::io::stderr().is_terminal());
    let clear = if on_terminal { CLEAR_LINE } else { "" };
    let _ = writeln!(std::io::stderr().lock(), "{clear}{text}");
}

#[derive(Clone, Copy)]
struct Phase {
    name: &'static str,
    total: Option<u64>,
    started: Instant,
}

/// What a line shows, read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<'a> {
    pub label: Option<&'a str>,
    pub phase: &'a str,
    pub done: u64,
    pub total: Option<u64>,
    pub phase_elapsed: Duration,
    pub files: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub findings: u64,
}

impl Progress {
    /// A progress line that draws only if `enabled`, prefixed with `label` if given.
    pub fn new(enabled: bool, label: Option<String>) -> Self {
        let after = std::env::var("HF_SCAN_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(DEFAULT_AFTER, Duration::from_millis);
        let now = Instant::now();
        Self {
            commits: AtomicU64::new(0),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            findings: AtomicU64::new(0),
            phase: Mutex::new(Phase {
                name: "scanning",
                total: None,
                started: now,
            }),
            phase_done: AtomicU64::new(0),
            drawn: AtomicBool::new(false),
            done: AtomicBool::new(false),
            enabled,
            label,
            started: now,
            after,
        }
    }

    /// Files (or blobs), bytes and findings the collector received.
    pub fn add(&self, items: u64, bytes: u64, findings: u64) {
        self.files.fetch_add(items, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.findings.fetch_add(findings, Ordering::Relaxed);
    }

    pub fn add_commits(&self, commits: u64) {
        self.commits.fetch_add(commits, Ordering::Relaxed);
    }

    /// Starts a phase of `total` steps (if known); the line shows it at once.
    pub fn phase(&self, name: &'static str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        *self.phase.lock().unwrap() = Phase {
            name,
            total,
            started: Instant::now(),
        };
        self.phase_done.store(0, Ordering::Relaxed);
        self.draw();
    }

    /// `steps` more of the current phase are done.
    pub fn advance(&self, steps: u64) {
        self.phase_done.fetch_add(steps, Ordering::Relaxed);
    }

    /// Redraws until `finish` is called, then clears the line; call from a scoped thread.
    pub fn run_ticker(&self) {
        if !self.enabled {
            return;
        }
        while !self.done.load(Ordering::Relaxed) {
            std::thread::sleep(TICK);
            self.draw();
        }
        let _guard = TERMINAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.drawn.load(Ordering::Relaxed) && LINE_SHOWN.swap(false, Ordering::Relaxed) {
            let _ = std::io::stderr().write_all(CLEAR_LINE.as_bytes());
        }
    }

    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    fn draw(&self) {
        if self.started.elapsed() < self.after {
            return;
        }
        let _guard = TERMINAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.done.load(Ordering::Relaxed) {
            return;
        }
        let phase = *self.phase.lock().unwrap();
        let snapshot = Snapshot {
            label: self.label.as_deref(),
            phase: phase.name,
            done: self.phase_done.load(Ordering::Relaxed),
            total: phase.total,
            phase_elapsed: phase.started.elapsed(),
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            elapsed: self.started.elapsed(),
            findings: self.findings.load(Ordering::Relaxed),
        };
        let line = render(&snapshot, terminal_width());
        let _ = std::io::stderr().write_all(format!("{CLEAR_LINE}{line}").as_bytes());
        self.drawn.store(true, Ordering::Relaxed);
        LINE_SHOWN.store(true, Ordering::Relaxed);
    }
}

/// The line for `snapshot`, cut to `width` characters so it never wraps (a wrapped line cannot
/// be redrawn in place): `hf-scan: scanning blobs 1,204/5,000 (24%) · 812/s · ETA 5s · 2 findings`.
pub fn render(snapshot: &Snapshot, width: usize) -> String {
    let mut parts = Vec::new();
    let mut head = String::from("hf-scan: ");
    if let Some(label) = snapshot.label {
        head.push_str(&format!("[{label}] "));
    }
    head.push_str(snapshot.phase);
    let seconds = snapshot.phase_elapsed.as_secs_f64();
    match snapshot.total {
        Some(total) => {
            let done = snapshot.done.min(total);
            let percent = (done * 100).checked_div(total).unwrap_or(100);
            head.push_str(&format!(
                " {}/{} ({percent}%)",
                thousands(done),
                thousands(total)
            ));
            parts.push(head);
            if seconds > 0.0 && done > 0 {
                let rate = done as f64 / seconds;
                parts.push(format!("{}/s", thousands(rate as u64)));
                if snapshot.phase_elapsed >= ETA_AFTER && done < total {
                    let left = (total - done) as f64 / rate;
                    parts.push(format!("ETA {}", duration(left)));
                }
            }
        }
        None => {
            parts.push(head);
            if snapshot.files > 0 {
                parts.push(format!("{} files/blobs", thousands(snapshot.files)));
            }
            let overall = snapshot.elapsed.as_secs_f64();
            if snapshot.bytes > 0 {
                parts.push(human_bytes(snapshot.bytes));
                if overall > 0.0 {
                    parts.push(format!(
                        "{}/s",
                        human_bytes((snapshot.bytes as f64 / overall) as u64)
                    ));
                }
            }
        }
    }
    parts.push(format!(
        "{} finding{}",
        thousands(snapshot.findings),
        if snapshot.findings == 1 { "" } else { "s" }
    ));
    let line = parts.join(" · ");
    line.chars().take(width.saturating_sub(1).max(20)).collect()
}

/// `12,345`.
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `5s`, `2m05s`, `1h02m`.
pub fn duration(seconds: f64) -> String {
    let seconds = seconds.ceil() as u64;
    match seconds {
        0..=59 => format!("{seconds}s"),
        60..=3599 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds / 60 % 60),
    }
}

/// Columns of the terminal on stderr (80 when it will not say).
fn terminal_width() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the winsize it is given and touches nothing else.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) } == 0
            && size.ws_col > 0
        {
            return usize::from(size.ws_col);
        }
    }
    80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(done: u64, total: Option<u64>, phase_ms: u64) -> Snapshot<'static> {
        Snapshot {
            label: None,
            phase: "scanning blobs",
            done,
            total,
            phase_elapsed: Duration::from_millis(phase_ms),
            files: 1500,
            bytes: 3 * 1024 * 1024,
            elapsed: Duration::from_secs(2),
            findings: 2,
        }
    }

    #[test]
    fn a_phase_with_a_total_shows_count_rate_and_eta() {
        assert_eq!(
            render(&snapshot(1_250, Some(5_000), 2_500), 200),
            "hf-scan: scanning blobs 1,250/5,000 (25%) · 500/s · ETA 8s · 2 findings"
        );
        // Too early for a rate to mean anything: no ETA yet.
        assert_eq!(
            render(&snapshot(10, Some(5_000), 100), 200),
            "hf-scan: scanning blobs 10/5,000 (0%) · 100/s · 2 findings"
        );
        assert!(render(&snapshot(100, Some(100_000), 1_000), 200).contains("ETA 16m39s"));
        assert!(render(&snapshot(1, Some(100_000), 1_000), 200).contains("ETA 27h46m"));
    }

    #[test]
    fn without_a_total_it_shows_what_was_read_and_how_fast() {
        let line = render(
            &Snapshot {
                label: Some("repository 2/9 acme/m"),
                ..snapshot(0, None, 0)
            },
            200,
        );
        assert_eq!(
            line,
            "hf-scan: [repository 2/9 acme/m] scanning blobs · 1,500 files/blobs · 3.0 MiB · \
             1.5 MiB/s · 2 findings"
        );
    }

    #[test]
    fn the_line_never_wraps() {
        let line = render(&snapshot(1_250, Some(5_000), 2_500), 30);
        assert_eq!(line.chars().count(), 29);
    }
}

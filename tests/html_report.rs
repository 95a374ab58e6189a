//! The HTML report in a real browser: Debian's headless Chromium, driven through ChromeDriver's
//! WebDriver API over HTTP on 127.0.0.1. A history scan with verification against the stand-in
//! Hub writes the report; the test reads the counts and rows from the DOM, types into the filter,
//! picks a severity, sorts a column, and saves a screenshot as `target/html-report.png`.
//!
//! Without Chromium the test says so and passes, except under `CI`, where it fails: `.ci/run`
//! installs `chromium` and `chromium-driver`.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::hub::{tokens, whoami, Answer, FakeHub};
use common::*;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A repository with leaks across a year, in several directories, with hostile strings where
/// scanned content reaches the page: a file name and a commit message that are HTML.
fn leaky_repository(dir: &Path, tokens: &[String]) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(
        dir,
        &[
            "remote",
            "add",
            "origin",
            "git@github.com:acme-ml/trainer.git",
        ],
    );
    let files = [
        "train.py",
        "src/upload.py",
        "notebooks/eval.py",
        "configs/hub.env",
        "src/<img src=x onerror=alert(1)>.py",
    ];
    for (i, token) in tokens.iter().enumerate() {
        let path = files[i % files.len()];
        write(dir, path, format!("# step {i}\nHF_TOKEN = \"{token}\"\n"));
        git(dir, &["add", "-A"]);
        let date = format!("2025-{:02}-1{}T10:00:00+00:00", i % 12 + 1, i % 10);
        let output = with_test_git_identity(
            Command::new("git")
                .current_dir(dir)
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date)
                .args(["commit", "-qm"])
                .arg(format!("Step {i} <script>alert('commit')</script>")),
        )
        .output()
        .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
}

#[test]
fn the_html_report_counts_filters_and_sorts_in_a_real_browser() {
    let t = tokens(1400, 7);
    let answers = HashMap::from([
        (
            t[0].clone(),
            Answer::Valid(whoami("alice", "write", &[("acme-ml", "admin")])),
        ),
        (
            t[1].clone(),
            Answer::Valid(whoami("bob", "read", &[("acme-ml", "read")])),
        ),
        (t[2].clone(), Answer::Invalid),
        (t[3].clone(), Answer::Invalid),
        (t[4].clone(), Answer::ServerError),
        (t[5].clone(), Answer::Invalid),
        (t[6].clone(), Answer::Invalid),
    ]);
    let hub = FakeHub::start(answers, Duration::ZERO);
    let dir = temp_dir();
    leaky_repository(dir.path(), &t);
    let out = temp_dir();
    let html = out.path().join("report.html");
    let json_file = out.path().join("report.json");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--history", "--verify", "--hf-endpoint", &hub.url])
        .args(["--reach-requests", "0", "--format", "html", "--output"])
        .arg(&html)
        .arg("--report")
        .arg(format!("json={}", json_file.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let page = std::fs::read_to_string(&html).unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();

    // Before any browser: redacted, escaped, self-contained.
    for token in &t {
        assert!(
            !page.contains(token.as_str()),
            "a whole token is in the page"
        );
    }
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only hf-scan's own script"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;script&gt;alert(&#39;commit&#39;)&lt;/script&gt;"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"//"));

    let Some(browser) = Browser::start() else {
        return;
    };
    browser.open(&html);
    let number = |selector: &str| -> u64 {
        browser
            .script(&format!(
                "return document.querySelector('{selector}').textContent"
            ))
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let expected = findings(&report).len() as u64;
    assert_eq!(expected, 7);
    assert_eq!(number("#total-findings .n"), expected);
    assert_eq!(number("#total-tokens .n"), 7);
    assert_eq!(number("#total-live .n"), 2);
    let count_row = |figure: &str, label: &str| -> u64 {
        browser
            .script(&format!(
                "return Array.from(document.querySelectorAll('#{figure} tr'))\
                 .find(r => r.querySelector('th').textContent.startsWith('{label}'))\
                 .querySelector('td.n').textContent"
            ))
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(count_row("by-severity", "critical"), 1);
    assert_eq!(count_row("by-severity", "high"), 2);
    assert_eq!(count_row("by-severity", "low"), 4);
    assert_eq!(count_row("by-status", "live"), 2);
    assert_eq!(count_row("by-status", "revoked"), 4);
    assert_eq!(count_row("by-status", "unknown"), 1);
    assert_eq!(count_row("by-path", "src/"), 3);
    let timeline_bars = browser.script("return document.querySelectorAll('#timeline rect').length");
    assert_eq!(
        timeline_bars,
        json!(7),
        "one bar per month from January to July"
    );

    let visible = || -> u64 {
        browser
            .script("return Array.from(document.querySelectorAll('#findings-table tbody tr')).filter(r => !r.hidden).length")
            .as_u64()
            .unwrap()
    };
    assert_eq!(visible(), expected);
    assert_eq!(
        browser.script("return document.getElementById('shown').textContent"),
        json!("Showing 7 of 7")
    );
    // The script ran under the page's own Content-Security-Policy (a blocked script would
    // leave `shown` empty), and the hostile names stayed text.
    assert_eq!(
        browser.script("return document.querySelectorAll('img').length"),
        json!(0)
    );
    let links: Vec<String> = serde_json::from_value(
        browser
            .script("return Array.from(document.querySelectorAll('td.where a')).map(a => a.href)"),
    )
    .unwrap();
    assert_eq!(links.len() as u64, expected);
    for link in &links {
        assert!(
            link.starts_with("https://github.com/acme-ml/trainer/blob/") && link.contains("#L2"),
            "{link}"
        );
    }
    assert!(
        links
            .iter()
            .any(|l| l.contains("/src/%3Cimg%20src=x%20onerror=alert(1)%3E.py#L2")),
        "{links:?}"
    );

    // Typing into the filter.
    let filter = browser.find("#filter");
    browser.type_into(&filter, "src/");
    assert_eq!(visible(), 3);
    browser.type_into(&filter, "\u{0008}\u{0008}\u{0008}\u{0008}alice");
    assert_eq!(visible(), 1);
    browser.script("document.getElementById('filter').value = ''; document.getElementById('filter').dispatchEvent(new Event('input'))");
    assert_eq!(visible(), expected);

    // Choosing a severity, and clicking a summary row.
    browser.click(&browser.find("#severity-filter option:nth-child(5)"));
    assert_eq!(visible(), 4, "four low (revoked) findings");
    browser.click(&browser.find("#severity-filter option:nth-child(1)"));
    assert_eq!(visible(), expected);
    browser.click(&browser.find("#by-status tr[data-filter='status=live']"));
    assert_eq!(visible(), 2);
    browser.click(&browser.find("#by-status tr[data-filter='status=live']"));
    assert_eq!(visible(), expected);

    // Sorting: by date, then by severity, each way.
    let column = |index: usize| -> Vec<String> {
        serde_json::from_value(browser.script(&format!(
            "return Array.from(document.querySelectorAll('#findings-table tbody tr'))\
             .map(r => r.cells[{index}].textContent)"
        )))
        .unwrap()
    };
    browser.click(&browser.find("#findings-table th:nth-child(8)"));
    let dates = column(7);
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    browser.click(&browser.find("#findings-table th:nth-child(8)"));
    sorted.reverse();
    assert_eq!(column(7), sorted);
    browser.click(&browser.find("#findings-table th:nth-child(1)"));
    browser.click(&browser.find("#findings-table th:nth-child(1)"));
    assert_eq!(column(0)[0], "critical");
    assert_eq!(column(0)[6], "low");

    browser.script("window.scrollTo(0, 0)");
    browser.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("../html-report.png"));
}

#[test]
fn an_empty_result_is_a_clean_page_that_says_so() {
    let dir = temp_dir();
    write(dir.path(), "README.md", "nothing here\n");
    let out = temp_dir();
    let file = out.path().join("clean.html");
    let output = hf_scan()
        .current_dir(dir.path())
        .arg("--report")
        .arg(format!("html={}", file.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("0 findings"),
        "the text summary on standard error as usual"
    );
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("id=\"no-findings\""), "{page}");
    assert!(page.contains("<span class=\"n\">0</span>"));
    assert!(page.trim_end().ends_with("</html>"));
}

/// A ChromeDriver process and one headless Chromium session.
struct Browser {
    driver: Child,
    base: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts ChromeDriver and a session, or returns `None` (failing under `CI`) when Chromium
    /// is not installed.
    fn start() -> Option<Self> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser test: install Debian's chromium and chromium-driver"
            );
            eprintln!("SKIPPED: {CHROMIUM} or {CHROMEDRIVER} is not installed");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::blocking::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            _profile: profile,
        };
        let started = Instant::now();
        while browser
            .http
            .get(format!("{}/status", browser.base))
            .send()
            .is_err()
        {
            if started.elapsed() > Duration::from_secs(30) {
                let mut log = String::new();
                browser
                    .driver
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut log)
                    .ok();
                panic!("chromedriver did not start: {log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let session = browser.post(
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1400,1300",
                    format!("--user-data-dir={}", browser._profile.path().display()),
                ]}
            }}}),
        );
        let id = session["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        browser.base = format!("{}/session/{id}", browser.base);
        Some(browser)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap_or_else(|err| panic!("webdriver {path}: {err}"));
        let status = response.status();
        let answer: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        assert!(status.is_success(), "webdriver {path}: {answer}");
        answer["value"].clone()
    }

    fn open(&self, file: &Path) {
        self.post("/url", json!({"url": format!("file://{}", file.display())}));
    }

    fn script(&self, source: &str) -> Value {
        self.post("/execute/sync", json!({"script": source, "args": []}))
    }

    fn find(&self, selector: &str) -> String {
        let element = self.post(
            "/element",
            json!({"using": "css selector", "value": selector}),
        );
        element
            .as_object()
            .and_then(|object| object.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {selector}"))
            .to_string()
    }

    fn click(&self, element: &str) {
        self.post(&format!("/element/{element}/click"), json!({}));
    }

    fn type_into(&self, element: &str, text: &str) {
        self.post(&format!("/element/{element}/value"), json!({"text": text}));
    }

    fn screenshot(&self, path: &PathBuf) {
        let response = self
            .http
            .get(format!("{}/screenshot", self.base))
            .send()
            .unwrap();
        let answer: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        let png = decode_base64(answer["value"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut group = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            group |= u32::from(value(*c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&group.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn a_token_in_a_path_is_redacted_in_every_part_of_the_page() {
    let t = tokens(1401, 2);
    let dir = temp_dir();
    // The directory's name is a token: it is both a finding's path and the path prefix the
    // summary counts by.
    write(
        dir.path(),
        &format!("{}/app.py", t[0]),
        format!("token = \"{}\"\n", t[1]),
    );
    // In a repository on GitHub, so the finding would link to the file, whose URL holds the
    // token too.
    git(dir.path(), &["init", "-q"]);
    git(
        dir.path(),
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "app"]);
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains("id=\"by-path\""));
    assert!(!page.contains("href=\"https://github.com"), "{page}");
    for token in &t {
        assert!(
            !page.contains(token.as_str()),
            "a whole token is in the page"
        );
    }
}

/// Without verification there is no empty owner column; a history finding says its line is
/// the file's at the introducing commit; a path breaks after its slashes.
#[test]
fn the_page_fits_what_the_scan_knows() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(31));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(
        dir.path(),
        "deep/config/app.env",
        format!("\nHF_TOKEN={token}\n"),
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    let out = temp_dir();
    let file = out.path().join("r.html");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--history", "--format", "html", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(
        !page.contains("Owner and role"),
        "no verification, no owner column"
    );
    assert!(page.contains("line as of "), "{page}");
    assert!(page.contains("deep/<wbr>config/<wbr>app.env"), "{page}");
}

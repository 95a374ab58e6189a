//! How tokens travel to the Hub, against real servers on 127.0.0.1: which endpoint and how it
//! is announced, what endpoints are refused, TLS with an extra CA, an explicit proxy, answer
//! size caps, the Hub's own rate-limit headers and the deadline, the verification cache.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::hub::{by_secret, scan_verified, test_ca, tokens, whoami, Answer, FakeHub, Setup};
use common::*;

fn reason(report: &serde_json::Value, token: &str) -> String {
    by_secret(report, token)["verification"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The same scripted answer for each token.
fn every_token(tokens: &[String], answer: Answer) -> HashMap<String, Answer> {
    tokens
        .iter()
        .map(|token| (token.clone(), answer.clone()))
        .collect()
}

#[test]
fn an_endpoint_from_the_environment_is_announced_before_any_token_is_sent() {
    let t = tokens(430, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let output = hf_scan()
        .current_dir(dir.path())
        .env("HF_ENDPOINT", &hub.url)
        .args(["--verify", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(hub.requests_to("/api/whoami-v2").len(), 1);
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "sending 1 token to {} (from HF_ENDPOINT)",
            hub.url
        )),
        "even with --quiet, a mirror from the environment is named: {err}"
    );

    // Named on the command line: the user chose it, no announcement.
    let (_, _, err) = scan_verified(&hub, &t, &["--quiet"]);
    assert!(!err.contains("HF_ENDPOINT"), "{err}");
}

#[test]
fn endpoints_with_user_info_a_query_or_a_fragment_are_refused_before_anything_is_sent() {
    let t = tokens(431, 1);
    let hub = FakeHub::start(HashMap::new(), Duration::ZERO);
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let authority = hub.url.trim_start_matches("http://");
    for (endpoint, complaint) in [
        (format!("http://user:secret@{authority}"), "user info"),
        (format!("http://user@{authority}"), "user info"),
        (format!("{}/?a=b", hub.url), "query"),
        (format!("{}/#x", hub.url), "fragment"),
    ] {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(["--verify", "--hf-endpoint", &endpoint])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{endpoint}");
        assert!(stderr(&output).contains(complaint), "{}", stderr(&output));
        assert!(!stderr(&output).contains("secret@"), "{}", stderr(&output));
    }
    assert!(hub.requests().is_empty());
}

#[test]
fn an_endpoint_path_prefix_is_kept() {
    let t = tokens(432, 1);
    let hub = FakeHub::start(HashMap::new(), Duration::ZERO);
    let prefixed = format!("{}/mirror/hf", hub.url);
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &prefixed])
        .output()
        .unwrap();
    let requests = hub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/mirror/hf/api/whoami-v2");
}

#[test]
fn a_huge_answer_is_not_read() {
    let t = tokens(433, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Huge(3 << 20))]),
        Duration::ZERO,
    );
    let (report, code, _) = scan_verified(&hub, &t, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        by_secret(&report, &t[0])["verification"]["status"],
        "unknown"
    );
    assert!(reason(&report, &t[0]).contains("larger than 1024 KiB"));
    assert_eq!(hub.requests().len(), 1, "not asked again");
}

#[test]
fn output_files_are_opened_before_any_token_is_sent() {
    let t = tokens(434, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    for flag in ["-o", "--report"] {
        let target = if flag == "-o" {
            "/no/such/dir/report.json".to_string()
        } else {
            "sarif=/no/such/dir/report.sarif".to_string()
        };
        let output = hf_scan()
            .current_dir(dir.path())
            .args(["--verify", "--hf-endpoint", &hub.url, flag, &target])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    }
    assert!(hub.requests().is_empty(), "nothing was sent");
}

#[test]
fn tls_needs_a_trusted_certificate_and_ca_file_adds_one() {
    let t = tokens(435, 1);
    let hub = FakeHub::with(Setup {
        answers: HashMap::from([(t[0].clone(), Answer::Valid(whoami("ivy", "read", &[])))]),
        tls: true,
        ..Setup::default()
    });
    assert!(hub.url.starts_with("https://127.0.0.1:"));

    let (report, code, _) = scan_verified(&hub, &t, &["--reach-requests", "0"]);
    assert_eq!(code, 1);
    let why = reason(&report, &t[0]);
    assert!(
        why.contains("certificate") && why.contains("--ca-file"),
        "{why}"
    );
    assert!(hub.requests().is_empty(), "no request got through");

    let ca = test_ca();
    let (report, _, _) = scan_verified(
        &hub,
        &t,
        &["--ca-file", ca.to_str().unwrap(), "--reach-requests", "0"],
    );
    assert_eq!(by_secret(&report, &t[0])["verification"]["status"], "valid");
    assert_eq!(by_secret(&report, &t[0])["verification"]["user"], "ivy");

    // The bundled roots stay: a CA file adds, it does not replace (checked by the client
    // builder); a file with no certificate is an error before anything is sent.
    let dir = temp_dir();
    let not_pem = write(dir.path(), "ca.pem", "not a certificate\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &hub.url, "--ca-file"])
        .arg(&not_pem)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no PEM certificate"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_explicit_proxy_carries_the_requests_and_environment_proxies_are_ignored() {
    let t = tokens(436, 1);
    let proxy = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    // Nothing listens on the endpoint: only the proxy can answer.
    let unreachable = "http://127.0.0.1:9";
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let output = hf_scan()
        .current_dir(dir.path())
        .args([
            "--verify",
            "--format",
            "json",
            "--hf-endpoint",
            unreachable,
            "--proxy",
            &proxy.url,
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        findings(&report)[0]["verification"]["status"],
        "invalid",
        "{}",
        stderr(&output)
    );
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, format!("{unreachable}/api/whoami-v2"));

    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let output = hf_scan()
        .current_dir(dir.path())
        .env("HTTP_PROXY", &proxy.url)
        .env("http_proxy", &proxy.url)
        .env("ALL_PROXY", &proxy.url)
        .args(["--verify", "--hf-endpoint", &hub.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(hub.requests().len(), 1, "went straight to the endpoint");
    assert_eq!(
        proxy.requests().len(),
        1,
        "the environment's proxy saw nothing"
    );

    let bad = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--proxy", "socks5://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--proxy"), "{}", stderr(&bad));
}

/// The Hub answers 429 with `RateLimit: "api";r=0;t=S` and a 300 s window policy, no
/// Retry-After: hf-scan waits S seconds, says so, then gets its answer.
#[test]
fn the_hubs_rate_limit_headers_pause_verification_with_a_notice() {
    let t = tokens(437, 2);
    let hub = FakeHub::start(
        every_token(
            &t,
            Answer::HubRateLimited {
                reset: 2,
                times: 1,
                then: Box::new(Answer::Invalid),
            },
        ),
        Duration::ZERO,
    );
    let started = Instant::now();
    let (report, code, err) = scan_verified(&hub, &t, &[]);
    let elapsed = started.elapsed();
    assert_eq!(code, 1, "revoked tokens are still findings: {err}");
    for token in &t {
        assert_eq!(
            by_secret(&report, token)["verification"]["status"],
            "invalid"
        );
    }
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(8),
        "the workers paused together, not one after the other: {elapsed:?}"
    );
    assert!(
        err.contains("the Hub's rate limit was reached; waiting 2 s"),
        "{err}"
    );
    assert!(err.contains("paused verification for"), "{err}");
}

/// A window longer than the deadline is not waited for: the tokens are `unknown` with that
/// reason, soon, and `--only-verified` keeps them.
#[test]
fn the_deadline_bounds_the_whole_verification() {
    let t = tokens(438, 3);
    let hub = FakeHub::start(
        every_token(
            &t,
            Answer::HubRateLimited {
                reset: 120,
                times: 100,
                then: Box::new(Answer::Invalid),
            },
        ),
        Duration::ZERO,
    );
    let started = Instant::now();
    let (report, code, _) = scan_verified(&hub, &t, &["--verify-deadline", "3", "--only-verified"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(code, 1, "could not check is not clean");
    assert_eq!(findings(&report).len(), 3);
    for token in &t {
        let why = reason(&report, token);
        assert!(
            why.contains("429") && why.contains("--verify-deadline"),
            "{why}"
        );
    }
}

#[test]
fn answers_are_cached_by_hash_privately_and_only_when_they_settle_something() {
    let t = tokens(439, 3);
    let hub = FakeHub::start(
        HashMap::from([
            (t[0].clone(), Answer::Valid(whoami("jo", "read", &[]))),
            (t[1].clone(), Answer::Invalid),
            (t[2].clone(), Answer::ServerError),
        ]),
        Duration::ZERO,
    );
    let cache = temp_dir();
    let dir = temp_dir();
    for (i, token) in t.iter().enumerate() {
        write(dir.path(), &format!("f{i}.env"), token);
    }
    let run = |extra: &[&str]| {
        let output = hf_scan()
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", cache.path())
            .args(["--verify", "--format", "json", "--hf-endpoint", &hub.url])
            .args(["--reach-requests", "0"])
            .args(extra)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (report, stderr(&output))
    };
    let whoami_calls = || hub.requests_to("/api/whoami-v2").len();

    run(&[]);
    let first = whoami_calls();
    assert_eq!(first, 1 + 1 + 4, "the 500 is retried");
    let (report, err) = run(&[]);
    assert_eq!(
        whoami_calls() - first,
        4,
        "only the unsettled token is asked again"
    );
    assert!(
        err.contains("2 answers from the verification cache"),
        "{err}"
    );
    assert_eq!(
        findings(&report)
            .iter()
            .map(|f| f["verification"]["status"].as_str().unwrap())
            .collect::<Vec<_>>()
            .iter()
            .filter(|s| **s != "unknown")
            .count(),
        2
    );

    let before = whoami_calls();
    run(&["--no-verify-cache"]);
    assert_eq!(whoami_calls() - before, 6, "--no-verify-cache asks again");

    let files: Vec<_> = std::fs::read_dir(cache.path().join("hf-scan"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let stored = std::fs::read_to_string(&files[0]).unwrap();
    for token in &t {
        assert!(!stored.contains(token.as_str()), "never the token itself");
    }
    assert!(stored.contains(&hf_scan::finding::hex_sha256(t[1].as_bytes())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// The deadline is a bound on the whole phase, not only on rate-limit pauses: a request in
/// flight when it passes is cut off, and tokens not yet sent are not sent.
#[test]
fn the_deadline_cuts_off_a_slow_hub() {
    let t = tokens(440, 3);
    let hub = FakeHub::start(
        every_token(
            &t,
            Answer::Slow(Duration::from_secs(4), Box::new(Answer::Invalid)),
        ),
        Duration::ZERO,
    );
    let started = Instant::now();
    let (report, _, _) = scan_verified(
        &hub,
        &t,
        &["--verify-deadline", "2", "--verify-concurrency", "1"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    for token in &t {
        assert_eq!(
            by_secret(&report, token)["verification"]["status"],
            "unknown"
        );
    }
    assert!(
        reason(&report, &t[2]).contains("--verify-deadline (2 s)"),
        "{report}"
    );
}

//! Live verification against a real HTTP server on 127.0.0.1 (never the internet): every
//! classification path, retries, etiquette, security, and the verify/revoke subcommands.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::hub::{by_secret, scan_verified, tokens, whoami, Answer, FakeHub};
use common::*;
use serde_json::Value;

#[test]
fn every_answer_is_classified_and_sets_severity() {
    let t = tokens(400, 7);
    let fine_grained = serde_json::json!({
        "type": "user", "name": "carol", "orgs": [],
        "auth": {"accessToken": {"displayName": "ci", "role": "fineGrained",
            "fineGrained": {"global": ["discussion.read"],
                "scoped": [{"entity": {"type": "model", "name": "carol/m"},
                            "permissions": ["repo.content.read", "repo.write"]}]}}}
    })
    .to_string();
    let answers = HashMap::from([
        (
            t[0].clone(),
            Answer::Valid(whoami("alice", "write", &[("acme-ml", "admin")])),
        ),
        (
            t[1].clone(),
            Answer::Valid(whoami("bob", "read", &[("acme-ml", "read")])),
        ),
        (t[2].clone(), Answer::Valid(fine_grained)),
        (t[3].clone(), Answer::Invalid),
        (t[4].clone(), Answer::ServerError),
        (
            t[5].clone(),
            Answer::Redirect("http://127.0.0.1:9/elsewhere".into()),
        ),
        (t[6].clone(), Answer::Valid("{\"unexpected\": true}".into())),
    ]);
    let hub = FakeHub::start(answers, Duration::ZERO);
    let (report, code, _) = scan_verified(&hub, &t, &[]);
    assert_eq!(code, 1);

    let alice = by_secret(&report, &t[0]);
    assert_eq!(alice["severity"], "critical");
    let v = &alice["verification"];
    assert_eq!(v["status"], "valid");
    assert_eq!(v["user"], "alice");
    assert_eq!(v["type"], "user");
    assert_eq!(v["role"], "write");
    assert_eq!(v["token_name"], "laptop");
    assert_eq!(
        v["orgs"],
        serde_json::json!([{"name": "acme-ml", "role": "admin"}])
    );

    let bob = by_secret(&report, &t[1]);
    assert_eq!(
        (
            bob["severity"].as_str(),
            bob["verification"]["role"].as_str()
        ),
        (Some("high"), Some("read"))
    );

    let carol = by_secret(&report, &t[2]);
    assert_eq!(
        carol["severity"], "critical",
        "fine-grained with a write permission"
    );
    assert_eq!(
        carol["verification"]["scopes"]["scoped"][0]["entity"],
        "carol/m"
    );

    let revoked = by_secret(&report, &t[3]);
    assert_eq!(revoked["verification"]["status"], "invalid");
    assert_eq!(revoked["severity"], "low");

    let erroring = by_secret(&report, &t[4]);
    assert_eq!(erroring["verification"]["status"], "unknown");
    assert!(erroring["verification"]["reason"]
        .as_str()
        .unwrap()
        .contains("500"));
    assert_eq!(erroring["severity"], "high");

    let redirected = by_secret(&report, &t[5]);
    assert_eq!(redirected["verification"]["status"], "unknown");
    assert!(redirected["verification"]["reason"]
        .as_str()
        .unwrap()
        .contains("redirect"));

    let odd = by_secret(&report, &t[6]);
    assert_eq!(
        odd["verification"]["status"], "valid",
        "a 200 means the token works"
    );

    // Ranked: live write tokens first.
    assert_eq!(findings(&report)[0]["severity"], "critical");
    assert_eq!(findings(&report).last().unwrap()["severity"], "low");

    // Server errors are retried a bounded number of times; a 401 is not retried.
    let count = |token: &str| {
        hub.requests()
            .iter()
            .filter(|r| r.authorization.as_deref() == Some(&format!("Bearer {token}")))
            .count()
    };
    assert_eq!(count(&t[4]), 4);
    assert_eq!(count(&t[3]), 1);
    assert_eq!(count(&t[5]), 1, "a redirect is not followed or retried");
}

/// Severity follows what the token can really do: its role or permissions bound it, whatever
/// its owner's membership; writing discussions or calling inference is not writing repositories.
#[test]
fn power_is_bounded_by_the_role_and_the_permissions() {
    let mut t = tokens(420, 7);
    t.push(fake_org_token(&mut Rng::new(421)));
    let fine = |permissions: &[&str]| {
        serde_json::json!({"type": "user", "name": "dana", "orgs": [],
            "auth": {"type": "access_token", "accessToken": {"displayName": "bot",
                "role": "fineGrained", "fineGrained": {"global": permissions, "scoped": []}}}})
        .to_string()
    };
    let oauth = serde_json::json!({"type": "user", "name": "eve", "orgs": [],
        "auth": {"type": "app_token", "permissions": ["read-repos"],
                 "expiresAt": "2026-12-24T00:00:00.000Z"}})
    .to_string();
    let hub = FakeHub::start(
        HashMap::from([
            (
                t[0].clone(),
                Answer::Valid(whoami("ada", "read", &[("acme-ml", "admin")])),
            ),
            (
                t[1].clone(),
                Answer::Valid(fine(&["inference.serverless.write", "discussion.write"])),
            ),
            (
                t[2].clone(),
                Answer::Valid(whoami("cy", "contributor", &[])),
            ),
            (t[3].clone(), Answer::Valid(oauth)),
            (t[4].clone(), Answer::Valid(whoami("al", "admin", &[]))),
            (
                t[5].clone(),
                Answer::Valid(
                    serde_json::json!({"type": "user", "name": "bo", "orgs": [],
                    "auth": {"type": "access_token", "accessToken": {"displayName": "ci",
                        "role": "fineGrained", "fineGrained": {"canReadGatedRepos": false,
                        "global": ["discussion.write"],
                        "scoped": [{"entity": {"type": "model", "name": "bo/m"},
                                    "permissions": ["repo.content.read", "repo.write"]}]}}}})
                    .to_string(),
                ),
            ),
            (
                t[6].clone(),
                Answer::Valid(
                    serde_json::json!({"type": "app", "name": "my-app",
                    "auth": {"type": "app_token"}, "scope": {"role": "read"}})
                    .to_string(),
                ),
            ),
            (
                t[7].clone(),
                Answer::Valid(
                    serde_json::json!({"type": "org", "name": "acme-ml", "fullname": "Acme",
                    "auth": {"type": "access_token", "accessToken": {"displayName": "legacy",
                        "role": "write"}}})
                    .to_string(),
                ),
            ),
        ]),
        Duration::ZERO,
    );
    let (report, _, _) = scan_verified(&hub, &t, &[]);
    let judged = |token: &str| {
        let finding = by_secret(&report, token);
        (
            finding["severity"].as_str().unwrap().to_string(),
            finding["verification"]["power"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    assert_eq!(
        judged(&t[0]),
        ("high".into(), "read".into()),
        "read token of an org admin"
    );
    assert_eq!(
        judged(&t[1]),
        ("high".into(), "write-other".into()),
        "inference and discussions"
    );
    assert_eq!(
        judged(&t[2]),
        ("critical".into(), "write-repos".into()),
        "contributor"
    );
    assert_eq!(
        judged(&t[3]),
        ("high".into(), "read".into()),
        "OAuth, read-repos"
    );
    let eve = &by_secret(&report, &t[3])["verification"];
    assert_eq!(eve["auth_type"], "app_token");
    assert_eq!(eve["expires_at"], "2026-12-24T00:00:00.000Z");
    assert_eq!(
        judged(&t[4]),
        ("critical".into(), "manage".into()),
        "admin role"
    );
    assert_eq!(
        judged(&t[5]),
        ("critical".into(), "write-repos".into()),
        "fine-grained, repo.write on one model"
    );
    assert_eq!(
        by_secret(&report, &t[5])["verification"]["can_read_gated_repos"],
        false
    );
    assert_eq!(
        judged(&t[6]),
        ("high".into(), "read".into()),
        "app token, read scope"
    );
    assert_eq!(by_secret(&report, &t[6])["verification"]["type"], "app");
    assert_eq!(
        judged(&t[7]),
        ("critical".into(), "write-repos".into()),
        "organisation API token with a write role"
    );
    assert_eq!(by_secret(&report, &t[7])["rule_id"], "hf-org-api-token");
    assert_eq!(by_secret(&report, &t[7])["verification"]["type"], "org");
}

#[test]
fn requests_carry_bearer_and_user_agent_and_nothing_else_leaks() {
    let t = tokens(401, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let (_, _, err) = scan_verified(&hub, &t, &[]);
    let requests = hub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/api/whoami-v2");
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {}", t[0]).as_str())
    );
    assert_eq!(
        requests[0].user_agent.as_deref(),
        Some(concat!("hf-scan/", env!("CARGO_PKG_VERSION")))
    );
    assert!(!err.contains(&t[0]));
}

#[test]
fn rate_limit_is_honoured_then_bounded_and_never_invalid() {
    let t = tokens(402, 2);
    let answers = HashMap::from([
        (
            t[0].clone(),
            Answer::RateLimited {
                retry_after: 1,
                times: 1,
                then: Box::new(Answer::Valid(whoami("dora", "read", &[]))),
            },
        ),
        (
            t[1].clone(),
            Answer::RateLimited {
                retry_after: 0,
                times: 100,
                then: Box::new(Answer::Invalid),
            },
        ),
    ]);
    let hub = FakeHub::start(answers, Duration::ZERO);
    let started = Instant::now();
    let (report, _, _) = scan_verified(&hub, &t, &[]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(by_secret(&report, &t[0])["verification"]["status"], "valid");
    let limited = by_secret(&report, &t[1]);
    assert_eq!(limited["verification"]["status"], "unknown");
    assert!(limited["verification"]["reason"]
        .as_str()
        .unwrap()
        .contains("429"));
    let attempts = hub
        .requests()
        .iter()
        .filter(|r| r.authorization.as_deref() == Some(&format!("Bearer {}", t[1])))
        .count();
    assert_eq!(attempts, 4, "one request and three retries");
}

#[test]
fn each_distinct_token_is_checked_once() {
    let t = tokens(403, 2);
    let repeated: Vec<String> = (0..6).map(|i| t[i % 2].clone()).collect();
    let hub = FakeHub::start(
        HashMap::from([
            (t[0].clone(), Answer::Valid(whoami("erin", "read", &[]))),
            (t[1].clone(), Answer::Invalid),
        ]),
        Duration::ZERO,
    );
    let (report, _, _) = scan_verified(&hub, &repeated, &[]);
    assert_eq!(findings(&report).len(), 6);
    assert_eq!(hub.requests_to("/api/whoami-v2").len(), 2);
}

#[test]
fn concurrency_is_capped() {
    let t = tokens(404, 12);
    let answers = t
        .iter()
        .map(|token| (token.clone(), Answer::Invalid))
        .collect();
    let hub = FakeHub::start(answers, Duration::from_millis(150));
    let (_, _, _) = scan_verified(&hub, &t, &["--verify-concurrency", "3"]);
    assert_eq!(hub.requests().len(), 12);
    assert!(
        hub.max_in_flight() <= 3,
        "{} in flight",
        hub.max_in_flight()
    );
    assert!(hub.max_in_flight() >= 2, "requests ran in parallel");
}

#[test]
fn timeout_makes_the_token_unknown() {
    let t = tokens(405, 1);
    let hub = FakeHub::start(
        HashMap::from([(
            t[0].clone(),
            Answer::Slow(Duration::from_secs(3), Box::new(Answer::Invalid)),
        )]),
        Duration::ZERO,
    );
    let (report, code, _) = scan_verified(&hub, &t, &["--verify-timeout", "1"]);
    assert_eq!(code, 1);
    let v = &by_secret(&report, &t[0])["verification"];
    assert_eq!(v["status"], "unknown");
    assert!(v["reason"].as_str().unwrap().contains("timed out"), "{v}");
}

#[test]
fn redirect_target_never_sees_the_token() {
    let t = tokens(406, 1);
    let elsewhere = FakeHub::start(HashMap::new(), Duration::ZERO);
    let hub = FakeHub::start(
        HashMap::from([(
            t[0].clone(),
            Answer::Redirect(format!("{}/api/whoami-v2", elsewhere.url)),
        )]),
        Duration::ZERO,
    );
    let (report, _, _) = scan_verified(&hub, &t, &[]);
    assert_eq!(
        by_secret(&report, &t[0])["verification"]["status"],
        "unknown"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect was not followed"
    );
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_request() {
    let dir = temp_dir();
    write(dir.path(), "a.env", fake_token(&mut Rng::new(407)));
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", "http://hub.example.invalid"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("plain http"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "", "refused before scanning");
}

#[test]
fn only_verified_keeps_live_tokens_and_sets_the_exit_status() {
    let t = tokens(409, 2);
    let hub = FakeHub::start(
        HashMap::from([
            (t[0].clone(), Answer::Valid(whoami("fay", "read", &[]))),
            (t[1].clone(), Answer::Invalid),
        ]),
        Duration::ZERO,
    );
    let (report, code, _) = scan_verified(&hub, &t, &["--only-verified"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(findings(&report)[0]["secret"], t[0].as_str());

    let dead = FakeHub::start(
        HashMap::from([(t[1].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let (report, code, _) = scan_verified(&dead, &t[1..], &["--only-verified"]);
    assert_eq!(
        (code, findings(&report).len()),
        (0, 0),
        "only revoked tokens: CI passes"
    );

    // A token the Hub could not judge (an outage, a rate limit, a proxy) is kept: "could not
    // check" never becomes "clean".
    let down = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::ServerError)]),
        Duration::ZERO,
    );
    let (report, code, _) = scan_verified(&down, &t[..1], &["--only-verified"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["verification"]["status"], "unknown");
}

/// A change that plants many fake tokens cannot spend the Hub's rate limit: past
/// `--verify-max` distinct tokens nothing is sent, the rest are `unknown`, and the summary says
/// so.
#[test]
fn verification_has_a_budget_per_run() {
    let t = tokens(421, 5);
    let answers = t
        .iter()
        .map(|token| (token.clone(), Answer::Invalid))
        .collect();
    let hub = FakeHub::start(answers, Duration::ZERO);
    let (report, code, err) = scan_verified(&hub, &t, &["--verify-max", "2"]);
    assert_eq!(hub.requests().len(), 2);
    assert_eq!(code, 1, "unchecked tokens are findings");
    let unknown: Vec<_> = findings(&report)
        .iter()
        .filter(|f| f["verification"]["status"] == "unknown")
        .collect();
    assert_eq!(unknown.len(), 3, "{report}");
    assert!(unknown[0]["verification"]["reason"]
        .as_str()
        .unwrap()
        .contains("--verify-max"));
    assert!(
        err.contains("3 of 5 distinct tokens were not verified (--verify-max 2)"),
        "{err}"
    );
}

#[test]
fn text_and_sarif_show_the_verification() {
    let t = tokens(410, 1);
    let hub = FakeHub::start(
        HashMap::from([(
            t[0].clone(),
            Answer::Valid(whoami("alice", "write", &[("acme-ml", "admin")])),
        )]),
        Duration::ZERO,
    );
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let text = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &hub.url])
        .output()
        .unwrap();
    let out = stdout(&text);
    assert!(out.contains("a.env:1:1  hf-user-access-token"), "{out}");
    assert!(out.contains("critical"), "{out}");
    assert!(
        out.contains(
            "VALID  alice (write: manages organisations; token \"laptop\"; admin of acme-ml)"
        ),
        "{out}"
    );

    let sarif = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &hub.url, "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    assert_eq!(result["properties"]["security-severity"], "9.5");
    assert_eq!(result["properties"]["verification"]["status"], "valid");
    assert!(!sarif.to_string().contains(&t[0]));
}

#[test]
fn verify_subcommand_reads_tokens_from_stdin() {
    let t = tokens(411, 2);
    let hub = FakeHub::start(
        HashMap::from([
            (t[0].clone(), Answer::Valid(whoami("gus", "read", &[]))),
            (t[1].clone(), Answer::Invalid),
        ]),
        Duration::ZERO,
    );
    let encoded = base64(t[1].as_bytes());
    let input = format!(
        "{}\n\n  {}  \nnot a token\n{}\n{encoded}\n",
        t[0], t[1], t[0]
    );
    let output = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a valid token is an incident"
    );
    let out = stdout(&output);
    let lines: Vec<_> = out.lines().filter(|line| !line.starts_with(' ')).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        out.contains("\n    reach gus (user; read only): 0 models, 0 datasets, 0 Spaces\n"),
        "the live token's reach follows it: {out}"
    );
    assert!(
        lines[0].ends_with("VALID  gus (read: reads; token \"laptop\")"),
        "{out}"
    );
    assert!(lines[1].contains("INVALID"), "{out}");
    assert!(!out.contains(&t[0]) && !out.contains(&t[1]), "redacted");
    assert!(stderr(&output).contains("line 4"));
    assert!(
        stderr(&output).contains("line 6"),
        "an encoded token is not a token to send"
    );
    assert!(
        !stderr(&output).contains("not a token"),
        "bad lines are not echoed"
    );
    assert_eq!(hub.requests_to("/api/whoami-v2").len(), 2);

    let json = hf_scan()
        .args(["verify", "--format", "json", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[1]))
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0), "every token is dead");
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["results"][0]["verification"]["status"], "invalid");
    assert!(report["results"][0].get("secret").is_none());

    let shown = hf_scan()
        .args(["verify", "--show-secrets", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[1]))
        .output()
        .unwrap();
    assert!(stdout(&shown).starts_with(&format!("{}  INVALID", t[1])));

    let empty = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url])
        .write_stdin("nothing here\n")
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(2));
}

#[test]
fn revoke_subcommand_needs_yes_without_a_terminal_and_posts_the_tokens() {
    let t = tokens(412, 2);
    let hub = FakeHub::start(HashMap::new(), Duration::ZERO);
    let input = format!("{}\n{}\n", t[0], t[1]);
    let refused = hf_scan()
        .args(["revoke", "--hf-endpoint", &hub.url])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert!(
        hub.requests().is_empty(),
        "nothing sent without confirmation"
    );

    let done = hf_scan()
        .args(["revoke", "--yes", "--hf-endpoint", &hub.url])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    let out = stdout(&done);
    assert!(
        out.contains("does not confirm that a token was valid"),
        "{out}"
    );
    assert!(!out.contains(&t[0]));
    let requests = hub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/api/credentials/revoke")
    );
    assert!(
        requests[0].authorization.is_none(),
        "the endpoint needs no authentication"
    );
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body, serde_json::json!({"credentials": [t[0], t[1]]}));
}

/// `hf-scan revoke` under `script`, so /dev/tty is a terminal that answers `answer`; the
/// tokens come from a file on standard input.
#[cfg(unix)]
fn revoke_on_a_terminal(hub: &FakeHub, tokens: &[String], answer: &str) -> (i32, String) {
    let dir = temp_dir();
    let list = write(dir.path(), "tokens.txt", tokens.join("\n") + "\n");
    let binary = assert_cmd::cargo::cargo_bin("hf-scan");
    let mut script = std::process::Command::new("script")
        .arg("-qec")
        .arg(format!(
            "'{}' revoke --hf-endpoint {} < '{}'",
            binary.display(),
            hub.url,
            list.display()
        ))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux runs");
    {
        use std::io::Write;
        let mut input = script.stdin.take().unwrap();
        input.write_all(answer.as_bytes()).unwrap();
        // Keep the terminal open until hf-scan has read the answer.
        std::thread::sleep(Duration::from_millis(1500));
    }
    let output = script.wait_with_output().unwrap();
    (output.status.code().unwrap_or(-1), stdout(&output))
}

#[cfg(unix)]
#[test]
fn revoke_asks_on_the_terminal_and_does_nothing_without_yes() {
    let t = tokens(413, 1);
    let hub = FakeHub::start(HashMap::new(), Duration::ZERO);
    let (code, shown) = revoke_on_a_terminal(&hub, &t, "n\n");
    assert!(shown.contains("Revoke 1 token(s)"), "{shown:?}");
    assert!(!shown.contains(&t[0]), "the prompt shows tokens redacted");
    assert_eq!(code, 2);
    assert!(hub.requests().is_empty(), "answered no: nothing sent");

    let (code, shown) = revoke_on_a_terminal(&hub, &t, "y\n");
    assert_eq!(code, 0, "{shown:?}");
    assert_eq!(hub.requests().len(), 1);
    assert!(
        shown.contains("Revocation requested for 1 token(s)"),
        "{shown:?}"
    );
}

/// The reported duration is the whole run: it used to stop before verification.
#[test]
fn the_duration_includes_verification() {
    let t = tokens(930, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::from_millis(700),
    );
    let (report, _, _) = scan_verified(&hub, &t, &[]);
    let duration = report["stats"]["duration_ms"].as_u64().unwrap();
    assert!(duration >= 700, "duration_ms {duration}");
}

/// OAuth (`hf_oauth_…`) and trusted-publishing (`hf_jwt_…`) tokens are found by a scan, and
/// checked through whoami like any token, by scans and by `hf-scan verify`.
#[test]
fn oauth_and_jwt_tokens_are_found_and_verified() {
    let mut rng = Rng::new(460);
    let body = |rng: &mut Rng| fake_token(rng)[3..].to_string();
    let oauth = format!("hf_oauth_{}", body(&mut rng));
    let jwt = format!(
        "hf_jwt_eyJ{}.eyJ{}{}.{}{}",
        body(&mut rng),
        body(&mut rng),
        body(&mut rng),
        body(&mut rng),
        body(&mut rng)
    );
    let app = serde_json::json!({"type": "user", "name": "kim", "orgs": [],
        "auth": {"type": "app_token", "permissions": ["read-repos"],
                 "expiresAt": "2026-12-24T00:00:00.000Z"}})
    .to_string();
    let hub = FakeHub::start(
        HashMap::from([
            (oauth.clone(), Answer::Valid(app)),
            (jwt.clone(), Answer::Invalid),
        ]),
        Duration::ZERO,
    );
    let (report, _, _) = scan_verified(&hub, &[oauth.clone(), jwt.clone()], &[]);
    let found = by_secret(&report, &oauth);
    assert_eq!(found["rule_id"], "hf-oauth-access-token");
    assert_eq!(found["verification"]["status"], "valid");
    assert_eq!(found["verification"]["auth_type"], "app_token");
    let found = by_secret(&report, &jwt);
    assert_eq!(found["rule_id"], "hf-jwt-token");
    assert_eq!(found["verification"]["status"], "invalid");

    let output = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url, "--reach-requests", "0"])
        .write_stdin(format!("{oauth}\n{jwt}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("VALID  kim (OAuth app token: reads"), "{out}");
    assert!(out.contains("INVALID"), "{out}");
    assert!(
        !out.contains(&oauth) && !out.contains(&jwt),
        "redacted: {out}"
    );
}

/// Whoami's strings are the Hub's (or a mirror's) to choose: a name with `ESC ] 52` (write the
/// clipboard) or `CR ESC[2K` (redraw the line) is escaped like scanned content.
#[test]
fn verify_escapes_what_the_hub_says() {
    let t = tokens(413, 1);
    let hostile = "gus\r\u{1b}[2KINVALID\u{1b}]52;c;aGk=\u{7}";
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Valid(whoami(hostile, "read", &[])))]),
        Duration::ZERO,
    );
    let output = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
    assert!(out.contains("VALID"), "{out}");
}

/// Revoking sends live tokens: an endpoint that came from HF_ENDPOINT must be named with
/// --hf-endpoint, or nothing is sent.
#[test]
fn revoke_refuses_an_endpoint_from_the_environment() {
    let t = tokens(414, 1);
    let hub = FakeHub::start(HashMap::new(), Duration::ZERO);
    let refused = hf_scan()
        .env("HF_ENDPOINT", &hub.url)
        .args(["revoke", "--yes"])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--hf-endpoint"),
        "{}",
        stderr(&refused)
    );
    assert!(hub.requests().is_empty(), "nothing sent");
    let done = hf_scan()
        .env("HF_ENDPOINT", &hub.url)
        .args(["revoke", "--yes", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
}

/// On a terminal, `hf-scan verify` says what it waits for instead of waiting silently; typed
/// tokens end with Ctrl-D. Piped input gets no prompt.
#[test]
fn verify_on_a_terminal_prompts_for_the_tokens() {
    let t = tokens(412, 1);
    let hub = FakeHub::start(
        HashMap::from([(t[0].clone(), Answer::Invalid)]),
        Duration::ZERO,
    );
    let dir = temp_dir();
    let (terminal, out, code) = common::terminal::type_on_a_terminal(
        dir.path(),
        &["verify", "--hf-endpoint", &hub.url],
        &[],
        &format!("{}\n\x04", t[0]),
    );
    assert_eq!(code, 0, "a dead token: {terminal}");
    assert!(
        terminal.contains("paste the tokens, one per line, then press Ctrl-D"),
        "{terminal}"
    );
    assert!(out.contains("INVALID"), "{out}");
    let piped = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    assert!(!stderr(&piped).contains("paste"), "{}", stderr(&piped));
}

/// A connection that fails says why (here: refused), and a proxy variable hf-scan does not
/// follow is named with the flag that would.
#[test]
fn a_failed_connection_names_its_cause_and_the_proxy_flag() {
    // Nothing listens on a port that was just bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = tokens(413, 1);
    let output = hf_scan()
        .args([
            "verify",
            "--hf-endpoint",
            &format!("http://127.0.0.1:{port}"),
        ])
        .env("HTTPS_PROXY", "http://proxy.example:3128")
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains("could not connect to the Hub (connection refused)"),
        "{out}"
    );
    assert!(
        out.contains("HTTPS_PROXY is set, but hf-scan uses a proxy only when --proxy names it"),
        "{out}"
    );
}

//! Reach and revocation from a scan, against the stand-in Hub on 127.0.0.1: what a live token
//! can get at, counted through the listing API within a per-token budget; and `hf-scan revoke
//! --from-scan`, which revokes what a scan finds without ever printing it.

mod common;

use std::collections::HashMap;

use common::hub::{by_secret, repo, scan_verified, tokens, whoami, Answer, FakeHub, Setup};
use common::*;
use serde_json::Value;

/// alice writes; she is admin of acme and a reader of readers. acme's most downloaded model,
/// her private models and acme's private dataset are what an attacker could change.
fn alice_hub(token: &str) -> FakeHub {
    FakeHub::with(alice_setup(token))
}

fn alice_setup(token: &str) -> Setup {
    Setup {
        answers: HashMap::from([(
            token.to_string(),
            Answer::Valid(whoami(
                "alice",
                "write",
                &[("acme", "admin"), ("readers", "read")],
            )),
        )]),
        repos: vec![
            repo("models", "alice/a", true, 10),
            repo("models", "alice/b", false, 5),
            repo("models", "alice/c", true, 1),
            repo("models", "acme/big", false, 1_000_000),
            repo("datasets", "acme/private-data", true, 3),
            repo("spaces", "acme/demo", false, 0),
            repo("models", "readers/popular", false, 9_999_999),
            repo("models", "someone/else", true, 42),
        ],
        sees_private: vec![token.to_string()],
        page: 2,
        ..Setup::default()
    }
}

fn namespace<'a>(reach: &'a Value, name: &str) -> &'a Value {
    reach["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no namespace {name} in {reach}"))
}

#[test]
fn reach_counts_what_a_live_token_can_read_and_write() {
    let t = tokens(450, 1);
    let hub = alice_hub(&t[0]);
    let (report, _, _) = scan_verified(&hub, &t, &[]);
    let verification = &by_secret(&report, &t[0])["verification"];
    let reach = &verification["reach"];
    assert_eq!(reach["complete"], true, "{reach}");

    let alice = namespace(reach, "alice");
    assert_eq!(alice["kind"], "user");
    assert_eq!(alice["writable"], true);
    assert_eq!(alice["models"]["total"], 3, "two pages of two");
    assert_eq!(alice["models"]["private"], 2);
    let acme = namespace(reach, "acme");
    assert_eq!(
        (acme["role"].as_str(), acme["writable"].as_bool()),
        (Some("admin"), Some(true))
    );
    assert_eq!(acme["datasets"]["private"], 1);
    assert_eq!(acme["spaces"]["total"], 1);
    let readers = namespace(reach, "readers");
    assert_eq!(
        readers["writable"], false,
        "a reader's write token cannot write there"
    );
    assert_eq!(readers["models"]["total"], 1);

    let top: Vec<&str> = reach["top_writable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        top[0], "acme/big",
        "most downloaded writable first: {top:?}"
    );
    assert!(!top.contains(&"readers/popular"), "not writable: {top:?}");
    assert!(!top.contains(&"someone/else"));

    // Every listing carried the token (it sees private repositories) and asked for the
    // namespace by name, most downloaded first.
    let listings: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.path != "/api/whoami-v2")
        .collect();
    assert!(listings
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {}", t[0]))));
    assert!(listings
        .iter()
        .any(|r| r.path == "/api/models" && r.query.contains("author=acme")));
    assert_eq!(reach["requests"], listings.len());

    // Text output shows it under the finding.
    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let text = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &hub.url, "--no-verify-cache"])
        .output()
        .unwrap();
    let out = stdout(&text);
    assert!(
        out.contains("reach acme (org, admin; can write): 1 model, 1 dataset (1 private), 1 Space"),
        "{out}"
    );
    assert!(
        out.contains("most downloaded it can write to: model acme/big (1000000 downloads)"),
        "{out}"
    );
}

/// An Enterprise organisation's administrator revoked alice's token there: whoami still
/// answers, acme's listings answer 403 with the reason. The token is valid, cut off from acme
/// (no longer its admin's power there), and still reaches alice's own repositories.
#[test]
fn a_token_cut_off_by_an_organisation_is_valid_and_says_so() {
    let t = tokens(451, 1);
    let revoked = "Your token has been revoked by the organization administrator, you can no \
                   longer access organization resources. Please contact them for more information.";
    let hub = FakeHub::with(Setup {
        cut_off: HashMap::from([((t[0].clone(), "acme".to_string()), revoked.to_string())]),
        ..alice_setup(&t[0])
    });
    let (report, code, _) = scan_verified(&hub, &t, &[]);
    assert_eq!(code, 1);
    let verification = &by_secret(&report, &t[0])["verification"];
    assert_eq!(verification["status"], "valid");
    assert_eq!(
        verification["power"], "write-repos",
        "admin of acme, but acme refuses the token: {verification}"
    );
    let reach = &verification["reach"];
    let acme = namespace(reach, "acme");
    assert!(
        acme["cut_off"].as_str().unwrap().contains("revoked"),
        "{acme}"
    );
    assert_eq!(acme["writable"], false);
    assert_eq!(acme["models"]["total"], 0);
    assert_eq!(namespace(reach, "alice")["models"]["total"], 3);
    assert_eq!(reach["complete"], true, "{reach}");
    let top = reach["top_writable"].to_string();
    assert!(!top.contains("acme/"), "{top}");
    // One listing told it; the other two kinds were not asked for.
    let acme_listings = hub
        .requests()
        .into_iter()
        .filter(|r| r.query.contains("author=acme"))
        .count();
    assert_eq!(acme_listings, 1);

    let dir = temp_dir();
    write(dir.path(), "a.env", &t[0]);
    let text = hf_scan()
        .current_dir(dir.path())
        .args(["--verify", "--hf-endpoint", &hub.url, "--no-verify-cache"])
        .output()
        .unwrap();
    let out = stdout(&text);
    assert!(out.contains("VALID  alice"), "{out}");
    assert!(
        out.contains("cut off from acme by its administrator (revoked"),
        "{out}"
    );
}

#[test]
fn reach_stays_within_its_request_budget_and_says_it_is_partial() {
    let t = tokens(451, 1);
    let hub = alice_hub(&t[0]);
    let (report, _, _) = scan_verified(&hub, &t, &["--reach-requests", "1"]);
    let reach = &by_secret(&report, &t[0])["verification"]["reach"];
    assert_eq!(reach["requests"], 1);
    assert_eq!(reach["complete"], false);
    assert!(
        reach["note"].as_str().unwrap().contains("budget of 1"),
        "{reach}"
    );
    let alice = &namespace(reach, "alice")["models"];
    assert_eq!(
        (alice["total"].as_u64(), alice["at_least"].as_bool()),
        (Some(2), Some(true)),
        "one page of two, and more to come"
    );
    assert_eq!(
        namespace(reach, "acme")["models"]["at_least"],
        true,
        "never listed"
    );
    assert_eq!(hub.requests().len(), 1 + 1);

    let (report, _, _) = scan_verified(&hub, &t, &["--reach-requests", "0"]);
    assert!(by_secret(&report, &t[0])["verification"]
        .get("reach")
        .is_none());
}

#[test]
fn verify_subcommand_shows_reach() {
    let t = tokens(452, 1);
    let hub = alice_hub(&t[0]);
    let output = hf_scan()
        .args(["verify", "--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("reach alice (user; can write): 3 models (2 private)"),
        "{out}"
    );
    assert!(
        out.contains("reach readers (org, read; read only): 1 model,"),
        "{out}"
    );
    assert!(!out.contains(&t[0]));
    let spent = hub.requests().len();

    // `--reach` raises the budget past a small --reach-requests.
    let deep = hf_scan()
        .args([
            "verify",
            "--reach",
            "--reach-requests",
            "1",
            "--format",
            "json",
        ])
        .args(["--hf-endpoint", &hub.url])
        .write_stdin(format!("{}\n", t[0]))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&deep.stdout).unwrap();
    let reach = &report["results"][0]["verification"]["reach"];
    assert_eq!(reach["complete"], true, "{reach}");
    assert_eq!(
        hub.requests().len() - spent,
        spent,
        "as many requests as the default"
    );
}

#[test]
fn revoke_from_scan_revokes_what_the_scan_reports_in_batches_without_printing_it() {
    let t = tokens(453, 152);
    let hub = FakeHub::start(HashMap::new(), std::time::Duration::ZERO);
    let dir = temp_dir();
    let listing: String = t[..150]
        .iter()
        .map(|token| format!("HF_TOKEN={token}\n"))
        .collect();
    write(dir.path(), "many.env", listing);
    write(dir.path(), "again.env", format!("{}\n", t[0]));
    write(
        dir.path(),
        "allowed.py",
        format!("TOKEN = \"{}\"  # hf-scan:allow\n", t[150]),
    );
    write(dir.path(), "elsewhere/ignored.env", &t[151]);

    let refused = hf_scan()
        .current_dir(dir.path())
        .args(["revoke", "--from-scan", "--hf-endpoint", &hub.url])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "no terminal to confirm on");
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert!(hub.requests().is_empty());

    let output = hf_scan()
        .current_dir(dir.path())
        .args([
            "revoke",
            "--from-scan",
            "--yes",
            "--hf-endpoint",
            &hub.url,
            "many.env",
        ])
        .args(["again.env", "allowed.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let posts = hub.requests_to("/api/credentials/revoke");
    assert_eq!(posts.len(), 2, "150 tokens in batches of 100");
    let mut sent: Vec<String> = posts
        .iter()
        .flat_map(|post| {
            let body: Value = serde_json::from_str(&post.body).unwrap();
            body["credentials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    sent.sort();
    let mut expected: Vec<String> = t[..150].to_vec();
    expected.sort();
    assert_eq!(
        sent, expected,
        "each reported token once; the allowed one is not revoked"
    );
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    for token in &t {
        assert!(!shown.contains(token.as_str()), "never printed");
    }
    assert!(stdout(&output).contains("Revocation requested for 150 token(s)"));
    assert!(stdout(&output).contains("in 2 request(s)"));

    let clean = temp_dir();
    write(clean.path(), "README.md", "nothing here\n");
    let nothing = hf_scan()
        .current_dir(clean.path())
        .args(["revoke", "--from-scan", "--yes", "--hf-endpoint", &hub.url])
        .output()
        .unwrap();
    assert_eq!(nothing.status.code(), Some(0));
    assert!(stderr(&nothing).contains("nothing to revoke"));
}

/// `revoke --org`: the administrator's token cuts each token off from the organisation, one
/// request per token, and the output says "cut off", never "revoked". The Hub's refusals (the
/// admin's own token; a non-admin's token) are said per token, and exit 2.
#[test]
fn revoke_org_cuts_tokens_off_from_an_organisation_with_its_admins_token() {
    let t = tokens(454, 4);
    let (admin, leaked) = (&t[0], &t[1..3]);
    let hub = FakeHub::with(Setup {
        org_admins: HashMap::from([("acme".to_string(), admin.clone())]),
        ..Setup::default()
    });
    let dir = temp_dir();
    write(
        dir.path(),
        "leak.env",
        format!("A={}\nB={}\n", leaked[0], leaked[1]),
    );
    let admin_file = write(dir.path(), "admin-token", format!("{admin}\n"));
    let revoke = |extra: &[&str], token: Option<&str>| {
        let mut command = hf_scan();
        command
            .current_dir(dir.path())
            .args(["revoke", "--org", "acme", "--hf-endpoint", &hub.url])
            .args(extra)
            .env_remove("HF_TOKEN");
        if let Some(token) = token {
            command.env("HF_TOKEN", token);
        }
        command.output().unwrap()
    };

    let no_admin = revoke(&["--from-scan", "--yes"], None);
    assert_eq!(no_admin.status.code(), Some(2));
    assert!(
        stderr(&no_admin).contains("administrator's token: set HF_TOKEN or pass --token-file"),
        "{}",
        stderr(&no_admin)
    );
    let unconfirmed = revoke(&["--from-scan"], Some(admin));
    assert_eq!(
        unconfirmed.status.code(),
        Some(2),
        "no terminal to confirm on"
    );
    assert!(hub.requests().is_empty());

    let output = revoke(
        &[
            "--from-scan",
            "--yes",
            "--token-file",
            admin_file.to_str().unwrap(),
            "leak.env",
        ],
        None,
    );
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    let posts = hub.requests_to("/api/organizations/acme/settings/tokens/revoke");
    assert_eq!(posts.len(), 2, "one request per token");
    let mut sent: Vec<String> = posts
        .iter()
        .map(|post| {
            assert_eq!(
                post.authorization.as_deref(),
                Some(format!("Bearer {admin}").as_str())
            );
            let body: Value = serde_json::from_str(&post.body).unwrap();
            body["token"].as_str().unwrap().to_string()
        })
        .collect();
    sent.sort();
    let mut expected = leaked.to_vec();
    expected.sort();
    assert_eq!(sent, expected);
    assert_eq!(out.matches("cut off from acme").count(), 3, "{out}");
    assert!(out.contains("2 of 2 token(s) cut off from acme"), "{out}");
    assert!(!out.to_lowercase().contains("revoked"), "{out}");
    for token in &t {
        assert!(!out.contains(token.as_str()) && !stderr(&output).contains(token.as_str()));
    }

    // From standard input, including the administrator's own token, which the Hub refuses.
    let output = hf_scan()
        .current_dir(dir.path())
        .args([
            "revoke",
            "--org",
            "acme",
            "--yes",
            "--hf-endpoint",
            &hub.url,
        ])
        .env("HF_TOKEN", admin)
        .write_stdin(format!("{}\n{admin}\n", t[3]))
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(
        out.contains(
            "NOT cut off from acme (HTTP 400: An administrator cannot revoke their own token)"
        ),
        "{out}"
    );
    assert!(out.contains("1 of 2 token(s) cut off from acme"), "{out}");

    // A token that is not an administrator's: refused, and the rest are not sent.
    let before = hub.requests().len();
    let output = revoke(&["--from-scan", "--yes", "leak.env"], Some(&t[3]));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(hub.requests().len() - before, 1, "stopped at the first 403");
    assert!(
        stderr(&output).contains("acme refused the administrator's token (403)"),
        "{}",
        stderr(&output)
    );
}

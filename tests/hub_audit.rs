//! `hf-scan hub` against a stand-in Hub on 127.0.0.1: the listing API (two pages), git's smart
//! HTTP served by `git http-backend` over bare repositories built here, discussions, a private
//! repository that needs the token, a gated one that answers 403, the Hub's rate limit, and
//! shards.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use common::hub::{repo, Discussion, FakeHub, Setup};
use common::*;
use serde_json::Value;

/// A bare repository at `root/hub_path` whose history is `commits`: each a list of (file,
/// contents) written then committed (an empty contents deletes the file).
fn bare_repo(root: &Path, hub_path: &str, commits: &[&[(&str, &str)]]) {
    let work = temp_dir();
    git(work.path(), &["init", "-q", "-b", "main"]);
    for (index, files) in commits.iter().enumerate() {
        for (name, contents) in *files {
            if contents.is_empty() {
                git(work.path(), &["rm", "-q", name]);
            } else {
                write(work.path(), name, contents);
                git(work.path(), &["add", name]);
            }
        }
        git(
            work.path(),
            &["commit", "-q", "-m", &format!("change {index}")],
        );
    }
    let target = root.join(hub_path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    git(
        work.path(),
        &["clone", "-q", "--bare", ".", target.to_str().unwrap()],
    );
}

struct Org {
    hub: FakeHub,
    _root: tempfile::TempDir,
    /// The token the stand-in accepts for private repositories.
    access: String,
    /// Leaked tokens, by where they were planted.
    dataset: String,
    old_commit: String,
    private: String,
    discussion: String,
    /// In a discussion of the gated Space, which cannot be cloned.
    gated_discussion: String,
}

/// alice has two models (one private), a dataset and two Spaces (one gated); listings come
/// one entry per page.
fn alice() -> Org {
    let mut rng = Rng::new(470);
    let access = fake_token(&mut rng);
    let (dataset, old_commit, private, discussion) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    let gated_discussion = fake_token(&mut rng);
    let root = temp_dir();
    bare_repo(
        root.path(),
        "alice/model-a",
        &[&[("README.md", "# a model\n")]],
    );
    bare_repo(
        root.path(),
        "alice/private-model",
        &[&[("train.py", &format!("login(\"{private}\")\n"))]],
    );
    bare_repo(
        root.path(),
        "datasets/alice/data",
        &[&[("config.py", &format!("\n\nHF_TOKEN = \"{dataset}\"\n"))]],
    );
    bare_repo(
        root.path(),
        "spaces/alice/demo",
        &[
            &[("app.py", &format!("TOKEN = '{old_commit}'\n"))],
            &[("app.py", "import os\nTOKEN = os.environ['HF_TOKEN']\n")],
        ],
    );
    bare_repo(
        root.path(),
        "spaces/alice/gated",
        &[&[("app.py", "print('hi')\n")]],
    );
    let hub = FakeHub::with(Setup {
        repos: vec![
            repo("models", "alice/model-a", false, 10),
            repo("models", "alice/private-model", true, 5),
            repo("datasets", "alice/data", false, 1),
            repo("spaces", "alice/demo", false, 0),
            repo("spaces", "alice/gated", false, 0),
        ],
        sees_private: vec![access.clone()],
        page: 1,
        git_root: Some(root.path().to_path_buf()),
        private: vec!["alice/private-model".into()],
        gated: vec!["spaces/alice/gated".into()],
        discussions: HashMap::from([
            (
                "spaces/alice/gated".to_string(),
                vec![Discussion {
                    num: 7,
                    title: format!("access with {gated_discussion}"),
                    comments: Vec::new(),
                }],
            ),
            (
                "spaces/alice/demo".to_string(),
                vec![
                    Discussion {
                        num: 1,
                        title: "App crashes".into(),
                        comments: vec!["It works with this".into()],
                    },
                    Discussion {
                        num: 2,
                        title: "Fix".into(),
                        comments: vec![format!("try HF_TOKEN={discussion} please")],
                    },
                ],
            ),
        ]),
        ..Setup::default()
    });
    Org {
        hub,
        _root: root,
        access,
        dataset,
        old_commit,
        private,
        discussion,
        gated_discussion,
    }
}

fn audit(org: &Org, cache: &Path, token: bool, args: &[&str]) -> (Value, i32, String) {
    let mut command = hf_scan();
    command
        .args(["hub", "--hf-endpoint", &org.hub.url, "--format", "json"])
        .args(["--show-secrets", "--cache-dir"])
        .arg(cache)
        .args(args)
        .env_remove("HF_TOKEN");
    if token {
        command.env("HF_TOKEN", &org.access);
    }
    // Tracing the user may have left on must not write the token's header anywhere (the
    // first test then finds no token in any file under the cache).
    command
        .env("GIT_TRACE_CURL", cache.join("curl-trace.log"))
        .env("GIT_TRACE_REDACT", "0")
        .env("GIT_TRACE2_EVENT", cache.join("trace2.json"))
        .env("GIT_TRACE2_CONFIG_PARAMS", "http.*")
        .env(
            "GIT_TRACE2_ENV_VARS",
            "GIT_CONFIG_VALUE_0,GIT_CONFIG_VALUE_6",
        );
    // Proxies the environment names are not hf-scan's (`--proxy` is): git must not send the
    // auditor's token through them. Nothing listens there, so a clone through it fails.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    for proxy in [
        "http_proxy",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env(proxy, &nowhere);
    }
    let output = command.output().unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}{}", stdout(&output), stderr(&output)));
    (report, output.status.code().unwrap(), stderr(&output))
}

/// `hf-scan hub` against the stand-in at `url`, JSON, without a token: the report and the exit
/// code.
fn audit_json(url: &str, cache: &Path, args: &[&str]) -> (Value, i32) {
    let output = hf_scan()
        .args([
            "hub",
            "--hf-endpoint",
            url,
            "--format",
            "json",
            "--cache-dir",
        ])
        .arg(cache)
        .args(args)
        .env_remove("HF_TOKEN")
        .output()
        .unwrap();
    let report =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", stderr(&output)));
    (report, output.status.code().unwrap())
}

fn finding<'a>(report: &'a Value, secret: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["secret"] == secret)
        .unwrap_or_else(|| panic!("no finding for a planted token in {report}"))
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn an_author_is_audited_whole_history_private_repositories_and_discussions() {
    let org = alice();
    let cache = temp_dir();
    let (report, code, err) = audit(
        &org,
        cache.path(),
        true,
        &["--author", "alice", "--discussions"],
    );
    assert_eq!(code, 1, "{err}");

    let dataset = finding(&report, &org.dataset);
    assert_eq!(dataset["repo"]["type"], "dataset");
    assert_eq!(dataset["repo"]["id"], "alice/data");
    assert_eq!(dataset["location"]["path"], "datasets/alice/data/config.py");
    let commit = dataset["commit"]["id"].as_str().unwrap();
    assert_eq!(
        dataset["url"],
        format!(
            "{}/datasets/alice/data/blob/{commit}/config.py#L3",
            org.hub.url
        )
    );

    let old = finding(&report, &org.old_commit);
    assert_eq!(old["repo"]["type"], "space");
    assert_eq!(old["in_head"], false, "removed since, still in history");
    assert!(old["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/spaces/alice/demo/blob/", org.hub.url)));

    let private = finding(&report, &org.private);
    assert_eq!(private["repo"]["id"], "alice/private-model");
    assert_eq!(private["location"]["path"], "alice/private-model/train.py");

    let discussion = finding(&report, &org.discussion);
    assert_eq!(discussion["source"], "discussion");
    assert_eq!(
        discussion["url"],
        format!("{}/spaces/alice/demo/discussions/2", org.hub.url)
    );

    // The gated Space could not be cloned, but its discussions were read.
    let gated = finding(&report, &org.gated_discussion);
    assert_eq!(
        gated["url"],
        format!("{}/spaces/alice/gated/discussions/7", org.hub.url)
    );

    // The gated Space could not be cloned: named, with the reason, and the run is incomplete.
    assert!(
        err.contains("spaces/alice/gated: could not be cloned (HTTP 403"),
        "{err}"
    );
    assert_eq!(report["stats"]["incomplete"], true);

    // The access token went to the stand-in only: never printed, never in a file.
    assert!(!err.contains(&org.access) && !stdout_of(&report).contains(&org.access));
    for (path, bytes) in files_under(cache.path()) {
        assert!(
            !bytes
                .windows(org.access.len())
                .any(|w| w == org.access.as_bytes()),
            "the token is in {}",
            path.display()
        );
    }
    let listings: Vec<_> = org
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/models")
        .collect();
    assert_eq!(listings.len(), 2, "two pages of models");
    assert!(listings
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {}", org.access))));

    // A second run fetches into the same mirrors and finds the same.
    let (again, _, err) = audit(&org, cache.path(), true, &["--author", "alice"]);
    assert_eq!(
        findings(&again).len(),
        findings(&report).len() - 2,
        "all but the two discussions: {err}"
    );
}

fn stdout_of(report: &Value) -> String {
    report.to_string()
}

#[test]
fn without_the_token_a_private_repository_is_a_warning_and_the_run_never_passes() {
    let org = alice();
    let cache = temp_dir();
    let (report, code, err) = audit(
        &org,
        cache.path(),
        false,
        &["--model", "alice/private-model"],
    );
    assert_eq!(code, 2, "nothing found, but not everything read: {err}");
    assert!(findings(&report).is_empty());
    assert!(
        err.contains("alice/private-model: could not be cloned (HTTP 401"),
        "{err}"
    );

    let (_, code, err) = audit(&org, cache.path(), true, &["--space", "alice/gated"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("403"), "{err}");

    // An endpoint from HF_ENDPOINT receives the token: it is named, even with --quiet.
    let output = hf_scan()
        .args(["hub", "--quiet", "--space", "alice/demo", "--cache-dir"])
        .arg(cache.path())
        .env("HF_ENDPOINT", &org.hub.url)
        .env("HF_TOKEN", &org.access)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(
        err.contains(&format!("on {} (from HF_ENDPOINT)", org.hub.url)),
        "{err}"
    );
}

#[test]
fn shards_are_disjoint_and_cover_every_repository() {
    let org = alice();
    let mut audited = Vec::new();
    for shard in ["1/2", "2/2"] {
        let before: BTreeSet<String> = cloned(&org.hub);
        let cache = temp_dir();
        audit(
            &org,
            cache.path(),
            true,
            &["--author", "alice", "--shard", shard],
        );
        let after = cloned(&org.hub);
        audited.push(after.difference(&before).cloned().collect::<BTreeSet<_>>());
    }
    assert!(audited[0].is_disjoint(&audited[1]), "{audited:?}");
    let all: BTreeSet<_> = audited[0].union(&audited[1]).cloned().collect();
    assert_eq!(
        all,
        [
            "alice/model-a",
            "alice/private-model",
            "datasets/alice/data",
            "spaces/alice/demo",
            "spaces/alice/gated"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    );
    assert!(!audited[0].is_empty() && !audited[1].is_empty());
}

/// The repositories git has asked the stand-in for so far.
fn cloned(hub: &FakeHub) -> BTreeSet<String> {
    hub.requests()
        .into_iter()
        .filter_map(|r| {
            r.path
                .strip_suffix("/info/refs")
                .map(|p| p.trim_start_matches('/').to_string())
        })
        .collect()
}

#[test]
fn the_hubs_rate_limit_on_listings_is_waited_out() {
    let mut org = alice();
    // A fresh stand-in over the same repositories, whose first listing answers 429.
    let root = org._root.path().to_path_buf();
    org.hub = FakeHub::with(Setup {
        repos: vec![repo("datasets", "alice/data", false, 1)],
        git_root: Some(root),
        listing_rate_limited: 1,
        ..Setup::default()
    });
    let cache = temp_dir();
    let (report, code, err) = audit(&org, cache.path(), false, &["--author", "alice"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rate limit was reached; waiting 1 s"), "{err}");
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(report["stats"]["incomplete"], false, "{err}");
}

#[test]
fn bad_requests_are_refused_before_anything_is_sent() {
    let org = alice();
    for args in [
        vec!["hub"],
        vec!["hub", "--model", "../etc"],
        vec!["hub", "--author", "a/b"],
        vec!["hub", "--author", "alice", "--shard", "3/2"],
    ] {
        let output = hf_scan()
            .args(&args)
            .args(["--hf-endpoint", &org.hub.url])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    assert!(org.hub.requests().is_empty());
}

/// A pickle (protocol 2) holding `text` as its one string, the way the Trainer's
/// `training_args.bin` holds `hub_token`.
fn pickle_with(text: &str) -> Vec<u8> {
    let mut bytes = vec![0x80, 0x02, b'X'];
    bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(b"q\x00.");
    bytes
}

fn lfs_pointer(bytes: &[u8]) -> (String, String) {
    let oid = hf_scan::finding::hex_sha256(bytes);
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
        bytes.len()
    );
    (oid, pointer)
}

/// `training_args.bin` is an LFS object: the pointer is in git, the pickle in the LFS store
/// behind a redirect to another host. The token goes with the batch request, never to the
/// other host; an object over --max-lfs-size is listed in a notice, not fetched.
#[test]
fn lfs_objects_are_fetched_and_scanned_at_the_commit_of_their_pointer() {
    let mut rng = Rng::new(471);
    let (access, leaked) = (fake_token(&mut rng), fake_token(&mut rng));
    let pickle = pickle_with(&leaked);
    let (oid, pointer) = lfs_pointer(&pickle);
    let big = vec![b'x'; 4096];
    let (big_oid, big_pointer) = lfs_pointer(&big);
    let root = temp_dir();
    bare_repo(
        root.path(),
        "alice/trained",
        &[
            &[("README.md", "# trained\n")],
            &[
                ("training_args.bin", pointer.as_str()),
                ("model.safetensors", big_pointer.as_str()),
            ],
        ],
    );
    let cdn = FakeHub::with(Setup {
        lfs: HashMap::from([(oid.clone(), pickle), (big_oid.clone(), big)]),
        ..Setup::default()
    });
    let hub = FakeHub::with(Setup {
        git_root: Some(root.path().to_path_buf()),
        lfs_cdn: Some(cdn.url.clone()),
        ..Setup::default()
    });
    let cache = temp_dir();
    let output = hf_scan()
        .args(["hub", "--model", "alice/trained", "--hf-endpoint", &hub.url])
        .args([
            "--format",
            "json",
            "--show-secrets",
            "--max-lfs-size",
            "1K",
            "--cache-dir",
        ])
        .arg(cache.path())
        .env("HF_TOKEN", &access)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = finding(&report, &leaked);
    assert_eq!(found["location"]["path"], "alice/trained/training_args.bin");
    assert_eq!(
        found["commit"]["summary"], "change 1",
        "the commit that added the pointer"
    );
    assert!(
        err.contains("not fetched, larger than --max-lfs-size (1.0 KiB): 1 LFS object, 4.0 KiB"),
        "{err}"
    );
    assert_eq!(
        report["stats"]["incomplete"], false,
        "a size limit is a choice: {err}"
    );

    let batch: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/info/lfs/objects/batch"))
        .collect();
    assert_eq!(batch.len(), 1);
    assert_eq!(
        batch[0].authorization.as_deref(),
        Some(format!("Bearer {access}").as_str())
    );
    assert!(
        !batch[0].body.contains(&big_oid),
        "the big object was not asked for"
    );
    let downloads = cdn.requests();
    assert_eq!(downloads.len(), 1);
    assert_eq!(
        downloads[0].authorization, None,
        "the token never reaches the CDN"
    );
}

/// The options a scan shares, on an audit: the token from a file, a named dataset, the
/// project config's allowed hashes, inline allows (and --no-inline-allow), a baseline written
/// then applied, and the job counts.
#[test]
fn token_file_config_inline_allow_and_baseline_apply_to_an_audit() {
    let org = alice();
    let mut rng = Rng::new(472);
    let allowed_inline = fake_token(&mut rng);
    let root = org._root.path();
    bare_repo(
        root,
        "alice/allowed",
        &[&[(
            "demo.py",
            &format!("TOKEN = \"{allowed_inline}\"  # hf-scan:allow\n"),
        )]],
    );
    let work = temp_dir();
    let token_file = write(work.path(), "token", format!("{}\n", org.access));
    let cache = work.path().join("cache");
    let run = |extra: &[&str]| {
        let output = hf_scan()
            .args([
                "hub",
                "--hf-endpoint",
                &org.hub.url,
                "--format",
                "json",
                "--show-secrets",
            ])
            .args(["--model", "alice/private-model", "--dataset", "alice/data"])
            .args(["--model", "alice/allowed", "--clone-jobs", "1", "-j", "1"])
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--token-file")
            .arg(&token_file)
            .args(extra)
            .env_remove("HF_TOKEN")
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", stderr(&output)));
        (report, output.status.code().unwrap(), stderr(&output))
    };
    let secrets = |report: &Value| -> BTreeSet<String> {
        findings(report)
            .iter()
            .map(|f| f["secret"].as_str().unwrap().to_string())
            .collect()
    };

    let (report, code, err) = run(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        secrets(&report),
        BTreeSet::from([org.private.clone(), org.dataset.clone()]),
        "the token file opened the private model; the inline allow held"
    );
    assert!(!err.contains(&org.access));

    let (report, _, _) = run(&["--no-inline-allow"]);
    assert!(secrets(&report).contains(&allowed_inline));

    let config = write(
        work.path(),
        "hf-scan.toml",
        format!(
            "allowed_secret_hashes = [\"{}\"]\n",
            hf_scan::finding::hex_sha256(org.dataset.as_bytes())
        ),
    );
    let (report, _, _) = run(&["--config", config.to_str().unwrap()]);
    assert_eq!(secrets(&report), BTreeSet::from([org.private.clone()]));
    assert_eq!(report["stats"]["suppressed"]["config"], 1);

    let baseline = work.path().join("baseline.json");
    let (_, code, err) = run(&["--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "written and accepted: {err}");
    let (report, code, err) = run(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(findings(&report).is_empty());
    assert_eq!(report["stats"]["suppressed"]["baseline"], 2);
}

#[test]
fn on_a_terminal_the_progress_line_names_each_repository() {
    let org = alice();
    let cache = temp_dir();
    let (terminal, report, code) = common::terminal::run_on_a_terminal(
        cache.path(),
        &[
            "hub",
            "--author",
            "alice",
            "--hf-endpoint",
            &org.hub.url,
            "--cache-dir",
            cache.path().to_str().unwrap(),
        ],
        &[("HF_TOKEN", &org.access)],
    );
    assert_eq!(code, 1, "{terminal}");
    assert!(report.contains("hf-user-access-token"), "{report}");
    let drawn = common::terminal::drawn_lines(&terminal);
    // Mirrors are scanned as they arrive, in any order: each cloned one has its progress line
    // (the gated Space, not cloned, has only its variables asked for), and every one its log
    // line, printed on a line of its own.
    for name in [
        "alice/model-a",
        "alice/private-model",
        "datasets/alice/data",
        "spaces/alice/demo",
    ] {
        assert!(
            drawn
                .iter()
                .any(|line| line.starts_with("hf-scan: [repository ")
                    && line.contains(&format!("/5 {name}"))),
            "{name} {drawn:?}"
        );
    }
    for repository in 1..=5 {
        let logged = format!("hf-scan: [{repository}/5] scanned ");
        let at = terminal.find(&logged).expect(&logged);
        assert!(terminal[..at].ends_with(common::terminal::CLEAR_LINE));
        let logged = format!("hf-scan: [{repository}/5] ");
        assert!(
            terminal.contains(&logged),
            "its clone announced: {terminal}"
        );
    }
    assert!(
        drawn
            .iter()
            .any(|line| line.contains("] scanning blobs 0/")),
        "{drawn:?}"
    );
    assert!(
        drawn.iter().any(|line| line.contains(", all in ~")),
        "from the second repository on, when all should be done: {drawn:?}"
    );
}

#[test]
fn the_html_report_of_an_audit_counts_by_repository_and_links_to_the_hub() {
    let org = alice();
    let cache = temp_dir();
    let out = temp_dir();
    let html = out.path().join("audit.html");
    let report_arg = format!("html={}", html.display());
    let (report, code, err) = audit(
        &org,
        cache.path(),
        true,
        &[
            "--author",
            "alice",
            "--discussions",
            "--report",
            &report_arg,
        ],
    );
    assert_eq!(code, 1, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    let by_repository = &page[page
        .find("id=\"by-repository\"")
        .expect("a repository figure")..];
    let by_repository = &by_repository[..by_repository.find("</figure>").unwrap()];
    for name in [
        "alice/private-model",
        "datasets/alice/data",
        "spaces/alice/demo",
    ] {
        assert!(
            by_repository.contains(&format!("<th>{name}</th>")),
            "{name}: {by_repository}"
        );
    }
    // Every finding links to its page on the Hub (file at commit and line, or discussion).
    let links = page.matches(&format!("<a href=\"{}/", org.hub.url)).count();
    assert_eq!(links, findings(&report).len(), "{page}");
    assert!(page.contains("id=\"timeline\""));
    assert!(page.contains("<rect"), "history findings have commit dates");
}

/// A listing page holding more entries than asked for ends the listing with a warning: a
/// server whose pages never end, each as large as a body may be, grew memory to 3 GB.
#[test]
fn a_listing_page_larger_than_asked_for_ends_the_listing() {
    let hub = FakeHub::with(Setup {
        repos: (0..1001)
            .map(|i| repo("models", &format!("bob/m{i}"), false, 0))
            .collect(),
        page: 1001,
        ..Setup::default()
    });
    let cache = temp_dir();
    let (report, code) = audit_json(&hub.url, cache.path(), &["--author", "bob"]);
    assert_eq!(code, 2, "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(
        warnings.contains(
            "listing the models of bob: a page of 1001 entries, more than the 1000 asked for"
        ),
        "{warnings}"
    );
    // Nothing from the refused page is cloned.
    assert!(!warnings.contains("bob/m0"), "{warnings}");
}

/// A server that accepts git's connection and never answers: the clone is stopped at
/// `--clone-timeout` and named in a warning (git had no deadline: an audit hung forever).
#[test]
fn a_stalled_clone_is_stopped_at_its_deadline_and_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Holds every connection open without a byte of answer.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let cache = temp_dir();
    let started = std::time::Instant::now();
    let (report, code) = audit_json(
        &url,
        cache.path(),
        &["--model", "alice/stalled", "--clone-timeout", "2"],
    );
    assert_eq!(code, 2, "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(
        warnings.contains("alice/stalled") && warnings.contains("git stopped after 2 s"),
        "{warnings}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// The mirror cache is the user's alone: made 0700, never entered through a link, and a
/// directory hf-scan did not make is not fetched into (a planted link made an audit fetch
/// into, prune and scan someone else's repository as the Hub's).
#[test]
fn the_mirror_cache_is_private_and_follows_no_planted_link() {
    use std::os::unix::fs::PermissionsExt as _;
    let org = alice();
    let cache = temp_dir();
    // Someone's repository, and a link to it where the model's mirror would be.
    let elsewhere = temp_dir();
    git(elsewhere.path(), &["init", "-q", "--bare", "theirs.git"]);
    let theirs = elsewhere.path().join("theirs.git");
    std::fs::create_dir_all(cache.path().join("models/alice")).unwrap();
    std::os::unix::fs::symlink(&theirs, cache.path().join("models/alice/model-a.git")).unwrap();
    // And a directory hf-scan did not make where the dataset's would be.
    std::fs::create_dir_all(cache.path().join("datasets/alice")).unwrap();
    git(
        &cache.path().join("datasets/alice"),
        &["init", "-q", "--bare", "data.git"],
    );
    let (report, code, _) = audit(
        &org,
        cache.path(),
        false,
        &[
            "--model",
            "alice/model-a",
            "--dataset",
            "alice/data",
            "--space",
            "alice/demo",
        ],
    );
    assert_eq!(code, 1, "the Space is still audited: {report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(
        warnings.contains("is a symbolic link in the cache: not followed"),
        "{warnings}"
    );
    assert!(
        warnings.contains("was not made by hf-scan: not reused"),
        "{warnings}"
    );
    assert!(
        !theirs.join("refs/heads/main").exists()
            && std::fs::read_dir(theirs.join("refs/heads"))
                .unwrap()
                .next()
                .is_none(),
        "nothing was fetched into the linked repository"
    );
    let mode = |path: &str| {
        std::fs::metadata(cache.path().join(path))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    for made in ["spaces", "spaces/alice", "spaces/alice/demo.git"] {
        assert_eq!(mode(made), 0o700, "{made}");
    }
    // A second run fetches into the mirror it made.
    let (report, code, _) = audit(&org, cache.path(), false, &["--space", "alice/demo"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        report["stats"]["warnings"],
        serde_json::json!([]),
        "{report}"
    );
}

/// Over TLS, git trusts `--ca-file` as hf-scan's own client does, added to the system's roots
/// (written together into the cache, since git's `http.sslCAInfo` replaces its roots).
#[test]
fn git_clones_over_tls_trusting_the_ca_file_added_to_the_system_roots() {
    let token = fake_token(&mut Rng::new(2119));
    let root = temp_dir();
    bare_repo(
        root.path(),
        "spaces/alice/demo",
        &[&[("app.py", &format!("TOKEN = '{token}'\n"))]],
    );
    let hub = FakeHub::with(Setup {
        repos: vec![repo("spaces", "alice/demo", false, 0)],
        tls: true,
        git_root: Some(root.path().to_path_buf()),
        ..Setup::default()
    });
    let cache = temp_dir();
    let run = |extra: &[&str]| {
        hf_scan()
            .args([
                "hub",
                "--hf-endpoint",
                &hub.url,
                "--format",
                "json",
                "--cache-dir",
            ])
            .arg(cache.path())
            .args(["--space", "alice/demo"])
            .args(extra)
            .env_remove("HF_TOKEN")
            .env_remove("SSL_CERT_FILE")
            // A CA file of the environment's, which must not stand in for `--ca-file`'s bundle.
            .env("GIT_SSL_CAINFO", "/dev/null")
            .output()
            .unwrap()
    };
    let output = run(&[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "untrusted: {}",
        stderr(&output)
    );
    let output = run(&["--ca-file", common::hub::test_ca().to_str().unwrap()]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert_eq!(findings(&report).len(), 1, "{report}");
    let system = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];
    if !system.iter().any(|path| Path::new(path).is_file()) {
        // No system bundle: git trusts the CA file alone, and nothing is written.
        assert!(!cache.path().join("ca-bundle.pem").exists());
        return;
    }
    let bundle = std::fs::read_to_string(cache.path().join("ca-bundle.pem")).unwrap();
    let ca = std::fs::read_to_string(common::hub::test_ca()).unwrap();
    assert!(bundle.ends_with(&ca), "the CA file is added");
    assert!(
        bundle.len() > ca.len() + 1000,
        "after the system's roots ({} bytes)",
        bundle.len()
    );
}

/// A repository named after a token: JSON's `repo.id`, paths and links carry it redacted, as
/// every echoed string does without `--show-secrets`.
#[test]
fn a_repository_id_holding_a_token_is_redacted_in_json() {
    let mut rng = Rng::new(2120);
    let (named, inside) = (fake_token(&mut rng), fake_token(&mut rng));
    let root = temp_dir();
    let id = format!("alice/{named}");
    bare_repo(
        root.path(),
        &id,
        &[&[("train.py", &format!("t = '{inside}'\n"))]],
    );
    let hub = FakeHub::with(Setup {
        repos: vec![repo("models", &id, false, 0)],
        git_root: Some(root.path().to_path_buf()),
        ..Setup::default()
    });
    let cache = temp_dir();
    let (report, code) = audit_json(&hub.url, cache.path(), &["--model", &id]);
    assert_eq!(code, 1, "{report}");
    let finding = &findings(&report)[0];
    assert!(finding["repo"]["id"]
        .as_str()
        .unwrap()
        .starts_with("alice/hf_"));
    let text = report.to_string();
    assert!(!text.contains(&named), "{text}");
    assert!(!text.contains(&inside), "{text}");
}

/// What an account holds besides repositories: alice's buckets (a private one read with the
/// token, its files behind a same-host redirect then the storage host; a public one), a
/// Space's variables and her jobs. The token reaches the Hub, never the storage host.
#[test]
fn buckets_space_variables_and_jobs_of_an_author_are_audited() {
    use common::hub::Bucket;
    let mut rng = Rng::new(473);
    let access = fake_token(&mut rng);
    let [in_log, in_pickle, in_public, in_variable, in_job, in_schedule, in_kernel] =
        std::array::from_fn(|_| fake_token(&mut rng));
    let root = temp_dir();
    bare_repo(
        root.path(),
        "spaces/alice/demo",
        &[&[("app.py", "import os\n")]],
    );
    let kernel_file = format!("# built with {in_kernel}\n");
    bare_repo(
        root.path(),
        "kernels/alice/attention",
        &[&[("build.toml", &kernel_file)]],
    );
    let checkpoints = Bucket {
        id: "alice/checkpoints".into(),
        private: true,
        files: vec![
            (
                "logs/run 1/train.log".into(),
                format!("step 1\nlogin with {in_log}\n").into_bytes(),
            ),
            ("state/training_args.bin".into(), pickle_with(&in_pickle)),
            ("weights.bin".into(), vec![b'w'; 4096]),
        ],
    };
    let public = Bucket {
        id: "alice/public".into(),
        private: false,
        files: vec![(
            "notes.md".into(),
            format!("HF_TOKEN={in_public}\n").into_bytes(),
        )],
    };
    let storage = FakeHub::with(Setup {
        lfs: checkpoints
            .files
            .iter()
            .chain(&public.files)
            .map(|(_, bytes)| (hf_scan::finding::hex_sha256(bytes), bytes.clone()))
            .collect(),
        ..Setup::default()
    });
    let job = serde_json::json!([{"id": "job1",
        "owner": {"id": "1", "name": "alice", "type": "user"},
        "command": ["python", "train.py"], "environment": {"HF_TOKEN": in_job},
        "secrets": {"WANDB_KEY": null}}]);
    let scheduled = serde_json::json!([{"id": "sched1", "schedule": "@daily",
        "jobSpec": {"command": ["python", "eval.py"], "arguments": ["--token", in_schedule]}}]);
    let hub = FakeHub::with(Setup {
        repos: vec![repo("spaces", "alice/demo", false, 0)],
        sees_private: vec![access.clone()],
        git_root: Some(root.path().to_path_buf()),
        lfs_cdn: Some(storage.url.clone()),
        buckets: vec![checkpoints, public],
        variables: HashMap::from([(
            "alice/demo".to_string(),
            vec![(
                "PUBLIC_TOKEN".to_string(),
                in_variable.clone(),
                "pasted here by mistake".to_string(),
            )],
        )]),
        jobs: HashMap::from([("alice".to_string(), job)]),
        scheduled_jobs: HashMap::from([("alice".to_string(), scheduled)]),
        ..Setup::default()
    });
    let cache = temp_dir();
    let output = hf_scan()
        .args([
            "hub",
            "--author",
            "alice",
            "--jobs",
            "--hf-endpoint",
            &hub.url,
        ])
        .args(["--format", "json", "--show-secrets", "--max-lfs-size", "1K"])
        .arg("--cache-dir")
        .arg(cache.path())
        .env("HF_TOKEN", &access)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("auditing 1 repository and 2 buckets"), "{err}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stats"]["incomplete"], false, "{err}");

    let log = finding(&report, &in_log);
    assert_eq!(log["source"], "bucket");
    assert_eq!(
        log["location"]["path"],
        "buckets/alice/checkpoints/logs/run 1/train.log"
    );
    assert_eq!(log["location"]["line"], 2);
    assert_eq!(log["repo"]["type"], "bucket");
    assert_eq!(log["repo"]["id"], "alice/checkpoints");
    assert_eq!(
        log["url"],
        format!(
            "{}/buckets/alice/checkpoints/resolve/logs/run%201/train.log",
            hub.url
        )
    );
    let pickled = finding(&report, &in_pickle);
    assert_eq!(
        pickled["location"]["path"],
        "buckets/alice/checkpoints/state/training_args.bin"
    );
    assert_eq!(
        finding(&report, &in_public)["location"]["path"],
        "buckets/alice/public/notes.md"
    );
    assert!(
        err.contains("not fetched, larger than --max-lfs-size (1.0 KiB): 1 bucket file, 4.0 KiB"),
        "{err}"
    );

    let variable = finding(&report, &in_variable);
    assert_eq!(variable["source"], "space-variable");
    assert_eq!(
        variable["location"]["path"],
        "spaces/alice/demo/variables/PUBLIC_TOKEN"
    );
    assert_eq!(
        variable["url"],
        format!("{}/spaces/alice/demo/settings", hub.url)
    );

    let job = finding(&report, &in_job);
    assert_eq!(job["source"], "job");
    assert_eq!(job["location"]["path"], "jobs/alice/job1");
    assert_eq!(job["repo"]["type"], "job");
    assert_eq!(job["url"], format!("{}/jobs/alice/job1", hub.url));
    assert_eq!(
        finding(&report, &in_schedule)["location"]["path"],
        "jobs/alice/scheduled/sched1"
    );
    assert_eq!(findings(&report).len(), 6, "{report}");

    // The token went with every Hub request, and never to the storage host.
    let bearer = format!("Bearer {access}");
    let resolved: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/bucket-xet/") || r.path.starts_with("/buckets/"))
        .collect();
    assert_eq!(resolved.len(), 6, "two hops for each of three files");
    assert!(resolved
        .iter()
        .all(|r| r.authorization.as_deref() == Some(bearer.as_str())));
    let stored = storage.requests();
    assert_eq!(stored.len(), 3, "the 4 KiB file was not fetched");
    assert!(stored.iter().all(|r| r.authorization.is_none()));
    assert!(files_under(cache.path())
        .iter()
        .all(|(_, bytes)| !String::from_utf8_lossy(bytes).contains(&access)));

    // Without the token: the private bucket is not listed, the variables are a notice (the
    // auditor may not read them), and --jobs cannot list the jobs: a warning.
    let output = hf_scan()
        .args(["hub", "--author", "alice", "--hf-endpoint", &hub.url])
        .args(["--format", "json", "--show-secrets", "--cache-dir"])
        .arg(cache.path())
        .env_remove("HF_TOKEN")
        .output()
        .unwrap();
    let err = stderr(&output);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings(&report).len(), 1, "{report}");
    finding(&report, &in_public);
    assert!(
        err.contains("the variables of 1 Space could not be read with this token (401/403)"),
        "{err}"
    );
    assert_eq!(report["stats"]["incomplete"], false, "{err}");
    let output = hf_scan()
        .args([
            "hub",
            "--author",
            "alice",
            "--jobs",
            "--bucket",
            "alice/checkpoints",
            "--kernel",
            "alice/attention",
        ])
        .args([
            "--hf-endpoint",
            &hub.url,
            "--format",
            "json",
            "--show-secrets",
        ])
        .arg("--cache-dir")
        .arg(cache.path())
        .env_remove("HF_TOKEN")
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("jobs/alice: its jobs could not be listed (HTTP 401: Unauthorized)"),
        "{err}"
    );
    assert!(
        err.contains(
            "buckets/alice/checkpoints: its files could not be listed (HTTP 401: Unauthorized)"
        ),
        "{err}"
    );
    // A kernel is a git repository like a model, under `kernels/`.
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let kernel = finding(&report, &in_kernel);
    assert_eq!(kernel["repo"]["type"], "kernel");
    assert_eq!(
        kernel["location"]["path"],
        "kernels/alice/attention/build.toml"
    );
    assert!(kernel["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/kernels/alice/attention/blob/", hub.url)));
}

/// An organisation's administrator (and any user, for their own namespace) can read the
/// settings listing: every repository and bucket, kernels included, in one listing. It is
/// used where the token may read it, the per-type listings elsewhere, and the summary says
/// which for each author.
#[test]
fn the_settings_listing_is_used_where_the_token_may_read_it() {
    use common::hub::{whoami, Answer, Bucket};
    let mut rng = Rng::new(474);
    let access = fake_token(&mut rng);
    let [in_own, in_kernel, in_model, in_bucket, in_bob] =
        std::array::from_fn(|_| fake_token(&mut rng));
    let root = temp_dir();
    for (path, token) in [
        ("alice/notes", &in_own),
        ("kernels/acme/attention", &in_kernel),
        ("acme/model", &in_model),
        ("bob/model", &in_bob),
    ] {
        let text = format!("token = \"{token}\"\n");
        bare_repo(root.path(), path, &[&[("config.py", &text)]]);
    }
    let hub = FakeHub::with(Setup {
        answers: HashMap::from([(
            access.clone(),
            Answer::Valid(whoami("alice", "write", &[("acme", "admin")])),
        )]),
        repos: vec![
            repo("models", "alice/notes", true, 0),
            repo("kernels", "acme/attention", false, 0),
            repo("models", "acme/model", false, 0),
            // A type hf-scan does not audit: said, never passed over in silence.
            repo("collections", "acme/best-of", false, 0),
            repo("models", "bob/model", false, 0),
        ],
        sees_private: vec![access.clone()],
        git_root: Some(root.path().to_path_buf()),
        buckets: vec![Bucket {
            id: "acme/checkpoints".into(),
            private: true,
            files: vec![(
                "run/env".into(),
                format!("HF_TOKEN={in_bucket}\n").into_bytes(),
            )],
        }],
        settings_readers: HashMap::from([
            ("alice".to_string(), access.clone()),
            ("acme".to_string(), access.clone()),
        ]),
        ..Setup::default()
    });
    let cache = temp_dir();
    let output = hf_scan()
        .args([
            "hub", "--author", "alice", "--author", "acme", "--author", "bob",
        ])
        .args([
            "--hf-endpoint",
            &hub.url,
            "--format",
            "json",
            "--show-secrets",
        ])
        .arg("--cache-dir")
        .arg(cache.path())
        .env("HF_TOKEN", &access)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        err.contains(
            "the settings listing of acme held entries hf-scan does not audit: 1 of type \
             `collection`"
        ),
        "{err}"
    );
    assert_eq!(
        report["stats"]["warnings"].as_array().unwrap().len(),
        1,
        "{err}"
    );
    for token in [&in_own, &in_kernel, &in_model, &in_bucket, &in_bob] {
        finding(&report, token);
    }
    assert_eq!(finding(&report, &in_kernel)["repo"]["type"], "kernel");
    assert!(
        err.contains(
            "listed from the settings listing (every repository and bucket, private ones \
             included): alice, acme"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "listed through the per-type listings (models, datasets, Spaces, buckets; no \
             kernels): bob (HTTP 403: You must be an admin of this organization)"
        ),
        "{err}"
    );
    let paths: Vec<String> = hub
        .requests()
        .into_iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    assert!(paths
        .iter()
        .any(|p| p.starts_with("/api/settings/repositories")));
    assert!(paths
        .iter()
        .any(|p| p.starts_with("/api/organizations/acme/settings/repositories")));
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("author=acme") || p.starts_with("/api/buckets/acme?")),
        "no per-type listing where the settings listing answered: {paths:?}"
    );
    assert!(paths.iter().any(|p| p.contains("author=bob")));
}

/// Mirrors are scanned as they arrive, while others are still cloning, and small ones side by
/// side: while alice/model's clone is slow, both Spaces are cloned and scanned, their
/// (slow) variables asked for at the same time. Cloning everything first, then scanning one
/// at a time, never has more than one of these slow requests waiting.
#[test]
fn mirrors_are_scanned_while_others_clone_and_small_ones_side_by_side() {
    let mut rng = Rng::new(475);
    let tokens: [String; 3] = std::array::from_fn(|_| fake_token(&mut rng));
    let root = temp_dir();
    for (path, token) in ["alice/model", "spaces/alice/a", "spaces/alice/b"]
        .iter()
        .zip(&tokens)
    {
        let text = format!("HF_TOKEN={token}\n");
        bare_repo(root.path(), path, &[&[(".env", &text)]]);
    }
    let slow = |path: &str, ms: u64| (path.to_string(), std::time::Duration::from_millis(ms));
    let hub = FakeHub::with(Setup {
        repos: vec![
            repo("models", "alice/model", false, 0),
            repo("spaces", "alice/a", false, 0),
            repo("spaces", "alice/b", false, 0),
        ],
        git_root: Some(root.path().to_path_buf()),
        slow: vec![
            slow("/alice/model/git-upload-pack", 3000),
            slow("/api/spaces/alice/a/variables", 1500),
            slow("/api/spaces/alice/b/variables", 1500),
        ],
        ..Setup::default()
    });
    let cache = temp_dir();
    let (report, code) = audit_json(
        &hub.url,
        cache.path(),
        &["--author", "alice", "--clone-jobs", "2", "--show-secrets"],
    );
    assert_eq!(code, 1, "{report}");
    for token in &tokens {
        finding(&report, token);
    }
    assert_eq!(
        hub.max_slow_in_flight(),
        3,
        "the slow clone and both Spaces' scans at once"
    );
}

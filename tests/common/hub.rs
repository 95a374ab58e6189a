//! A real HTTP server on 127.0.0.1 standing in for the Hub (never the internet):
//! - `GET /api/whoami-v2` answers by token as each test scripts it, with the Hub's own shapes
//!   (including its `RateLimit` / `RateLimit-Policy` headers);
//! - `GET /api/{models,datasets,spaces}?author=…` lists scripted repositories, the private ones
//!   only to a token allowed to see them, most downloaded first, paginated with
//!   `Link: <…>; rel="next"`;
//! - the rest of an account: `GET /api/buckets/{ns}` and a bucket's `tree` (paginated), its
//!   files through `/buckets/{id}/resolve/…` with the Hub's two redirects (same host with the
//!   token, then a storage host that must not see it), a Space's `variables` (401 to a token
//!   that may not see private things) and `/api/jobs/{ns}`, `/api/scheduled-jobs/{ns}`;
//! - `POST /api/credentials/revoke` answers 202; `POST /api/organizations/{org}/settings/
//!   tokens/revoke` answers an organisation's administrator (`org_admins`) as the Hub does.
//!
//! It can serve over TLS with the test CA (`fixtures/tls`), and it answers proxy-style
//! requests (`GET http://host/path`), recording the absolute target, so it doubles as the
//! proxy in `--proxy` tests. It records every request and the most it ever had in flight.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::*;

/// How the fake Hub answers one token.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with this whoami-v2 body.
    Valid(String),
    /// 401.
    Invalid,
    /// 429 with `Retry-After: secs` this many times, then the next answer.
    RateLimited {
        retry_after: u64,
        times: usize,
        then: Box<Answer>,
    },
    /// 429 as the Hub sends it (`RateLimit: "api";r=0;t=reset` and a 300 s fixed-window
    /// policy, no Retry-After) this many times, then the next answer.
    HubRateLimited {
        reset: u64,
        times: usize,
        then: Box<Answer>,
    },
    /// 500, always.
    ServerError,
    /// Waits this long before answering.
    Slow(Duration, Box<Answer>),
    /// 302 to this location.
    Redirect(String),
    /// 200 with a body of this many bytes.
    Huge(usize),
}

/// A repository the listing endpoints know.
#[derive(Clone, Debug)]
pub struct Repo {
    /// `models`, `datasets` or `spaces`.
    pub kind: &'static str,
    pub id: String,
    pub private: bool,
    pub downloads: u64,
}

pub fn repo(kind: &'static str, id: &str, private: bool, downloads: u64) -> Repo {
    Repo {
        kind,
        id: id.to_string(),
        private,
        downloads,
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub query: String,
    /// The request target as sent: absolute (`http://…`) when it came through as a proxy.
    pub target: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    pub body: String,
    pub raw_body: Vec<u8>,
    pub headers: HashMap<String, String>,
}

/// A discussion the stand-in serves: its number, title and comments.
#[derive(Clone, Debug)]
pub struct Discussion {
    pub num: u64,
    pub title: String,
    pub comments: Vec<String>,
}

/// A Storage Bucket the stand-in serves: listed under its namespace, its files in the tree
/// listing and through `/buckets/{id}/resolve/{path}`.
#[derive(Clone, Debug)]
pub struct Bucket {
    pub id: String,
    pub private: bool,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Everything a test scripts.
#[derive(Default)]
pub struct Setup {
    pub answers: HashMap<String, Answer>,
    /// Every answer waits this long first, so concurrency can be observed.
    pub delay: Duration,
    pub repos: Vec<Repo>,
    /// Tokens that see private repositories in listings.
    pub sees_private: Vec<String>,
    /// Entries per listing page (default 2, so pagination is exercised).
    pub page: usize,
    /// Serve over TLS with `fixtures/tls/server.pem`.
    pub tls: bool,
    /// Bare repositories served over git's smart HTTP (by `git http-backend`), at their Hub
    /// paths under this directory (`spaces/alice/demo`).
    pub git_root: Option<std::path::PathBuf>,
    /// Hub paths (`spaces/alice/demo`) that git serves only with a token in `sees_private`.
    pub private: Vec<String>,
    /// Hub paths that git refuses with 403, as for a gated repository.
    pub gated: Vec<String>,
    /// Discussions by Hub API path (`spaces/alice/demo`).
    pub discussions: HashMap<String, Vec<Discussion>>,
    /// The first this many listing requests answer 429 with the Hub's `RateLimit` (t=1).
    pub listing_rate_limited: usize,
    /// LFS objects by SHA-256, served through `…/info/lfs/objects/batch`.
    pub lfs: HashMap<String, Vec<u8>>,
    /// Where downloads redirect to (another stand-in, as the Hub's CDN); none: served here.
    pub lfs_cdn: Option<String>,
    /// Storage Buckets. A file is resolved through a redirect on this host (which keeps the
    /// token and checks it) and then, with `lfs_cdn`, a redirect to the CDN's `/cdn/{sha256}`
    /// (the CDN stand-in's `lfs` must hold it).
    pub buckets: Vec<Bucket>,
    /// Space variables by Space id: (key, value, description), readable with a token in
    /// `sees_private` (else 401, as for an auditor without write access).
    pub variables: HashMap<String, Vec<(String, String, String)>>,
    /// Jobs (`/api/jobs/{ns}`) and scheduled jobs (`/api/scheduled-jobs/{ns}`) by namespace,
    /// as JSON arrays the Hub would send, listed to a token in `sees_private` (else 401).
    pub jobs: HashMap<String, Value>,
    pub scheduled_jobs: HashMap<String, Value>,
    /// Organisations that refuse a token whoami accepts (an Enterprise administrator denied
    /// or revoked it): (token, organisation) → the Hub's 403 message for its listings.
    pub cut_off: HashMap<(String, String), String>,
    /// Enterprise organisations and their administrator's token, for
    /// `POST /api/organizations/{org}/settings/tokens/revoke`.
    pub org_admins: HashMap<String, String>,
    /// Who may read a namespace's settings listing (`/api/organizations/{ns}/settings/
    /// repositories`, or `/api/settings/repositories` for the token's own): namespace → token.
    /// It lists every repository of `repos` (kernels too) and every bucket of the namespace.
    pub settings_readers: HashMap<String, String>,
    /// Requests whose path starts with one of these wait this long before they are answered
    /// (a slow clone, a slow API call), so what runs at the same time can be observed
    /// (`FakeHub::max_slow_in_flight`).
    pub slow: Vec<(String, Duration)>,
}

#[derive(Default)]
struct State {
    setup: Setup,
    listings: AtomicUsize,
    served: Mutex<HashMap<String, usize>>,
    log: Mutex<Vec<Request>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    slow_in_flight: AtomicUsize,
    max_slow_in_flight: AtomicUsize,
    base: String,
}

pub struct FakeHub {
    pub url: String,
    state: Arc<State>,
}

impl FakeHub {
    /// Starts a plain-http server; every answer is delayed by `delay`.
    pub fn start(answers: HashMap<String, Answer>, delay: Duration) -> Self {
        Self::with(Setup {
            answers,
            delay,
            ..Setup::default()
        })
    }

    pub fn with(mut setup: Setup) -> Self {
        if setup.page == 0 {
            setup.page = 2;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if setup.tls { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let tls = setup.tls.then(server_tls);
        let state = Arc::new(State {
            setup,
            base: url.clone(),
            ..State::default()
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(connection, stream), &state);
                    }
                    None => serve(stream, &state),
                });
            }
        });
        Self { url, state }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }

    /// Requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// The most `slow` requests that were waiting at once.
    pub fn max_slow_in_flight(&self) -> usize {
        self.state.max_slow_in_flight.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

fn tls_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls")
}

/// The test CA certificate, for `--ca-file`.
pub fn test_ca() -> std::path::PathBuf {
    tls_dir().join("ca.pem")
}

fn server_tls() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(tls_dir().join("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(tls_dir().join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    Arc::new(config)
}

fn serve<S: Read + Write>(stream: S, state: &State) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).unwrap_or(0) == 0 {
                return;
            }
            let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
                return;
            };
            let mut chunk = vec![0; size + 2];
            if reader.read_exact(&mut chunk).is_err() {
                return;
            }
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
    }
    // A proxy-style absolute target: the path is what follows the authority.
    let origin_form = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |at| &rest[at..]).to_string(),
        None => target.clone(),
    };
    let (path, query) = match origin_form.split_once('?') {
        Some((path, query)) => (path.to_string(), query.to_string()),
        None => (origin_form.clone(), String::new()),
    };
    let request = Request {
        method,
        path,
        query,
        target,
        authorization: headers.get("authorization").cloned(),
        user_agent: headers.get("user-agent").cloned(),
        body: String::from_utf8_lossy(&body).into_owned(),
        raw_body: body,
        headers,
    };
    state.log.lock().unwrap().push(request.clone());

    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    std::thread::sleep(state.setup.delay);
    let slow = state
        .setup
        .slow
        .iter()
        .find(|(prefix, _)| request.path.starts_with(prefix.as_str()));
    if let Some((_, wait)) = slow {
        let now = state.slow_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_slow_in_flight.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(*wait);
        state.slow_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    let (status, extra, body) = respond(&request, state);
    state.in_flight.fetch_sub(1, Ordering::SeqCst);

    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{}Content-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        if extra.to_ascii_lowercase().contains("content-type:") {
            ""
        } else {
            "Content-Type: application/json\r\n"
        },
        body.len()
    );
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

type Response = (String, String, Vec<u8>);

fn respond(request: &Request, state: &State) -> Response {
    if request.method == "POST" && request.path == "/api/credentials/revoke" {
        return ("202 Accepted".into(), String::new(), Vec::new());
    }
    let token = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    if let Some(org) = request
        .path
        .strip_prefix("/api/organizations/")
        .and_then(|rest| rest.strip_suffix("/settings/tokens/revoke"))
        .filter(|_| request.method == "POST")
    {
        let error = |status: &str, message: &str| {
            let body = serde_json::json!({ "error": message }).to_string();
            (status.to_string(), String::new(), body.into_bytes())
        };
        if state.setup.org_admins.get(org) != Some(&token) {
            return error("403 Forbidden", "You must be an admin of this organization");
        }
        let revoked: Value = serde_json::from_slice(&request.raw_body).unwrap_or_default();
        return match revoked["token"].as_str() {
            None => error("400 Bad Request", "Missing token"),
            Some(own) if own == token => error(
                "400 Bad Request",
                "An administrator cannot revoke their own token",
            ),
            Some(_) => ("200 OK".into(), String::new(), b"{}".to_vec()),
        };
    }
    if let Some(kind) = request.path.strip_prefix("/api/") {
        if matches!(kind, "models" | "datasets" | "spaces") {
            let limited = state.listings.fetch_add(1, Ordering::SeqCst);
            if limited < state.setup.listing_rate_limited {
                return (
                    "429 Too Many Requests".into(),
                    "RateLimit: \"api\";r=0;t=1\r\n\
                     RateLimit-Policy: \"fixed window\";\"api\";q=500;w=300\r\n"
                        .into(),
                    b"{}".to_vec(),
                );
            }
            return listing(kind, request, &token, state);
        }
        if let Some(found) = discussion(kind, state) {
            return found;
        }
        if let Some(found) = account(kind, request, &token, state) {
            return found;
        }
    }
    if let Some(found) = bucket_file(&request.path, &token, state) {
        return found;
    }
    if request.path.ends_with(".git/info/lfs/objects/batch") && request.method == "POST" {
        let asked: serde_json::Value =
            serde_json::from_slice(&request.raw_body).unwrap_or_default();
        let objects: Vec<_> = asked["objects"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|object| {
                let oid = object["oid"].as_str().unwrap_or_default().to_string();
                serde_json::json!({"oid": oid, "size": object["size"],
                    "actions": {"download": {"href": format!("{}/lfs-objects/{oid}", state.base)}}})
            })
            .collect();
        return (
            "200 OK".into(),
            "Content-Type: application/vnd.git-lfs+json\r\n".into(),
            serde_json::json!({"transfer": "basic", "objects": objects})
                .to_string()
                .into_bytes(),
        );
    }
    for prefix in ["/lfs-objects/", "/cdn/"] {
        if let Some(oid) = request.path.strip_prefix(prefix) {
            if let (Some(cdn), "/lfs-objects/") = (&state.setup.lfs_cdn, prefix) {
                return (
                    "302 Found".into(),
                    format!("Location: {cdn}/cdn/{oid}\r\n"),
                    Vec::new(),
                );
            }
            return match state.setup.lfs.get(oid) {
                Some(bytes) => ("200 OK".into(), String::new(), bytes.clone()),
                None => ("404 Not Found".into(), String::new(), Vec::new()),
            };
        }
    }
    if let Some(root) = &state.setup.git_root {
        let repo = ["/info/refs", "/git-upload-pack", "/git-receive-pack"]
            .iter()
            .find_map(|suffix| request.path.strip_suffix(suffix))
            .map(|repo| repo.trim_start_matches('/').to_string());
        if let Some(repo) = repo {
            if state.setup.gated.contains(&repo) {
                return ("403 Forbidden".into(), String::new(), b"gated".to_vec());
            }
            let allowed = state.setup.sees_private.contains(&token);
            if state.setup.private.contains(&repo) && !allowed {
                return (
                    "401 Unauthorized".into(),
                    "WWW-Authenticate: Basic realm=\"hub\"\r\n".into(),
                    Vec::new(),
                );
            }
            return git_backend(root, request);
        }
    }
    if request.path != "/api/whoami-v2" {
        return ("404 Not Found".into(), String::new(), b"{}".to_vec());
    }
    let served = {
        let mut served = state.served.lock().unwrap();
        let count = served.entry(token.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    let Some(answer) = state.setup.answers.get(&token) else {
        return ("401 Unauthorized".into(), String::new(), b"{}".to_vec());
    };
    answer_for(answer, served)
}

/// `{kind}/{owner}/{name}/discussions[/{num}]` from the discussion endpoints.
fn discussion(path: &str, state: &State) -> Option<Response> {
    let (repo, rest) = path.split_once("/discussions")?;
    let all = state
        .setup
        .discussions
        .get(repo)
        .cloned()
        .unwrap_or_default();
    let json = |value: serde_json::Value| {
        Some((
            "200 OK".to_string(),
            String::new(),
            value.to_string().into_bytes(),
        ))
    };
    match rest.strip_prefix('/') {
        None => json(serde_json::json!({
            "discussions": all.iter().map(|d| serde_json::json!({
                "num": d.num, "title": d.title, "status": "open"})).collect::<Vec<_>>(),
            "count": all.len(),
            "start": 0,
        })),
        Some(num) => {
            let found = all.iter().find(|d| d.num.to_string() == num)?;
            json(serde_json::json!({
                "num": found.num,
                "title": found.title,
                "events": found.comments.iter().map(|c| serde_json::json!({
                    "type": "comment", "data": {"latest": {"raw": c}}})).collect::<Vec<_>>(),
            }))
        }
    }
}

/// A page of `items` from the `cursor` query parameter, with a `Link` to the next one.
fn page_of(items: Vec<Value>, request: &Request, state: &State) -> Response {
    let cursor: usize = request
        .query
        .split('&')
        .find_map(|pair| pair.strip_prefix("cursor="))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let page = state.setup.page;
    let shown: Vec<_> = items.iter().skip(cursor).take(page).cloned().collect();
    let link = if cursor + page < items.len() {
        let query: Vec<&str> = request
            .query
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("cursor="))
            .collect();
        let mut query = query.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        format!(
            "Link: <{}{}?{query}cursor={}>; rel=\"next\"\r\n",
            state.base,
            request.path,
            cursor + page
        )
    } else {
        String::new()
    };
    ("200 OK".into(), link, serde_json::to_vec(&shown).unwrap())
}

/// Buckets, Space variables and jobs under `/api/`.
fn account(path: &str, request: &Request, token: &str, state: &State) -> Option<Response> {
    let allowed = state.setup.sees_private.iter().any(|t| t == token);
    let unauthorized = || {
        Some((
            "401 Unauthorized".to_string(),
            String::new(),
            b"{\"error\":\"Unauthorized\"}".to_vec(),
        ))
    };
    let settings_of = match path.split('/').collect::<Vec<_>>().as_slice() {
        // The token's own user, as its whoami answer names it.
        ["settings", "repositories"] => Some(
            match state.setup.answers.get(token) {
                Some(Answer::Valid(body)) => serde_json::from_str::<Value>(body)
                    .ok()
                    .and_then(|who| who["name"].as_str().map(str::to_string)),
                _ => None,
            }
            .filter(|user| {
                state.setup.settings_readers.get(user).map(String::as_str) == Some(token)
            }),
        ),
        ["organizations", namespace, "settings", "repositories"] => Some(
            (state
                .setup
                .settings_readers
                .get(*namespace)
                .map(String::as_str)
                == Some(token))
            .then(|| namespace.to_string()),
        ),
        _ => None,
    };
    if let Some(namespace) = settings_of {
        let Some(namespace) = namespace else {
            let body = serde_json::json!({"error": "You must be an admin of this organization"});
            return Some((
                "403 Forbidden".into(),
                String::new(),
                body.to_string().into_bytes(),
            ));
        };
        let mine = |id: &str| id.split('/').next() == Some(namespace.as_str());
        let mut items: Vec<Value> = state
            .setup
            .repos
            .iter()
            .filter(|r| mine(&r.id))
            .map(|r| {
                serde_json::json!({"id": r.id, "type": r.kind.trim_end_matches('s'),
                    "visibility": if r.private { "private" } else { "public" },
                    "storage": 1024, "storagePercent": 0.1,
                    "updatedAt": "2026-01-01T00:00:00.000Z"})
            })
            .collect();
        items.extend(state.setup.buckets.iter().filter(|b| mine(&b.id)).map(|b| {
            serde_json::json!({"id": b.id, "type": "bucket",
                "visibility": if b.private { "private" } else { "public" },
                "storage": b.files.iter().map(|f| f.1.len()).sum::<usize>(),
                "updatedAt": "2026-01-01T00:00:00.000Z"})
        }));
        return Some(page_of(items, request, state));
    }
    if let Some(rest) = path.strip_prefix("buckets/") {
        let parts: Vec<&str> = rest.split('/').collect();
        return match parts.as_slice() {
            [namespace] => {
                let items = state
                    .setup
                    .buckets
                    .iter()
                    .filter(|b| b.id.split('/').next() == Some(namespace))
                    .filter(|b| !b.private || allowed)
                    .map(|b| {
                        serde_json::json!({"id": b.id, "private": b.private,
                            "createdAt": "2026-01-01T00:00:00.000Z",
                            "size": b.files.iter().map(|f| f.1.len()).sum::<usize>(),
                            "totalFiles": b.files.len()})
                    })
                    .collect();
                Some(page_of(items, request, state))
            }
            [namespace, name, "tree", ..] => {
                let id = format!("{namespace}/{name}");
                let bucket = state.setup.buckets.iter().find(|b| b.id == id)?;
                if bucket.private && !allowed {
                    return unauthorized();
                }
                let mut items = Vec::new();
                let mut directories = BTreeSet::new();
                for (file, bytes) in &bucket.files {
                    if let Some((directory, _)) = file.rsplit_once('/') {
                        if directories.insert(directory.to_string()) {
                            items.push(serde_json::json!({"type": "directory",
                                "path": directory, "uploadedAt": "2026-01-01T00:00:00.000Z"}));
                        }
                    }
                    items.push(serde_json::json!({"type": "file", "path": file,
                        "size": bytes.len(), "xetHash": hex_sha256(bytes),
                        "mtime": "2026-01-01T00:00:00.000Z"}));
                }
                Some(page_of(items, request, state))
            }
            _ => None,
        };
    }
    if let Some(space) = path
        .strip_prefix("spaces/")
        .and_then(|rest| rest.strip_suffix("/variables"))
    {
        if !allowed {
            return unauthorized();
        }
        let mut answer = serde_json::Map::new();
        for (key, value, description) in state.setup.variables.get(space).into_iter().flatten() {
            answer.insert(
                key.clone(),
                serde_json::json!({"value": value, "description": description,
                    "updatedAt": "2026-01-01T00:00:00.000Z"}),
            );
        }
        return Some((
            "200 OK".into(),
            String::new(),
            Value::Object(answer).to_string().into_bytes(),
        ));
    }
    for (prefix, table) in [
        ("jobs/", &state.setup.jobs),
        ("scheduled-jobs/", &state.setup.scheduled_jobs),
    ] {
        if let Some(namespace) = path.strip_prefix(prefix) {
            if !allowed {
                return unauthorized();
            }
            let items = table
                .get(namespace)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            return Some(page_of(items, request, state));
        }
    }
    None
}

/// `/buckets/{ns}/{name}/resolve/{path}` redirects on this host to `/bucket-xet/{sha256}`,
/// which checks the token of a private bucket and serves the bytes, or redirects to the CDN.
fn bucket_file(path: &str, token: &str, state: &State) -> Option<Response> {
    let allowed = state.setup.sees_private.iter().any(|t| t == token);
    if let Some(rest) = path.strip_prefix("/buckets/") {
        let (id, file) = rest.split_once("/resolve/")?;
        let bucket = state.setup.buckets.iter().find(|b| b.id == id)?;
        let file = file.replace("%20", " ");
        let (_, bytes) = bucket.files.iter().find(|(name, _)| *name == file)?;
        return Some((
            "302 Found".into(),
            format!("Location: /bucket-xet/{}\r\n", hex_sha256(bytes)),
            Vec::new(),
        ));
    }
    let sha = path.strip_prefix("/bucket-xet/")?;
    let (bucket, bytes) = state.setup.buckets.iter().find_map(|bucket| {
        let (_, bytes) = bucket.files.iter().find(|(_, b)| hex_sha256(b) == sha)?;
        Some((bucket, bytes))
    })?;
    if bucket.private && !allowed {
        return Some(("401 Unauthorized".into(), String::new(), Vec::new()));
    }
    Some(match &state.setup.lfs_cdn {
        Some(cdn) => (
            "302 Found".into(),
            format!("Location: {cdn}/cdn/{sha}\r\n"),
            Vec::new(),
        ),
        None => ("200 OK".into(), String::new(), bytes.clone()),
    })
}

fn hex_sha256(bytes: &[u8]) -> String {
    hf_scan::finding::hex_sha256(bytes)
}

/// Runs `git http-backend` (CGI) for one smart-HTTP request and returns its answer.
fn git_backend(root: &Path, request: &Request) -> Response {
    use std::process::{Command, Stdio};
    let header = |name: &str| request.headers.get(name).cloned().unwrap_or_default();
    let mut child = Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("REQUEST_METHOD", &request.method)
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", request.raw_body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("HTTP_GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git http-backend runs");
    let mut stdin = child.stdin.take().unwrap();
    let body = request.raw_body.clone();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let out = output.stdout;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, at + 4))
        .or_else(|| {
            out.windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, at + 2))
        })
        .unwrap_or((out.len(), out.len()));
    let head = String::from_utf8_lossy(&out[..split.0]).into_owned();
    let mut status = "200 OK".to_string();
    let mut extra = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => {
                status = value.trim().to_string()
            }
            Some((name, value)) if !name.eq_ignore_ascii_case("content-length") => {
                extra.push_str(&format!("{name}:{value}\r\n"))
            }
            _ => {}
        }
    }
    (status, extra, out[split.1..].to_vec())
}

/// One page of a listing: the author's repositories this token may see, most downloaded
/// first, `page` at a time from `cursor`.
fn listing(kind: &str, request: &Request, token: &str, state: &State) -> Response {
    let params: HashMap<String, String> = request
        .query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%20", " ")))
        .collect();
    let Some(author) = params.get("author") else {
        return ("400 Bad Request".into(), String::new(), b"{}".to_vec());
    };
    if let Some(message) = state
        .setup
        .cut_off
        .get(&(token.to_string(), author.to_string()))
    {
        let body = serde_json::json!({ "error": message });
        return (
            "403 Forbidden".into(),
            String::new(),
            body.to_string().into_bytes(),
        );
    }
    let sees_private = state.setup.sees_private.iter().any(|t| t == token);
    let mut repos: Vec<&Repo> = state
        .setup
        .repos
        .iter()
        .filter(|r| r.kind == kind && r.id.split('/').next() == Some(author.as_str()))
        .filter(|r| !r.private || sees_private)
        .collect();
    repos.sort_by(|a, b| b.downloads.cmp(&a.downloads).then(a.id.cmp(&b.id)));
    let cursor: usize = params
        .get("cursor")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let page = state.setup.page;
    let items: Vec<_> = repos
        .iter()
        .skip(cursor)
        .take(page)
        .map(|r| serde_json::json!({"id": r.id, "private": r.private, "downloads": r.downloads}))
        .collect();
    let link = if cursor + page < repos.len() {
        format!(
            "Link: <{}/api/{kind}?author={author}&cursor={}>; rel=\"next\"\r\n",
            state.base,
            cursor + page
        )
    } else {
        String::new()
    };
    ("200 OK".into(), link, serde_json::to_vec(&items).unwrap())
}

fn answer_for(answer: &Answer, served: usize) -> Response {
    match answer {
        Answer::Valid(body) => ("200 OK".into(), String::new(), body.clone().into_bytes()),
        Answer::Invalid => (
            "401 Unauthorized".into(),
            String::new(),
            b"{\"error\":\"Invalid credentials\"}".to_vec(),
        ),
        Answer::RateLimited {
            retry_after,
            times,
            then,
        } => {
            if served < *times {
                (
                    "429 Too Many Requests".into(),
                    format!("Retry-After: {retry_after}\r\n"),
                    b"{}".to_vec(),
                )
            } else {
                answer_for(then, served - times)
            }
        }
        Answer::HubRateLimited { reset, times, then } => {
            if served < *times {
                (
                    "429 Too Many Requests".into(),
                    format!(
                        "RateLimit: \"api\";r=0;t={reset}\r\n\
                         RateLimit-Policy: \"fixed window\";\"api\";q=500;w=300\r\n"
                    ),
                    b"{\"error\":\"You have exceeded our rate limit\"}".to_vec(),
                )
            } else {
                answer_for(then, served - times)
            }
        }
        Answer::ServerError => (
            "500 Internal Server Error".into(),
            String::new(),
            b"{}".to_vec(),
        ),
        Answer::Slow(wait, then) => {
            std::thread::sleep(*wait);
            answer_for(then, served)
        }
        Answer::Redirect(location) => (
            "302 Found".into(),
            format!("Location: {location}\r\n"),
            Vec::new(),
        ),
        Answer::Huge(size) => ("200 OK".into(), String::new(), vec![b' '; *size]),
    }
}

/// A whoami-v2 body for a user token.
pub fn whoami(user: &str, role: &str, orgs: &[(&str, &str)]) -> String {
    let orgs: Vec<_> = orgs
        .iter()
        .map(|(name, role)| serde_json::json!({"type": "org", "name": name, "roleInOrg": role}))
        .collect();
    serde_json::json!({
        "type": "user",
        "name": user,
        "fullname": format!("{user} Example"),
        "orgs": orgs,
        "auth": {"type": "access_token", "accessToken": {
            "displayName": "laptop", "role": role, "createdAt": "2024-05-01T09:30:00.000Z"}}
    })
    .to_string()
}

pub fn tokens(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count).map(|_| fake_token(&mut rng)).collect()
}

/// Writes each token into its own file and scans with `--verify` against `hub`.
pub fn scan_verified(hub: &FakeHub, tokens: &[String], extra: &[&str]) -> (Value, i32, String) {
    let dir = temp_dir();
    for (i, token) in tokens.iter().enumerate() {
        write(
            dir.path(),
            &format!("f{i:02}.env"),
            format!("HF_TOKEN={token}\n"),
        );
    }
    let output = hf_scan()
        .current_dir(dir.path())
        .args([
            "--verify",
            "--hf-endpoint",
            &hub.url,
            "--format",
            "json",
            "--show-secrets",
        ])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}{}", stdout(&output), stderr(&output)));
    (report, output.status.code().unwrap(), stderr(&output))
}

pub fn by_secret<'a>(report: &'a Value, secret: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["secret"] == secret)
        .unwrap_or_else(|| panic!("no finding for a token"))
}

//! The one way hf-scan talks to a Hub: which endpoint, over which transport, how fast, and how
//! much of an answer it reads.
//!
//! Everything that sends a token goes through `HubClient`, so the rules hold everywhere:
//! - The endpoint is `https` (plain `http` only to a loopback host), has no user info, query or
//!   fragment, and request URLs are joined by the URL library, never by string concatenation.
//!   Where it came from (`--hf-endpoint`, `HF_ENDPOINT`, the default) is kept, so a mirror
//!   named by the environment is announced before any token goes to it.
//! - Redirects are not followed, so a bearer header never reaches another host; proxies from
//!   the environment are ignored, and an explicit `--proxy` is the only one used. `--ca-file`
//!   adds certificates to the bundled roots; it never turns verification off.
//! - An answer is read up to `MAX_BODY` bytes: a hostile or broken server cannot make hf-scan
//!   buffer a gigabyte.
//! - The Hub's rate limit (`RateLimit: "api";r=0;t=42`, `RateLimit-Policy: …;w=300`) pauses
//!   every worker at once (`Pacer`), up to the run's deadline, with a notice saying so;
//!   `request` retries 429s, 5xx and network failures a bounded number of times through it.
//! - A listing's `Link: rel="next"` pages are followed on the endpoint's own origin only
//!   (`list_pages`), with a check before every request for the caller's budget.

use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::HeaderMap;
use reqwest::{Certificate, StatusCode, Url};

use crate::finding::Secret;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// The most bytes of one answer hf-scan reads; whoami and listing pages are a few KB.
pub const MAX_BODY: usize = 1 << 20;
/// Entries one listing may hold in all (a Hub author with more is listed this far, with a
/// warning).
pub const MAX_LISTED: usize = 300_000;
/// The Hub's documented rate-limit window: no single wait is longer.
const LONGEST_WINDOW: Duration = Duration::from_secs(300);

/// Where the endpoint came from: only the flag is the user's explicit choice in this command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointOrigin {
    Flag,
    Environment,
    Default,
}

/// A checked Hub base URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Always ends with `/`, so relative joins keep a path prefix (`https://mirror/hf/`).
    base: Url,
    pub origin: EndpointOrigin,
}

impl Endpoint {
    /// Checks `raw`: `https`, or `http` to a loopback host only; a host; no user info, query
    /// or fragment (each would send the token somewhere, or somehow, the user did not mean).
    pub fn parse(raw: &str, origin: EndpointOrigin) -> anyhow::Result<Self> {
        let name = match origin {
            EndpointOrigin::Environment => "HF_ENDPOINT",
            _ => "--hf-endpoint",
        };
        let Ok(mut base) = Url::parse(raw.trim()) else {
            bail!("{name} is not a URL");
        };
        if !base.username().is_empty() || base.password().is_some() {
            bail!(
                "{name} must not contain user info (user:password@): hf-scan sends the token \
                 as a bearer header, and user info would send a second credential"
            );
        }
        if base.query().is_some() || base.fragment().is_some() {
            bail!("{name} must not contain a query (?…) or a fragment (#…)");
        }
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => bail!(
                "refusing to send tokens over plain http to {}: use https (plain http is \
                 allowed only to a loopback host, for testing)",
                base.host_str().unwrap_or("?")
            ),
            other => bail!("{name} must be an https URL, not {other}:"),
        }
        if base.host_str().is_none_or(str::is_empty) {
            bail!("{name} has no host");
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self { base, origin })
    }

    /// `relative` (no leading slash) under the endpoint.
    pub fn join(&self, relative: &str) -> Url {
        self.base
            .join(relative.trim_start_matches('/'))
            .expect("a relative path joins onto an http(s) base")
    }

    /// The endpoint as people write it: no trailing slash.
    pub fn display(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// Whether this is the public Hub (whose revocation page the messages name).
    pub fn is_public_hub(&self) -> bool {
        self.base.host_str() == Some("huggingface.co")
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display())
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// How requests travel: timeouts, extra trusted certificates, an explicit proxy.
#[derive(Debug, Clone)]
pub struct Transport {
    pub timeout: Duration,
    /// Certificates from `--ca-file`, added to the bundled roots.
    pub extra_roots: Vec<Certificate>,
    pub ca_file: Option<PathBuf>,
    /// `--proxy`: every request goes through it; none otherwise (the environment's proxies
    /// are ignored, so a variable set by someone else cannot redirect tokens).
    pub proxy: Option<Url>,
}

impl Transport {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            extra_roots: Vec::new(),
            ca_file: None,
            proxy: None,
        }
    }

    /// Adds every certificate in the PEM file `path` to the trusted roots.
    pub fn add_ca_file(&mut self, path: &Path) -> anyhow::Result<()> {
        let pem = crate::files::read_bounded(path, crate::files::CONFIG_LIMIT)
            .with_context(|| format!("reading --ca-file {}", path.display()))?;
        let certificates = Certificate::from_pem_bundle(pem.as_bytes())
            .ok()
            .filter(|certificates| !certificates.is_empty())
            .with_context(|| {
                format!(
                    "--ca-file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                )
            })?;
        self.extra_roots.extend(certificates);
        self.ca_file = Some(path.to_path_buf());
        Ok(())
    }

    /// Checks `--proxy`: an http or https URL with a host.
    pub fn set_proxy(&mut self, raw: &str) -> anyhow::Result<()> {
        let Ok(proxy) = Url::parse(raw) else {
            bail!("--proxy is not a URL (http://host:port)");
        };
        if !matches!(proxy.scheme(), "http" | "https") || proxy.host_str().is_none() {
            bail!("--proxy must be an http:// or https:// URL with a host");
        }
        self.proxy = Some(proxy);
        Ok(())
    }

    fn client(&self) -> anyhow::Result<Client> {
        let mut builder = Client::builder()
            .user_agent(concat!("hf-scan/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        for certificate in &self.extra_roots {
            builder = builder.add_root_certificate(certificate.clone());
        }
        builder = match &self.proxy {
            Some(proxy) => builder.proxy(
                reqwest::Proxy::all(proxy.as_str()).context("--proxy is not a usable proxy URL")?,
            ),
            None => builder.no_proxy(),
        };
        builder.build().context("building the HTTP client")
    }
}

/// A client bound to one endpoint, shared by every worker of a run.
pub struct HubClient {
    http: Client,
    timeout: Duration,
    pub endpoint: Endpoint,
    pub pacer: Pacer,
    /// `--proxy` and `--ca-file`, for the git command line `hf-scan hub` runs.
    pub proxy: Option<Url>,
    pub ca_file: Option<PathBuf>,
}

impl HubClient {
    pub fn new(endpoint: Endpoint, transport: &Transport, pacer: Pacer) -> anyhow::Result<Self> {
        Ok(Self {
            http: transport.client()?,
            timeout: transport.timeout,
            endpoint,
            pacer,
            proxy: transport.proxy.clone(),
            ca_file: transport.ca_file.clone(),
        })
    }

    /// A GET that gives up at `--verify-timeout` or at the deadline, whichever comes first.
    pub fn get(&self, url: Url) -> RequestBuilder {
        let left = self.pacer.remaining().max(Duration::from_millis(1));
        self.http.get(url).timeout(self.timeout.min(left))
    }

    pub fn post(&self, url: Url) -> RequestBuilder {
        self.http.post(url)
    }
}

/// Reads an answer's body, at most `MAX_BODY` bytes.
pub fn read_body(response: Response) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    response
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| "the answer was cut off".to_string())?;
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    Ok(body)
}

fn too_large() -> String {
    format!(
        "the answer was larger than {} KiB, more than any Hub answer; not read",
        MAX_BODY >> 10
    )
}

/// A network error, in words, without the URL (the request's URL holds no token, but the
/// wording should not depend on that). A certificate problem is named as one, with the fix.
pub fn describe_error(err: &reqwest::Error) -> String {
    if let Some(problem) = certificate_problem(err) {
        return format!(
            "the server's TLS certificate was not accepted ({problem}); behind a proxy that \
             inspects TLS, pass its CA certificate with --ca-file"
        );
    }
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        let proxy_hint = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
            .iter()
            .find(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
            .map_or(String::new(), |name| {
                format!("; {name} is set, but hf-scan uses a proxy only when --proxy names it")
            });
        format!(
            "could not connect to the Hub ({}){proxy_hint}",
            connect_cause(err)
        )
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off".into()
    } else {
        "network error".into()
    }
}

/// Why a connection failed, from the error chain: refused, reset, unreachable, a name that
/// does not resolve, a TLS handshake that failed.
fn connect_cause(err: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused",
                std::io::ErrorKind::ConnectionReset => return "connection reset",
                std::io::ErrorKind::TimedOut => return "connection timed out",
                std::io::ErrorKind::HostUnreachable | std::io::ErrorKind::NetworkUnreachable => {
                    return "host unreachable"
                }
                _ => {}
            }
        }
        let text = current.to_string().to_ascii_lowercase();
        if text.contains("dns error")
            || text.contains("failed to lookup address")
            || text.contains("name or service not known")
        {
            return "the name did not resolve in DNS";
        }
        if text.contains("tls") || text.contains("handshake") {
            return "the TLS handshake failed";
        }
        source = current.source();
    }
    "the connection failed"
}

/// The innermost error in the chain that talks about a certificate, if any.
fn certificate_problem(err: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut found = None;
    while let Some(current) = source {
        let text = current.to_string();
        if text.to_ascii_lowercase().contains("certificate") {
            found = Some(text);
        }
        source = current.source();
    }
    found.map(|text| crate::sanitize::for_display(&text))
}

/// What the Hub's rate-limit headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// Requests left in this window (`r=`).
    pub remaining: Option<u64>,
    /// Seconds until the window resets (`t=`, or `reset=`).
    pub reset: Option<Duration>,
    /// The window's length (`w=` of `RateLimit-Policy`).
    pub window: Option<Duration>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads `RateLimit`, `RateLimit-Policy`, `RateLimit-Reset` and `Retry-After`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let seconds = |value: &str| value.trim().parse::<u64>().ok();
        let mut limit = RateLimit {
            retry_after: header("retry-after")
                .and_then(seconds)
                .map(Duration::from_secs),
            ..RateLimit::default()
        };
        for (key, value) in header("ratelimit").into_iter().flat_map(parameters) {
            match key {
                "r" | "remaining" => limit.remaining = seconds(value),
                "t" | "reset" => limit.reset = seconds(value).map(Duration::from_secs),
                _ => {}
            }
        }
        if limit.reset.is_none() {
            limit.reset = header("ratelimit-reset")
                .and_then(seconds)
                .map(Duration::from_secs);
        }
        for (key, value) in header("ratelimit-policy").into_iter().flat_map(parameters) {
            if key == "w" {
                limit.window = seconds(value).map(Duration::from_secs);
            }
        }
        limit
    }

    /// How long to pause before the next request after a 429: the reset, else `Retry-After`,
    /// else the window, else a second; never longer than the window (or the Hub's 5 minutes).
    pub fn wait_after_429(&self) -> Duration {
        let longest = self.window.unwrap_or(LONGEST_WINDOW).min(LONGEST_WINDOW);
        self.reset
            .or(self.retry_after)
            .or(self.window)
            .unwrap_or(Duration::from_secs(1))
            .min(longest)
    }

    /// After a successful answer: the pause the next request needs, if this was the last one
    /// the window allows.
    pub fn wait_when_exhausted(&self) -> Option<Duration> {
        (self.remaining == Some(0))
            .then(|| self.reset.unwrap_or(Duration::ZERO).min(LONGEST_WINDOW))
            .filter(|wait| !wait.is_zero())
    }
}

/// `"api";r=0;t=42, …` → `(r, 0)`, `(t, 42)`: the `key=value` parameters of a structured
/// header, quotes and the item names ignored.
fn parameters(value: &str) -> impl Iterator<Item = (&str, &str)> {
    value
        .split([';', ','])
        .filter_map(|part| part.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim().trim_matches('"')))
}

/// Paces every worker of a run against the Hub's rate limit, within the run's deadline.
pub struct Pacer {
    resume_at: Mutex<Option<Instant>>,
    deadline: Instant,
    deadline_secs: u64,
    /// Print a notice on standard error when a pause starts.
    announce: bool,
    waited: Mutex<Duration>,
}

/// Why a request was not sent.
#[derive(Debug)]
pub enum Refusal {
    /// The deadline has passed.
    PastDeadline { deadline_secs: u64 },
    /// The pause the Hub asked for would end after the deadline.
    PauseTooLong { deadline_secs: u64 },
}

impl Pacer {
    pub fn new(deadline: Duration, announce: bool) -> Self {
        Self {
            resume_at: Mutex::new(None),
            deadline: Instant::now() + deadline,
            deadline_secs: deadline.as_secs(),
            announce,
            waited: Mutex::new(Duration::ZERO),
        }
    }

    /// Blocks until requests may go again; refuses when that would be past the deadline.
    pub fn wait_turn(&self) -> Result<(), Refusal> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(Refusal::PastDeadline {
                deadline_secs: self.deadline_secs,
            });
        }
        let resume_at = *self.resume_at.lock().unwrap();
        if let Some(resume_at) = resume_at.filter(|at| *at > now) {
            if resume_at > self.deadline {
                return Err(self.pause_too_long());
            }
            std::thread::sleep(resume_at - now);
        }
        Ok(())
    }

    /// Pauses every worker for `wait` (from now), announcing the pause once. Refuses when the
    /// pause would end after the deadline.
    pub fn hold(&self, wait: Duration, why: &str) -> Result<(), Refusal> {
        let until = Instant::now() + wait;
        if until > self.deadline {
            return Err(self.pause_too_long());
        }
        let mut resume_at = self.resume_at.lock().unwrap();
        if resume_at.is_none_or(|at| at + Duration::from_millis(500) < until) {
            if self.announce && wait >= Duration::from_secs(1) {
                // A verification run names its deadline; a Hub audit has none worth naming.
                let bound = if self.deadline_secs <= 86_400 {
                    format!(" (--verify-deadline {} s)", self.deadline_secs)
                } else {
                    String::new()
                };
                eprintln!(
                    "hf-scan: note: {why}; waiting {} s before the next request{bound}",
                    wait.as_secs(),
                );
            }
            *self.waited.lock().unwrap() += wait;
            *resume_at = Some(until);
        }
        Ok(())
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Total pause time announced so far.
    pub fn waited(&self) -> Duration {
        *self.waited.lock().unwrap()
    }

    pub fn deadline_secs(&self) -> u64 {
        self.deadline_secs
    }

    fn pause_too_long(&self) -> Refusal {
        Refusal::PauseTooLong {
            deadline_secs: self.deadline_secs,
        }
    }
}

impl Refusal {
    pub fn describe(&self) -> String {
        match self {
            Refusal::PastDeadline { deadline_secs } => {
                format!("not checked within --verify-deadline ({deadline_secs} s)")
            }
            Refusal::PauseTooLong { deadline_secs } => format!(
                "not checked within --verify-deadline ({deadline_secs} s): the Hub's rate \
                 limit resets after it"
            ),
        }
    }
}

/// Attempts per request: the first and up to this many retries after a 429, a 5xx or a
/// network failure.
const MAX_RETRIES: u32 = 3;

/// A final answer: not a 429 or a 5xx (those are retried), its body read (capped) when it is
/// a success.
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// `Link: <…>; rel="next"`, for listings.
    pub next_page: Option<Url>,
}

/// Sends one authenticated GET with the run's pacing and bounded retries. `Err` is the reason
/// no final answer came.
pub fn request(client: &HubClient, url: Url, secret: Option<&Secret>) -> Result<Reply, String> {
    let mut last_reason = String::new();
    for attempt in 0..=MAX_RETRIES {
        if let Err(refusal) = client.pacer.wait_turn() {
            return Err(if last_reason.is_empty() {
                refusal.describe()
            } else {
                format!("{last_reason}; {}", refusal.describe())
            });
        }
        let mut get = client.get(url.clone());
        if let Some(secret) = secret {
            get = get.bearer_auth(secret.expose());
        }
        let response = match get.send() {
            Ok(response) => response,
            Err(err) => {
                last_reason = describe_error(&err);
                if last_reason.contains("certificate") {
                    // Asking again will not change the certificate.
                    return Err(last_reason);
                }
                if attempt < MAX_RETRIES {
                    std::thread::sleep(backoff(attempt));
                }
                continue;
            }
        };
        let status = response.status();
        let limit = RateLimit::from_headers(response.headers());
        if status == StatusCode::TOO_MANY_REQUESTS {
            last_reason = "rate limited by the Hub (429)".into();
            if attempt < MAX_RETRIES {
                if let Err(refusal) = client
                    .pacer
                    .hold(limit.wait_after_429(), "the Hub's rate limit was reached")
                {
                    return Err(format!("{last_reason}; {}", refusal.describe()));
                }
            }
            continue;
        }
        if let Some(wait) = limit.wait_when_exhausted() {
            // The last request this window allows: the next one waits (or is refused at its
            // turn if that is past the deadline).
            let _ = client.pacer.hold(wait, "the Hub's rate limit is used up");
        }
        if status.is_server_error() {
            last_reason = format!("Hub error ({})", status.as_u16());
            if attempt < MAX_RETRIES {
                std::thread::sleep(backoff(attempt));
            }
            continue;
        }
        let next_page = next_link(response.headers());
        if !status.is_success() {
            // Kept for its message (`{"error": …}`: why a token is refused); a body that
            // cannot be read is no message.
            return Ok(Reply {
                status,
                body: read_body(response).unwrap_or_default(),
                next_page: None,
            });
        }
        match read_body(response) {
            Ok(body) => {
                return Ok(Reply {
                    status,
                    body,
                    next_page,
                })
            }
            Err(reason) if reason.contains("larger than") => return Err(reason),
            Err(reason) => last_reason = reason,
        }
    }
    Err(format!(
        "{last_reason} (after {} attempts)",
        MAX_RETRIES + 1
    ))
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 << attempt.min(4))
}

/// Reads a paginated listing: `first`, then each `Link: rel="next"` page on the endpoint's own
/// origin (a listing cannot send the token elsewhere), each page a JSON array of `T` handed to
/// `on_items`. `before_request` is asked before every request (a request budget, a page cap)
/// and stops the listing with its reason; `Err` says why the listing stopped short.
///
/// What a listing may hold is bounded: a page of more entries than `page_size` (what the
/// request asked for) ends it, and so do `MAX_LISTED` entries in all, each with its reason, so
/// a server whose pages never end cannot grow memory without bound.
pub fn list_pages<T: serde::de::DeserializeOwned>(
    client: &HubClient,
    first: Url,
    page_size: usize,
    token: Option<&Secret>,
    mut before_request: impl FnMut() -> Result<(), String>,
    mut on_items: impl FnMut(Vec<T>),
) -> Result<(), String> {
    let origin = client.endpoint.join("");
    let mut next = Some(first);
    let mut listed = 0;
    while let Some(url) = next.take() {
        before_request()?;
        let reply = request(client, url, token)?;
        if !reply.status.is_success() {
            return Err(match hub_error_message(&reply.body) {
                Some(message) => format!("HTTP {}: {message}", reply.status.as_u16()),
                None => format!("HTTP {}", reply.status.as_u16()),
            });
        }
        let items = serde_json::from_slice::<Vec<T>>(&reply.body)
            .map_err(|_| "an answer that is not a listing".to_string())?;
        if items.len() > page_size {
            return Err(format!(
                "a page of {} entries, more than the {page_size} asked for: the listing \
                 stopped there",
                items.len()
            ));
        }
        listed += items.len();
        if listed > MAX_LISTED {
            return Err(format!("stopped after {MAX_LISTED} entries"));
        }
        on_items(items);
        next = reply.next_page.filter(|page| same_origin(page, &origin));
    }
    Ok(())
}

/// Characters of a Hub error message kept in a warning.
const MAX_ERROR_MESSAGE: usize = 200;

/// The message of a Hub error answer (`{"error": "…"}`), cut to a line and escaped for a
/// terminal: it says why (a token revoked by an organisation, a gated repository).
pub fn hub_error_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct HubError {
        error: String,
    }
    let message = serde_json::from_slice::<HubError>(body).ok()?.error;
    let message: String = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_ERROR_MESSAGE)
        .collect();
    (!message.is_empty()).then(|| crate::sanitize::for_display(&message))
}

/// Redirects followed per download.
const MAX_REDIRECTS: usize = 5;

/// Downloads a file of at most `limit` bytes (an LFS object, a bucket file), following
/// redirects itself: the token and `headers` (never an `Authorization` among them) go only to
/// the endpoint's own origin, so a redirect to a storage host or CDN is followed without them.
/// More than `limit` bytes is an error, not a cut.
pub fn download(
    client: &HubClient,
    token: Option<&Secret>,
    mut url: Url,
    headers: &std::collections::HashMap<String, String>,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let origin = client.endpoint.join("");
    for _ in 0..=MAX_REDIRECTS {
        if !matches!(url.scheme(), "https" | "http") {
            return Err("a location that is not http(s)".into());
        }
        let own = same_origin(&url, &origin);
        let mut get = client.get(url.clone());
        if own {
            if let Some(token) = token {
                get = get.bearer_auth(token.expose());
            }
            for (name, value) in headers {
                if !name.eq_ignore_ascii_case("authorization") {
                    get = get.header(name, value);
                }
            }
        }
        let response = get.send().map_err(|err| describe_error(&err))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .ok_or("a redirect without a location")?;
            url = url
                .join(location)
                .map_err(|_| "a bad redirect".to_string())?;
            continue;
        }
        if status != StatusCode::OK {
            return Err(format!("HTTP {}", status.as_u16()));
        }
        let mut bytes = Vec::new();
        response
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| "the download was cut off".to_string())?;
        if bytes.len() as u64 > limit {
            return Err(format!("more than the {limit} bytes announced"));
        }
        return Ok(bytes);
    }
    Err("too many redirects".into())
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(headers: &reqwest::header::HeaderMap) -> Option<reqwest::Url> {
    let value = headers.get("link")?.to_str().ok()?;
    value.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|param| param.trim().replace(' ', "") == "rel=\"next\"");
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| reqwest::Url::parse(target).ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        for allowed in [
            "https://huggingface.co",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://localhost:9/",
            "http://[::1]:8080",
            "https://mirror.example/hf",
        ] {
            assert!(
                Endpoint::parse(allowed, EndpointOrigin::Flag).is_ok(),
                "{allowed}"
            );
        }
        for refused in [
            "http://huggingface.co",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://huggingface.co",
            "not a url",
            "https://user:pass@huggingface.co",
            "https://user@huggingface.co",
            "https://huggingface.co/?a=b",
            "https://huggingface.co/#x",
            "file:///etc/passwd",
        ] {
            assert!(
                Endpoint::parse(refused, EndpointOrigin::Flag).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn paths_join_under_the_endpoint() {
        let join = |base: &str| {
            Endpoint::parse(base, EndpointOrigin::Flag)
                .unwrap()
                .join("api/whoami-v2")
                .to_string()
        };
        assert_eq!(
            join("https://huggingface.co"),
            "https://huggingface.co/api/whoami-v2"
        );
        assert_eq!(
            join("https://huggingface.co/"),
            "https://huggingface.co/api/whoami-v2"
        );
        assert_eq!(
            join("https://mirror.example/hf"),
            "https://mirror.example/hf/api/whoami-v2"
        );
        let endpoint = Endpoint::parse("https://mirror.example/hf/", EndpointOrigin::Flag).unwrap();
        assert_eq!(endpoint.display(), "https://mirror.example/hf");
    }

    #[test]
    fn rate_limit_headers_give_the_wait() {
        let limit = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(*name, value.parse().unwrap());
            }
            RateLimit::from_headers(&headers)
        };
        let hub = limit(&[
            ("ratelimit", "\"api\";r=0;t=42"),
            ("ratelimit-policy", "\"fixed window\";\"api\";q=500;w=300"),
            ("retry-after", "7"),
        ]);
        assert_eq!(hub.remaining, Some(0));
        assert_eq!(hub.window, Some(Duration::from_secs(300)));
        assert_eq!(
            hub.wait_after_429(),
            Duration::from_secs(42),
            "the Hub's reset wins over Retry-After"
        );
        assert_eq!(hub.wait_when_exhausted(), Some(Duration::from_secs(42)));
        assert_eq!(
            limit(&[("retry-after", "7")]).wait_after_429(),
            Duration::from_secs(7)
        );
        assert_eq!(
            limit(&[("ratelimit-policy", "\"fixed window\";\"api\";q=500;w=300")]).wait_after_429(),
            Duration::from_secs(300),
            "no reset: wait out the window"
        );
        assert_eq!(
            limit(&[("ratelimit", "\"api\";r=0;t=100000")]).wait_after_429(),
            Duration::from_secs(300),
            "never longer than a window"
        );
        assert_eq!(
            limit(&[("ratelimit-reset", "3")]).wait_after_429(),
            Duration::from_secs(3)
        );
        assert_eq!(
            RateLimit::default().wait_after_429(),
            Duration::from_secs(1)
        );
        assert_eq!(
            limit(&[("ratelimit", "\"api\";r=5;t=42")]).wait_when_exhausted(),
            None
        );
    }

    #[test]
    fn a_pause_past_the_deadline_is_refused_without_waiting() {
        let pacer = Pacer::new(Duration::from_secs(2), false);
        let started = Instant::now();
        assert!(pacer.hold(Duration::from_secs(60), "test").is_err());
        assert!(pacer.wait_turn().is_ok());
        assert!(pacer.hold(Duration::from_millis(200), "test").is_ok());
        assert!(pacer.wait_turn().is_ok());
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn next_links_are_parsed() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "link",
            "<https://huggingface.co/api/models?author=a&cursor=x>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).unwrap().as_str(),
            "https://huggingface.co/api/models?author=a&cursor=x"
        );
        headers.insert("link", "<https://x/>; rel=\"prev\"".parse().unwrap());
        assert_eq!(next_link(&headers), None);
        assert!(!same_origin(
            &reqwest::Url::parse("https://evil.example/api").unwrap(),
            &reqwest::Url::parse("https://huggingface.co/").unwrap()
        ));
    }
}

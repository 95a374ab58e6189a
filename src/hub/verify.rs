//! Live verification: asks the Hub's `whoami-v2` endpoint whether a token works, whose it is,
//! and what it can do.
//!
//! Verification is a phase after the scan, so the walk never waits on the network. Each
//! distinct token is checked once, whatever the number of findings that carry it, by a bounded
//! pool of workers. The result is a `Verification` value — valid, invalid, or unknown with a
//! reason — and never an HTTP status leaking into the rest of the program. Only a 401 makes a
//! token invalid: a rate limit, a timeout, a server error or a redirect is `unknown`, because
//! telling a user that a live token is dead is the worst mistake a verifier can make.
//!
//! Security: the token goes only to the configured endpoint, as a bearer header; redirects
//! are not followed (so the header never reaches another host); proxies from the environment
//! are ignored; plain `http` is refused unless the host is loopback.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context};
use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use crate::finding::{
    Finding, Identity, OrgMembership, ScopedPermissions, Scopes, Secret, Verification,
};

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// Distinct tokens verified per run unless `--verify-max` says otherwise.
pub const DEFAULT_MAX_TOKENS: usize = 100;
/// Attempts per token: the first request and up to this many retries after a 429, a 5xx or a
/// network failure.
const MAX_RETRIES: u32 = 3;
/// The longest a `Retry-After` is honoured; a longer one makes the token `unknown` at once.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// Where and how to verify; checked when the arguments are.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    pub endpoint: Url,
    pub concurrency: usize,
    pub timeout: Duration,
    /// Distinct tokens verified at most; the rest are `unknown`.
    pub max_tokens: usize,
}

impl VerifyConfig {
    /// Checks the endpoint: `https`, or `http` to a loopback host only.
    pub fn new(endpoint: &str, concurrency: usize, timeout: Duration) -> anyhow::Result<Self> {
        let endpoint = Url::parse(endpoint.trim_end_matches('/'))
            .with_context(|| format!("--hf-endpoint `{endpoint}` is not a URL"))?;
        match endpoint.scheme() {
            "https" => {}
            "http" if is_loopback(&endpoint) => {}
            "http" => bail!(
                "refusing to send tokens over plain http to {}: use https (plain http is \
                 allowed only to a loopback host, for testing)",
                endpoint.host_str().unwrap_or("?")
            ),
            other => bail!("--hf-endpoint must be an https URL, not {other}:"),
        }
        if endpoint.host_str().is_none() {
            bail!("--hf-endpoint `{endpoint}` has no host");
        }
        Ok(Self {
            endpoint,
            concurrency: concurrency.max(1),
            timeout,
            max_tokens: DEFAULT_MAX_TOKENS,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint.as_str().trim_end_matches('/'))
    }

    fn client(&self) -> anyhow::Result<Client> {
        Client::builder()
            .user_agent(concat!("hf-scan/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .context("building the HTTP client")
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

/// The parts of `whoami-v2` hf-scan reads; everything is optional, unknown fields are ignored.
#[derive(Deserialize)]
struct WhoAmI {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    fullname: Option<String>,
    #[serde(default)]
    orgs: Vec<WhoAmIOrg>,
    auth: Option<WhoAmIAuth>,
    /// App tokens: the role and entities the app was granted.
    scope: Option<WhoAmIAppScope>,
}

#[derive(Deserialize)]
struct WhoAmIAppScope {
    role: Option<String>,
}

#[derive(Deserialize)]
struct WhoAmIOrg {
    name: Option<String>,
    #[serde(rename = "roleInOrg")]
    role_in_org: Option<String>,
}

#[derive(Deserialize)]
struct WhoAmIAuth {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "accessToken")]
    access_token: Option<WhoAmIToken>,
    /// OAuth and app tokens: what they were granted.
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(rename = "expiresAt")]
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct WhoAmIToken {
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    role: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
    #[serde(rename = "fineGrained")]
    fine_grained: Option<WhoAmIFineGrained>,
    expiration: Option<String>,
}

#[derive(Deserialize)]
struct WhoAmIFineGrained {
    #[serde(rename = "canReadGatedRepos")]
    can_read_gated_repos: Option<bool>,
    #[serde(default)]
    global: Vec<String>,
    #[serde(default)]
    scoped: Vec<WhoAmIScoped>,
}

#[derive(Deserialize)]
struct WhoAmIScoped {
    entity: Option<WhoAmIEntity>,
    #[serde(default)]
    permissions: Vec<String>,
}

#[derive(Deserialize)]
struct WhoAmIEntity {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
}

/// Parses a 200 answer. A body that is not the expected JSON still means the token worked.
fn parse_identity(body: &[u8]) -> Identity {
    let Ok(who) = serde_json::from_slice::<WhoAmI>(body) else {
        return Identity::default();
    };
    let (auth_type, token, permissions, auth_expires) = match who.auth {
        Some(auth) => (
            auth.kind,
            auth.access_token,
            auth.permissions,
            auth.expires_at,
        ),
        None => (None, None, Vec::new(), None),
    };
    let (token_name, role, created_at, fine_grained, expiration) = match token {
        Some(t) => (
            t.display_name,
            t.role,
            t.created_at,
            t.fine_grained,
            t.expiration,
        ),
        None => (None, None, None, None, None),
    };
    let role = role.or_else(|| who.scope.and_then(|scope| scope.role));
    let can_read_gated_repos = fine_grained.as_ref().and_then(|fg| fg.can_read_gated_repos);
    let scopes = match fine_grained {
        Some(fg) => Some(Scopes {
            global: fg.global,
            scoped: fg
                .scoped
                .into_iter()
                .map(|s| ScopedPermissions {
                    entity_type: s.entity.as_ref().and_then(|e| e.kind.clone()),
                    entity: s.entity.and_then(|e| e.name),
                    permissions: s.permissions,
                })
                .collect(),
        }),
        None if !permissions.is_empty() => Some(Scopes {
            global: permissions,
            scoped: Vec::new(),
        }),
        None => None,
    };
    let mut identity = Identity {
        kind: who.kind,
        user: who.name,
        fullname: who.fullname,
        auth_type,
        token_name,
        role,
        created_at,
        expires_at: auth_expires.or(expiration),
        can_read_gated_repos,
        orgs: who
            .orgs
            .into_iter()
            .filter_map(|org| {
                Some(OrgMembership {
                    name: org.name?,
                    role: org.role_in_org,
                })
            })
            .collect(),
        scopes,
        power: Default::default(),
    };
    identity.power = identity.assess();
    identity
}

/// Verifies each distinct secret once, at most `concurrency` at a time. Returns results keyed
/// by the token's hash.
pub fn verify_all<'a>(
    config: &VerifyConfig,
    secrets: impl IntoIterator<Item = &'a Secret>,
) -> anyhow::Result<HashMap<String, Verification>> {
    // Distinct tokens in the order they were found; past the budget, not sent at all.
    let mut seen = HashSet::new();
    let mut queue: Vec<(String, &Secret)> = Vec::new();
    let mut results = HashMap::new();
    for secret in secrets {
        let hash = secret.hash().to_string();
        if !seen.insert(hash.clone()) {
            continue;
        }
        if queue.len() < config.max_tokens {
            queue.push((hash, secret));
        } else {
            results.insert(
                hash,
                Verification::Unknown {
                    reason: format!(
                        "not checked: more than {} distinct tokens in this run (--verify-max)",
                        config.max_tokens
                    ),
                },
            );
        }
    }
    if queue.is_empty() {
        return Ok(results);
    }
    let client = config.client()?;
    let next = AtomicUsize::new(0);
    let results = Mutex::new(results);
    let workers = config.concurrency.min(queue.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((hash, secret)) = queue.get(index) else {
                    return;
                };
                let verification = verify_one(&client, config, secret);
                results.lock().unwrap().insert(hash.clone(), verification);
            });
        }
    });
    Ok(results.into_inner().unwrap())
}

/// One token, with bounded retries.
fn verify_one(client: &Client, config: &VerifyConfig, secret: &Secret) -> Verification {
    let url = config.url("/api/whoami-v2");
    let mut last_reason = String::new();
    for attempt in 0..=MAX_RETRIES {
        let wait = match client.get(&url).bearer_auth(secret.expose()).send() {
            Ok(response) => match classify(response) {
                Attempt::Done(verification) => return verification,
                Attempt::Retry { reason, wait } => {
                    last_reason = reason;
                    wait.unwrap_or_else(|| backoff(attempt))
                }
            },
            Err(err) => {
                last_reason = describe_error(&err);
                backoff(attempt)
            }
        };
        if attempt == MAX_RETRIES {
            break;
        }
        if wait > MAX_RETRY_WAIT {
            return Verification::Unknown {
                reason: format!(
                    "{last_reason}; the Hub asked to wait {}s, more than hf-scan waits",
                    wait.as_secs()
                ),
            };
        }
        std::thread::sleep(wait);
    }
    Verification::Unknown {
        reason: format!("{last_reason} (after {} attempts)", MAX_RETRIES + 1),
    }
}

enum Attempt {
    Done(Verification),
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
}

fn classify(response: Response) -> Attempt {
    let status = response.status();
    match status {
        StatusCode::OK => match response.bytes() {
            Ok(body) => Attempt::Done(Verification::Valid(Box::new(parse_identity(&body)))),
            Err(err) => Attempt::Retry {
                reason: describe_error(&err),
                wait: None,
            },
        },
        StatusCode::UNAUTHORIZED => Attempt::Done(Verification::Invalid {
            reason: "revoked, expired or never valid (401)".into(),
        }),
        StatusCode::TOO_MANY_REQUESTS => Attempt::Retry {
            reason: "rate limited by the Hub (429)".into(),
            wait: Some(retry_wait(response.headers()).unwrap_or(Duration::from_secs(1))),
        },
        status if status.is_server_error() => Attempt::Retry {
            reason: format!("Hub error ({})", status.as_u16()),
            wait: None,
        },
        status if status.is_redirection() => Attempt::Done(Verification::Unknown {
            reason: format!(
                "the endpoint redirected ({}); redirects are not followed, so the token is \
                 not sent elsewhere",
                status.as_u16()
            ),
        }),
        status => Attempt::Done(Verification::Unknown {
            reason: format!("unexpected answer ({})", status.as_u16()),
        }),
    }
}

/// How long a 429 asks to wait: `Retry-After` in seconds, else the reset of a `RateLimit`
/// header (`t=` in the Hub's structured form, or `reset=`), else `RateLimit-Reset`.
fn retry_wait(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(seconds) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(seconds));
    }
    if let Some(value) = header("ratelimit") {
        for part in value.split([';', ',']) {
            let part = part.trim();
            if let Some(seconds) = part
                .strip_prefix("t=")
                .or_else(|| part.strip_prefix("reset="))
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                return Some(Duration::from_secs(seconds));
            }
        }
    }
    header("ratelimit-reset")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 << attempt.min(4))
}

/// A network error, described without the URL's query or anything the token could be in.
fn describe_error(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect to the Hub".into()
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off".into()
    } else {
        "network error".into()
    }
}

/// Sets each finding's verification and severity from `results` (keyed by token hash).
pub fn apply(findings: &mut [Finding], results: &HashMap<String, Verification>) {
    for finding in findings {
        if let Some(verification) = results.get(finding.secret.hash()) {
            finding.severity = verification.severity();
            finding.verification = Some(verification.clone());
        }
    }
}

/// Asks the Hub to revoke `secrets`. The endpoint needs no authentication and answers 202
/// whether or not a token existed (and emails each owner), so success says the request was
/// accepted, not that the tokens were valid.
pub fn revoke(config: &VerifyConfig, secrets: &[Secret]) -> anyhow::Result<StatusCode> {
    let client = config.client()?;
    let credentials: Vec<&str> = secrets.iter().map(Secret::expose).collect();
    let response = client
        .post(config.url("/api/credentials/revoke"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "credentials": credentials }).to_string())
        .send()
        .map_err(|err| anyhow::anyhow!("revocation request failed: {}", describe_error(&err)))?;
    Ok(response.status())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Power, Severity};

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        let timeout = Duration::from_secs(1);
        for allowed in [
            "https://huggingface.co",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://localhost:9/",
            "http://[::1]:8080",
        ] {
            assert!(VerifyConfig::new(allowed, 4, timeout).is_ok(), "{allowed}");
        }
        for refused in [
            "http://huggingface.co",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://huggingface.co",
            "not a url",
        ] {
            assert!(VerifyConfig::new(refused, 4, timeout).is_err(), "{refused}");
        }
    }

    #[test]
    fn identity_is_parsed_tolerating_missing_and_extra_fields() {
        let body = br#"{"type":"user","name":"alice","fullname":"Alice A","extra":1,
            "createdAt":"2019-01-01T00:00:00.000Z",
            "orgs":[{"name":"acme-ml","roleInOrg":"admin","x":2},{"roleInOrg":"read"}],
            "auth":{"type":"access_token","accessToken":{"displayName":"laptop","role":"read",
            "createdAt":"2024-01-02T03:04:05.000Z"}}}"#;
        let identity = parse_identity(body);
        assert_eq!(identity.user.as_deref(), Some("alice"));
        assert_eq!(identity.token_name.as_deref(), Some("laptop"));
        assert_eq!(identity.auth_type.as_deref(), Some("access_token"));
        assert_eq!(
            identity.created_at.as_deref(),
            Some("2024-01-02T03:04:05.000Z")
        );
        assert_eq!(identity.orgs.len(), 1, "an org without a name is dropped");
        assert_eq!(
            identity.power,
            Power::Read,
            "a read token of an organisation's admin only reads"
        );
        assert_eq!(parse_identity(b"not json"), Identity::default());
        // The account's creation date is not the token's.
        let identity = parse_identity(br#"{"type":"user","createdAt":"2019-01-01T00:00:00Z"}"#);
        assert_eq!(identity.created_at, None);
    }

    /// The power table, from the shapes whoami-v2 returns.
    #[test]
    fn severity_follows_power() {
        let auth = |auth: serde_json::Value| {
            let body = serde_json::json!({"type": "user", "name": "u",
                "orgs": [{"name": "acme", "roleInOrg": "admin"}], "auth": auth});
            parse_identity(body.to_string().as_bytes())
        };
        let role = |role: &str| {
            auth(serde_json::json!({"type": "access_token",
                "accessToken": {"displayName": "t", "role": role}}))
        };
        let fine = |global: &[&str], scoped: &[&str]| {
            auth(serde_json::json!({"type": "access_token", "accessToken": {
                "displayName": "t", "role": "fineGrained", "fineGrained": {
                    "canReadGatedRepos": true, "global": global,
                    "scoped": [{"entity": {"type": "model", "name": "acme/m"},
                                "permissions": scoped}]}}}))
        };
        let cases = [
            (role("read"), Power::Read, Severity::High),
            (role("write"), Power::Manage, Severity::Critical),
            (role("contributor"), Power::Manage, Severity::Critical),
            (role("admin"), Power::Manage, Severity::Critical),
            (
                fine(&["inference.serverless.write"], &[]),
                Power::WriteOther,
                Severity::High,
            ),
            (
                fine(&["discussion.write", "post.write"], &["repo.content.read"]),
                Power::WriteOther,
                Severity::High,
            ),
            (
                fine(&["inference.endpoints.infer.write"], &[]),
                Power::WriteOther,
                Severity::High,
            ),
            (
                fine(&[], &["repo.content.read", "repo.write"]),
                Power::WriteRepos,
                Severity::Critical,
            ),
            (fine(&["org.write"], &[]), Power::Manage, Severity::Critical),
            (
                fine(&[], &["repo.content.read"]),
                Power::Read,
                Severity::High,
            ),
            (
                auth(
                    serde_json::json!({"type": "app_token", "permissions": ["read-repos"],
                    "expiresAt": "2026-12-01T00:00:00.000Z"}),
                ),
                Power::Read,
                Severity::High,
            ),
            (
                auth(serde_json::json!({"type": "app_token", "permissions": ["write-repos"]})),
                Power::WriteRepos,
                Severity::Critical,
            ),
            (
                auth(serde_json::json!({"type": "access_token"})),
                Power::Unknown,
                Severity::High,
            ),
        ];
        for (index, (identity, power, severity)) in cases.into_iter().enumerate() {
            assert_eq!(identity.power, power, "case {index}: {identity:?}");
            assert_eq!(
                Verification::Valid(Box::new(identity)).severity(),
                severity,
                "case {index}"
            );
        }
        let oauth = auth(
            serde_json::json!({"type": "app_token", "permissions": ["read-repos"],
            "expiresAt": "2026-12-01T00:00:00.000Z"}),
        );
        assert_eq!(
            oauth.expires_at.as_deref(),
            Some("2026-12-01T00:00:00.000Z")
        );
        let described = Verification::Valid(Box::new(oauth)).describe();
        assert!(described.contains("OAuth app token"), "{described}");
        assert!(described.contains("expires 2026-12-01"), "{described}");
        let gated = fine(&[], &["repo.content.read"]);
        assert_eq!(gated.can_read_gated_repos, Some(true));
        let reason = String::new();
        assert_eq!(
            Verification::Unknown {
                reason: reason.clone()
            }
            .severity(),
            Severity::High
        );
        assert_eq!(Verification::Invalid { reason }.severity(), Severity::Low);
    }

    #[test]
    fn rate_limit_headers_give_the_wait() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_wait(&headers), Some(Duration::from_secs(7)));
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit", "\"api\";r=0;t=42".parse().unwrap());
        assert_eq!(retry_wait(&headers), Some(Duration::from_secs(42)));
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-reset", "3".parse().unwrap());
        assert_eq!(retry_wait(&headers), Some(Duration::from_secs(3)));
        assert_eq!(retry_wait(&HeaderMap::new()), None);
    }
}

//! Live verification: asks the Hub's `whoami-v2` endpoint whether a token works, whose it is,
//! and what it can do, then (within a per-token budget) what it reaches.
//!
//! Verification is a phase after the scan, so the walk never waits on the network. Each
//! distinct token is checked once, whatever the number of findings that carry it, by a bounded
//! pool of workers, at most `max_tokens` per run. The result is a `Verification` value — valid,
//! invalid, or unknown with a reason — and never an HTTP status leaking into the rest of the
//! program. Only a 401 makes a token invalid: a rate limit, a timeout, a server error, a
//! certificate problem or a redirect is `unknown`, because telling a user that a live token is
//! dead is the worst mistake a verifier can make.
//!
//! Transport, endpoint checks, body caps and rate-limit pacing live in `hub::client`; the
//! cache of answers in `hub::cache`; reach in `hub::reach`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::finding::{
    Finding, Identity, OrgMembership, ResourceGroupRole, ScopedPermissions, Scopes, Secret,
    Verification,
};
use crate::hub::cache::VerifyCache;
use crate::hub::client::{
    describe_error, request, Endpoint, EndpointOrigin, HubClient, Pacer, Transport,
};
use crate::hub::reach;

/// Distinct tokens verified per run unless `--verify-max` says otherwise.
pub const DEFAULT_MAX_TOKENS: usize = 100;
/// Listing requests spent on one live token's reach unless `--reach-requests` says otherwise.
pub const DEFAULT_REACH_REQUESTS: u32 = 12;
/// Listing requests per live token with `hf-scan verify --reach`.
pub const INCIDENT_REACH_REQUESTS: u32 = 200;
/// Tokens per revocation request.
pub const REVOKE_BATCH: usize = 100;

/// Where and how to verify; checked when the arguments are.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    pub endpoint: Endpoint,
    pub transport: Transport,
    pub concurrency: usize,
    /// Distinct tokens verified at most; the rest are `unknown`.
    pub max_tokens: usize,
    /// The whole verification phase ends by then: what is not checked is `unknown`.
    pub deadline: Duration,
    /// Listing requests per live token for its reach; 0 skips reach.
    pub reach_requests: u32,
    /// Where answers are cached; `None` asks the Hub every time.
    pub cache_dir: Option<PathBuf>,
    /// Print notices (the endpoint, rate-limit pauses) on standard error.
    pub announce: bool,
}

impl VerifyConfig {
    /// A configuration for `endpoint` with the defaults; the caller sets the rest.
    pub fn new(endpoint: Endpoint, transport: Transport, concurrency: usize) -> Self {
        Self {
            endpoint,
            transport,
            concurrency: concurrency.max(1),
            max_tokens: DEFAULT_MAX_TOKENS,
            deadline: Duration::from_secs(600),
            reach_requests: DEFAULT_REACH_REQUESTS,
            cache_dir: None,
            announce: true,
        }
    }

    /// A client for one run: the deadline starts now.
    pub fn client(&self) -> anyhow::Result<HubClient> {
        HubClient::new(
            self.endpoint.clone(),
            &self.transport,
            Pacer::new(self.deadline, self.announce),
        )
    }

    /// Says where tokens are about to go, unless the user named the endpoint in this very
    /// command: a mirror set in `HF_ENDPOINT` for downloads is told apart from the Hub.
    fn announce_endpoint(&self, count: usize) {
        let tokens = crate::collector::plural(count as u64, "token");
        match self.endpoint.origin {
            EndpointOrigin::Environment => eprintln!(
                "hf-scan: note: sending {tokens} to {} (from HF_ENDPOINT) to verify;                  --hf-endpoint chooses another",
                self.endpoint
            ),
            EndpointOrigin::Default if self.announce => {
                eprintln!("hf-scan: verifying {tokens} against {}", self.endpoint)
            }
            _ => {}
        }
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
    /// What the app may act on: `{type, name}` objects, or plain names.
    #[serde(default)]
    entities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WhoAmIOrg {
    name: Option<String>,
    #[serde(rename = "roleInOrg")]
    role_in_org: Option<String>,
    plan: Option<String>,
    #[serde(default, rename = "securityRestrictions")]
    security_restrictions: Vec<serde_json::Value>,
    #[serde(default, rename = "resourceGroups")]
    resource_groups: Vec<WhoAmIResourceGroup>,
}

#[derive(Deserialize)]
struct WhoAmIResourceGroup {
    name: Option<String>,
    role: Option<String>,
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
    /// Inference endpoints by wildcard pattern (`resourceType: "inference-endpoint"`).
    #[serde(default)]
    patterns: Vec<WhoAmIPattern>,
}

#[derive(Deserialize)]
struct WhoAmIPattern {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
    #[serde(default, rename = "wildcardPatterns")]
    wildcard_patterns: Vec<String>,
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
    let (app_role, app_entities) = match who.scope {
        Some(scope) => (
            scope.role,
            scope
                .entities
                .into_iter()
                .filter_map(|entity| match entity {
                    serde_json::Value::String(name) => Some((None, name)),
                    serde_json::Value::Object(object) => Some((
                        object.get("type")?.as_str().map(str::to_string),
                        object.get("name")?.as_str()?.to_string(),
                    )),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        None => (None, Vec::new()),
    };
    let role = role.or_else(|| app_role.clone());
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
                    endpoint_patterns: s
                        .patterns
                        .into_iter()
                        .filter(|p| p.resource_type.as_deref() == Some("inference-endpoint"))
                        .flat_map(|p| p.wildcard_patterns)
                        .collect(),
                })
                .collect(),
        }),
        // An OAuth app acting as its user: the role applies to each entity it was granted.
        None if app_entities.iter().any(|(_, name)| !name.is_empty()) => Some(Scopes {
            global: permissions,
            scoped: app_entities
                .into_iter()
                .map(|(kind, name)| ScopedPermissions {
                    entity_type: kind,
                    entity: Some(name),
                    permissions: app_role
                        .iter()
                        .map(|role| match role.as_str() {
                            // The role an app was granted on an entity, as the permission
                            // a fine-grained token would hold for it.
                            "write" | "contributor" | "admin" => "repo.write".to_string(),
                            "read" => "repo.content.read".to_string(),
                            other => other.to_string(),
                        })
                        .collect(),
                    endpoint_patterns: Vec::new(),
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
                    plan: org.plan,
                    security_restrictions: org
                        .security_restrictions
                        .into_iter()
                        .filter_map(|restriction| restriction.as_str().map(str::to_string))
                        .collect(),
                    resource_groups: org
                        .resource_groups
                        .into_iter()
                        .filter_map(|group| {
                            Some(ResourceGroupRole {
                                name: group.name?,
                                role: group.role,
                            })
                        })
                        .collect(),
                })
            })
            .collect(),
        scopes,
        power: Default::default(),
        reach: None,
    };
    identity.power = identity.assess();
    identity
}

/// What a verification phase produced.
pub struct Verified {
    /// By token hash.
    pub results: HashMap<String, Verification>,
    /// For the summary: the budget, the cache, rate-limit pauses.
    pub notices: Vec<String>,
}

/// Verifies each distinct secret once, at most `concurrency` at a time, reusing cached answers
/// when `config.cache_dir` is set.
pub fn verify_all<'a>(
    config: &VerifyConfig,
    secrets: impl IntoIterator<Item = &'a Secret>,
) -> anyhow::Result<Verified> {
    let mut cache = config
        .cache_dir
        .as_deref()
        .map(|dir| VerifyCache::open(dir, config.endpoint.display()));
    let mut notices = Vec::new();
    if let Some(problem) = cache.as_mut().and_then(|cache| cache.problem.take()) {
        notices.push(problem);
    }
    // Distinct tokens in the order they were found; cached ones and those past the budget
    // are not sent at all.
    let mut seen = HashSet::new();
    let mut queue: Vec<(String, &Secret)> = Vec::new();
    let mut results = HashMap::new();
    let (mut cached, mut over_budget) = (0, 0);
    for secret in secrets {
        let hash = secret.hash().to_string();
        if !seen.insert(hash.clone()) {
            continue;
        }
        if let Some(answer) = cache.as_ref().and_then(|cache| cache.get(&hash)) {
            results.insert(hash, answer);
            cached += 1;
        } else if queue.len() < config.max_tokens {
            queue.push((hash, secret));
        } else {
            over_budget += 1;
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
    if over_budget > 0 {
        notices.push(format!(
            "{over_budget} of {} distinct tokens were not verified (--verify-max {}); they are \
             reported as unknown",
            seen.len(),
            config.max_tokens
        ));
    }
    if cached > 0 {
        notices.push(format!(
            "{} from the verification cache (--no-verify-cache asks the Hub again)",
            crate::collector::plural(cached as u64, "answer")
        ));
    }
    if !queue.is_empty() {
        config.announce_endpoint(queue.len());
        let client = config.client()?;
        let fresh = check_queue(config, &client, &queue);
        let waited = client.pacer.waited();
        if !waited.is_zero() {
            notices.push(format!(
                "the Hub's rate limit paused verification for {} s",
                waited.as_secs()
            ));
        }
        for (hash, verification) in fresh {
            if let Some(cache) = cache.as_mut() {
                cache.put(&hash, &verification);
            }
            results.insert(hash, verification);
        }
    }
    if let Some(cache) = cache {
        if let Err(err) = cache.save() {
            notices.push(format!("{err:#}"));
        }
    }
    Ok(Verified { results, notices })
}

/// Checks the queued tokens on a pool of workers.
fn check_queue(
    config: &VerifyConfig,
    client: &HubClient,
    queue: &[(String, &Secret)],
) -> Vec<(String, Verification)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(queue.len()));
    let workers = config.concurrency.min(queue.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((hash, secret)) = queue.get(index) else {
                    return;
                };
                let verification = verify_one(client, config.reach_requests, secret);
                results.lock().unwrap().push((hash.clone(), verification));
            });
        }
    });
    results.into_inner().unwrap()
}

/// One token: whoami, then its reach if it is live.
fn verify_one(client: &HubClient, reach_requests: u32, secret: &Secret) -> Verification {
    let reply = match request(client, client.endpoint.join("api/whoami-v2"), Some(secret)) {
        Ok(reply) => reply,
        Err(reason) => return Verification::Unknown { reason },
    };
    match reply.status {
        StatusCode::OK => {
            let mut identity = parse_identity(&reply.body);
            if reach_requests > 0 {
                identity.reach = Some(reach::assess(client, secret, &identity, reach_requests));
                // An organisation that cut the token off no longer lends it its role.
                identity.power = identity.assess();
            }
            Verification::Valid(Box::new(identity))
        }
        StatusCode::UNAUTHORIZED => Verification::Invalid {
            reason: "revoked, expired or never valid (401)".into(),
        },
        status if status.is_redirection() => Verification::Unknown {
            reason: format!(
                "the endpoint redirected ({}); redirects are not followed, so the token is \
                 not sent elsewhere",
                status.as_u16()
            ),
        },
        status => Verification::Unknown {
            reason: format!("unexpected answer ({})", status.as_u16()),
        },
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

/// Asks the Hub to revoke `secrets`, `REVOKE_BATCH` at a time. The endpoint needs no
/// authentication and answers 202 whether or not a token existed (and emails each owner), so
/// success says the request was accepted, not that the tokens were valid. Returns the status
/// of each batch, stopping at the first refusal.
pub fn revoke(config: &VerifyConfig, secrets: &[Secret]) -> anyhow::Result<Vec<StatusCode>> {
    let client = config.client()?;
    let mut statuses = Vec::new();
    for batch in secrets.chunks(REVOKE_BATCH) {
        let credentials: Vec<&str> = batch.iter().map(Secret::expose).collect();
        let response = client
            .post(client.endpoint.join("api/credentials/revoke"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "credentials": credentials }).to_string())
            .send()
            .map_err(|err| {
                anyhow::anyhow!("revocation request failed: {}", describe_error(&err))
            })?;
        let status = response.status();
        statuses.push(status);
        if !status.is_success() {
            break;
        }
    }
    Ok(statuses)
}

/// What an organisation said to one request to cut a token off.
pub struct OrgRevocation {
    pub status: StatusCode,
    /// The Hub's message, when it refused.
    pub message: Option<String>,
}

/// Cuts each token off from organisation `org` with its administrator's token: one
/// `POST /api/organizations/{org}/settings/tokens/revoke` with `{"token": …}` per token (the
/// Hub's "Tokens Management" API). The tokens keep working outside `org`. A 401 or 403 means
/// the administrator's token cannot do this: the rest are not sent.
pub fn revoke_from_org(
    config: &VerifyConfig,
    org: &str,
    admin: &Secret,
    secrets: &[Secret],
) -> anyhow::Result<Vec<OrgRevocation>> {
    let client = config.client()?;
    let mut url = client.endpoint.join("api/organizations/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .extend([org, "settings", "tokens", "revoke"]);
    }
    let mut answers = Vec::new();
    for secret in secrets {
        let response = client
            .post(url.clone())
            .bearer_auth(admin.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "token": secret.expose() }).to_string())
            .send()
            .map_err(|err| {
                anyhow::anyhow!("the request to {org} failed: {}", describe_error(&err))
            })?;
        let status = response.status();
        let message = if status.is_success() {
            None
        } else {
            let body = crate::hub::client::read_body(response).unwrap_or_default();
            crate::hub::client::hub_error_message(&body)
        };
        answers.push(OrgRevocation { status, message });
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            break;
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Power, Severity};

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

    /// Every scoped entity type, endpoint patterns, resource groups and restrictions become
    /// what the report says the token can do.
    #[test]
    fn the_whole_whoami_answer_says_what_the_token_can_do() {
        let body = serde_json::json!({"type": "user", "name": "alice",
        "orgs": [{"id": "1", "type": "org", "name": "acme", "roleInOrg": "read",
            "plan": "enterprise", "securityRestrictions": ["mfa", "token-policy"],
            "resourceGroups": [{"id": "g", "name": "research", "role": "write"}]}],
        "auth": {"type": "access_token", "accessToken": {"displayName": "ci",
            "role": "fineGrained", "createdAt": "2026-01-01T00:00:00.000Z",
            "fineGrained": {"canReadGatedRepos": false,
                "global": ["inference.serverless.write", "discussion.write"],
                "scoped": [
                    {"entity": {"_id": "b1", "type": "bucket", "name": "acme/checkpoints"},
                     "permissions": ["bucket.read", "bucket.write"]},
                    {"entity": {"_id": "o1", "type": "org", "name": "acme"},
                     "permissions": ["inference.endpoints.write", "repo.content.read"],
                     "patterns": [{"resourceType": "inference-endpoint",
                         "wildcardPatterns": ["acme/*"]}]},
                    {"entity": {"_id": "k1", "type": "kernel", "name": "acme/attention"},
                     "permissions": ["repo.write"]},
                    {"entity": {"_id": "r1", "type": "resource-group", "name": "research"},
                     "permissions": ["repo.content.read"]},
                    {"entity": {"_id": "c1", "type": "collection", "name": "acme/best-abc"},
                     "permissions": ["collection.write"]},
                    {"entity": {"_id": "u1", "type": "user", "name": "alice"},
                     "permissions": ["user.webhooks.write"]},
                    {"entity": {"_id": "a1", "type": "oauth-app", "name": "tracker"},
                     "permissions": ["oauth-app.write"]}
                ]}}}});
        let identity = parse_identity(body.to_string().as_bytes());
        assert_eq!(
            identity.power,
            Power::WriteRepos,
            "bucket.write writes content"
        );
        let lines = identity.capability_lines();
        for expected in [
            "can spend on serverless inference",
            "can post in discussions",
            "can write bucket acme/checkpoints",
            "can manage inference endpoints acme/*",
            "can write kernel acme/attention",
            "can write collection acme/best-abc",
            "can manage the webhooks of alice",
            "can write the oauth app of oauth-app tracker",
            "write in resource group research of acme",
            "acme enforces mfa, token-policy",
        ] {
            assert!(
                lines.iter().any(|line| line == expected),
                "{expected}: {lines:?}"
            );
        }
        assert!(!lines.iter().any(|line| line.contains("read")), "{lines:?}");
        let org = &identity.orgs[0];
        assert_eq!(org.plan.as_deref(), Some("enterprise"));

        // An app acting as its user, granted write on two entities.
        let body = serde_json::json!({"type": "app", "name": "tracker",
            "scope": {"role": "write", "entities": [{"type": "model", "name": "acme/m"}, "acme"]},
            "auth": {"type": "app_token"}});
        let identity = parse_identity(body.to_string().as_bytes());
        assert_eq!(identity.role.as_deref(), Some("write"));
        let lines = identity.capability_lines();
        assert_eq!(
            lines,
            [
                "can write model acme/m",
                "can write the repositories of acme"
            ],
            "{lines:?}"
        );
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
}

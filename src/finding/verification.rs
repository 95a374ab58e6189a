//! What verification learnt about a token, as values: whether it works, whose it is, what it
//! may do, and the severity that follows. The Hub client (`hub::verify`) produces these; the
//! reporters and baselines read them; neither needs the other.

use serde::{Deserialize, Serialize};

use super::Severity;

/// What the Hub said about a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Verification {
    /// The token works.
    Valid(Box<Identity>),
    /// 401: revoked, expired, or never valid.
    Invalid { reason: String },
    /// No answer that settles it: rate limited, timed out, a server error, a redirect.
    Unknown { reason: String },
}

impl Verification {
    pub fn status(&self) -> &'static str {
        match self {
            Verification::Valid(_) => "valid",
            Verification::Invalid { .. } => "invalid",
            Verification::Unknown { .. } => "unknown",
        }
    }

    /// The severity a finding carrying this verification has.
    pub fn severity(&self) -> Severity {
        match self {
            Verification::Valid(identity) if identity.power >= Power::WriteRepos => {
                Severity::Critical
            }
            Verification::Valid(_) | Verification::Unknown { .. } => Severity::High,
            Verification::Invalid { .. } => Severity::Low,
        }
    }

    /// One line for people: `VALID  alice (write; admin of acme-ml)`.
    pub fn describe(&self) -> String {
        match self {
            Verification::Valid(identity) => format!("VALID  {}", identity.describe()),
            Verification::Invalid { reason } => format!("INVALID  {reason}"),
            Verification::Unknown { reason } => format!("UNKNOWN  {reason}"),
        }
    }
}

/// Who a valid token belongs to and what it may do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `user`, `org` (an organisation API token) or `app`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub user: Option<String>,
    pub fullname: Option<String>,
    /// How the token authenticates: `access_token`, `app_token` (OAuth), `app_token_as_user`.
    pub auth_type: Option<String>,
    pub token_name: Option<String>,
    /// `read`, `write`, `contributor`, `admin` or `fineGrained`.
    pub role: Option<String>,
    /// When the token was created (never the account's date).
    pub created_at: Option<String>,
    /// When the token stops working, if it expires.
    pub expires_at: Option<String>,
    /// Fine-grained tokens: whether it may read gated repositories.
    pub can_read_gated_repos: Option<bool>,
    pub orgs: Vec<OrgMembership>,
    /// For fine-grained tokens: global permissions and per-entity permissions; for OAuth and
    /// app tokens, the granted permissions (as `global`).
    pub scopes: Option<Scopes>,
    /// What the token can do, from the above: `manage`, `write-repos`, `write-other`, `read`.
    pub power: Power,
    /// What the token reaches, counted through the listing API (`--reach-requests`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<Reach>,
}

/// The namespaces a valid token reaches and what is in them, as far as the per-token request
/// budget allowed listing them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub namespaces: Vec<NamespaceReach>,
    /// Repositories granted one by one (fine-grained tokens).
    pub repositories: Vec<RepoRef>,
    /// The most downloaded repositories the token can write to, most downloaded first.
    pub top_writable: Vec<RepoRef>,
    /// Listing requests spent.
    pub requests: u32,
    /// False when the budget ran out or a listing failed: counts are then lower bounds.
    pub complete: bool,
    /// Why it is not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Reach {
    /// Lines for people, one per namespace, then the writable repositories that matter most:
    /// `acme (org, admin; can write): 12 models (3 private), 2 datasets, 1 Space`.
    pub fn describe_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .namespaces
            .iter()
            .map(|namespace| {
                if let Some(why) = &namespace.cut_off {
                    return format!("cut off from {} {why}", namespace.name);
                }
                let mut what = namespace.kind.clone();
                if let Some(role) = &namespace.role {
                    what.push_str(&format!(", {role}"));
                }
                what.push_str(if namespace.writable {
                    "; can write"
                } else {
                    "; read only"
                });
                format!(
                    "reach {} ({what}): {}, {}, {}",
                    namespace.name,
                    namespace.models.describe("model"),
                    namespace.datasets.describe("dataset"),
                    namespace.spaces.describe("Space"),
                )
            })
            .collect();
        for repo in &self.repositories {
            lines.push(format!(
                "reach {} {} (granted; {})",
                repo.kind,
                repo.id,
                if repo.writable {
                    "can write"
                } else {
                    "read only"
                }
            ));
        }
        if !self.top_writable.is_empty() {
            let top: Vec<String> = self
                .top_writable
                .iter()
                .map(|repo| match repo.downloads {
                    Some(downloads) => format!(
                        "{} {} ({})",
                        repo.kind,
                        repo.id,
                        crate::collector::plural(downloads, "download")
                    ),
                    None => format!("{} {}", repo.kind, repo.id),
                })
                .collect();
            lines.push(format!(
                "most downloaded it can write to: {}",
                top.join(", ")
            ));
        }
        if let Some(note) = &self.note {
            lines.push(format!("reach is partial: {note}"));
        }
        lines
    }
}

impl RepoCount {
    fn describe(&self, noun: &str) -> String {
        let plus = if self.at_least { "+" } else { "" };
        let plural = if self.total == 1 && !self.at_least {
            ""
        } else {
            "s"
        };
        if self.private > 0 {
            format!(
                "{}{plus} {noun}{plural} ({} private)",
                self.total, self.private
            )
        } else {
            format!("{}{plus} {noun}{plural}", self.total)
        }
    }
}

/// One user or organisation a token reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceReach {
    pub name: String,
    /// `user`, or `org`.
    pub kind: String,
    /// The owner's role in an organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Whether the token can push to repositories here.
    pub writable: bool,
    /// Why the organisation refuses this token although it works elsewhere (its
    /// administrator denied or revoked it, it awaits approval, or the organisation's token
    /// policy refuses its kind): the organisation answered 403.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_off: Option<String>,
    pub models: RepoCount,
    pub datasets: RepoCount,
    pub spaces: RepoCount,
}

/// How many repositories of one kind a namespace holds that the token can see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoCount {
    pub total: u64,
    pub private: u64,
    /// True when the listing was cut short: `total` is then a lower bound.
    pub at_least: bool,
}

/// A repository, by kind (`model`, `dataset`, `space`) and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoRef {
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    #[serde(default)]
    pub private: bool,
    /// Whether the token can write to it.
    #[serde(default)]
    pub writable: bool,
}

/// The owner's membership of one organisation, as whoami lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMembership {
    pub name: String,
    pub role: Option<String>,
    /// The organisation's plan (`team`, `enterprise`, …), when whoami says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// What the organisation enforces on its members (as the Hub names it, e.g. `mfa`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_restrictions: Vec<String>,
    /// The resource groups the owner belongs to there, with the owner's role in each: a role
    /// there can exceed the organisation-wide one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_groups: Vec<ResourceGroupRole>,
}

/// A resource group of an organisation and the owner's role in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceGroupRole {
    pub name: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes {
    pub global: Vec<String>,
    pub scoped: Vec<ScopedPermissions>,
}

/// What a fine-grained token may do on one entity: a repository (`model`, `dataset`,
/// `space`, `kernel`), a `bucket`, a `collection`, an `org` or `user` namespace, a
/// `resource-group` or an `oauth-app`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedPermissions {
    pub entity_type: Option<String>,
    pub entity: Option<String>,
    pub permissions: Vec<String>,
    /// Inference endpoints the token may act on inside the entity, as wildcard patterns
    /// (`acme/*`); none means every endpoint of the entity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoint_patterns: Vec<String>,
}

/// What a valid token lets its holder do, from least to most. A token's power is bounded by
/// its role (or its permissions) *and* by its owner's membership: a `read` token of an
/// organisation's admin can read that organisation's private repositories, not change them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Power {
    /// Nothing the response says what: a token that works, with no role or permissions shown.
    #[default]
    Unknown,
    /// Read repositories the owner can read (private and gated ones included).
    Read,
    /// Write something that is not a repository: discussions, posts, collections, webhooks,
    /// paid inference and endpoints (costly, but no repository changes).
    WriteOther,
    /// Push to, create and delete repositories.
    WriteRepos,
    /// Change an organisation: its settings, members, billing, resource groups.
    Manage,
}

impl Power {
    /// The power one fine-grained permission (or OAuth scope) grants.
    pub fn of_permission(permission: &str) -> Power {
        let permission = permission.to_ascii_lowercase();
        if permission.contains("admin")
            || permission.contains("manage")
            || permission == "org.write"
        {
            Power::Manage
        } else if matches!(
            permission.as_str(),
            "repo.write" | "repo.content.write" | "write-repos" | "bucket.write"
        ) {
            // A bucket holds what others download (checkpoints, datasets) like a repository.
            Power::WriteRepos
        } else if permission.ends_with(".write") || permission.starts_with("write-") {
            Power::WriteOther
        } else {
            Power::Read
        }
    }

    /// The power a token role grants.
    pub fn of_role(role: &str) -> Option<Power> {
        match role {
            "read" => Some(Power::Read),
            "write" | "contributor" => Some(Power::WriteRepos),
            "admin" => Some(Power::Manage),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Power::Unknown => "unknown",
            Power::Read => "read",
            Power::WriteOther => "write-other",
            Power::WriteRepos => "write-repos",
            Power::Manage => "manage",
        }
    }
}

impl Identity {
    /// What the token can do: its role, else its permissions; a token that can write
    /// repositories and belongs to an organisation's admin can manage that organisation.
    pub fn assess(&self) -> Power {
        let from_permissions = self.scopes.as_ref().map(|scopes| {
            scopes
                .global
                .iter()
                .chain(scopes.scoped.iter().flat_map(|s| s.permissions.iter()))
                .map(|permission| Power::of_permission(permission))
                .max()
                .unwrap_or(Power::Read)
        });
        let power = self
            .role
            .as_deref()
            .and_then(Power::of_role)
            .or(from_permissions)
            .unwrap_or(Power::Unknown);
        // An organisation that refuses the token (its administrator cut it off) is not
        // reached through it, whatever the owner's role there.
        let cut_off = |name: &str| {
            self.reach.as_ref().is_some_and(|reach| {
                reach
                    .namespaces
                    .iter()
                    .any(|namespace| namespace.name == name && namespace.cut_off.is_some())
            })
        };
        let administers = self
            .orgs
            .iter()
            .any(|org| org.role.as_deref() == Some("admin") && !cut_off(&org.name));
        if power == Power::WriteRepos && administers && self.scopes.is_none() {
            Power::Manage
        } else {
            power
        }
    }

    /// Every line for people under a valid token: what it can change, then what it reaches.
    pub fn report_lines(&self) -> Vec<String> {
        let mut lines = self.capability_lines();
        lines.extend(self.reach.iter().flat_map(Reach::describe_lines));
        lines
    }

    /// What the token can change, a line each, from its permissions (fine-grained, OAuth)
    /// and the owner's resource groups and organisations' restrictions:
    /// `can write bucket acme/checkpoints`, `can manage inference endpoints acme/*`,
    /// `write in resource group acme/research`. Reading is left to the role and reach lines.
    pub fn capability_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(scopes) = &self.scopes {
            for permission in &scopes.global {
                lines.extend(capability(permission, None, &[]));
            }
            for scoped in &scopes.scoped {
                let scope = match (&scoped.entity_type, &scoped.entity) {
                    (Some(kind), Some(name)) => Some((kind.as_str(), name.as_str())),
                    // An app granted a bare name: a namespace.
                    (None, Some(name)) => Some(("namespace", name.as_str())),
                    _ => None,
                };
                for permission in &scoped.permissions {
                    lines.extend(capability(permission, scope, &scoped.endpoint_patterns));
                }
            }
        }
        for org in &self.orgs {
            for group in &org.resource_groups {
                lines.push(format!(
                    "{} in resource group {} of {}",
                    group.role.as_deref().unwrap_or("member"),
                    group.name,
                    org.name
                ));
            }
            if !org.security_restrictions.is_empty() {
                lines.push(format!(
                    "{} enforces {}",
                    org.name,
                    org.security_restrictions.join(", ")
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        lines.retain(|line| seen.insert(line.clone()));
        if lines.len() > MAX_CAPABILITY_LINES {
            let more = lines.len() - MAX_CAPABILITY_LINES;
            lines.truncate(MAX_CAPABILITY_LINES);
            lines.push(format!("and {more} more (all of them in JSON)"));
        }
        lines
    }

    fn describe(&self) -> String {
        format!(
            "{} ({})",
            self.user.as_deref().unwrap_or("?"),
            self.details()
        )
    }

    /// Its role and power, name, expiry, memberships and permissions, for people:
    /// `write: writes repositories or buckets; token "ci"; admin of acme`.
    pub fn details(&self) -> String {
        let kind = match (&self.role, self.kind.as_deref(), self.auth_type.as_deref()) {
            (Some(role), _, _) => role.clone(),
            (None, Some("org"), _) => "organisation API token".into(),
            (None, _, Some(auth)) if auth.starts_with("app_token") => "OAuth app token".into(),
            _ => "unknown role".into(),
        };
        let power = match self.power {
            Power::Manage => "manages organisations",
            Power::WriteRepos => "writes repositories or buckets",
            Power::WriteOther => "writes, not repositories",
            Power::Read => "reads",
            Power::Unknown => "power not shown",
        };
        let mut details = vec![format!("{kind}: {power}")];
        if let Some(name) = &self.token_name {
            details.push(format!("token \"{name}\""));
        }
        if let Some(expires) = &self.expires_at {
            details.push(format!("expires {expires}"));
        }
        for org in &self.orgs {
            details.push(format!(
                "{} of {}",
                org.role.as_deref().unwrap_or("member"),
                org.name
            ));
        }
        if let Some(scopes) = &self.scopes {
            let count = scopes.global.len()
                + scopes
                    .scoped
                    .iter()
                    .map(|s| s.permissions.len())
                    .sum::<usize>();
            details.push(format!("{count} fine-grained permissions"));
        }
        details.join("; ")
    }
}

/// Capability lines shown per token; JSON keeps every permission.
const MAX_CAPABILITY_LINES: usize = 12;

/// What one write permission lets the token do, as a verb and the plural of what it acts on.
fn permission_action(permission: &str) -> Option<(&'static str, String)> {
    let permission = permission.to_ascii_lowercase();
    let known = match permission.as_str() {
        "repo.write" | "repo.content.write" | "write-repos" => ("write", "repositories"),
        "bucket.write" => ("write", "buckets"),
        "inference.endpoints.write" => ("manage", "inference endpoints"),
        "inference.endpoints.infer.write" => ("call", "inference endpoints"),
        "inference.serverless.write" => ("spend on", "serverless inference"),
        "collection.write" => ("write", "collections"),
        "discussion.write" => ("post in", "discussions"),
        "job.write" | "jobs.write" => ("run", "jobs"),
        "org.write" => ("manage", "organisation settings"),
        "user.webhooks.write" | "org.webhooks.write" | "repo.webhooks.write" => {
            ("manage", "webhooks")
        }
        other => {
            let object = other.strip_suffix(".write")?;
            return Some(("write", object.replace(['.', '-', '_'], " ")));
        }
    };
    Some((known.0, known.1.to_string()))
}

/// The line for one permission on one scope (`None`: every namespace the owner has).
fn capability(permission: &str, scope: Option<(&str, &str)>, patterns: &[String]) -> Vec<String> {
    let Some((verb, object)) = permission_action(permission) else {
        return Vec::new();
    };
    // The plural a scoped entity's kind is one of: `bucket acme/x` is one of the buckets.
    let one_of = |kind: &str| match kind {
        "model" | "dataset" | "space" | "kernel" => "repositories",
        "bucket" => "buckets",
        "collection" => "collections",
        _ => "",
    };
    match scope {
        None => vec![format!("can {verb} {object}")],
        Some((_, _)) if !patterns.is_empty() => patterns
            .iter()
            .map(|pattern| format!("can {verb} {object} {pattern}"))
            .collect(),
        Some(("org" | "user" | "namespace", name)) => {
            vec![format!("can {verb} the {object} of {name}")]
        }
        Some((kind, name)) if one_of(kind) == object => vec![format!("can {verb} {kind} {name}")],
        Some((kind, name)) => vec![format!("can {verb} the {object} of {kind} {name}")],
    }
}

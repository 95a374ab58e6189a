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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMembership {
    pub name: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes {
    pub global: Vec<String>,
    pub scoped: Vec<ScopedPermissions>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedPermissions {
    pub entity_type: Option<String>,
    pub entity: Option<String>,
    pub permissions: Vec<String>,
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
            "repo.write" | "repo.content.write" | "write-repos"
        ) {
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
        let administers = self
            .orgs
            .iter()
            .any(|org| org.role.as_deref() == Some("admin"));
        if power == Power::WriteRepos && administers && self.scopes.is_none() {
            Power::Manage
        } else {
            power
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} ({})",
            self.user.as_deref().unwrap_or("?"),
            self.details()
        )
    }

    /// Its role and power, name, expiry, memberships and permissions, for people:
    /// `write: writes repositories; token "ci"; admin of acme`.
    pub fn details(&self) -> String {
        let kind = match (&self.role, self.kind.as_deref(), self.auth_type.as_deref()) {
            (Some(role), _, _) => role.clone(),
            (None, Some("org"), _) => "organisation API token".into(),
            (None, _, Some(auth)) if auth.starts_with("app_token") => "OAuth app token".into(),
            _ => "unknown role".into(),
        };
        let power = match self.power {
            Power::Manage => "manages organisations",
            Power::WriteRepos => "writes repositories",
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

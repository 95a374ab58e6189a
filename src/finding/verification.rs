//! What verification learnt about a token, as values: whether it works, whose it is, what it
//! may do, and the severity that follows. The Hub client (`hub::verify`) produces these; the
//! reporters and baselines read them; neither needs the other.

use serde::Serialize;

use super::Severity;

/// What the Hub said about a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Verification {
    /// The token works.
    Valid(Identity),
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
            Verification::Valid(identity) if identity.can_write() => Severity::Critical,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `user` or `org`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub user: Option<String>,
    pub fullname: Option<String>,
    pub token_name: Option<String>,
    /// `read`, `write` or `fineGrained`.
    pub role: Option<String>,
    pub created_at: Option<String>,
    pub orgs: Vec<OrgMembership>,
    /// For fine-grained tokens: global permissions and per-entity permissions.
    pub scopes: Option<Scopes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgMembership {
    pub name: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scopes {
    pub global: Vec<String>,
    pub scoped: Vec<ScopedPermissions>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopedPermissions {
    pub entity_type: Option<String>,
    pub entity: Option<String>,
    pub permissions: Vec<String>,
}

impl Identity {
    /// Write power: a `write` token, a fine-grained token with any write-level permission, or a
    /// token whose owner administers an organisation.
    pub fn can_write(&self) -> bool {
        let writes = |permission: &String| {
            ["write", "manage", "admin"]
                .iter()
                .any(|level| permission.to_ascii_lowercase().contains(level))
        };
        self.role.as_deref() == Some("write")
            || self.scopes.as_ref().is_some_and(|scopes| {
                scopes.global.iter().any(writes)
                    || scopes
                        .scoped
                        .iter()
                        .any(|s| s.permissions.iter().any(writes))
            })
            || self
                .orgs
                .iter()
                .any(|org| org.role.as_deref() == Some("admin"))
    }

    fn describe(&self) -> String {
        let mut details = vec![self.role.clone().unwrap_or_else(|| "unknown role".into())];
        if let Some(name) = &self.token_name {
            details.push(format!("token \"{name}\""));
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
        format!(
            "{} ({})",
            self.user.as_deref().unwrap_or("?"),
            details.join("; ")
        )
    }
}

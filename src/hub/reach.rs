//! Reach: what a live token can get at, counted with the token itself.
//!
//! whoami says whose a token is and with which role; reach answers the incident-response
//! question that follows: which namespaces (the owner, each organisation with the owner's role
//! there, each fine-grained entity), how many models, datasets and Spaces in each, how many of
//! them private, which of them the token can write to, and which of those are the most
//! downloaded. The listing API answers with the token's own view (private repositories
//! included), most downloaded first, so a budget cut keeps what matters most.
//!
//! Bounds: at most `budget` requests per token; a `Link: rel="next"` page is followed only on
//! the endpoint's own origin (a listing cannot send the token elsewhere); every answer goes
//! through the same size cap, rate-limit pacing and deadline as whoami.

use serde::Deserialize;

use crate::finding::{Identity, NamespaceReach, Reach, RepoCount, RepoRef, Secret};
use crate::hub::client::{list_pages, HubClient};

/// Entries asked for per listing page.
const PAGE: u32 = 1000;
/// How many of the most downloaded writable repositories are shown.
const TOP: usize = 5;

/// The repository kinds, as the listing API names them and as findings name them.
const KINDS: [(&str, &str); 3] = [
    ("models", "model"),
    ("datasets", "dataset"),
    ("spaces", "space"),
];

#[derive(Deserialize)]
struct Listed {
    id: Option<String>,
    #[serde(default)]
    private: bool,
    downloads: Option<u64>,
}

/// Whether a permission lets its holder push to repositories.
fn writes_repos(permission: &str) -> bool {
    matches!(
        permission,
        "repo.write" | "repo.content.write" | "write-repos"
    )
}

/// The namespaces to list and whether the token writes in each, from whoami alone.
fn namespaces(identity: &Identity) -> (Vec<NamespaceReach>, Vec<RepoRef>) {
    let fine_grained = identity.scopes.is_some()
        && identity
            .role
            .as_deref()
            .is_none_or(|role| role == "fineGrained");
    let scoped_write = |kind: &str, name: &str| {
        identity.scopes.as_ref().is_some_and(|scopes| {
            scopes.scoped.iter().any(|scoped| {
                scoped.entity_type.as_deref() == Some(kind)
                    && scoped.entity.as_deref() == Some(name)
                    && scoped.permissions.iter().any(|p| writes_repos(p))
            })
        })
    };
    let global_write = identity
        .scopes
        .as_ref()
        .is_some_and(|scopes| scopes.global.iter().any(|p| writes_repos(p)));
    let token_writes = identity.power >= crate::finding::Power::WriteRepos;
    let mut namespaces = Vec::new();
    if let Some(user) = &identity.user {
        let org_token = identity.kind.as_deref() == Some("org");
        let writable = if fine_grained {
            global_write || scoped_write("user", user)
        } else {
            token_writes
        };
        namespaces.push(NamespaceReach {
            name: user.clone(),
            kind: if org_token { "org" } else { "user" }.into(),
            writable,
            ..NamespaceReach::default()
        });
    }
    for org in &identity.orgs {
        let member_writes = matches!(org.role.as_deref(), Some("write" | "contributor" | "admin"));
        let writable = member_writes
            && if fine_grained {
                scoped_write("org", &org.name)
            } else {
                token_writes
            };
        namespaces.push(NamespaceReach {
            name: org.name.clone(),
            kind: "org".into(),
            role: org.role.clone(),
            writable,
            ..NamespaceReach::default()
        });
    }
    let repositories = identity
        .scopes
        .iter()
        .flat_map(|scopes| scopes.scoped.iter())
        .filter_map(|scoped| {
            let kind = scoped.entity_type.as_deref()?;
            if !matches!(kind, "model" | "dataset" | "space") {
                return None;
            }
            Some(RepoRef {
                kind: kind.into(),
                id: scoped.entity.clone()?,
                downloads: None,
                private: false,
                writable: scoped.permissions.iter().any(|p| writes_repos(p)),
            })
        })
        .collect();
    (namespaces, repositories)
}

/// Counts what `secret` reaches, spending at most `budget` requests.
pub fn assess(client: &HubClient, secret: &Secret, identity: &Identity, budget: u32) -> Reach {
    let (mut namespaces, repositories) = namespaces(identity);
    let mut reach = Reach {
        repositories,
        complete: true,
        ..Reach::default()
    };
    let mut writable_repos: Vec<RepoRef> = reach
        .repositories
        .iter()
        .filter(|repo| repo.writable)
        .cloned()
        .collect();
    for namespace in &mut namespaces {
        for (listing, kind) in KINDS {
            let count = match listing {
                "models" => &mut namespace.models,
                "datasets" => &mut namespace.datasets,
                _ => &mut namespace.spaces,
            };
            let mut url = client.endpoint.join(&format!("api/{listing}"));
            url.query_pairs_mut()
                .append_pair("author", &namespace.name)
                .append_pair("limit", &PAGE.to_string())
                .append_pair("sort", "downloads")
                .append_pair("direction", "-1");
            let requests = &mut reach.requests;
            let writable = namespace.writable;
            let listed = list_pages::<Listed>(
                client,
                url,
                PAGE as usize,
                Some(secret),
                || {
                    if *requests >= budget {
                        return Err(format!("the budget of {budget} requests ran out"));
                    }
                    *requests += 1;
                    Ok(())
                },
                |items| {
                    for item in items {
                        let Some(id) = item.id else { continue };
                        count.total += 1;
                        count.private += u64::from(item.private);
                        if writable {
                            writable_repos.push(RepoRef {
                                kind: kind.into(),
                                id,
                                downloads: item.downloads,
                                private: item.private,
                                writable: true,
                            });
                        }
                    }
                },
            );
            if let Err(reason) = listed {
                // An organisation that refuses a token whoami accepts has cut it off: the
                // token is valid, and reaches nothing there.
                if namespace.kind == "org"
                    && namespace.name != identity.user.as_deref().unwrap_or("")
                {
                    if let Some(why) = cut_off(&reason) {
                        namespace.cut_off = Some(why);
                        namespace.writable = false;
                        writable_repos.retain(|repo| {
                            repo.id.split('/').next() != Some(namespace.name.as_str())
                        });
                        for count in count_all(namespace) {
                            *count = RepoCount::default();
                        }
                        break;
                    }
                }
                count.at_least = true;
                reach.complete = false;
                reach.note.get_or_insert_with(|| {
                    if reason.starts_with("the budget") {
                        reason
                    } else {
                        format!("listing {listing} of {}: {reason}", namespace.name)
                    }
                });
            }
        }
        mark_unlisted(count_all(namespace), reach.complete);
    }
    writable_repos.sort_by(|a, b| {
        b.downloads
            .unwrap_or(0)
            .cmp(&a.downloads.unwrap_or(0))
            .then_with(|| a.id.cmp(&b.id))
    });
    writable_repos.dedup_by(|a, b| a.kind == b.kind && a.id == b.id);
    writable_repos.truncate(TOP);
    reach.top_writable = writable_repos;
    reach.namespaces = namespaces;
    reach
}

/// Why an organisation refuses the token, from its 403 (the Hub's messages, as its "Tokens
/// Management" documentation gives them); `None` for any other failure.
fn cut_off(reason: &str) -> Option<String> {
    let message = reason
        .strip_prefix("HTTP 403")?
        .trim_start_matches(':')
        .trim();
    let lower = message.to_ascii_lowercase();
    Some(if lower.contains("revoked") {
        "by its administrator (revoked: for good, in that organisation only)".into()
    } else if lower.contains("denied") {
        "by its administrator (denied; an administrator can still approve it)".into()
    } else if lower.contains("pending") || lower.contains("approv") {
        "until its administrator approves the token (pending)".into()
    } else if lower.contains("fine-grained") || lower.contains("fine grained") {
        "by its token policy (only fine-grained tokens are accepted)".into()
    } else if message.is_empty() {
        "(HTTP 403)".into()
    } else {
        format!("(HTTP 403: {message})")
    })
}

fn count_all(namespace: &mut NamespaceReach) -> [&mut RepoCount; 3] {
    [
        &mut namespace.models,
        &mut namespace.datasets,
        &mut namespace.spaces,
    ]
}

/// Once the budget is gone, what was never listed is "at least 0", not "0".
fn mark_unlisted(counts: [&mut RepoCount; 3], complete: bool) {
    if !complete {
        for count in counts {
            if count.total == 0 {
                count.at_least = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{OrgMembership, Power, ScopedPermissions, Scopes};

    fn member(name: &str, role: &str) -> OrgMembership {
        OrgMembership {
            name: name.into(),
            role: Some(role.into()),
            ..OrgMembership::default()
        }
    }

    fn writable(namespaces: &[NamespaceReach]) -> Vec<(&str, bool)> {
        namespaces
            .iter()
            .map(|n| (n.name.as_str(), n.writable))
            .collect()
    }

    #[test]
    fn writable_namespaces_follow_role_membership_and_scopes() {
        let write_token = Identity {
            user: Some("alice".into()),
            role: Some("write".into()),
            orgs: vec![member("acme", "admin"), member("readers", "read")],
            power: Power::Manage,
            ..Identity::default()
        };
        let (spaces, repos) = namespaces(&write_token);
        assert_eq!(
            writable(&spaces),
            [("alice", true), ("acme", true), ("readers", false)]
        );
        assert!(repos.is_empty());

        let read_token = Identity {
            role: Some("read".into()),
            power: Power::Read,
            ..write_token.clone()
        };
        assert!(namespaces(&read_token).0.iter().all(|n| !n.writable));

        let fine = Identity {
            role: Some("fineGrained".into()),
            scopes: Some(Scopes {
                global: vec!["inference.serverless.write".into()],
                scoped: vec![
                    ScopedPermissions {
                        entity_type: Some("org".into()),
                        entity: Some("acme".into()),
                        permissions: vec!["repo.content.read".into(), "repo.write".into()],
                        ..ScopedPermissions::default()
                    },
                    ScopedPermissions {
                        entity_type: Some("model".into()),
                        entity: Some("bob/m".into()),
                        permissions: vec!["repo.write".into()],
                        ..ScopedPermissions::default()
                    },
                ],
            }),
            power: Power::WriteRepos,
            ..write_token
        };
        let (spaces, repos) = namespaces(&fine);
        assert_eq!(
            writable(&spaces),
            [("alice", false), ("acme", true), ("readers", false)]
        );
        assert_eq!(repos.len(), 1);
        assert!(repos[0].writable);
        assert_eq!(repos[0].id, "bob/m");
    }
}

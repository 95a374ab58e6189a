//! Links from a finding to where a person can read it: the Hub page `hf-scan hub` set, or the
//! file at its commit on GitHub or GitLab when the scanned repository's remote is one of them.
//!
//! The remote URL comes from the scanned repository's own config, so it is untrusted: only
//! `github.com` and `gitlab.com` are recognised, the owner and name must be plain path
//! segments, user info (where credentials hide) is never kept, and every part of the link is
//! built here and percent-encoded by the URL library.

use std::path::Path;

use url::Url;

use crate::finding::{Finding, SourceKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

/// A repository's web home, and the commit a working-tree file is linked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRepo {
    forge: Forge,
    /// `owner/name` (GitLab: `group/subgroup/name`), each part checked.
    segments: Vec<String>,
    /// HEAD's commit, for findings in the working tree.
    head: Option<String>,
}

impl WebRepo {
    /// The web home of a remote URL (`https://github.com/o/r.git`, `git@github.com:o/r`,
    /// `ssh://git@gitlab.com/g/s/r.git`), or `None` for any other host or shape.
    pub fn from_remote(remote: &str, head: Option<String>) -> Option<Self> {
        let (host, path) = split_remote(remote.trim())?;
        let forge = match host.to_ascii_lowercase().as_str() {
            "github.com" => Forge::GitHub,
            "gitlab.com" => Forge::GitLab,
            _ => return None,
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let segments: Vec<String> = path.split('/').map(str::to_string).collect();
        let plain = |segment: &String| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        let count_ok = match forge {
            Forge::GitHub => segments.len() == 2,
            Forge::GitLab => (2..=20).contains(&segments.len()),
        };
        if !count_ok || !segments.iter().all(plain) {
            return None;
        }
        let head = head.filter(|id| is_commit_id(id));
        Some(Self {
            forge,
            segments,
            head,
        })
    }

    /// The repository at `path` (a git directory or anything inside a work tree): its
    /// `origin` remote, else its only remote, and HEAD.
    pub fn of_repository(path: &Path) -> Option<Self> {
        let repo = git2::Repository::discover(path).ok()?;
        let remotes = repo.remotes().ok()?;
        let name = if remotes.iter().flatten().any(|name| name == "origin") {
            "origin".to_string()
        } else if remotes.len() == 1 {
            remotes.get(0)?.to_string()
        } else {
            return None;
        };
        let remote = repo.find_remote(&name).ok()?;
        let head = repo
            .head()
            .ok()
            .and_then(|head| head.peel_to_commit().ok())
            .map(|commit| commit.id().to_string());
        Self::from_remote(remote.url()?, head)
    }

    /// The file at the finding's commit (or HEAD, for a working-tree file) and line; a commit
    /// message links to the commit. Staged content, tags and stdin have no page.
    pub fn link(&self, finding: &Finding) -> Option<String> {
        let commit = finding
            .commit
            .as_ref()
            .map(|commit| commit.id.as_str())
            .filter(|id| is_commit_id(id));
        let mut url = self.home();
        let blob = match self.forge {
            Forge::GitHub => "blob",
            Forge::GitLab => "-/blob",
        };
        match finding.source {
            SourceKind::CommitMessage => {
                let marker = match self.forge {
                    Forge::GitHub => "commit",
                    Forge::GitLab => "-/commit",
                };
                extend(&mut url, marker.split('/').chain([commit?]));
            }
            SourceKind::History | SourceKind::File => {
                let commit = match finding.source {
                    SourceKind::History => commit?,
                    _ => self.head.as_deref()?,
                };
                let path = match finding.source {
                    // A working-tree file outside a repository has no page.
                    SourceKind::File => finding.location.repo_path.as_deref()?,
                    _ => finding.location.stable_path()?,
                };
                extend(
                    &mut url,
                    blob.split('/').chain([commit]).chain(path.split('/')),
                );
                if let (Some(line), None) = (finding.location.line, &finding.location.member) {
                    url.set_fragment(Some(&format!("L{line}")));
                }
            }
            _ => return None,
        }
        Some(url.to_string())
    }

    fn home(&self) -> Url {
        let host = match self.forge {
            Forge::GitHub => "https://github.com/",
            Forge::GitLab => "https://gitlab.com/",
        };
        let mut url = Url::parse(host).expect("a constant URL");
        extend(&mut url, self.segments.iter().map(String::as_str));
        url
    }
}

/// Where a finding links: its Hub page, else its page on the repository's forge.
pub fn link(finding: &Finding, web: Option<&WebRepo>) -> Option<String> {
    match &finding.hub {
        Some(place) => Some(place.url.clone()),
        None => web.and_then(|web| web.link(finding)),
    }
}

fn extend<'a>(url: &mut Url, parts: impl IntoIterator<Item = &'a str>) {
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().extend(parts);
    }
}

fn is_commit_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `(host, path)` of a URL or an scp-like `user@host:path`.
fn split_remote(remote: &str) -> Option<(String, String)> {
    if remote.contains("://") {
        let url = Url::parse(remote).ok()?;
        if !matches!(url.scheme(), "https" | "http" | "ssh" | "git") {
            return None;
        }
        return Some((url.host_str()?.to_string(), url.path().to_string()));
    }
    let (authority, path) = remote.split_once(':')?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    (!host.is_empty() && !host.contains('/')).then(|| (host.to_string(), path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{CommitInfo, Encoding, Introduced, Location, Secret, Severity};

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    fn finding(source: SourceKind, path: &str, line: Option<u64>) -> Finding {
        Finding {
            rule_id: "hf-user-access-token".into(),
            rule_name: "token".into(),
            severity: Severity::High,
            secret: Secret::new("hf_x".into(), 3),
            source,
            location: Location {
                path: Some(path.into()),
                repo_path: Some(path.into()),
                member: None,
                cell: None,
                line,
                column: Some(1),
                end_column: None,
                offset: 0,
            },
            encoding: Encoding::Plain,
            commit: (source != SourceKind::File).then(|| CommitInfo {
                id: COMMIT.into(),
                author_name: String::new(),
                author_email: String::new(),
                date: String::new(),
                summary: String::new(),
                introduced: Introduced::At,
            }),
            tag: None,
            in_head: None,
            suppression: None,
            verification: None,
            hub: None,
        }
    }

    #[test]
    fn remotes_of_github_and_gitlab_in_every_shape() {
        for remote in [
            "https://github.com/acme/models.git",
            "https://x-access-token:secret@github.com/acme/models",
            "git@github.com:acme/models.git",
            "ssh://git@github.com/acme/models.git",
            "git://github.com/acme/models/",
        ] {
            let web = WebRepo::from_remote(remote, None).expect(remote);
            assert_eq!(
                web.home().as_str(),
                "https://github.com/acme/models",
                "{remote}"
            );
        }
        let web = WebRepo::from_remote("git@gitlab.com:group/sub/proj.git", None).unwrap();
        assert_eq!(web.home().as_str(), "https://gitlab.com/group/sub/proj");
    }

    #[test]
    fn other_hosts_and_odd_paths_get_no_link() {
        for remote in [
            "https://example.com/acme/models",
            "https://github.com/acme",
            "https://github.com/acme/models/extra",
            "https://github.com/acme/../x",
            "https://github.com/acme/%2e%2e",
            "javascript:alert(1)//github.com/a/b",
            "file:///github.com/a/b",
            "/srv/git/models.git",
            "https://github.com/acme/mo\"dels",
        ] {
            assert_eq!(WebRepo::from_remote(remote, None), None, "{remote}");
        }
    }

    #[test]
    fn links_point_at_the_commit_and_line_with_the_path_encoded() {
        let github = WebRepo::from_remote("https://github.com/acme/models", None).unwrap();
        let history = finding(SourceKind::History, "src/a #b?.py", Some(7));
        assert_eq!(
            github.link(&history).unwrap(),
            format!("https://github.com/acme/models/blob/{COMMIT}/src/a%20%23b%3F.py#L7")
        );
        let gitlab = WebRepo::from_remote("https://gitlab.com/g/p", None).unwrap();
        assert_eq!(
            gitlab.link(&history).unwrap(),
            format!("https://gitlab.com/g/p/-/blob/{COMMIT}/src/a%20%23b%3F.py#L7")
        );
        let message = finding(SourceKind::CommitMessage, "", None);
        assert_eq!(
            github.link(&message).unwrap(),
            format!("https://github.com/acme/models/commit/{COMMIT}")
        );
    }

    #[test]
    fn working_tree_files_link_at_head_only_when_head_is_known() {
        let file = finding(SourceKind::File, "a.py", Some(2));
        let without = WebRepo::from_remote("https://github.com/acme/models", None).unwrap();
        assert_eq!(without.link(&file), None);
        let with = WebRepo::from_remote("https://github.com/acme/models", Some(COMMIT.to_string()))
            .unwrap();
        assert_eq!(
            with.link(&file).unwrap(),
            format!("https://github.com/acme/models/blob/{COMMIT}/a.py#L2")
        );
        assert_eq!(with.link(&finding(SourceKind::Staged, "a.py", None)), None);
    }
}

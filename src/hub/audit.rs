//! `hf-scan hub`: audits what a user or organisation published on the Hub — every model,
//! dataset and Space, with its whole git history, and its discussions — with the same detection
//! as a local scan.
//!
//! The plan: list the repositories (the listing API, every `Link: rel="next"` page, on the
//! endpoint's origin only), add the ones named, de-duplicate, sort, keep this shard's share.
//! Then, for each repository: mirror it with the `git` command line into the cache directory
//! (several at once), scan every ref with the history engine, and with `--discussions` scan
//! each discussion's title and comments. A repository that cannot be cloned is a warning naming
//! it and the HTTP reason; the run is then incomplete and the others go on.
//!
//! Security: the token (`HF_TOKEN` or `--token-file`) goes to git only through the
//! environment (`GIT_CONFIG_*` → `http.extraHeader`), never a URL, an argument (which `ps`
//! shows) or a config file; credential helpers and prompts are off and redirects are not
//! followed. Repository ids come from the Hub and are checked before they name a directory or
//! a URL (no `..`, no absolute paths, no odd bytes).
//!
//! Why git, not libgit2: the libgit2 in this build has no TLS (it is built without OpenSSL to
//! keep the build to a Rust toolchain and a C compiler), and every machine that audits the Hub
//! has git.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Deserialize;

use crate::collector::{Event, EventSender, EventSink, Origin, ScanResult};
use crate::finding::{Finding, HubPlace, Secret, SourceKind};
use crate::hub::client::{list_pages, request, HubClient};
use crate::source::git::CommitRange;
use crate::source::{ScanContext, Source};

/// Entries asked for per listing page.
const PAGE: u32 = 1000;
/// Listing pages followed per author and kind at most (a million repositories): a server
/// that always says "next" cannot keep the audit listing forever.
const MAX_PAGES: usize = 1000;
/// Ids a listing gave that hf-scan does not use, named one by one at most.
const MAX_REJECTED_NAMED: usize = 10;
/// Discussions read per repository at most (each costs a request).
const MAX_DISCUSSIONS: usize = 500;

/// The mirror cache on disk: private to the user, never through a link, and only directories
/// hf-scan made reused (a planted directory or link would have an audit fetch into, prune and
/// scan someone else's repository as the Hub's).
mod cache {
    use std::fs;
    use std::io::ErrorKind;
    use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, PermissionsExt as _};
    use std::path::Path;

    use super::HubRepo;

    /// The file hf-scan writes into each mirror it made.
    const MARKER: &str = "hf-scan-mirror";

    /// The user's id.
    fn user() -> u32 {
        // SAFETY: geteuid(2) has no preconditions.
        unsafe { libc::geteuid() }
    }

    /// Makes the cache directory (0700) unless it is there; it must be the user's.
    pub fn root(root: &Path) -> Result<(), String> {
        if fs::symlink_metadata(root).is_err() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(root)
                .map_err(|err| format!("creating {}: {err}", root.display()))?;
        }
        let owner = fs::metadata(root)
            .map_err(|err| format!("{}: {err}", root.display()))?
            .uid();
        if owner != user() {
            return Err(format!(
                "the cache directory {} belongs to another user: not used",
                root.display()
            ));
        }
        Ok(())
    }

    /// Makes `mirror`'s parents under `root` (0700, each checked: a directory of the user's,
    /// not a link); whether `mirror` is there to be fetched into (true) or is to be cloned.
    pub fn prepare(root: &Path, mirror: &Path) -> Result<bool, String> {
        self::root(root)?;
        let uid = user();
        let below = mirror
            .strip_prefix(root)
            .map_err(|_| "a mirror outside the cache")?;
        let mut path = root.to_path_buf();
        let parts: Vec<_> = below.components().collect();
        for (index, part) in parts.iter().enumerate() {
            path.push(part);
            let last = index + 1 == parts.len();
            if !last {
                // Another clone job may make it at the same moment: then it is checked below
                // like any directory that was there.
                match fs::DirBuilder::new().mode(0o700).create(&path) {
                    Err(err) if err.kind() != ErrorKind::AlreadyExists => {
                        return Err(format!("creating {}: {err}", path.display()))
                    }
                    _ => {}
                }
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(format!(
                        "{} is a symbolic link in the cache: not followed",
                        path.display()
                    ))
                }
                Ok(meta) if !meta.is_dir() => {
                    return Err(format!("{} is not a directory", path.display()))
                }
                Ok(meta) if meta.uid() != uid => {
                    return Err(format!("{} belongs to another user", path.display()))
                }
                Ok(_) if last => {
                    let marker = fs::symlink_metadata(path.join(MARKER));
                    if !marker.is_ok_and(|meta| meta.is_file()) {
                        return Err(format!(
                            "{} was not made by hf-scan: not reused (move it away to mirror \
                             the repository again)",
                            path.display()
                        ));
                    }
                    return Ok(true);
                }
                Ok(_) => {}
                Err(err) if last && err.kind() == ErrorKind::NotFound => return Ok(false),
                Err(err) => return Err(format!("{}: {err}", path.display())),
            }
        }
        Ok(false)
    }

    /// The bundle git is given with `--ca-file`: git's `http.sslCAInfo` replaces the roots it
    /// trusts, so the system's bundle (the first of `system` that exists) and the file are
    /// written together into the cache (0600), and git trusts both, as hf-scan's own client
    /// trusts its built-in roots and the file. Without a system bundle, git trusts the file
    /// alone.
    pub fn ca_bundle(
        root: &Path,
        ca_file: &Path,
        system: &[&str],
    ) -> Result<std::path::PathBuf, String> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let added =
            fs::read(ca_file).map_err(|err| format!("reading {}: {err}", ca_file.display()))?;
        let Some(system) = system.iter().find_map(|path| fs::read(path).ok()) else {
            return Ok(ca_file.to_path_buf());
        };
        let bundle = root.join("ca-bundle.pem");
        let partial = root.join(format!("ca-bundle.pem.{}", std::process::id()));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&partial)
            .map_err(|err| format!("{}: {err}", partial.display()))?;
        file.write_all(&system)
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.write_all(&added))
            .map_err(|err| format!("{}: {err}", partial.display()))?;
        fs::rename(&partial, &bundle).map_err(|err| format!("{}: {err}", bundle.display()))?;
        Ok(bundle)
    }

    /// After a clone: the mirror is the user's alone, and marked as hf-scan's.
    pub fn mark(mirror: &Path, repo: &HubRepo) -> Result<(), String> {
        fs::set_permissions(mirror, fs::Permissions::from_mode(0o700))
            .map_err(|err| format!("{}: {err}", mirror.display()))?;
        fs::write(
            mirror.join(MARKER),
            format!("a mirror hf-scan made of {}\n", repo.display()),
        )
        .map_err(|err| format!("{}: {err}", mirror.display()))
    }
}

/// What `hf-scan hub` audits: the git repositories (models, datasets, Spaces, kernels) and
/// Storage Buckets, which have no git.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RepoKind {
    Model,
    Dataset,
    Space,
    Kernel,
    Bucket,
}

impl RepoKind {
    /// The kinds listed per author with `GET /api/{models,datasets,spaces}?author=`.
    pub const LISTED: [RepoKind; 3] = [RepoKind::Model, RepoKind::Dataset, RepoKind::Space];

    /// As the API names its collection: `models`, `datasets`, `spaces`, `kernels`, `buckets`.
    pub fn api(self) -> &'static str {
        match self {
            RepoKind::Model => "models",
            RepoKind::Dataset => "datasets",
            RepoKind::Space => "spaces",
            RepoKind::Kernel => "kernels",
            RepoKind::Bucket => "buckets",
        }
    }

    /// As findings and the settings listing name it: `model`, `dataset`, `space`, `kernel`,
    /// `bucket`.
    pub fn name(self) -> &'static str {
        match self {
            RepoKind::Model => "model",
            RepoKind::Dataset => "dataset",
            RepoKind::Space => "space",
            RepoKind::Kernel => "kernel",
            RepoKind::Bucket => "bucket",
        }
    }

    /// The kind the settings listing's `type` names.
    pub fn from_name(name: &str) -> Option<RepoKind> {
        [
            RepoKind::Model,
            RepoKind::Dataset,
            RepoKind::Space,
            RepoKind::Kernel,
            RepoKind::Bucket,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }

    /// What precedes the id in the Hub's web and git URLs: nothing for models.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoKind::Model => "",
            RepoKind::Dataset => "datasets/",
            RepoKind::Space => "spaces/",
            RepoKind::Kernel => "kernels/",
            RepoKind::Bucket => "buckets/",
        }
    }

    /// Whether it is a git repository (everything but a bucket).
    pub fn is_git(self) -> bool {
        self != RepoKind::Bucket
    }
}

/// One repository on the Hub.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HubRepo {
    pub kind: RepoKind,
    pub id: String,
}

impl HubRepo {
    /// `spaces/alice/demo`: how the Hub's URLs and hf-scan's reports name it.
    pub fn display(&self) -> String {
        format!("{}{}", self.kind.url_prefix(), self.id)
    }
}

/// Whether `id` is a repository id hf-scan will use as a path and in URLs: `name` or
/// `owner/name`, each part letters, digits, `-`, `_`, `.`, not starting with `.`.
pub fn valid_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    !id.is_empty()
        && id.len() <= 200
        && parts.len() <= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

/// `K/N` for `--shard`: 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text.split_once('/').and_then(|(k, n)| {
        Some((
            k.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!(
            "`{text}` is not K/N with 1 ≤ K ≤ N (for example 2/8)"
        )),
    }
}

/// What to audit and how.
pub struct AuditPlan {
    pub authors: Vec<String>,
    pub named: Vec<HubRepo>,
    pub discussions: bool,
    /// Scan the authors' Jobs and scheduled Jobs.
    pub jobs: bool,
    /// LFS objects larger than this are listed, not fetched.
    pub max_lfs_size: u64,
    pub shard: Option<(usize, usize)>,
    pub cache_dir: PathBuf,
    /// Repositories cloned at once.
    pub clone_jobs: usize,
    /// The longest one clone or fetch may take (`--clone-timeout`).
    pub clone_timeout: std::time::Duration,
    pub token: Option<Secret>,
    /// Announce each repository on a terminal (the progress line is the scan's own).
    pub progress: bool,
    /// No announcement of what is audited (an endpoint from `HF_ENDPOINT` is still named).
    pub quiet: bool,
}

#[derive(Deserialize)]
struct Listed {
    id: Option<String>,
}

/// Warnings for the ids a listing held that hf-scan does not use (`..`, odd characters):
/// `named` one by one, `more` counted, so thousands of bad ids are one more line.
fn warn_unusable(warnings: &mut Vec<String>, listing: &str, named: &[String], more: usize) {
    for id in named {
        warnings.push(format!(
            "{listing} held an id hf-scan does not use: {}",
            crate::sanitize::for_display(id)
        ));
    }
    if more > 0 {
        warnings.push(format!(
            "{listing} held {more} more ids hf-scan does not use"
        ));
    }
}

/// `warn_unusable` for a whole list: the first few named, the rest counted.
fn warn_unusable_all(warnings: &mut Vec<String>, listing: &str, ids: &[String]) {
    let named = ids.len().min(MAX_REJECTED_NAMED);
    warn_unusable(warnings, listing, &ids[..named], ids.len() - named);
}

/// The check before each page of an author's listing: at most `MAX_PAGES` pages.
fn page_budget() -> impl FnMut() -> Result<(), String> {
    let mut pages = 0;
    move || {
        pages += 1;
        if pages > MAX_PAGES {
            return Err(format!("stopped after {MAX_PAGES} pages"));
        }
        Ok(())
    }
}

/// One entry of the settings listing (`list_user_repos`): every repository and bucket of a
/// namespace with its storage.
#[derive(Deserialize)]
struct SettingsEntry {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Entries one page of the settings listing may hold (the Hub chooses its page size).
const SETTINGS_PAGE: usize = 10_000;

/// The name of the user the audit's token belongs to, if whoami says.
fn token_user(client: &HubClient, token: &Secret) -> Option<String> {
    #[derive(Deserialize)]
    struct WhoAmI {
        name: Option<String>,
    }
    let reply = request(client, client.endpoint.join("api/whoami-v2"), Some(token)).ok()?;
    if !reply.status.is_success() {
        return None;
    }
    serde_json::from_slice::<WhoAmI>(&reply.body).ok()?.name
}

/// Every repository and bucket of `author` from the settings listing, which an
/// organisation's administrator (`/api/organizations/{author}/settings/repositories`) or the
/// token's own user (`/api/settings/repositories`) may read: one listing, private ones
/// included, and how many entries of a type hf-scan does not audit it held (by type). `Err`
/// says why it could not be used.
fn settings_listing(
    client: &HubClient,
    token: &Secret,
    author: &str,
    own: bool,
) -> Result<SettingsListing, String> {
    let mut url = client.endpoint.join("api/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty();
        if own {
            segments.extend(["settings", "repositories"]);
        } else {
            segments.extend(["organizations", author, "settings", "repositories"]);
        }
    }
    let mut listing = SettingsListing::default();
    list_pages::<SettingsEntry>(
        client,
        url,
        SETTINGS_PAGE,
        Some(token),
        page_budget(),
        |items| {
            for item in items {
                let Some(id) = item.id else { continue };
                let kind = item.kind.unwrap_or_default();
                match RepoKind::from_name(&kind) {
                    Some(known) => listing.entries.push((known, id)),
                    None => *listing.other_types.entry(kind).or_default() += 1,
                }
            }
        },
    )?;
    Ok(listing)
}

/// What the settings listing held: the entries hf-scan audits, and a count of the others by
/// their type.
#[derive(Default)]
struct SettingsListing {
    entries: Vec<(RepoKind, String)>,
    other_types: std::collections::BTreeMap<String, u64>,
}

/// Lists every repository of `plan.authors`, adds the named ones, and keeps this shard's
/// share of the sorted whole. Each author is listed from the settings listing when the token
/// may read it, else through the per-type listings; `notices` says which. Warnings name what
/// could not be listed.
pub fn enumerate(
    client: &HubClient,
    plan: &AuditPlan,
    notices: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<HubRepo> {
    let mut repos: BTreeSet<HubRepo> = plan.named.iter().cloned().collect();
    let mut rejected = Vec::new();
    let mut rejected_more = 0usize;
    let user = match (&plan.token, plan.authors.is_empty()) {
        (Some(token), false) => token_user(client, token),
        _ => None,
    };
    let (mut from_settings, mut per_type) = (Vec::new(), Vec::new());
    for author in &plan.authors {
        if let Some(token) = &plan.token {
            let own = user.as_deref() == Some(author.as_str());
            match settings_listing(client, token, author, own) {
                Ok(listing) => {
                    if !listing.other_types.is_empty() {
                        // Recognised as the author's, not read: never a silent pass.
                        let types: Vec<String> = listing
                            .other_types
                            .iter()
                            .take(MAX_REJECTED_NAMED)
                            .map(|(kind, count)| {
                                format!("{count} of type `{}`", crate::sanitize::for_display(kind))
                            })
                            .collect();
                        warnings.push(format!(
                            "the settings listing of {author} held entries hf-scan does not \
                             audit: {}",
                            types.join(", ")
                        ));
                    }
                    let mut unusable = Vec::new();
                    for (kind, id) in listing.entries {
                        if !valid_id(&id) {
                            unusable.push(id);
                        } else if id.split('/').next() == Some(author.as_str()) {
                            repos.insert(HubRepo { kind, id });
                        }
                        // Another namespace's entry is not this author's: it is listed when
                        // that namespace is audited.
                    }
                    warn_unusable_all(
                        warnings,
                        &format!("the settings listing of {author}"),
                        &unusable,
                    );
                    from_settings.push(author.clone());
                    continue;
                }
                Err(reason) => per_type.push(format!("{author} ({reason})")),
            }
        } else {
            per_type.push(author.clone());
        }
        for kind in RepoKind::LISTED {
            let mut url = client.endpoint.join(&format!("api/{}", kind.api()));
            url.query_pairs_mut()
                .append_pair("author", author)
                .append_pair("limit", &PAGE.to_string());
            let listed = list_pages::<Listed>(
                client,
                url,
                PAGE as usize,
                plan.token.as_ref(),
                page_budget(),
                |items| {
                    for id in items.into_iter().filter_map(|item| item.id) {
                        if valid_id(&id) {
                            repos.insert(HubRepo { kind, id });
                        } else {
                            if rejected.len() < MAX_REJECTED_NAMED {
                                rejected.push(id);
                            } else {
                                rejected_more += 1;
                            }
                        }
                    }
                },
            );
            if let Err(reason) = listed {
                warnings.push(format!("listing the {} of {author}: {reason}", kind.api()));
            }
            warn_unusable(
                warnings,
                &format!("the {} listing of {author}", kind.api()),
                &rejected,
                rejected_more,
            );
            rejected.clear();
            rejected_more = 0;
        }
        let mut buckets = Vec::new();
        let listed = crate::hub::buckets::list(client, plan.token.as_ref(), author, &mut buckets);
        if let Err(reason) = listed {
            warnings.push(format!("listing the buckets of {author}: {reason}"));
        }
        let (usable, unusable): (Vec<_>, Vec<_>) = buckets.into_iter().partition(|id| valid_id(id));
        repos.extend(usable.into_iter().map(|id| HubRepo {
            kind: RepoKind::Bucket,
            id,
        }));
        warn_unusable_all(
            warnings,
            &format!("the bucket listing of {author}"),
            &unusable,
        );
    }
    if !from_settings.is_empty() {
        notices.push(format!(
            "listed from the settings listing (every repository and bucket, private ones \
             included): {}",
            from_settings.join(", ")
        ));
    }
    if !per_type.is_empty() {
        notices.push(format!(
            "listed through the per-type listings (models, datasets, Spaces, buckets; no \
             kernels): {}",
            per_type.join(", ")
        ));
    }
    let sorted = repos.into_iter();
    match plan.shard {
        Some((k, n)) => sorted
            .enumerate()
            .filter(|(index, _)| index % n == k - 1)
            .map(|(_, repo)| repo)
            .collect(),
        None => sorted.collect(),
    }
}

/// Where a repository's bare mirror lives in the cache.
pub fn mirror_dir(cache_dir: &Path, repo: &HubRepo) -> PathBuf {
    cache_dir
        .join(repo.kind.api())
        .join(format!("{}.git", repo.id))
}

/// Clones (or, when the cache has it, fetches) every repository, `plan.clone_jobs` at a time,
/// handing each result to `done` as soon as it is known (from the cloning threads), so the
/// audit scans a mirror while others are still cloning.
pub fn mirror_each(
    client: &HubClient,
    plan: &AuditPlan,
    repos: &[HubRepo],
    progress: bool,
    done: impl Fn(HubRepo, Result<PathBuf, String>) + Sync,
) {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    // The roots git trusts, made once for every clone.
    let git_ca = match &client.ca_file {
        Some(ca_file) => cache::root(&plan.cache_dir)
            .and_then(|()| cache::ca_bundle(&plan.cache_dir, ca_file, SYSTEM_CA_BUNDLES))
            .map(Some),
        None => Ok(None),
    };
    let git_ca = match git_ca {
        Ok(git_ca) => git_ca,
        Err(reason) => {
            for repo in repos {
                done(repo.clone(), Err(reason.clone()));
            }
            return;
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..plan.clone_jobs.clamp(1, repos.len().max(1)) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(repo) = repos.get(index) else {
                    return;
                };
                let mirrored = mirror(client, plan, repo, git_ca.as_deref());
                let count = finished.fetch_add(1, Ordering::Relaxed) + 1;
                if progress {
                    crate::progress::log_line(&format!(
                        "hf-scan: [{count}/{}] {} {}",
                        repos.len(),
                        if mirrored.is_ok() {
                            "mirrored"
                        } else {
                            "failed"
                        },
                        repo.display()
                    ));
                }
                done(repo.clone(), mirrored);
            });
        }
    });
}

/// Mirrors larger than this (their packs on disk) are scanned alone, not side by side: a
/// history scan holds its largest blobs per thread, so two large ones at once would double
/// what the audit holds.
const SIDE_BY_SIDE_MAX: u64 = 256 << 20;

/// Scans at once when no progress line is drawn (on a terminal, one at a time, each with its
/// line).
const SCAN_LANES: usize = 2;

/// Lanes for scans: a small mirror takes one, a large one all of them.
struct Lanes {
    in_use: Mutex<usize>,
    freed: std::sync::Condvar,
    capacity: usize,
}

impl Lanes {
    fn take(&self, weight: usize) -> LaneGuard<'_> {
        let weight = weight.min(self.capacity);
        let mut in_use = self.in_use.lock().unwrap();
        while *in_use + weight > self.capacity {
            in_use = self.freed.wait(in_use).unwrap();
        }
        *in_use += weight;
        LaneGuard {
            lanes: self,
            weight,
        }
    }
}

struct LaneGuard<'a> {
    lanes: &'a Lanes,
    weight: usize,
}

impl Drop for LaneGuard<'_> {
    fn drop(&mut self) {
        *self.lanes.in_use.lock().unwrap() -= self.weight;
        self.lanes.freed.notify_all();
    }
}

/// The bytes of a mirror's packs and loose objects.
fn mirror_size(gitdir: &Path) -> u64 {
    fn walk(dir: &Path, depth: usize) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|entry| match entry.file_type() {
                Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
                Ok(kind) if kind.is_dir() && depth > 0 => walk(&entry.path(), depth - 1),
                _ => 0,
            })
            .sum()
    }
    walk(&gitdir.join("objects"), 2)
}

/// Where systems keep the CA bundle git trusts by default (Debian and Ubuntu, Fedora and
/// RHEL, openSUSE, Alpine and macOS).
const SYSTEM_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// A transfer slower than this many bytes a second for `GIT_LOW_SPEED_SECONDS` is abandoned
/// (a server sending a byte every two seconds hung an audit forever).
const GIT_LOW_SPEED_BYTES: u32 = 1024;
const GIT_LOW_SPEED_SECONDS: u32 = 60;

/// One mirror: `git clone --mirror`, or `git fetch --prune` when the cache has it.
fn mirror(
    client: &HubClient,
    plan: &AuditPlan,
    repo: &HubRepo,
    git_ca: Option<&Path>,
) -> Result<PathBuf, String> {
    let dir = mirror_dir(&plan.cache_dir, repo);
    let reuse = cache::prepare(&plan.cache_dir, &dir)?;
    let url = client.endpoint.join(&repo.display());
    let mut git = Command::new("git");
    if reuse {
        git.arg("--git-dir")
            .arg(&dir)
            .args(["fetch", "--prune", "--quiet", "--no-write-fetch-head"])
            .arg(url.as_str())
            .arg("+refs/*:refs/*");
    } else {
        git.args(["clone", "--mirror", "--quiet", "--no-hardlinks"])
            .arg(url.as_str())
            .arg(&dir);
    }
    // Settings through the environment only: nothing is written to a config file, and the
    // token is not an argument.
    let mut settings = vec![
        ("http.followRedirects", "false".to_string()),
        ("credential.helper", String::new()),
        ("core.askPass", String::new()),
        ("protocol.allow", "never".to_string()),
        ("protocol.https.allow", "always".to_string()),
        ("protocol.http.allow", "always".to_string()),
    ];
    if let Some(token) = &plan.token {
        settings.push((
            "http.extraHeader",
            format!("Authorization: Bearer {}", token.expose()),
        ));
    }
    // git reaches the Hub the way hf-scan's own client does: through `--proxy` or no proxy
    // (a proxy named in the environment would see the token in plain http), trusting the
    // system's roots, or `--ca-file` when given; and it gives up on a stalled transfer.
    settings.push((
        "http.proxy",
        client
            .proxy
            .as_ref()
            .map_or(String::new(), ToString::to_string),
    ));
    if let Some(bundle) = git_ca {
        settings.push(("http.sslCAInfo", bundle.display().to_string()));
        // git's environment variables would win over the setting.
        git.env_remove("GIT_SSL_CAINFO")
            .env_remove("GIT_SSL_CAPATH");
    }
    settings.push(("http.lowSpeedLimit", GIT_LOW_SPEED_BYTES.to_string()));
    settings.push(("http.lowSpeedTime", GIT_LOW_SPEED_SECONDS.to_string()));
    // Nothing from the environment or the user's git configuration that could record the
    // request headers (GIT_TRACE*, GIT_CURL_VERBOSE, trace2 targets in ~/.gitconfig) or send
    // them elsewhere (proxies).
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let proxy = name.eq_ignore_ascii_case("http_proxy")
            || name.eq_ignore_ascii_case("https_proxy")
            || name.eq_ignore_ascii_case("all_proxy")
            || name.eq_ignore_ascii_case("no_proxy");
        if proxy || name.starts_with("GIT_TRACE") || name.starts_with("GIT_CURL") {
            git.env_remove(name.as_ref());
        }
    }
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    git.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env("GCM_INTERACTIVE", "never")
        .env("GIT_LFS_SKIP_SMUDGE", "1")
        .env("GIT_CONFIG_COUNT", settings.len().to_string());
    for (index, (key, value)) in settings.iter().enumerate() {
        git.env(format!("GIT_CONFIG_KEY_{index}"), key)
            .env(format!("GIT_CONFIG_VALUE_{index}"), value);
    }
    let (status, stderr) = run_with_deadline(&mut git, plan.clone_timeout)?;
    if status.success() {
        if !reuse {
            cache::mark(&dir, repo)?;
        }
        return Ok(dir);
    }
    Err(git_failure(&String::from_utf8_lossy(&stderr)))
}

/// Runs `command` in a process group of its own; past `deadline` the whole group (git and its
/// `git-remote-https`) is killed. Its exit status and what it wrote to stderr (the first
/// 64 KiB).
fn run_with_deadline(
    command: &mut Command,
    deadline: std::time::Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>), String> {
    use std::io::Read as _;
    use std::os::unix::process::CommandExt as _;
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|err| format!("running git: {err}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut stderr = stderr;
        let _ = (&mut stderr).take(64 << 10).read_to_end(&mut kept);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        kept
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= deadline => {
                // SAFETY: kill(2) on the process group this function created.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                let _ = child.wait();
                let _ = reader.join();
                return Err(format!(
                    "git stopped after {} s (--clone-timeout): the repository was not mirrored",
                    deadline.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(err) => return Err(format!("waiting for git: {err}")),
        }
    };
    Ok((status, reader.join().unwrap_or_default()))
}

/// git's complaint in a few words: the HTTP status when there is one.
fn git_failure(stderr: &str) -> String {
    let status = stderr
        .split("returned error: ")
        .nth(1)
        .and_then(|rest| rest.get(..3))
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
        // A 401 makes git ask for a user name, which it may not do here.
        .or_else(|| {
            (stderr.contains("could not read Username") || stderr.contains("Authentication failed"))
                .then_some("401")
        });
    match status {
        Some("401") => "HTTP 401: private, and no token or the token cannot read it".into(),
        Some("403") => "HTTP 403: gated or forbidden for this token".into(),
        Some("404") => "HTTP 404: not found".into(),
        Some(code) => format!("HTTP {code}"),
        None => {
            let line = stderr
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("git failed");
            crate::sanitize::redact_tokens(&crate::sanitize::for_display(line)).into_owned()
        }
    }
}

#[derive(Deserialize)]
struct DiscussionPage {
    #[serde(default)]
    discussions: Vec<DiscussionStub>,
    #[serde(default)]
    count: usize,
    #[serde(default)]
    start: usize,
}

#[derive(Deserialize)]
struct DiscussionStub {
    num: u64,
}

#[derive(Deserialize)]
struct DiscussionDetail {
    #[serde(default)]
    title: String,
    #[serde(default)]
    events: Vec<DiscussionEvent>,
}

#[derive(Deserialize)]
struct DiscussionEvent {
    #[serde(rename = "type", default)]
    kind: String,
    data: Option<serde_json::Value>,
}

/// The numbers of every discussion and pull request of `repo` (at most `MAX_DISCUSSIONS`).
/// A listing that fails is a warning (prefixed with the repository by the caller).
pub fn discussion_numbers(
    client: &HubClient,
    token: Option<&Secret>,
    repo: &HubRepo,
    warnings: &mut Vec<String>,
) -> Vec<u64> {
    let base = format!("api/{}/{}/discussions", repo.kind.api(), repo.id);
    let mut numbers = Vec::new();
    for page in 0.. {
        let mut url = client.endpoint.join(&base);
        url.query_pairs_mut().append_pair("p", &page.to_string());
        let page = match request(client, url, token) {
            Ok(reply) if reply.status.is_success() => {
                serde_json::from_slice::<DiscussionPage>(&reply.body).ok()
            }
            Ok(reply) => {
                warnings.push(format!(
                    "its discussions could not be listed (HTTP {})",
                    reply.status.as_u16()
                ));
                break;
            }
            Err(reason) => {
                warnings.push(format!("its discussions could not be listed ({reason})"));
                break;
            }
        };
        let Some(page) = page else {
            warnings.push("the list of its discussions was not understood".into());
            break;
        };
        let got = page.discussions.len();
        numbers.extend(page.discussions.into_iter().map(|d| d.num));
        if got == 0 || page.start + got >= page.count || numbers.len() >= MAX_DISCUSSIONS {
            break;
        }
    }
    numbers.truncate(MAX_DISCUSSIONS);
    numbers
}

/// One discussion's title and every comment, one after another.
fn discussion_text(
    client: &HubClient,
    token: Option<&Secret>,
    repo: &HubRepo,
    num: u64,
) -> Option<String> {
    let url = client.endpoint.join(&format!(
        "api/{}/{}/discussions/{num}",
        repo.kind.api(),
        repo.id
    ));
    let detail = match request(client, url, token) {
        Ok(reply) if reply.status.is_success() => {
            serde_json::from_slice::<DiscussionDetail>(&reply.body).ok()?
        }
        _ => return None,
    };
    let mut text = detail.title;
    for event in detail.events {
        let raw = event
            .data
            .as_ref()
            .and_then(|data| match event.kind.as_str() {
                "comment" => data.pointer("/latest/raw"),
                "title-change" => data.pointer("/to"),
                "commit" => data.pointer("/subject"),
                _ => None,
            });
        if let Some(raw) = raw.and_then(|raw| raw.as_str()) {
            text.push('\n');
            text.push_str(raw);
        }
    }
    Some(text)
}

/// A repository's discussions as a source: each is fetched, scanned like a file named
/// `{repo}/discussions/{num}`, and dropped before the next (one answer of at most 1 MiB is
/// held at a time).
struct DiscussionSource<'a> {
    client: &'a HubClient,
    token: Option<&'a Secret>,
    repo: &'a HubRepo,
    numbers: Vec<u64>,
}

impl Source for DiscussionSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let mut sink = EventSink::new(events);
        let mut scanner = context.scanner();
        for &num in &self.numbers {
            let Some(text) = discussion_text(self.client, self.token, self.repo, num) else {
                sink.send(Event::Warning(format!(
                    "discussion {num} could not be read"
                )));
                continue;
            };
            let path = format!("{}/discussions/{num}", self.repo.display());
            sink.send(Event::Content {
                origin: Origin::file(SourceKind::Discussion, Some(path.clone()), Some(path)),
                scanned: scanner.scan_bytes(text.as_bytes()),
            });
        }
        Ok(())
    }
}

/// The whole audit: list, mirror, then scan each repository (its history, every ref; its
/// discussions) and name each finding's repository and link.
pub fn run(
    plan: &AuditPlan,
    client: &HubClient,
    scan: impl Fn(Vec<Box<dyn Source + Send + '_>>, String) -> ScanResult + Sync,
) -> ScanResult {
    let progress = plan.progress;
    let every_ref = CommitRange::All;
    let mut total = ScanResult::default();
    let mut warnings = Vec::new();
    let repos = enumerate(client, plan, &mut total.stats.notices, &mut warnings);
    // An endpoint from HF_ENDPOINT (often a download mirror) is named even with --quiet: the
    // token goes there.
    let from_environment =
        client.endpoint.origin == crate::hub::client::EndpointOrigin::Environment;
    if !plan.quiet || from_environment {
        let shard = plan
            .shard
            .map_or(String::new(), |(k, n)| format!(" (shard {k}/{n})"));
        eprintln!(
            "hf-scan: auditing {}{} on {}{}{shard}",
            crate::collector::plural(
                repos.iter().filter(|repo| repo.kind.is_git()).count() as u64,
                "repository"
            ),
            match repos.iter().filter(|repo| !repo.kind.is_git()).count() {
                0 => String::new(),
                buckets => format!(
                    " and {}",
                    crate::collector::plural(buckets as u64, "bucket")
                ),
            },
            client.endpoint,
            if from_environment {
                " (from HF_ENDPOINT)"
            } else {
                ""
            }
        );
    }
    let (git_repos, buckets): (Vec<_>, Vec<_>) =
        repos.into_iter().partition(|repo| repo.kind.is_git());
    let variables_unreadable = std::sync::atomic::AtomicU64::new(0);
    let lfs_skipped = Mutex::new((0u64, 0u64));
    let total_work = git_repos.len() + buckets.len();
    let scanning_started = std::time::Instant::now();
    let scanned = AtomicUsize::new(0);
    let shared = Mutex::new((std::mem::take(&mut total), warnings));
    // One repository's (or bucket's) scan: its history, discussions, LFS objects, variables
    // or files, each finding placed on the Hub.
    let scan_one = |repo: HubRepo, dir: Option<PathBuf>| {
        let display = repo.display();
        let mut repo_warnings = Vec::new();
        let mut sources: Vec<Box<dyn Source + Send + '_>> = Vec::new();
        let numbers = if plan.discussions && repo.kind.is_git() {
            discussion_numbers(client, plan.token.as_ref(), &repo, &mut repo_warnings)
        } else {
            Vec::new()
        };
        let source = DiscussionSource {
            client,
            token: plan.token.as_ref(),
            repo: &repo,
            numbers,
        };
        let pointers = match dir.as_deref().map(crate::hub::lfs::pointers) {
            None => Vec::new(),
            Some(Ok(pointers)) => pointers,
            Some(Err(reason)) => {
                repo_warnings.push(format!("its LFS pointers could not be listed ({reason})"));
                Vec::new()
            }
        };
        let (pointers, too_large): (Vec<_>, Vec<_>) = pointers
            .into_iter()
            .partition(|pointer| pointer.size <= plan.max_lfs_size);
        {
            let mut skipped = lfs_skipped.lock().unwrap();
            skipped.0 += too_large.len() as u64;
            skipped.1 += too_large.iter().map(|pointer| pointer.size).sum::<u64>();
        }
        let lfs = crate::hub::lfs::LfsSource {
            client,
            token: plan.token.as_ref(),
            repo: &repo,
            pointers,
        };
        let cloned = dir.is_some();
        // The progress line says which repository, and when all of them should be done.
        let started = scanned.load(Ordering::Relaxed);
        let eta = match (started, scanning_started.elapsed().as_secs_f64()) {
            (0, _) => String::new(),
            (done, seconds) => {
                let left = seconds / done as f64 * total_work.saturating_sub(done) as f64;
                format!(", all in ~{}", crate::progress::duration(left))
            }
        };
        let label = format!("repository {}/{total_work} {display}{eta}", started + 1);
        if repo.kind == RepoKind::Bucket {
            sources.push(Box::new(crate::hub::buckets::BucketSource {
                client,
                token: plan.token.as_ref(),
                id: &repo.id,
                max_size: plan.max_lfs_size,
            }));
        } else {
            if let Some(gitdir) = dir.as_deref() {
                sources.push(Box::new(crate::source::git::HistorySource {
                    gitdir,
                    range: &every_ref,
                }));
            }
            sources.push(Box::new(source));
            sources.push(Box::new(lfs));
        }
        if repo.kind == RepoKind::Space {
            sources.push(Box::new(crate::hub::account::SpaceVariableSource {
                client,
                token: plan.token.as_ref(),
                space: &repo.id,
                unreadable: &variables_unreadable,
            }));
        }
        let mut result = scan(sources, label);
        for finding in &mut result.findings {
            place(finding, &repo, client);
        }
        result.stats.warnings = result
            .stats
            .warnings
            .into_iter()
            .chain(repo_warnings)
            .map(|warning| format!("{display}: {warning}"))
            .collect();
        result.stats.incomplete |= !result.stats.warnings.is_empty();
        let done = scanned.fetch_add(1, Ordering::Relaxed) + 1;
        if progress {
            let read = if cloned {
                crate::collector::plural(result.stats.commits, "commit")
            } else if repo.kind == RepoKind::Bucket {
                crate::collector::plural(result.stats.files, "file")
            } else {
                "not cloned, only what the API shows".to_string()
            };
            crate::progress::log_line(&format!(
                "hf-scan: [{done}/{total_work}] scanned {display}: {read}, {}, {}",
                crate::collector::human_bytes(result.stats.bytes),
                crate::collector::plural(result.findings.len() as u64, "finding")
            ));
        }
        let mut shared = shared.lock().unwrap();
        shared.0.findings.append(&mut result.findings);
        shared.0.stats.absorb(result.stats);
    };
    // Mirrors are scanned as they arrive, while the rest are still cloning. Without a
    // progress line, small mirrors are scanned side by side (each scan has the worker
    // threads, so a lane's idle moments — opening the repository, walking refs, asking the
    // API — are another's busy ones); a large mirror takes every lane.
    let lanes = Lanes {
        in_use: Mutex::new(0),
        freed: std::sync::Condvar::new(),
        capacity: if progress { 1 } else { SCAN_LANES },
    };
    let (work, arrived) = std::sync::mpsc::channel::<(HubRepo, Option<PathBuf>)>();
    let arrived = Mutex::new(arrived);
    std::thread::scope(|scope| {
        for _ in 0..lanes.capacity {
            scope.spawn(|| loop {
                let next = arrived.lock().unwrap().recv();
                let Ok((repo, dir)) = next else {
                    return;
                };
                let weight = match &dir {
                    Some(gitdir) if mirror_size(gitdir) > SIDE_BY_SIDE_MAX => lanes.capacity,
                    _ => 1,
                };
                let _lane = lanes.take(weight);
                scan_one(repo, dir);
            });
        }
        // Buckets need no clone: they are first in line.
        for bucket in buckets {
            let _ = work.send((bucket, None));
        }
        let failed = Mutex::new(Vec::new());
        mirror_each(client, plan, &git_repos, progress, |repo, mirrored| {
            match mirrored {
                Ok(dir) => {
                    let _ = work.send((repo, Some(dir)));
                }
                Err(reason) => {
                    // A repository that could not be cloned may still have readable
                    // discussions, and a Space its variables.
                    if plan.discussions || repo.kind == RepoKind::Space {
                        let _ = work.send((repo.clone(), None));
                    } else {
                        scanned.fetch_add(1, Ordering::Relaxed);
                    }
                    failed.lock().unwrap().push(format!(
                        "{}: could not be cloned ({reason}); its files were not scanned",
                        repo.display()
                    ));
                }
            }
        });
        drop(work);
        shared
            .lock()
            .unwrap()
            .1
            .extend(failed.into_inner().unwrap());
    });
    let (scanned_total, mut warnings) = shared.into_inner().unwrap();
    total = scanned_total;
    let lfs_skipped = lfs_skipped.into_inner().unwrap();
    if plan.jobs {
        for author in &plan.authors {
            let source = crate::hub::account::JobsSource {
                client,
                token: plan.token.as_ref(),
                namespace: author,
            };
            let mut result = scan(vec![Box::new(source)], format!("the jobs of {author}"));
            for finding in &mut result.findings {
                place_job(finding, author, client);
            }
            result.stats.warnings = result
                .stats
                .warnings
                .into_iter()
                .map(|warning| format!("jobs/{author}: {warning}"))
                .collect();
            result.stats.incomplete |= !result.stats.warnings.is_empty();
            total.findings.append(&mut result.findings);
            total.stats.absorb(result.stats);
        }
    }
    let unreadable = variables_unreadable.into_inner();
    if unreadable > 0 {
        // Reading variables needs write access to the Space: not having it is expected.
        total.stats.notices.push(format!(
            "the variables of {} could not be read with this token (401/403): not scanned",
            crate::collector::plural(unreadable, "Space")
        ));
    }
    if lfs_skipped.0 > 0 {
        // The limit is the user's choice: a notice, not an incomplete scan.
        total.stats.notices.push(format!(
            "not fetched, larger than --max-lfs-size ({}): {}, {} in all",
            crate::collector::human_bytes(plan.max_lfs_size),
            crate::collector::plural(lfs_skipped.0, "LFS object"),
            crate::collector::human_bytes(lfs_skipped.1)
        ));
    }
    if !warnings.is_empty() {
        total.stats.incomplete = true;
        warnings.sort();
        warnings.append(&mut total.stats.warnings);
        total.stats.warnings = warnings;
    }
    // Repositories finish in any order: the warnings read in the order of their names.
    total.stats.warnings.sort();
    total
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    total
}

/// Names the finding's repository, makes its path the Hub's (`spaces/alice/demo/app.py`),
/// and links it: the file at the commit and line, the commit, or the discussion.
fn place(finding: &mut Finding, repo: &HubRepo, client: &HubClient) {
    let display = repo.display();
    let inner = finding.location.path.clone().unwrap_or_default();
    let url = match (&finding.source, &finding.commit) {
        (SourceKind::Discussion, _) => client.endpoint.join(&inner).to_string(),
        (SourceKind::Bucket, _) => {
            crate::hub::buckets::file_url(client, &repo.id, &inner).to_string()
        }
        (SourceKind::SpaceVariable, _) => client
            .endpoint
            .join(&format!("{display}/settings"))
            .to_string(),
        (SourceKind::History, Some(commit)) => {
            // The file's path comes from the repository: each part is a path segment,
            // percent-encoded, so `#` and `?` stay in the link's path instead of changing it.
            let mut url = client
                .endpoint
                .join(&format!("{display}/blob/{}/", commit.id));
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.pop_if_empty().extend(inner.split('/'));
            }
            if let (Some(line), None) = (finding.location.line, &finding.location.member) {
                url.set_fragment(Some(&format!("L{line}")));
            }
            url.to_string()
        }
        (_, Some(commit)) => client
            .endpoint
            .join(&format!("{display}/commit/{}", commit.id))
            .to_string(),
        _ => client.endpoint.join(&display).to_string(),
    };
    if finding.source != SourceKind::Discussion {
        let path = if inner.is_empty() {
            display.clone()
        } else {
            format!("{display}/{inner}")
        };
        finding.location.path = Some(path.clone());
        finding.location.repo_path = Some(path);
    }
    finding.hub = Some(HubPlace {
        kind: repo.kind.name().to_string(),
        id: repo.id.clone(),
        url,
    });
}

/// Names a Job finding's place: `jobs/{namespace}/{id}` (or `…/scheduled/{id}`), linked to
/// the job's page.
fn place_job(finding: &mut Finding, namespace: &str, client: &HubClient) {
    let inner = finding.location.path.clone().unwrap_or_default();
    let path = format!("jobs/{namespace}/{inner}");
    let id = inner.rsplit('/').next().unwrap_or_default();
    finding.hub = Some(HubPlace {
        kind: "job".into(),
        id: format!("{namespace}/{id}"),
        url: client
            .endpoint
            .join(&format!("jobs/{namespace}/{id}"))
            .to_string(),
    });
    finding.location.path = Some(path.clone());
    finding.location.repo_path = Some(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_escape_the_cache_or_the_url_are_refused() {
        for good in ["alice/model", "acme-ml/bert.v2", "gpt2", "a/b_c-d.e"] {
            assert!(valid_id(good), "{good}");
        }
        for bad in [
            "",
            "../etc",
            "alice/..",
            "alice/.git",
            "/abs",
            "a/b/c",
            "alice/m?x=1",
            "alice/m#f",
            "alice/m d",
            "alice\\m",
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn links_keep_odd_file_names_in_their_path() {
        let endpoint = crate::hub::client::Endpoint::parse(
            "https://hf.example",
            crate::hub::client::EndpointOrigin::Flag,
        )
        .unwrap();
        let transport = crate::hub::client::Transport::new(std::time::Duration::from_secs(1));
        let client = HubClient::new(
            endpoint,
            &transport,
            crate::hub::client::Pacer::new(std::time::Duration::from_secs(1), false),
        )
        .unwrap();
        let mut finding = Finding {
            rule_id: "hf-user-access-token".into(),
            rule_name: String::new(),
            severity: crate::finding::Severity::High,
            secret: Secret::new("hf_x".into(), 3),
            source: SourceKind::History,
            location: crate::finding::Location {
                path: Some("dir/a#b?c/../x.py".into()),
                repo_path: None,
                member: None,
                cell: None,
                line: Some(3),
                column: None,
                end_column: None,
                offset: 0,
            },
            encoding: crate::finding::Encoding::Plain,
            commit: None,
            tag: None,
            in_head: None,
            suppression: None,
            verification: None,
            hub: None,
        };
        finding.commit = Some(crate::finding::CommitInfo {
            id: "abc".into(),
            author_name: String::new(),
            author_email: String::new(),
            date: String::new(),
            summary: String::new(),
            introduced: crate::finding::Introduced::At,
        });
        let repo = HubRepo {
            kind: RepoKind::Space,
            id: "alice/demo".into(),
        };
        place(&mut finding, &repo, &client);
        // `#` and `?` stay in the path; a `..` (git refuses such paths) cannot leave the blob.
        assert_eq!(
            finding.hub.unwrap().url,
            "https://hf.example/spaces/alice/demo/blob/abc/dir/a%23b%3Fc/x.py#L3"
        );
        assert_eq!(
            finding.location.path.as_deref(),
            Some("spaces/alice/demo/dir/a#b?c/../x.py")
        );
    }

    #[test]
    fn shards_are_checked() {
        assert_eq!(parse_shard("2/8"), Ok((2, 8)));
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        for bad in ["0/4", "5/4", "x/4", "4", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn git_failures_name_the_http_status() {
        assert!(git_failure(
            "fatal: unable to access 'http://h/spaces/a/b/': The requested URL returned error: 403"
        )
        .contains("403: gated"));
        assert_eq!(
            git_failure("fatal: repository 'x' not found\n"),
            "fatal: repository 'x' not found"
        );
    }
}

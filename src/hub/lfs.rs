//! LFS content for `hf-scan hub`: in git, a large file (`training_args.bin`, weights, a
//! notebook someone tracked with LFS) is a small pointer; the bytes that may hold a token live
//! in the LFS store. This finds every distinct pointer in a mirror's history, at the commit that
//! introduced it, fetches the objects up to `--max-lfs-size` through the LFS batch API, checks
//! each against its SHA-256, and hands them to the content layer like any file.
//!
//! The token goes with the batch request and with a download on the endpoint's own origin; a
//! download elsewhere (the Hub's CDN, by `href` or by redirect) goes without it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::{hex_sha256, CommitInfo, Secret, SourceKind};
use crate::hub::audit::HubRepo;
use crate::hub::client::{download, HubClient};
use crate::source::{ScanContext, Source};

/// Objects asked for per batch request.
const BATCH: usize = 100;
const POINTER_HEADER: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";

/// One LFS object, where it first appeared.
#[derive(Debug, Clone)]
pub struct Pointer {
    /// Lowercase hex SHA-256 of the content.
    pub oid: String,
    pub size: u64,
    pub path: String,
    pub commit: CommitInfo,
}

/// `oid` and `size` of an LFS pointer file, if `bytes` is one.
pub fn parse_pointer(bytes: &[u8]) -> Option<(String, u64)> {
    if bytes.len() > 1024 || !bytes.starts_with(POINTER_HEADER) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut oid = None;
    let mut size = None;
    for line in text.lines() {
        if let Some(hex) = line.strip_prefix("oid sha256:") {
            if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                oid = Some(hex.to_ascii_lowercase());
            }
        } else if let Some(value) = line.strip_prefix("size ") {
            size = value.trim().parse().ok();
        }
    }
    Some((oid?, size?))
}

/// Every distinct LFS pointer in the mirror at `gitdir`, each at the oldest commit that adds
/// it (`git log --all --topo-order --reverse --raw`, read as it streams: a long history costs
/// no more memory than one entry).
pub fn pointers(gitdir: &Path) -> Result<Vec<Pointer>, String> {
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(gitdir)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--all",
            "--topo-order",
            "--reverse",
            "--format=%H",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "-z",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|err| format!("running git log: {err}"))?;
    let mut log = std::io::BufReader::new(child.stdout.take().expect("piped"));
    let found = read_pointers(gitdir, &mut log);
    // Closing the pipe first: a reader that stopped early must not leave git blocked on it.
    drop(log);
    let status = child.wait().map_err(|err| format!("git log: {err}"))?;
    if !status.success() {
        return Err("git log failed on the mirror".into());
    }
    found
}

/// The pointers in `git log -z --raw` output, as `pointers` describes.
fn read_pointers(gitdir: &Path, log: &mut impl std::io::BufRead) -> Result<Vec<Pointer>, String> {
    let repo = git2::Repository::open_bare(gitdir).map_err(|err| err.message().to_string())?;
    let odb = repo.odb().map_err(|err| err.message().to_string())?;
    let mut seen_blobs = HashSet::new();
    let mut seen_oids = HashSet::new();
    let mut found = Vec::new();
    let mut commit: Option<git2::Oid> = None;
    // With -z: a commit line is `HASH\n` (then maybe `\0`-separated raw entries); each raw
    // entry is `:modes shas status\0path\0`.
    let mut next_field = |buffer: &mut Vec<u8>| -> bool {
        buffer.clear();
        matches!(log.read_until(0, buffer), Ok(read) if read > 0) && {
            if buffer.last() == Some(&0) {
                buffer.pop();
            }
            true
        }
    };
    let (mut raw, mut path) = (Vec::new(), Vec::new());
    while next_field(&mut raw) {
        let mut field = trim_newlines(&raw);
        if field.is_empty() {
            continue;
        }
        if field.first() != Some(&b':') {
            // `HASH`, or `HASH\n\n:meta` when the commit's first entry follows it.
            let (hash, rest) = match field.iter().position(|&b| b == b'\n') {
                Some(at) => (&field[..at], trim_newlines(&field[at..])),
                None => (field, &[][..]),
            };
            commit = git2::Oid::from_str(&String::from_utf8_lossy(hash)).ok();
            if rest.first() != Some(&b':') {
                continue;
            }
            field = rest;
        }
        let meta = String::from_utf8_lossy(field).into_owned();
        if !next_field(&mut path) {
            break;
        }
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (Some(new_mode), Some(new_blob), Some(status)) =
            (parts.get(1), parts.get(3), parts.get(4))
        else {
            continue;
        };
        if !matches!(*status, "A" | "M") || !new_mode.starts_with("100") {
            continue;
        }
        let Ok(blob) = git2::Oid::from_str(new_blob) else {
            continue;
        };
        if !seen_blobs.insert(blob) {
            continue;
        }
        let small = odb
            .read_header(blob)
            .is_ok_and(|(size, kind)| kind == git2::ObjectType::Blob && size <= 1024);
        if !small {
            continue;
        }
        let Ok(object) = odb.read(blob) else { continue };
        let Some((oid, size)) = parse_pointer(object.data()) else {
            continue;
        };
        let Some(commit) = commit else { continue };
        if seen_oids.insert(oid.clone()) {
            found.push(Pointer {
                oid,
                size,
                path: String::from_utf8_lossy(&path).into_owned(),
                commit: crate::source::git::commit_info(&repo, commit, &HashSet::new()),
            });
        }
    }
    Ok(found)
}

fn trim_newlines(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b'\n')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    objects: Vec<BatchObject>,
}

#[derive(Deserialize)]
struct BatchObject {
    oid: String,
    actions: Option<BatchActions>,
    error: Option<BatchError>,
}

#[derive(Deserialize)]
struct BatchActions {
    download: Option<BatchAction>,
}

#[derive(Deserialize)]
struct BatchAction {
    href: String,
    #[serde(default)]
    header: HashMap<String, String>,
}

#[derive(Deserialize)]
struct BatchError {
    code: Option<u16>,
    message: Option<String>,
}

/// Fetches each object of `pointers` (all of at most the size limit: the caller leaves out
/// the larger ones) and hands it to `on_object` before fetching the next, so one object at a
/// time is in memory. What could not be fetched goes to `on_warning`.
pub fn fetch_each(
    client: &HubClient,
    token: Option<&Secret>,
    repo: &HubRepo,
    pointers: &[Pointer],
    mut on_object: impl FnMut(&Pointer, Vec<u8>),
    mut on_warning: impl FnMut(String),
) {
    let batch_url = client
        .endpoint
        .join(&format!("{}.git/info/lfs/objects/batch", repo.display()));
    for batch in pointers.chunks(BATCH) {
        let objects: Vec<_> = batch
            .iter()
            .map(|p| serde_json::json!({"oid": p.oid, "size": p.size}))
            .collect();
        let mut post = client
            .post(batch_url.clone())
            .header("Accept", "application/vnd.git-lfs+json")
            .header("Content-Type", "application/vnd.git-lfs+json")
            .body(
                serde_json::json!({"operation": "download", "transfers": ["basic"],
                    "objects": objects})
                .to_string(),
            );
        if let Some(token) = token {
            post = post.bearer_auth(token.expose());
        }
        let answer = post
            .send()
            .map_err(|err| crate::hub::client::describe_error(&err))
            .and_then(|response| {
                if response.status().is_success() {
                    crate::hub::client::read_body(response)
                } else {
                    Err(format!("HTTP {}", response.status().as_u16()))
                }
            })
            .and_then(|body| {
                serde_json::from_slice::<BatchAnswer>(&body)
                    .map_err(|_| "an answer that is not the LFS batch format".to_string())
            });
        let answer = match answer {
            Ok(answer) => answer,
            Err(reason) => {
                on_warning(format!("the LFS batch request failed ({reason})"));
                continue;
            }
        };
        for object in answer.objects {
            let Some(pointer) = batch.iter().find(|p| p.oid == object.oid) else {
                continue;
            };
            if let Some(error) = object.error {
                on_warning(format!(
                    "LFS object of {} not available ({} {})",
                    pointer.path,
                    error.code.unwrap_or(0),
                    crate::sanitize::for_display(&error.message.unwrap_or_default())
                ));
                continue;
            }
            let Some(action) = object.actions.and_then(|a| a.download) else {
                continue;
            };
            let url = match reqwest::Url::parse(&action.href) {
                Ok(url) => url,
                Err(_) => {
                    on_warning(format!("the LFS object of {} has a bad href", pointer.path));
                    continue;
                }
            };
            match download(client, token, url, &action.header, pointer.size) {
                Ok(bytes) if hex_sha256(&bytes) == pointer.oid => on_object(pointer, bytes),
                Ok(_) => on_warning(format!(
                    "the LFS object of {} does not match its SHA-256; not scanned",
                    pointer.path
                )),
                Err(reason) => on_warning(format!(
                    "the LFS object of {} could not be downloaded ({reason})",
                    pointer.path
                )),
            }
        }
    }
}

/// A repository's LFS objects as a source: each is downloaded, checked and scanned like the
/// file its pointer stands for, at the commit that introduced the pointer, then dropped.
pub struct LfsSource<'a> {
    pub client: &'a HubClient,
    pub token: Option<&'a Secret>,
    pub repo: &'a HubRepo,
    pub pointers: Vec<Pointer>,
}

impl Source for LfsSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let sink = std::cell::RefCell::new(EventSink::new(events));
        let mut scanner = context.scanner();
        fetch_each(
            self.client,
            self.token,
            self.repo,
            &self.pointers,
            |pointer, bytes| {
                let scanned = scanner.scan_bytes(&bytes);
                sink.borrow_mut().send(Event::Content {
                    origin: Origin {
                        source: SourceKind::History,
                        path: Some(pointer.path.clone()),
                        repo_path: Some(pointer.path.clone()),
                        commit: Some(pointer.commit.clone()),
                        tag: None,
                        in_head: None,
                    },
                    scanned,
                });
            },
            |warning| sink.borrow_mut().send(Event::Warning(warning)),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_recognised_and_nothing_else() {
        let oid = "a".repeat(64);
        let pointer =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 1234\n");
        assert_eq!(parse_pointer(pointer.as_bytes()), Some((oid, 1234)));
        assert_eq!(
            parse_pointer(b"version https://git-lfs.github.com/spec/v1\noid sha256:zz\nsize 1\n"),
            None
        );
        assert_eq!(parse_pointer(b"just a file\n"), None);
    }
}

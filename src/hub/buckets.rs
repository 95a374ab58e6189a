//! Storage Buckets for `hf-scan hub`: a bucket is a namespace's file store with no git and no
//! history (checkpoints, logs, exported datasets), so its files are scanned as they are now.
//!
//! As the Hub's own client does: the buckets of a namespace from `GET /api/buckets/{ns}`, a
//! bucket's files from `GET /api/buckets/{id}/tree?recursive=true` (both paginated with
//! `Link: rel="next"`, on the endpoint's origin only), and each file read over plain HTTPS
//! from `{endpoint}/buckets/{id}/resolve/{path}` as `HfFileSystem` reads one: the token goes
//! to the endpoint, a redirect to the storage host is followed without it
//! (`client::download`). Files larger than `--max-lfs-size` are counted in a notice, as LFS
//! objects are. Each file is handed to the content layer like a file on disk.

use serde::Deserialize;

use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::{Secret, SourceKind};
use crate::hub::client::{download, list_pages, HubClient};
use crate::source::{ScanContext, Source};

/// Entries a listing page may hold: the Hub chooses its tree pages' size, so this only bounds
/// what one page can make hf-scan hold.
const MAX_PAGE: usize = 10_000;
/// Files listed per bucket at most (the listing stops there with a warning).
const MAX_FILES: usize = 1_000_000;

#[derive(Deserialize)]
struct ListedBucket {
    id: Option<String>,
}

/// The ids of `namespace`'s buckets (as the token may see them). `Err` says why the listing
/// stopped; the ids listed before it are kept in `ids`.
pub fn list(
    client: &HubClient,
    token: Option<&Secret>,
    namespace: &str,
    ids: &mut Vec<String>,
) -> Result<(), String> {
    let mut url = client.endpoint.join("api/buckets/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(namespace);
    }
    list_pages::<ListedBucket>(
        client,
        url,
        MAX_PAGE,
        token,
        || Ok(()),
        |items| ids.extend(items.into_iter().filter_map(|item| item.id)),
    )
}

#[derive(Deserialize)]
struct TreeEntry {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    #[serde(default)]
    size: u64,
}

/// One file of a bucket, as the tree listing gave it.
#[derive(Debug, Clone)]
pub struct BucketFile {
    pub path: String,
    pub size: u64,
}

/// Whether a path the Hub listed is one hf-scan will put in a URL and a report: relative,
/// no empty, `.` or `..` part, no control characters.
fn usable_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 4096
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Every file of bucket `id`, recursively. Paths hf-scan does not use are counted in
/// `unusable`.
pub fn files(
    client: &HubClient,
    token: Option<&Secret>,
    id: &str,
    unusable: &mut u64,
) -> Result<Vec<BucketFile>, String> {
    let mut url = client.endpoint.join("api/buckets/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().extend(id.split('/')).push("tree");
    }
    url.query_pairs_mut().append_pair("recursive", "true");
    let mut files = Vec::new();
    let full = std::cell::Cell::new(false);
    list_pages::<TreeEntry>(
        client,
        url,
        MAX_PAGE,
        token,
        || match full.get() {
            true => Err(format!("stopped after {MAX_FILES} files")),
            false => Ok(()),
        },
        |entries| {
            for entry in entries.into_iter().filter(|entry| entry.kind == "file") {
                if !usable_path(&entry.path) {
                    *unusable += 1;
                } else if files.len() < MAX_FILES {
                    files.push(BucketFile {
                        path: entry.path,
                        size: entry.size,
                    });
                } else {
                    full.set(true);
                }
            }
        },
    )?;
    Ok(files)
}

/// Where a bucket file is read: `{endpoint}/buckets/{id}/resolve/{path}`, each part of the
/// path its own percent-encoded segment. Also the link reports give.
pub fn file_url(client: &HubClient, id: &str, path: &str) -> reqwest::Url {
    let mut url = client.endpoint.join("buckets/");
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .extend(id.split('/'))
            .push("resolve")
            .extend(path.split('/'));
    }
    url
}

/// One bucket as a source: its files listed, each up to `max_size` read and scanned (one in
/// memory at a time), the larger ones counted in a notice.
pub struct BucketSource<'a> {
    pub client: &'a HubClient,
    pub token: Option<&'a Secret>,
    pub id: &'a str,
    pub max_size: u64,
}

impl Source for BucketSource<'_> {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        let mut sink = EventSink::new(events);
        let mut unusable = 0;
        let files = match files(self.client, self.token, self.id, &mut unusable) {
            Ok(files) => files,
            Err(reason) => {
                sink.send(Event::Warning(format!(
                    "its files could not be listed ({reason}); none was scanned"
                )));
                return Ok(());
            }
        };
        if unusable > 0 {
            sink.send(Event::Warning(format!(
                "the Hub listed {} with a path hf-scan does not use; not scanned",
                crate::collector::plural(unusable, "file")
            )));
        }
        let (files, too_large): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|file| file.size <= self.max_size);
        if !too_large.is_empty() {
            sink.send(Event::Notice(format!(
                "not fetched, larger than --max-lfs-size ({}): {}, {} in all",
                crate::collector::human_bytes(self.max_size),
                crate::collector::plural(too_large.len() as u64, "bucket file"),
                crate::collector::human_bytes(too_large.iter().map(|file| file.size).sum())
            )));
        }
        let mut scanner = context.scanner();
        let no_headers = std::collections::HashMap::new();
        for file in files {
            let url = file_url(self.client, self.id, &file.path);
            // The listing's size bounds the read; a file that grew since is read to the limit.
            match download(self.client, self.token, url, &no_headers, self.max_size) {
                Ok(bytes) => sink.send(Event::Content {
                    origin: Origin::file(
                        SourceKind::Bucket,
                        Some(file.path.clone()),
                        Some(file.path),
                    ),
                    scanned: scanner.scan_bytes(&bytes),
                }),
                Err(reason) => sink.send(Event::Warning(format!(
                    "{}: could not be read ({reason})",
                    crate::sanitize::for_display(&file.path)
                ))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_bucket_are_refused() {
        for good in ["a.txt", "logs/run 1/out.log", "x/.env"] {
            assert!(usable_path(good), "{good}");
        }
        for bad in ["", "/abs", "a//b", "../x", "a/./b", "a/\u{1b}[2J"] {
            assert!(!usable_path(bad), "{bad:?}");
        }
    }
}

//! The verification cache: what the Hub said about a token, so a CI job that runs on every
//! push does not ask whoami again each time (the Hub rate-limits it strictly).
//!
//! - Keyed by the token's SHA-256, never the token; one file per endpoint, so a mirror's answer
//!   never stands for the Hub's.
//! - `invalid` is kept for good: a revoked token never works again. `valid` is kept for
//!   `VALID_TTL` only, since it may be revoked any minute. `unknown` is never kept.
//! - The file is the user's (`$XDG_CACHE_HOME/hf-scan`, else `~/.cache/hf-scan`), mode 0600 in
//!   a 0700 directory, replaced atomically; a file that cannot be read is ignored (and
//!   rewritten), never trusted in part.
//! - Only scans use it; `hf-scan verify` is incident response and always asks the Hub.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::finding::Verification;

/// How long a `valid` answer is reused.
pub const VALID_TTL: Duration = Duration::from_secs(15 * 60);
/// The most entries kept; the oldest go first.
const MAX_ENTRIES: usize = 100_000;
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    endpoint: String,
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    /// Seconds since the Unix epoch.
    checked_at: u64,
    verification: Verification,
}

pub struct VerifyCache {
    file: PathBuf,
    endpoint: String,
    entries: BTreeMap<String, Entry>,
    changed: bool,
    /// Why an existing file was not used, if it was not.
    pub problem: Option<String>,
}

/// The user's cache directory for hf-scan, if the environment names one.
pub fn default_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|home| home.join("Library/Caches"))
    } else {
        env("XDG_CACHE_HOME")
            .filter(|dir| dir.is_absolute())
            .or_else(|| env("HOME").map(|home| home.join(".cache")))
    }?;
    Some(base.join("hf-scan"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl VerifyCache {
    /// Loads the cache for `endpoint` from `dir` (empty if there is none yet).
    pub fn open(dir: &Path, endpoint: &str) -> Self {
        let key = crate::finding::hex_sha256(endpoint.as_bytes());
        let file = dir.join(format!("verify-{}.json", &key[..16]));
        let mut cache = Self {
            file,
            endpoint: endpoint.to_string(),
            entries: BTreeMap::new(),
            changed: false,
            problem: None,
        };
        match crate::files::read_bounded(&cache.file, crate::files::DATA_LIMIT) {
            Ok(text) => match serde_json::from_str::<CacheFile>(&text) {
                Ok(stored) if stored.version == VERSION && stored.endpoint == endpoint => {
                    cache.entries = stored.entries;
                }
                Ok(_) => cache.changed = true,
                Err(_) => {
                    cache.problem = Some(format!(
                        "the verification cache {} could not be read; it is ignored and \
                         rewritten",
                        cache.file.display()
                    ));
                    cache.changed = true;
                }
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                cache.problem = Some(format!(
                    "the verification cache {} could not be read ({err}); it is ignored",
                    cache.file.display()
                ));
            }
        }
        cache
    }

    /// The stored answer for a token's hash, if it is still good.
    pub fn get(&self, hash: &str) -> Option<Verification> {
        self.get_at(hash, now())
    }

    fn get_at(&self, hash: &str, now: u64) -> Option<Verification> {
        let entry = self.entries.get(hash)?;
        match &entry.verification {
            Verification::Invalid { .. } => Some(entry.verification.clone()),
            Verification::Valid(_)
                if now.saturating_sub(entry.checked_at) < VALID_TTL.as_secs()
                    && entry.checked_at <= now =>
            {
                Some(entry.verification.clone())
            }
            _ => None,
        }
    }

    /// Remembers a fresh answer (`unknown` is not remembered).
    pub fn put(&mut self, hash: &str, verification: &Verification) {
        self.put_at(hash, verification, now());
    }

    fn put_at(&mut self, hash: &str, verification: &Verification, now: u64) {
        if matches!(verification, Verification::Unknown { .. }) {
            return;
        }
        self.entries.insert(
            hash.to_string(),
            Entry {
                checked_at: now,
                verification: verification.clone(),
            },
        );
        self.changed = true;
    }

    /// Writes the cache back if anything changed: expired `valid` entries dropped, a temporary
    /// file created 0600 next to it, then renamed over it.
    pub fn save(mut self) -> anyhow::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let now = now();
        self.entries.retain(|_, entry| match entry.verification {
            Verification::Valid(_) => now.saturating_sub(entry.checked_at) < VALID_TTL.as_secs(),
            _ => true,
        });
        if self.entries.len() > MAX_ENTRIES {
            let mut ages: Vec<u64> = self.entries.values().map(|e| e.checked_at).collect();
            ages.sort_unstable_by(|a, b| b.cmp(a));
            let oldest_kept = ages[MAX_ENTRIES - 1];
            self.entries
                .retain(|_, entry| entry.checked_at >= oldest_kept);
        }
        let dir = self
            .file
            .parent()
            .context("the cache file has a directory")?;
        create_private_dir(dir)
            .with_context(|| format!("creating the cache directory {}", dir.display()))?;
        let text = serde_json::to_string(&CacheFile {
            version: VERSION,
            endpoint: self.endpoint,
            entries: self.entries,
        })?;
        let temporary = self
            .file
            .with_extension(format!("json.{}.tmp", std::process::id()));
        let written = create_private_file(&temporary)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
            })
            .and_then(|()| std::fs::rename(&temporary, &self.file));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.with_context(|| format!("writing the verification cache {}", self.file.display()))
    }

    #[cfg(test)]
    fn path(&self) -> &Path {
        &self.file
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Identity;

    #[test]
    fn invalid_is_kept_for_good_valid_for_a_while_unknown_never() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = VerifyCache::open(dir.path(), "https://huggingface.co");
        let valid = Verification::Valid(Box::new(Identity {
            user: Some("alice".into()),
            ..Identity::default()
        }));
        let invalid = Verification::Invalid {
            reason: "revoked".into(),
        };
        let unknown = Verification::Unknown {
            reason: "429".into(),
        };
        let then = 1_000_000;
        cache.put_at("v", &valid, then);
        cache.put_at("i", &invalid, then);
        cache.put_at("u", &unknown, then);
        assert_eq!(cache.get_at("v", then + 60), Some(valid.clone()));
        assert_eq!(cache.get_at("v", then + VALID_TTL.as_secs()), None);
        assert_eq!(cache.get_at("i", then + 10 * 365 * 86400), Some(invalid));
        assert_eq!(cache.get_at("u", then), None);
        assert_eq!(cache.get_at("v", then - 10), None, "a clock that went back");
    }

    #[test]
    fn saved_privately_and_read_back_per_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("nested/hf-scan");
        let mut cache = VerifyCache::open(&cache_dir, "https://huggingface.co");
        let invalid = Verification::Invalid {
            reason: "revoked".into(),
        };
        cache.put("0123", &invalid);
        let path = cache.path().to_path_buf();
        cache.save().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&cache_dir), 0o700);
        }
        let reopened = VerifyCache::open(&cache_dir, "https://huggingface.co");
        assert_eq!(reopened.get("0123"), Some(invalid));
        let mirror = VerifyCache::open(&cache_dir, "https://mirror.example");
        assert_eq!(
            mirror.get("0123"),
            None,
            "another endpoint has its own answers"
        );

        std::fs::write(&path, "{not json").unwrap();
        let broken = VerifyCache::open(&cache_dir, "https://huggingface.co");
        assert!(broken.problem.is_some());
        assert_eq!(broken.get("0123"), None);
    }
}

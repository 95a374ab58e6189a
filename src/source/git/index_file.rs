//! The paths of the regular files git's index tracks, read straight from the index file.
//!
//! A working-tree scan needs only this list, and only when ignore rules hid something (a
//! tracked file a `.gitignore` matches is committed content all the same). libgit2 builds a
//! whole index for it: every entry allocated, its path validated, hashed into a map, and the
//! file's SHA-1 checked with collision detection — 2.6 to 4 ms for the 2,849 entries of the
//! diffusers checkout, serially after the walk. Reading the entries in place costs a tenth of
//! that.
//!
//! Versions 2, 3 and 4 (prefix-compressed paths) are read; SHA-1 and SHA-256 object ids. The
//! trailing checksum is not verified: git itself writes none with `index.skipHash`, and a
//! damaged entry table is caught by its bounds. A split index (the `link` extension: most
//! entries live in a shared file) or an extension git requires its readers to understand and
//! this reader does not is an error, and the caller warns — never a shorter list.

use std::fmt;

use super::pack::offset_varint;

/// Why the index could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum IndexError {
    /// Not an index file, or one cut short or inconsistent.
    Malformed(&'static str),
    /// A version or a required extension this reader does not know.
    Unsupported(String),
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexError::Malformed(what) => write!(f, "malformed index: {what}"),
            IndexError::Unsupported(what) => write!(f, "unsupported index: {what}"),
        }
    }
}

/// The fixed part of an entry before the object id: ctime, mtime, dev, ino, mode, uid, gid,
/// size, each 4 bytes (the times 8).
const STAT_BYTES: usize = 40;
/// Where the mode sits within the fixed part.
const MODE_AT: usize = 24;
/// Flags: the entry has a second flags word (version 3 and later).
const EXTENDED: u16 = 0x4000;

/// The paths (`/`-separated, as git stores them) of the regular and executable files in
/// `index` under `prefix` (a directory ending in `/`, or empty for the top), with the prefix
/// taken off, in git's order (bytewise), each once. `hash_len` is the repository's object id
/// length: 20 for SHA-1, 32 for SHA-256.
pub fn tracked_files(
    index: &[u8],
    hash_len: usize,
    prefix: &str,
) -> Result<Vec<String>, IndexError> {
    let mut reader = Reader {
        bytes: index,
        at: 0,
    };
    if reader.take(4)? != b"DIRC" {
        return Err(IndexError::Malformed("no DIRC signature"));
    }
    let version = reader.u32()?;
    if !(2..=4).contains(&version) {
        return Err(IndexError::Unsupported(format!("version {version}")));
    }
    let count = reader.u32()? as usize;
    // An entry takes at least 62 bytes in versions 2 and 3, and a dozen in 4: a count the file
    // cannot hold is refused before anything is reserved for it.
    if count > index.len() / 12 {
        return Err(IndexError::Malformed("more entries than the file can hold"));
    }
    let mut tracked: Vec<String> = Vec::new();
    let mut path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = reader.at;
        let stat = reader.take(STAT_BYTES)?;
        let mode = u32::from_be_bytes([
            stat[MODE_AT],
            stat[MODE_AT + 1],
            stat[MODE_AT + 2],
            stat[MODE_AT + 3],
        ]);
        reader.take(hash_len)?;
        let flags = reader.u16()?;
        if flags & EXTENDED != 0 {
            if version < 3 {
                return Err(IndexError::Malformed("extended flags in a version-2 index"));
            }
            reader.u16()?;
        }
        if version == 4 {
            let strip = reader.varint()?;
            let kept = path.len().checked_sub(strip).ok_or(IndexError::Malformed(
                "a path prefix longer than the last path",
            ))?;
            path.truncate(kept);
            path.extend_from_slice(reader.until_nul()?);
        } else {
            path.clear();
            path.extend_from_slice(reader.until_nul()?);
            // Padded with NULs to a multiple of 8 bytes, the terminating NUL among them.
            let length = reader.at - start;
            let padded = (length + 7) & !7;
            reader.take(padded - length)?;
        }
        // Regular and executable files; not links (0o120000), submodules (0o160000) or the
        // directories of a sparse index (0o040000).
        if mode & 0o170000 != 0o100000 {
            continue;
        }
        let Some(relative) = path.strip_prefix(prefix.as_bytes()) else {
            continue;
        };
        // A conflicted path has an entry per stage, one after another.
        let relative = String::from_utf8_lossy(relative);
        if tracked.last().map(String::as_str) != Some(&relative) {
            tracked.push(relative.into_owned());
        }
    }
    check_extensions(&mut reader, hash_len)?;
    Ok(tracked)
}

/// Walks the extensions after the entries: a split index (`link`) or an unknown required one
/// (a lowercase first letter) means the entries read are not the whole index.
fn check_extensions(reader: &mut Reader, hash_len: usize) -> Result<(), IndexError> {
    while reader.remaining() > hash_len {
        let signature = reader.take(4)?;
        let size = reader.u32()? as usize;
        reader.take(size)?;
        match signature {
            // Cache tree, resolve undo, untracked cache, fsmonitor, end of entries, index
            // entry offsets: none changes the entries; a sparse index's directories are
            // entries of their own, skipped above, whose files are not checked out.
            b"TREE" | b"REUC" | b"UNTR" | b"FSMN" | b"EOIE" | b"IEOT" | b"sdir" => {}
            b"link" => {
                return Err(IndexError::Unsupported(
                    "a split index (core.splitIndex)".into(),
                ))
            }
            other if other[0].is_ascii_lowercase() => {
                return Err(IndexError::Unsupported(format!(
                    "the required extension {:?}",
                    String::from_utf8_lossy(other)
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

/// A bounds-checked cursor over the index bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(IndexError::Malformed("cut short"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u16(&mut self) -> Result<u16, IndexError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, IndexError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A path: the bytes up to a NUL, which is consumed.
    fn until_nul(&mut self) -> Result<&'a [u8], IndexError> {
        let rest = &self.bytes[self.at..];
        let end = memchr::memchr(0, rest).ok_or(IndexError::Malformed("a path without its end"))?;
        self.at += end + 1;
        Ok(&rest[..end])
    }

    /// A version-4 entry's prefix length: git's offset varint.
    fn varint(&mut self) -> Result<usize, IndexError> {
        let (value, used) = offset_varint(&self.bytes[self.at..]).ok_or(IndexError::Malformed(
            "a path prefix length cut short or overflowing",
        ))?;
        self.at += used;
        usize::try_from(value).map_err(|_| IndexError::Malformed("a path prefix length overflows"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::engine_tests::git;
    use super::*;
    use std::path::Path;
    use std::process::Command;

    const AUTHOR: [&str; 4] = ["-c", "user.name=t", "-c", "user.email=t@example.com"];

    /// A repository with files at several depths, an executable, a link, an ignored file
    /// force-added and a conflicted path, written by git in the index `version` (in version
    /// 3, one entry marked skip-worktree).
    fn repository(version: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["config", "index.version", version]);
        std::fs::create_dir_all(root.join("src/deep/er")).unwrap();
        for file in [
            "a.txt",
            "src/b.py",
            "src/deep/er/c.rs",
            "src/deep/d.md",
            "z",
        ] {
            std::fs::write(root.join(file), file).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "*.env\n").unwrap();
        std::fs::write(root.join("secret.env"), "x").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
            let mut mode = std::fs::metadata(root.join("z")).unwrap().permissions();
            mode.set_mode(0o755);
            std::fs::set_permissions(root.join("z"), mode).unwrap();
        }
        git(root, &["add", "-A"]);
        git(root, &["add", "-f", "secret.env"]);
        git(
            root,
            &[&AUTHOR[..], &["commit", "-q", "-m", "one"]].concat(),
        );
        // A conflict: `a.txt` changed on two branches.
        git(root, &["checkout", "-q", "-b", "other"]);
        std::fs::write(root.join("a.txt"), "other").unwrap();
        git(
            root,
            &[&AUTHOR[..], &["commit", "-q", "-am", "other"]].concat(),
        );
        git(root, &["checkout", "-q", "main"]);
        std::fs::write(root.join("a.txt"), "main").unwrap();
        git(
            root,
            &[&AUTHOR[..], &["commit", "-q", "-am", "main"]].concat(),
        );
        let merge = Command::new("git")
            .args(AUTHOR)
            .args(["merge", "-q", "other"])
            .current_dir(root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(!merge.status.success(), "the merge must conflict");
        if version == "3" {
            // Git writes version 3 only when an entry needs the second flags word.
            git(root, &["update-index", "--skip-worktree", "src/b.py"]);
        }
        dir
    }

    fn read(root: &Path, prefix: &str) -> Result<Vec<String>, IndexError> {
        let bytes = std::fs::read(root.join(".git/index")).unwrap();
        tracked_files(&bytes, 20, prefix)
    }

    /// What libgit2 lists, as the walk's second pass used to ask it.
    fn libgit2_list(root: &Path, prefix: &str) -> Vec<String> {
        let repo = git2::Repository::open(root).unwrap();
        let mut paths: Vec<String> = repo
            .index()
            .unwrap()
            .iter()
            .filter(|entry| entry.mode & 0o170000 == 0o100000)
            .filter_map(|entry| {
                let path = String::from_utf8_lossy(&entry.path).into_owned();
                path.strip_prefix(prefix).map(str::to_string)
            })
            .collect();
        paths.dedup();
        paths
    }

    #[test]
    fn every_version_git_writes_lists_what_libgit2_lists() {
        for version in ["2", "3", "4"] {
            let repo = repository(version);
            let root = repo.path();
            let header = std::fs::read(root.join(".git/index")).unwrap();
            assert_eq!(
                header[7].to_string(),
                version,
                "git wrote the version asked for"
            );
            let top = read(root, "").unwrap();
            assert_eq!(
                top,
                [
                    ".gitignore",
                    "a.txt",
                    "secret.env",
                    "src/b.py",
                    "src/deep/d.md",
                    "src/deep/er/c.rs",
                    "z"
                ],
                "index version {version}"
            );
            assert_eq!(top, libgit2_list(root, ""), "index version {version}");
            let under = read(root, "src/deep/").unwrap();
            assert_eq!(under, ["d.md", "er/c.rs"], "index version {version}");
        }
    }

    #[test]
    fn sha256_repositories_have_longer_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "--object-format=sha256"]);
        std::fs::create_dir(root.join("dir")).unwrap();
        for file in ["one", "dir/two"] {
            std::fs::write(root.join(file), file).unwrap();
        }
        git(root, &["add", "-A"]);
        let bytes = std::fs::read(root.join(".git/index")).unwrap();
        assert_eq!(tracked_files(&bytes, 32, "").unwrap(), ["dir/two", "one"]);
        // Read with SHA-1's length, the entries do not line up.
        assert!(tracked_files(&bytes, 20, "") != Ok(vec!["dir/two".into(), "one".into()]));
    }

    #[test]
    fn extended_flags_of_an_intent_to_add_entry_are_skipped() {
        let repo = repository("3");
        let root = repo.path();
        std::fs::write(root.join("later.txt"), "x").unwrap();
        // `add -N` sets the intent-to-add bit in the second flags word (version 3).
        git(root, &["add", "-N", "later.txt"]);
        let paths = read(root, "").unwrap();
        assert!(paths.contains(&"later.txt".to_string()), "{paths:?}");
        assert!(paths.contains(&"z".to_string()), "{paths:?}");
    }

    #[test]
    fn a_split_index_is_an_error_not_a_shorter_list() {
        let repo = repository("2");
        let root = repo.path();
        git(root, &["merge", "--abort"]);
        git(root, &["update-index", "--split-index"]);
        std::fs::write(root.join("new.txt"), "x").unwrap();
        git(root, &["add", "new.txt"]);
        assert!(matches!(
            read(root, ""),
            Err(IndexError::Unsupported(what)) if what.contains("split")
        ));
    }

    #[test]
    fn damaged_indexes_are_errors_never_panics() {
        let repo = repository("4");
        let bytes = std::fs::read(repo.path().join(".git/index")).unwrap();
        // Every truncation, and every byte of the header and first entries flipped.
        for cut in 0..bytes.len() {
            let _ = tracked_files(&bytes[..cut], 20, "");
        }
        for at in 0..bytes.len().min(400) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xff;
            let _ = tracked_files(&damaged, 20, "");
        }
        assert_eq!(
            tracked_files(b"DIRC\0\0\0\x02\xff\xff\xff\xff", 20, ""),
            Err(IndexError::Malformed("more entries than the file can hold"))
        );
        assert_eq!(
            tracked_files(b"DIRC\0\0\0\x09\0\0\0\0", 20, ""),
            Err(IndexError::Unsupported("version 9".into()))
        );
        assert!(tracked_files(b"", 20, "").is_err());
        // A version-4 prefix longer than the previous path.
        let mut entry = b"DIRC\0\0\0\x04\0\0\0\x01".to_vec();
        entry.extend_from_slice(&[0; STAT_BYTES + 20 + 2]);
        entry.extend_from_slice(&[5, b'a', 0]);
        assert_eq!(
            tracked_files(&entry, 20, ""),
            Err(IndexError::Malformed(
                "a path prefix longer than the last path"
            ))
        );
    }
}

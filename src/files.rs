//! Files hf-scan reads as input (configs, rules, baselines, event payloads) and files it
//! writes (reports, baselines, GitHub step outputs), opened so that a hostile checkout cannot
//! turn them against the user.
//!
//! Reading: a FIFO named `.hf-scan.toml` would block `open` forever, and `/dev/zero` or a huge
//! file would exhaust memory. So inputs are opened without blocking, must be regular files, and
//! are read up to a size cap; anything else is a clear error.
//!
//! Writing: a checkout can plant a symbolic link where a report will be written (`hf-scan.sarif
//! -> ~/.bashrc`), or a FIFO that blocks the writer. Outputs are opened without following a
//! link in the last component and without blocking, before any scanning starts, so a bad output
//! path fails the run before any work or network request is done.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// Size cap for a project config or a rules file.
pub const CONFIG_LIMIT: u64 = 1 << 20;
/// Size cap for a baseline or a GitHub event payload.
pub const DATA_LIMIT: u64 = 64 << 20;

/// Reads `path`, which must be a regular file of at most `limit` bytes of UTF-8.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<String> {
    let file = open_nonblocking(path, OpenOptions::new().read(true))?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    let mut text = String::new();
    file.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(text)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than {} KiB", limit >> 10),
    )
}

#[cfg(unix)]
fn open_nonblocking(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    options.open(path)
}

/// A file opened for writing before the scan, written after it.
#[derive(Debug)]
pub struct OutputFile {
    pub path: PathBuf,
    file: File,
}

impl OutputFile {
    /// Creates or truncates `path`.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        Self::open(
            path,
            OpenOptions::new().write(true).create(true).truncate(true),
        )
    }

    /// Opens `path` to append (a GitHub step output or summary file).
    pub fn append(path: &Path) -> anyhow::Result<Self> {
        Self::open(path, OpenOptions::new().append(true).create(true))
    }

    fn open(path: &Path, options: &mut OpenOptions) -> anyhow::Result<Self> {
        let file = open_for_writing(path, options).map_err(|err| {
            if is_symlink(path) {
                anyhow::anyhow!(
                    "refusing to write {}: it is a symbolic link (name the file it points to, \
                     or remove the link)",
                    path.display()
                )
            } else {
                anyhow::Error::new(err).context(format!("creating output file {}", path.display()))
            }
        })?;
        let kind = file.metadata()?.file_type();
        if !(kind.is_file() || is_char_device(&kind)) {
            bail!(
                "refusing to write {}: it is not a regular file",
                path.display()
            );
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Writes through a buffer and flushes; errors name the file.
    pub fn write_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        let mut out = io::BufWriter::new(&self.file);
        write(&mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

#[cfg(unix)]
fn open_for_writing(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // No link followed in the last component; a FIFO without a reader fails at once (ENXIO)
    // instead of blocking.
    options
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_writing(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    if is_symlink(path) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "symbolic link"));
    }
    options.open(path)
}

fn is_symlink(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(unix)]
fn is_char_device(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    // /dev/null: a user who sends a report nowhere means it.
    kind.is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &std::fs::FileType) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn inputs_must_be_small_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_bounded(&fifo, CONFIG_LIMIT).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let err = read_bounded(Path::new("/dev/zero"), CONFIG_LIMIT).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'#'; 2048]).unwrap();
        assert!(read_bounded(&big, 1024).is_err());
        assert_eq!(read_bounded(&big, 4096).unwrap().len(), 2048);
    }

    #[test]
    fn outputs_never_follow_a_link_or_block_on_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        let link = dir.path().join("report.sarif");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = OutputFile::create(&link).unwrap_err();
        assert!(format!("{err:#}").contains("symbolic link"), "{err:#}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        let fifo = dir.path().join("fifo");
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(OutputFile::create(&fifo).is_err());
        let plain = OutputFile::create(&dir.path().join("plain")).unwrap();
        plain.write_with(|out| out.write_all(b"ok")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("plain")).unwrap(),
            "ok"
        );
        assert!(OutputFile::create(Path::new("/dev/null")).is_ok());
    }
}

//! Archives: tar (plain; compressed tars are a compressed stream holding one) and zip with
//! its family (wheel, jar, egg, nupkg, torch checkpoints). Members are streamed one after the
//! other; their names are labels for reports and are never used as paths. Links, directories
//! and devices hold no content of their own and are passed over.
//!
//! A zip is opened by its central directory when it can seek (a file, a blob, a nested zip
//! small enough to hold in memory); otherwise, or when the central directory is missing (a
//! truncated download), by its local headers one member at a time. A docker-save tarball and
//! an OCI image layout are tars of tars (or of tar+gzip, tar+zstd layers), so they need nothing
//! more than nesting.

use std::io::{self, Cursor, Read, Seek, SeekFrom};

use zip::CompressionMethod;

use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// A nested zip up to this size is read into memory to be opened by its central directory;
/// a larger one is read by its local headers as a stream.
const NESTED_ZIP_IN_MEMORY: u64 = 32 << 20;

pub fn is_zip(head: &[u8]) -> bool {
    // A local file header, or the end record of an empty archive.
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// A POSIX or GNU tar: the `ustar` magic and a header checksum that adds up.
pub fn is_tar(head: &[u8]) -> bool {
    if head.len() < 512 || &head[257..262] != b"ustar" {
        return false;
    }
    let recorded = std::str::from_utf8(&head[148..156])
        .ok()
        .map(|field| field.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|field| u32::from_str_radix(field, 8).ok());
    let computed: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(if (148..156).contains(&i) { b' ' } else { b }))
        .sum();
    recorded == Some(computed)
}

pub(super) fn tar(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(err) => {
            walk.warn(frame, format!("tar: {err}"));
            return Ok(());
        }
    };
    let mut rest_is_raw = false;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                walk.warn(
                    frame,
                    format!("tar: {err}; the rest is scanned as raw bytes"),
                );
                rest_is_raw = true;
                break;
            }
        };
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            continue;
        }
        if !walk.admit_entry(frame, &scanner.options) {
            break;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        scanner.member(&mut entry, &name, None, frame, walk)?;
    }
    if rest_is_raw {
        let mut rest = archive.into_inner();
        scanner.plain(&mut rest, frame, 0, walk)?;
    }
    Ok(())
}

/// A zip whose bytes can be read at any offset: by its central directory, else by its local
/// headers, else as raw bytes.
pub(super) fn zip_seekable<R: Read + Seek>(
    scanner: &mut ContentScanner,
    reader: &mut R,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let central = match zip::ZipArchive::new(&mut *reader) {
        Ok(mut archive) => {
            for index in 0..archive.len() {
                if !walk.admit_entry(frame, &scanner.options) {
                    break;
                }
                let name = archive
                    .name_for_index(index)
                    .and_then(Result::ok)
                    .map_or_else(|| format!("#{index}"), |name| name.into_owned());
                match archive.by_index(index) {
                    Ok(mut file) => {
                        if file.is_dir() || file.is_symlink() {
                            continue;
                        }
                        let inflated_by = inflation(file.compression());
                        scanner.member(&mut file, &name, inflated_by, frame, walk)?;
                    }
                    Err(err) => walk.warn(
                        &frame.member(&name, frame.encoding),
                        format!("zip member not scanned: {err}"),
                    ),
                }
            }
            return Ok(());
        }
        Err(err) => err,
    };
    reader.seek(SeekFrom::Start(0))?;
    let members = local_headers(scanner, reader, frame, walk)?;
    if members == 0 {
        walk.warn(frame, format!("zip: {central}; scanned as raw bytes"));
        reader.seek(SeekFrom::Start(0))?;
        scanner.plain(reader, frame, 0, walk)?;
    } else {
        walk.warn(
            frame,
            format!("zip: {central}; members read from their local headers"),
        );
    }
    Ok(())
}

/// A zip inside another container, read as a stream.
pub(super) fn zip_stream(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut held = Vec::new();
    reader
        .take(NESTED_ZIP_IN_MEMORY + 1)
        .read_to_end(&mut held)?;
    if held.len() as u64 <= NESTED_ZIP_IN_MEMORY {
        return zip_seekable(scanner, &mut Cursor::new(held), frame, walk);
    }
    let mut whole = Cursor::new(held).chain(reader);
    local_headers(scanner, &mut whole, frame, walk)?;
    Ok(())
}

/// Members read one after the other from their local headers; how many were found.
fn local_headers(
    scanner: &mut ContentScanner,
    mut reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<u64> {
    let mut members = 0;
    loop {
        match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(Some(mut file)) => {
                if !walk.admit_entry(frame, &scanner.options) {
                    break;
                }
                members += 1;
                if file.is_dir() {
                    continue;
                }
                let name = String::from_utf8_lossy(file.name_raw()).into_owned();
                let inflated_by = inflation(file.compression());
                scanner.member(&mut file, &name, inflated_by, frame, walk)?;
            }
            Ok(None) => break,
            Err(err) => {
                if members > 0 {
                    walk.warn(frame, format!("zip: {err}"));
                }
                break;
            }
        }
    }
    Ok(members)
}

/// The decompression a member's bytes come out of, if any.
fn inflation(method: CompressionMethod) -> Option<Encoding> {
    match method {
        CompressionMethod::Stored => None,
        CompressionMethod::Deflated => Some(Encoding::Deflate),
        _ => Some(Encoding::Zip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ContentOptions, ContentScanner};
    use crate::detect::matcher::Matcher;
    use crate::detect::rules::Rules;
    use crate::testing::{fake_token, Rng};

    #[test]
    fn past_the_entry_limit_the_rest_is_not_scanned_and_that_is_said_once() {
        let mut rng = Rng::new(81);
        let tokens: Vec<String> = (0..5).map(|_| fake_token(&mut rng)).collect();
        let mut builder = tar::Builder::new(Vec::new());
        for (i, token) in tokens.iter().enumerate() {
            let data = format!("{token}\n");
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, format!("f{i}.txt"), data.as_bytes())
                .unwrap();
        }
        let archive = builder.into_inner().unwrap();
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let options = ContentOptions {
            max_entries: 3,
            ..ContentOptions::default()
        };
        let scanned = ContentScanner::new(&matcher, options).scan_bytes(&archive);
        let members: Vec<_> = scanned
            .hits
            .iter()
            .map(|h| h.member.clone().unwrap())
            .collect();
        assert_eq!(members, ["f0.txt", "f1.txt", "f2.txt"]);
        assert_eq!(scanned.warnings.len(), 1, "{:?}", scanned.warnings);
        assert!(scanned.warnings[0]
            .1
            .contains("more than 3 archive entries"));
    }

    #[test]
    fn a_tar_header_needs_its_magic_and_its_checksum() {
        let mut header = vec![0u8; 512];
        header[..9].copy_from_slice(b"notes.txt");
        header[257..263].copy_from_slice(b"ustar\0");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        let field = format!("{sum:06o}\0 ");
        header[148..156].copy_from_slice(field.as_bytes());
        assert!(is_tar(&header));
        header[0] = b'N';
        assert!(!is_tar(&header), "a changed byte breaks the checksum");
        assert!(!is_tar(&header[..300]));
    }
}

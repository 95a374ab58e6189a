//! Tar, read header by header by hf-scan itself: POSIX ustar, GNU (long names, long link
//! names, old sparse files) and PAX (`path`, `linkpath`, `size`). Its own reader because a
//! tar's metadata is untrusted input of any size: a GNU long name or a PAX record is read only
//! as far as a name needs (`MAX_NAME`, the rest skipped and the cut said), and what metadata
//! can hide is scanned, not just skipped: link targets and PAX records (a token in a
//! `SCHILY.xattr` value or a `comment`) as `metadata`, the data of entries that should have
//! none (a directory or link with a size), and what follows the end-of-archive blocks (another
//! tar is read on, like `tar --ignore-zeros`; anything else is scanned as raw bytes).
//!
//! Member names are labels for reports and never paths to write to.

use std::io::{self, Cursor, Read};

use super::{cut_label, read_up_to, ContentScanner, Frame, Walk, MAX_MEMBER_NAME};
use crate::finding::Encoding;

const BLOCK: usize = 512;
/// The most of a PAX header read into memory to apply its `path`, `linkpath` and `size`; a
/// larger one is scanned as a stream and its fields are not applied (with a warning).
const MAX_PAX: u64 = 1 << 20;
/// How much of a GNU long name or long link name is kept: the member name limit, with room
/// for the cut to show.
const MAX_NAME: u64 = MAX_MEMBER_NAME as u64 + 1;

/// A POSIX or GNU tar: the `ustar` magic and a header checksum that adds up.
pub fn is_tar(head: &[u8]) -> bool {
    head.len() >= BLOCK && &head[257..262] == b"ustar" && checksum_adds_up(&head[..BLOCK])
}

fn checksum_adds_up(header: &[u8]) -> bool {
    let recorded = std::str::from_utf8(&header[148..156])
        .ok()
        .map(|field| field.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|field| u32::from_str_radix(field, 8).ok());
    let computed: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(if (148..156).contains(&i) { b' ' } else { b }))
        .sum();
    recorded == Some(computed)
}

/// A numeric field: octal text, or GNU's base-256 (high bit of the first byte set).
fn number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for &byte in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(byte))?;
        }
        return Some(value);
    }
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// A NUL-terminated field as text.
fn text(field: &[u8]) -> String {
    let end = memchr::memchr(0, field).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// What the metadata entries before a header say about it.
#[derive(Default)]
struct Pending {
    name: Option<String>,
    link: Option<String>,
    size: Option<u64>,
}

/// Reads through a tar: each member's data through the content layer, metadata scanned, the
/// rest after the end (or after a header that does not add up) as raw bytes.
pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut position: u64 = 0;
    let mut pending = Pending::default();
    let mut header = [0u8; BLOCK];
    loop {
        let read = read_up_to(reader, &mut header)?;
        if read == 0 {
            return Ok(());
        }
        if read < BLOCK {
            walk.warn(frame, "tar: the archive ends inside a header".into());
            return scanner.plain(&mut Cursor::new(&header[..read]), frame, position, walk);
        }
        if header.iter().all(|&b| b == 0) {
            // The end-of-archive blocks. After their zero padding comes the end, another tar
            // (`cat a.tar b.tar`, read on as `tar --ignore-zeros` does), or anything else
            // (`cat x.tar notes.txt`), scanned as raw bytes.
            loop {
                position += BLOCK as u64;
                let read = read_up_to(reader, &mut header)?;
                if read == 0 {
                    return Ok(());
                }
                if read < BLOCK || header.iter().any(|&b| b != 0) {
                    if read == BLOCK && checksum_adds_up(&header) {
                        break;
                    }
                    let after = frame.member("(after the end of the archive)", frame.encoding);
                    let mut rest = Cursor::new(header[..read].to_vec()).chain(reader);
                    return scanner.plain(&mut rest, &after, position, walk);
                }
            }
        }
        let size = number(&header[124..136]).filter(|_| checksum_adds_up(&header));
        let Some(header_size) = size else {
            walk.warn(
                frame,
                format!(
                    "tar: the header at byte {position} does not add up; the rest is scanned \
                     as raw bytes"
                ),
            );
            let mut rest = Cursor::new(header.to_vec()).chain(reader);
            return scanner.plain(&mut rest, frame, position, walk);
        };
        position += BLOCK as u64;
        let kind = header[156];
        if kind == b'S' && header[482] != 0 {
            // Old GNU sparse: blocks of the sparse map follow the header.
            position += skip_sparse_extensions(reader)?;
        }
        let data_size = match kind {
            // PAX headers and GNU long names describe the next header.
            b'x' | b'g' | b'L' | b'K' => header_size,
            _ => pending.size.take().unwrap_or(header_size),
        };
        let mut data = (&mut *reader).take(data_size);
        match kind {
            b'L' | b'K' => {
                let mut value = Vec::new();
                (&mut data).take(MAX_NAME).read_to_end(&mut value)?;
                let ended = memchr::memchr(0, &value).is_some();
                let mut value = text(&value);
                if !ended && data.limit() > 0 {
                    let length = MAX_NAME + length_to_nul(&mut data)?;
                    value = cut_label(&value, length);
                }
                if kind == b'L' {
                    pending.name = Some(value);
                } else {
                    pending.link = Some(value);
                }
            }
            b'x' | b'g' => {
                let label = frame.member(
                    &format!("{} (pax header)", text(&header[..100])),
                    frame.encoding,
                );
                if data_size <= MAX_PAX {
                    let mut records = Vec::new();
                    data.read_to_end(&mut records)?;
                    scanner.metadata(&records, position, &label, walk)?;
                    if kind == b'x' {
                        if let Err(reason) = apply_pax(&records, &mut pending) {
                            walk.warn(&label, format!("tar: {reason}"));
                        }
                    }
                } else {
                    scanner.framed_string(
                        &mut data,
                        data_size,
                        position,
                        &label,
                        Encoding::Metadata,
                        walk,
                    )?;
                    walk.warn(
                        &label,
                        format!(
                            "tar: a PAX header of {data_size} bytes: scanned, but its fields \
                             (path, size) were not applied"
                        ),
                    );
                }
            }
            _ => {
                let name = pending.name.take().unwrap_or_else(|| ustar_name(&header));
                let link = pending
                    .link
                    .take()
                    .unwrap_or_else(|| text(&header[157..257]));
                if !link.is_empty() {
                    let label = frame.member(&format!("{name} (link target)"), frame.encoding);
                    scanner.metadata(link.as_bytes(), position, &label, walk)?;
                }
                // Directories, links and devices have no data; one that has a size anyway is
                // scanned like a file (whatever it hides is a member's bytes).
                if data_size > 0 {
                    if !walk.admit_entry(frame, &scanner.options) {
                        return Ok(());
                    }
                    scanner.member(&mut data, &name, None, frame, walk)?;
                }
            }
        }
        io::copy(&mut data, &mut io::sink())?;
        if data.limit() > 0 {
            walk.warn(frame, "tar: the archive ends inside a member".into());
            return Ok(());
        }
        position += data_size;
        let padding = (BLOCK as u64 - data_size % BLOCK as u64) % BLOCK as u64;
        position += io::copy(&mut (&mut *reader).take(padding), &mut io::sink())?;
    }
}

/// The member name a ustar or GNU header holds (ustar's prefix field joined to it).
fn ustar_name(header: &[u8; BLOCK]) -> String {
    let name = text(&header[..100]);
    let posix = &header[257..263] == b"ustar\0";
    let prefix = if posix {
        text(&header[345..500])
    } else {
        String::new()
    };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// Applies a PAX header's `path`, `linkpath` and `size` to the next member.
fn apply_pax(mut records: &[u8], pending: &mut Pending) -> Result<(), &'static str> {
    const BROKEN: &str = "a PAX record does not parse; the fields after it were not applied";
    while !records.is_empty() {
        let space = memchr::memchr(b' ', records).ok_or(BROKEN)?;
        let length: usize = std::str::from_utf8(&records[..space])
            .ok()
            .and_then(|digits| digits.parse().ok())
            .filter(|&length| length > space + 1 && length <= records.len())
            .ok_or(BROKEN)?;
        let record = records[space + 1..length]
            .strip_suffix(b"\n")
            .ok_or(BROKEN)?;
        let equals = memchr::memchr(b'=', record).ok_or(BROKEN)?;
        let (key, value) = (&record[..equals], &record[equals + 1..]);
        let value_text = || String::from_utf8_lossy(value).into_owned();
        match key {
            b"path" => pending.name = Some(value_text()),
            b"linkpath" => pending.link = Some(value_text()),
            b"size" => {
                pending.size = Some(value_text().parse().map_err(|_| BROKEN)?);
            }
            _ => {}
        }
        records = &records[length..];
    }
    Ok(())
}

/// Reads up to the first NUL (or the end); how many bytes came before it.
fn length_to_nul(reader: &mut dyn Read) -> io::Result<u64> {
    let mut buffer = [0u8; 8192];
    let mut length = 0;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok(length);
        }
        if let Some(at) = memchr::memchr(0, &buffer[..read]) {
            return Ok(length + at as u64);
        }
        length += read as u64;
    }
}

/// Reads past an old GNU sparse header's extension blocks; the bytes read.
fn skip_sparse_extensions(reader: &mut dyn Read) -> io::Result<u64> {
    let mut block = [0u8; BLOCK];
    let mut skipped = 0;
    loop {
        let read = read_up_to(reader, &mut block)?;
        skipped += read as u64;
        if read < BLOCK || block[504] == 0 {
            return Ok(skipped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ContentOptions;
    use crate::detect::matcher::Matcher;
    use crate::detect::rules::Rules;
    use crate::testing::{fake_token, Rng};

    fn header(kind: ::tar::EntryType, size: u64) -> ::tar::Header {
        let mut header = ::tar::Header::new_ustar();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(0o644);
        header
    }

    fn append(
        builder: &mut ::tar::Builder<Vec<u8>>,
        kind: ::tar::EntryType,
        name: &str,
        data: &[u8],
    ) {
        let mut header = header(kind, data.len() as u64);
        header.set_path(name).unwrap();
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    fn members_and_tokens(archive: &[u8]) -> Vec<(String, String, Encoding)> {
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let scanned = ContentScanner::new(&matcher, ContentOptions::default()).scan_bytes(archive);
        assert!(scanned.warnings.is_empty(), "{:?}", scanned.warnings);
        scanned
            .hits
            .iter()
            .map(|hit| {
                (
                    hit.member.clone().unwrap_or_default(),
                    hit.secret.expose().to_string(),
                    hit.encoding,
                )
            })
            .collect()
    }

    /// What a tar's metadata can hide is scanned: a PAX record's value, a link's target, the
    /// data of a directory entry with a size, bytes after the end-of-archive blocks.
    #[test]
    fn tokens_in_tar_metadata_and_outside_members_are_found() {
        let mut rng = Rng::new(2110);
        let tokens: Vec<String> = (0..4).map(|_| fake_token(&mut rng)).collect();
        let mut builder = ::tar::Builder::new(Vec::new());
        let record = format!("SCHILY.xattr.user.note={}\n", tokens[0]);
        let record = format!("{} {record}", record.len() + 3);
        append(
            &mut builder,
            ::tar::EntryType::XHeader,
            "PaxHeaders/notes.txt",
            record.as_bytes(),
        );
        append(
            &mut builder,
            ::tar::EntryType::Regular,
            "notes.txt",
            b"nothing here\n",
        );
        let mut link = header(::tar::EntryType::Symlink, 0);
        link.set_path("latest").unwrap();
        link.set_link_name_literal(&tokens[1]).unwrap();
        link.set_cksum();
        builder.append(&link, io::empty()).unwrap();
        append(
            &mut builder,
            ::tar::EntryType::Directory,
            "cache/",
            format!("t = '{}'\n", tokens[2]).as_bytes(),
        );
        let mut archive = builder.into_inner().unwrap();
        archive.extend(format!("appended {}\n", tokens[3]).as_bytes());
        let found = members_and_tokens(&archive);
        let expected = [
            ("PaxHeaders/notes.txt (pax header)", 0, Encoding::Metadata),
            ("latest (link target)", 1, Encoding::Metadata),
            ("cache/", 2, Encoding::Plain),
            ("(after the end of the archive)", 3, Encoding::Plain),
        ];
        assert_eq!(
            found,
            expected
                .iter()
                .map(|(member, i, encoding)| (member.to_string(), tokens[*i].clone(), *encoding))
                .collect::<Vec<_>>()
        );
    }

    /// A PAX header's `path` and `size` apply to the next member (the header's own size field
    /// says 0: without the PAX size, the member's data would be read as headers).
    #[test]
    fn pax_path_and_size_apply_to_the_next_member() {
        let token = fake_token(&mut Rng::new(2111));
        let data = format!("t = '{token}'\n");
        let record = |key: &str, value: &str| {
            // The length counts its own digits.
            let body = format!(" {key}={value}\n");
            let digits = |n: usize| n.to_string().len();
            let mut length = body.len() + digits(body.len());
            if digits(length) > digits(body.len()) {
                length += 1;
            }
            format!("{length}{body}")
        };
        let records =
            record("path", "deep/real name.txt") + &record("size", &data.len().to_string());
        let mut builder = ::tar::Builder::new(Vec::new());
        append(
            &mut builder,
            ::tar::EntryType::XHeader,
            "PaxHeaders/x",
            records.as_bytes(),
        );
        let mut file = header(::tar::EntryType::Regular, 0);
        file.set_path("short").unwrap();
        file.set_cksum();
        // Before `into_inner`, which ends the archive.
        let mut archive = builder.get_ref().clone();
        archive.extend_from_slice(file.as_bytes());
        let mut padded = data.clone().into_bytes();
        padded.resize(512, 0);
        archive.extend(padded);
        archive.extend([0u8; 1024]);
        let found = members_and_tokens(&archive);
        assert_eq!(
            found,
            [("deep/real name.txt".to_string(), token, Encoding::Plain)]
        );
    }

    /// A GNU long name of any length costs its first kilobyte of memory; the member is named
    /// by that kilobyte and the true length.
    #[test]
    fn a_gnu_long_name_is_read_only_as_far_as_a_name_needs() {
        let token = fake_token(&mut Rng::new(2112));
        let mut builder = ::tar::Builder::new(Vec::new());
        let long = "d".repeat(3 << 20);
        append(
            &mut builder,
            ::tar::EntryType::GNULongName,
            "././@LongLink",
            long.as_bytes(),
        );
        append(
            &mut builder,
            ::tar::EntryType::Regular,
            "cut",
            format!("{token}\n").as_bytes(),
        );
        let archive = builder.into_inner().unwrap();
        let found = members_and_tokens(&archive);
        let expected = format!("{}…(name cut: {} bytes)", "d".repeat(1024), 3 << 20);
        assert_eq!(found, [(expected, token, Encoding::Plain)]);
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

    /// Tars one after another (`cat a.tar b.tar`) are read on past the first one's end blocks,
    /// as `tar --ignore-zeros` does: the second one's members keep their names.
    #[test]
    fn concatenated_tars_are_read_member_by_member() {
        let token = fake_token(&mut Rng::new(2116));
        let tar = |name: &str, data: &[u8]| {
            let mut builder = ::tar::Builder::new(Vec::new());
            append(&mut builder, ::tar::EntryType::Regular, name, data);
            builder.into_inner().unwrap()
        };
        let mut archive = tar("first.txt", b"nothing here\n");
        archive.extend(tar("second.txt", format!("t = '{token}'\n").as_bytes()));
        let found = members_and_tokens(&archive);
        assert_eq!(found, [("second.txt".to_string(), token, Encoding::Plain)]);
    }
}

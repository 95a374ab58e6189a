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

use super::members::{self, MemberKey};
use super::{cut_name, ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// A nested zip up to this size is read into memory to be opened by its central directory;
/// a larger one is read by its local headers as a stream.
const NESTED_ZIP_IN_MEMORY: u64 = 32 << 20;

pub fn is_zip(head: &[u8]) -> bool {
    // A local file header, or the end record of an empty archive.
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// A zip whose bytes can be read at any offset: by its central directory, else by its local
/// headers, else as raw bytes. Read by its central directory, what the directory does not
/// cover is read too: comments, bytes before the first member and between members (a stored
/// member the directory leaves out, a script prepended), and bytes after the end record.
pub(super) fn zip_seekable<R: Read + Seek>(
    scanner: &mut ContentScanner,
    reader: &mut R,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let central = match zip::ZipArchive::new(&mut *reader) {
        Ok(mut archive) => {
            let mut spans = Spans::default();
            for index in 0..archive.len() {
                if !walk.admit_entry(frame, &scanner.options) {
                    return Ok(());
                }
                let name = archive
                    .name_for_index(index)
                    .and_then(Result::ok)
                    .map_or_else(|| format!("#{index}"), |name| name.into_owned());
                let key = scanner
                    .members
                    .and_then(|_| member_key(&mut archive, index, frame));
                match archive.by_index(index) {
                    Ok(mut file) => {
                        let start = file.header_start();
                        let end = file
                            .data_start()
                            .unwrap_or(start)
                            .saturating_add(file.compressed_size());
                        if let Some(other) = spans.overlapping(start, end) {
                            walk.warn(
                                &frame.member(&name, frame.encoding),
                                format!(
                                    "zip member shares its bytes with {other}: not read again \
                                     (overlapping members are how zip bombs are built)"
                                ),
                            );
                            continue;
                        }
                        spans.insert(start, end, &name);
                        let comment = file.comment_raw().to_vec();
                        if !comment.is_empty() {
                            let label = frame.member(&format!("{name} (comment)"), frame.encoding);
                            scanner.metadata(
                                &comment,
                                file.central_header_start(),
                                &label,
                                walk,
                            )?;
                        }
                        // A directory holds nothing; a symlink's data is its target, which
                        // pip and Java's jar extract as a file's content.
                        if file.is_dir() && file.size() == 0 {
                            continue;
                        }
                        let inflated_by = inflation(file.compression());
                        scanner.member_once(key, &mut file, &name, inflated_by, frame, walk)?;
                    }
                    Err(err) => walk.warn(
                        &frame.member(&name, frame.encoding),
                        format!("zip member not scanned: {err}"),
                    ),
                }
            }
            let comment = archive.comment().to_vec();
            let central_start = archive.central_directory_start();
            drop(archive);
            if !comment.is_empty() {
                let label = frame.member("(zip comment)", frame.encoding);
                scanner.metadata(&comment, central_start, &label, walk)?;
            }
            outside_members(scanner, reader, &spans, central_start, frame, walk)?;
            after_end_record(scanner, reader, &comment, central_start, frame, walk)?;
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

/// A gap between members this long or shorter is passed over: a data descriptor (CRC and
/// sizes, with its signature and zip64 sizes at most 24 bytes) holds no token.
const DESCRIPTOR_GAP: u64 = 24;

/// The bytes before the central directory that no member of it covers: members read by their
/// local headers when a gap starts with one, else the gap's raw bytes.
fn outside_members<R: Read + Seek>(
    scanner: &mut ContentScanner,
    reader: &mut R,
    spans: &Spans,
    central_start: u64,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut gaps = Vec::new();
    let mut at = 0;
    for (&start, (end, _)) in &spans.by_start {
        if start > at {
            gaps.push((at, start));
        }
        at = at.max(*end);
    }
    if central_start > at {
        gaps.push((at, central_start));
    }
    let label = frame.member("(outside the central directory)", frame.encoding);
    for (start, end) in gaps {
        if end - start <= DESCRIPTOR_GAP {
            continue;
        }
        reader.seek(SeekFrom::Start(start))?;
        let mut gap = (&mut *reader).take(end - start);
        let mut signature = [0u8; 4];
        let starts_with_member =
            gap.read_exact(&mut signature).is_ok() && signature == *b"PK\x03\x04";
        reader.seek(SeekFrom::Start(start))?;
        if starts_with_member {
            let mut gap = (&mut *reader).take(end - start);
            let (members, error) = read_local_members(scanner, &mut gap, &label, walk)?;
            if members > 0 {
                // Ending at the gap's end is how a gap of members ends; before it, what is
                // left was not read.
                if let Some(err) = error.filter(|_| gap.limit() > 0) {
                    walk.warn(&label, format!("zip: {err}"));
                }
                continue;
            }
            reader.seek(SeekFrom::Start(start))?;
        }
        scanner.plain(&mut (&mut *reader).take(end - start), &label, start, walk)?;
    }
    Ok(())
}

/// The most of a zip's end read to find where its end record stops.
const END_SEARCH: u64 = 1 << 20;

/// Bytes after the end-of-central-directory record and its comment (`cat x.zip notes.txt`):
/// the record is the last one whose comment is the archive's.
fn after_end_record<R: Read + Seek>(
    scanner: &mut ContentScanner,
    reader: &mut R,
    comment: &[u8],
    central_start: u64,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let length = reader.seek(SeekFrom::End(0))?;
    let from = central_start.max(length.saturating_sub(END_SEARCH));
    reader.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    (&mut *reader).take(length - from).read_to_end(&mut tail)?;
    let end = memchr::memmem::rfind_iter(&tail, b"PK\x05\x06").find_map(|at| {
        let record = tail.get(at..at + 22)?;
        let comment_length = usize::from(u16::from_le_bytes([record[20], record[21]]));
        let end = at + 22 + comment_length;
        (comment_length == comment.len() && tail.get(at + 22..end) == Some(comment)).then_some(end)
    });
    match end {
        None => walk.warn(
            frame,
            format!(
                "zip: its end record is not in its last {}: bytes after it, if any, were not \
                 read",
                crate::collector::human_bytes(END_SEARCH)
            ),
        ),
        Some(end) if end < tail.len() => {
            let label = frame.member("(after the end of the archive)", frame.encoding);
            scanner.plain(
                &mut Cursor::new(&tail[end..]),
                &label,
                from + end as u64,
                walk,
            )?;
        }
        Some(_) => {}
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

/// Members read one after the other from their local headers; how many were found. An error
/// after the first member is a warning.
fn local_headers(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<u64> {
    let (members, error) = read_local_members(scanner, reader, frame, walk)?;
    if let Some(err) = error.filter(|_| members > 0) {
        walk.warn(frame, format!("zip: {err}"));
    }
    Ok(members)
}

/// Members read from their local headers until the stream ends, a header does not parse, or
/// the entry limit; how many were found, and the error that ended it, if one did.
fn read_local_members(
    scanner: &mut ContentScanner,
    mut reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<(u64, Option<zip::result::ZipError>)> {
    let mut members = 0;
    loop {
        match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(Some(mut file)) => {
                if !walk.admit_entry(frame, &scanner.options) {
                    return Ok((members, None));
                }
                members += 1;
                if file.is_dir() {
                    continue;
                }
                let name = String::from_utf8_lossy(file.name_raw()).into_owned();
                let inflated_by = inflation(file.compression());
                scanner.member(&mut file, &name, inflated_by, frame, walk)?;
            }
            Ok(None) => return Ok((members, None)),
            Err(err) => return Ok((members, Some(err))),
        }
    }
}

/// The byte ranges of the members read so far, none overlapping another.
#[derive(Default)]
struct Spans {
    by_start: std::collections::BTreeMap<u64, (u64, String)>,
}

impl Spans {
    /// The name of a member read before whose bytes overlap `start..end`.
    fn overlapping(&self, start: u64, end: u64) -> Option<&str> {
        let before = self.by_start.range(..=start).next_back();
        let after = self.by_start.range(start..end.max(start + 1)).next();
        before
            .filter(|(_, (other_end, _))| *other_end > start)
            .or(after)
            .map(|(_, (_, name))| name.as_str())
    }

    fn insert(&mut self, start: u64, end: u64, name: &str) {
        self.by_start
            .insert(start, (end, cut_name(name).into_owned()));
    }
}

/// What identifies a zip member's content for the scan's member cache (`members`): its
/// compressed bytes, method, and where it sits (the encoding and depth its frame inherits);
/// `None` for a small member, or one whose raw bytes cannot be read.
fn member_key<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    frame: &Frame,
) -> Option<MemberKey> {
    let mut raw = archive.by_index_raw(index).ok()?;
    if raw.compressed_size() < members::MIN_MEMBER_BYTES || raw.is_dir() {
        return None;
    }
    let method = format!("{:?}", raw.compression());
    let place = format!("{} {}", frame.encoding.as_str(), frame.depth);
    MemberKey::of(&method, &place, &mut raw).ok()
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

    fn stored() -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
    }

    fn members_and_tokens(bytes: &[u8]) -> (Vec<(String, String)>, Vec<String>) {
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let scanned = ContentScanner::new(&matcher, ContentOptions::default()).scan_bytes(bytes);
        let found = crate::testing::tokens_by_member(&scanned);
        let warnings = scanned.warnings.into_iter().map(|(_, w)| w).collect();
        (found, warnings)
    }

    /// What a zip's central directory does not cover is read: the archive's comment, a
    /// symlink member's data (pip and jar extract it as a file), and bytes appended after its
    /// end record.
    #[test]
    fn tokens_in_zip_comments_links_and_after_the_end_are_found() {
        use std::io::Write as _;
        let mut rng = Rng::new(2113);
        let tokens: Vec<String> = (0..3).map(|_| fake_token(&mut rng)).collect();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("plain.txt", stored()).unwrap();
        writer.write_all(b"nothing here\n").unwrap();
        writer.add_symlink("latest", &tokens[0], stored()).unwrap();
        writer
            .set_comment(format!("built with {}", tokens[1]))
            .unwrap();
        let mut archive = writer.finish().unwrap().into_inner();
        archive.extend(format!("\nappended {}\n", tokens[2]).as_bytes());
        let (found, warnings) = members_and_tokens(&archive);
        assert!(warnings.is_empty(), "{warnings:?}");
        let expected: Vec<(String, String)> = [
            ("latest", 0),
            ("(zip comment)", 1),
            ("(after the end of the archive)", 2),
        ]
        .iter()
        .map(|(member, i)| (member.to_string(), tokens[*i].clone()))
        .collect();
        assert_eq!(found, expected);
    }

    /// A stored member whose local header the central directory leaves out is read by that
    /// header (an archive tool lists only the directory; the bytes are in the file).
    #[test]
    fn a_member_left_out_of_the_central_directory_is_read_by_its_local_header() {
        use std::io::Write as _;
        let token = fake_token(&mut Rng::new(2114));
        let mut hidden = zip::ZipWriter::new(Cursor::new(Vec::new()));
        hidden.start_file("hidden.txt", stored()).unwrap();
        hidden
            .write_all(format!("t = '{token}'\n").as_bytes())
            .unwrap();
        let hidden = hidden.finish().unwrap().into_inner();
        let local_part = &hidden[..memchr::memmem::find(&hidden, b"PK\x01\x02").unwrap()];
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("listed.txt", stored()).unwrap();
        writer.write_all(b"nothing here\n").unwrap();
        // The listed archive after the hidden member: readers take the bytes before it as
        // prepended data.
        let mut archive = local_part.to_vec();
        archive.extend(writer.finish().unwrap().into_inner());
        let (found, warnings) = members_and_tokens(&archive);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            found,
            [(
                "(outside the central directory)!hidden.txt".to_string(),
                token
            )]
        );
    }

    /// A member's comment in the central directory is scanned as metadata.
    #[test]
    fn a_member_comment_is_scanned() {
        use std::io::Write as _;
        let token = fake_token(&mut Rng::new(2122));
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("model.bin", stored()).unwrap();
        writer.write_all(b"weights\n").unwrap();
        let mut archive = writer.finish().unwrap().into_inner();
        // The writer cannot set a member's comment: insert one into its directory entry.
        let entry = memchr::memmem::find(&archive, b"PK\x01\x02").unwrap();
        let field = |at: usize| usize::from(u16::from_le_bytes([archive[at], archive[at + 1]]));
        let comment = format!("uploaded with {token}");
        let end = entry + 46 + field(entry + 28) + field(entry + 30);
        archive[entry + 32..entry + 34].copy_from_slice(&(comment.len() as u16).to_le_bytes());
        archive.splice(end..end, comment.bytes());
        let record = memchr::memmem::rfind(&archive, b"PK\x05\x06").unwrap();
        let size = u32::from_le_bytes(archive[record + 12..record + 16].try_into().unwrap());
        let size = size + comment.len() as u32;
        archive[record + 12..record + 16].copy_from_slice(&size.to_le_bytes());
        let (found, warnings) = members_and_tokens(&archive);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(found, [("model.bin (comment)".to_string(), token)]);
    }
}

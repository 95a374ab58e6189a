//! Hostile input stays bounded (issue 21): floods of tokens and of name bytes end in a warning
//! with the findings kept so far, never in an abort (a 610 KB gzip of tokens aborted the run
//! asking for 1.7 GB); thread counts, FIFOs, outputs over evidence, grafts, zstd frames and
//! baseline paths each with the reproduction that failed before.

mod common;

use std::io::Write as _;

use common::*;

/// A gzip stream of `count` copies of a token line.
fn token_flood(token: &str, count: usize) -> Vec<u8> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let line = format!("{token}\n");
    for _ in 0..count {
        gzip.write_all(line.as_bytes()).unwrap();
    }
    gzip.finish().unwrap()
}

#[test]
fn a_flood_of_tokens_keeps_the_first_ten_thousand_and_counts_the_rest() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2100));
    write(dir.path(), "flood.txt.gz", token_flood(&token, 25_000));
    write(dir.path(), "plain.txt", format!("t = '{token}'\n"));
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 10_001, "{}", report["stats"]);
    let warnings = report["stats"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| {
            let w = w.as_str().unwrap();
            w.contains("flood.txt.gz") && w.contains("15000 more were counted")
        }),
        "{warnings:?}"
    );
    assert_eq!(report["stats"]["incomplete"], true);

    // The same blob committed: the history scan is bounded the same way (and reports one
    // finding per token and path, as always).
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    with_test_git_identity(
        std::process::Command::new("git")
            .current_dir(dir.path())
            .args(["commit", "-q", "-m", "flood"]),
    )
    .status()
    .unwrap();
    let (report, code) = json_report(dir.path(), &["--history"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 2, "{}", report["stats"]);
    let warnings = report["stats"]["warnings"].to_string();
    assert!(warnings.contains("15000 more were counted"), "{warnings}");
}

#[test]
fn a_member_name_of_any_length_is_cut_and_says_so() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2101));
    let long_name = format!("{}/notes.txt", "d".repeat(50_000));
    let mut builder = tar::Builder::new(Vec::new());
    let body = format!("t = '{token}'\n");
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_mode(0o644);
    builder
        .append_data(&mut header, &long_name, body.as_bytes())
        .unwrap();
    write(dir.path(), "long.tar", builder.into_inner().unwrap());
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1);
    let member = findings(&report)[0]["location"]["member"].as_str().unwrap();
    assert!(member.len() < 1200, "{} bytes", member.len());
    assert!(member.contains("name cut: 50010 bytes"), "{member}");
}

/// `-j 4000` is capped with a note instead of starting thousands of threads.
#[test]
fn thread_counts_are_capped_with_a_note() {
    let dir = temp_dir();
    write(dir.path(), "a.txt", "nothing\n");
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["-j", "4000", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("-j 4000: using 256 worker threads"),
        "{}",
        stderr(&output)
    );
}

/// A FIFO or a device named as PATH is an error, not a hang (a walk passes them over).
#[test]
fn a_fifo_or_a_device_named_as_path_is_an_error() {
    let dir = temp_dir();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for path in [fifo.as_path(), std::path::Path::new("/dev/zero")] {
        let output = hf_scan()
            .arg(path)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        assert!(
            stderr(&output).contains("not a regular file or a directory"),
            "{}",
            stderr(&output)
        );
    }
}

/// `-o app/.env` truncated the evidence before the scan read it: refused while the file holds
/// a token; a report path that holds none (a new file, the last run's redacted report) is fine.
#[test]
fn an_output_over_a_file_the_scan_reads_is_refused_when_it_holds_a_token() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2102));
    write(dir.path(), "app/.env", format!("HF_TOKEN={token}\n"));
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["-q", "-o", "app/.env", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds a token"),
        "{}",
        stderr(&output)
    );
    let kept = std::fs::read_to_string(dir.path().join("app/.env")).unwrap();
    assert!(kept.contains(&token), "the evidence is intact");
    // Nor does the SARIF a failed scan still writes go over it.
    let output = hf_scan()
        .current_dir(dir.path())
        .args(["-q", "--format", "sarif", "-o", "app/.env", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let kept = std::fs::read_to_string(dir.path().join("app/.env")).unwrap();
    assert!(kept.contains(&token), "the evidence is intact: {kept}");

    for _ in 0..2 {
        let output = hf_scan()
            .current_dir(dir.path())
            .args(["-q", "-o", "report.txt", "."])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    }
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.contains("app/.env"), "{report}");
}

/// `.git/info/grafts` cutting history short hid the cut-off commits with exit 0: it is a
/// warning now, and the run is incomplete.
#[test]
fn grafts_that_cut_history_are_a_warning() {
    let dir = temp_dir();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let token = fake_token(&mut Rng::new(2104));
    let commit = |message: &str| {
        with_test_git_identity(
            std::process::Command::new("git")
                .current_dir(dir.path())
                .args(["commit", "-q", "-m", message]),
        )
        .status()
        .unwrap();
    };
    write(dir.path(), "old.env", format!("T={token}\n"));
    git(dir.path(), &["add", "-A"]);
    commit("old");
    git(dir.path(), &["rm", "-q", "old.env"]);
    commit("removed");
    write(dir.path(), "a.txt", "x\n");
    git(dir.path(), &["add", "-A"]);
    commit("new");
    let head = git(dir.path(), &["rev-parse", "HEAD~1"]);
    write(dir.path(), ".git/info/grafts", format!("{head}\n"));
    let (report, code) = json_report(dir.path(), &["--history"]);
    assert_eq!(code, 2, "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(warnings.contains("grafts"), "{warnings}");
}

/// A baseline says it holds no tokens: a path named after one is written redacted, and the
/// baseline still accepts that finding (and only it).
#[test]
fn a_baseline_never_holds_a_token_from_a_path() {
    let dir = temp_dir();
    let mut rng = Rng::new(2105);
    let (in_name, other) = (fake_token(&mut rng), fake_token(&mut rng));
    write(
        dir.path(),
        &format!("keys/{in_name}.txt"),
        format!("{in_name}\n"),
    );
    let baseline = dir.path().join("baseline.txt");
    let written = hf_scan()
        .current_dir(dir.path())
        .args(["--write-baseline"])
        .arg(&baseline)
        .arg("keys")
        .output()
        .unwrap();
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains(&in_name), "{text}");
    assert_eq!(
        text.lines().filter(|l| !l.starts_with('#')).count(),
        1,
        "{text}"
    );
    let (report, code) = json_report(
        dir.path(),
        &["--baseline", baseline.to_str().unwrap(), "keys"],
    );
    assert_eq!((findings(&report).len(), code), (0, 0), "{report}");
    write(dir.path(), "keys/more.txt", format!("{other}\n"));
    let (report, code) = json_report(
        dir.path(),
        &["--baseline", baseline.to_str().unwrap(), "keys"],
    );
    assert_eq!((findings(&report).len(), code), (1, 1), "{report}");
}

/// A zstd frame holding `data` in one raw block (single segment, no checksum).
fn zstd_frame(data: &[u8]) -> Vec<u8> {
    assert!(data.len() < 256);
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x20, data.len() as u8];
    let header = 1u32 | ((data.len() as u32) << 3);
    frame.extend_from_slice(&header.to_le_bytes()[..3]);
    frame.extend_from_slice(data);
    frame
}

/// zstd: every frame is read (concatenated files, pzstd's skippable frame first), and bytes
/// after the last frame are a warning, as for gzip (only the first frame used to be read, and
/// trailing text passed with exit 0).
#[test]
fn every_zstd_frame_is_read_and_trailing_data_is_a_warning() {
    let dir = temp_dir();
    let mut rng = Rng::new(2106);
    let (second, trailing) = (fake_token(&mut rng), fake_token(&mut rng));
    let mut stream = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    stream.extend(zstd_frame(b"first frame, nothing here\n"));
    stream.extend(zstd_frame(format!("t = '{second}'\n").as_bytes()));
    write(dir.path(), "frames.zst", &stream);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["secret"], second.as_str());
    assert_eq!(
        findings(&report)[0]["encoding"],
        "zstd",
        "read through the frames"
    );
    assert_eq!(report["stats"]["incomplete"], false, "{report}");

    stream.extend(format!("\nplain {trailing}\n").as_bytes());
    write(dir.path(), "frames.zst", &stream);
    let (report, _) = json_report(dir.path(), &[]);
    let warnings = report["stats"]["warnings"].to_string();
    assert!(warnings.contains("frames.zst"), "{warnings}");
    assert_eq!(report["stats"]["incomplete"], true);
}

/// A tar of `members` (name, bytes), each a plain file.
fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, data.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// A bzip2 stream of `size` zero bytes: a few hundred bytes that take seconds to inflate.
fn bzip2_bomb(size: usize) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..size >> 20 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A tarball of bzip2 bombs ends at its work budget, with a warning naming the member where
/// it ran out (the budget was 8 GiB of inflation per file: a 20 KB tar took 43 s).
#[test]
fn a_tar_of_bzip2_bombs_ends_at_the_item_work_budget() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2107));
    let bomb = bzip2_bomb(8 << 20);
    let mut members: Vec<(&str, Vec<u8>)> = vec![("a.bz2", bomb.clone()), ("b.bz2", bomb)];
    members.push(("after.txt", format!("t = '{token}'\n").into_bytes()));
    write(dir.path(), "bombs.tar", tar_of(&members));
    let (report, code) = json_report(dir.path(), &["--max-item-work", "4M"]);
    assert_eq!(code, 2, "{report}");
    let warnings = report["stats"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "said once: {warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.starts_with("bombs.tar!a.bz2: bzip2:") && warning.contains("work budget"),
        "{warning}"
    );
    // Bzip2 output counts four times: 4 MiB plus 64 times the tar's size, a quarter of it.
    assert!(findings(&report).is_empty());

    // A budget that holds both bombs reads on to the token.
    let (report, code) = json_report(dir.path(), &["--max-item-work", "80M"]);
    assert_eq!((code, findings(&report).len()), (1, 1), "{report}");
    assert_eq!(report["stats"]["incomplete"], false);
}

/// A zip whose central directory lists `entries` names for the one deflate stream of `data`.
fn zip_sharing_one_stream(data: &[u8], entries: usize) -> Vec<u8> {
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflated.write_all(data).unwrap();
    let deflated = deflated.finish().unwrap();
    let crc = {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        crc.sum()
    };
    let u16le = |v: u16| v.to_le_bytes();
    let u32le = |v: u32| v.to_le_bytes();
    let (size, packed) = (data.len() as u32, deflated.len() as u32);
    let mut zip = Vec::new();
    zip.extend(u32le(0x0403_4b50));
    for field in [20, 0, 8, 0, 0] {
        zip.extend(u16le(field));
    }
    zip.extend(u32le(crc));
    zip.extend(u32le(packed));
    zip.extend(u32le(size));
    zip.extend(u16le(5));
    zip.extend(u16le(0));
    zip.extend(b"a.txt");
    zip.extend(&deflated);
    let central_start = zip.len() as u32;
    for index in 0..entries {
        let name = format!("a{index}.txt");
        zip.extend(u32le(0x0201_4b50));
        for field in [20, 20, 0, 8, 0, 0] {
            zip.extend(u16le(field));
        }
        zip.extend(u32le(crc));
        zip.extend(u32le(packed));
        zip.extend(u32le(size));
        for field in [name.len() as u16, 0, 0, 0, 0] {
            zip.extend(u16le(field));
        }
        zip.extend(u32le(0));
        zip.extend(u32le(0));
        zip.extend(name.as_bytes());
    }
    let central_size = zip.len() as u32 - central_start;
    zip.extend(u32le(0x0605_4b50));
    for field in [0, 0, entries as u16, entries as u16] {
        zip.extend(u16le(field));
    }
    zip.extend(u32le(central_size));
    zip.extend(u32le(central_start));
    zip.extend(u16le(0));
    zip
}

/// One deflate stream named by eight central-directory entries is inflated once: the others
/// are a warning each (they used to be inflated eight times over, 8 GiB from 2.6 MB).
#[test]
fn compressed_bytes_shared_by_many_zip_entries_are_read_once() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2108));
    let data = format!("{}t = '{token}'\n", "filler line\n".repeat(1000));
    write(
        dir.path(),
        "shared.zip",
        zip_sharing_one_stream(data.as_bytes(), 8),
    );
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    let found: Vec<_> = findings(&report)
        .iter()
        .map(|f| f["location"]["member"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, ["a0.txt"]);
    let warnings = report["stats"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 7, "{warnings:?}");
    assert!(warnings[0]
        .as_str()
        .unwrap()
        .starts_with("shared.zip!a1.txt: zip member shares its bytes with a0.txt"));
}

/// A gzipped pickle of millions of one-byte string opcodes ends at the work budget, where a
/// pickle walk counts eight times (341M opcodes took 32 s).
#[test]
fn a_flood_of_pickle_opcodes_ends_at_the_item_work_budget() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2109));
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(b"\x80\x02]").unwrap();
    let opcodes = b"U\x01aa".repeat(1 << 20);
    gzip.write_all(&opcodes).unwrap();
    gzip.write_all(&[b'X', token.len() as u8, 0, 0, 0]).unwrap();
    gzip.write_all(token.as_bytes()).unwrap();
    gzip.write_all(b"a.").unwrap();
    write(dir.path(), "flood.pkl.gz", gzip.finish().unwrap());
    let (report, code) = json_report(dir.path(), &["--max-item-work", "1M"]);
    assert_eq!((code, findings(&report).len()), (2, 0), "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    assert!(
        warnings.contains("flood.pkl.gz: pickle: this item's work budget"),
        "{warnings}"
    );
    let (report, code) = json_report(dir.path(), &["--max-item-work", "64M"]);
    assert_eq!((code, findings(&report).len()), (1, 1), "{report}");
}

/// A gzip member's header text is scanned as metadata: its name, its comment and its extra
/// field, in every member (they were passed over).
#[test]
fn gzip_header_names_and_comments_are_scanned_in_every_member() {
    let dir = temp_dir();
    let mut rng = Rng::new(2115);
    let tokens: Vec<String> = (0..3).map(|_| fake_token(&mut rng)).collect();
    let member = |builder: flate2::GzBuilder, body: &str| {
        let mut encoder = builder.write(Vec::new(), flate2::Compression::default());
        encoder.write_all(body.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let mut stream = member(
        flate2::GzBuilder::new().filename(format!("{}.txt", tokens[0])),
        "nothing here\n",
    );
    stream.extend(member(
        flate2::GzBuilder::new()
            .comment(format!("uploaded with {}", tokens[1]))
            .extra([b"HF", &[tokens[2].len() as u8, 0][..], tokens[2].as_bytes()].concat()),
        "nor here\n",
    ));
    write(dir.path(), "notes.gz", &stream);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let found: Vec<(String, String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["member"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
                f["encoding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = [
        ("(gzip name)", 0),
        ("(gzip comment)", 1),
        ("(gzip extra field)", 2),
    ]
    .iter()
    .map(|(member, i)| {
        (
            member.to_string(),
            tokens[*i].clone(),
            "metadata".to_string(),
        )
    })
    .collect();
    let mut found = found;
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(report["stats"]["incomplete"], false, "{report}");
}

/// A PowerShell transcript (UTF-16LE with a mark) continued by cmd's `>>` in single-byte text:
/// the token in the single-byte part is found (it was read as UTF-16 and lost).
#[test]
fn a_utf16_file_continued_in_ascii_hides_nothing() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2117));
    let mut bytes = vec![0xff, 0xfe];
    for unit in "PS C:\\> python train.py\r\nloading model\r\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let tail = format!("C:\\> echo HF_TOKEN={token} >> log.txt\r\n");
    bytes.extend(tail.as_bytes());
    write(dir.path(), "log.txt", &bytes);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let finding = &findings(&report)[0];
    assert_eq!(finding["secret"], token.as_str());
    assert_eq!(finding["encoding"], "plain");
}

/// A raw zlib stream (joblib's `compress=`, a git loose object) is inflated and scanned; bytes
/// after it are a warning (it was not recognised, and its token was missed with exit 0).
#[test]
fn a_raw_zlib_stream_is_inflated() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2123));
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let body = format!("t = '{token}'\n");
    zlib.write_all(format!("blob {}\0{body}", body.len()).as_bytes())
        .unwrap();
    let stream = zlib.finish().unwrap();
    write(dir.path(), "objects/ab/cdef", &stream);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["secret"], token.as_str());
    assert_eq!(findings(&report)[0]["encoding"], "zlib");
    assert_eq!(report["stats"]["incomplete"], false);

    let mut trailing = stream.clone();
    trailing.extend(b"more after the stream\n");
    write(dir.path(), "objects/ab/cdef", &trailing);
    let (report, _) = json_report(dir.path(), &[]);
    let warnings = report["stats"]["warnings"].to_string();
    assert!(
        warnings.contains("trailing data after the zlib stream"),
        "{warnings}"
    );
}

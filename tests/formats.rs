//! Tokens inside the data formats ML tools write (issue 22): each reproduction a file as the
//! library writes it, built here byte for byte, that the scan used to pass with exit 0.

mod common;

use std::collections::BTreeSet;

use common::*;

/// A numpy `.npy` file of a `<U{width}` array: each value UTF-32LE, zero-padded.
fn npy_unicode(values: &[&str], width: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for value in values {
        let mut cell: Vec<u8> = value
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        cell.resize(4 * width, 0);
        data.extend(cell);
    }
    npy(&format!("<U{width}"), values.len(), &data)
}

/// A numpy `.npy` file of a `|S{width}` array: each value its bytes, zero-padded.
fn npy_bytes(values: &[&str], width: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for value in values {
        let mut cell = value.as_bytes().to_vec();
        cell.resize(width, 0);
        data.extend(cell);
    }
    npy(&format!("|S{width}"), values.len(), &data)
}

/// A `.npy` file as numpy 1.0 writes it: magic, version, header length, the header dict padded
/// to 64 bytes, then the data.
fn npy(descr: &str, count: usize, data: &[u8]) -> Vec<u8> {
    let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({count},), }}");
    let mut header = header.into_bytes();
    // Padded with spaces to a 64-byte boundary, ending in a newline, as numpy writes it.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut file = b"\x93NUMPY\x01\x00".to_vec();
    file.extend((header.len() as u16).to_le_bytes());
    file.extend(header);
    file.extend(data);
    file
}

#[test]
fn utf32_in_numpy_arrays_and_text_files_is_read() {
    let dir = temp_dir();
    let mut rng = Rng::new(2201);
    let (in_array, in_text) = (fake_token(&mut rng), fake_token(&mut rng));
    write(
        dir.path(),
        "config.npy",
        npy_unicode(&["repo", &in_array, "main"], 40),
    );
    let text: Vec<u8> = format!("\u{feff}HF_TOKEN={in_text}\n")
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    write(dir.path(), "env-utf32.txt", text);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let mut found: Vec<(String, String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
                f["encoding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("config.npy".to_string(), in_array, "numpy".to_string()),
            ("env-utf32.txt".to_string(), in_text, "utf-32".to_string()),
        ]
    );
}

/// A notebook's traceback keeps terminal colours, written out in JSON (`\u001b[0;31m`): the
/// token right after one is found.
#[test]
fn a_token_after_a_terminal_colour_in_a_notebook_output_is_found() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2202));
    let notebook = format!(
        r#"{{"cells": [{{"cell_type": "code", "source": ["login()"], "outputs": [{{"output_type": "error", "traceback": ["\u001b[0;31mHTTPError\u001b[0m: 401 for token \u001b[1;32m{token}\u001b[0m"]}}]}}], "nbformat": 4}}"#
    );
    write(dir.path(), "explore.ipynb", notebook);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["secret"], token.as_str());
}

/// Values of a numpy string array sit back to back when each fills its width: the dtype bounds
/// each, so a token glued to the next value is found, and a longer value that starts like one
/// is not reported; the same inside an `.npz` (a zip of `.npy` files).
#[test]
fn numpy_values_are_bounded_by_their_dtype() {
    let dir = temp_dir();
    let mut rng = Rng::new(2203);
    let (first, second) = (fake_token(&mut rng), fake_token(&mut rng));
    let longer = format!("{}Z", fake_token(&mut rng));
    // Every value exactly 37 wide: nothing pads them apart.
    let array = npy_bytes(&[&first, &second, &longer[..37]], 37);
    write(dir.path(), "tokens.npy", &array);
    let unicode = npy_unicode(&[&longer, "x"], 38);
    let mut npz = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    npz.start_file("names.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut npz, &unicode).unwrap();
    write(dir.path(), "arrays.npz", npz.finish().unwrap().into_inner());
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let found: Vec<(String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["secret"].as_str().unwrap().to_string(),
                f["encoding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The third value is the longer string's first 37 characters: a token-shaped value, so it
    // is reported; the 38-wide one in the .npz is longer than a token and is not.
    assert_eq!(
        found,
        [
            (first, "numpy".to_string()),
            (second, "numpy".to_string()),
            (longer[..37].to_string(), "numpy".to_string()),
        ]
    );
}

/// Makes a SQLite database with Python's own sqlite3 (the library web UIs and trackers use).
fn sqlite_database(path: &std::path::Path, script: &str) {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\ndb.executescript(sys.argv[2])\ndb.commit()\ndb.close()"])
        .arg(path)
        .arg(script)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{output:?}");
}

/// A SQLite settings table: a row's text value glued to its record header, a value long
/// enough to be split across overflow pages with a token on a page boundary, and deleted rows
/// whose bytes stay in the page (all passed with exit 0). A deleted row whose value is exactly
/// the token lies glued to the value before it (`gonehf_…`): the freeblock header overwrote
/// the cell's start, and only the serial types left in its record header bound the value.
#[test]
fn sqlite_records_overflow_chains_and_deleted_rows_are_read() {
    let dir = temp_dir();
    let mut rng = Rng::new(2204);
    let (row, overflow, deleted, glued) = (
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
        fake_token(&mut rng),
    );
    // With 4096-byte pages a table cell keeps about 4061 bytes locally, then overflow pages
    // carry 4092 each: the token straddles the first overflow page's end.
    let long = format!(
        "{} {overflow} {}",
        "a".repeat(4061 + 4092 - 10),
        "b".repeat(100)
    );
    let script = format!(
        "PRAGMA page_size=4096;
         PRAGMA secure_delete=OFF;
         CREATE TABLE settings (key TEXT, value TEXT);
         INSERT INTO settings VALUES ('hf_token', '{row}');
         INSERT INTO settings VALUES ('notes', '{long}');
         INSERT INTO settings VALUES ('old', 'was {deleted}');
         INSERT INTO settings VALUES ('gone', '{glued}');
         INSERT INTO settings VALUES ('keep', 'nothing');
         DELETE FROM settings WHERE key IN ('old', 'gone');"
    );
    sqlite_database(&dir.path().join("app.db"), &script);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    let found: BTreeSet<String> = findings(&report)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    assert!(found.contains(&row), "{report}");
    assert!(found.contains(&overflow), "{report}");
    assert!(found.contains(&deleted), "a deleted row's bytes: {report}");
    assert!(
        found.contains(&glued),
        "a deleted value glued to the one before: {report}"
    );
    assert_eq!(report["stats"]["incomplete"], false, "{report}");
}

/// A protobuf length-delimited field: key, length, bytes.
fn field(number: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128);
    let mut out = vec![(number << 3) | 2, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

/// A TFRecord frame around `data`: length, masked CRC-32C of the length, data, masked CRC-32C
/// of the data.
fn tfrecord(data: &[u8]) -> Vec<u8> {
    fn crc32c(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0x82F6_3B78
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let masked = |crc: u32| crc.rotate_right(15).wrapping_add(0xa282_ead8);
    let length = (data.len() as u64).to_le_bytes();
    let mut out = length.to_vec();
    out.extend(masked(crc32c(&length)).to_le_bytes());
    out.extend_from_slice(data);
    out.extend(masked(crc32c(data)).to_le_bytes());
    out
}

/// A TensorBoard text summary holding a token at the end of its words, the next field's tag a
/// letter (`b`): the string's length bounds it (it was rejected as glued, exit 0).
#[test]
fn a_token_in_a_tensorboard_text_summary_is_found() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2206));
    let text = format!("logged in with {token}");
    // TensorProto: string_val (8), then field 12 (key byte `b`).
    let tensor = [field(8, text.as_bytes()), field(12, b"x")].concat();
    let value = [field(1, b"notes/text_summary"), field(8, &tensor)].concat();
    let summary = field(1, &value);
    let event = [field(5, &summary)].concat();
    let mut file = tfrecord(&field(3, b"brain.Event:2"));
    file.extend(tfrecord(&event));
    write(dir.path(), "events.out.tfevents.1700000000.host", &file);
    let (report, code) = json_report(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["secret"], token.as_str());
    assert_eq!(findings(&report)[0]["encoding"], "protobuf");
}

/// Truncated files of each new format end in a warning naming them, never in an error or a
/// silent pass.
#[test]
fn truncated_databases_arrays_and_records_are_warnings() {
    let dir = temp_dir();
    write(dir.path(), "short.db", b"SQLite format 3\0\x10\x00");
    write(dir.path(), "short.npy", b"\x93NUMPY\x02\x00\x10\x00");
    write(dir.path(), "cut.npy", npy("<U40", 2, &[b'h', 0, 0]));
    let formats = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    for (name, cut) in [
        ("pyarrow-codecs.parquet", "cut-page.parquet"),
        ("pyarrow-stream-zstd.arrow", "cut-body.arrow"),
        ("config-lzma.7z", "cut-header.7z"),
    ] {
        let bytes = std::fs::read(formats.join(name)).unwrap();
        write(dir.path(), cut, &bytes[..bytes.len() / 2]);
    }
    let (report, code) = json_report(dir.path(), &[]);
    // What was read before each cut is reported (exit 1); the scan says it is incomplete.
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["stats"]["incomplete"], true, "{report}");
    let warnings = report["stats"]["warnings"].to_string();
    for file in [
        "short.db: sqlite",
        "short.npy: numpy",
        "cut.npy: numpy",
        "cut-page.parquet: parquet: the file ends inside the page",
        "cut-body.arrow: arrow: the bytes from offset",
        "cut-header.7z: 7z: the header cannot be read",
    ] {
        assert!(warnings.contains(file), "{file}: {warnings}");
    }
}

/// A database in WAL mode keeps its latest writes in `app.db-wal` until a checkpoint: the
/// log's frames are pages, read like the database's.
#[test]
fn a_sqlite_write_ahead_log_is_read_frame_by_frame() {
    let dir = temp_dir();
    let token = fake_token(&mut Rng::new(2207));
    let script = format!(
        "import shutil, sqlite3, sys\n\
         db = sqlite3.connect(sys.argv[1] + '/work.db')\n\
         db.execute('PRAGMA journal_mode=WAL')\n\
         db.execute('PRAGMA wal_autocheckpoint=0')\n\
         db.execute('CREATE TABLE settings (key TEXT, value TEXT)')\n\
         db.execute(\"INSERT INTO settings VALUES ('hf_token', '{token}')\")\n\
         db.commit()\n\
         shutil.copy(sys.argv[1] + '/work.db-wal', sys.argv[1] + '/scan/app.db-wal')\n\
         db.close()\n"
    );
    std::fs::create_dir_all(dir.path().join("scan")).unwrap();
    let output = std::process::Command::new("python3")
        .args(["-c", &script])
        .arg(dir.path())
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{output:?}");
    let (report, code) = json_report(&dir.path().join("scan"), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0]["secret"], token.as_str());
    assert_eq!(findings(&report)[0]["encoding"], "sqlite");
}

/// The files `bench/ml_artifacts.py --fixtures` wrote with pyarrow, polars and numpy (their
/// bytes, not this project's idea of them): Parquet with every codec pyarrow and polars write,
/// PLAIN and delta-encoded pages, v1 and v2 data pages, nested columns and footer metadata;
/// Arrow IPC files and streams, uncompressed, lz4 and zstd, with string, large_string,
/// dictionary and polars' string_view columns; 7z archives from py7zr (its default BCJ x86 over
/// LZMA2, LZMA2, LZMA). A library's bytes change between its versions,
/// so the files are checked for what they hold, then scanned: every token is found, by the
/// format's own reader.
#[test]
fn parquet_arrow_numpy_joblib_and_7z_files_written_by_the_libraries_are_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("tokens.json")).unwrap()).unwrap();
    let expected = expected.as_object().unwrap();
    let mut plainly_visible = 0;
    let mut total = 0;
    for (name, entry) in expected {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        // What each file is, by its own magic.
        match name.rsplit('.').next().unwrap() {
            "parquet" => assert!(
                bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
                "{name} is not Parquet"
            ),
            "arrow" => assert!(
                bytes.starts_with(b"ARROW1") || bytes.starts_with(&[0xff; 4]),
                "{name} is not Arrow IPC"
            ),
            "npy" => assert!(bytes.starts_with(b"\x93NUMPY"), "{name} is not numpy"),
            "npz" => assert!(bytes.starts_with(b"PK"), "{name} is not a zip"),
            "joblib" => assert!(bytes.starts_with(b"\x80\x04"), "{name} is not a pickle"),
            "7z" => assert!(bytes.starts_with(b"7z\xbc\xaf\x27\x1c"), "{name} is not 7z"),
            other => panic!("{name}: no check for .{other}"),
        }
        for token in entry["tokens"].as_array().unwrap() {
            total += 1;
            let token = token.as_str().unwrap().as_bytes();
            // Where a token lies in the bytes with a boundary on both sides, a plain search
            // finds it too; most of these are compressed or glued to their neighbours.
            let visible = bytes.windows(token.len()).enumerate().any(|(at, window)| {
                window == token
                    && !bytes
                        .get(at.wrapping_sub(1))
                        .is_some_and(u8::is_ascii_alphanumeric)
                    && !bytes
                        .get(at + token.len())
                        .is_some_and(u8::is_ascii_alphanumeric)
            });
            plainly_visible += usize::from(visible);
        }
    }
    assert!(
        plainly_visible * 4 < total,
        "{plainly_visible} of {total} tokens are plainly visible: the fixtures test little"
    );
    // Copied out: the project config keeps fixtures/ out of the self-scan.
    let copy = temp_dir();
    for name in expected.keys() {
        std::fs::copy(dir.join(name), copy.path().join(name)).unwrap();
    }
    let (report, code) = json_report(copy.path(), &["--show-secrets"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["stats"]["incomplete"], false, "{report}");
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    for finding in findings(&report) {
        let path = finding["location"]["path"].as_str().unwrap();
        let encoding = finding["encoding"].as_str().unwrap();
        let readers: &[&str] = match path.rsplit('.').next().unwrap() {
            "npy" | "npz" => &["numpy"],
            // joblib's arrays inside its pickle, and the pickle's own strings.
            "joblib" => &["numpy", "pickle"],
            "parquet" => &["parquet"],
            "arrow" => &["arrow"],
            "7z" => &["7z"],
            other => panic!("no reader for .{other}"),
        };
        if readers.contains(&encoding) {
            found.insert((
                path.trim_start_matches("./").to_string(),
                finding["secret"].as_str().unwrap().to_string(),
            ));
        }
    }
    for (name, entry) in expected {
        for (token, holds) in entry["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .zip(entry["holds"].as_array().unwrap())
        {
            let key = (name.clone(), token.as_str().unwrap().to_string());
            assert!(
                found.contains(&key),
                "{name}: the token in {holds} was not found by its reader: {report}"
            );
        }
    }
}

/// A repository tarred with its `.git` (a container layer that copied one): after `git gc`
/// the history is one pack, the older version of a file a delta against the newer. Both
/// tokens are found inside the pack, each named by its blob id, with offset deltas (git's
/// default) and with ref deltas (`repack.useDeltaBaseOffset=false`). The scan used to pass.
#[test]
fn git_packs_inside_an_archive_are_read_object_by_object() {
    for offset_deltas in [true, false] {
        let dir = temp_dir();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        let mut rng = Rng::new(2207 + u64::from(offset_deltas));
        let (old, new) = (fake_token(&mut rng), fake_token(&mut rng));
        // A file large enough that git stores one version as a delta of the other.
        let body: String = (0..400).map(|n| format!("setting_{n} = {n}\n")).collect();
        write(&repo, "config.py", format!("HF_TOKEN = \"{old}\"\n{body}"));
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-qm", "first"]);
        write(&repo, "config.py", format!("HF_TOKEN = \"{new}\"\n{body}"));
        git(&repo, &["commit", "-qam", "second"]);
        let ids = [
            git(&repo, &["rev-parse", "HEAD~1:config.py"]),
            git(&repo, &["rev-parse", "HEAD:config.py"]),
        ];
        let base_offset = if offset_deltas { "true" } else { "false" };
        git(
            &repo,
            &[
                "-c",
                &format!("repack.useDeltaBaseOffset={base_offset}"),
                "repack",
                "-adfq",
            ],
        );
        git(&repo, &["prune-packed"]);
        git(&repo, &["rm", "-q", "--cached", "config.py"]);
        std::fs::remove_file(repo.join("config.py")).unwrap();
        let mut archive = tar::Builder::new(Vec::new());
        archive.append_dir_all("app", &repo).unwrap();
        let scan = dir.path().join("scan");
        std::fs::create_dir(&scan).unwrap();
        write(&scan, "layer.tar", archive.into_inner().unwrap());
        let (report, code) = json_report(&scan, &["--show-secrets"]);
        assert_eq!(code, 1, "{report}");
        let found: BTreeSet<(String, String)> = findings(&report)
            .iter()
            .map(|f| {
                let member = f["location"]["member"].as_str().unwrap();
                (
                    member.rsplit('!').next().unwrap().to_string(),
                    f["secret"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for (id, token) in ids.iter().zip([&old, &new]) {
            assert!(
                found.contains(&(id.trim().to_string(), token.clone())),
                "offset deltas {offset_deltas}: blob {id} not found: {report}"
            );
        }
        let pack_hits = findings(&report)
            .iter()
            .filter(|f| f["location"]["member"].as_str().unwrap().contains(".pack!"))
            .count();
        assert_eq!(pack_hits, 2, "{report}");
        assert_eq!(report["stats"]["incomplete"], false, "{report}");
    }
}

//! Zip members met before, scanned once per scan.
//!
//! A repository's history holds many versions of the same archive (the `datasets` repository
//! has thousands of `dummy_data.zip`), and most members are byte for byte the same from one
//! version to the next. A member is known by the SHA-256 of its compressed bytes, its
//! compression method and the encoding its frame reports: never by CRC-32 and size, which a
//! contributor can forge to make a leaking member pass for a clean one seen before. Its
//! outcome (the hits inside, named relative to the member; nested members and entries) is kept
//! and replayed wherever the same member appears again, so every archive and commit it is in
//! gets its findings exactly as if it had been inflated there.
//!
//! Only outcomes that owe nothing to the rest of the item are kept: a member whose scan warned,
//! dropped hits past the item's limit or ran out of the item's work budget is scanned again
//! each time. The cache holds at most `MAX_MEMBERS` outcomes (a clean member costs a key and a
//! few counters) and at most `MAX_CACHED_HITS` hits in all, none with more than
//! `MAX_OUTCOME_HITS`: an archive history of distinct members full of tokens must not make the
//! cache hold every hit of the scan; past a bound, members are scanned as before.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::detect::scan::Hit;

/// Outcomes kept per scan: about 100 bytes each when clean, so at most ~25 MB.
const MAX_MEMBERS: usize = 1 << 18;

/// Hits one kept outcome may hold, and all kept outcomes together (a hit is a few hundred
/// bytes with its token and member name).
const MAX_OUTCOME_HITS: usize = 64;
const MAX_CACHED_HITS: usize = 1 << 14;

/// Members smaller than this (compressed) are inflated again rather than hashed and looked up.
pub(super) const MIN_MEMBER_BYTES: u64 = 256;

/// The identity of a member's content: SHA-256 over its method, the encoding it is read as,
/// and its compressed bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct MemberKey([u8; 32]);

impl MemberKey {
    /// Hashes `raw` (the member's compressed bytes) under `method` and `encoding`.
    pub(super) fn of(method: &str, encoding: &str, raw: &mut dyn Read) -> io::Result<Self> {
        let mut hasher = Sha256::new();
        for label in [method, encoding] {
            hasher.update((label.len() as u64).to_le_bytes());
            hasher.update(label.as_bytes());
        }
        let mut buffer = [0u8; 64 << 10];
        loop {
            let read = match raw.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            hasher.update(&buffer[..read]);
        }
        Ok(Self(hasher.finalize().into()))
    }
}

/// What scanning a member added to its item, relative to the member.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Members counted (the member itself and any nested in it).
    pub members: u64,
    /// Archive entries admitted under it (nested archives' entries).
    pub entries: u64,
    /// Its hits, each `member` holding what follows the member's own label (`""` for the
    /// member itself, `"!inner.csv"` for a member nested in it).
    pub hits: Vec<Hit>,
}

/// The outcomes of the members scanned so far, shared by every worker of a scan.
#[derive(Default)]
pub struct MemberCache {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    outcomes: HashMap<MemberKey, Arc<Outcome>>,
    hits: usize,
}

impl MemberCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn get(&self, key: &MemberKey) -> Option<Arc<Outcome>> {
        self.kept().outcomes.get(key).cloned()
    }

    /// Keeps `outcome` unless a bound says no (see the module's documentation).
    pub(super) fn insert(&self, key: MemberKey, outcome: Outcome) {
        let hits = outcome.hits.len();
        let mut kept = self.kept();
        if kept.outcomes.len() < MAX_MEMBERS
            && hits <= MAX_OUTCOME_HITS
            && kept.hits + hits <= MAX_CACHED_HITS
            && !kept.outcomes.contains_key(&key)
        {
            kept.hits += hits;
            kept.outcomes.insert(key, Arc::new(outcome));
        }
    }

    /// How many member outcomes are kept (for tests).
    pub fn len(&self) -> usize {
        self.kept().outcomes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write as _};

    use super::*;
    use crate::content::{ContentOptions, ContentScanner};
    use crate::detect::matcher::Matcher;
    use crate::detect::rules::Rules;
    use crate::testing::{fake_token, tokens_by_member, Rng};

    /// A zip of `members` (name, content), each deflated unless `stored`.
    fn zip_of(members: &[(&str, &dyn AsRef<[u8]>)], stored: bool) -> Vec<u8> {
        let method = if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in members {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content.as_ref()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// Text that deflate cannot shrink much: numbers from `rng`, one per line.
    fn noise(rng: &mut Rng, lines: usize) -> String {
        (0..lines)
            .map(|_| format!("{}\n", rng.next_u64()))
            .collect()
    }

    /// Two versions of an archive share a member: it is inflated once, and the second
    /// version's findings are what scanning it there gives, under the second archive's name.
    #[test]
    fn a_member_met_again_is_replayed_with_its_findings_under_its_new_place() {
        let mut rng = Rng::new(2501);
        let token = fake_token(&mut rng);
        let shared = format!("{}HF_TOKEN={token}\n", noise(&mut rng, 100));
        let (a, b) = (noise(&mut rng, 50), noise(&mut rng, 50));
        let first = zip_of(&[("data/train.csv", &shared), ("a.txt", &a)], false);
        let inner = zip_of(&[("train.csv", &shared)], false);
        let second = zip_of(&[("moved/train.csv", &shared), ("b.txt", &b)], false);
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let cache = MemberCache::new();
        let mut scanner =
            ContentScanner::new(&matcher, ContentOptions::default()).with_member_cache(&cache);
        let uncached = |bytes: &[u8]| {
            ContentScanner::new(&matcher, ContentOptions::default()).scan_bytes(bytes)
        };
        let found_first = scanner.scan_bytes(&first);
        assert_eq!(cache.len(), 2, "both members of the first archive are kept");
        let found_second = scanner.scan_bytes(&second);
        assert_eq!(cache.len(), 3, "only b.txt was new");
        assert_eq!(
            tokens_by_member(&found_second),
            [("moved/train.csv".to_string(), token.clone())]
        );
        for (cached, bytes) in [(found_first, &first), (found_second, &second)] {
            let plain = uncached(bytes);
            assert_eq!(cached.hits, plain.hits);
            assert_eq!(cached.members, plain.members);
            assert!(cached.warnings.is_empty(), "{:?}", cached.warnings);
        }
        let found_inner = scanner.scan_bytes(&inner);
        assert_eq!(
            tokens_by_member(&found_inner),
            [("train.csv".to_string(), token)]
        );
    }

    /// A contributor controls a member's CRC-32 and sizes: a leaking member forged to carry a
    /// clean member's CRC-32, size and name is still read, because members are known by a
    /// cryptographic hash of their bytes.
    #[test]
    fn a_member_forged_to_look_like_a_clean_one_is_still_read() {
        let mut rng = Rng::new(2502);
        let token = fake_token(&mut rng);
        let clean_text = format!("HF_TOKEN=hf_{}\n{}", "x".repeat(34), "#".repeat(300));
        let leaking_text = format!("HF_TOKEN={token}\n{}", "#".repeat(300));
        assert_eq!(clean_text.len(), leaking_text.len());
        let clean = zip_of(&[("config.env", &clean_text)], true);
        let mut forged = zip_of(&[("config.env", &leaking_text)], true);
        // Copy the clean member's CRC-32 into the forged archive's local and central headers.
        let crc = crc32_of(&clean);
        let leaking_crc = crc32_of(&forged);
        let mut replaced = 0;
        for at in 0..forged.len() - 4 {
            if forged[at..at + 4] == leaking_crc {
                forged[at..at + 4].copy_from_slice(&crc);
                replaced += 1;
            }
        }
        assert_eq!(replaced, 2, "the local and the central header");
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let cache = MemberCache::new();
        let mut scanner =
            ContentScanner::new(&matcher, ContentOptions::default()).with_member_cache(&cache);
        assert!(scanner.scan_bytes(&clean).hits.is_empty());
        assert_eq!(cache.len(), 1);
        let found = scanner.scan_bytes(&forged);
        assert_eq!(
            tokens_by_member(&found),
            [("config.env".to_string(), token)],
            "{:?}",
            found.warnings
        );
    }

    /// A member full of tokens is scanned wherever it appears, never held in the cache: the
    /// cache's memory is bounded by hits as well as by members.
    #[test]
    fn a_member_with_many_tokens_is_not_kept() {
        let mut rng = Rng::new(2504);
        let many: String = (0..MAX_OUTCOME_HITS + 1)
            .map(|_| format!("{}\n", fake_token(&mut rng)))
            .collect();
        let archive = zip_of(&[("tokens.txt", &many)], false);
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let cache = MemberCache::new();
        let mut scanner =
            ContentScanner::new(&matcher, ContentOptions::default()).with_member_cache(&cache);
        let found = scanner.scan_bytes(&archive);
        assert_eq!(found.hits.len(), MAX_OUTCOME_HITS + 1);
        assert!(cache.is_empty(), "{} kept", cache.len());
        assert_eq!(scanner.scan_bytes(&archive).hits, found.hits);
    }

    /// The CRC-32 field of a one-member stored zip's local header.
    fn crc32_of(zip: &[u8]) -> [u8; 4] {
        assert_eq!(&zip[..4], b"PK\x03\x04");
        zip[14..18].try_into().unwrap()
    }

    /// A member whose scan stopped at a limit of its item is scanned again, never replayed
    /// short.
    #[test]
    fn a_member_cut_short_by_its_item_is_not_kept() {
        let mut rng = Rng::new(2503);
        let tokens: Vec<String> = (0..4).map(|_| fake_token(&mut rng)).collect();
        let inner = zip_of(
            &[
                ("a.txt", &format!("{}{}", tokens[0], noise(&mut rng, 30))),
                ("b.txt", &format!("{}{}", tokens[1], noise(&mut rng, 30))),
                ("c.txt", &format!("{}{}", tokens[2], noise(&mut rng, 30))),
            ],
            true,
        );
        assert!(inner.len() > MIN_MEMBER_BYTES as usize);
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let cache = MemberCache::new();
        let options = ContentOptions {
            max_entries: 3,
            ..ContentOptions::default()
        };
        let archive = zip_of(&[("nested.zip", &inner)], true);
        let mut scanner = ContentScanner::new(&matcher, options).with_member_cache(&cache);
        let first = scanner.scan_bytes(&archive);
        assert!(!first.warnings.is_empty(), "the entry limit was reached");
        assert_eq!(cache.len(), 2, "the nested members, not nested.zip itself");
        let again = scanner.scan_bytes(&archive);
        assert_eq!(again.hits, first.hits);
        assert_eq!(again.warnings, first.warnings);
    }
}

//! The content layer on hostile bytes: archives (tar with PAX and GNU headers, zip with
//! comments and bytes outside its members), compressed streams (gzip member headers), pickles,
//! `.pyc` and UTF-16 that are truncated, corrupt or crafted. Nothing may panic or run away, and the two ways in (bytes
//! in memory, as git blobs arrive; a stream, as standard input arrives) must find the same
//! tokens in the same members whenever both read everything.
#![no_main]

use std::sync::OnceLock;

use hf_scan::content::{ContentOptions, ContentScanner};
use hf_scan::detect::matcher::Matcher;
use hf_scan::detect::rules::Rules;
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(Rules::builtin()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let options = ContentOptions {
        max_inflated: 1 << 20,
        max_entries: 1_000,
        // Small, so bombs reach the work budget in a fuzz run.
        item_work: 4 << 20,
        ..ContentOptions::default()
    };
    let from_bytes = ContentScanner::new(matcher(), options).scan_bytes(data);
    let from_stream = ContentScanner::new(matcher(), options)
        .scan_reader(data)
        .unwrap();
    // A corrupt compressed stream may yield a little more or less before its error depending
    // on how the input arrives (a decoder drops the output of the call that fails); both are
    // then incomplete, with warnings. Complete scans must agree exactly.
    if from_bytes.warnings.is_empty() && from_stream.warnings.is_empty() {
        assert_eq!(from_bytes.hits, from_stream.hits);
    }
});

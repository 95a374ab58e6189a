//! The matcher with its decoders, through the chunked reader and the whole-buffer scan: they
//! must agree on every input (a token is never lost or doubled at a chunk edge), and nothing
//! may panic. The first byte picks the chunk size, so edges land everywhere.
#![no_main]

use std::sync::OnceLock;

use hf_scan::detect::matcher::Matcher;
use hf_scan::detect::rules::Rules;
use hf_scan::detect::scan::ChunkScanner;
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(Rules::builtin()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, input)) = data.split_first() else {
        return;
    };
    let whole = ChunkScanner::new(matcher()).scan_bytes(input).hits;
    // The smallest chunk the scanner allows, plus up to 255 bytes.
    let chunked = ChunkScanner::with_chunk_size(matcher(), usize::from(size))
        .scan_reader(input)
        .unwrap()
        .hits;
    assert_eq!(whole, chunked);
});

//! Git objects as a history scan reads them from a repository it does not trust (raw trees,
//! commits, pack entry headers, deltas): any bytes are read or refused, never a panic, never
//! an allocation the bytes do not pay for.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hf_scan::source::git::fuzz_git_objects(data);
});

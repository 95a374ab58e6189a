//! GitHub event payloads: any JSON, under any event name, is parsed without a panic.
#![no_main]

use hf_scan::github_event::{parse_payload, wanted_commits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(payload) = parse_payload(text) else {
        return;
    };
    for name in ["pull_request", "pull_request_target", "push", "schedule"] {
        let _ = wanted_commits(name, &payload);
    }
});

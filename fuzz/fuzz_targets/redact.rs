//! Redaction of echoed strings (commit summaries, paths, errors): never a panic, no control
//! character left, and nothing the matcher would call a token left in the output.
#![no_main]

use std::sync::OnceLock;

use hf_scan::detect::matcher::Matcher;
use hf_scan::detect::rules::Rules;
use hf_scan::sanitize;
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(Rules::builtin()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let shown = sanitize::for_display(text);
    assert!(
        !shown.chars().any(char::is_control),
        "a control character survived"
    );
    let left = matcher()
        .find_all(shown.as_bytes())
        .into_iter()
        .filter(|found| found.decoded.is_none())
        .count();
    assert_eq!(left, 0, "a token survived redaction");
});

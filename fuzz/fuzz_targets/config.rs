//! `.hf-scan.toml` from a hostile pull request: any text is a config or a clear error, never a
//! panic. Extra rule files resolve against an empty directory, so none is ever read.
#![no_main]

use std::path::Path;

use hf_scan::project::{ProjectConfig, ProjectFiles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let empty = Path::new("/nonexistent/hf-scan-fuzz");
    if let Ok(config) = ProjectConfig::parse(text, "fuzz", &ProjectFiles::Disk, empty) {
        let _ = config.is_excluded("a/b.env", false);
    }
});

//! Standard input, for `hf-scan -` and pipelines such as `git diff | hf-scan -`.

use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::SourceKind;
use crate::matcher::Matcher;
use crate::scan::ChunkScanner;

/// What reports show as the path of standard input.
pub const STDIN_PATH: &str = "-";

/// Scans standard input in bounded chunks, so an endless pipe costs one chunk of memory.
pub fn scan_stdin(matcher: &Matcher, events: &EventSender) {
    let mut scanner = ChunkScanner::new(matcher);
    let event = match scanner.scan_reader(std::io::stdin().lock()) {
        Ok(scanned) => Event::Content {
            origin: Origin {
                source: SourceKind::Stdin,
                path: Some(STDIN_PATH.to_string()),
                repo_path: None,
                commit: None,
                tag: None,
                in_head: None,
            },
            scanned,
        },
        Err(err) => Event::Warning(format!("standard input: {err}")),
    };
    EventSink::new(events).send(event);
}

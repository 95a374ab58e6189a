//! Standard input, for `hf-scan -` and pipelines such as `git diff | hf-scan -`.

use super::{ScanContext, Source};
use crate::collector::{Event, EventSender, EventSink, Origin};
use crate::finding::SourceKind;

/// What reports show as the path of standard input.
pub const STDIN_PATH: &str = "-";

/// Standard input, scanned in bounded chunks (an endless pipe costs one chunk of memory); a
/// tarball or a compressed stream piped in is opened like a file.
pub struct Stdin;

impl Source for Stdin {
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()> {
        scan_stdin(context, events);
        Ok(())
    }
}

fn scan_stdin(context: &ScanContext, events: &EventSender) {
    let mut scanner = context.scanner();
    let event = match scanner.scan_reader(std::io::stdin().lock()) {
        Ok(scanned) => Event::Content {
            origin: Origin::file(SourceKind::Stdin, Some(STDIN_PATH.to_string()), None),
            scanned,
        },
        Err(err) => Event::Warning(format!("standard input: {err}")),
    };
    EventSink::new(events).send(event);
}

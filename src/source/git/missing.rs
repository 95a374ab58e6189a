//! Objects a scan could not read (a partial clone, a damaged repository): one warning with
//! the count and the first few named (with their path and commit where known), never
//! "clean".

use git2::Oid;

use crate::collector::{Event, EventSink};

/// How many unreadable objects are named before the rest are only counted.
const MISSING_NAMED: usize = 5;

/// Collects unreadable objects into one warning: how many, and the first few by kind, id and,
/// where known, the path and commit they belong to.
#[derive(Default)]
pub(super) struct Missing {
    named: Vec<String>,
    pub(super) count: usize,
}

impl Missing {
    pub(super) fn record(&mut self, what: &str, oid: Oid, err: &git2::Error) {
        self.record_at(what, oid, None, err);
    }

    /// As `record`, saying where the object is (`src/app.py at commit 1a2b3c4d5e`).
    pub(super) fn record_at(
        &mut self,
        what: &str,
        oid: Oid,
        place: Option<String>,
        err: &git2::Error,
    ) {
        self.count += 1;
        if self.named.len() < MISSING_NAMED {
            let place = place.map_or(String::new(), |place| format!(", {place}"));
            self.named
                .push(format!("{what} {oid}{place} ({})", err.message()));
        }
    }

    pub(super) fn merge(&mut self, other: Missing) {
        self.count += other.count;
        for warning in other.named {
            if self.named.len() < MISSING_NAMED {
                self.named.push(warning);
            }
        }
    }

    /// One warning, however many objects: a mirror missing thousands reads as one line.
    pub(super) fn send(self, events: &mut EventSink) {
        if self.count == 0 {
            return;
        }
        let more = match self.count - self.named.len() {
            0 => String::new(),
            more => format!("; and {more} more"),
        };
        events.send(Event::Warning(format!(
            "{} could not be read (missing from a partial clone or a damaged repository), so \
             what {} was not scanned: {}{more}",
            match self.count {
                1 => "1 git object".to_string(),
                count => format!("{count} git objects"),
            },
            if self.count == 1 {
                "it holds"
            } else {
                "they hold"
            },
            self.named.join("; ")
        )));
    }
}

//! Objects a scan could not read (a partial clone, a damaged repository): the first few named
//! by id, then a count, always a warning (never "clean").

use git2::Oid;

use crate::collector::{Event, EventSink};

/// How many unreadable objects are named one by one before the rest are only counted.
const MISSING_NAMED: usize = 10;

/// Collects unreadable-object warnings: the first few by id, then a count.
#[derive(Default)]
pub(super) struct Missing {
    named: Vec<String>,
    pub(super) count: usize,
}

impl Missing {
    pub(super) fn record(&mut self, what: &str, oid: Oid, err: &git2::Error) {
        self.count += 1;
        if self.named.len() < MISSING_NAMED {
            self.named.push(format!("{what} {oid}: {}", err.message()));
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

    pub(super) fn send(self, events: &mut EventSink) {
        if self.count == 0 {
            return;
        }
        for warning in self.named {
            events.send(Event::Warning(format!("git object unreadable: {warning}")));
        }
        events.send(Event::Warning(format!(
            "{} git object(s) could not be read (missing from a partial clone or a damaged \
             repository); what they hold was not scanned",
            self.count
        )));
    }
}

//! Where bytes come from: the working tree (`fs`), standard input (`stdin`), git history and
//! the index (`git`). Every source is a `Source`: it reads its content, hands each piece with
//! its provenance to the content layer (`content::ContentScanner`, which opens containers and
//! runs the matcher), and sends what was found to the collector as `Event`s; none of them
//! prints. A new source (the Hub) is one more implementation: the matcher, the content layer
//! and the reporters do not change.

pub mod diff;
pub mod fs;
pub mod git;
pub mod stdin;
mod tree_walk;

use crate::collector::EventSender;
use crate::content::{ContentOptions, ContentScanner};
use crate::detect::matcher::Matcher;
use crate::project::ProjectConfig;

/// What every source scans with.
#[derive(Clone, Copy)]
pub struct ScanContext<'a> {
    pub matcher: &'a Matcher,
    pub project: &'a ProjectConfig,
    pub content: ContentOptions,
    /// Worker threads a source may use.
    pub threads: usize,
    /// Where a source names its phases and counts its steps (the terminal's progress line).
    pub progress: &'a crate::progress::Progress,
    /// `--verbose`: sources say which paths they passed over and why ([`Event::PassedOver`]).
    pub verbose: bool,
    /// Zip members scanned so far, shared by every worker: each distinct member is inflated
    /// once per scan (`content::members`).
    pub members: &'a crate::content::MemberCache,
}

impl<'a> ScanContext<'a> {
    /// A content scanner for one worker thread.
    pub fn scanner(&self) -> ContentScanner<'a> {
        ContentScanner::new(self.matcher, self.content).with_member_cache(self.members)
    }
}

/// Something to scan.
pub trait Source: Sync {
    /// Scans all of it, sending events. An error means the source could not run at all (the
    /// repository vanished); what could not be read inside it is a warning event.
    fn scan(&self, context: &ScanContext, events: &EventSender) -> anyhow::Result<()>;
}

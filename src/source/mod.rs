//! Where bytes come from. Each source scans its content with the shared matcher and sends what
//! it found, with its origin, to the collector; none of them prints.

pub mod fs;
pub mod git;
pub mod stdin;

//! Talking to the Hugging Face Hub: the `whoami-v2` client that verifies and revokes tokens
//! (`verify`), and the `hf-scan verify`/`revoke` commands built on it (`incident`). What the
//! Hub answers becomes `finding::Verification`, a plain value the rest of the crate reads.

pub mod incident;
pub mod verify;

//! Talking to the Hugging Face Hub. `client` is the one way requests leave hf-scan (endpoint
//! checks, transport, body caps, rate-limit pacing); `verify` asks whoami about tokens and
//! revokes them; `reach` counts what a live token gets at; `cache` remembers answers between
//! runs; `incident` is the `hf-scan verify`/`revoke` commands. What the Hub answers becomes
//! `finding::Verification`, a plain value the rest of the crate reads.

pub mod account;
pub mod audit;
pub mod buckets;
pub mod cache;
pub mod client;
pub mod incident;
pub mod lfs;
pub mod reach;
pub mod verify;

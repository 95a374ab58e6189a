//! Talking to the Hugging Face Hub. `client` is the one way requests leave hf-scan (endpoint
//! checks, transport, body caps, rate-limit pacing); `verify` asks whoami about tokens and
//! revokes them; `reach` counts what a live token gets at; `cache` remembers answers between
//! runs; `audit` is `hf-scan hub`, whose Hub places (`lfs`, `buckets`, `account`, discussions)
//! are `source::Source`s like the local ones. What the Hub answers becomes
//! `finding::Verification`, a plain value the rest of the crate reads. Nothing here depends on
//! `cli` or the commands: `cli` builds `audit::AuditPlan` and `verify::VerifyConfig`, and
//! the `hf-scan verify`/`revoke` commands live in `crate::incident`.

pub mod account;
pub mod audit;
pub mod buckets;
pub mod cache;
pub mod client;
pub mod lfs;
pub mod reach;
pub mod verify;

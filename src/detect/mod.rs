//! Finding tokens in bytes: the rules (`rules`), the one-regex matcher with its boundary and
//! placeholder checks (`matcher`), the encoded forms it also searches (`decode`), and the
//! chunked scanner that turns a stream into hits with positions (`scan`). Nothing here knows
//! where the bytes came from.

pub mod decode;
pub mod matcher;
pub mod rules;
pub mod scan;

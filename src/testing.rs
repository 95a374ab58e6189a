//! Fake tokens for tests, made at run time so that no token-shaped literal sits in the source.
//!
//! Public (but hidden from docs) so the integration tests under `tests/` can share it.

/// A small deterministic generator (SplitMix64): tests must be repeatable, and a dependency for
/// this would be waste. Its outputs pass the usual statistical tests, which matters here: the
/// placeholder check is tested by drawing a million "random" tokens.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random 34-character body of letters and digits, as the Hub issues them.
pub fn fake_body(rng: &mut Rng) -> String {
    (0..34)
        .map(|_| ALPHANUMERIC[rng.below(ALPHANUMERIC.len() as u64) as usize] as char)
        .collect()
}

/// A fake user access token: `hf_` and a random body.
pub fn fake_token(rng: &mut Rng) -> String {
    format!("hf_{}", fake_body(rng))
}

/// A fake legacy organisation token.
pub fn fake_org_token(rng: &mut Rng) -> String {
    format!("api_org_{}", fake_body(rng))
}

/// Each hit of a scan as (member, token): what the content layer's tests compare.
pub fn tokens_by_member(scanned: &crate::detect::scan::Scanned) -> Vec<(String, String)> {
    scanned
        .hits
        .iter()
        .map(|hit| {
            (
                hit.member.clone().unwrap_or_default(),
                hit.secret.expose().to_string(),
            )
        })
        .collect()
}

//! Finds tokens in a buffer.
//!
//! All rules are joined into one regular expression whose literal prefixes (`hf_`, `api_org_`)
//! the regex engine turns into a vectorised prefilter, so most bytes are skipped at memchr speed.
//! Only the few candidates it yields pay for what a regex cannot say cheaply: the boundaries
//! (no lookbehind in the `regex` crate) and the placeholder checks that tell a random token from
//! `hf_xxxx…` or an identifier such as `hf_downloadwithretries…`.

use std::sync::{Arc, OnceLock};

use crate::detect::decode::{self, EncodedPrefix, Encoding, Run};
use crate::detect::rules::{Rules, MAX_TOKEN_LEN};

/// Why a candidate that the pattern matched is not a token. Kept so tests, and users reading
/// `--explain`-style diagnostics in future, can tell which check said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Glued to a preceding letter, digit or underscore, or followed by a letter or digit.
    Boundary,
    /// Shaped like a token but not random: `hf_xxxx…`, an alphabet run, an identifier.
    Placeholder,
}

/// A token the matcher accepted: which rule, and where in the buffer. For an encoded token,
/// `start..end` spans its encoding and `decoded` holds the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub decoded: Option<(Encoding, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct Matcher {
    rules: Rules,
    /// Every rule's pattern and every encoded prefix literal, in one regex: compiled by `new`,
    /// or for the built-in rules on a thread of its own (`builtin`). Shared by clones.
    combined: Arc<OnceLock<regex::bytes::Regex>>,
    combined_pattern: Arc<str>,
    /// Only the rules' patterns: for decoded runs, and for the raw bytes of a run skipped whole.
    /// Compiled on first use (most scans decode nothing).
    plain: OnceLock<regex::bytes::Regex>,
    plain_pattern: String,
    /// Encoded forms of each rule's prefix: (rule, the literal and its alignment).
    encoded: Vec<(usize, EncodedPrefix)>,
    /// Each rule's literal prefix, to tell at once whether decoded bytes can hold a token.
    prefixes: Vec<memchr::memmem::Finder<'static>>,
}

/// How far each alignment class of encoded runs has been decoded in the current search:
/// base64 has four (the group grid), UTF-16 two (the byte parity), UTF-32 four. A hit inside a run already
/// decoded for its class costs nothing more.
#[derive(Default)]
struct Decoded {
    base64: [usize; 4],
    utf16: [usize; 2],
    utf32: [usize; 4],
    buffer: Vec<u8>,
}

impl Decoded {
    fn done(&mut self, encoding: Encoding) -> &mut [usize] {
        match encoding {
            Encoding::Base64 => &mut self.base64,
            Encoding::Utf16Le => &mut self.utf16,
            Encoding::Utf32Le => &mut self.utf32,
        }
    }
}

/// The built-in rules' matcher, its regex being compiled since the first `Matcher::builtin`.
static BUILTIN: OnceLock<Matcher> = OnceLock::new();

fn compile(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
}

impl Matcher {
    /// A matcher for `rules`, its regex compiled now: a rule set the regex engine refuses is
    /// an error here, before any work.
    pub fn new(rules: Rules) -> Result<Self, regex::Error> {
        let matcher = Self::uncompiled(rules);
        let regex = compile(&matcher.combined_pattern)?;
        let _ = matcher.combined.set(regex);
        Ok(matcher)
    }

    /// The built-in rules' matcher. The first call starts compiling its regex on a thread of
    /// its own and returns at once (the compile took 1.7 ms, as long as the rest of a small
    /// scan's start); a search that comes first waits for it. The built-in rules compile: the
    /// test suite builds them.
    pub fn builtin() -> Self {
        BUILTIN
            .get_or_init(|| {
                let matcher = Self::uncompiled(Rules::builtin());
                let compiling = matcher.clone();
                // If no thread can start, the first search compiles it.
                let _ = std::thread::Builder::new()
                    .name("rules".into())
                    .spawn(move || compiling.combined().is_match(b""));
                matcher
            })
            .clone()
    }

    fn combined(&self) -> &regex::bytes::Regex {
        self.combined.get_or_init(|| {
            compile(&self.combined_pattern)
                .expect("the built-in rules compile (the tests build them)")
        })
    }

    fn uncompiled(rules: Rules) -> Self {
        let encoded: Vec<(usize, EncodedPrefix)> = rules
            .iter()
            .enumerate()
            .flat_map(|(index, rule)| {
                decode::encoded_prefixes(rule.prefix.as_bytes())
                    .into_iter()
                    .map(move |prefix| (index, prefix))
            })
            .collect();
        let plain_patterns: Vec<String> = rules
            .iter()
            .map(|rule| format!("(?:{})", rule.pattern))
            .collect();
        // Plain patterns first: at any position, leftmost-first prefers them.
        let alternation = plain_patterns
            .iter()
            .cloned()
            .chain(encoded.iter().map(|(_, prefix)| {
                // Byte escapes: the UTF-16 forms hold NUL bytes.
                prefix
                    .literal
                    .iter()
                    .map(|b| format!("\\x{b:02X}"))
                    .collect::<String>()
            }))
            .collect::<Vec<_>>()
            .join("|");
        // A prefix that starts with another rule's prefix (`hf_oauth_`, `hf_`) adds nothing to
        // the question "can a token start here?".
        let prefixes = rules
            .iter()
            .map(|rule| rule.prefix.as_bytes())
            .filter(|prefix| {
                !rules.iter().any(|other| {
                    let other = other.prefix.as_bytes();
                    other.len() < prefix.len() && prefix.starts_with(other)
                })
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|prefix| memchr::memmem::Finder::new(prefix).into_owned())
            .collect();
        Self {
            combined: Arc::new(OnceLock::new()),
            combined_pattern: alternation.into(),
            plain: OnceLock::new(),
            plain_pattern: plain_patterns.join("|"),
            rules,
            encoded,
            prefixes,
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Calls `on_match` for every token in `haystack[from..]`, in order of position. Bytes
    /// before `from` are context only: they decide the left boundary of a token starting at
    /// `from`.
    pub fn find_in(&self, haystack: &[u8], from: usize, mut on_match: impl FnMut(RawMatch)) {
        let mut found = Vec::new();
        let mut decoded = Decoded::default();
        // After a rejected candidate the search resumes one byte later, not at its end: a
        // rejected candidate (a glued `xhf_…`, a stray encoded prefix) must not hide a token
        // that overlaps it. Except after a long one (`resume_after_rejection`).
        let mut position = from;
        while position <= haystack.len() {
            let Some(candidate) = self.combined().find_at(haystack, position) else {
                break;
            };
            let (start, end) = (candidate.start(), candidate.end());
            let encoded = self
                .encoded
                .iter()
                .find(|(_, p)| p.literal == candidate.as_bytes());
            position = match encoded {
                None => match self.judge(haystack, start, end) {
                    Ok(token) => {
                        found.push(token);
                        end
                    }
                    Err(_) => resume_after_rejection(start, end),
                },
                Some((_, prefix)) => {
                    self.decode_hit(haystack, start, prefix, &mut decoded, &mut found)
                }
            };
        }
        // Tokens from decoded runs are found when their run is, ahead of the plain search.
        found.sort_by_key(|m| (m.start, m.end));
        found.dedup();
        found.into_iter().for_each(&mut on_match);
    }

    /// Handles an encoded prefix at `at`: decodes its run unless its alignment class already
    /// covers it, collects the tokens in it, and says where the search goes on. Once every
    /// class that can hold a token in this run is decoded, the rest of the run is skipped (its
    /// raw bytes searched for plain tokens only), so a run of nothing but prefixes costs a few
    /// passes, not a decode per prefix.
    fn decode_hit(
        &self,
        haystack: &[u8],
        at: usize,
        prefix: &EncodedPrefix,
        decoded: &mut Decoded,
        found: &mut Vec<RawMatch>,
    ) -> usize {
        let group_start = match prefix.encoding {
            Encoding::Base64 => at.saturating_sub(prefix.chars_before()),
            Encoding::Utf16Le | Encoding::Utf32Le => at,
        };
        let class = match prefix.encoding {
            Encoding::Base64 => group_start % 4,
            Encoding::Utf16Le => at % 2,
            Encoding::Utf32Le => at % 4,
        };
        let done = decoded.done(prefix.encoding)[class];
        if group_start < done {
            // A second prefix in a run already decoded on this grid: the run is dense with
            // prefixes, so decode its other grids now and skip the rest of it, rather than
            // paying a search restart for every prefix in it.
            if prefix.encoding == Encoding::Base64 && done > at {
                return self.finish_base64_run(haystack, at, done, decoded, found);
            }
            return at + 1;
        }
        let Some(run) = self.search_run(haystack, at, Some(prefix), decoded, found) else {
            return at + 1;
        };
        // A short run costs little to decode on every grid at once, and then its other
        // prefixes cost nothing.
        if prefix.encoding == Encoding::Base64 && run.end > at && run.end - at <= SHORT_RUN {
            return self.finish_base64_run(haystack, at, run.end, decoded, found);
        }
        // UTF-16: the other parity cannot hold a prefix inside this run, nor can a plain token
        // (every other byte is NUL). Base64: skip once all four grids are decoded.
        let whole_run_done = match prefix.encoding {
            Encoding::Utf16Le | Encoding::Utf32Le => true,
            Encoding::Base64 => decoded.base64.iter().all(|&done| done == run.end),
        };
        if whole_run_done && run.end > at {
            self.find_plain(haystack, at, run.end, &mut |token| found.push(token));
            match prefix.encoding {
                Encoding::Base64 => resume_after_base64_run(at, run.end),
                Encoding::Utf16Le | Encoding::Utf32Le => run.end,
            }
        } else {
            at + 1
        }
    }

    /// Decodes the base64 run `..end` (entered at `at`) on every grid not decoded yet, searches
    /// its raw bytes for plain tokens, and says where the search resumes: past the run.
    fn finish_base64_run(
        &self,
        haystack: &[u8],
        at: usize,
        end: usize,
        decoded: &mut Decoded,
        found: &mut Vec<RawMatch>,
    ) -> usize {
        for grid in 0..4 {
            if decoded.base64[grid] < end {
                let first = at + (grid + 4 - at % 4) % 4;
                if first < end {
                    self.search_run(haystack, first, None, decoded, found);
                }
                decoded.base64[grid] = end;
            }
        }
        self.find_plain(haystack, at, end, &mut |token| found.push(token));
        resume_after_base64_run(at, end)
    }

    /// Decodes one run and collects the tokens in it: the run of the prefix `prefix` hit at
    /// `at`, or (no prefix) the base64 run from the group at `at`. Marks its grid done.
    fn search_run(
        &self,
        haystack: &[u8],
        at: usize,
        prefix: Option<&EncodedPrefix>,
        decoded: &mut Decoded,
        found: &mut Vec<RawMatch>,
    ) -> Option<Run> {
        let mut buffer = std::mem::take(&mut decoded.buffer);
        let run = match prefix {
            Some(prefix) => decode::decode_run(haystack, at, prefix, &mut buffer),
            None => Some(decode::decode_base64_from(haystack, at, &mut buffer)),
        };
        if let Some(run) = run {
            decoded.done(run.encoding)[run.residue] = run.end;
        }
        // Most decoded runs hold no prefix at all: a literal check is far cheaper than a
        // regex search.
        let worth_searching = self
            .prefixes
            .iter()
            .any(|prefix| prefix.find(&buffer).is_some());
        if let Some(run) = run.filter(|_| worth_searching) {
            self.find_plain(&buffer, 0, buffer.len(), &mut |inner: RawMatch| {
                // Only rules whose prefix has encoded forms: the others were never searched
                // for encoded, and a short prefix in decoded noise is no evidence.
                if !self.encoded.iter().any(|(rule, _)| *rule == inner.rule) {
                    return;
                }
                found.push(RawMatch {
                    rule: inner.rule,
                    start: run.encoded_offset(inner.start),
                    end: run.encoded_end(inner.end),
                    decoded: Some((run.encoding, buffer[inner.start..inner.end].to_vec())),
                });
            });
        }
        decoded.buffer = buffer;
        run
    }

    /// Plain tokens (no decoding) starting in `haystack[from..until]`.
    fn find_plain(
        &self,
        haystack: &[u8],
        from: usize,
        until: usize,
        on_match: &mut impl FnMut(RawMatch),
    ) {
        // The search must not look past what it may report (else a call per run would scan
        // the rest of the buffer: quadratic); a token starting before `until` ends within
        // MAX_TOKEN_LEN, and the byte after it decides its right boundary. Where a token could
        // start is found first by its literal prefix, within `..until`: a kilobyte-long
        // window per run would otherwise be searched for starts that cannot be reported.
        let haystack = &haystack[..haystack.len().min(until + MAX_TOKEN_LEN + 1)];
        let mut position = from;
        let plain = self.plain.get_or_init(|| {
            compile(&self.plain_pattern).expect("a part of the combined pattern, which compiled")
        });
        while position < until {
            let Some(start) = self.next_prefix(haystack, position, until) else {
                break;
            };
            let Some(candidate) = plain.find_at(haystack, start) else {
                break;
            };
            if candidate.start() >= until {
                break;
            }
            position = match self.judge(haystack, candidate.start(), candidate.end()) {
                Ok(token) => {
                    on_match(token);
                    candidate.end()
                }
                Err(_) => resume_after_rejection(candidate.start(), candidate.end()),
            };
        }
    }

    /// Where the first rule prefix starting in `haystack[from..until]` is.
    fn next_prefix(&self, haystack: &[u8], from: usize, until: usize) -> Option<usize> {
        self.prefixes
            .iter()
            .filter_map(|finder| {
                let end = haystack.len().min(until + finder.needle().len() - 1);
                finder.find(&haystack[from..end]).map(|at| from + at)
            })
            .min()
    }

    /// Whether `haystack` holds anything a token or an encoded token could start with (no
    /// boundary or placeholder is judged): false means no part of it holds a token.
    pub fn may_hold_token(&self, haystack: &[u8]) -> bool {
        self.combined().is_match(haystack)
    }

    /// All tokens in `haystack`.
    pub fn find_all(&self, haystack: &[u8]) -> Vec<RawMatch> {
        let mut found = Vec::new();
        self.find_in(haystack, 0, |m| found.push(m));
        found
    }

    /// Decides whether the candidate `haystack[start..end]` is a token, and of which rule.
    pub fn judge(&self, haystack: &[u8], start: usize, end: usize) -> Result<RawMatch, Rejection> {
        let bounded = left_boundary_ok(haystack, start) && right_boundary_ok(haystack, end);
        if !bounded && !framed_by_length(haystack, start, end) {
            return Err(Rejection::Boundary);
        }
        let token = &haystack[start..end];
        let rule_index = self
            .rules
            .iter()
            .position(|rule| rule.matches_whole(token))
            .unwrap_or(0);
        let rule = self.rules.get(rule_index);
        if haystack
            .get(end)
            .is_some_and(|next| rule.continues_with.contains(next))
        {
            return Err(Rejection::Boundary);
        }
        if rule.placeholder_check && looks_like_placeholder(&token[rule.prefix.len()..]) {
            return Err(Rejection::Placeholder);
        }
        Ok(RawMatch {
            rule: rule_index,
            start,
            end,
            decoded: None,
        })
    }

    /// Checks every rule's examples and negative examples against this matcher; the error names
    /// the first example that disagrees with its rule.
    pub fn check_examples(&self) -> Result<(), String> {
        for (index, rule) in self.rules.iter().enumerate() {
            for example in &rule.examples {
                let found = self.find_all(example.as_bytes());
                if !found.iter().any(|m| m.rule == index) {
                    return Err(format!(
                        "rule `{}`: example does not match: {example}",
                        rule.id
                    ));
                }
            }
            for example in &rule.negative_examples {
                if !self.find_all(example.as_bytes()).is_empty() {
                    return Err(format!(
                        "rule `{}`: negative example matches: {example}",
                        rule.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Encoded bytes up to which a base64 run is decoded on all four grids at its first prefix.
const SHORT_RUN: usize = 512;

/// Where the search goes on after skipping a base64 run `..end` entered at `at`: at its last
/// byte, which may begin a UTF-16 prefix (`_` is base64 too, so `…_h` then `\0f\0_\0`).
fn resume_after_base64_run(at: usize, end: usize) -> usize {
    (end - 1).max(at + 1)
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// A token must not continue a word (`xhf_…`, `my_hf_…`), but it may follow an escape sequence
/// that ends in a letter or digit: `\n`/`\t`/`\"` in JSON and notebook strings, `\u0022`, and
/// URL escapes such as `%22` or `%3D`.
fn left_boundary_ok(haystack: &[u8], start: usize) -> bool {
    if start == 0 || !is_word_byte(haystack[start - 1]) {
        return true;
    }
    let before = &haystack[..start];
    let n = before.len();
    // `\n`, `\t`, `\r`, `\b`, `\f` and friends: one letter after a backslash.
    if n >= 2 && before[n - 2] == b'\\' && before[n - 1].is_ascii_alphabetic() {
        return true;
    }
    // `\u0022`: four hex digits after `\u`.
    if n >= 6
        && &before[n - 6..n - 4] == b"\\u"
        && before[n - 4..].iter().all(u8::is_ascii_hexdigit)
    {
        return true;
    }
    // `%22`: two hex digits after a percent sign; `\x22`: after `\x`.
    if n >= 3 && before[n - 3] == b'%' && before[n - 2..].iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    if n >= 4
        && &before[n - 4..n - 2] == b"\\x"
        && before[n - 2..].iter().all(u8::is_ascii_hexdigit)
    {
        return true;
    }
    ends_with_terminal_escape(before)
}

/// The longest terminal control sequence looked back over: `ESC [ 38;2;255;255;255 m`.
const MAX_TERMINAL_ESCAPE: usize = 24;

/// Whether `before` ends with a terminal control sequence (a colour in a traceback a notebook
/// kept): `ESC [`, parameters (digits and `;`), then a final letter, with the escape character
/// as a byte or written out as JSON, Python and shells write it (`\u001b`, `\x1b`, `\033`,
/// `\e`).
fn ends_with_terminal_escape(before: &[u8]) -> bool {
    let tail = &before[before.len().saturating_sub(MAX_TERMINAL_ESCAPE)..];
    let Some((&last, inner)) = tail.split_last() else {
        return false;
    };
    if !last.is_ascii_alphabetic() {
        return false;
    }
    let Some(open) = inner.iter().rposition(|&b| b == b'[') else {
        return false;
    };
    if !inner[open + 1..]
        .iter()
        .all(|&b| b.is_ascii_digit() || b == b';')
    {
        return false;
    }
    let escape = &inner[..open];
    [
        &b"\x1b"[..],
        b"\\u001b",
        b"\\u001B",
        b"\\x1b",
        b"\\x1B",
        b"\\033",
        b"\\e",
    ]
    .iter()
    .any(|form| escape.ends_with(form))
}

/// Type bytes that announce a string whose length follows in one byte: protobuf fields of wire
/// type 2 (any tag whose low three bits are 2), msgpack `str8` (0xd9), pickle
/// `SHORT_BINUNICODE`/`SHORT_BINSTRING`/`SHORT_BINBYTES`, marshal short ASCII (`z`, `Z`, with or
/// without the reference flag).
fn announces_short_string(byte: u8) -> bool {
    byte & 7 == 2 || matches!(byte, 0xd9 | 0x8c | b'U' | b'C' | b'z' | b'Z' | 0xfa | 0xda)
}

/// Whether the bytes before `haystack[start..end]` declare exactly its length, as binary formats
/// frame strings (protobuf, msgpack, pickle, marshal: a type byte and a 1-byte length; pickle,
/// marshal and safetensors-style headers: 4 bytes little-endian; GGUF: 8). The format then
/// bounds the token, whatever byte follows it or precedes the length: `…\x25hf_…q` in a pickle
/// is a token even though `q` is a letter. A declared length that is not the candidate's (a
/// longer string that merely starts with `hf_`) never qualifies.
fn framed_by_length(haystack: &[u8], start: usize, end: usize) -> bool {
    let length = (end - start) as u64;
    let declares = |width: usize| {
        start >= width && {
            let mut bytes = [0u8; 8];
            bytes[..width].copy_from_slice(&haystack[start - width..start]);
            u64::from_le_bytes(bytes) == length
        }
    };
    (start >= 2 && declares(1) && announces_short_string(haystack[start - 2]))
        || declares(4)
        || declares(8)
        // msgpack `str16`: 0xda and a big-endian 2-byte length.
        || (start >= 3
            && haystack[start - 3] == 0xda
            && u64::from(u16::from_be_bytes([haystack[start - 2], haystack[start - 1]])) == length)
}

/// Candidates longer than this that are rejected are skipped whole.
const LONG_CANDIDATE: usize = 64;

/// Where the search resumes after rejecting `start..end`. Short candidates (every `hf_` and
/// `api_org_` token) resume one byte later, so an overlapping token is still found. A long one
/// (an OAuth or JWT body, whose alphabet includes `_` and `-`) resumes at its end: resuming one
/// byte later would rescan up to its whole length from every `hf_` inside it, which input made
/// of `hf_oauth_` repeated turns into minutes. What is lost is a token glued inside another
/// token-shaped string, after a `-` or `_`.
fn resume_after_rejection(start: usize, end: usize) -> usize {
    if end - start > LONG_CANDIDATE {
        end
    } else {
        start + 1
    }
}

/// The token's body must end where its letters and digits end.
fn right_boundary_ok(haystack: &[u8], end: usize) -> bool {
    haystack
        .get(end)
        .is_none_or(|byte| !byte.is_ascii_alphanumeric())
}

/// Whether a token body is too regular to be a random token.
///
/// Real tokens are random draws from 62 letters and digits. Every threshold below is set so a
/// random 34-character body trips it with a probability under one in ten million (the unit tests
/// draw a million random bodies and expect none rejected), while documentation placeholders and
/// identifiers trip it at once.
pub fn looks_like_placeholder(body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    // An identifier or a shouted placeholder: letters all of one case. (26/62)^34 ≈ 1e-13.
    let has_lower = body.iter().any(u8::is_ascii_lowercase);
    let has_upper = body.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return true;
    }
    // `xxxx`, `XXXX`, `0000`: a long run of one character. Six in a row: ≈ 3e-8.
    if longest_run(body, |a, b| a == b) >= 6 {
        return true;
    }
    // `abcdef…`, `AbCdEf…`, `12345678…`: consecutive characters, ignoring case. Each step has a
    // 1-in-31 chance in a random body, so eight in a row: ≈ 27 × 31^-7 ≈ 1e-9.
    if longest_run(body, |a, b| {
        a.to_ascii_lowercase() + 1 == b.to_ascii_lowercase()
    }) >= 8
    {
        return true;
    }
    // `abababab…`, `HubCITokenXXX…`: very few distinct characters. A random body has about 26.
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &byte in body {
        if !seen[byte as usize] {
            seen[byte as usize] = true;
            distinct += 1;
        }
    }
    // Twelve for a 34-character body, fewer for a shorter one; never more than twelve (a
    // long OAuth body of 62 possible characters has at most 62 distinct ones).
    distinct * 34 < 12 * body.len().min(34)
}

/// Length of the longest run in which each byte relates to the one before by `related`.
fn longest_run(bytes: &[u8], related: impl Fn(u8, u8) -> bool) -> usize {
    let mut longest = 1;
    let mut current = 1;
    for pair in bytes.windows(2) {
        if related(pair[0], pair[1]) {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 1;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fake_token, Rng};

    fn matcher() -> Matcher {
        Matcher::new(Rules::builtin()).unwrap()
    }

    /// A long-token rule never reports a token cut short by its length bound, whatever byte
    /// follows; and after a long rejected candidate the search goes on past it, finding the
    /// next token.
    #[test]
    fn long_tokens_are_whole_or_not_at_all() {
        let matcher = matcher();
        let mut rng = Rng::new(77);
        let body = |rng: &mut Rng, len: usize| {
            let mut body = String::new();
            while body.len() < len {
                body.push_str(&fake_token(rng)[3..]);
            }
            body.truncate(len);
            body
        };
        let fits = format!("hf_oauth_{}", body(&mut rng, 400));
        assert_eq!(matcher.find_all(fits.as_bytes()).len(), 1);
        for next in ["A", "_", "-"] {
            let too_long = format!("x={fits}{next}{} ", body(&mut rng, 8));
            assert!(
                matcher.find_all(too_long.as_bytes()).is_empty(),
                "a 401-character body followed by {next:?} is not cut to 400"
            );
        }
        let user = fake_token(&mut rng);
        let after = format!("hf_oauth_{} {user}", "hf_oauth_".repeat(40));
        let found = matcher.find_all(after.as_bytes());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            &after.as_bytes()[found[0].start..found[0].end],
            user.as_bytes()
        );
    }

    /// Strings framed by a declared length in binary formats, the token glued to letters on
    /// both sides: found when the declared length is the token's, never otherwise.
    #[test]
    fn a_length_that_frames_exactly_the_token_bounds_it() {
        let m = matcher();
        let mut rng = Rng::new(41);
        for _ in 0..50 {
            let token = fake_token(&mut rng);
            let len = token.len() as u8;
            let framings: Vec<Vec<u8>> = vec![
                vec![b'K', 0x0a, len],                // protobuf field 1, wire type 2
                vec![b'K', 0x32, len],                // protobuf field 6: the tag is the digit '2'
                vec![b'K', 0xd9, len],                // msgpack str8
                vec![b'K', 0xda, 0, len],             // msgpack str16
                vec![b'K', b'X', len, 0, 0, 0],       // pickle BINUNICODE, marshal 'u'
                vec![b'K', len, 0, 0, 0, 0, 0, 0, 0], // GGUF string
            ];
            for framing in framings {
                let mut bytes = framing.clone();
                bytes.extend_from_slice(token.as_bytes());
                bytes.extend_from_slice(b"q2abc");
                let found = m.find_all(&bytes);
                assert_eq!(found.len(), 1, "{framing:?}");
                assert_eq!(found[0].start, framing.len());
                // One more declared byte: a longer string that starts like a token.
                let mut longer = framing.clone();
                let at = longer.iter().rposition(|&b| b == len).unwrap();
                longer[at] = len + 1;
                longer.extend_from_slice(token.as_bytes());
                longer.extend_from_slice(b"q2abc");
                assert!(m.find_all(&longer).is_empty(), "{framing:?}");
            }
            // In text, a letter before `%` announces nothing.
            let text = format!("x%{token}abc");
            assert!(m.find_all(text.as_bytes()).is_empty());
        }
    }

    fn tokens_in(text: &str) -> Vec<String> {
        matcher()
            .find_all(text.as_bytes())
            .into_iter()
            .map(|m| text[m.start..m.end].to_string())
            .collect()
    }

    #[test]
    fn every_rule_agrees_with_its_examples() {
        matcher().check_examples().unwrap();
    }

    #[test]
    fn random_tokens_are_never_taken_for_placeholders() {
        let mut rng = Rng::new(7);
        for _ in 0..1_000_000 {
            let token = fake_token(&mut rng);
            assert!(
                !looks_like_placeholder(&token.as_bytes()[3..]),
                "a random token was rejected: {token}"
            );
        }
    }

    #[test]
    fn random_tokens_with_digits_are_found() {
        let mut rng = Rng::new(11);
        for _ in 0..2_000 {
            let token = fake_token(&mut rng);
            let text = format!("x = \"{token}\"\n");
            assert_eq!(tokens_in(&text), vec![token]);
        }
    }

    #[test]
    fn token_after_json_escape_is_found() {
        let token = fake_token(&mut Rng::new(1));
        for text in [
            format!(r#""source": ["tok = \"{token}\"\n"]"#),
            format!(r#""print(1)\n{token}""#),
            format!(r#"\u0022{token}\u0022"#),
            format!("a=%3D{token}&b=1"),
            format!(r"b'\x22{token}\x22'"),
        ] {
            assert_eq!(tokens_in(&text), vec![token.clone()], "in {text}");
        }
    }

    /// UTF-32 in either byte order, with a mark or in numpy's zero-padded `U` array cells, is
    /// decoded like UTF-16; a cell holding a longer word is not a token.
    #[test]
    fn utf32_tokens_are_found_in_text_and_numpy_cells() {
        let token = fake_token(&mut Rng::new(4));
        let utf32 = |text: &str, big: bool| -> Vec<u8> {
            text.chars()
                .flat_map(|c| {
                    let unit = c as u32;
                    if big {
                        unit.to_be_bytes()
                    } else {
                        unit.to_le_bytes()
                    }
                })
                .collect()
        };
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let found = |bytes: &[u8]| -> Vec<String> {
            matcher
                .find_all(bytes)
                .iter()
                .map(|m| match &m.decoded {
                    Some((_, token)) => String::from_utf8_lossy(token).into_owned(),
                    None => String::from_utf8_lossy(&bytes[m.start..m.end]).into_owned(),
                })
                .collect()
        };
        for big in [false, true] {
            let text = utf32(&format!("\u{feff}HF_TOKEN={token}\n"), big);
            assert_eq!(
                found(&text),
                std::slice::from_ref(&token),
                "big-endian: {big}"
            );
        }
        // A `<U40` array: each cell 40 code points, zero-padded.
        let mut cells = Vec::new();
        for value in ["model", &token, &format!("{token}andmore"), "x"] {
            let mut cell = utf32(value, false);
            cell.resize(160, 0);
            cells.extend(cell);
        }
        assert_eq!(found(&cells), std::slice::from_ref(&token));
    }

    /// A token right after a terminal colour (a notebook traceback keeps them, as a byte or
    /// written out in JSON) is bounded by the sequence's final letter; a word is not.
    #[test]
    fn token_after_a_terminal_colour_is_found() {
        let token = fake_token(&mut Rng::new(3));
        for text in [
            format!("\x1b[31m{token}\x1b[0m"),
            format!("\x1b[m{token}"),
            format!(r#""text": ["\u001b[0;31m{token}\u001b[0m"]"#),
            format!(r"echo -e '\033[1;32m{token}'"),
            format!(r"print('\x1b[38;2;255;0;0m{token}')"),
        ] {
            assert_eq!(tokens_in(&text), vec![token.clone()], "in {text:?}");
        }
        for glued in [
            format!("[31m{token}"),
            format!("x[1m{token}"),
            format!("\x1b[3xm{token}"),
        ] {
            assert!(tokens_in(&glued).is_empty(), "in {glued:?}");
        }
    }

    #[test]
    fn token_glued_to_a_word_is_not_found() {
        let token = fake_token(&mut Rng::new(2));
        for text in [
            format!("x{token}"),
            format!("my_{token}"),
            format!("9{token}"),
            format!("{token}a"),
            format!("{token}7"),
        ] {
            assert!(tokens_in(&text).is_empty(), "in {text}");
        }
    }

    #[test]
    fn any_punctuation_may_follow_a_token() {
        let token = fake_token(&mut Rng::new(3));
        for follower in ["\"", "'", ",", "@", ":", "/", "&", ")", "_", "\n", " ", ""] {
            let text = format!("{token}{follower}");
            assert_eq!(
                tokens_in(&text),
                vec![token.clone()],
                "followed by {follower:?}"
            );
        }
    }

    #[test]
    fn rejection_names_the_check() {
        let m = matcher();
        let glued = format!("x{}", fake_token(&mut Rng::new(4)));
        assert_eq!(
            m.judge(glued.as_bytes(), 1, glued.len()),
            Err(Rejection::Boundary)
        );
        let placeholder = format!("hf_{}", "x".repeat(34));
        assert_eq!(
            m.judge(placeholder.as_bytes(), 0, placeholder.len()),
            Err(Rejection::Placeholder)
        );
    }
}

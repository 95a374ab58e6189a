//! Making echoed strings safe to show: tokens redacted, control characters escaped.
//!
//! hf-scan echoes strings it did not write: paths, commit summaries, author names, tag messages,
//! token names from the Hub, config values in error messages, warnings. Any of them can hold a
//! token (a commit message that pastes one), and any of them can hold control characters (an
//! author name with `ESC[31m`, a file named `a\n::error::…` that would inject a GitHub workflow
//! command). So every such string goes through here before it reaches a person or a log:
//! `redact_tokens` replaces each token the scan rules find with its redacted form, the same one
//! findings use, and `escape_controls` makes C0/C1 controls, DEL and bidirectional overrides
//! visible as escapes instead of letting a terminal or a log parser act on them.
//!
//! Redaction uses the scan's own rules (built-in plus the project's extra rules, registered once
//! by `use_rules`), so a string is redacted by exactly what would be a finding in a file.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::detect::matcher::Matcher;
use crate::finding::Secret;

static RULES: OnceLock<Matcher> = OnceLock::new();

/// Makes redaction use `matcher`'s rules from now on (first call wins; later calls are
/// ignored, so a run never switches rules halfway).
pub fn use_rules(matcher: &Matcher) {
    let _ = RULES.set(matcher.clone());
}

fn matcher() -> &'static Matcher {
    RULES.get_or_init(Matcher::builtin)
}

/// `text` with every token replaced by its redacted form (`hf_Ab…yZ`); encoded tokens are
/// replaced whole, encoding included.
pub fn redact_tokens(text: &str) -> Cow<'_, str> {
    let matcher = matcher();
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    matcher.find_in(bytes, 0, |found| spans.push(found));
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for found in spans {
        if found.start < copied {
            continue;
        }
        let token = found
            .decoded
            .as_ref()
            .map_or(&bytes[found.start..found.end], |(_, token)| {
                token.as_slice()
            });
        let prefix = matcher.rules().get(found.rule).prefix.len();
        let secret = Secret::new(String::from_utf8_lossy(token).into_owned(), prefix);
        // Spans sit on ASCII (every rule and every encoding the matcher knows is ASCII), so
        // the slice boundaries are character boundaries.
        out.push_str(&String::from_utf8_lossy(&bytes[copied..found.start]));
        out.push_str(&secret.redacted());
        copied = found.end;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[copied..]));
    Cow::Owned(out)
}

/// Whether a character must not reach a terminal or a log line as it is.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        // Bidirectional embeddings, overrides and isolates reorder what a reader sees.
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters written as escapes: `\n`, `\t`, `\r`, else `\u{1b}`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// For people and logs: tokens redacted, then control characters escaped.
pub fn for_display(text: &str) -> String {
    escape_controls(&redact_tokens(text)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fake_token, Rng};

    #[test]
    fn tokens_are_redacted_plain_and_encoded() {
        let mut rng = Rng::new(40);
        let (a, b) = (fake_token(&mut rng), fake_token(&mut rng));
        let encoded = crate::detect::decode::base64_encode(b.as_bytes());
        let text = format!("fix: remove {a} and {encoded} again");
        let shown = redact_tokens(&text);
        assert!(!shown.contains(&a[3..]), "{shown}");
        assert!(!shown.contains(&encoded), "{shown}");
        assert_eq!(
            shown,
            format!(
                "fix: remove {} and {} again",
                Secret::new(a.clone(), 3).redacted(),
                Secret::new(b.clone(), 3).redacted()
            )
        );
        assert!(matches!(redact_tokens("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            escape_controls("a\n::error title=x::y\u{1b}[31m\u{7f}\u{9b}\u{202e}z"),
            "a\\n::error title=x::y\\u{1b}[31m\\u{7f}\\u{9b}\\u{202e}z"
        );
        assert_eq!(escape_controls("plain π"), "plain π");
    }
}

//! Detection rules: the data that says what a token looks like.
//!
//! Rules live in TOML files (`rules/huggingface.toml` is embedded at build time; a project can
//! add its own with `extra_rules` in `.hf-scan.toml`). Each rule carries examples that must match
//! and negative examples that must not, and `Matcher::check_examples` runs them all, so a rule that
//! contradicts its own examples is caught by the test suite, and by `load` for extra rule files.

use serde::Deserialize;

use crate::finding::Severity;

/// The rules shipped with hf-scan.
const BUILTIN_RULES: &str = include_str!("../../rules/huggingface.toml");

/// Longest token any rule may match, in bytes. The chunked reader keeps this much overlap
/// between chunks so that a token spanning a chunk edge is still seen whole.
pub const MAX_TOKEN_LEN: usize = 1536;

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{origin}: not a valid rules file: {message}")]
    Parse { origin: String, message: String },
    #[error("{origin}: rule `{id}`: invalid pattern: {message}")]
    Pattern {
        origin: String,
        id: String,
        message: String,
    },
    #[error("{origin}: rule `{id}`: {message}")]
    Invalid {
        origin: String,
        id: String,
        message: String,
    },
    #[error("rule id `{0}` is defined twice")]
    Duplicate(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A rule as written in a TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    name: String,
    severity: Severity,
    prefix: String,
    pattern: String,
    #[serde(default = "default_true")]
    placeholder_check: bool,
    /// Bytes besides letters and digits that continue the token's body: a match followed by
    /// one of them is part of a longer string, not a whole token (so a token longer than the
    /// pattern allows is never reported cut short).
    #[serde(default)]
    continues_with: String,
    description: String,
    remediation: String,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    negative_examples: Vec<String>,
}

fn default_true() -> bool {
    true
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    /// The literal that starts every token of this rule; placeholder checks look past it.
    pub prefix: String,
    pub pattern: String,
    pub placeholder_check: bool,
    /// See `RuleSpec::continues_with`.
    pub continues_with: Vec<u8>,
    pub description: String,
    pub remediation: String,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    /// `^(?:pattern)$`, to tell which rule produced a match of the combined pattern. Compiled
    /// on first use: long bounded patterns cost milliseconds to compile, and most scans never
    /// see a candidate.
    whole: std::sync::OnceLock<regex::bytes::Regex>,
}

impl Rule {
    /// Whether `token` is entirely a match of this rule's pattern.
    pub(crate) fn matches_whole(&self, token: &[u8]) -> bool {
        self.whole
            .get_or_init(|| {
                regex::bytes::RegexBuilder::new(&format!("^(?:{})$", self.pattern))
                    .unicode(false)
                    .build()
                    .expect("the pattern compiled when the rule was loaded")
            })
            .is_match(token)
    }
}

/// The set of rules a scan uses.
#[derive(Debug, Clone)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// The rules embedded in the binary.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN_RULES, "rules/huggingface.toml")
            .expect("the embedded rules are checked by the test suite")
    }

    /// Parses and compiles a rules file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, RuleError> {
        let file: RuleFile = toml::from_str(text).map_err(|err| RuleError::Parse {
            origin: origin.to_string(),
            message: err.message().to_string(),
        })?;
        let mut rules = Vec::with_capacity(file.rule.len());
        for spec in file.rule {
            rules.push(compile(spec, origin)?);
        }
        Ok(Self { rules })
    }

    /// Adds `other`'s rules; an id defined twice is an error.
    pub fn extend(&mut self, other: Rules) -> Result<(), RuleError> {
        for rule in other.rules {
            if self.rules.iter().any(|existing| existing.id == rule.id) {
                return Err(RuleError::Duplicate(rule.id));
            }
            self.rules.push(rule);
        }
        Ok(())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    pub fn get(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn compile(spec: RuleSpec, origin: &str) -> Result<Rule, RuleError> {
    let invalid = |message: String| RuleError::Invalid {
        origin: origin.to_string(),
        id: spec.id.clone(),
        message,
    };
    if spec.id.is_empty()
        || !spec
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(invalid("ids are letters, digits and dashes".into()));
    }
    if spec.prefix.is_empty() || !spec.pattern.starts_with(&regex::escape(&spec.prefix)) {
        return Err(invalid(format!(
            "the pattern must begin with the prefix `{}`",
            spec.prefix
        )));
    }
    // The chunk overlap is sized for tokens of at most MAX_TOKEN_LEN bytes (in their longest
    // encoding): a rule that could match more might lose a token at a chunk edge.
    // Parsing checks the syntax; the pattern is compiled into the matcher's one regex, and
    // alone only when first needed (`Rule::matches_whole`).
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&spec.pattern)
        .map_err(|err| RuleError::Pattern {
            origin: origin.to_string(),
            id: spec.id.clone(),
            message: err.to_string(),
        })?;
    match hir.properties().maximum_len() {
        Some(length) if length <= MAX_TOKEN_LEN => {}
        Some(length) => {
            return Err(invalid(format!(
                "the pattern can match {length} bytes; tokens longer than {MAX_TOKEN_LEN} are \
                 not supported"
            )))
        }
        None => {
            return Err(invalid(format!(
                "the pattern has no upper bound on its length (a `+` or `*`?); bound it, as \
                 in `{{34}}` or `{{20,100}}`, to at most {MAX_TOKEN_LEN} bytes"
            )))
        }
    }
    Ok(Rule {
        id: spec.id,
        name: spec.name,
        severity: spec.severity,
        prefix: spec.prefix,
        pattern: spec.pattern,
        placeholder_check: spec.placeholder_check,
        continues_with: spec.continues_with.into_bytes(),
        description: spec.description,
        remediation: spec.remediation,
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        whole: std::sync::OnceLock::new(),
    })
}

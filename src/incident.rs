//! `hf-scan verify` and `hf-scan revoke`: incident response on tokens someone already has.
//!
//! Both read tokens from standard input, one per line, so a token never lands in shell history
//! or in the process list (where `ps` shows it to every user of the machine). A line that is not
//! a whole token is reported by its number, never echoed. `revoke --from-scan` takes the tokens
//! a scan finds instead, and never prints them: the confirmation shows them redacted, with
//! where each was found.

use std::collections::BTreeSet;
use std::io::{self, BufRead, IsTerminal, Write};

use anyhow::{bail, Context};
use serde::Serialize;

use crate::cli::{Config, VerifyFormat};
use crate::detect::matcher::Matcher;
use crate::finding::Secret;
use crate::finding::Verification;
use crate::hub::client::EndpointOrigin;
use crate::hub::verify::{self, VerifyConfig};

/// Reads the tokens on standard input, in order, without duplicates.
fn read_tokens() -> anyhow::Result<Vec<Secret>> {
    let matcher = Matcher::builtin();
    let mut tokens = Vec::new();
    let mut seen = BTreeSet::new();
    if io::stdin().is_terminal() {
        // Waiting silently on a terminal looks like a hang.
        eprintln!(
            "hf-scan: paste the tokens, one per line, then press Ctrl-D (read here, they stay \
             out of shell history and the process list)"
        );
    }
    for (index, line) in io::stdin().lock().lines().enumerate() {
        let line = line.context("reading standard input")?;
        let candidate = line.trim();
        if candidate.is_empty() || candidate.starts_with('#') {
            continue;
        }
        let bytes = candidate.as_bytes();
        match matcher.find_all(bytes).first() {
            Some(found)
                if found.decoded.is_none() && found.start == 0 && found.end == bytes.len() =>
            {
                let rule = matcher.rules().get(found.rule);
                if seen.insert(candidate.to_string()) {
                    tokens.push(Secret::new(candidate.to_string(), rule.prefix.len()));
                }
            }
            _ => eprintln!(
                "hf-scan: warning: line {} of standard input is not a Hugging Face token; skipped",
                index + 1
            ),
        }
    }
    if tokens.is_empty() {
        bail!("no tokens on standard input (one per line)");
    }
    Ok(tokens)
}

#[derive(Serialize)]
struct VerifyResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    redacted: String,
    secret_hash: &'a str,
    verification: &'a Verification,
}

/// `hf-scan verify`. Exit status: 1 if any token is valid (an incident), else 2 if any is
/// unknown (nothing settled), else 0 (every token is dead).
pub fn verify_stdin(
    hub: &VerifyConfig,
    format: VerifyFormat,
    show_secrets: bool,
) -> anyhow::Result<u8> {
    let tokens = read_tokens()?;
    let verified = verify::verify_all(hub, &tokens)?;
    for notice in &verified.notices {
        eprintln!("hf-scan: note: {}", crate::sanitize::for_display(notice));
    }
    let results = verified.results;
    let unknown = Verification::Unknown {
        reason: "not checked".into(),
    };
    let rows: Vec<VerifyResult> = tokens
        .iter()
        .map(|secret| VerifyResult {
            secret: show_secrets.then(|| secret.expose()),
            redacted: secret.redacted(),
            secret_hash: secret.hash(),
            verification: results.get(secret.hash()).unwrap_or(&unknown),
        })
        .collect();
    let mut out = io::stdout().lock();
    let written = match format {
        VerifyFormat::Text => rows.iter().try_for_each(|row| {
            let shown = row.secret.map_or(row.redacted.clone(), str::to_string);
            // Names and token names come from the Hub: escaped like scanned content, so an
            // escape sequence in one cannot redraw the line or write the clipboard.
            writeln!(
                out,
                "{shown}  {}",
                crate::sanitize::for_display(&row.verification.describe())
            )?;
            if let Verification::Valid(identity) = row.verification {
                for line in identity.report_lines() {
                    writeln!(out, "    {}", crate::sanitize::for_display(&line))?;
                }
            }
            Ok(())
        }),
        VerifyFormat::Json => serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "version": 1, "results": rows }),
        )
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out)),
    };
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            return Err(err).context("writing the results")
        }
        _ => {}
    }
    let any = |status: &str| rows.iter().any(|row| row.verification.status() == status);
    Ok(if any("valid") {
        1
    } else if any("unknown") {
        2
    } else {
        0
    })
}

/// `hf-scan revoke`: the tokens on standard input, or those a scan finds (`from_scan`);
/// confirmation on a terminal, or `--yes`.
pub fn revoke(
    hub: &VerifyConfig,
    yes: bool,
    from_scan: Option<&Config>,
    org: Option<&(String, Secret)>,
) -> anyhow::Result<u8> {
    // Revoking sends live tokens: to an endpoint the user named, never to one that came from
    // the environment unseen.
    if hub.endpoint.origin == EndpointOrigin::Environment {
        bail!(
            "HF_ENDPOINT is set ({}): revoke sends live tokens to the endpoint, so name it \
             with --hf-endpoint to confirm, or unset HF_ENDPOINT",
            hub.endpoint
        );
    }
    let tokens = match from_scan {
        Some(config) => {
            let (tokens, incomplete) = crate::scan_for_tokens(config);
            if incomplete {
                eprintln!(
                    "hf-scan: warning: the scan was incomplete (run `hf-scan` on the same paths \
                     to see why); revoking what it found"
                );
            }
            if tokens.is_empty() {
                eprintln!("hf-scan: the scan found no tokens; nothing to revoke");
                return Ok(if incomplete { 2 } else { 0 });
            }
            tokens
        }
        None => read_tokens()?,
    };
    let listed: Vec<String> = tokens.iter().map(Secret::redacted).collect();
    if let Some((org, admin)) = org {
        let question = format!(
            "Cut {} token(s) ({}) off from {org} through {}? They keep working outside {org}; \
             the Hub emails each owner. [y/N] ",
            listed.len(),
            listed.join(", "),
            hub.endpoint
        );
        if !yes && !confirm(&question)? {
            eprintln!("hf-scan: nothing was cut off");
            return Ok(2);
        }
        return cut_off(hub, org, admin, &tokens, &listed);
    }
    let question = format!(
        "Revoke {} token(s) ({}) through {}? The Hub emails each owner. [y/N] ",
        listed.len(),
        listed.join(", "),
        hub.endpoint
    );
    if !yes && !confirm(&question)? {
        eprintln!("hf-scan: nothing revoked");
        return Ok(2);
    }
    let statuses = verify::revoke(hub, &tokens)?;
    let accepted = statuses.iter().take_while(|s| s.is_success()).count();
    let revoked = (accepted * verify::REVOKE_BATCH).min(tokens.len());
    if let Some(refused) = statuses.iter().find(|s| !s.is_success()) {
        bail!(
            "the Hub refused the revocation request ({}) after accepting {revoked} of {} \
             token(s); revoke the rest at https://huggingface.co/settings/tokens",
            refused.as_u16(),
            tokens.len()
        );
    }
    let status = statuses.last().map_or(0, |s| s.as_u16());
    println!(
        "Revocation requested for {} token(s) ({}) in {} request(s): the Hub answered {status}.\n\
         A {status} does not confirm that a token was valid: the Hub gives the same answer for \
         tokens it does not know, and emails the owner of each real one. Check with \
         `hf-scan verify`.",
        tokens.len(),
        listed.join(", "),
        statuses.len(),
    );
    Ok(0)
}

/// `revoke --org`: cuts each token off from `org`, one request each, and says per token what
/// the organisation answered. Exit status 0 when every token was cut off, else 2.
fn cut_off(
    hub: &VerifyConfig,
    org: &str,
    admin: &Secret,
    tokens: &[Secret],
    listed: &[String],
) -> anyhow::Result<u8> {
    let answers = verify::revoke_from_org(hub, org, admin, tokens)?;
    let mut cut = 0;
    for (shown, answer) in listed.iter().zip(&answers) {
        if answer.status.is_success() {
            cut += 1;
            println!("{shown}  cut off from {org}");
        } else {
            let why = match &answer.message {
                Some(message) => format!("HTTP {}: {message}", answer.status.as_u16()),
                None => format!("HTTP {}", answer.status.as_u16()),
            };
            println!("{shown}  NOT cut off from {org} ({why})");
        }
    }
    if let Some(last) = answers.last() {
        if matches!(last.status.as_u16(), 401 | 403) {
            eprintln!(
                "hf-scan: error: {org} refused the administrator's token ({}): revoke --org needs \
                 the token of an administrator of an Enterprise organisation; {} token(s) were \
                 not sent",
                last.status.as_u16(),
                tokens.len() - answers.len()
            );
        }
    }
    println!(
        "{cut} of {} token(s) cut off from {org}. They still work outside {org}: once the owner \
         is reached, or if they cannot be, revoke them everywhere with `hf-scan revoke` (no \
         --org).",
        tokens.len()
    );
    Ok(if cut == tokens.len() { 0 } else { 2 })
}

/// Asks `question` on the controlling terminal (standard input holds the tokens).
fn confirm(question: &str) -> anyhow::Result<bool> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty");
    let Ok(mut tty) = tty else {
        bail!("revoke asks for confirmation on a terminal; without one, pass --yes");
    };
    if !tty.is_terminal() {
        bail!("revoke asks for confirmation on a terminal; without one, pass --yes");
    }
    write!(tty, "{question}")?;
    tty.flush()?;
    let mut answer = String::new();
    io::BufReader::new(&tty).read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

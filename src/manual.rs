//! Shell completions and man pages, generated from the clap definitions in `cli/args.rs`, so they
//! cannot describe flags hf-scan does not have. Copies are committed under `docs/` for
//! packagers; `tests/manual.rs` fails when they differ from what the binary generates.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Args;
use crate::files::OutputFile;

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut command = Args::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "hf-scan", &mut script);
    if shell == Shell::Bash {
        // clap_complete 4.6 names a subcommand's case `hf__subcmd__scan__subcmd__hub` where
        // the word loop sets `hf__scan__subcmd__hub` (it mangles the `-` of the binary's name
        // twice), so no subcommand's flags would complete; tests/manual.rs completes them.
        let fixed = String::from_utf8_lossy(&script).replace("hf__subcmd__scan", "hf__scan");
        script = fixed.into_bytes();
    }
    out.write_all(&script)
}

/// Every man page: `hf-scan.1`, then one per subcommand (`hf-scan-hub.1`, …), as
/// (file name, roff).
pub fn man_pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut command = Args::command().disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    let mut pending = vec![command];
    while let Some(command) = pending.pop() {
        pending.extend(
            command
                .get_subcommands()
                .filter(|sub| !sub.is_hide_set())
                .cloned(),
        );
        let value_names = synopsis_values(&command);
        let man = clap_mangen::Man::new(command).manual("hf-scan manual");
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        let roff = with_value_names(&roff, &value_names);
        let mut roff = roff.into_bytes();
        let name = man.get_filename();
        roff.extend_from_slice(extra_sections(&name).as_bytes());
        pages.push((name, roff));
    }
    pages.sort();
    Ok(pages)
}

/// For each option that takes a value, its flag and value name as the synopsis writes them
/// (`\\fB\\-\\-exclude\\fR`, `GLOB`).
fn synopsis_values(command: &clap::Command) -> Vec<(String, String)> {
    command
        .get_arguments()
        .filter(|arg| arg.get_action().takes_values() && !arg.is_positional())
        .filter_map(|arg| {
            let long = arg.get_long()?;
            let value = arg
                .get_value_names()
                .and_then(|names| names.first())
                .map_or_else(
                    || arg.get_id().as_str().to_uppercase(),
                    |name| name.to_string(),
                );
            Some((
                format!("\\fB\\-\\-{}\\fR]", long.replace('-', "\\-")),
                value.replace('-', "\\-"),
            ))
        })
        .collect()
}

/// The synopsis with each option's value name (`[--exclude GLOB]`), which clap_mangen leaves
/// out.
fn with_value_names(roff: &[u8], values: &[(String, String)]) -> String {
    let text = String::from_utf8_lossy(roff);
    let Some((head, rest)) = text.split_once(".SH DESCRIPTION") else {
        return text.into_owned();
    };
    let mut head = head.to_string();
    for (flag, value) in values {
        let named = format!("{} \\fI{value}\\fR]", flag.trim_end_matches(']'));
        head = head.replace(flag.as_str(), &named);
    }
    format!("{head}.SH DESCRIPTION{rest}")
}

/// What clap does not know: examples, the environment, and what each exit status means.
fn extra_sections(page: &str) -> String {
    let item = |term: &str, text: &str| format!(".TP\n{term}\n{text}\n");
    let section = |title: &str, items: &[(&str, &str)]| {
        let body: String = items.iter().map(|(term, text)| item(term, text)).collect();
        format!(".SH {title}\n{body}")
    };
    let scan_status = [
        ("0", "nothing found, and everything could be read"),
        (
            "1",
            "findings (suppressed ones do not count); \\fB\\-\\-exit\\-code\\fR N makes it N",
        ),
        (
            "2",
            "an error (bad arguments, a missing PATH, a broken config or baseline), or an \
             incomplete scan with no findings",
        ),
    ];
    match page {
        "hf-scan.1" => [
            section(
                "EXAMPLES",
                &[
                    ("\\fBhf\\-scan\\fR", "scan the current directory"),
                    (
                        "\\fBhf\\-scan \\-\\-history\\fR",
                        "every commit of the repository here, on every ref",
                    ),
                    (
                        "\\fBhf\\-scan \\-\\-staged\\fR",
                        "what git commit would record (the pre\\-commit mode)",
                    ),
                    (
                        "\\fBgit diff | hf\\-scan \\-\\-diff\\fR",
                        "tokens on the lines a diff adds, at their path and line",
                    ),
                    (
                        "\\fBhf\\-scan \\-\\-verify \\-\\-format sarif \\-o hf\\-scan.sarif\\fR",
                        "ask the Hub which tokens work, and write SARIF",
                    ),
                    (
                        "\\fBhf\\-scan hub \\-\\-author acme\\fR",
                        "audit everything acme keeps on the Hub",
                    ),
                ],
            ),
            section(
                "ENVIRONMENT",
                &[
                    (
                        "\\fBHF_TOKEN\\fR",
                        "the token \\fBhf\\-scan hub\\fR reads private repositories with, and \
                         \\fBrevoke \\-\\-org\\fR acts with; never printed",
                    ),
                    (
                        "\\fBHF_ENDPOINT\\fR",
                        "the Hub to talk to when \\fB\\-\\-hf\\-endpoint\\fR is not given; \
                         announced before any token is sent there",
                    ),
                    ("\\fBNO_COLOR\\fR", "no colour in text output"),
                    (
                        "\\fBXDG_CACHE_HOME\\fR",
                        "where the verification cache and \\fBhf\\-scan hub\\fR's mirrors live \
                         (default ~/.cache)",
                    ),
                    (
                        "\\fBHTTPS_PROXY\\fR, \\fBALL_PROXY\\fR",
                        "ignored: only \\fB\\-\\-proxy\\fR puts a proxy in the path",
                    ),
                ],
            ),
            section("\"EXIT STATUS\"", &scan_status),
        ]
        .concat(),
        "hf-scan-hub.1" => section("\"EXIT STATUS\"", &scan_status),
        "hf-scan-verify.1" => section(
            "\"EXIT STATUS\"",
            &[
                ("0", "every token is dead"),
                ("1", "a token is valid: an incident"),
                (
                    "2",
                    "none is valid but one could not be checked, no token was given, or an error",
                ),
            ],
        ),
        "hf-scan-revoke.1" => section(
            "\"EXIT STATUS\"",
            &[
                (
                    "0",
                    "the Hub accepted every request, or a scan found nothing to revoke",
                ),
                (
                    "2",
                    "the Hub refused a request, nothing was confirmed, an incomplete scan found \
                     nothing, or an error",
                ),
            ],
        ),
        _ => String::new(),
    }
}

/// `hf-scan man`: the main page on standard output, or with `--out-dir` every page into DIR,
/// made if missing (each file opened like any output file: no link followed).
pub fn write_man(out_dir: Option<&Path>) -> anyhow::Result<u8> {
    let pages = man_pages()?;
    match out_dir {
        None => {
            let (_, main) = pages
                .iter()
                .find(|(name, _)| name == "hf-scan.1")
                .expect("the main page");
            io::stdout().lock().write_all(main)?;
        }
        Some(dir) => {
            // As `mkdir -p`: a man directory that does not exist yet is the usual case.
            std::fs::create_dir_all(dir)
                .map_err(|err| anyhow::anyhow!("creating --out-dir {}: {err}", dir.display()))?;
            for (name, roff) in &pages {
                OutputFile::create(&dir.join(name))?.write_with(|out| out.write_all(roff))?;
            }
        }
    }
    Ok(0)
}

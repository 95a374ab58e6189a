//! The command line: clap's raw arguments, then a checked `Config`.
//!
//! Two layers, as in ripgrep: `Args` is what clap parsed; `Args::into_config` compiles the rules,
//! loads the project config and the baseline, checks every path, and settles flag conflicts, so
//! every error about bad input is raised here, before any work starts, and nothing after this
//! module reads a raw flag.
//!
//! `args` is what was typed (clap's definitions), `config` what was checked, `hub` the
//! `hf-scan hub` subcommand's arguments and checks.

mod args;
mod config;
mod hub;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};

use crate::baseline::Baseline;
use crate::content::{self, ContentOptions};
use crate::detect::matcher::Matcher;
use crate::detect::rules::Rules;
use crate::files::OutputFile;
use crate::finding::Secret;
use crate::github_event::{self, ConfigSource, EventScan};
use crate::hook::{self, Hook};
use crate::hub::client::{Endpoint, EndpointOrigin, Transport, DEFAULT_ENDPOINT};
use crate::hub::verify::{self, VerifyConfig};
use crate::project::{repo_relative, ProjectConfig, ProjectFiles, CONFIG_FILE_NAME};
use crate::report::Format;
use crate::source::fs::WalkOptions;
use crate::source::git::{self, CommitRange};
use crate::source::stdin::STDIN_PATH;

pub use self::args::*;
pub use self::config::*;
pub use self::hub::*;

/// What the command line asks for.
pub enum Invocation {
    Scan(Box<Config>),
    Verify {
        format: VerifyFormat,
        show_secrets: bool,
        hub: VerifyConfig,
    },
    Revoke {
        yes: bool,
        hub: VerifyConfig,
        /// `--from-scan`: the scan whose findings to revoke.
        from_scan: Option<Box<Config>>,
        /// `--org`: the organisation to cut the tokens off from, and its administrator's token.
        org: Option<(String, Secret)>,
    },
    Hub {
        config: Box<Config>,
        plan: crate::hub::audit::AuditPlan,
        client: Box<crate::hub::client::HubClient>,
    },
    Completions(clap_complete::Shell),
    Man(Option<PathBuf>),
}

/// Parses the process arguments. On a usage error, prints one line naming the problem and
/// exits 2; `--help` and `--version` print and exit 0.
pub fn parse() -> Args {
    let argv = match hook_command_line(std::env::args_os().collect()) {
        Ok(argv) => argv,
        Err(err) => {
            eprintln!("hf-scan: error: {}", crate::sanitize::for_display(&err));
            std::process::exit(2);
        }
    };
    match Args::try_parse_from(argv) {
        Ok(args) => args,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = err.print();
                std::process::exit(0);
            }
            // The error and what helps (a "did you mean", the accepted values), without the
            // usage block.
            let rendered = err.render().to_string();
            let helpful: Vec<String> = rendered
                .lines()
                .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more"))
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| crate::sanitize::for_display(line.trim_start_matches("error: ")))
                .collect();
            // The help of the command that was being parsed: `hf-scan verify --help` for a
            // mistake after `verify`.
            let command = rendered
                .lines()
                .find_map(|line| line.trim().strip_prefix("Usage: "))
                .map(|usage| {
                    usage
                        .split_whitespace()
                        .take_while(|word| !word.starts_with(['[', '<', '-']))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .filter(|command| command.starts_with("hf-scan"))
                .unwrap_or_else(|| "hf-scan".to_string());
            eprintln!(
                "hf-scan: {} (see {} --help)",
                helpful.join("\n  "),
                crate::sanitize::for_display(&command)
            );
            std::process::exit(2);
        }
    }
}

//! The command line: clap's raw arguments, then a checked `Config`.
//!
//! Two layers, as in ripgrep: `Args` is what clap parsed; `Args::into_config` compiles the rules,
//! loads the project config and the baseline, checks every path, and settles flag conflicts, so
//! every error about bad input is raised here, before any work starts, and nothing after this
//! module reads a raw flag.

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

#[derive(Debug, Parser)]
#[command(
    name = "hf-scan",
    version,
    about = "Find Hugging Face access tokens (hf_…, api_org_…, hf_oauth_…) in files, archives, \
        git history, the index and standard input, and check them against the Hub.",
    long_about = "Find Hugging Face access tokens (hf_…, api_org_…, hf_oauth_…) in files, archives, \
        git history, the index and standard input, and check them against the Hub.\n\n\
        Exit status: 0 nothing found, 1 findings, 2 error or incomplete scan (something could \
        not be read and nothing was found).",
    after_help = "Revoke a leaked token at https://huggingface.co/settings/tokens.",
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Also scan files that .gitignore, .ignore and git's excludes would skip.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip paths matching GLOB (repeatable; gitignore syntax, matched like the config's
    /// exclude_paths).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Scan only files whose path matches GLOB (repeatable; gitignore syntax, from the
    /// repository's top): in a tree, the index and history — what gitleaks users do with
    /// `--log-opts="-- PATH"`. Other files count as skipped.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Follow symbolic links that stay inside the scanned directory (one leading out is
    /// reported, not followed; loops are detected and each file is scanned once).
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Do not look inside archives and compressed files (zip, wheels, tar, gzip, bzip2, xz,
    /// zstd, container images): scan their raw bytes. Pickles and .pyc are still read.
    #[arg(long)]
    pub no_archives: bool,

    /// How many archive and compression levels to open (`x.tar.gz` holds its files two levels
    /// down); deeper ones are scanned as raw bytes, with a warning.
    #[arg(long, value_name = "N", default_value_t = content::DEFAULT_MAX_DEPTH as u16,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_archive_depth: u16,

    /// The most one compressed stream or archive member may inflate to; past it the scan of
    /// that member stops, with a warning. Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_archive_bytes: u64,

    /// The work one file, blob or standard input may cost, plus 64 times its own size: every
    /// byte its archives, compressed streams and formats produce, all layers together, bzip2
    /// counted 4 times, xz twice, walks of pickles, .pyc, numpy, SQLite and TFRecord 8 times.
    /// Past it the rest of the item is not scanned, with a warning. Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_item_work: u64,

    /// Do not scan files (and history blobs) larger than SIZE, as gitleaks'
    /// --max-target-megabytes: they are counted in a notice. Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    #[command(flatten)]
    pub reporting: ReportArgs,

    /// Project config (paths to skip, allowed token hashes, extra rules). Default:
    /// .hf-scan.toml in the first PATH directory, else at the top of its git work tree, if
    /// present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read the project config (and its extra rule files, and a --baseline inside the
    /// repository) from this commit's tree instead of the working tree, so the change under
    /// test cannot edit what judges it. Implied by --github-event (the base of the change).
    #[arg(long, value_name = "REV")]
    pub config_from: Option<String>,

    /// Ignore `hf-scan:allow` and `hf-scan:allow-next-line` comments: every token is reported.
    #[arg(long)]
    pub no_inline_allow: bool,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write every finding of this scan to a baseline file, and accept them (exit 0; 2 when
    /// the scan was incomplete).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Scan every commit reachable from any ref (branches, remotes, tags, stash) of the
    /// repository at PATH, reporting each token at the commit that introduced it.
    #[arg(long)]
    pub history: bool,

    /// Read a unified diff on standard input (`git diff | hf-scan --diff`) and report tokens
    /// on added lines only, at their path and line in the new file; a token removed and
    /// added back in one file is a move, not reported.
    #[arg(long, conflicts_with_all = ["history", "staged", "since", "range", "pre_push", "github_event", "refs"])]
    pub diff: bool,

    /// With --history (implied): only the commits reachable from refs matching GLOB
    /// (`refs/heads/*`, `refs/tags/v*`; `HEAD` for HEAD), instead of every ref — a mirror's
    /// thousands of refs/pull/* for instance. Repeatable.
    #[arg(long, value_name = "GLOB", conflicts_with_all = ["staged", "since", "range", "pre_push", "github_event"])]
    pub refs: Vec<String>,

    /// Scan what is staged in the index (what `git commit` would record): the pre-commit mode.
    #[arg(long, conflicts_with_all = ["history", "since", "range"])]
    pub staged: bool,

    /// The pre-commit push hook's mode: what a push would add, from pre-commit's environment
    /// (PRE_COMMIT_REMOTE_NAME, PRE_COMMIT_TO_REF, PRE_COMMIT_FROM_REF): the commits any local
    /// branch, tag or HEAD reaches that the remote's tracking refs do not.
    #[arg(long, conflicts_with_all = ["history", "staged", "since", "range", "github_event"])]
    pub pre_push: bool,

    /// Set by the pre-commit hooks' `entry` (`.pre-commit-hooks.yaml`): which hook runs.
    /// pre-commit appends the user's `args:` and then file names; hf-scan tells them apart
    /// (a file name is never read as an option: README, "pre-commit"), and the advice fits the
    /// hook (a blocked commit never happened). `pre-push` implies --pre-push.
    #[arg(long, value_enum, value_name = "STAGE")]
    pub hook: Option<Hook>,

    /// History of the commits reachable from HEAD but not from REV (implies --history).
    #[arg(long, value_name = "REV", conflicts_with = "range")]
    pub since: Option<String>,

    /// History of the commits reachable from B but not from A (implies --history): each token
    /// a commit of the range adds to a path, never one a parent already held there.
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,

    /// In GitHub Actions: scan the commits the triggering event adds, read from this payload
    /// ($GITHUB_EVENT_PATH) and $GITHUB_EVENT_NAME: a pull request's commits, a push's, or the
    /// whole history for schedule and workflow_dispatch.
    /// When GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are set, hf-scan also writes the step
    /// output `findings=N` and appends a Markdown summary.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["history", "staged", "since", "range"])]
    pub github_event: Option<PathBuf>,

    /// Accept a pull_request_target event (see the README's "Security model" first).
    #[arg(long, requires = "github_event")]
    pub allow_pull_request_target: bool,

    /// Worker threads. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// How a scan reports and whether it verifies: shared by scans and `hf-scan hub`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show tokens in full in every format. Default: redacted (hf_Ab…yZ).
    #[arg(long)]
    pub show_secrets: bool,

    /// When to colour text output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print findings only: no summary, no progress, no warnings (an incomplete scan still
    /// says so, in one line on standard error).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit with N instead of 1 when there are findings (as gitleaks' --exit-code). 2 keeps
    /// meaning an error or an incomplete scan, so N is neither 0 nor 2.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = parse_exit_code)]
    pub exit_code: u8,

    /// Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif
    /// --report markdown=summary.md`: one scan, several reports.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report_target)]
    pub report: Vec<(Format, PathBuf)>,

    /// Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or
    /// revoked, whose, with what role and scopes.
    #[arg(long)]
    pub verify: bool,

    /// Report only tokens the Hub says are valid, and those it could not check (implies
    /// --verify): a rate limit or an outage never turns a live token into a pass.
    #[arg(long)]
    pub only_verified: bool,

    /// Ask the Hub about every token again instead of reusing recent answers from the
    /// verification cache (kept in the user's cache directory, keyed by SHA-256).
    #[arg(long)]
    pub no_verify_cache: bool,

    #[command(flatten)]
    pub hub: HubArgs,
}

/// The report side of a checked configuration.
pub struct Reporting {
    pub format: Format,
    pub output: Option<OutputFile>,
    /// `--report FORMAT=FILE`: further reports of the same result.
    pub extra_reports: Vec<(Format, OutputFile)>,
    pub show_secrets: bool,
    pub color: bool,
    pub quiet: bool,
    pub progress: bool,
    /// Set by `--verify` or `--only-verified`.
    pub verify: Option<VerifyConfig>,
    pub only_verified: bool,
    /// Run by the commit or commit-message hook (`--hook`): what is reported was never
    /// committed, and the advice says so.
    pub before_commit: bool,
    /// The exit status for findings (`--exit-code`).
    pub findings_exit_code: u8,
}

impl ReportArgs {
    /// Opens every output file now, before any work or network request: a bad path fails at
    /// once, and a link planted at the path is refused (files.rs).
    /// The files a SARIF report goes to (`--format sarif --output`, `--report sarif=`).
    fn sarif_files(&self) -> Vec<PathBuf> {
        let main = (self.format == Format::Sarif)
            .then(|| self.output.clone())
            .flatten();
        main.into_iter()
            .chain(
                self.report
                    .iter()
                    .filter(|(format, _)| *format == Format::Sarif)
                    .map(|(_, path)| path.clone()),
            )
            .collect()
    }

    pub fn open(self) -> anyhow::Result<Reporting> {
        let output = self.output.as_deref().map(OutputFile::create).transpose()?;
        let extra_reports = self
            .report
            .iter()
            .map(|(format, path)| Ok((*format, OutputFile::create(path)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let to_terminal = self.output.is_none() && std::io::stdout().is_terminal();
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        } && self.format == Format::Text;
        let verify = if self.verify || self.only_verified {
            let mut hub = self.hub.into_config(!self.quiet)?;
            if !self.no_verify_cache {
                hub.cache_dir = crate::hub::cache::default_dir();
            }
            Some(hub)
        } else {
            None
        };
        Ok(Reporting {
            format: self.format,
            output,
            extra_reports,
            show_secrets: self.show_secrets,
            color,
            quiet: self.quiet,
            progress: !self.quiet && std::io::stderr().is_terminal(),
            verify,
            only_verified: self.only_verified,
            before_commit: false,
            findings_exit_code: self.exit_code,
        })
    }
}

/// Where the Hub is and how to reach it: every command that talks to it.
#[derive(Debug, Clone, clap::Args)]
pub struct HubConnectionArgs {
    /// The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before
    /// any token is sent), else https://huggingface.co. Plain http is refused except to a
    /// loopback host; user info, a query or a fragment are refused.
    #[arg(long, value_name = "URL")]
    pub hf_endpoint: Option<String>,

    /// Seconds before a request to the Hub gives up (a verification is then `unknown`).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub verify_timeout: u64,

    /// A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that
    /// inspects TLS). Certificates are always checked.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// Send Hub requests through this http(s) proxy. Proxy environment variables are
    /// ignored: only this flag chooses where tokens travel.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

/// Where the Hub is, how to reach it and how hard to ask it: what verification needs.
#[derive(Debug, Clone, clap::Args)]
pub struct HubArgs {
    #[command(flatten)]
    pub connection: HubConnectionArgs,

    /// Verification requests in flight at once (the Hub rate-limits whoami strictly).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub verify_concurrency: u16,

    /// The most distinct tokens verified in one run; the rest are reported `unknown`, so a
    /// change that plants thousands of fake tokens cannot spend the Hub's rate limit.
    #[arg(long, value_name = "N", default_value_t = verify::DEFAULT_MAX_TOKENS as u32,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub verify_max: u32,

    /// Seconds the whole verification may take, rate-limit pauses included; what is not
    /// checked by then is `unknown`, with that reason.
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub verify_deadline: u64,

    /// Listing requests spent per live token to count what it reaches (namespaces, models,
    /// datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it.
    #[arg(long, value_name = "N", default_value_t = verify::DEFAULT_REACH_REQUESTS,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub reach_requests: u32,
}

impl HubConnectionArgs {
    /// The checked endpoint and transport, in a configuration with verification's defaults;
    /// `announce` prints notices (endpoint, rate-limit pauses).
    fn into_config(self, announce: bool) -> anyhow::Result<VerifyConfig> {
        let (raw, origin) = match self.hf_endpoint {
            Some(endpoint) => (endpoint, EndpointOrigin::Flag),
            None => match std::env::var("HF_ENDPOINT").ok().filter(|e| !e.is_empty()) {
                Some(endpoint) => (endpoint, EndpointOrigin::Environment),
                None => (DEFAULT_ENDPOINT.to_string(), EndpointOrigin::Default),
            },
        };
        let endpoint = Endpoint::parse(&raw, origin)?;
        let mut transport = Transport::new(Duration::from_secs(self.verify_timeout));
        if let Some(path) = &self.ca_file {
            transport.add_ca_file(path)?;
        }
        if let Some(proxy) = &self.proxy {
            transport.set_proxy(proxy)?;
        }
        let mut config = VerifyConfig::new(endpoint, transport, 2);
        config.announce = announce;
        Ok(config)
    }
}

impl HubArgs {
    /// The checked configuration; `announce` prints notices (endpoint, rate-limit pauses).
    fn into_config(self, announce: bool) -> anyhow::Result<VerifyConfig> {
        let mut config = self.connection.into_config(announce)?;
        config.concurrency = usize::from(self.verify_concurrency).max(1);
        config.max_tokens = self.verify_max as usize;
        config.deadline = Duration::from_secs(self.verify_deadline);
        config.reach_requests = self.reach_requests;
        Ok(config)
    }
}

/// Incident-response commands; both read tokens from standard input, one per line, so they
/// never land in shell history or the process list.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify tokens read from standard input and print who owns each and what it can do.
    ///
    /// Input: one token per line (blank lines and `#` comments skipped; any other line is
    /// reported by number, never echoed). On a terminal, paste them and end with Ctrl-D.
    /// Exit status: 1 if any token is valid (an incident), 2 if none is valid but one could
    /// not be checked (or no token was given), 0 if every token is dead.
    Verify {
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
        format: VerifyFormat,
        /// Show tokens in full instead of redacted.
        #[arg(long)]
        show_secrets: bool,
        /// Incident response: count each live token's reach with a larger budget
        /// (at least 200 listing requests per token).
        #[arg(long)]
        reach: bool,
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Revoke tokens through the Hub's revocation endpoint: those read from standard input,
    /// or with --from-scan those a scan of PATHs finds (never printed).
    ///
    /// Input: one token per line, as for `verify`. With --org, the tokens are cut off from
    /// that organisation only. Exit status: 0 when the Hub accepted every request (or a scan
    /// found nothing to revoke), 2 when it refused one, when nothing was confirmed, or when
    /// an incomplete scan found nothing.
    Revoke {
        /// Do not ask for confirmation (required when there is no terminal to ask on).
        #[arg(long)]
        yes: bool,
        /// Scan PATHs (default: the current directory) as `hf-scan PATH…` would and revoke
        /// every token reported, instead of reading tokens from standard input.
        #[arg(long)]
        from_scan: bool,
        /// What to scan with --from-scan.
        #[arg(value_name = "PATH", requires = "from_scan")]
        paths: Vec<PathBuf>,
        /// Cut the tokens off from this Enterprise organisation only, with its
        /// administrator's token (HF_TOKEN or --token-file): they keep working elsewhere.
        #[arg(long, value_name = "ORG")]
        org: Option<String>,
        /// With --org: read the administrator's token from FILE instead of HF_TOKEN.
        #[arg(long, value_name = "FILE", requires = "org")]
        token_file: Option<PathBuf>,
        #[command(flatten)]
        hub: HubConnectionArgs,
    },
    /// Audit what users and organisations published on the Hub: every model, dataset and
    /// Space (their whole git history, every ref) and, with --discussions, their discussions.
    /// Private and gated repositories are read with HF_TOKEN or --token-file.
    Hub(Box<HubAuditArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from
    /// these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these flags; with --out-dir, write it and one
    /// page per subcommand into DIR.
    Man {
        /// Write hf-scan.1 and hf-scan-SUBCOMMAND.1 here instead of printing hf-scan.1.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// `hf-scan hub`'s own flags; the report and verification flags are a scan's.
#[derive(Debug, clap::Args)]
pub struct HubAuditArgs {
    /// Every model, dataset and Space of this user or organisation (repeatable).
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// A model to audit, `owner/name` (repeatable).
    #[arg(long, value_name = "ID")]
    pub model: Vec<String>,
    /// A dataset to audit, `owner/name` (repeatable).
    #[arg(long, value_name = "ID")]
    pub dataset: Vec<String>,
    /// A Space to audit, `owner/name` (repeatable).
    #[arg(long, value_name = "ID")]
    pub space: Vec<String>,
    /// A kernel repository to audit, `owner/name` (repeatable).
    #[arg(long, value_name = "ID")]
    pub kernel: Vec<String>,
    /// A Storage Bucket to audit, `owner/name` (repeatable): its files as they are now, each
    /// up to --max-lfs-size. --author lists the author's buckets too.
    #[arg(long, value_name = "ID")]
    pub bucket: Vec<String>,
    /// Also scan every discussion and pull request: titles and comments.
    #[arg(long)]
    pub discussions: bool,
    /// Also scan each --author's Jobs and scheduled Jobs: their environment values, command
    /// and arguments (needs a token that may list them).
    #[arg(long)]
    pub jobs: bool,
    /// Fetch and scan LFS objects up to this size (K, M, G suffixes); larger ones are listed
    /// in a notice.
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    pub max_lfs_size: u64,
    /// Audit only every N-th repository of the sorted list, starting at the K-th (`K/N`), so
    /// N jobs audit an organisation together.
    #[arg(long, value_name = "K/N", value_parser = crate::hub::audit::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Where the bare mirrors are kept, and fetched again on the next run. Default: hub/ in
    /// the user's cache directory.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Read the token for private and gated repositories from FILE instead of HF_TOKEN. It is
    /// sent only to the endpoint, never printed and never written to disk.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Repositories mirrored at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub clone_jobs: u16,
    /// The longest one repository's clone or fetch may take; past it git is stopped and the
    /// repository is reported as not mirrored (a transfer slower than 1 KiB/s for 60 s is
    /// abandoned sooner).
    #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub clone_timeout: u64,
    /// A config with allowed token hashes and extra rules (its exclude_paths apply to paths
    /// inside each repository).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this audit to a baseline file, and accept them (exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Ignore `hf-scan:allow` comments.
    #[arg(long)]
    pub no_inline_allow: bool,
    /// Worker threads for scanning. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub reporting: ReportArgs,
}

impl HubAuditArgs {
    /// The scan configuration, the audit plan and the client the audit talks through.
    fn into_parts(
        self,
    ) -> anyhow::Result<(
        Config,
        crate::hub::audit::AuditPlan,
        crate::hub::client::HubClient,
    )> {
        use crate::hub::audit::{valid_id, AuditPlan, HubRepo, RepoKind};
        if self.author.is_empty()
            && self.model.is_empty()
            && self.dataset.is_empty()
            && self.space.is_empty()
            && self.kernel.is_empty()
            && self.bucket.is_empty()
        {
            bail!("nothing to audit: name --author, --model, --dataset, --space, --kernel or --bucket");
        }
        if self.jobs && self.author.is_empty() {
            bail!("--jobs lists the jobs of each --author: name one");
        }
        for author in &self.author {
            if !valid_id(author) || author.contains('/') {
                bail!("--author must be a user or organisation name");
            }
        }
        let mut named = Vec::new();
        for (kind, ids, flag) in [
            (RepoKind::Model, &self.model, "--model"),
            (RepoKind::Dataset, &self.dataset, "--dataset"),
            (RepoKind::Space, &self.space, "--space"),
            (RepoKind::Kernel, &self.kernel, "--kernel"),
            (RepoKind::Bucket, &self.bucket, "--bucket"),
        ] {
            for id in ids {
                if !valid_id(id) {
                    bail!("{flag} takes an id such as owner/name");
                }
                named.push(HubRepo {
                    kind,
                    id: id.clone(),
                });
            }
        }
        let quiet = self.reporting.quiet;
        let mut audit_hub = self.reporting.hub.clone().into_config(!quiet)?;
        // The audit's own requests (listings, discussions) may wait out rate limits for as
        // long as the audit runs; --verify-deadline bounds verification only.
        audit_hub.deadline = Duration::from_secs(7 * 24 * 3600);
        let client = audit_hub.client()?;
        let token = own_token(self.token_file.as_deref())?;
        let cache_dir = match self.cache_dir {
            Some(dir) => dir,
            None => crate::hub::cache::default_dir()
                .map(|dir| dir.join("hub"))
                .context("no cache directory (HOME is not set): pass --cache-dir")?,
        };
        let project = match &self.config {
            Some(path) => ProjectConfig::load(&ProjectFiles::Disk, path, true)?,
            None => ProjectConfig::empty(),
        };
        let matcher = project_matcher(&project)?;
        let baseline = self
            .baseline
            .as_deref()
            .map(|path| Baseline::load(&ProjectFiles::Disk, path))
            .transpose()?;
        let reporting = self.reporting.open()?;
        let write_baseline = open_write_baseline(self.write_baseline.as_deref())?;
        let mut notes = Vec::new();
        let threads = worker_threads(self.threads, &mut notes);
        let config = Config {
            targets: Vec::new(),
            matcher,
            project,
            baseline,
            inline_allow: !self.no_inline_allow,
            write_baseline,
            walk: WalkOptions {
                no_ignore: false,
                follow: false,
                threads,
            },
            content: ContentOptions::default(),
            reporting,
            github_output: None,
            github_summary: None,
            notes,
        };
        let plan = AuditPlan {
            authors: self.author,
            named,
            discussions: self.discussions,
            jobs: self.jobs,
            max_lfs_size: self.max_lfs_size,
            shard: self.shard,
            cache_dir,
            clone_jobs: usize::from(self.clone_jobs),
            clone_timeout: std::time::Duration::from_secs(self.clone_timeout),
            token: token.map(|token| crate::finding::Secret::new(token, 3)),
            progress: config.reporting.progress,
            quiet: config.reporting.quiet,
        };
        Ok((config, plan, client))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

/// The caller's own token, for the Hub requests made with it (an audit's, an organisation
/// revocation's): from `--token-file` if given, else `HF_TOKEN`; `None` when neither is set.
fn own_token(token_file: Option<&Path>) -> anyhow::Result<Option<String>> {
    let token = match (token_file, std::env::var("HF_TOKEN")) {
        (Some(path), _) => {
            let text = crate::files::read_bounded(path, 64 << 10)
                .with_context(|| format!("reading --token-file {}", path.display()))?;
            Some(text.trim().to_string())
        }
        (None, Ok(token)) => Some(token.trim().to_string()),
        (None, Err(_)) => None,
    }
    .filter(|token| !token.is_empty());
    if let Some(token) = &token {
        if token
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            bail!("the token (HF_TOKEN or --token-file) must be one line without spaces");
        }
    }
    Ok(token)
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What to scan.
#[derive(Debug, Clone)]
pub enum Target {
    Stdin,
    /// A unified diff on standard input (`--diff`): what it adds.
    Diff,
    File(PathBuf),
    Tree(PathBuf),
    /// The repository's git directory, and which commits.
    History(PathBuf, CommitRange),
    /// The repository's git directory.
    Staged(PathBuf),
}

/// A checked configuration: everything a scan needs, nothing left to validate.
pub struct Config {
    pub targets: Vec<Target>,
    pub matcher: Matcher,
    pub project: ProjectConfig,
    pub baseline: Option<Baseline>,
    /// Whether `hf-scan:allow` comments suppress (`--no-inline-allow` turns them off).
    pub inline_allow: bool,
    pub write_baseline: Option<OutputFile>,
    pub walk: WalkOptions,
    /// How far into archives and compressed files to look.
    pub content: ContentOptions,
    /// Formats, output files, verification.
    pub reporting: Reporting,
    /// In GitHub Actions: `$GITHUB_OUTPUT` (gets `findings=N`) and `$GITHUB_STEP_SUMMARY`
    /// (gets the Markdown summary).
    pub github_output: Option<OutputFile>,
    pub github_summary: Option<OutputFile>,
    /// Things to tell the user (stderr unless `--quiet`, and every summary).
    pub notes: Vec<String>,
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

impl Args {
    pub fn into_invocation(self) -> anyhow::Result<Invocation> {
        match self.command {
            Some(Command::Verify {
                format,
                show_secrets,
                reach,
                hub,
            }) => {
                let mut hub = hub.into_config(true)?;
                if reach {
                    hub.reach_requests = hub.reach_requests.max(verify::INCIDENT_REACH_REQUESTS);
                }
                Ok(Invocation::Verify {
                    format,
                    show_secrets,
                    hub,
                })
            }
            Some(Command::Revoke {
                yes,
                from_scan,
                paths,
                org,
                token_file,
                hub,
            }) => {
                let org = match org {
                    Some(org) => {
                        if !crate::hub::audit::valid_id(&org) || org.contains('/') {
                            bail!(
                                "--org {}: not an organisation name",
                                crate::sanitize::for_display(&org)
                            );
                        }
                        let Some(admin) = own_token(token_file.as_deref())? else {
                            bail!(
                                "revoke --org {org} acts with the organisation administrator's \
                                 token: set HF_TOKEN or pass --token-file"
                            );
                        };
                        Some((org, Secret::new(admin, 3)))
                    }
                    None => None,
                };
                let from_scan = if from_scan {
                    // The same checked configuration a plain scan of PATHs gets (project
                    // config, exclusions, inline allows), quiet: only the count is shown.
                    let mut args = vec![std::ffi::OsString::from("hf-scan"), "--quiet".into()];
                    args.extend(paths.into_iter().map(PathBuf::into_os_string));
                    let scan = Args::try_parse_from(args)
                        .context("the PATHs of --from-scan")?
                        .into_config()?;
                    Some(Box::new(scan))
                } else {
                    None
                };
                Ok(Invocation::Revoke {
                    yes,
                    hub: hub.into_config(true)?,
                    from_scan,
                    org,
                })
            }
            Some(Command::Completions { shell }) => Ok(Invocation::Completions(shell)),
            Some(Command::Man { out_dir }) => Ok(Invocation::Man(out_dir)),
            Some(Command::Hub(args)) => {
                let (config, plan, client) = args.into_parts()?;
                Ok(Invocation::Hub {
                    config: Box::new(config),
                    plan,
                    client: Box::new(client),
                })
            }
            None => {
                let sarif_files = self.reporting.sarif_files();
                self.into_config()
                    .map(|config| Invocation::Scan(Box::new(config)))
                    .inspect_err(|err| write_failed_sarif(&sarif_files, err))
            }
        }
    }

    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut notes = Vec::new();
        let range = match (&self.since, &self.range) {
            (Some(base), _) => Some(CommitRange::Since(base.clone())),
            (None, Some(range)) => Some(parse_range(range)?),
            (None, None) if self.pre_push || self.hook == Some(Hook::PrePush) => {
                Some(pre_push_range(&mut notes))
            }
            (None, None) if !self.refs.is_empty() => Some(CommitRange::Refs(self.refs.clone())),
            (None, None) if self.history => Some(CommitRange::All),
            (None, None) => None,
        };
        let git_mode = range.is_some() || self.staged || self.github_event.is_some();
        if git_mode && self.paths.len() > 1 {
            bail!(
                "--history, --staged, --since and --range take one repository PATH, not {}",
                self.paths.len()
            );
        }
        if git_mode
            && self
                .paths
                .first()
                .is_some_and(|p| p.as_os_str() == STDIN_PATH)
        {
            bail!("PATH `-` (standard input) cannot be used with --history, --staged, --since or --range");
        }
        let mut config_from = self.config_from.clone();
        let mut config_from_nowhere = false;
        let (targets, config_root, repo) = if git_mode {
            let path = self
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let repo = git::open(&path)?;
            if let Some(range) = &range {
                git::check_range(&repo, range)?;
            }
            // A file or subdirectory only picks the repository: say so, rather than let a
            // user believe only that path was read.
            let canonical = |p: &Path| p.canonicalize().ok();
            let named = canonical(&path);
            let whole = [repo.workdir(), Some(repo.path())]
                .into_iter()
                .flatten()
                .filter_map(canonical)
                .any(|root| Some(root) == named);
            if !whole {
                notes.push(format!(
                    "{} only picks the repository: the whole of {} is scanned",
                    path.display(),
                    repo.workdir().unwrap_or(repo.path()).display()
                ));
            }
            let gitdir = repo.path().to_path_buf();
            let range = match &self.github_event {
                Some(payload) => {
                    let name = std::env::var("GITHUB_EVENT_NAME").context(
                        "--github-event needs GITHUB_EVENT_NAME (set by GitHub Actions)",
                    )?;
                    match github_event::scan_for_event(
                        &repo,
                        &name,
                        payload,
                        self.allow_pull_request_target,
                    )? {
                        EventScan::Commits(range, source) => {
                            // The change under test must not judge itself: the config comes
                            // from the commit the change is measured against, or from nowhere.
                            match source {
                                ConfigSource::Base(base) => {
                                    config_from.get_or_insert(base);
                                }
                                ConfigSource::Checkout => {}
                                ConfigSource::Nothing(reason) if config_from.is_none() => {
                                    notes.push(format!(
                                        "no project config from the repository: {reason}, and \
                                         the change's own .hf-scan.toml must not judge it"
                                    ));
                                    config_from_nowhere = true;
                                }
                                ConfigSource::Nothing(_) => {}
                            }
                            Some(range)
                        }
                        EventScan::Nothing(reason) => {
                            notes.push(format!("nothing to scan: {reason}"));
                            None
                        }
                    }
                }
                None => range,
            };
            let targets = match &range {
                Some(range) => vec![Target::History(gitdir, range.clone())],
                None if self.github_event.is_some() => Vec::new(),
                None => vec![Target::Staged(gitdir)],
            };
            let root = git::config_root(&repo);
            (targets, root, Some((repo, range)))
        } else if self.diff {
            if !(self.paths.is_empty()
                || (self.paths.len() == 1 && self.paths[0].as_os_str() == STDIN_PATH))
            {
                bail!("--diff reads a unified diff on standard input: give no PATH, or `-`");
            }
            // Paths in the diff are relative to the repository it came from: the config of
            // the current directory applies, as for standard input.
            (vec![Target::Diff], PathBuf::from("."), None)
        } else {
            let targets = file_targets(self.paths)?;
            let root = targets
                .iter()
                .find_map(|target| match target {
                    Target::Tree(path) => Some(path.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| PathBuf::from("."));
            (targets, root, None)
        };

        // The config at the scanned root, else (as git tools do) the one at the top of the work
        // tree the root is in, whose exclude_paths then match paths from that top.
        let mut config_at_repo_top = false;
        let config_path = match &self.config {
            Some(path) => path.clone(),
            None => {
                let at_root = config_root.join(CONFIG_FILE_NAME);
                match repo_top_config(&config_root, &at_root) {
                    Some(at_top) if repo.is_none() => {
                        config_at_repo_top = true;
                        at_top
                    }
                    _ => at_root,
                }
            }
        };
        let base_tree = match &config_from {
            Some(revision) => {
                let Some((repo, range)) = &repo else {
                    bail!(
                        "--config-from needs a git mode (--history, --staged, --since, --range \
                         or --github-event)"
                    );
                };
                let commit = git::resolve(repo, revision).context("--config-from")?;
                let tip = match range {
                    Some(CommitRange::Between(_, to)) => Some(git::resolve(repo, to)?),
                    Some(CommitRange::Since(_)) => Some(git::resolve(repo, "HEAD")?),
                    _ => None,
                };
                if let Some(note) =
                    config_change_note(repo, commit, &config_root, &config_path, tip)?
                {
                    notes.push(note);
                }
                Some(git::CommitTree { repo, commit })
            }
            None => None,
        };
        let files = match &base_tree {
            Some(tree) => ProjectFiles::Commit {
                commit: tree,
                root: config_root.clone(),
            },
            None if config_from_nowhere => ProjectFiles::OutsideOnly {
                root: config_root.clone(),
            },
            None => ProjectFiles::Disk,
        };
        let mut project = ProjectConfig::load(&files, &config_path, self.config.is_some())?;
        project.excludes_from_repo_top = config_at_repo_top;
        project.add_excludes(&self.exclude)?;
        project.add_includes(&self.include)?;

        let matcher = project_matcher(&project)?;

        let baseline = self
            .baseline
            .as_deref()
            .map(|path| Baseline::load(&files, path))
            .transpose()?;
        drop(files);

        // An output over a file the scan reads would truncate the evidence before it is read.
        let outputs = self
            .reporting
            .output
            .iter()
            .chain(self.reporting.report.iter().map(|(_, path)| path))
            .chain(self.write_baseline.iter());
        for output in outputs {
            refuse_output_over_input(output, &targets, &matcher)?;
        }
        // Outputs are opened now, before any work or network request: a bad path fails at
        // once, and a link planted at the path is refused (files.rs).
        let mut reporting = self.reporting.open()?;
        reporting.before_commit = self.hook.is_some_and(Hook::before_commit);
        let write_baseline = open_write_baseline(self.write_baseline.as_deref())?;
        let (github_output, github_summary) = if self.github_event.is_some() {
            (
                github_file("GITHUB_OUTPUT")?,
                github_file("GITHUB_STEP_SUMMARY")?,
            )
        } else {
            (None, None)
        };

        let threads = worker_threads(self.threads, &mut notes);

        Ok(Config {
            targets,
            matcher,
            project,
            baseline,
            inline_allow: !self.no_inline_allow,
            write_baseline,
            walk: WalkOptions {
                no_ignore: self.no_ignore,
                follow: self.follow,
                threads,
            },
            content: ContentOptions {
                archives: !self.no_archives,
                max_depth: usize::from(self.max_archive_depth),
                max_inflated: self.max_archive_bytes,
                item_work: self.max_item_work,
                max_file_size: self.max_file_size,
                ..ContentOptions::default()
            },
            reporting,
            github_output,
            github_summary,
            notes,
        })
    }
}

/// The built-in rules plus the project's, compiled; echoed strings are then redacted by the
/// same rules that find tokens in files. The built-in rules' examples are checked by the test
/// suite: running them costs milliseconds per start (the lazy DFA builds a state per character
/// of a long token), so they are checked here only when a project adds rules that could
/// disagree.
fn project_matcher(project: &ProjectConfig) -> anyhow::Result<Matcher> {
    let mut rules = Rules::builtin();
    for extra in &project.extra_rules {
        rules.extend(extra.clone())?;
    }
    let matcher = Matcher::new(rules).context("compiling the rules")?;
    if !project.extra_rules.is_empty() {
        matcher
            .check_examples()
            .map_err(|message| anyhow::anyhow!("rules: {message}"))?;
    }
    crate::sanitize::use_rules(&matcher);
    Ok(matcher)
}

/// The work tree's top-level config, when `at_root` (the scanned root's) does not exist and the
/// root lies below the top of a work tree that has one.
fn repo_top_config(root: &Path, at_root: &Path) -> Option<PathBuf> {
    if at_root.exists() {
        return None;
    }
    let repo = git2::Repository::discover(root).ok()?;
    let at_top = repo.workdir()?.join(CONFIG_FILE_NAME);
    at_top.is_file().then_some(at_top)
}

/// A scan that cannot start still writes its SARIF files: an empty run that says why
/// (`report::sarif::write_failure`). Best effort: the error itself is what the user sees.
fn write_failed_sarif(paths: &[PathBuf], err: &anyhow::Error) {
    let reason = crate::sanitize::for_display(&format!("hf-scan could not scan: {err:#}"));
    for path in paths {
        // Only a new file or an earlier SARIF log is written over: the error may be that the
        // path is a file the scan reads (`-o app/.env`), which must stay as it is.
        if path.symlink_metadata().is_ok() && !looks_like_sarif(path) {
            continue;
        }
        if let Ok(file) = OutputFile::create(path) {
            let _ = file.write_with(|out| crate::report::write_sarif_failure(&reason, out));
        }
    }
}

/// Whether the file at `path` starts like a SARIF log (an earlier run's report).
fn looks_like_sarif(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|file| file.take(4096).read_to_end(&mut head));
    read.is_ok() && memchr::memmem::find(&head, b"sarif-2.1.0").is_some()
}

/// A pre-commit hook's command line with its file names after `--` (`hook.rs`); any other
/// command line as it is.
pub fn hook_command_line(argv: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let is_hook = argv
        .get(1)
        .and_then(|arg| arg.to_str())
        .is_some_and(|arg| arg.starts_with("--hook="));
    if !is_hook {
        return Ok(argv);
    }
    let index = hook::index_paths();
    hook::separate_file_names(
        argv,
        |arg| index.contains(arg.as_encoded_bytes()),
        |command| Args::try_parse_from(command).is_ok_and(|args| args.command.is_none()),
    )
}

/// What `--pre-push` scans, from pre-commit's environment: everything the remote lacks when
/// pre-commit names it, else the pushed range, else (run by hand) the whole history.
fn pre_push_range(notes: &mut Vec<String>) -> CommitRange {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let tip = var("PRE_COMMIT_TO_REF");
    match (
        var("PRE_COMMIT_REMOTE_NAME"),
        var("PRE_COMMIT_FROM_REF"),
        tip,
    ) {
        (Some(remote), _, tip) => CommitRange::Unpushed { remote, tip },
        (None, Some(from), Some(to)) if !from.bytes().all(|b| b == b'0') => {
            CommitRange::Between(from, to)
        }
        _ => {
            notes.push(
                "--pre-push: pre-commit gave no remote or range (PRE_COMMIT_REMOTE_NAME, \
                 PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF); scanning the whole history"
                    .to_string(),
            );
            CommitRange::All
        }
    }
}

/// `$NAME` opened for appending, when GitHub Actions set it.
fn github_file(name: &str) -> anyhow::Result<Option<OutputFile>> {
    match std::env::var_os(name).filter(|value| !value.is_empty()) {
        Some(path) => OutputFile::append(Path::new(&path))
            .with_context(|| format!("${name}"))
            .map(Some),
        None => Ok(None),
    }
}

/// Says so when the change under test edits the config that was read from its base: the
/// edit is not applied, and a reviewer should look at it.
fn config_change_note(
    repo: &git2::Repository,
    base: git2::Oid,
    root: &Path,
    config_path: &Path,
    tip: Option<git2::Oid>,
) -> anyhow::Result<Option<String>> {
    let (Some(tip), Some(relative)) = (tip, repo_relative(root, config_path)) else {
        return Ok(None);
    };
    let before = git::blob_id_at(repo, base, &relative)?;
    let after = git::blob_id_at(repo, tip, &relative)?;
    Ok((before != after).then(|| {
        format!(
            "this change edits {relative}; the scan used the version at {} (the base), so the \
             edit takes effect only once it is merged: review it",
            &base.to_string()[..10]
        )
    }))
}

/// Checks each PATH for a plain (non-git) scan: it must exist; `-` at most once.
fn file_targets(paths: Vec<PathBuf>) -> anyhow::Result<Vec<Target>> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let mut targets = Vec::with_capacity(paths.len());
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == STDIN_PATH {
            if stdin_seen {
                bail!("PATH `-` (standard input) is given twice");
            }
            stdin_seen = true;
            targets.push(Target::Stdin);
            continue;
        }
        let metadata =
            std::fs::metadata(&path).with_context(|| format!("PATH {}", path.display()))?;
        // A FIFO or a device (`/dev/zero`) would block or never end; a walk passes them over,
        // and one named here is an error rather than a hang.
        if !metadata.is_dir() && !metadata.is_file() {
            bail!(
                "PATH {} is not a regular file or a directory (a FIFO, a device or a socket); \
                 to scan a stream, pipe it to `hf-scan -`",
                path.display()
            );
        }
        targets.push(if metadata.is_dir() {
            Target::Tree(path)
        } else {
            Target::File(path)
        });
    }
    Ok(targets)
}

/// Refuses an output path that is an existing file this scan would read and that holds a token
/// (`-o app/.env` truncated the evidence before the scan read it). A new file, or the previous
/// run's redacted report, holds none: it is overwritten as usual.
fn refuse_output_over_input(
    output: &Path,
    targets: &[Target],
    matcher: &Matcher,
) -> anyhow::Result<()> {
    let Ok(output_canonical) = output.canonicalize() else {
        return Ok(());
    };
    let read = targets.iter().any(|target| match target {
        Target::File(path) => path
            .canonicalize()
            .is_ok_and(|path| path == output_canonical),
        Target::Tree(root) => root
            .canonicalize()
            .is_ok_and(|root| output_canonical.starts_with(root)),
        _ => false,
    });
    if !read {
        return Ok(());
    }
    let holds_token = match std::fs::metadata(&output_canonical) {
        Ok(meta) if meta.is_file() && meta.len() <= OUTPUT_CHECK_LIMIT => {
            std::fs::read(&output_canonical).map_or(true, |bytes| {
                let mut found = false;
                matcher.find_in(&bytes, 0, |_| found = true);
                found
            })
        }
        // Too large to check, or not a regular file: not something to write over.
        _ => true,
    };
    if holds_token {
        bail!(
            "{} is a file this scan reads, and it holds a token: writing a report there would \
             destroy it before it is read; choose another output path",
            output.display()
        );
    }
    Ok(())
}

/// The largest existing output file checked for tokens before it is written over.
const OUTPUT_CHECK_LIMIT: u64 = 64 << 20;

/// `A..B`, as git writes a range. `A...B` (a symmetric difference) is not what a pull request
/// adds, so it is refused rather than guessed at.
fn parse_range(range: &str) -> anyhow::Result<CommitRange> {
    if range.contains("...") {
        bail!("--range takes A..B (two dots), not `{range}`");
    }
    match range.split_once("..") {
        Some((from, to)) if !from.is_empty() && !to.is_empty() => {
            Ok(CommitRange::Between(from.to_string(), to.to_string()))
        }
        _ => bail!("--range takes A..B, two revisions joined by `..`, not `{range}`"),
    }
}

/// `--exit-code N`: 1 to 255, never 2 (an error or an incomplete scan).
fn parse_exit_code(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(0) => Err("0 would make findings look like a clean scan".into()),
        Ok(2) => Err("2 means an error or an incomplete scan; pick another".into()),
        Ok(code) => Ok(code),
        Err(_) => Err(format!("`{text}` is not an exit status from 1 to 255")),
    }
}

/// `FORMAT=FILE` for `--report`.
fn parse_report_target(value: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = value
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, got `{value}`"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        format!(
            "unknown report format `{format}` (text, json, jsonl, sarif, github, markdown, html)"
        )
    })?;
    if file.is_empty() {
        return Err("the report file name is empty".into());
    }
    Ok((format, PathBuf::from(file)))
}

/// `512`, `64K`, `256M`, `1G` (powers of 1024) as bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{text}` is not a size (try 512K, 64M or 2G)")),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 512K, 64M or 2G)"))?;
    match number.checked_mul(1 << shift) {
        Some(0) => Err("the size must be more than 0".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

/// `-j N`, else the number of CPUs (2 when it cannot be read).
/// The most worker threads a scan starts: each owns a 4 MiB buffer and a pack cache share,
/// and thousands of them on a few files only cost time. Above the core count on purpose:
/// benchmarks run `-j 8` on two cores.
pub const MAX_THREADS: usize = 256;

/// `-j N`, or the number of CPUs; above `MAX_THREADS` it is capped, with a note.
fn worker_threads(requested: Option<u16>, notes: &mut Vec<String>) -> usize {
    match requested {
        Some(threads) if usize::from(threads) > MAX_THREADS => {
            notes.push(format!(
                "-j {threads}: using {MAX_THREADS} worker threads, the most hf-scan starts"
            ));
            MAX_THREADS
        }
        Some(threads) => usize::from(threads),
        None => std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(MAX_THREADS),
    }
}

/// `--write-baseline FILE`, opened before any work like every output.
fn open_write_baseline(path: Option<&Path>) -> anyhow::Result<Option<OutputFile>> {
    path.map(OutputFile::create).transpose()
}

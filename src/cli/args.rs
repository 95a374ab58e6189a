//! What was typed: clap's definitions of every flag and subcommand, and the value parsers
//! their attributes name. Nothing here checks a path or reads a file; `config` does.

use super::*;

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
    /// List on standard error each file scanned and each path passed over, with why (the
    /// config's exclusion, --include, ignore rules, --max-file-size). In --history, the path
    /// versions passed over, each with its commit; the blobs scanned are counted, not listed.
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    pub verbose: bool,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--exit-code N`: 1 to 255, never 2 (an error or an incomplete scan).
pub(super) fn parse_exit_code(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(0) => Err("0 would make findings look like a clean scan".into()),
        Ok(2) => Err("2 means an error or an incomplete scan; pick another".into()),
        Ok(code) => Ok(code),
        Err(_) => Err(format!("`{text}` is not an exit status from 1 to 255")),
    }
}

/// `FORMAT=FILE` for `--report`.
pub(super) fn parse_report_target(value: &str) -> Result<(Format, PathBuf), String> {
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
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
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

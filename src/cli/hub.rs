//! `hf-scan hub`'s arguments, and the checks that turn them into an audit plan, a scan
//! configuration and a Hub client.

use super::*;

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
    pub(super) fn into_parts(
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

/// The caller's own token, for the Hub requests made with it (an audit's, an organisation
/// revocation's): from `--token-file` if given, else `HF_TOKEN`; `None` when neither is set.
pub(super) fn own_token(token_file: Option<&Path>) -> anyhow::Result<Option<String>> {
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

//! What was checked: `Config` and its parts, built from the arguments by `Args::into_config`
//! and the subcommands' own checks — paths exist, the config and baseline load, the rules
//! compile, every output file is opened — so every error about bad input is raised before any
//! work starts, and nothing after this module reads a raw flag.

use super::*;

/// The report side of a checked configuration.
pub struct Reporting {
    pub format: Format,
    pub output: Option<OutputFile>,
    /// `--report FORMAT=FILE`: further reports of the same result.
    pub extra_reports: Vec<(Format, OutputFile)>,
    pub show_secrets: bool,
    pub color: bool,
    pub quiet: bool,
    /// `--verbose`: each file scanned and each path passed over, on stderr.
    pub verbose: bool,
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

impl ReportArgs {
    /// Opens every output file now, before any work or network request: a bad path fails at
    /// once, and a link planted at the path is refused (files.rs).
    /// The files a SARIF report goes to (`--format sarif --output`, `--report sarif=`).
    pub(super) fn sarif_files(&self) -> Vec<PathBuf> {
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
            verbose: self.verbose,
            progress: !self.quiet && std::io::stderr().is_terminal(),
            verify,
            only_verified: self.only_verified,
            before_commit: false,
            findings_exit_code: self.exit_code,
        })
    }
}

impl HubConnectionArgs {
    /// The checked endpoint and transport, in a configuration with verification's defaults;
    /// `announce` prints notices (endpoint, rate-limit pauses).
    pub(super) fn into_config(self, announce: bool) -> anyhow::Result<VerifyConfig> {
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
    pub(super) fn into_config(self, announce: bool) -> anyhow::Result<VerifyConfig> {
        let mut config = self.connection.into_config(announce)?;
        config.concurrency = usize::from(self.verify_concurrency).max(1);
        config.max_tokens = self.verify_max as usize;
        config.deadline = Duration::from_secs(self.verify_deadline);
        config.reach_requests = self.reach_requests;
        Ok(config)
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
pub(super) fn project_matcher(project: &ProjectConfig) -> anyhow::Result<Matcher> {
    let matcher = if project.extra_rules.is_empty() {
        Matcher::builtin()
    } else {
        let mut rules = Rules::builtin();
        for extra in &project.extra_rules {
            rules.extend(extra.clone())?;
        }
        let matcher = Matcher::new(rules).context("compiling the rules")?;
        matcher
            .check_examples()
            .map_err(|message| anyhow::anyhow!("rules: {message}"))?;
        matcher
    };
    crate::sanitize::use_rules(&matcher);
    Ok(matcher)
}

/// The work tree's top-level config, when `at_root` (the scanned root's) does not exist and the
/// root lies below the top of a work tree that has one.
pub(super) fn repo_top_config(root: &Path, at_root: &Path) -> Option<PathBuf> {
    if at_root.exists() {
        return None;
    }
    let repo = git2::Repository::discover(root).ok()?;
    let at_top = repo.workdir()?.join(CONFIG_FILE_NAME);
    at_top.is_file().then_some(at_top)
}

/// A scan that cannot start still writes its SARIF files: an empty run that says why
/// (`report::sarif::write_failure`). Best effort: the error itself is what the user sees.
pub(super) fn write_failed_sarif(paths: &[PathBuf], err: &anyhow::Error) {
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
pub(super) fn looks_like_sarif(path: &Path) -> bool {
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
pub(super) fn pre_push_range(notes: &mut Vec<String>) -> CommitRange {
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
pub(super) fn github_file(name: &str) -> anyhow::Result<Option<OutputFile>> {
    match std::env::var_os(name).filter(|value| !value.is_empty()) {
        Some(path) => OutputFile::append(Path::new(&path))
            .with_context(|| format!("${name}"))
            .map(Some),
        None => Ok(None),
    }
}

/// Says so when the change under test edits the config that was read from its base: the
/// edit is not applied, and a reviewer should look at it.
pub(super) fn config_change_note(
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
pub(super) fn file_targets(paths: Vec<PathBuf>) -> anyhow::Result<Vec<Target>> {
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
pub(super) fn refuse_output_over_input(
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
pub(super) const OUTPUT_CHECK_LIMIT: u64 = 64 << 20;

/// `A..B`, as git writes a range. `A...B` (a symmetric difference) is not what a pull request
/// adds, so it is refused rather than guessed at.
pub(super) fn parse_range(range: &str) -> anyhow::Result<CommitRange> {
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

/// `-j N`, else the number of CPUs (2 when it cannot be read).
/// The most worker threads a scan starts: each owns a 4 MiB buffer and a pack cache share,
/// and thousands of them on a few files only cost time. Above the core count on purpose:
/// benchmarks run `-j 8` on two cores.
pub const MAX_THREADS: usize = 256;

/// `-j N`, or the number of CPUs; above `MAX_THREADS` it is capped, with a note.
pub(super) fn worker_threads(requested: Option<u16>, notes: &mut Vec<String>) -> usize {
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
pub(super) fn open_write_baseline(path: Option<&Path>) -> anyhow::Result<Option<OutputFile>> {
    path.map(OutputFile::create).transpose()
}

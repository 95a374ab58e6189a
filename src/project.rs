//! The project config, `.hf-scan.toml`, and where project files are read from.
//!
//! The config says which paths to skip (gitignore syntax), which token hashes are accepted
//! (known fakes, long-revoked tokens) and which extra rule files to load. Those are exactly the
//! switches that turn a gate off, so where they come from matters: in CI (`--github-event`,
//! `--config-from REV`) a pull request must not be able to edit the config that judges it. There
//! the config, its rule files and a baseline inside the repository are read from the base
//! commit's tree (`ProjectFiles::Commit`), not from the checkout under test; elsewhere from the
//! file system (`ProjectFiles::Disk`).
//!
//! Every file is read bounded (a regular file under a size cap), and extra rule files must stay
//! inside the config's directory: no absolute paths, no `..`, no link leading out.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use crate::detect::rules::Rules;
use crate::files::{self, CONFIG_LIMIT};

pub const CONFIG_FILE_NAME: &str = ".hf-scan.toml";

/// A commit's files, as project files need them: the one thing this module asks of git, so
/// the config depends on no git code (`source::git::CommitTree` implements it).
pub trait CommitFiles {
    /// The text of the file at `path` (`/`-separated, from the repository's top); `None` when
    /// the commit has none there.
    fn read(&self, path: &str, limit: u64) -> anyhow::Result<Option<String>>;
    /// How messages name the commit (a short id).
    fn name(&self) -> String;
}

/// Where the project's own files (config, extra rules, baseline) are read from.
pub enum ProjectFiles<'r> {
    /// The file system as it is.
    Disk,
    /// A commit's tree: the base of the change under test. Paths inside `root` (the work tree,
    /// or a bare repository's directory) are read from `commit`; paths outside it are files the
    /// workflow itself supplies and are read from disk.
    Commit {
        commit: &'r dyn CommitFiles,
        root: PathBuf,
    },
    /// Nothing inside `root` (the change's own files, when its base cannot be read): paths
    /// there read as absent; paths outside are files the workflow supplies, read from disk.
    OutsideOnly { root: PathBuf },
}

impl ProjectFiles<'_> {
    /// Reads `path` (as the user named it, relative to the working directory); `None` when it
    /// does not exist.
    pub fn read(&self, path: &Path, limit: u64) -> anyhow::Result<Option<String>> {
        match self {
            ProjectFiles::Commit { commit, root } => {
                if let Some(relative) = repo_relative(root, path) {
                    return commit
                        .read(&relative, limit)
                        .with_context(|| format!("reading {} at {}", relative, commit.name()));
                }
            }
            ProjectFiles::OutsideOnly { root } if repo_relative(root, path).is_some() => {
                return Ok(None);
            }
            _ => {}
        }
        match files::read_bounded(path, limit) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(anyhow::Error::new(err).context(format!("reading {}", path.display()))),
        }
    }

    /// How messages name `path`: with the commit it was read from, when it was.
    pub fn describe(&self, path: &Path) -> String {
        match self {
            ProjectFiles::Commit { root, commit } => match repo_relative(root, path) {
                Some(relative) => format!("{relative} (at {})", commit.name()),
                None => path.display().to_string(),
            },
            ProjectFiles::OutsideOnly { root } if repo_relative(root, path).is_some() => {
                format!("{} (not read: the change's own)", path.display())
            }
            ProjectFiles::Disk | ProjectFiles::OutsideOnly { .. } => path.display().to_string(),
        }
    }
}

/// `path` relative to `root`, `/`-separated, if it lies inside; decided lexically (the file may
/// exist only in the commit, not on disk).
pub fn repo_relative(root: &Path, path: &Path) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let absolute = normalize(&cwd.canonicalize().unwrap_or(cwd).join(path));
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let relative = absolute.strip_prefix(normalize(&root)).ok()?;
    let text = relative.to_string_lossy().replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectConfigFile {
    #[serde(default)]
    exclude_paths: Vec<String>,
    #[serde(default)]
    allowed_secret_hashes: Vec<String>,
    #[serde(default)]
    extra_rules: Vec<PathBuf>,
}

/// `.hf-scan.toml`, loaded and checked.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    /// Where the config came from, for messages; `None` when there was none.
    pub origin: Option<String>,
    exclude: Gitignore,
    /// `--exclude` patterns.
    command_line_exclude: Gitignore,
    /// `--include`: when set, only files whose path matches are scanned.
    command_line_include: Option<Gitignore>,
    allowed_hashes: BTreeSet<String>,
    pub extra_rules: Vec<Rules>,
    /// The config was found at the top of the work tree, above the scanned root: its
    /// exclude_paths match paths from that top, not from the root.
    pub excludes_from_repo_top: bool,
}

impl ProjectConfig {
    pub fn empty() -> Self {
        Self {
            origin: None,
            exclude: Gitignore::empty(),
            command_line_exclude: Gitignore::empty(),
            command_line_include: None,
            allowed_hashes: BTreeSet::new(),
            extra_rules: Vec::new(),
            excludes_from_repo_top: false,
        }
    }

    /// Loads `path` from `files`; `required` says whether a missing file is an error (it is
    /// when the user named it with `--config`, not when it is the default at the root).
    pub fn load(files: &ProjectFiles, path: &Path, required: bool) -> anyhow::Result<Self> {
        let origin = files.describe(path);
        let Some(text) = files.read(path, CONFIG_LIMIT)? else {
            if required {
                bail!("config {origin} does not exist");
            }
            return Ok(Self::empty());
        };
        let base = path.parent().unwrap_or(Path::new(""));
        Self::parse(&text, &origin, files, base)
    }

    /// Parses a config's text (also the fuzzing entry point); `origin` names it in errors, and
    /// its extra rule files are read from `files`, relative to `base`.
    pub fn parse(
        text: &str,
        origin: &str,
        files: &ProjectFiles,
        base: &Path,
    ) -> anyhow::Result<Self> {
        let file: ProjectConfigFile = toml::from_str(text).map_err(|err| {
            let line = err
                .span()
                .map(|span| format!(" (line {})", 1 + text[..span.start].matches('\n').count()))
                .unwrap_or_default();
            anyhow::anyhow!("config {origin}{line}: {}", err.message())
        })?;
        let mut exclude = GitignoreBuilder::new("");
        for pattern in &file.exclude_paths {
            exclude
                .add_line(None, pattern)
                .with_context(|| format!("config {origin}: exclude_paths: `{pattern}`"))?;
        }
        let exclude = exclude
            .build()
            .with_context(|| format!("config {origin}: exclude_paths"))?;
        let mut allowed_hashes = BTreeSet::new();
        for (index, hash) in file.allowed_secret_hashes.iter().enumerate() {
            // The value is not echoed: a user who pasted a token here must not see it in logs.
            let hash = hash.trim().to_ascii_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "config {origin}: allowed_secret_hashes entry {} is not a SHA-256 hex digest \
                     (put the token's hash there, never the token)",
                    index + 1
                );
            }
            allowed_hashes.insert(hash);
        }
        let mut extra_rules = Vec::new();
        for relative in &file.extra_rules {
            let rules_path = contained_rules_path(files, base, relative)
                .with_context(|| format!("config {origin}: extra_rules"))?;
            let rules_origin = files.describe(&rules_path);
            let text = files.read(&rules_path, CONFIG_LIMIT)?.with_context(|| {
                format!("config {origin}: rules file {rules_origin} does not exist")
            })?;
            extra_rules.push(Rules::parse(&text, &rules_origin)?);
        }
        Ok(Self {
            origin: Some(origin.to_string()),
            exclude,
            command_line_exclude: Gitignore::empty(),
            command_line_include: None,
            allowed_hashes,
            extra_rules,
            excludes_from_repo_top: false,
        })
    }

    /// Adds `--exclude` patterns (gitignore syntax, matched like `exclude_paths`).
    pub fn add_excludes(&mut self, patterns: &[String]) -> anyhow::Result<()> {
        if let Some(set) = command_line_globs(patterns, "--exclude")? {
            self.command_line_exclude = set;
        }
        Ok(())
    }

    /// Adds `--include` patterns: from then on only files matching one are scanned.
    pub fn add_includes(&mut self, patterns: &[String]) -> anyhow::Result<()> {
        self.command_line_include = command_line_globs(patterns, "--include")?;
        Ok(())
    }

    pub fn is_excluded(&self, relative_path: &str, is_dir: bool) -> bool {
        if relative_path.is_empty() {
            return false;
        }
        // A directory is never left out by --include: a file below it may match.
        let not_included = !is_dir
            && self.command_line_include.as_ref().is_some_and(|include| {
                !include
                    .matched_path_or_any_parents(relative_path, false)
                    .is_ignore()
            });
        not_included
            || [&self.exclude, &self.command_line_exclude]
                .iter()
                .any(|set| {
                    set.matched_path_or_any_parents(relative_path, is_dir)
                        .is_ignore()
                })
    }

    /// Why [`Self::is_excluded`] holds for a path, for `--verbose`: the glob and where it
    /// comes from.
    pub fn why_excluded(&self, relative_path: &str, is_dir: bool) -> String {
        let by = |set: &Gitignore| match set.matched_path_or_any_parents(relative_path, is_dir) {
            ignore::Match::Ignore(glob) => Some(glob.original().to_string()),
            _ => None,
        };
        if let Some(glob) = by(&self.exclude) {
            return format!("excluded by `{glob}` (exclude_paths in the project config)");
        }
        if let Some(glob) = by(&self.command_line_exclude) {
            return format!("excluded by `{glob}` (--exclude)");
        }
        "matches no --include glob".to_string()
    }

    pub fn allows_hash(&self, hash: &str) -> bool {
        self.allowed_hashes.contains(hash)
    }
}

/// The globs a command-line `flag` gave (gitignore syntax, from the repository's top);
/// `None` when there are none.
fn command_line_globs(patterns: &[String], flag: &str) -> anyhow::Result<Option<Gitignore>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GitignoreBuilder::new("");
    for pattern in patterns {
        builder
            .add_line(None, pattern)
            .with_context(|| format!("{flag} `{pattern}`"))?;
    }
    builder.build().context(flag.to_string()).map(Some)
}

/// `base/relative`, if `relative` stays inside `base`: a config must not make hf-scan read
/// `/dev/zero`, another user's files, or anything outside the project.
fn contained_rules_path(
    files: &ProjectFiles,
    base: &Path,
    relative: &Path,
) -> anyhow::Result<PathBuf> {
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        bail!(
            "`{}` must be a path inside the config's directory (no leading `/`, no `..`)",
            relative.display()
        );
    }
    let path = base.join(relative);
    if let ProjectFiles::Disk = files {
        // A link inside the directory may still lead out of it.
        let dir = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        if let (Ok(dir), Ok(resolved)) = (dir.canonicalize(), path.canonicalize()) {
            if !resolved.starts_with(&dir) {
                bail!(
                    "`{}` leads outside the config's directory",
                    relative.display()
                );
            }
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> anyhow::Result<ProjectConfig> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&path, text).unwrap();
        ProjectConfig::load(&ProjectFiles::Disk, &path, true)
    }

    #[test]
    fn exclude_paths_use_gitignore_syntax() {
        let config =
            load_text("exclude_paths = [\"fixtures/\", \"*.snap\", \"/top.txt\"]\n").unwrap();
        assert!(config.is_excluded("fixtures/a/b.txt", false));
        assert!(config.is_excluded("src/x.snap", false));
        assert!(config.is_excluded("top.txt", false));
        assert!(!config.is_excluded("sub/top.txt", false));
        assert!(!config.is_excluded("src/main.rs", false));
    }

    #[test]
    fn a_token_in_allowed_hashes_is_refused() {
        let err = load_text("allowed_secret_hashes = [\"hf_notahash\"]\n").unwrap_err();
        assert!(format!("{err:#}").contains("not a SHA-256"));
    }

    #[test]
    fn unknown_config_keys_are_errors_with_a_line_number() {
        let err = load_text("# a comment\nexclude = [\"x\"]\n").unwrap_err();
        assert!(format!("{err:#}").contains("(line 2)"), "{err:#}");
    }

    #[test]
    fn extra_rules_stay_inside_the_config_directory() {
        for path in ["/dev/zero", "../rules.toml", "a/../../b.toml"] {
            let err = load_text(&format!("extra_rules = [\"{path}\"]\n")).unwrap_err();
            assert!(format!("{err:#}").contains("inside"), "{path}: {err:#}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn extra_rules_behind_a_link_leading_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("rules.toml")).unwrap();
        let path = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&path, "extra_rules = [\"rules.toml\"]\n").unwrap();
        let err = ProjectConfig::load(&ProjectFiles::Disk, &path, true).unwrap_err();
        assert!(format!("{err:#}").contains("outside"), "{err:#}");
    }

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}

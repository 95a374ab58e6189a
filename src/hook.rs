//! The pre-commit hooks' command line: which arguments are the user's and which are file names.
//!
//! pre-commit runs `entry`, then the user's `args:`, then the file names it chose, and shuffles
//! those names for parallel runs. A bare `--` in `entry` would turn the user's `args:` into
//! paths; without one, a committed file named `--exclude=**` or `--hf-endpoint=…` is read as an
//! option. So the hooks' entries start with `--hook=STAGE`, and hf-scan splits the rest itself:
//! the file names are the longest tail of arguments that are all paths in the git index (what
//! pre-commit passes: staged files, or `git ls-files` for `--all-files`) and that leaves the
//! head a valid scan command line. The file names go to the parser after `--`, so none can be
//! an option or a subcommand. Where a file name that starts with `-` could also have been one
//! of the user's options (a user argument and a committed file of the same name), hf-scan
//! cannot tell them apart and refuses: a blocked commit, never a silently steered scan.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};

/// Which hook is running, as its `entry` says (`--hook=STAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Hook {
    /// The commit hook: the files being committed.
    PreCommit,
    /// The commit-message hook: the message file.
    CommitMsg,
    /// The push hook: the commits being pushed (implies `--pre-push`).
    PrePush,
}

impl Hook {
    /// Whether what the hook blocks has not been recorded anywhere yet (no commit exists).
    pub fn before_commit(self) -> bool {
        matches!(self, Self::PreCommit | Self::CommitMsg)
    }
}

/// The hook's argument, as the entries write it.
const HOOK_PREFIX: &str = "--hook=";

/// Rewrites a hook's command line (`argv[1]` is `--hook=STAGE`) so the file names follow `--`.
/// `in_index` says whether an argument is a path in the git index; `parses` whether a command
/// line (without file names) is a valid scan. Any other command line is returned as it is.
pub fn separate_file_names(
    argv: Vec<OsString>,
    in_index: impl Fn(&OsStr) -> bool,
    parses: impl Fn(&[OsString]) -> bool,
) -> Result<Vec<OsString>, String> {
    let Some(stage) = argv
        .get(1)
        .and_then(|arg| arg.to_str())
        .and_then(|arg| arg.strip_prefix(HOOK_PREFIX))
    else {
        return Ok(argv);
    };
    let head = &argv[..2];
    let rest = &argv[2..];
    let valid = |split: usize| {
        let command: Vec<OsString> = head.iter().chain(&rest[..split]).cloned().collect();
        parses(&command)
    };
    let split = match stage {
        // pre-commit passes exactly one file, the message, last.
        "commit-msg" if !rest.is_empty() => rest.len() - 1,
        "commit-msg" => 0,
        "pre-commit" => {
            // The tail of index paths: file names can only be among them.
            let mut start = rest.len();
            while start > 0 && in_index(&rest[start - 1]) {
                start -= 1;
            }
            let Some(split) = (start..=rest.len()).find(|&split| valid(split)) else {
                // No split parses: let the parser say what is wrong with the user's args.
                return Ok(argv);
            };
            // An argument left to the parser that starts with `-` and names a file on disk is
            // a file pre-commit passed that the index did not show (a commit with an index of
            // its own the repository does not point at): refused, never read as an option.
            if let Some(name) = rest[..split]
                .iter()
                .find(|arg| arg.as_encoded_bytes().first() == Some(&b'-') && on_disk(arg))
            {
                return Err(ambiguous(name));
            }
            // A file name that starts with `-` and would also be read as an option (with the
            // value after it, if it takes one) makes the split ambiguous.
            for (at, name) in rest.iter().enumerate().skip(split) {
                let looks_like_option = name.as_encoded_bytes().first() == Some(&b'-');
                if looks_like_option && (at + 1..=(at + 2).min(rest.len())).any(valid) {
                    return Err(ambiguous(name));
                }
            }
            split
        }
        // Other stages take no file names.
        _ => rest.len(),
    };
    let mut rebuilt: Vec<OsString> = head.iter().chain(&rest[..split]).cloned().collect();
    rebuilt.push("--".into());
    rebuilt.extend(rest[split..].iter().cloned());
    Ok(rebuilt)
}

fn ambiguous(name: &OsStr) -> String {
    format!(
        "the file name `{}` could also be one of this hook's options; hf-scan cannot tell a \
         file name from an option here, so it refuses to run. Rename the file (a name that \
         starts with `-` reads as an option)",
        name.to_string_lossy()
    )
}

fn on_disk(name: &OsStr) -> bool {
    std::path::Path::new(name).symlink_metadata().is_ok()
}

/// The paths in the git index of the repository at the current directory (empty outside one).
pub fn index_paths() -> HashSet<Vec<u8>> {
    let Ok(repo) = git2::Repository::open_from_env() else {
        return HashSet::new();
    };
    let Ok(index) = repo.index() else {
        return HashSet::new();
    };
    index.iter().map(|entry| entry.path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], index: &[&str]) -> Result<Vec<String>, String> {
        let argv = args.iter().map(OsString::from).collect();
        let index: HashSet<&str> = index.iter().copied().collect();
        separate_file_names(
            argv,
            |arg| index.contains(arg.to_str().unwrap()),
            // A stand-in for the real parser: known flags, `--config` takes a value.
            |command| {
                let mut words = command[2..].iter().map(|w| w.to_str().unwrap());
                while let Some(word) = words.next() {
                    match word {
                        "--verify" | "--exclude=**" | "-q" => {}
                        "--config" if words.next().is_some() => {}
                        word if !word.starts_with('-') => {}
                        _ => return false,
                    }
                }
                true
            },
        )
        .map(|argv| {
            argv.iter()
                .map(|a| a.to_str().unwrap().to_string())
                .collect()
        })
    }

    #[test]
    fn user_args_stay_options_and_file_names_follow_the_separator() {
        let got = run(
            &[
                "hf-scan",
                "--hook=pre-commit",
                "--config",
                "ci.toml",
                "a.py",
                "ci.toml",
            ],
            &["a.py", "ci.toml"],
        );
        assert_eq!(
            got.unwrap(),
            [
                "hf-scan",
                "--hook=pre-commit",
                "--config",
                "ci.toml",
                "--",
                "a.py",
                "ci.toml"
            ]
        );
    }

    #[test]
    fn a_file_named_like_an_option_is_a_file_or_a_refusal() {
        // A name no option has is a file.
        let got = run(
            &["hf-scan", "--hook=pre-commit", "--verify", "-odd", "a.py"],
            &["-odd", "a.py"],
        );
        assert_eq!(
            got.unwrap(),
            [
                "hf-scan",
                "--hook=pre-commit",
                "--verify",
                "--",
                "-odd",
                "a.py"
            ]
        );
        // One an option has could be either: refused.
        let got = run(
            &["hf-scan", "--hook=pre-commit", "--exclude=**", "a.py"],
            &["--exclude=**", "a.py"],
        );
        assert!(got.unwrap_err().contains("--exclude=**"));
        // Also when the user's own option has the same name as a committed file.
        let got = run(
            &[
                "hf-scan",
                "--hook=pre-commit",
                "--verify",
                "--verify",
                "a.py",
            ],
            &["--verify", "a.py"],
        );
        assert!(got.is_err());
    }

    #[test]
    fn commit_message_and_push_hooks() {
        let got = run(
            &["hf-scan", "--hook=commit-msg", "-q", ".git/COMMIT_EDITMSG"],
            &[],
        );
        assert_eq!(
            got.unwrap(),
            [
                "hf-scan",
                "--hook=commit-msg",
                "-q",
                "--",
                ".git/COMMIT_EDITMSG"
            ]
        );
        let got = run(&["hf-scan", "--hook=pre-push", "-q"], &[]);
        assert_eq!(got.unwrap(), ["hf-scan", "--hook=pre-push", "-q", "--"]);
        let plain = run(&["hf-scan", "--verify", "x"], &["x"]);
        assert_eq!(plain.unwrap(), ["hf-scan", "--verify", "x"]);
    }
}

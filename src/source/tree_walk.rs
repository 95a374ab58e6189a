//! A parallel walk of a directory tree that applies ignore rules itself, so it knows exactly
//! what they hid.
//!
//! hf-scan must count what `.gitignore` hid, name the credential-like entries among it (a
//! gitignored `.env` still ships in an image built from the directory) and read git's index
//! for the tracked files among it. The `ignore` crate's walker skips ignored entries without a
//! word to its caller, so each directory had to be listed a second time (2.2 ms of a 30 ms scan
//! of diffusers' checkout). This walk lists each directory once and decides every entry itself.
//!
//! The rules are the `ignore` crate's own matchers (one `Gitignore` per ignore file), applied
//! with the precedence its walker gives them, which the tests compare against that walker on
//! generated trees: for an entry, a match in a `.ignore` file wins over one in a `.gitignore`,
//! which wins over the repository's `info/exclude`, which wins over git's global excludes
//! file; among files of one kind, the nearest directory's decides, and a `!` pattern that
//! matches lets the entry through. The directories above the walked root count too, up to
//! `/`, matched with the root's canonical path; `.gitignore` applies outside a git repository
//! as well (a user who wrote one means it). Where a `.git` file names the git directory (a
//! linked work tree, a submodule), `info/exclude` is read from the common directory as git
//! reads it.
//!
//! Work is shared the simple way: each thread keeps its own stack (depth first, so memory stays
//! small), and gives the older half of it to the shared stack when another thread is waiting.

use std::ffi::OsString;
use std::fs::FileType;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::git::{common_dir, git_dir_named_by};

/// What a walked entry is, its link followed when links are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    File,
    Dir,
    /// A link not followed, a device, a FIFO, a socket.
    Other,
}

/// An entry the ignore rules let through, offered to the visitor before it is scanned or
/// entered.
pub(super) struct Entry<'a> {
    /// The path to open: the root as given, joined with the entry's place under it.
    pub path: &'a Path,
    /// The place under the root, `/`-separated.
    pub relative: &'a str,
    pub kind: Kind,
    /// The entry is a symbolic link (followed or not).
    pub is_link: bool,
}

/// What one walking thread does with what it finds. Each thread has its own, made at its
/// start and dropped at its end.
pub(super) trait Visitor {
    /// Whether to scan an admitted file or enter an admitted directory.
    fn admit(&mut self, entry: &Entry) -> bool;
    /// A file to scan.
    fn file(&mut self, path: &Path, relative: String);
    /// An entry the ignore rules hid; a hidden directory is not entered.
    fn ignored(&mut self, relative: String, is_dir: bool);
    /// A directory or an entry that could not be read.
    fn warning(&mut self, message: String);
}

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub(super) struct WalkRules {
    /// Apply `.gitignore`, `.ignore` and git's exclude files.
    pub ignore_files: bool,
    /// Follow symbolic links (a link back to a directory above is not followed twice).
    pub follow: bool,
    /// Walking threads; 0 for one per CPU.
    pub threads: usize,
}

/// Walks `root` (a directory), calling a visitor made by `make_visitor` on each thread.
pub(super) fn walk<V: Visitor>(root: &Path, rules: WalkRules, make_visitor: impl Fn() -> V + Sync) {
    let threads = match rules.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let walk = Walk {
        root,
        follow: rules.follow,
        context: rules.ignore_files.then(|| Context::new(root)),
        queue: Queue::new(
            threads,
            Item::Dir {
                path: root.to_path_buf(),
                relative: ".".to_string(),
                parent: None,
            },
        ),
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| walk.work(&mut make_visitor()));
        }
        walk.work(&mut make_visitor());
    });
}

/// One unit of work: a directory to list or a file to scan.
enum Item {
    Dir {
        path: PathBuf,
        relative: String,
        parent: Option<Arc<Dir>>,
    },
    File {
        path: PathBuf,
        relative: String,
    },
}

/// A directory being walked: its ignore files, and the directory it is in.
struct Dir {
    path: PathBuf,
    rules: Option<Rules>,
    parent: Option<Arc<Dir>>,
}

/// The ignore files of one directory.
struct Rules {
    dot_ignore: Gitignore,
    gitignore: Gitignore,
    exclude: Gitignore,
}

/// What is the same for the whole walk when ignore rules apply.
struct Context {
    /// The root's canonical path, to match the rules of the directories above it.
    canonical_root: Option<PathBuf>,
    /// The ignore files of the directories above the root, nearest first.
    above: Vec<Rules>,
    /// git's global excludes file (`core.excludesFile`, or `$XDG_CONFIG_HOME/git/ignore`),
    /// matched relative to the current directory.
    global: Gitignore,
}

/// The decision of each kind of ignore file, nearest first: `None` until one matches, then
/// whether it hides the entry (a `!` pattern lets it through).
#[derive(Default)]
struct Decisions {
    dot_ignore: Option<bool>,
    gitignore: Option<bool>,
    exclude: Option<bool>,
}

impl Decisions {
    fn consult(&mut self, rules: &Rules, path: &Path, is_dir: bool) {
        let consult = |slot: &mut Option<bool>, matcher: &Gitignore| {
            if slot.is_none() {
                *slot = hides(matcher.matched(path, is_dir));
            }
        };
        consult(&mut self.dot_ignore, &rules.dot_ignore);
        consult(&mut self.gitignore, &rules.gitignore);
        consult(&mut self.exclude, &rules.exclude);
    }

    fn settled(&self) -> bool {
        self.dot_ignore.is_some() && self.gitignore.is_some() && self.exclude.is_some()
    }

    fn decision(&self) -> Option<bool> {
        self.dot_ignore.or(self.gitignore).or(self.exclude)
    }
}

fn hides<T>(matched: Match<T>) -> Option<bool> {
    match matched {
        Match::None => None,
        Match::Ignore(_) => Some(true),
        Match::Whitelist(_) => Some(false),
    }
}

impl Context {
    fn new(root: &Path) -> Self {
        let canonical_root = root.canonicalize().ok();
        let above = canonical_root
            .iter()
            .flat_map(|root| root.ancestors().skip(1))
            .filter_map(|dir| {
                let git = dir.join(".git").symlink_metadata().ok();
                Rules::read(dir, true, true, git.map(|meta| meta.file_type()))
            })
            .collect();
        let global = match std::env::current_dir() {
            Ok(cwd) => GitignoreBuilder::new(cwd).build_global().0,
            Err(_) => Gitignore::empty(),
        };
        Context {
            canonical_root,
            above,
            global,
        }
    }

    /// Whether the rules hide `path` (an entry of `dir`, `relative` to the root).
    fn hides(&self, dir: &Dir, root: &Path, path: &Path, is_dir: bool) -> bool {
        let path = path.strip_prefix(".").unwrap_or(path);
        let mut decisions = Decisions::default();
        let mut at = Some(dir);
        while let Some(dir) = at {
            if let Some(rules) = &dir.rules {
                decisions.consult(rules, path, is_dir);
            }
            at = dir.parent.as_deref();
        }
        if !decisions.settled() && !self.above.is_empty() {
            if let (Some(canonical_root), Ok(under_root)) = (
                &self.canonical_root,
                path.strip_prefix(root.strip_prefix(".").unwrap_or(root)),
            ) {
                let absolute = canonical_root.join(under_root);
                for rules in &self.above {
                    decisions.consult(rules, &absolute, is_dir);
                }
            }
        }
        decisions
            .decision()
            .or_else(|| hides(self.global.matched(path, is_dir)))
            .unwrap_or(false)
    }
}

/// Whether an ignore file is read: a regular file of at most 100 MiB, as git reads one. A
/// link is not followed (a checkout can point `.gitignore` at `/dev/zero`, a tarball can hold
/// a FIFO whose read never returns); without its rules, more is scanned, never less.
fn readable_rules(file: &Path) -> bool {
    const LARGEST: u64 = 100 << 20;
    file.symlink_metadata()
        .is_ok_and(|meta| meta.is_file() && meta.len() <= LARGEST)
}

impl Rules {
    /// The rules of `dir`, given which ignore files its listing holds and what its `.git` is;
    /// `None` when it has none.
    fn read(
        dir: &Path,
        has_dot_ignore: bool,
        has_gitignore: bool,
        git: Option<FileType>,
    ) -> Option<Rules> {
        let matcher = |file: Option<PathBuf>| match file.filter(|file| readable_rules(file)) {
            None => Gitignore::empty(),
            Some(file) => {
                let mut builder = GitignoreBuilder::new(dir);
                // A line that is not a valid pattern is left out, as git leaves it out; an
                // unreadable file adds nothing (more is scanned, never less).
                let _ = builder.add(file);
                builder.build().unwrap_or_else(|_| Gitignore::empty())
            }
        };
        let rules = Rules {
            dot_ignore: matcher(has_dot_ignore.then(|| dir.join(".ignore"))),
            gitignore: matcher(has_gitignore.then(|| dir.join(".gitignore"))),
            exclude: matcher(
                git.and_then(|git| git_dir_named_by(dir, git))
                    .map(|git_dir| common_dir(&git_dir).join("info").join("exclude")),
            ),
        };
        let empty =
            rules.dot_ignore.is_empty() && rules.gitignore.is_empty() && rules.exclude.is_empty();
        (!empty).then_some(rules)
    }
}

struct Walk<'a> {
    root: &'a Path,
    follow: bool,
    context: Option<Context>,
    queue: Queue,
}

impl Walk<'_> {
    /// One thread's loop: its own stack first, then the shared one, until every thread is out
    /// of work.
    fn work(&self, visitor: &mut impl Visitor) {
        let mut stack = Vec::new();
        loop {
            let Some(item) = stack.pop().or_else(|| self.queue.take()) else {
                return;
            };
            match item {
                Item::File { path, relative } => visitor.file(&path, relative),
                Item::Dir {
                    path,
                    relative,
                    parent,
                } => self.list(path, relative, parent, visitor, &mut stack),
            }
            self.queue.share(&mut stack);
        }
    }

    /// Lists a directory, decides each entry, and stacks what is to be scanned or entered.
    fn list(
        &self,
        path: PathBuf,
        relative: String,
        parent: Option<Arc<Dir>>,
        visitor: &mut impl Visitor,
        stack: &mut Vec<Item>,
    ) {
        let listing = match std::fs::read_dir(&path) {
            Ok(listing) => listing,
            Err(err) => {
                visitor.warning(format!("{}: {err}", path.display()));
                return;
            }
        };
        let mut children: Vec<(OsString, FileType)> = Vec::new();
        let (mut has_dot_ignore, mut has_gitignore, mut git) = (false, false, None);
        for child in listing {
            let typed = child.and_then(|child| Ok((child.file_type()?, child.file_name())));
            match typed {
                Ok((file_type, name)) => {
                    if name == ".git" {
                        git = Some(file_type);
                    } else {
                        has_dot_ignore |= name == ".ignore";
                        has_gitignore |= name == ".gitignore";
                        children.push((name, file_type));
                    }
                }
                Err(err) => visitor.warning(format!("{}: {err}", path.display())),
            }
        }
        let rules = match &self.context {
            Some(_) => {
                // A `.git` that is a link is followed to what it names, as git does.
                let git = git.map(|git| match git.is_symlink() {
                    true => path
                        .join(".git")
                        .metadata()
                        .map_or(git, |meta| meta.file_type()),
                    false => git,
                });
                Rules::read(&path, has_dot_ignore, has_gitignore, git)
            }
            None => None,
        };
        let dir = Arc::new(Dir {
            path,
            rules,
            parent,
        });
        for (name, file_type) in children {
            let text = name.to_string_lossy();
            let relative = match relative.as_str() {
                "." => text.into_owned(),
                dir => format!("{dir}/{text}"),
            };
            // As reports have always shown them: `/`-separated even when a name holds `\`.
            let relative = match relative.contains('\\') {
                true => relative.replace('\\', "/"),
                false => relative,
            };
            let path = dir.path.join(&name);
            let is_link = file_type.is_symlink();
            let kind = if is_link && self.follow {
                match path.metadata() {
                    Ok(meta) if meta.is_dir() => {
                        // A link back to a directory on the way here is a loop: everything
                        // in it is scanned through its first path.
                        if self.leads_back(&dir, &meta) {
                            continue;
                        }
                        Kind::Dir
                    }
                    Ok(meta) => kind_of(meta.file_type()),
                    Err(err) => {
                        visitor.warning(format!("{}: {err}", path.display()));
                        continue;
                    }
                }
            } else {
                kind_of(file_type)
            };
            let is_dir = kind == Kind::Dir;
            if let Some(context) = &self.context {
                if context.hides(&dir, self.root, &path, is_dir) {
                    visitor.ignored(relative, is_dir);
                    continue;
                }
            }
            let entry = Entry {
                path: &path,
                relative: &relative,
                kind,
                is_link,
            };
            if !visitor.admit(&entry) {
                continue;
            }
            match kind {
                Kind::File => stack.push(Item::File { path, relative }),
                Kind::Dir => stack.push(Item::Dir {
                    path,
                    relative,
                    parent: Some(dir.clone()),
                }),
                Kind::Other => {}
            }
        }
    }

    /// Whether a followed link's directory (`target`) is `dir` or one above it in the walk.
    fn leads_back(&self, dir: &Dir, target: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        let mut at = Some(dir);
        while let Some(dir) = at {
            if let Ok(meta) = dir.path.metadata() {
                if meta.dev() == target.dev() && meta.ino() == target.ino() {
                    return true;
                }
            }
            at = dir.parent.as_deref();
        }
        false
    }
}

fn kind_of(file_type: FileType) -> Kind {
    if file_type.is_file() {
        Kind::File
    } else if file_type.is_dir() {
        Kind::Dir
    } else {
        Kind::Other
    }
}

/// The stack threads share, and who is waiting on it. The walk ends when every thread waits
/// and the stack is empty: no thread holds work that could add to it.
struct Queue {
    threads: usize,
    state: Mutex<Shared>,
    filled: Condvar,
    /// How many threads wait, read without the lock after every item.
    waiting: AtomicUsize,
}

struct Shared {
    items: Vec<Item>,
    waiting: usize,
    done: bool,
}

impl Queue {
    fn new(threads: usize, first: Item) -> Self {
        Queue {
            threads,
            state: Mutex::new(Shared {
                items: vec![first],
                waiting: 0,
                done: false,
            }),
            filled: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    /// An item from the shared stack, waiting for one; `None` when the walk is over.
    fn take(&self) -> Option<Item> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(item) = state.items.pop() {
                return Some(item);
            }
            if state.done {
                return None;
            }
            state.waiting += 1;
            if state.waiting == self.threads {
                state.done = true;
                self.filled.notify_all();
                return None;
            }
            self.waiting.store(state.waiting, Ordering::Relaxed);
            state = self.filled.wait(state).unwrap_or_else(|e| e.into_inner());
            state.waiting -= 1;
            self.waiting.store(state.waiting, Ordering::Relaxed);
        }
    }

    /// Gives the older half of a thread's stack (the shallower directories: the larger
    /// pieces of work) to waiting threads.
    fn share(&self, stack: &mut Vec<Item>) {
        if stack.len() < 2 || self.waiting.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.items.extend(stack.drain(..stack.len() / 2));
        drop(state);
        self.filled.notify_all();
    }
}

#[cfg(test)]
mod tests;

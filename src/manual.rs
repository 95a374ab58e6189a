//! Shell completions and man pages, generated from the clap definitions in `cli.rs`, so they
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
        let man = clap_mangen::Man::new(command).manual("hf-scan manual");
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        pages.push((man.get_filename(), roff));
    }
    pages.sort();
    Ok(pages)
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

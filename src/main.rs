//! The `hf-scan` binary: parse the arguments, run the library, map the outcome to an exit
//! status (0 clean, 1 findings, 2 error or incomplete). Everything else lives in the library.

use std::process::ExitCode;

use hf_scan::cli::Invocation;

fn main() -> ExitCode {
    process_setup();
    let args = hf_scan::cli::parse();
    let outcome = args
        .into_invocation()
        .and_then(|invocation| match invocation {
            Invocation::Scan(config) => hf_scan::run(*config).map(|outcome| outcome.exit_code()),
            Invocation::Verify {
                format,
                show_secrets,
                hub,
            } => hf_scan::incident::verify_stdin(&hub, format, show_secrets),
            Invocation::Revoke {
                yes,
                hub,
                from_scan,
                org,
            } => hf_scan::incident::revoke(&hub, yes, from_scan.as_deref(), org.as_ref()),
            Invocation::Hub {
                config,
                plan,
                client,
            } => hf_scan::run_hub(*config, plan, *client).map(|outcome| outcome.exit_code()),
            Invocation::Completions(shell) => {
                hf_scan::manual::completions(shell, &mut std::io::stdout().lock())?;
                Ok(0)
            }
            Invocation::Man(out_dir) => hf_scan::manual::write_man(out_dir.as_deref()),
        });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Errors quote config values and paths: redacted and escaped like everything else.
            eprintln!(
                "hf-scan: error: {}",
                hf_scan::sanitize::for_display(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// What must happen before any thread starts: libgit2's process-wide options, and (with
/// glibc) at most one malloc arena per core. glibc gives threads up to eight arenas per core
/// and keeps what each freed; `hf-scan hub`, whose scans start worker threads per repository
/// side by side, peaked at 157 MB instead of 48 MB on the 60-repository benchmark for it.
/// Then the built-in rules start compiling on a thread of their own, while the arguments and
/// the config are read.
fn process_setup() {
    hf_scan::source::git::configure_libgit2();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        // SAFETY: mallopt only sets an allocator parameter; no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, i32::try_from(cores.max(2)).unwrap_or(8));
        }
    }
    hf_scan::detect::matcher::Matcher::builtin();
}

//! The `hf-scan` binary: parse the arguments, run the library, map the outcome to an exit
//! status (0 clean, 1 findings, 2 error or incomplete). Everything else lives in the library.

use std::process::ExitCode;

use hf_scan::cli::Invocation;

fn main() -> ExitCode {
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

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = hf_scan::cli::parse();
    match args.into_config().and_then(hf_scan::run) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) => {
            eprintln!("hf-scan: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

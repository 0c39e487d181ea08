//! `tsp-sim`: a simulated telephone exchange with simulated Hayes modems on pseudo-terminals.
//! Everything but flag parsing lives in [`tsp_sim::cli`]; `tsp-sim --help` explains the use.

use std::process::ExitCode;

use clap::Parser;
use tsp_sim::cli::{self, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    cli::init_logging(args.verbose);
    if args.check {
        return match args.setup() {
            Ok(setup) => {
                let path = args.config.as_deref().unwrap_or(std::path::Path::new("-"));
                println!(
                    "{}: good: {} modem(s): {}",
                    path.display(),
                    setup.modems.len(),
                    setup
                        .modems
                        .iter()
                        .map(|m| format!("{} ({})", m.number, m.profile))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tsp-sim: {e}");
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tsp-sim: start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(cli::run(&args));
    // The stdin thread may still be blocked in a read: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tsp-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

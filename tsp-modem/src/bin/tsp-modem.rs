//! `tsp-modem`: find, probe, dial and answer Hayes AT modems (see `tsp-modem --help`).

use std::process::ExitCode;

use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};
use tsp_modem::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse_from(cli::args::join_server_path(std::env::args_os()));
    let serving = matches!(cli.command, cli::args::Command::Serve(_));
    let level = match cli.verbose {
        // A server tells its operator who comes and goes; a command speaks only when asked.
        0 if serving => "info",
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| level.into());
    // Colour only on a terminal, and never with NO_COLOR.
    let ansi = cli::colour_on(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tsp-modem: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        if serving {
            // `serve` handles SIGTERM and SIGINT itself: it shuts every application down first.
            return cli::run(cli).await;
        }
        // The handler is installed before the command prints anything: `ctrl_c()` polled second
        // in the select would leave a window in which SIGINT kills the process uncleanly.
        let mut interrupt = match signal(SignalKind::interrupt()) {
            Ok(interrupt) => interrupt,
            Err(e) => {
                return Err(cli::CliError::Step {
                    step: "watch SIGINT".into(),
                    device: "this process".into(),
                    message: e.to_string(),
                });
            }
        };
        tokio::select! {
            result = cli::run(cli) => result,
            _ = interrupt.recv() => Ok(()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tsp-modem: {}", cli::shorten_words(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}

//! The session loop: start the switchboard, print the table, run commands from stdin until
//! `quit`, end of input, Ctrl-C or SIGTERM, then remove the ptys and symlinks.

use std::io::{self, BufRead, Write};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::commands;
use super::config::Setup;
use super::switchboard::{Reply, Switchboard};
use super::{Args, CliError};

/// Logs to stderr: `RUST_LOG` if set, else warnings, raised by `verbose` (1 info, 2 debug,
/// 3 trace). Does nothing if a subscriber is already installed.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .try_init();
}

/// Runs `tsp-sim` with these flags: commands from stdin, results on stdout, problems on stderr.
///
/// Must run inside a tokio runtime with I/O, time and signals enabled.
pub async fn run(args: &Args) -> Result<(), CliError> {
    let setup = args.setup()?;
    let (tx, rx) = mpsc::channel(16);
    if args.no_commands {
        // No reader and a sender kept: input never ends, only a signal stops the session.
        let result = run_with_input(&setup, rx, &mut io::stdout(), &mut io::stderr()).await;
        drop(tx);
        return result;
    }
    // Stdin is read on a plain thread: a blocking read cannot be cancelled, and a thread left
    // blocked there must not hold up the exit after Ctrl-C.
    std::thread::Builder::new()
        .name("tsp-sim stdin".into())
        .spawn(move || {
            for line in io::stdin().lock().lines() {
                let failed = line.is_err();
                if tx.blocking_send(line).is_err() || failed {
                    return;
                }
            }
        })
        .map_err(|source| CliError::Io {
            operation: "start the stdin reader",
            source,
        })?;
    run_with_input(&setup, rx, &mut io::stdout(), &mut io::stderr()).await
}

/// Why the session stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Quit,
    EndOfInput,
    Interrupted,
    Terminated,
}

/// Runs a session with `setup`, taking command lines from `input` (closed = end of input),
/// writing results to `out` and problems with commands to `err`. Returns once `quit`, end of
/// input, Ctrl-C or SIGTERM arrives; the ptys and symlinks are gone by then.
pub async fn run_with_input(
    setup: &Setup,
    mut input: mpsc::Receiver<io::Result<String>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let write_failed = |source| CliError::Io {
        operation: "write to stdout",
        source,
    };
    // Both handlers are installed before the table is printed: a script that sends a signal as
    // soon as it reads the table must find them in place (`tokio::signal::ctrl_c()` would only
    // install its handler when first polled, after the table, and SIGINT would kill the process).
    let mut terminate = signal(SignalKind::terminate()).map_err(|source| CliError::Io {
        operation: "listen for SIGTERM",
        source,
    })?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|source| CliError::Io {
        operation: "listen for SIGINT",
        source,
    })?;
    let mut board = Switchboard::start(setup)?;
    board.expose(setup.link_dir.as_deref())?;
    out.write_all(board.table().as_bytes())
        .map_err(write_failed)?;
    out.flush().map_err(write_failed)?;
    let stop = loop {
        let line = tokio::select! {
            line = input.recv() => line,
            _ = interrupt.recv() => break Stop::Interrupted,
            _ = terminate.recv() => break Stop::Terminated,
        };
        let line = match line {
            None => break Stop::EndOfInput,
            Some(Ok(line)) => line,
            Some(Err(source)) => {
                return Err(CliError::Io {
                    operation: "read stdin",
                    source,
                });
            }
        };
        let reply = match commands::parse(&line) {
            Ok(None) => continue,
            Ok(Some(command)) => board.execute(&command),
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                continue;
            }
        };
        match reply {
            Ok(Reply::Quit) => break Stop::Quit,
            Ok(Reply::Text(text)) => {
                out.write_all(text.as_bytes()).map_err(write_failed)?;
                if !text.ends_with('\n') {
                    writeln!(out).map_err(write_failed)?;
                }
                out.flush().map_err(write_failed)?;
            }
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
            }
        }
    };
    tracing::info!(?stop, "tsp-sim: stopping");
    board.shut_down();
    if matches!(stop, Stop::Interrupted | Stop::Terminated) {
        let _ = writeln!(
            err,
            "tsp-sim: {}; ptys closed",
            if stop == Stop::Interrupted {
                "interrupted"
            } else {
                "terminated"
            }
        );
    }
    Ok(())
}

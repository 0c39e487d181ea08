//! `serve`: the lines of a configuration, a port, or four simulated modems, shared with many
//! applications over a Unix socket (TAPI's server).

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use tsp_sdk::host::Host;
use tsp_sdk::rpc::{Allow, Server, default_socket_path, socket};

use super::args::{Cli, ServeArgs};
use super::{CliError, configured_lines, sim_world};
use crate::provider::{ModemLineConfig, ModemProvider};
use crate::transport::SerialPortOpener;

/// Resolves when SIGTERM or SIGINT arrives (or at once if neither can be watched).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot watch SIGTERM/SIGINT; stopping");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = int.recv() => tracing::info!("SIGINT: stopping"),
    }
}

/// The lines to serve, and the simulated world behind them (kept alive while serving).
fn lines(
    cli: &Cli,
    args: &ServeArgs,
) -> Result<(Vec<ModemLineConfig>, Option<sim_world::SimWorld>), CliError> {
    if args.sim {
        let world = sim_world::start_lines(4);
        let lines = world
            .lines
            .iter()
            .map(|(number, opener)| {
                let mut line = ModemLineConfig::new(format!("sim line {number}"), opener.clone());
                line.location.cancel_call_waiting = sim_world::CANCEL_CODE.into();
                line
            })
            .collect();
        return Ok((lines, Some(world)));
    }
    if let Some(port) = &args.port {
        let opener = Arc::new(SerialPortOpener::new(port.clone(), args.baud));
        let mut line = ModemLineConfig::new(port.display().to_string(), opener);
        if let Some(configured) =
            configured_lines(cli)?.and_then(|mut l| (!l.is_empty()).then(|| l.swap_remove(0)))
        {
            line.location = configured.location;
            line.profile = configured.profile;
        }
        return Ok((vec![line], None));
    }
    match configured_lines(cli)? {
        Some(lines) => Ok((lines, None)),
        None => Err(CliError::usage(
            "which lines? give --config FILE (its [[line]]s), --port PATH, or --sim (four simulated modems)",
        )),
    }
}

pub(super) async fn run(cli: &Cli, args: &ServeArgs) -> Result<(), CliError> {
    let (lines, world) = lines(cli, args)?;
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let host = Host::builder()
        .provider(Arc::new(ModemProvider::new(lines)))
        .start()
        .await
        .map_err(|e| CliError::step("start", "the modem provider", e))?;
    let socket = args.socket.clone().unwrap_or_else(default_socket_path);
    if let Some(dir) = socket.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::step(
                "create the socket's directory",
                &dir.display().to_string(),
                e,
            )
        })?;
        // The owner and the group pass; others do not even see the socket.
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750));
    }
    let mut allow = Allow::current_user();
    allow.uids.extend(&args.allow_uid);
    allow.gids.extend(&args.allow_gid);
    allow.uids.sort_unstable();
    allow.uids.dedup();
    allow.gids.sort_unstable();
    allow.gids.dedup();
    eprintln!("serving {} line(s) on {}", names.len(), socket.display());
    for (device, name) in names.iter().enumerate() {
        eprintln!("  line {device}: {name}");
    }
    if args.sim {
        eprintln!(
            "  the simulated exchange: {} echoes data, {} is busy; the lines can call each other",
            sim_world::ECHO_NUMBER,
            sim_world::BUSY_NUMBER
        );
    }
    eprintln!(
        "allowed: {allow} (this process runs as uid {}); stop with Ctrl-C or SIGTERM",
        socket::current_uid()
    );
    let served = Server::new(host.clone())
        .allow(allow)
        .serve(&socket, stop_signal())
        .await;
    host.stop().await;
    drop(world);
    served.map_err(|e| CliError::step("serve", &socket.display().to_string(), e))?;
    eprintln!("stopped: every application shut down, every device released");
    Ok(())
}

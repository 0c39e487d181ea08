//! `serve`: the lines of a configuration, a port, or four simulated modems, shared with many
//! applications over a Unix socket (TAPI's server).

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use tsp_sdk::host::Host;
use tsp_sdk::rpc::{Allow, Server, default_socket_path, socket};

use super::args::{Cli, ServeArgs};
use super::{CliError, lines_of, read_config, sim_world};
use crate::config::ModemConfig;
use crate::provider::{ModemLineConfig, ModemProvider};
use crate::transport::SerialPortOpener;

/// Watches SIGTERM and SIGINT from the moment it is called (so a signal sent as soon as
/// "serving" is printed is not lost), and returns a future that resolves when one arrives.
fn stop_signal() -> Result<impl Future<Output = ()>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind, name: &str| {
        signal(kind).map_err(|e| CliError::step(&format!("watch {name}"), "this process", e))
    };
    let mut term = watch(SignalKind::terminate(), "SIGTERM")?;
    let mut int = watch(SignalKind::interrupt(), "SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: stopping"),
            _ = int.recv() => tracing::info!("SIGINT: stopping"),
        }
    })
}

/// The lines to serve, and the simulated world behind them (kept alive while serving), from
/// the flags and `config` (the file, read once by [`run`]).
fn lines(
    cli: &Cli,
    args: &ServeArgs,
    config: Option<&ModemConfig>,
) -> Result<(Vec<ModemLineConfig>, Option<sim_world::SimWorld>), CliError> {
    let configured = || config.map(|c| lines_of(cli, c)).transpose();
    if args.sim {
        if let Some(config) = &cli.config {
            return Err(CliError::usage(format!(
                "--sim serves four simulated lines and ignores a configuration; drop --sim to serve the lines of {}, or drop --config",
                config.display()
            )));
        }
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
            configured()?.and_then(|mut l| (!l.is_empty()).then(|| l.swap_remove(0)))
        {
            line.location = configured.location;
            line.profile = configured.profile;
        }
        return Ok((vec![line], None));
    }
    match configured()? {
        Some(lines) => Ok((lines, None)),
        None => Err(CliError::usage(
            "which lines? give --config FILE (its [[line]]s), --port PATH, or --sim (four simulated modems)",
        )),
    }
}

pub(super) async fn run(cli: &Cli, args: &ServeArgs) -> Result<(), CliError> {
    // The file is read once: its lines and its [server] come from the same text.
    let config = read_config(cli)?;
    let (lines, world) = lines(cli, args, config.as_ref())?;
    // A port another program holds (its UUCP lock) is refused now, not at the first open.
    for line in &lines {
        line.opener
            .check_free()
            .map_err(|e| CliError::step("serve", &line.name, e))?;
    }
    let stop = stop_signal()?;
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let host = Host::builder()
        .provider(Arc::new(ModemProvider::new(lines)))
        .start()
        .await
        .map_err(|e| CliError::step("start", "the modem provider", e))?;
    let server_file = config.map(|c| c.server).unwrap_or_default();
    let socket = args
        .socket
        .clone()
        .or(server_file.socket.clone())
        .unwrap_or_else(default_socket_path);
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
    allow.uids.extend(&server_file.allow_uids);
    allow.gids.extend(&server_file.allow_gids);
    allow.uids.sort_unstable();
    allow.uids.dedup();
    allow.gids.sort_unstable();
    allow.gids.dedup();
    // Bound before "serving" is said, so a client started on that word finds the socket.
    let listener = socket::bind(&socket)
        .await
        .map_err(|e| CliError::step("listen", &socket.display().to_string(), e))?;
    tracing::info!(socket = %socket.display(), %allow, "serving");
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
        .serve_on(listener, stop)
        .await;
    let _ = std::fs::remove_file(&socket);
    // The server has shut every remote application down; what did the provider see?
    let used = used_lines(&host);
    host.stop().await;
    let still_open = open_lines(&host);
    drop(world);
    served.map_err(|e| CliError::step("serve", &socket.display().to_string(), e))?;
    if !still_open.is_empty() {
        return Err(CliError::step(
            "stop",
            &still_open.join(", "),
            "still open at the provider after every application shut down",
        ));
    }
    eprintln!(
        "stopped: every application shut down, every device released ({} line(s) opened and closed at the provider{}{})",
        used.len(),
        if used.is_empty() { "" } else { ": " },
        used.join(", ")
    );
    Ok(())
}

/// The names of the host's lines for which `keep` holds.
fn lines_where(host: &Host, keep: impl Fn(&tsp_sdk::host::LineView) -> bool) -> Vec<String> {
    host.snapshot()
        .lines
        .into_iter()
        .filter(|l| keep(l))
        .map(|l| l.name)
        .collect()
}

/// The lines the provider was asked to open since the server started, by name.
fn used_lines(host: &Host) -> Vec<String> {
    lines_where(host, |l| {
        l.provider_operations.get("open").is_some_and(|&n| n > 0)
    })
}

/// The lines open at the provider now, by name.
fn open_lines(host: &Host) -> Vec<String> {
    lines_where(host, |l| l.open)
}

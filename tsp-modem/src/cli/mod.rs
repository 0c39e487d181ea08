//! The `tsp-modem` command line: every command as a function, so tests can run them too.

pub mod args;
mod assisted;
mod calls;
mod docs;
mod output;
mod ports;
mod probe;
mod serve;
pub mod sim_world;
mod station;
mod status;
mod translate;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use args::Cli;
use args::{Command, Target};
pub use output::{colour_on, shorten, shorten_words};
use tsp_sdk::dial::Location;
use tsp_sdk::host::{Events, Host, LineApp, OpenOptions};
use tsp_sdk::rpc::{Client, RemoteApp};
use tsp_sdk::{MediaModes, Version};

use crate::config::ModemConfig;
use crate::provider::{ModemLineConfig, ModemProvider};
use crate::transport::{PortOpener, SerialPortOpener};
use station::Station;

/// The exit codes, as `tsp-modem --help` lists them.
pub const EXIT_CODES: &str = "Exit status:
  0  done (a call connected and ended normally, a report was printed)
  1  failed (the message says which step on which device)
  2  bad argument or configuration
  3  busy
  4  no answer (or no call came within --wait)
  5  no such device: the port or the server's socket is not there or cannot be opened
  6  the call ended before it connected for another reason (no dial tone, rejected, no carrier)";

/// Why a command failed; each names the step and the device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The command line does not make sense.
    #[error("{0}")]
    Usage(String),
    /// A step failed.
    #[error("{step} on {device}: {message}")]
    Step {
        /// What was being done.
        step: String,
        /// On what.
        device: String,
        /// What went wrong.
        message: String,
    },
    /// Nothing happened in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The call ended without connecting; `mode` says how, when the provider said.
    #[error("{what} did not connect{}", mode.map(|m| format!(": {}", m.describe())).unwrap_or_default())]
    CallEnded {
        /// Which call (`the call to 5550111`).
        what: String,
        /// How it ended (`LINEDISCONNECTMODE_*`).
        mode: Option<tsp_sdk::DisconnectMode>,
    },
    /// The configuration file could not be used.
    #[error("{0}")]
    Config(String),
    /// The host or the server refused (the error names the operation and the device).
    #[error("{0}")]
    Host(#[from] tsp_sdk::Error),
    /// The device (a port, a server's socket) is not there or cannot be opened.
    #[error("{0}")]
    NoDevice(String),
    /// The server ended this application's events: it stopped, or the connection dropped.
    #[error("the server went away (it stopped, or the connection dropped)")]
    ServerGone,
}

impl CliError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }

    pub(crate) fn step(step: &str, device: &str, error: impl std::fmt::Display) -> Self {
        CliError::Step {
            step: step.into(),
            device: device.into(),
            message: error.to_string(),
        }
    }

    pub(crate) fn ended(what: String, mode: Option<tsp_sdk::DisconnectMode>) -> Self {
        CliError::CallEnded { what, mode }
    }

    /// The process exit code for this error (listed in `tsp-modem --help`, see [`EXIT_CODES`]):
    /// 2 a bad argument or configuration, 3 busy, 4 no answer (or no call within `--wait`), 5 no
    /// such device (the port or the server's socket), 6 the call ended otherwise before
    /// connecting, 1 anything else.
    pub fn exit_code(&self) -> u8 {
        use tsp_sdk::DisconnectMode as M;
        match self {
            CliError::Usage(_) | CliError::Config(_) => 2,
            CliError::CallEnded { mode: Some(m), .. } if m.contains(M::BUSY) => 3,
            CliError::CallEnded { mode: Some(m), .. } if m.contains(M::NOANSWER) => 4,
            CliError::CallEnded { .. } => 6,
            CliError::Timeout(_) => 4,
            CliError::NoDevice(_) => 5,
            CliError::Host(e) if e.kind() == tsp_sdk::LineErr::NoDevice => 5,
            _ => 1,
        }
    }
}

/// The configuration file, parsed, if one was given.
fn read_config(cli: &Cli) -> Result<Option<ModemConfig>, CliError> {
    let Some(path) = &cli.config else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    let config: ModemConfig = toml::from_str(&text).map_err(|e| {
        CliError::Config(format!(
            "{}: {e}(`tsp-modem config check {}` lists every problem)",
            path.display(),
            path.display()
        ))
    })?;
    Ok(Some(config))
}

/// Every line of the configuration file, if a file was given.
fn configured_lines(cli: &Cli) -> Result<Option<Vec<ModemLineConfig>>, CliError> {
    read_config(cli)?
        .map(|config| lines_of(cli, &config))
        .transpose()
}

/// Every line of `config` (the file `cli` names), at least one.
fn lines_of(cli: &Cli, config: &ModemConfig) -> Result<Vec<ModemLineConfig>, CliError> {
    let shown = cli
        .config
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let lines = config
        .line_configs()
        .map_err(|e| CliError::Config(format!("{shown}: {e}")))?;
    if lines.is_empty() {
        return Err(CliError::Config(format!(
            "{shown}: no [[line]] in the file"
        )));
    }
    Ok(lines)
}

/// The configuration file's first line, if a file was given.
fn configured_line(cli: &Cli) -> Result<Option<ModemLineConfig>, CliError> {
    Ok(configured_lines(cli)?.map(|mut lines| lines.swap_remove(0)))
}

/// Builds the provider for `target` (hardware, the simulator, or the config file's line).
fn provider_for(
    cli: &Cli,
    target: &Target,
    location: Location,
) -> Result<(Arc<ModemProvider>, Option<sim_world::SimWorld>), CliError> {
    let (line, world) = line_for(cli, target, location)?;
    Ok((Arc::new(ModemProvider::new(vec![line])), world))
}

/// The line `target` names (hardware, the simulator, or the config file's line).
fn line_for(
    cli: &Cli,
    target: &Target,
    location: Location,
) -> Result<(ModemLineConfig, Option<sim_world::SimWorld>), CliError> {
    let configured = configured_line(cli)?;
    let (opener, world): (Arc<dyn PortOpener>, _) = if target.sim {
        let world = sim_world::start();
        (world.opener.clone(), Some(world))
    } else if let Some(port) = &target.port {
        (
            Arc::new(SerialPortOpener::new(port.clone(), target.baud)),
            None,
        )
    } else if let Some(line) = &configured {
        (line.opener.clone(), None)
    } else {
        return Err(CliError::usage(
            "which modem? give --port PATH (see `tsp-modem ports`), --sim, or --config FILE",
        ));
    };
    let mut line = match configured {
        Some(line) if !target.sim && target.port.is_none() => line,
        Some(line) => ModemLineConfig { opener, ..line },
        None => ModemLineConfig::new(opener.name(), opener),
    };
    line.location = location;
    if let Some(profile) = &target.profile {
        line.profile = Some(profile.clone());
    }
    Ok((line, world))
}

fn base_location(cli: &Cli, sim: bool) -> Result<Location, CliError> {
    let mut location = configured_line(cli)?
        .map(|l| l.location)
        .unwrap_or_default();
    if sim && location.cancel_call_waiting.is_empty() {
        location.cancel_call_waiting = sim_world::CANCEL_CODE.into();
    }
    Ok(location)
}

/// Runs `$body` with `$station` open on the target: a server's line (`--server`), or a modem
/// driven by a host in this process. The station is closed afterwards either way.
macro_rules! on_station {
    ($cli:expr, $target:expr, $location:expr, $options:expr, $name:expr, $out:expr, |$station:ident, $world:ident| $body:expr) => {{
        if let Some(path) = $target.server_path() {
            let (app, events) = connect_app(&path, $name).await?;
            let shown = path.display().to_string();
            let mut $station = open_station(app, events, $target.line, $options, None, &shown)
                .await?
                .with_output($out);
            let $world: Option<sim_world::SimWorld> = None;
            let result = $body;
            $station.close().await;
            result
        } else {
            let (provider, $world) = provider_for($cli, $target, $location)?;
            let host = Host::builder()
                .provider(provider)
                .start()
                .await
                .map_err(|e| CliError::step("start", "the modem", e))?;
            let (app, events) = host
                .initialize($name)
                .await
                .map_err(|e| CliError::step("initialize", "the host", e))?;
            let mut $station = open_station(app, events, 0, $options, Some(host), "the modem")
                .await?
                .with_output($out);
            let result = $body;
            $station.close().await;
            report_world($cli, $world);
            result
        }
    }};
}

/// Runs one command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let out = output::Output {
        json: cli.json,
        events_to_stdout: matches!(cli.command, Command::Monitor(_)),
    };
    match &cli.command {
        Command::Ports => ports::run(out),
        Command::Translate(args) => translate::run(args, base_location(&cli, false)?, out),
        Command::Probe(target) => {
            if target.server.is_some() {
                return Err(CliError::usage(
                    "probe talks to a modem directly: give --port PATH or --sim (a served modem is probed by its server)",
                ));
            }
            let (line, world) = line_for(&cli, target, Location::default())?;
            let result = probe::run(&line, out).await;
            report_world(&cli, world);
            result
        }
        Command::Dial(args) => {
            let location = args.location.apply(base_location(&cli, args.target.sim)?);
            if args.secure
                && location.cancel_call_waiting.is_empty()
                && args.target.server.is_none()
            {
                return Err(CliError::usage(
                    "--secure needs a cancel-call-waiting code: add --cancel-call-waiting \"*70,\"",
                ));
            }
            let limit = args.hang_up_after.map(Duration::from_secs);
            on_station!(
                &cli,
                &args.target,
                location,
                OpenOptions::none(),
                "tsp-modem dial",
                out,
                |station, _world| {
                    calls::dial(&mut station, &args.number, args.secure, args.media, limit).await
                }
            )
        }
        Command::Answer(args) => {
            let location = base_location(&cli, args.target.sim)?;
            let limit = args.hang_up_after.map(Duration::from_secs);
            let options = OpenOptions::owner(MediaModes::DATAMODEM);
            on_station!(
                &cli,
                &args.target,
                location,
                options,
                "tsp-modem answer",
                out,
                |station, world| {
                    if let Some(world) = &world {
                        world.ring_us_in(Duration::from_secs(args.sim_call_after));
                    }
                    calls::answer(&mut station, Duration::from_secs(args.wait), limit).await
                }
            )
        }
        Command::Monitor(args) => {
            let location = base_location(&cli, args.target.sim)?;
            // On a modem used directly nobody else could own incoming calls: own data calls
            // (never answering) so the line detects them and their caller ID shows.
            let options = if args.owner || args.target.server.is_none() {
                OpenOptions::owner(MediaModes::DATAMODEM).and_monitor()
            } else {
                OpenOptions::monitor()
            };
            let limit = args.for_seconds.map(Duration::from_secs);
            on_station!(
                &cli,
                &args.target,
                location,
                options,
                "tsp-modem monitor",
                out,
                |station, world| {
                    if let Some(world) = &world {
                        world.ring_us_in(Duration::from_secs(args.sim_call_after));
                    }
                    calls::monitor(&mut station, limit).await
                }
            )
        }
        Command::Serve(args) => serve::run(&cli, args).await,
        Command::Status(args) => status::run(args, out).await,
        Command::Recipient(args) => assisted::recipient(args, out).await,
        Command::RequestCall(args) => assisted::request_call(args, out).await,
        Command::Config(args::ConfigCommand::Check { file }) => docs::config_check(file, out),
        Command::Completions { shell } => docs::completions(*shell),
        Command::Man { dir } => docs::man(dir.as_deref()),
    }
}

/// Connects to the server at `path` as an application called `name`.
async fn connect_app(path: &Path, name: &str) -> Result<(RemoteApp, Events), CliError> {
    let shown = path.display().to_string();
    let client = Client::connect(path).await?;
    client
        .initialize(name)
        .await
        .map_err(|e| CliError::step("initialize", &shown, e))
}

async fn open_station<A: LineApp + Clone>(
    app: A,
    events: Events,
    device: u32,
    options: OpenOptions,
    host: Option<Host>,
    shown: &str,
) -> Result<Station<A>, CliError> {
    let options = options.version(Version::V2_2);
    match Station::open(app.clone(), events, device, options, host.clone()).await {
        Ok(station) => Ok(station),
        Err(e) => {
            let _ = app.shutdown().await;
            if let Some(host) = host {
                host.stop().await;
            }
            let failed = CliError::step(&format!("open line {device}"), shown, &e);
            if e.kind() == tsp_sdk::LineErr::NoDevice {
                Err(CliError::NoDevice(failed.to_string()))
            } else {
                Err(failed)
            }
        }
    }
}

/// With `-v` and `--sim`, prints what the simulated exchange saw.
fn report_world(cli: &Cli, world: Option<sim_world::SimWorld>) {
    if let Some(world) = world
        && cli.verbose > 0
    {
        eprintln!("\n{}", world.sim.transcript());
    }
}

//! The `tsp-modem` command line: every command as a function, so tests can run them too.

pub mod args;
mod calls;
mod ports;
mod session;
pub mod sim_world;
mod translate;

use std::sync::Arc;
use std::time::Duration;

pub use args::Cli;
use args::{Command, Target};
use tsp_sdk::MediaModes;
use tsp_sdk::dial::Location;

use crate::config::ModemConfig;
use crate::provider::{ModemLineConfig, ModemProvider};
use crate::transport::{PortOpener, SerialPortOpener};
use session::Session;

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
    /// The call ended.
    #[error("{0}")]
    CallEnded(String),
    /// The configuration file could not be used.
    #[error("{0}")]
    Config(String),
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

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => 2,
            CliError::CallEnded(_) => 3,
            _ => 1,
        }
    }
}

/// The configuration file's first line, if a file was given.
fn configured_line(cli: &Cli) -> Result<Option<ModemLineConfig>, CliError> {
    let Some(path) = &cli.config else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    let config: ModemConfig =
        toml::from_str(&text).map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    let mut lines = config
        .line_configs()
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    if lines.is_empty() {
        return Err(CliError::Config(format!(
            "{}: no [[line]] in the file",
            path.display()
        )));
    }
    Ok(Some(lines.swap_remove(0)))
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

/// Runs one command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Ports => ports::run(),
        Command::Translate(args) => translate::run(args, base_location(&cli, false)?),
        Command::Probe(target) => {
            let (line, world) = line_for(&cli, target, Location::default())?;
            let result = probe(&line).await;
            report_world(&cli, world);
            result
        }
        Command::Dial(args) => {
            let location = args.location.apply(base_location(&cli, args.target.sim)?);
            if args.secure && location.cancel_call_waiting.is_empty() {
                return Err(CliError::usage(
                    "--secure needs a cancel-call-waiting code: add --cancel-call-waiting \"*70,\"",
                ));
            }
            let (provider, world) = provider_for(&cli, &args.target, location)?;
            let mut session = open(provider, MediaModes::empty()).await?;
            let limit = args.hang_up_after.map(Duration::from_secs);
            let result =
                calls::dial(&mut session, &args.number, args.secure, args.media, limit).await;
            session.close().await;
            report_world(&cli, world);
            result
        }
        Command::Answer(args) => {
            let (provider, world) =
                provider_for(&cli, &args.target, base_location(&cli, args.target.sim)?)?;
            let mut session = open(provider, MediaModes::DATAMODEM).await?;
            if let Some(world) = &world {
                world.ring_us_in(Duration::from_secs(args.sim_call_after));
            }
            let limit = args.hang_up_after.map(Duration::from_secs);
            let result = calls::answer(&mut session, Duration::from_secs(args.wait), limit).await;
            session.close().await;
            report_world(&cli, world);
            result
        }
        Command::Monitor(args) => {
            let (provider, world) =
                provider_for(&cli, &args.target, base_location(&cli, args.target.sim)?)?;
            // Detect data calls so rings become calls with caller ID, but never answer them.
            let mut session = open(provider, MediaModes::DATAMODEM).await?;
            if let Some(world) = &world {
                world.ring_us_in(Duration::from_secs(args.sim_call_after));
            }
            let result =
                calls::monitor(&mut session, args.for_seconds.map(Duration::from_secs)).await;
            session.close().await;
            report_world(&cli, world);
            result
        }
    }
}

async fn open(provider: Arc<ModemProvider>, detect: MediaModes) -> Result<Session, CliError> {
    let name = "the modem";
    Session::open(provider, detect)
        .await
        .map_err(|e| CliError::step("open", name, e))
}

/// With `-v` and `--sim`, prints what the simulated exchange saw.
fn report_world(cli: &Cli, world: Option<sim_world::SimWorld>) {
    if let Some(world) = world {
        if cli.verbose > 0 {
            eprintln!("\n{}", world.sim.transcript());
        }
    }
}

async fn probe(line: &ModemLineConfig) -> Result<(), CliError> {
    let port = line.opener.name();
    let found = crate::provider::probe(line)
        .await
        .map_err(|e| CliError::step("probe", &port, e))?;
    let id = &found.identity;
    let show = |label: &str, value: &Option<String>| {
        println!("{label:<16}{}", value.as_deref().unwrap_or("(no answer)"))
    };
    println!("port            {port}");
    show("ATI0", &id.i0);
    show("ATI3", &id.i3);
    show("manufacturer", &id.manufacturer);
    show("model", &id.model);
    show("revision", &id.revision);
    let classes = id.classes.as_ref().map(|c| c.as_slice().join(","));
    show("+FCLASS=?", &classes);
    let p = &found.profile;
    println!("profile         {} ({})", p.name, p.description);
    println!("init            {}", p.init.join(" ; "));
    println!(
        "caller ID       {:?} ({})",
        p.caller_id,
        p.caller_id
            .commands()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("dial modifiers  {:?}", p.dial_caps);
    println!("max rate        {} bit/s", p.max_rate);
    println!("quirks          {:?}", p.quirks);
    Ok(())
}

//! Opening a line: the port, then reset, identification, the profile's init and caller ID.

use std::io;

use tsp_sdk::{Error, LineErr};

use super::super::ModemLineConfig;
use crate::at::{AtError, Command, EngineConfig, FinalResult, ServiceClass};
use crate::profile::{Identity, Profile, ServiceClasses};
use crate::transport::{Driver, DriverError};

/// What opening found.
pub(crate) struct Opened {
    pub(crate) driver: Driver,
    pub(crate) identity: Identity,
    pub(crate) profile: Profile,
}

fn open_error(port: &str, e: &io::Error) -> Error {
    let kind = match e.kind() {
        io::ErrorKind::ResourceBusy | io::ErrorKind::AddrInUse | io::ErrorKind::WouldBlock => {
            LineErr::Allocated
        }
        io::ErrorKind::NotFound | io::ErrorKind::NotConnected | io::ErrorKind::PermissionDenied => {
            LineErr::NoDevice
        }
        _ => LineErr::OperationFailed,
    };
    Error::new(kind)
        .operation("open")
        .device(port.to_owned())
        .detail(e.to_string())
}

fn lost(port: &str, e: &DriverError) -> Error {
    Error::new(LineErr::NoDevice)
        .operation("open")
        .device(port.to_owned())
        .detail(e.to_string())
}

/// A command the line cannot work without.
async fn required(driver: &mut Driver, port: &str, command: Command) -> Result<(), Error> {
    let name = command.name();
    match driver.command(command).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            let (kind, detail) = match &e {
                AtError::Timeout {
                    after, attempts, ..
                } => (
                    LineErr::NoDevice,
                    format!(
                        "no answer in {} ({attempts} attempt(s))",
                        crate::at::Secs(*after)
                    ),
                ),
                AtError::Rejected { result, .. } => (
                    LineErr::OperationFailed,
                    format!("the modem answered {result}"),
                ),
                other => (LineErr::OperationFailed, other.to_string()),
            };
            Err(Error::new(kind)
                .operation(name)
                .device(port.to_owned())
                .detail(detail))
        }
        Err(e) => Err(lost(port, &e)),
    }
}

/// An identification command: its text, or `None` if the modem refused or kept silent.
async fn optional(
    driver: &mut Driver,
    port: &str,
    command: Command,
) -> Result<Option<String>, Error> {
    let name = command.name();
    match driver.command(command).await {
        Ok(Ok(response)) => {
            let text = response
                .info
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            Ok((!text.is_empty()).then_some(text))
        }
        Ok(Err(e)) => {
            tracing::debug!(port, command = %name, error = %e, "identification refused");
            Ok(None)
        }
        Err(e) => Err(lost(port, &e)),
    }
}

/// `ATZ`, after making sure the modem is not left online from an earlier session (hayes.md §13:
/// drop DTR where there is one; else, if `ATZ` gets no answer, a blind `+++` and `ATZ` again).
async fn reset(driver: &mut Driver, port: &str) -> Result<(), Error> {
    if driver
        .cycle_dtr(super::DTR_LOW)
        .await
        .map_err(|e| lost(port, &e))?
    {
        let _ = required(driver, port, Command::At).await;
    }
    match required(driver, port, Command::Reset).await {
        Err(e) if e.kind() == LineErr::NoDevice && !driver.has_control_lines() => {
            tracing::info!(port, "no answer to ATZ; trying the +++ escape");
            driver.escape_blind().await.map_err(|e| lost(port, &e))?;
            let _ = required(driver, port, Command::HangUp).await;
            required(driver, port, Command::Reset).await
        }
        other => other,
    }
}

fn strip_prefix(text: Option<String>, prefix: &str) -> Option<String> {
    text.map(|t| {
        t.strip_prefix(prefix)
            .map_or(t.clone(), |rest| rest.trim().to_owned())
    })
}

/// Opens the port and brings the modem into the state the provider relies on: `ATZ`, `ATE0V1`,
/// identification (`ATI0`, `ATI3`, `+GMI`, `+GMM`, `+GMR`, `+FCLASS=?`), the profile's init,
/// `ATE0V1` again, caller ID on, `ATS0=0`, `+FCLASS=0`.
pub(crate) async fn open(config: &ModemLineConfig) -> Result<Opened, Error> {
    let port = config.opener.name();
    let configured = match &config.profile {
        Some(name) => Some(Profile::by_name(name).ok_or_else(|| {
            Error::new(LineErr::IniFileCorrupt)
                .operation("open")
                .device(port.clone())
                .detail(format!(
                    "no modem profile {name:?} (known: {})",
                    crate::profile::NAMES.join(", ")
                ))
        })?),
        None => None,
    };
    let stream = config
        .opener
        .open()
        .await
        .map_err(|e| open_error(&port, &e))?;
    let engine = EngineConfig {
        device: port.as_str().into(),
        quirks: configured
            .as_ref()
            .map(|p| p.quirks.clone())
            .unwrap_or_default(),
        ..EngineConfig::default()
    };
    let mut driver =
        Driver::with_clock(stream, engine, config.opener.clock()).map_err(|e| lost(&port, &e))?;
    reset(&mut driver, &port).await?;
    required(&mut driver, &port, Command::Echo(false)).await?;
    required(&mut driver, &port, Command::Verbose(true)).await?;
    let identity = Identity {
        i0: optional(&mut driver, &port, Command::Identify(0)).await?,
        i3: optional(&mut driver, &port, Command::Identify(3)).await?,
        manufacturer: strip_prefix(
            optional(&mut driver, &port, Command::Manufacturer).await?,
            "+GMI:",
        ),
        model: strip_prefix(optional(&mut driver, &port, Command::Model).await?, "+GMM:"),
        revision: strip_prefix(
            optional(&mut driver, &port, Command::Revision).await?,
            "+GMR:",
        ),
        classes: optional(&mut driver, &port, Command::ServiceClasses)
            .await?
            .map(|t| ServiceClasses::parse(&t)),
    };
    let profile = match configured {
        Some(p) => p,
        None => {
            let p = Profile::identify(&identity);
            if p.quirks != crate::at::Quirks::default() {
                driver.reconfigure(EngineConfig {
                    quirks: p.quirks.clone(),
                    ..EngineConfig::default()
                });
            }
            p
        }
    };
    tracing::info!(port = %port, modem = %identity.summary(), profile = %profile.name, "modem identified");
    let init = match &config.init {
        Some(lines) => Profile {
            init: lines.clone(),
            ..profile.clone()
        },
        None => profile.clone(),
    };
    let commands = init.init_commands().map_err(|e| {
        Error::new(LineErr::IniFileCorrupt)
            .operation("open")
            .device(port.clone())
            .detail(format!("init string: {e}"))
    })?;
    for command in commands {
        required(&mut driver, &port, command).await?;
    }
    required(&mut driver, &port, Command::Echo(false)).await?;
    required(&mut driver, &port, Command::Verbose(true)).await?;
    let mut caller_id = false;
    for command in profile.caller_id.commands() {
        let name = command.name();
        match driver.command(command).await {
            Ok(Ok(_)) => {
                caller_id = true;
                break;
            }
            Ok(Err(AtError::Rejected {
                result: FinalResult::Error,
                ..
            })) => tracing::debug!(port = %port, command = %name, "caller ID command refused"),
            Ok(Err(e)) => tracing::warn!(port = %port, error = %e, "caller ID command failed"),
            Err(e) => return Err(lost(&port, &e)),
        }
    }
    if !caller_id && !profile.caller_id.commands().is_empty() {
        tracing::warn!(port = %port, "the modem refused every caller ID command; no caller ID");
    }
    required(
        &mut driver,
        &port,
        Command::SetRegister {
            register: 0,
            value: 0,
        },
    )
    .await?;
    if identity.classes.as_ref().is_some_and(ServiceClasses::data) {
        required(
            &mut driver,
            &port,
            Command::SetServiceClass(ServiceClass::Data),
        )
        .await?;
    }
    tracing::debug!(port = %port, caller_id, "modem initialised");
    Ok(Opened {
        driver,
        identity,
        profile,
    })
}

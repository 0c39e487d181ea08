//! Opening a line: the port, then reset, identification, the profile's init and caller ID.

use std::io;

use tsp_sdk::{Error, LineErr};

use super::super::ModemLineConfig;
use crate::at::{
    AtError, Command, EngineConfig, FinalResult, RawCommand, ServiceClass, split_command_line,
};
use crate::profile::{Answered, Asked, Identity, Profile, RejectedInit, ServiceClasses};
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
        Ok(Err(e)) => Err(refused(port, name, &e)),
        Err(e) => Err(lost(port, &e)),
    }
}

/// A required command that failed: no answer is `LINEERR_NODEVICE`, a refusal
/// `LINEERR_OPERATIONFAILED`, each naming the command and the port.
fn refused(port: &str, name: String, e: &AtError) -> Error {
    let (kind, detail) = match e {
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
    Error::new(kind)
        .operation(name)
        .device(port.to_owned())
        .detail(detail)
}

/// An identification command: its text, or `None` if the modem refused, kept silent or
/// answered `OK` with no text; what it got is added to `asked`.
async fn optional(
    driver: &mut Driver,
    port: &str,
    command: Command,
    asked: &mut Vec<Asked>,
) -> Result<Option<String>, Error> {
    let name = command.name();
    let answered = match driver.command(command).await {
        Ok(Ok(response)) => {
            let text = response
                .info
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if text.is_empty() {
                Answered::Empty
            } else {
                Answered::Text(text)
            }
        }
        Ok(Err(e)) => {
            tracing::debug!(port, command = %name, error = %e, "identification refused");
            Answered::Refused(match e {
                AtError::Rejected { result, .. } => result.to_string(),
                other => other.to_string(),
            })
        }
        Err(e) => return Err(lost(port, &e)),
    };
    let text = match &answered {
        Answered::Text(t) => Some(t.clone()),
        _ => None,
    };
    asked.push(Asked {
        command: name,
        answered,
    });
    Ok(text)
}

/// A fax-class identification query (`AT+FMI?`), sent as a raw line.
fn fax_query(text: &str) -> Command {
    Command::Raw(
        RawCommand::new(text, std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| unreachable!("a fixed, valid command line")),
    )
}

/// Identification in HylaFAX's order (see [`Identity`]): `ATI0`, `ATI3`, `+GMI`/`+GMM`/`+GMR`,
/// `+FCLASS=?`, then each field still unknown from the fax class's own query.
async fn identify(driver: &mut Driver, port: &str) -> Result<Identity, Error> {
    let mut asked = Vec::new();
    let i0 = optional(driver, port, Command::Identify(0), &mut asked).await?;
    let i3 = optional(driver, port, Command::Identify(3), &mut asked).await?;
    let mut manufacturer = strip_prefix(
        optional(driver, port, Command::Manufacturer, &mut asked).await?,
        "+GMI:",
    );
    let mut model = strip_prefix(
        optional(driver, port, Command::Model, &mut asked).await?,
        "+GMM:",
    );
    let mut revision = strip_prefix(
        optional(driver, port, Command::Revision, &mut asked).await?,
        "+GMR:",
    );
    let classes = optional(driver, port, Command::ServiceClasses, &mut asked)
        .await?
        .map(|t| ServiceClasses::parse(&t));
    if let Some(classes) = &classes {
        // T.31 §8.1 / T.32 §8.4 (+FMI? …) for Class 1.0 and 2.0; SP-2388's +FMFR? … for Class 2.
        let queries = if classes.fax_class1() || classes.has("2.0") {
            Some([
                ("AT+FMI?", "+FMI:"),
                ("AT+FMM?", "+FMM:"),
                ("AT+FMR?", "+FMR:"),
            ])
        } else if classes.has("2") {
            Some([
                ("AT+FMFR?", "+FMFR:"),
                ("AT+FMDL?", "+FMDL:"),
                ("AT+FREV?", "+FREV:"),
            ])
        } else {
            None
        };
        if let Some(queries) = queries {
            for (field, (query, prefix)) in [&mut manufacturer, &mut model, &mut revision]
                .into_iter()
                .zip(queries)
            {
                if field.is_none() {
                    *field = strip_prefix(
                        optional(driver, port, fax_query(query), &mut asked).await?,
                        prefix,
                    );
                }
            }
        }
    }
    Ok(Identity {
        i0,
        i3,
        manufacturer,
        model,
        revision,
        classes,
        asked,
    })
}

/// Init commands the provider relies on (V.250 §6.2.8, §6.2.9): DCD follows the carrier, DTR
/// drop hangs up. Never dropped, whatever the profile says.
const ESSENTIAL_INIT: [&str; 2] = ["&C1", "&D2"];

/// Sends one init line; on `ERROR`, resends its commands one per line to name the ones refused,
/// then drops them or fails per `policy` (see [`RejectedInit`]). Returns the line as the modem
/// took it (`AT&C1&D2` when `X4` was dropped from `AT&C1&D2X4`).
async fn init_line(
    driver: &mut Driver,
    port: &str,
    command: Command,
    policy: RejectedInit,
) -> Result<String, Error> {
    let line = command.name();
    let failed = |detail: String| {
        Error::new(LineErr::OperationFailed)
            .operation("open")
            .device(port.to_owned())
            .detail(detail)
    };
    match driver.command(command).await {
        Ok(Ok(_)) => return Ok(line),
        Ok(Err(AtError::Rejected {
            result: FinalResult::Error,
            ..
        })) => {}
        // Timeouts and other results: as for any required command.
        Ok(Err(e)) => return Err(refused(port, line, &e)),
        Err(e) => return Err(lost(port, &e)),
    }
    let Some(parts) = split_command_line(&line).filter(|p| p.len() > 1) else {
        return Err(failed(format!(
            "init line {line}: the modem answered ERROR"
        )));
    };
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for part in parts {
        let single = RawCommand::new(&format!("AT{part}"), std::time::Duration::from_secs(3))
            .map_err(|e| failed(format!("init line {line}: {e}")))?;
        match driver.command(Command::Raw(single)).await {
            Ok(Ok(_)) => kept.push(part),
            Ok(Err(AtError::Rejected {
                result: FinalResult::Error,
                ..
            })) => refused.push(part),
            Ok(Err(e)) => return Err(failed(format!("init line {line}: AT{part}: {e}"))),
            Err(e) => return Err(lost(port, &e)),
        }
    }
    let essential: Vec<&String> = refused
        .iter()
        .filter(|r| ESSENTIAL_INIT.iter().any(|e| e.eq_ignore_ascii_case(r)))
        .collect();
    if !essential.is_empty() {
        return Err(failed(format!(
            "init line {line}: the modem rejects {} (ERROR), which the provider relies on (DCD must follow the carrier and a DTR drop must hang up)",
            essential
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if refused.is_empty() {
        // Each command alone is taken: the modem refuses their combination (or a line length).
        tracing::warn!(port, line = %line, "the modem refused the init line whole but took each of its commands alone");
    } else {
        match policy {
            RejectedInit::FailOpen => {
                return Err(failed(format!(
                    "init line {line}: the modem rejects {} (ERROR); change the line's init or choose another profile",
                    refused.join(", ")
                )));
            }
            RejectedInit::DropCommand => tracing::warn!(
                port,
                line = %line,
                dropped = %refused.join(", "),
                "the modem rejects these init commands; they are left out"
            ),
        }
    }
    Ok(format!("AT{}", kept.concat()))
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
    let identity = identify(&mut driver, &port).await?;
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
    let mut effective = Vec::with_capacity(commands.len());
    for command in commands {
        effective.push(init_line(&mut driver, &port, command, profile.rejected_init).await?);
    }
    let profile = Profile {
        init: effective.into_iter().filter(|l| l.len() > 2).collect(),
        ..profile
    };
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

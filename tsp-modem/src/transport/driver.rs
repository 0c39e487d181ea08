//! [`Driver`]: the sans-IO engine run over an open port.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::lent::{LentPort, Slot};
use super::{ModemPort, PortClock};
use crate::at::{AtError, CarrierDetect, Command, Engine, EngineConfig, Event, Mode, Response};

/// Without DCD (a pseudo-terminal), `NO CARRIER` ends data mode only after this much silence.
pub const IN_BAND_PAUSE: Duration = Duration::from_millis(250);

/// How often DCD is read while a call is online (it is also read before every chunk of input).
pub const DCD_POLL: Duration = Duration::from_millis(500);

const READ_BUFFER: usize = 16 * 1024;

/// The port failed: the device is gone (unplugged, powered off, or the pty closed).
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// A read, a write or a control-line operation failed, or the port reached end of stream.
    #[error("{port}: the device is gone: {source}")]
    Lost {
        /// The port's name.
        port: Arc<str>,
        /// What failed.
        #[source]
        source: io::Error,
    },
}

/// Runs an [`Engine`] over a [`ModemPort`].
///
/// The driver chooses how carrier loss is detected: with control lines, DCD (read before every
/// chunk of input and every [`DCD_POLL`] while online); without, in band (`NO CARRIER` after
/// [`IN_BAND_PAUSE`] of silence).
///
/// # Driving it
/// Call [`flush`](Self::flush) after anything that may have queued output (a command, data), drain
/// [`poll_event`](Self::poll_event), then await [`wait`](Self::wait), which is cancel-safe and so
/// can sit in a `select!` beside other work. [`command`](Self::command) does all three for one
/// command and keeps other events for later.
pub struct Driver {
    /// The port, unless it is lent to an application ([`lend`](Self::lend)).
    port: Option<Box<dyn ModemPort>>,
    /// Where the lent port is.
    lent: Option<Arc<Slot>>,
    /// How the port failed while lent, for the next [`wait`](Self::wait).
    failed: Option<io::Error>,
    engine: Engine,
    clock: PortClock,
    name: Arc<str>,
    buf: Vec<u8>,
    control_lines: bool,
    backlog: VecDeque<Event>,
    last_dcd_poll: Option<Instant>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("name", &self.name)
            .field("mode", &self.engine.mode())
            .field("control_lines", &self.control_lines)
            .finish_non_exhaustive()
    }
}

enum Woke {
    Read(io::Result<usize>),
    Timer,
    /// The lent port wants taking back: the application dropped its stream, or a read found DCD
    /// down or the port failed.
    Returned,
}

impl Driver {
    /// Starts driving `port` with an engine built from `cfg`, in real time; `cfg.carrier_detect`
    /// is set from whether the port has control lines. Raises DTR.
    ///
    /// # Errors
    /// [`DriverError::Lost`] if the port fails at once.
    pub fn new(port: Box<dyn ModemPort>, cfg: EngineConfig) -> Result<Self, DriverError> {
        Driver::with_clock(port, cfg, PortClock::real())
    }

    /// As [`new`](Self::new), with the engine on the modem's `clock` (a simulated modem faster
    /// than real time): every timeout, pacing and guard time is the modem's.
    ///
    /// # Errors
    /// [`DriverError::Lost`] if the port fails at once.
    pub fn with_clock(
        mut port: Box<dyn ModemPort>,
        mut cfg: EngineConfig,
        clock: PortClock,
    ) -> Result<Self, DriverError> {
        let name = cfg.device.clone();
        let lost = |source| DriverError::Lost {
            port: name.clone(),
            source,
        };
        let control_lines =
            port.signals().map_err(lost)?.is_some() && port.set_dtr(true).map_err(lost)?;
        cfg.carrier_detect = carrier_detect(control_lines);
        tracing::debug!(port = %name, control_lines, "driver started");
        Ok(Driver {
            port: Some(port),
            lent: None,
            failed: None,
            engine: Engine::new(cfg, clock.now()),
            clock,
            name,
            buf: vec![0; READ_BUFFER],
            control_lines,
            backlog: VecDeque::new(),
            last_dcd_poll: None,
        })
    }

    /// The modem's clock.
    pub fn clock(&self) -> PortClock {
        self.clock
    }

    /// The modem's time now.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The port's name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// Whether the port has modem control lines (DTR, DCD).
    pub fn has_control_lines(&self) -> bool {
        self.control_lines
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to send commands or data; [`flush`](Self::flush) afterwards. A port lent to
    /// the application ([`lend`](Self::lend)) is taken back first: whatever the engine is asked
    /// to do, it does on the port.
    pub fn engine_mut(&mut self) -> &mut Engine {
        self.take_back();
        &mut self.engine
    }

    /// Lends the port to the application as a connected data call's stream, the way Unimodem's
    /// `lineGetID("comm/datamodem")` hands out the comm handle (tapi.md §4.3): its reads and
    /// writes go straight to the port. `prefix` is what the engine read as data before the
    /// hand-over; the stream gives it first.
    ///
    /// `None` unless the port has DCD (carrier loss is then seen without reading the data) and
    /// the engine is online in data mode with nothing to send or in flight and no passthrough.
    /// While lent, [`wait`](Self::wait) watches DCD every [`DCD_POLL`] and for the stream's
    /// drop; the port comes back when DCD drops, when the stream is dropped, and before anything
    /// touches the engine ([`engine_mut`](Self::engine_mut)) or the port.
    pub fn lend(&mut self, prefix: Vec<Bytes>) -> Option<LentPort> {
        if !self.can_lend() {
            return None;
        }
        let port = self.port.take()?;
        let slot = Slot::new(port);
        self.lent = Some(slot.clone());
        tracing::debug!(port = %self.name, "port lent to the application for the call's data");
        Some(LentPort::new(slot, prefix, self.name.clone()))
    }

    /// Whether [`lend`](Self::lend) would lend the port now.
    pub fn can_lend(&self) -> bool {
        let engine = &self.engine;
        self.control_lines
            && self.port.is_some()
            && engine.mode() == Mode::Data
            && !engine.passthrough()
            && engine.is_quiet()
            && self.backlog.is_empty()
    }

    /// Whether the port is lent to the application. A port whose stream the application has
    /// dropped, or on which a read found DCD down, is taken back first.
    pub fn is_lent(&mut self) -> bool {
        if self.lent.as_ref().is_some_and(Slot::wants_taking_back) {
            self.take_back();
        }
        self.lent.is_some()
    }

    /// Takes a lent port back (nothing when it is not lent); the application's stream ends. The
    /// engine counts the moment as the last data sent, so a `+++` escape keeps its guard time
    /// after whatever the application wrote.
    pub fn take_back(&mut self) {
        let Some(slot) = self.lent.take() else {
            return;
        };
        let returned = slot.take_back();
        self.port = returned.port;
        if let Some(e) = returned.failed {
            self.failed.get_or_insert(e);
        }
        let now = self.clock.now();
        self.engine.data_sent_by_application(now);
        tracing::debug!(port = %self.name, "port taken back from the application");
        if let Some(read) = returned.after_carrier_loss {
            tracing::debug!(port = %self.name, "DCD dropped");
            self.last_dcd_poll = Some(now);
            self.engine.carrier_lost(now);
            self.engine.handle_input(&read, now);
        }
    }

    /// The port, taken back first if it was lent.
    fn port(&mut self) -> Result<&mut Box<dyn ModemPort>, DriverError> {
        self.take_back();
        if let Some(e) = self.failed.take() {
            return Err(self.lost(e));
        }
        let name = self.name.clone();
        self.port.as_mut().ok_or_else(|| DriverError::Lost {
            port: name,
            source: io::Error::new(io::ErrorKind::NotConnected, "the port was not given back"),
        })
    }

    /// Replaces the engine with one built from `cfg` (a modem profile's quirks), keeping the
    /// carrier detection the port allows. Only between commands: events not yet polled are kept.
    pub fn reconfigure(&mut self, mut cfg: EngineConfig) {
        cfg.carrier_detect = carrier_detect(self.control_lines);
        cfg.device = self.name.clone();
        while let Some(event) = self.engine.poll_event() {
            self.backlog.push_back(event);
        }
        self.engine = Engine::new(cfg, self.clock.now());
    }

    fn lost(&self, source: io::Error) -> DriverError {
        DriverError::Lost {
            port: self.name.clone(),
            source,
        }
    }

    /// Writes everything the engine wants written.
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn flush(&mut self) -> Result<(), DriverError> {
        let mut wrote = false;
        while let Some(bytes) = self.engine.poll_transmit() {
            if let Err(e) = self.port()?.write_all(&bytes).await {
                return Err(self.lost(e));
            }
            wrote = true;
        }
        if wrote && let Err(e) = self.port()?.flush().await {
            return Err(self.lost(e));
        }
        Ok(())
    }

    /// The next event: ones kept by [`command`](Self::command) first, then the engine's.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.backlog
            .pop_front()
            .or_else(|| self.engine.poll_event())
    }

    /// When DCD is to be read next, `now` if it never was.
    fn dcd_due(&self, now: Instant) -> Option<Instant> {
        if !self.control_lines || self.engine.mode() == Mode::Command || self.engine.passthrough() {
            return None;
        }
        Some(self.last_dcd_poll.map_or(now, |t| t + DCD_POLL))
    }

    /// Tells the engine if DCD dropped while online.
    fn check_dcd(&mut self, at: Instant) -> Result<(), DriverError> {
        if !self.control_lines || self.engine.mode() == Mode::Command || self.engine.passthrough() {
            return Ok(());
        }
        self.last_dcd_poll = Some(at);
        let signals = match (&self.lent, self.port.as_mut()) {
            (Some(slot), _) => slot.with_port(|p| p.signals()),
            (None, Some(port)) => Some(port.signals()),
            (None, None) => None,
        }
        .unwrap_or(Ok(None));
        if signals.is_err() {
            self.take_back(); // the device is gone: the application's stream ends too
        }
        match signals {
            Ok(Some(signals)) if !signals.dcd => {
                tracing::debug!(port = %self.name, "DCD dropped");
                self.take_back(); // may have seen the drop already
                if self.engine.mode() != Mode::Command {
                    self.engine.carrier_lost(at);
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(self.lost(e)),
        }
    }

    /// Waits for input or for the next timer and hands it to the engine. Cancel-safe: nothing is
    /// lost if the future is dropped before it completes.
    ///
    /// # Errors
    /// [`DriverError::Lost`] when a read fails or the port reaches end of stream.
    pub async fn wait(&mut self) -> Result<(), DriverError> {
        if let Some(e) = self.failed.take() {
            return Err(self.lost(e));
        }
        let due = match (self.engine.poll_timeout(), self.dcd_due(self.clock.now())) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let clock = self.clock;
        let sleep = async move {
            match due {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        if self.lent.is_some() && !self.engine.is_quiet() {
            self.take_back();
        }
        let woke = match (&self.lent, self.port.as_mut()) {
            (Some(slot), _) => {
                let slot = slot.clone();
                tokio::select! {
                    () = slot.returned.notified() => Woke::Returned,
                    () = sleep => Woke::Timer,
                }
            }
            (None, Some(port)) => tokio::select! {
                read = port.read(&mut self.buf) => Woke::Read(read),
                () = sleep => Woke::Timer,
            },
            (None, None) => Woke::Read(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the port was not given back",
            ))),
        };
        let at = self.clock.now();
        match woke {
            Woke::Read(Ok(0)) => Err(self.lost(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of stream",
            ))),
            Woke::Read(Ok(n)) => {
                self.check_dcd(at)?;
                tracing::trace!(port = %self.name, bytes = n, "read");
                self.engine.handle_input(&self.buf[..n], at);
                Ok(())
            }
            Woke::Read(Err(e)) => Err(self.lost(e)),
            Woke::Returned => {
                self.take_back();
                match self.failed.take() {
                    Some(e) => Err(self.lost(e)),
                    None => Ok(()),
                }
            }
            Woke::Timer => {
                if self.dcd_due(at).is_some_and(|t| t <= at) {
                    self.check_dcd(at)?;
                }
                self.engine.handle_timeout(at);
                Ok(())
            }
        }
    }

    /// Sends `command` and drives the port until it completes; other events are kept for
    /// [`poll_event`](Self::poll_event).
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails; the command's own failure is the inner `Err`.
    pub async fn command(
        &mut self,
        command: Command,
    ) -> Result<Result<Response, AtError>, DriverError> {
        let id = match self.engine.send(command, self.clock.now()) {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        loop {
            self.flush().await?;
            while let Some(event) = self.engine.poll_event() {
                match event {
                    Event::Completed {
                        id: done, result, ..
                    } if done == id => return Ok(result),
                    other => self.backlog.push_back(other),
                }
            }
            self.wait().await?;
        }
    }

    /// Hangs up the hard way: DTR low for `low_for`, then high again (`&D2`). The engine is told,
    /// so a command in flight ends as interrupted. `Ok(false)` when the port has no DTR.
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn cycle_dtr(&mut self, low_for: Duration) -> Result<bool, DriverError> {
        if !self.control_lines {
            return Ok(false);
        }
        match self.port()?.set_dtr(false) {
            Ok(true) => {}
            Ok(false) => return Ok(false),
            Err(e) => return Err(self.lost(e)),
        }
        tracing::debug!(port = %self.name, "DTR dropped");
        self.engine.dtr_dropped(self.clock.now());
        self.clock.sleep(low_for).await;
        match self.port()?.set_dtr(true) {
            Ok(_) => Ok(true),
            Err(e) => Err(self.lost(e)),
        }
    }

    /// The `+++` escape written blind, with guard times of silence before and after, for a modem
    /// that may be stuck online while the engine believes it is in command mode (a port opened
    /// on a modem left in a call). Whatever the modem answers is left for the engine.
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn escape_blind(&mut self) -> Result<(), DriverError> {
        let guard = self.engine.registers().guard() + Duration::from_millis(100);
        tracing::debug!(port = %self.name, "blind +++ escape");
        self.clock.sleep(guard).await;
        let escape = [self.engine.registers().escape_char; 3];
        if let Err(e) = self.port()?.write_all(&escape).await {
            return Err(self.lost(e));
        }
        self.clock.sleep(guard).await;
        Ok(())
    }

    /// Writes `ATH` over a dial or answer that ignored [`abort_attempt`](Self::abort_attempt):
    /// the modem's answer ends the attempt in the engine's eyes (as an aborted dial's result).
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn hang_up_blind(&mut self) -> Result<(), DriverError> {
        if let Err(e) = self.port()?.write_all(b"ATH\r").await {
            return Err(self.lost(e));
        }
        Ok(())
    }

    /// Takes the port back from an application's protocol ([`Engine::set_passthrough`]) to hang
    /// up: the engine returns to command state and `end` is written (`<DLE><ETX>` when empty),
    /// which ends a T.31 transmission the application left running (`+FTH`/`+FTM`, T.31
    /// 8.3.2–8.3.3) and, as any character does, abandons a reception (`+FRH`/`+FRM`, T.31
    /// 8.3.4–8.3.5); a voice modem's `+VRX` takes `<DLE>!`, its `+VTX` `<DLE><CAN><DLE><ETX>`
    /// (V.253 9.5.3, 9.6.3). Nothing happens unless passthrough is on.
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn end_passthrough(&mut self, end: &[u8]) -> Result<(), DriverError> {
        if !self.engine.passthrough() {
            return Ok(());
        }
        tracing::debug!(port = %self.name, "taking the port back from the application's protocol");
        self.engine.end_passthrough();
        let end = if end.is_empty() { &[DLE, ETX][..] } else { end };
        if let Err(e) = self.port()?.write_all(end).await {
            return Err(self.lost(e));
        }
        Ok(())
    }

    /// Aborts a dial or answer in progress the V.250 way: any character from the DTE stops it
    /// (the modem then answers `OK` or `NO CARRIER` to the command).
    ///
    /// # Errors
    /// [`DriverError::Lost`] when the port fails.
    pub async fn abort_attempt(&mut self) -> Result<(), DriverError> {
        tracing::debug!(port = %self.name, "aborting the dial or answer in progress");
        if let Err(e) = self.port()?.write_all(b"\r").await {
            return Err(self.lost(e));
        }
        Ok(())
    }
}

impl Drop for Driver {
    /// A lent port is taken back, so it closes with the driver (DTR drops) and the
    /// application's stream ends.
    fn drop(&mut self) {
        self.take_back();
    }
}

/// Data Link Escape and End of Text: `<DLE><ETX>` ends a T.31 transmission.
const DLE: u8 = 0x10;
const ETX: u8 = 0x03;

fn carrier_detect(control_lines: bool) -> CarrierDetect {
    if control_lines {
        CarrierDetect::Dcd
    } else {
        CarrierDetect::InBand {
            pause: IN_BAND_PAUSE,
        }
    }
}

//! The simulated network: an [`Exchange`] with simulated devices (modems with a serial-port face)
//! and scripted far ends plugged into its lines, pumped until quiet after every input, and a
//! [`Transcript`] of everything that happened.
//!
//! The network is sans-IO like its parts: every method that can make something happen takes the
//! current time, and [`Network::poll_timeout`] / [`Network::handle_timeout`] merge the timers of
//! the exchange and of every terminal. An async driver (tokio, paused or scaled time) runs it; so
//! do plain tests with a virtual clock:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use tsp_sim::exchange::LineConfig;
//! use tsp_sim::far_end::ScriptedParty;
//! use tsp_sim::line::LineSignal;
//! use tsp_sim::network::Network;
//!
//! let t0 = Instant::now();
//! let mut net = Network::builder().seed(7).build(t0);
//! let alice = net.add_line(LineConfig::new("5550100"));
//! let bob = net.add_line(LineConfig::new("5550199"));
//! net.attach_party(alice, ScriptedParty::builder().call_at(Duration::ZERO, "5550199").build(t0))?;
//! net.attach_party(bob, ScriptedParty::builder().answer_after_rings(2).build(t0))?;
//! net.advance_to(t0 + Duration::from_secs(10));
//! assert!(net.party(alice).is_some_and(|p| p.heard(&LineSignal::Answered)));
//! println!("{}", net.transcript());
//! # Ok::<(), tsp_sim::network::NetworkError>(())
//! ```

use std::any::Any;
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::exchange::{
    Exchange, ExchangeBuilder, ExchangeError, LineConfig, Transcript, TranscriptEvent,
};
use crate::far_end::{FarEndRequest, ScriptedParty};
use crate::line::{ControlLines, DteSide, LineAction, LineId, LineSignal, SimDevice, Terminal};

/// Most rounds one settle runs before it gives up (terminals that keep answering each other).
const MAX_ROUNDS: usize = 10_000;

/// Most timer steps one [`Network::advance_to`] runs.
const MAX_TIMER_STEPS: usize = 100_000;

/// A simulated device (a modem with a serial port) on the network, by attach order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub usize);

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "device {}", self.0)
    }
}

/// How virtual time maps to wall-clock time for a driver that cannot pause time.
///
/// In memory, the async driver runs on paused tokio time and this knob does not matter: timers
/// fire as soon as everything is idle. When real I/O is involved (a pty, a real program), paused
/// time cannot be used — the clock would jump ahead while bytes are in flight — so the driver
/// sleeps for `virtual × factor` of real time instead: at 0.01 a 6 s ring cycle takes 60 ms. The
/// network itself never reads a clock; the driver converts with [`TimeScale::to_real`] and
/// [`TimeScale::to_virtual`].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct TimeScale(f64);

impl Default for TimeScale {
    /// Real time (1.0).
    fn default() -> Self {
        Self(1.0)
    }
}

impl TimeScale {
    /// Real time.
    pub const REAL_TIME: Self = Self(1.0);

    /// A scale factor: finite and greater than zero, else `None`.
    pub fn new(factor: f64) -> Option<Self> {
        (factor.is_finite() && factor > 0.0).then_some(Self(factor))
    }

    /// The factor (real seconds per virtual second).
    pub fn factor(self) -> f64 {
        self.0
    }

    /// The real time a virtual duration takes.
    pub fn to_real(self, virtual_time: Duration) -> Duration {
        Duration::try_from_secs_f64(virtual_time.as_secs_f64() * self.0).unwrap_or(Duration::MAX)
    }

    /// The virtual time a real duration stands for.
    pub fn to_virtual(self, real_time: Duration) -> Duration {
        Duration::try_from_secs_f64(real_time.as_secs_f64() / self.0).unwrap_or(Duration::MAX)
    }
}

/// A network operation could not be carried out; each error names the line or device and the
/// operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// No line has this id.
    #[error("network: {operation} on {line}: no such line")]
    UnknownLine {
        /// The line asked for.
        line: LineId,
        /// The operation.
        operation: &'static str,
    },
    /// A terminal is already plugged into the line.
    #[error("network: {operation} on {line}: a terminal is already attached")]
    LineOccupied {
        /// The line asked for.
        line: LineId,
        /// The operation.
        operation: &'static str,
    },
    /// No device has this id.
    #[error("network: {operation} on {device}: no such device")]
    UnknownDevice {
        /// The device asked for.
        device: DeviceId,
        /// The operation.
        operation: &'static str,
    },
    /// The exchange refused the operation.
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
}

/// Builds a [`Network`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct NetworkBuilder {
    exchange: ExchangeBuilder,
    time_scale: TimeScale,
}

impl NetworkBuilder {
    /// The exchange's configuration (default: [`ExchangeBuilder::new`]).
    pub fn exchange(mut self, exchange: ExchangeBuilder) -> Self {
        self.exchange = exchange;
        self
    }

    /// The seed of the run (see [`ExchangeBuilder::seed`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.exchange = self.exchange.seed(seed);
        self
    }

    /// The time scale for a driver on real time (see [`TimeScale`]). Default: real time.
    pub fn time_scale(mut self, scale: TimeScale) -> Self {
        self.time_scale = scale;
        self
    }

    /// Builds the network with its virtual time origin at `start`.
    pub fn build(self, start: Instant) -> Network {
        let exchange = self.exchange.build(start);
        Network {
            transcript: Transcript::new(exchange.seed()),
            exchange,
            start,
            now: start,
            time_scale: self.time_scale,
            slots: Vec::new(),
            schedule: Schedule::default(),
            devices: Vec::new(),
            dte_out: Vec::new(),
        }
    }
}

/// A terminal that can be looked at as its concrete type.
trait AnyTerminal: Terminal {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Terminal + Any> AnyTerminal for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A device that can be looked at as its concrete type.
trait AnyDevice: SimDevice {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn as_sim_device(&mut self) -> &mut dyn SimDevice;
}

impl<T: SimDevice + Any> AnyDevice for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn as_sim_device(&mut self) -> &mut dyn SimDevice {
        self
    }
}

/// A boxed device given by a caller that only has `Box<dyn SimDevice>`.
struct BoxedDevice(Box<dyn SimDevice>);

impl Terminal for BoxedDevice {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        self.0.on_signal(signal, now);
    }
    fn poll_action(&mut self) -> Option<LineAction> {
        self.0.poll_action()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.0.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.0.handle_timeout(now);
    }
}

impl DteSide for BoxedDevice {
    fn handle_dte_input(&mut self, bytes: &[u8], now: Instant) {
        self.0.handle_dte_input(bytes, now);
    }
    fn handle_dte_bytes(&mut self, bytes: Bytes, now: Instant) {
        self.0.handle_dte_bytes(bytes, now);
    }
    fn poll_dte_output(&mut self) -> Option<Bytes> {
        self.0.poll_dte_output()
    }
    fn set_dtr(&mut self, on: bool, now: Instant) {
        self.0.set_dtr(on, now);
    }
    fn control_lines(&self) -> ControlLines {
        self.0.control_lines()
    }
}

/// What is plugged into a line.
enum Slot {
    Party(Box<ScriptedParty>),
    Terminal(Box<dyn AnyTerminal>),
    Device(DeviceId, Box<dyn AnyDevice>),
}

impl Slot {
    fn terminal(&mut self) -> &mut dyn Terminal {
        match self {
            Slot::Party(party) => party.as_mut(),
            Slot::Terminal(terminal) => terminal.as_mut(),
            Slot::Device(_, device) => device.as_sim_device(),
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Slot::Party(party) => party.poll_timeout(),
            Slot::Terminal(terminal) => terminal.poll_timeout(),
            Slot::Device(_, device) => device.poll_timeout(),
        }
    }
}

/// The simulated network (see the [module documentation](self)).
pub struct Network {
    exchange: Exchange,
    start: Instant,
    /// The latest time seen.
    now: Instant,
    time_scale: TimeScale,
    /// What is plugged into each line, by line index.
    slots: Vec<Option<Slot>>,
    /// The line of each device, by device index.
    devices: Vec<LineId>,
    /// Bytes each device sent to the computer, not yet polled.
    dte_out: Vec<VecDeque<Bytes>>,
    transcript: Transcript,
    /// Which slots may act, and when each slot's timer is due: so a network of a thousand lines
    /// does the work of the few that change, not of all of them.
    schedule: Schedule,
}

/// The slots that need attention and the slots' timers, kept current as slots change.
#[derive(Debug, Default)]
struct Schedule {
    /// Slots that may have something to say (a signal, input, a timer, an outside change).
    dirty: BTreeSet<usize>,
    /// Each slot's timer as last read.
    deadline_of: Vec<Option<Instant>>,
    /// The same, ordered by time.
    by_time: BTreeSet<(Instant, usize)>,
    /// Slots whose timer may have changed since it was last read.
    stale: BTreeSet<usize>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("exchange", &self.exchange)
            .field("time_scale", &self.time_scale)
            .field("devices", &self.devices)
            .field("entries", &self.transcript.entries().len())
            .finish_non_exhaustive()
    }
}

impl Network {
    /// A builder with every knob at its default.
    pub fn builder() -> NetworkBuilder {
        NetworkBuilder::default()
    }

    /// The seed of the run: print it on failure (`TSP_SIM_SEED=<seed>` replays it).
    pub fn seed(&self) -> u64 {
        self.exchange.seed()
    }

    /// The time scale for a driver on real time.
    pub fn time_scale(&self) -> TimeScale {
        self.time_scale
    }

    /// The virtual time origin.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// The latest time the network has been given.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The exchange, for inspection (line status, dialled numbers).
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// Everything recorded so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Adds a subscriber line to the exchange.
    pub fn add_line(&mut self, config: LineConfig) -> LineId {
        let line = self.exchange.add_line(config);
        self.slots.resize_with(self.exchange.line_count(), || None);
        self.schedule
            .deadline_of
            .resize(self.exchange.line_count(), None);
        line
    }

    /// The slot may act or its timer may have moved: look at it in the next settle.
    fn mark(&mut self, index: usize) {
        self.schedule.dirty.insert(index);
        self.schedule.stale.insert(index);
    }

    /// Every slot may have changed (an outside caller settles without saying which).
    fn mark_all(&mut self) {
        for index in 0..self.slots.len() {
            if self.slots[index].is_some() {
                self.mark(index);
            }
        }
    }

    /// Reads the timers of the slots that may have changed.
    fn refresh_timers(&mut self) {
        let stale = std::mem::take(&mut self.schedule.stale);
        for index in stale {
            let due = self
                .slots
                .get(index)
                .and_then(Option::as_ref)
                .and_then(Slot::poll_timeout);
            let Some(cached) = self.schedule.deadline_of.get_mut(index) else {
                continue;
            };
            if *cached != due {
                if let Some(old) = cached.take() {
                    self.schedule.by_time.remove(&(old, index));
                }
                if let Some(new) = due {
                    self.schedule.by_time.insert((new, index));
                }
                *cached = due;
            }
        }
    }

    /// Plugs a simulated device (a modem) into a line; its serial-port face is reached through
    /// the returned id.
    pub fn attach_device<D: SimDevice + 'static>(
        &mut self,
        line: LineId,
        device: D,
    ) -> Result<DeviceId, NetworkError> {
        let id = DeviceId(self.devices.len());
        let slot = self.free_slot(line, "attach device")?;
        *slot = Some(Slot::Device(id, Box::new(device)));
        self.devices.push(line);
        self.dte_out.push(VecDeque::new());
        self.mark(line.0);
        tracing::debug!(%line, %id, "network: device attached");
        Ok(id)
    }

    /// Plugs in a device that is already boxed. [`Network::device`] cannot see its concrete type;
    /// [`Network::device_mut`] can still reach it.
    pub fn attach_boxed_device(
        &mut self,
        line: LineId,
        device: Box<dyn SimDevice>,
    ) -> Result<DeviceId, NetworkError> {
        self.attach_device(line, BoxedDevice(device))
    }

    /// Plugs a scripted far end into a line.
    pub fn attach_party(&mut self, line: LineId, party: ScriptedParty) -> Result<(), NetworkError> {
        let slot = self.free_slot(line, "attach party")?;
        *slot = Some(Slot::Party(Box::new(party)));
        self.mark(line.0);
        Ok(())
    }

    /// Plugs any other terminal into a line.
    pub fn attach_terminal<T: Terminal + 'static>(
        &mut self,
        line: LineId,
        terminal: T,
    ) -> Result<(), NetworkError> {
        let slot = self.free_slot(line, "attach terminal")?;
        *slot = Some(Slot::Terminal(Box::new(terminal)));
        self.mark(line.0);
        Ok(())
    }

    fn free_slot(
        &mut self,
        line: LineId,
        operation: &'static str,
    ) -> Result<&mut Option<Slot>, NetworkError> {
        match self.slots.get_mut(line.0) {
            None => Err(NetworkError::UnknownLine { line, operation }),
            Some(Some(_)) => Err(NetworkError::LineOccupied { line, operation }),
            Some(slot) => Ok(slot),
        }
    }

    /// The scripted party on a line.
    pub fn party(&self, line: LineId) -> Option<&ScriptedParty> {
        match self.slots.get(line.0)? {
            Some(Slot::Party(party)) => Some(party),
            _ => None,
        }
    }

    /// The terminal attached with [`Network::attach_terminal`] on a line, as its concrete type.
    pub fn terminal<T: 'static>(&self, line: LineId) -> Option<&T> {
        match self.slots.get(line.0)? {
            Some(Slot::Terminal(terminal)) => terminal.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// The line a device is plugged into.
    pub fn device_line(&self, device: DeviceId) -> Option<LineId> {
        self.devices.get(device.0).copied()
    }

    /// A device as its concrete type (e.g. to read a simulated modem's registers).
    pub fn device<T: 'static>(&self, device: DeviceId) -> Option<&T> {
        match self.device_slot(device)? {
            Slot::Device(_, d) => d.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// A device as its concrete type, mutably (e.g. to make a simulated modem stop answering).
    /// Call [`Network::settle`] afterwards if the change makes the device act.
    pub fn device_as_mut<T: 'static>(&mut self, device: DeviceId) -> Option<&mut T> {
        if let Some(line) = self.devices.get(device.0).copied() {
            self.mark(line.0);
        }
        match self.device_slot_mut(device)? {
            Slot::Device(_, d) => d.as_any_mut().downcast_mut(),
            _ => None,
        }
    }

    /// A device, mutably, whatever its type. Call [`Network::settle`] afterwards if the change
    /// makes the device act.
    pub fn device_mut(&mut self, device: DeviceId) -> Option<&mut dyn SimDevice> {
        if let Some(line) = self.devices.get(device.0).copied() {
            self.mark(line.0);
        }
        match self.device_slot_mut(device)? {
            Slot::Device(_, d) => Some(d.as_sim_device()),
            _ => None,
        }
    }

    fn device_slot(&self, device: DeviceId) -> Option<&Slot> {
        let line = self.devices.get(device.0)?;
        self.slots.get(line.0)?.as_ref()
    }

    fn device_slot_mut(&mut self, device: DeviceId) -> Option<&mut Slot> {
        let line = self.devices.get(device.0)?;
        self.slots.get_mut(line.0)?.as_mut()
    }

    fn device_checked(
        &mut self,
        device: DeviceId,
        operation: &'static str,
    ) -> Result<&mut Box<dyn AnyDevice>, NetworkError> {
        match self.device_slot_mut(device) {
            Some(Slot::Device(_, d)) => Ok(d),
            _ => Err(NetworkError::UnknownDevice { device, operation }),
        }
    }

    /// The computer wrote `bytes` to a device's serial port.
    pub fn dte_input(
        &mut self,
        device: DeviceId,
        bytes: &[u8],
        now: Instant,
    ) -> Result<(), NetworkError> {
        let now = self.tick(now);
        // One copy, shared by the device (which keeps what it sends on) and the transcript.
        let bytes = Bytes::copy_from_slice(bytes);
        self.device_checked(device, "DTE input")?
            .handle_dte_bytes(bytes.clone(), now);
        self.record(TranscriptEvent::DteIn { device, bytes });
        if let Some(line) = self.devices.get(device.0).copied() {
            self.mark(line.0);
        }
        self.settle_dirty(now);
        Ok(())
    }

    /// The next bytes a device sent to the computer.
    pub fn poll_dte_output(&mut self, device: DeviceId) -> Option<Bytes> {
        self.dte_out.get_mut(device.0)?.pop_front()
    }

    /// The computer raised or dropped DTR on a device.
    pub fn set_dtr(
        &mut self,
        device: DeviceId,
        on: bool,
        now: Instant,
    ) -> Result<(), NetworkError> {
        let now = self.tick(now);
        self.device_checked(device, "set DTR")?.set_dtr(on, now);
        self.record(TranscriptEvent::Dtr { device, on });
        if let Some(line) = self.devices.get(device.0).copied() {
            self.mark(line.0);
        }
        self.settle_dirty(now);
        Ok(())
    }

    /// A device's control lines as the computer sees them now.
    pub fn control_lines(&self, device: DeviceId) -> Result<ControlLines, NetworkError> {
        match self.device_slot(device) {
            Some(Slot::Device(_, d)) => Ok(d.control_lines()),
            _ => Err(NetworkError::UnknownDevice {
                device,
                operation: "read control lines",
            }),
        }
    }

    /// The line rejects the call ringing on it (see [`Exchange::reject`]).
    pub fn reject(&mut self, line: LineId, now: Instant) -> Result<(), NetworkError> {
        let now = self.tick(now);
        let result = self.exchange.reject(line, now);
        self.settle(now);
        Ok(result?)
    }

    /// Fault: the carrier of the line's connected call is lost (both ends hear
    /// `RemoteCarrierLost`).
    pub fn inject_carrier_loss(&mut self, line: LineId, now: Instant) -> Result<(), NetworkError> {
        let now = self.tick(now);
        let result = self.exchange.inject_carrier_loss(line, now);
        self.settle(now);
        Ok(result?)
    }

    /// Fault: noise bytes reach the line's terminal.
    pub fn inject_noise(
        &mut self,
        line: LineId,
        noise: impl Into<Bytes>,
        now: Instant,
    ) -> Result<(), NetworkError> {
        let now = self.tick(now);
        let result = self.exchange.inject_noise(line, noise.into(), now);
        self.settle(now);
        Ok(result?)
    }

    /// Fault: `len` random bytes (from the seeded generator) reach the line's terminal; returns
    /// them.
    pub fn inject_random_noise(
        &mut self,
        line: LineId,
        len: usize,
        now: Instant,
    ) -> Result<Bytes, NetworkError> {
        let now = self.tick(now);
        let result = self.exchange.inject_random_noise(line, len, now);
        self.settle(now);
        Ok(result?)
    }

    /// Fault: unplugs (`false`) or plugs in (`true`) the line's terminal (see
    /// [`Exchange::set_plugged`]).
    pub fn set_plugged(
        &mut self,
        line: LineId,
        plugged: bool,
        now: Instant,
    ) -> Result<(), NetworkError> {
        let now = self.tick(now);
        let result = self.exchange.set_plugged(line, plugged, now);
        self.settle(now);
        Ok(result?)
    }

    /// Adds a remark to the transcript.
    pub fn note(&mut self, text: impl Into<String>, now: Instant) {
        self.tick(now);
        self.record(TranscriptEvent::Note(text.into()));
    }

    /// When the network next needs [`Network::handle_timeout`]: the earliest timer of the
    /// exchange and of every terminal.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let cached = self
            .schedule
            .by_time
            .iter()
            .find(|(_, index)| !self.schedule.stale.contains(index))
            .map(|(at, _)| *at);
        let stale = self
            .schedule
            .stale
            .iter()
            .filter_map(|index| self.slots.get(*index).and_then(Option::as_ref))
            .filter_map(Slot::poll_timeout)
            .min();
        [cached, stale, self.exchange.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Time has reached `now`: runs every timer of the exchange and of the terminals that is due
    /// by then, in time order and each at its own due time (so a late call still records each
    /// step when it was due), then settles at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        for _ in 0..MAX_TIMER_STEPS {
            match self.poll_timeout() {
                Some(due) if due <= now => self.run_timers(due),
                _ => {
                    self.settle_dirty(now);
                    return;
                }
            }
        }
        tracing::error!("network: timers did not settle before the target time; giving up");
    }

    /// Moves the virtual clock to `target`, running every timer due on the way (the same as
    /// [`Network::handle_timeout`]; the name reads better in tests).
    pub fn advance_to(&mut self, target: Instant) {
        self.handle_timeout(target);
    }

    /// Runs the timers due at `due` (the earliest pending), then settles.
    fn run_timers(&mut self, due: Instant) {
        let at = self.tick(due);
        self.exchange.handle_timeout(at);
        self.drain_exchange(at);
        self.refresh_timers();
        let ready: Vec<usize> = self
            .schedule
            .by_time
            .iter()
            .take_while(|(t, _)| *t <= at)
            .map(|(_, index)| *index)
            .collect();
        for index in ready {
            if let Some(slot) = self.slots.get_mut(index).and_then(Option::as_mut)
                && slot.poll_timeout().is_some_and(|t| t <= at)
            {
                slot.terminal().handle_timeout(at);
            }
            self.mark(index);
        }
        self.settle_dirty(at);
    }

    /// Delivers everything pending — terminals' actions to the exchange, the exchange's signals
    /// to terminals, devices' output to their DTE queues — until nothing moves. Looks at every
    /// terminal: call it after changing terminals from outside (or [`Network::settle_line`] when
    /// only one line changed).
    pub fn settle(&mut self, now: Instant) {
        self.mark_all();
        self.settle_dirty(now);
    }

    /// [`Network::settle`] after a change to one line's terminal only: the network looks at that
    /// line and at whatever it sets moving, not at every line.
    pub fn settle_line(&mut self, line: LineId, now: Instant) {
        self.mark(line.0);
        self.settle_dirty(now);
    }

    /// Settles the slots marked as possibly acting, in line order, round after round (a slot set
    /// moving by one before it in the order waits for the next round, as one behind it does not).
    fn settle_dirty(&mut self, now: Instant) {
        let now = self.tick(now);
        self.drain_exchange(now);
        for _ in 0..MAX_ROUNDS {
            if self.schedule.dirty.is_empty() {
                self.refresh_timers();
                return;
            }
            let mut cursor = 0;
            while let Some(&index) = self.schedule.dirty.range(cursor..).next() {
                self.schedule.dirty.remove(&index);
                self.schedule.stale.insert(index);
                self.drain_slot(LineId(index), now);
                cursor = index + 1;
            }
        }
        self.refresh_timers();
        tracing::error!("network: terminals did not settle; giving up this round");
    }

    /// Takes everything one line's terminal has to say; returns whether there was anything.
    fn drain_slot(&mut self, line: LineId, now: Instant) -> bool {
        let mut moved = false;
        loop {
            let Some(slot) = self.slots.get_mut(line.0).and_then(Option::as_mut) else {
                return moved;
            };
            if let Slot::Device(device, d) = slot {
                let device = *device;
                if let Some(bytes) = d.poll_dte_output() {
                    moved = true;
                    self.record(TranscriptEvent::DteOut {
                        device,
                        bytes: bytes.clone(),
                    });
                    if let Some(queue) = self.dte_out.get_mut(device.0) {
                        queue.push_back(bytes);
                    }
                    continue;
                }
            }
            if let Slot::Party(party) = slot
                && let Some(FarEndRequest::Reject) = party.poll_request()
            {
                moved = true;
                if let Err(error) = self.exchange.reject(line, now) {
                    tracing::debug!(%error, "network: scripted reject had nothing to reject");
                }
                self.drain_exchange(now);
                continue;
            }
            let Some(action) = slot.terminal().poll_action() else {
                return moved;
            };
            moved = true;
            self.record(TranscriptEvent::Action {
                line,
                action: action.clone(),
            });
            if let Err(error) = self.exchange.handle_action(line, action, now) {
                tracing::error!(%error, "network: the exchange refused a line action");
            }
            self.drain_exchange(now);
        }
    }

    /// Records the exchange's events and delivers its signals.
    fn drain_exchange(&mut self, now: Instant) {
        loop {
            if let Some(event) = self.exchange.poll_event() {
                self.record(TranscriptEvent::Exchange(event));
                continue;
            }
            let Some((line, signal)) = self.exchange.poll_signal() else {
                return;
            };
            self.record(TranscriptEvent::Signal {
                line,
                signal: signal.clone(),
            });
            match self.slots.get_mut(line.0).and_then(Option::as_mut) {
                Some(slot) => {
                    slot.terminal().on_signal(signal, now);
                    self.mark(line.0);
                }
                None => tracing::trace!(%line, "network: nothing attached to hear the signal"),
            }
        }
    }

    /// Moves the network's clock to `now` (never backwards) and returns the time to use.
    fn tick(&mut self, now: Instant) -> Instant {
        self.now = self.now.max(now);
        self.now
    }

    fn record(&mut self, event: TranscriptEvent) {
        let at = self.now.saturating_duration_since(self.start);
        self.transcript.record(at, event);
    }
}

//! [`AccessLine`]: a subscriber line of the simulated exchange as an async handle, for providers
//! that reach the network by something other than a simulated modem.
//!
//! A SIP trunk, an ISDN card or a PBX link has its own signalling; in a test the exchange plays
//! its far end. Plug an `AccessLine` into the provider's exchange line and translate: the
//! provider's messages become [`LineAction`]s ([`AccessLine::act`]: seize, digits, start a data
//! carrier, payload, hang up), and the exchange's [`LineSignal`]s ([`AccessLine::signal`]: dial
//! tone, ringback, answer, ring, caller ID, the far end's carrier and payload, release, the
//! call-waiting tone) become messages to the provider. `tsp-conformance`'s `NetworkFixture` does
//! that translation with an adapter you write.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use std::time::Instant;
//! use tsp_sim::access::AccessLine;
//! use tsp_sim::exchange::LineConfig;
//! use tsp_sim::line::{LineAction, LineSignal};
//! use tsp_sim::network::Network;
//! use tsp_sim::sim::Sim;
//!
//! let mut network = Network::builder().build(Instant::now());
//! let ours = network.add_line(LineConfig::new("5550100"));
//! let sim = Sim::start(network);
//! let mut line = AccessLine::attach(&sim, ours).expect("the line is free");
//! line.act(LineAction::OffHook);
//! assert_eq!(line.signal().await, Some(LineSignal::DialTone));
//! # }
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;

use crate::line::{LineAction, LineId, LineSignal, Terminal};
use crate::network::NetworkError;
use crate::sim::Sim;

/// The terminal an [`AccessLine`] plugs into the exchange: signals go to the handle's channel,
/// actions come from its queue.
struct AccessTerminal {
    signals: mpsc::UnboundedSender<(Instant, LineSignal)>,
    outbox: Arc<Mutex<VecDeque<LineAction>>>,
}

impl Terminal for AccessTerminal {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        // The handle may be gone (its provider shut down): nobody listens then.
        let _ = self.signals.send((now, signal));
    }

    fn poll_action(&mut self) -> Option<LineAction> {
        self.outbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// An exchange line driven from async code (see the [module docs](self)).
pub struct AccessLine {
    sim: Sim,
    line: LineId,
    outbox: Arc<Mutex<VecDeque<LineAction>>>,
    signals: mpsc::UnboundedReceiver<(Instant, LineSignal)>,
}

impl std::fmt::Debug for AccessLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessLine")
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl AccessLine {
    /// Plugs a new access terminal into `line`.
    ///
    /// # Errors
    /// [`NetworkError`] when the line does not exist or something is already plugged into it.
    pub fn attach(sim: &Sim, line: LineId) -> Result<AccessLine, NetworkError> {
        let (tx, signals) = mpsc::unbounded_channel();
        let outbox = Arc::new(Mutex::new(VecDeque::new()));
        let terminal = AccessTerminal {
            signals: tx,
            outbox: outbox.clone(),
        };
        sim.with(|network, _| network.attach_terminal(line, terminal))?;
        Ok(AccessLine {
            sim: sim.clone(),
            line,
            outbox,
            signals,
        })
    }

    /// The exchange line.
    pub fn line(&self) -> LineId {
        self.line
    }

    /// The simulation's virtual time now.
    pub fn now(&self) -> Instant {
        self.sim.now()
    }

    /// How long in tokio's time until virtual time `at` (the simulation's time scale applied):
    /// sleep that long to wake at `at`.
    pub fn wait_until(&self, at: Instant) -> std::time::Duration {
        let (now, scale) = self.sim.with(|network, now| (now, network.time_scale()));
        scale.to_real(at.saturating_duration_since(now))
    }

    /// Does `action` on the line, now.
    pub fn act(&self, action: LineAction) {
        self.act_all([action]);
    }

    /// Does `actions` on the line, now, in order, before the exchange answers any of them (a
    /// hang-up that drops the carrier and goes on hook is one act, as a modem's `ATH` is).
    pub fn act_all(&self, actions: impl IntoIterator<Item = LineAction>) {
        self.outbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(actions);
        let line = self.line;
        self.sim.with(|network, now| network.settle_line(line, now));
    }

    /// Rejects the call ringing on the line (an ISDN DISCONNECT or a SIP 603 before answer): the
    /// caller hears it released as rejected.
    ///
    /// # Errors
    /// [`NetworkError`] when nothing rings on the line.
    pub fn reject(&self) -> Result<(), NetworkError> {
        let line = self.line;
        self.sim.with(|network, now| network.reject(line, now))
    }

    /// The next signal from the exchange, waiting for it; `None` once the simulation is gone.
    pub async fn signal(&mut self) -> Option<LineSignal> {
        self.signals.recv().await.map(|(_, signal)| signal)
    }

    /// The next signal with its virtual time, waiting for it.
    pub async fn signal_at(&mut self) -> Option<(Instant, LineSignal)> {
        self.signals.recv().await
    }

    /// A signal already delivered, if any.
    pub fn try_signal(&mut self) -> Option<LineSignal> {
        self.signals.try_recv().ok().map(|(_, signal)| signal)
    }
}

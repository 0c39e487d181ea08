//! Shared helpers for the exchange tests: a network on a virtual clock that prints its transcript
//! (with the replay seed) when a test fails.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::{Duration, Instant};

use tsp_sim::exchange::{ExchangeBuilder, LineConfig};
use tsp_sim::far_end::{ScriptBuilder, ScriptedParty};
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole, LineId, LineSignal};
use tsp_sim::network::Network;

/// The calling modem's carrier.
pub const ORIGINATE: Carrier = Carrier {
    role: CarrierRole::Originate,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};

/// The answering modem's carrier.
pub const ANSWER: Carrier = Carrier {
    role: CarrierRole::Answer,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};

pub const ALICE: &str = "5550100";
pub const BOB: &str = "5550199";
pub const CAROL: &str = "5550142";
pub const DAVE: &str = "5550177";

/// Seconds (fractions allowed) as a duration.
pub fn s(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

/// A network and its time origin.
pub struct Sim {
    pub net: Network,
    pub t0: Instant,
}

impl Sim {
    pub fn new(exchange: ExchangeBuilder) -> Self {
        let t0 = Instant::now();
        Self {
            net: Network::builder().exchange(exchange).build(t0),
            t0,
        }
    }

    pub fn default() -> Self {
        Self::new(ExchangeBuilder::new())
    }

    /// Adds a line with a scripted party on it.
    pub fn party(&mut self, config: LineConfig, script: ScriptBuilder) -> LineId {
        let line = self.net.add_line(config);
        self.net.attach_party(line, script.build(self.t0)).unwrap();
        line
    }

    /// Moves the virtual clock to `t0 + offset`.
    pub fn run_to(&mut self, offset: Duration) {
        self.net.advance_to(self.t0 + offset);
    }

    pub fn at(&self, offset: Duration) -> Instant {
        self.t0 + offset
    }

    pub fn p(&self, line: LineId) -> &ScriptedParty {
        self.net.party(line).expect("a scripted party on the line")
    }

    /// When the party on `line` heard signals matching `pred`, as offsets from the start.
    pub fn times(&self, line: LineId, pred: impl Fn(&LineSignal) -> bool) -> Vec<Duration> {
        self.p(line)
            .received()
            .iter()
            .filter(|(_, sig)| pred(sig))
            .map(|(at, _)| *at - self.t0)
            .collect()
    }

    /// The signals the party on `line` heard, in order.
    pub fn heard(&self, line: LineId) -> Vec<LineSignal> {
        self.p(line).signals().cloned().collect()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.net.transcript());
        }
    }
}

pub fn is_ring_on(sig: &LineSignal) -> bool {
    matches!(sig, LineSignal::RingOn(_))
}

pub fn is_ring_off(sig: &LineSignal) -> bool {
    matches!(sig, LineSignal::RingOff)
}

pub fn is_caller_id(sig: &LineSignal) -> bool {
    matches!(sig, LineSignal::CallerId(_))
}

pub fn is_tone(sig: &LineSignal) -> bool {
    matches!(sig, LineSignal::CallWaitingTone)
}

/// A party that calls `number` at `at` and never answers.
pub fn caller(at: f64, number: &str) -> ScriptBuilder {
    ScriptedParty::builder().call_at(s(at), number)
}

/// Seconds list helper.
pub fn secs(list: &[f64]) -> Vec<Duration> {
    list.iter().map(|x| s(*x)).collect()
}

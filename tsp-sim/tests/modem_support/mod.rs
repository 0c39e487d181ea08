//! A tiny fake line and DTE for the simulated-modem tests: feed line signals and DTE bytes, step
//! virtual time through the modem's own timers, collect line actions and DTE output.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::{Duration, Instant};

use tsp_sim::line::{
    CallerId, Carrier, CarrierKind, CarrierRole, DteSide, LineAction, LineSignal, Presentation,
    RingPattern, Terminal,
};
use tsp_sim::modem::{Profile, SimModem};

/// A modem on a bench: virtual clock, collected line actions.
pub struct Bench {
    pub modem: SimModem,
    pub t0: Instant,
    pub now: Instant,
    pub actions: Vec<LineAction>,
}

impl Bench {
    pub fn new(profile: Profile) -> Self {
        let t0 = Instant::now();
        Self {
            modem: SimModem::new(profile),
            t0,
            now: t0,
            actions: Vec::new(),
        }
    }

    pub fn v250() -> Self {
        Self::new(Profile::v250())
    }

    /// A modem with echo off, the output of the setup discarded.
    pub fn quiet_echo(profile: Profile) -> Self {
        let mut b = Self::new(profile);
        b.cmd("ATE0");
        b
    }

    fn drain_actions(&mut self) {
        while let Some(a) = self.modem.poll_action() {
            self.actions.push(a);
        }
    }

    /// Write bytes from the DTE.
    pub fn write(&mut self, bytes: &[u8]) {
        self.modem.handle_dte_input(bytes, self.now);
        self.drain_actions();
    }

    /// Raise or drop DTR.
    pub fn set_dtr(&mut self, on: bool) {
        self.modem.set_dtr(on, self.now);
        self.drain_actions();
    }

    /// Everything the modem has sent to the DTE since the last call.
    pub fn output(&mut self) -> String {
        let mut out = Vec::new();
        while let Some(b) = self.modem.poll_dte_output() {
            out.extend_from_slice(&b);
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Send a command line (terminated by CR) and return what came back at once.
    pub fn cmd(&mut self, line: &str) -> String {
        self.write(format!("{line}\r").as_bytes());
        self.output()
    }

    /// A line signal.
    pub fn signal(&mut self, signal: LineSignal) {
        self.modem.on_signal(signal, self.now);
        self.drain_actions();
    }

    /// Run the modem's timers up to `now + d`, in order.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        while let Some(t) = self.modem.poll_timeout() {
            if t > target {
                break;
            }
            self.now = self.now.max(t);
            self.modem.handle_timeout(self.now);
            self.drain_actions();
        }
        self.now = target;
        self.modem.handle_timeout(self.now);
        self.drain_actions();
    }

    /// A property test's run: each step writes its DTE bytes, gives its line signal, lets its
    /// milliseconds pass; then five minutes. Returns the bytes written and the bytes read.
    pub fn run_steps(&mut self, steps: &[(Vec<u8>, Option<LineSignal>, u32)]) -> (usize, usize) {
        let (mut total_in, mut total_out) = (0, 0);
        for (chunk, signal, millis) in steps {
            total_in += chunk.len();
            self.write(chunk);
            if let Some(s) = signal {
                self.signal(s.clone());
            }
            self.advance(Duration::from_millis(u64::from(*millis)));
            total_out += self.output().len();
            let _ = self.take_actions();
        }
        self.secs(300.0);
        total_out += self.output().len();
        (total_in, total_out)
    }

    pub fn secs(&mut self, s: f64) {
        self.advance(Duration::from_secs_f64(s));
    }

    /// Line actions since the last call.
    pub fn take_actions(&mut self) -> Vec<LineAction> {
        std::mem::take(&mut self.actions)
    }

    pub fn dcd(&self) -> bool {
        self.modem.control_lines().dcd
    }

    pub fn ri(&self) -> bool {
        self.modem.control_lines().ri
    }

    /// Dial `number` (data), play dial tone, ringback, answer and an answer-role carrier of
    /// `remote_rate`, and run training. Returns the output of the whole exchange.
    pub fn dial_and_connect(&mut self, dial: &str, remote_rate: u32) -> String {
        let mut out = self.cmd(&format!("ATD{dial}"));
        self.signal(LineSignal::DialTone);
        self.secs(0.1);
        self.signal(LineSignal::Ringback);
        self.secs(6.0);
        self.signal(LineSignal::Answered);
        self.signal(LineSignal::RemoteCarrier(answer_carrier(remote_rate)));
        self.secs(10.0);
        out.push_str(&self.output());
        out
    }

    /// As [`Bench::dial_and_connect`], asserting CONNECT came and clearing output and actions.
    pub fn online(&mut self) {
        let out = self.dial_and_connect("T5550100", 33600);
        assert!(
            out.contains("CONNECT") || out.contains('1'),
            "no CONNECT in {out:?}"
        );
        assert!(self.modem.is_online_data());
        self.take_actions();
    }
}

pub fn answer_carrier(max_rate: u32) -> Carrier {
    Carrier {
        role: CarrierRole::Answer,
        kind: CarrierKind::Data,
        max_rate,
    }
}

pub fn originate_carrier(max_rate: u32) -> Carrier {
    Carrier {
        role: CarrierRole::Originate,
        kind: CarrierKind::Data,
        max_rate,
    }
}

pub fn ring() -> LineSignal {
    LineSignal::RingOn(RingPattern::Normal)
}

pub fn caller_id(number: Option<&str>, name: Option<&str>) -> CallerId {
    CallerId {
        date: "0321".into(),
        time: "1405".into(),
        number: number.map(Into::into),
        name: name.map(Into::into),
        number_presentation: Presentation::Available,
        name_presentation: Presentation::Available,
        called: None,
    }
}

/// The bytes of a result code under V/Q: verbose `\r\nTEXT\r\n`, numeric `N\r`, nothing with Q1.
pub fn res(verbose: bool, quiet: bool, text: &str, num: u32) -> String {
    if quiet {
        String::new()
    } else if verbose {
        format!("\r\n{text}\r\n")
    } else {
        format!("{num}\r")
    }
}

//! [`Caller`]: a scripted caller the `ring` and `waiting` commands plug into a hidden line, which
//! can also be told to hang up on demand (`hangup`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::far_end::ScriptedParty;
use crate::line::{Carrier, CarrierKind, CarrierRole, LineAction, LineSignal, Terminal};

use super::commands::CallerOptions;

/// The carrier a data caller offers (a V.34 originating modem).
pub const CALLER_CARRIER: Carrier = Carrier {
    role: CarrierRole::Originate,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};

/// A [`ScriptedParty`] that dials one number at once, plus a hang-up switch.
///
/// The party does the telephony (dial on dial tone, start its carrier when answered, hang up
/// when released or when a call-waiting tone drops its carrier). [`Caller::request_hang_up`]
/// works through a shared reference, because the network hands out terminals by `&`; the next
/// [`Network::settle`](crate::network::Network::settle) carries it out. Once it has hung up on
/// request the caller is finished: the party's later actions are dropped.
#[derive(Debug)]
pub struct Caller {
    party: ScriptedParty,
    hang_up: AtomicBool,
    finished: bool,
    /// The hang-up's own actions, once requested.
    leaving: VecDeque<LineAction>,
}

impl Caller {
    /// A caller that dials `target` at `now`.
    pub fn new(target: &str, options: &CallerOptions, now: Instant) -> Self {
        let mut builder = ScriptedParty::builder().call_at(Duration::ZERO, target);
        if !options.voice {
            builder = builder.carrier(CALLER_CARRIER);
        }
        if options.echo {
            builder = builder.echo();
        }
        Self {
            party: builder.build(now),
            hang_up: AtomicBool::new(false),
            finished: false,
            leaving: VecDeque::new(),
        }
    }

    /// Asks the caller to hang up; it does at the next settle of the network.
    pub fn request_hang_up(&self) {
        self.hang_up.store(true, Ordering::SeqCst);
    }

    /// Whether the caller hung up on request.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The scripted party (what it heard, the data it received).
    pub fn party(&self) -> &ScriptedParty {
        &self.party
    }
}

impl Terminal for Caller {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        self.party.on_signal(signal, now);
    }

    fn poll_action(&mut self) -> Option<LineAction> {
        if !self.finished && self.hang_up.load(Ordering::SeqCst) {
            self.finished = true;
            // Whatever the party had queued is moot: it leaves the call now, as a modem does
            // (carrier off, then on-hook).
            while self.party.poll_action().is_some() {}
            if self.party.carrier().is_some() {
                self.leaving.push_back(LineAction::StopCarrier);
            }
            if self.party.is_off_hook() {
                self.leaving.push_back(LineAction::OnHook);
            }
        }
        if self.finished {
            while self.party.poll_action().is_some() {}
            return self.leaving.pop_front();
        }
        self.party.poll_action()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.finished {
            None
        } else {
            self.party.poll_timeout()
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if !self.finished {
            self.party.handle_timeout(now);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn drain(caller: &mut Caller) -> Vec<LineAction> {
        std::iter::from_fn(|| caller.poll_action()).collect()
    }

    #[test]
    fn caller_dials_its_target_on_dial_tone_and_starts_its_carrier_when_answered() {
        let t0 = Instant::now();
        let mut caller = Caller::new("5550100", &CallerOptions::default(), t0);
        assert_eq!(caller.poll_timeout(), Some(t0));
        caller.handle_timeout(t0);
        assert_eq!(drain(&mut caller), [LineAction::OffHook]);
        caller.on_signal(LineSignal::DialTone, t0);
        assert_eq!(drain(&mut caller), [LineAction::Digits("5550100".into())]);
        caller.on_signal(LineSignal::Answered, t0);
        assert_eq!(
            drain(&mut caller),
            [LineAction::StartCarrier(CALLER_CARRIER)]
        );
    }

    #[test]
    fn a_voice_caller_starts_no_carrier() {
        let t0 = Instant::now();
        let mut caller = Caller::new(
            "5550100",
            &CallerOptions {
                voice: true,
                ..CallerOptions::default()
            },
            t0,
        );
        caller.handle_timeout(t0);
        caller.on_signal(LineSignal::DialTone, t0);
        caller.on_signal(LineSignal::Answered, t0);
        assert_eq!(
            drain(&mut caller),
            [LineAction::OffHook, LineAction::Digits("5550100".into())]
        );
    }

    #[test]
    fn a_requested_hang_up_goes_on_hook_once_and_silences_the_caller() {
        let t0 = Instant::now();
        let mut caller = Caller::new("5550100", &CallerOptions::default(), t0);
        caller.handle_timeout(t0);
        caller.on_signal(LineSignal::DialTone, t0);
        caller.on_signal(LineSignal::Answered, t0);
        drain(&mut caller);
        caller.request_hang_up();
        assert!(!caller.is_finished());
        assert_eq!(
            drain(&mut caller),
            [LineAction::StopCarrier, LineAction::OnHook]
        );
        assert!(caller.is_finished());
        caller.on_signal(LineSignal::DialTone, t0);
        assert!(
            drain(&mut caller).is_empty(),
            "a finished caller dials nothing"
        );
        assert_eq!(caller.poll_timeout(), None);
    }
}

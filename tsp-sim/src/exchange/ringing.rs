//! The ring cadence of one ringing call and the caller ID that goes with it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::line::{CallerId, Presentation};

use super::config::{CallerIdPlacement, ExchangeConfig};
use super::subscriber::LineConfig;

/// One step of the ringing schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RingStep {
    /// A ring burst starts.
    RingOn,
    /// The burst ends.
    RingOff,
    /// Caller ID goes out.
    CallerId,
}

/// The schedule of a line being rung: ring bursts, silences and caller ID, exact to the cadence
/// (each step is timed from the previous step's due time, not from when it was handled).
#[derive(Debug, Clone)]
pub(crate) struct Ringer {
    /// Upcoming steps, in time order.
    queue: VecDeque<(Instant, RingStep)>,
    /// Caller ID still to be sent.
    caller_id: Option<CallerId>,
    /// Ring bursts started so far.
    rings: u32,
    /// Whether a burst is sounding now.
    burst_on: bool,
}

impl Ringer {
    /// Starts ringing at `now`: the first burst at once, or caller ID first when it goes before
    /// the first ring.
    pub(crate) fn start(
        now: Instant,
        config: &ExchangeConfig,
        caller_id: Option<CallerId>,
    ) -> Self {
        let mut queue = VecDeque::new();
        match (config.caller_id_placement, caller_id.is_some()) {
            (CallerIdPlacement::BeforeFirstRing, true) => {
                queue.push_back((now, RingStep::CallerId));
                queue.push_back((now + config.caller_id_delay, RingStep::RingOn));
            }
            _ => queue.push_back((now, RingStep::RingOn)),
        }
        Self {
            queue,
            caller_id,
            rings: 0,
            burst_on: false,
        }
    }

    /// When the next step is due.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.queue.front().map(|(at, _)| *at)
    }

    /// The next step, without taking it.
    pub(crate) fn peek(&self) -> Option<RingStep> {
        self.queue.front().map(|(_, step)| *step)
    }

    /// Ring bursts started so far.
    pub(crate) fn rings(&self) -> u32 {
        self.rings
    }

    /// Whether a burst is sounding now.
    pub(crate) fn burst_on(&self) -> bool {
        self.burst_on
    }

    /// Takes the next step and schedules what follows it. Returns the step, its due time and,
    /// for [`RingStep::CallerId`], the caller ID to send.
    pub(crate) fn advance(
        &mut self,
        config: &ExchangeConfig,
        rng: &mut ChaCha8Rng,
    ) -> Option<(Instant, RingStep, Option<CallerId>)> {
        let (at, step) = self.queue.pop_front()?;
        let cadence = config.ring_cadence;
        match step {
            RingStep::RingOn => {
                self.rings += 1;
                self.burst_on = true;
                self.schedule(at + cadence.on, RingStep::RingOff);
                Some((at, step, None))
            }
            RingStep::RingOff => {
                self.burst_on = false;
                if self.rings == 1
                    && config.caller_id_placement == CallerIdPlacement::AfterFirstRing
                    && self.caller_id.is_some()
                {
                    self.schedule(at + config.caller_id_delay, RingStep::CallerId);
                }
                let jitter = jitter(config.ring_jitter, rng);
                self.schedule(at + cadence.off + jitter, RingStep::RingOn);
                Some((at, step, None))
            }
            RingStep::CallerId => Some((at, step, self.caller_id.take())),
        }
    }

    /// Inserts a step in time order (after steps due at the same instant).
    fn schedule(&mut self, at: Instant, step: RingStep) {
        let index = self.queue.partition_point(|(due, _)| *due <= at);
        self.queue.insert(index, (at, step));
    }
}

/// A random extra silence up to `max` (none when `max` is zero, without touching the generator).
fn jitter(max: Duration, rng: &mut ChaCha8Rng) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.random_range(0..=nanos))
}

/// The caller ID a called line receives for a call from `caller`, or `None` when the called line
/// does not subscribe to caller ID.
///
/// With name delivery (MDMF, Bellcore GR-30) the name field is always there: the caller's name,
/// or the reason for its absence: `P` when the caller withheld it, `O` when the caller's line has
/// no listed name or the network could not get it (hayes.md §10.2; software on North American
/// lines waits for that field). Without name delivery (SDMF, most of Europe) there is no name
/// field at all: no name, presentation `Available`, so the modem prints no `NAME` line.
pub(crate) fn caller_id_for(
    caller: &LineConfig,
    called: &LineConfig,
    date: String,
    time: String,
) -> Option<CallerId> {
    if !called.caller_id_delivery {
        return None;
    }
    let presentation = caller.caller_id_presentation.clone();
    let number = (presentation == Presentation::Available).then(|| caller.number.clone());
    let (name, name_presentation) = match (&presentation, &caller.name) {
        _ if !called.name_delivery => (None, Presentation::Available),
        (Presentation::Available, Some(name)) => (Some(name.clone()), Presentation::Available),
        (Presentation::Available, None) => (None, Presentation::OutOfArea),
        (withheld, _) => (None, withheld.clone()),
    };
    Some(CallerId {
        date,
        time,
        number,
        name,
        number_presentation: presentation,
        name_presentation,
        called: Some(called.number.clone()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use rand::SeedableRng;

    use super::*;

    fn cid() -> CallerId {
        CallerId {
            date: "0101".into(),
            time: "1200".into(),
            number: Some("5550100".into()),
            name: None,
            number_presentation: Presentation::Available,
            name_presentation: Presentation::Available,
            called: None,
        }
    }

    fn run(config: &ExchangeConfig, steps: usize) -> Vec<(Duration, RingStep)> {
        let t0 = Instant::now();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ringer = Ringer::start(t0, config, Some(cid()));
        (0..steps)
            .map(|_| {
                let (at, step, _) = ringer.advance(config, &mut rng).unwrap();
                (at - t0, step)
            })
            .collect()
    }

    #[test]
    fn caller_id_falls_between_first_and_second_ring_by_default() {
        let config = ExchangeConfig::default();
        let s = Duration::from_millis;
        assert_eq!(
            run(&config, 5),
            [
                (s(0), RingStep::RingOn),
                (s(2000), RingStep::RingOff),
                (s(2500), RingStep::CallerId),
                (s(6000), RingStep::RingOn),
                (s(8000), RingStep::RingOff),
            ]
        );
    }

    #[test]
    fn caller_id_precedes_the_first_ring_when_configured() {
        let config = ExchangeConfig {
            caller_id_placement: CallerIdPlacement::BeforeFirstRing,
            ..ExchangeConfig::default()
        };
        let s = Duration::from_millis;
        assert_eq!(
            run(&config, 4),
            [
                (s(0), RingStep::CallerId),
                (s(500), RingStep::RingOn),
                (s(2500), RingStep::RingOff),
                (s(6500), RingStep::RingOn),
            ]
        );
    }

    #[test]
    fn jitter_only_lengthens_the_silence_and_stays_within_bounds() {
        let config = ExchangeConfig {
            ring_jitter: Duration::from_millis(300),
            ..ExchangeConfig::default()
        };
        let steps = run(&config, 9);
        let ons: Vec<Duration> = steps
            .iter()
            .filter(|(_, s)| *s == RingStep::RingOn)
            .map(|(at, _)| *at)
            .collect();
        for pair in ons.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(gap >= Duration::from_secs(6), "gap {gap:?}");
            assert!(gap <= Duration::from_millis(6300), "gap {gap:?}");
        }
    }

    #[test]
    fn with_name_delivery_a_caller_without_a_listed_name_sends_the_reason_o() {
        let caller = LineConfig::new("5550100");
        let called = LineConfig::new("5550199");
        let id = caller_id_for(&caller, &called, "0101".into(), "1200".into()).unwrap();
        assert_eq!(id.number.as_deref(), Some("5550100"));
        assert_eq!(id.name, None);
        assert_eq!(id.name_presentation, Presentation::OutOfArea);
    }

    #[test]
    fn private_caller_sends_neither_number_nor_name() {
        let caller = LineConfig::new("5550100")
            .name("ALICE")
            .presentation(Presentation::Private);
        let called = LineConfig::new("5550199");
        let id = caller_id_for(&caller, &called, "0101".into(), "1200".into()).unwrap();
        assert_eq!(id.number, None);
        assert_eq!(id.name, None);
        assert_eq!(id.number_presentation, Presentation::Private);
        assert_eq!(id.name_presentation, Presentation::Private);
    }

    #[test]
    fn name_is_left_out_when_the_called_line_has_no_name_delivery() {
        let caller = LineConfig::new("5550100").name("ALICE");
        let called = LineConfig::new("5550199").name_delivery(false);
        let id = caller_id_for(&caller, &called, "0101".into(), "1200".into()).unwrap();
        assert_eq!(id.number.as_deref(), Some("5550100"));
        assert_eq!(id.name, None);
        assert_eq!(
            id.name_presentation,
            Presentation::Available,
            "SDMF has no name field, so no reason either"
        );
        let private = LineConfig::new("5550101").presentation(Presentation::Private);
        let id = caller_id_for(&private, &called, "0101".into(), "1200".into()).unwrap();
        assert_eq!(id.number_presentation, Presentation::Private);
        assert_eq!(id.name_presentation, Presentation::Available);
        let no_cid = LineConfig::new("5550198").caller_id_delivery(false);
        assert!(caller_id_for(&caller, &no_cid, "0101".into(), "1200".into()).is_none());
    }
}

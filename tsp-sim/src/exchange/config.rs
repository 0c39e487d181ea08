//! The exchange's knobs: [`ExchangeBuilder`] and the values it holds.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::Exchange;

/// The seed used when none is given: randomness is off by default, so a fixed seed keeps every run
/// identical unless a test asks for jitter or random noise.
pub const DEFAULT_SEED: u64 = 0x7473_702d_7369_6d00;

/// The environment variable [`ExchangeBuilder::seed_from_env`] reads to replay a run.
pub const SEED_ENV: &str = "TSP_SIM_SEED";

/// Where caller ID goes relative to the ring cadence (hayes.md §10.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CallerIdPlacement {
    /// North America (Bellcore GR-30, Type I): in the silence between the first and the second
    /// ring, [`ExchangeBuilder::caller_id_delay`] after the first ring ends.
    #[default]
    AfterFirstRing,
    /// The UK (BT SIN 227) and parts of Europe: before the first ring; the first ring follows
    /// [`ExchangeBuilder::caller_id_delay`] after the caller ID.
    BeforeFirstRing,
}

/// When the exchange itself gives up on an unanswered call.
///
/// Real analog exchanges ring until the caller hangs up; the calling modem gives up on its own
/// (S7) and reports `NO ANSWER` or `NO CARRIER`. Some switches stop after a few minutes; this knob
/// models that. When it fires, the called line stops ringing and the caller hears reorder
/// ([`crate::line::LineSignal::Reorder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoAnswerTimeout {
    /// Give up instead of starting ring number `n + 1` (so the line rings `n` times).
    Rings(u32),
    /// Give up this long after ringing started.
    After(Duration),
}

/// The ring cadence: each ring is a burst of `on` followed by `off` of silence.
///
/// Distinctive patterns ([`crate::line::RingPattern::Double`], `Triple`) are made of shorter
/// bursts inside the same 2 s window (Bellcore: 0.8+0.4+0.8 s; 0.4+0.2+0.4+0.2+0.8 s); the exchange
/// signals one [`crate::line::LineSignal::RingOn`] carrying the pattern at the start of the window
/// and one `RingOff` at its end, as modems that recognise distinctive ring report one `RING 2` per
/// cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RingCadence {
    /// How long the ringer sounds (default 2 s).
    pub on: Duration,
    /// The silence after each burst (default 4 s).
    pub off: Duration,
}

impl Default for RingCadence {
    fn default() -> Self {
        Self {
            on: Duration::from_secs(2),
            off: Duration::from_secs(4),
        }
    }
}

impl RingCadence {
    /// One full ring cycle (`on + off`).
    pub fn cycle(&self) -> Duration {
        self.on + self.off
    }
}

/// The wall-clock date and time the exchange puts in caller ID when it starts; it advances with
/// the virtual time passed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallerIdClock {
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl Default for CallerIdClock {
    /// 1 January, 12:00.
    fn default() -> Self {
        Self {
            month: 1,
            day: 1,
            hour: 12,
            minute: 0,
        }
    }
}

impl CallerIdClock {
    /// The clock `elapsed` later, as caller ID's `MMDD` and `HHMM` fields (a non-leap year; the
    /// year wraps from 31 December to 1 January). Out-of-range start values are clamped.
    pub fn fields_after(&self, elapsed: Duration) -> (String, String) {
        const DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let month0 = u64::from(self.month.clamp(1, 12)) - 1;
        let day0 = u64::from(self.day.max(1)).min(DAYS[month0 as usize]) - 1;
        let start_minutes = u64::from(self.hour.min(23)) * 60 + u64::from(self.minute.min(59));
        let minutes = start_minutes + elapsed.as_secs() / 60;
        let (mut days, minute_of_day) = (minutes / (24 * 60), minutes % (24 * 60));
        let (mut month, mut day) = (month0, day0);
        days %= 365;
        while days > 0 {
            let left_in_month = DAYS[month as usize] - day;
            if days < left_in_month {
                day += days;
                days = 0;
            } else {
                days -= left_in_month;
                day = 0;
                month = (month + 1) % 12;
            }
        }
        (
            format!("{:02}{:02}", month + 1, day + 1),
            format!("{:02}{:02}", minute_of_day / 60, minute_of_day % 60),
        )
    }
}

/// Everything an [`Exchange`] is configured with; see [`ExchangeBuilder`] for each knob.
#[derive(Debug, Clone)]
pub struct ExchangeConfig {
    /// See [`ExchangeBuilder::seed`].
    pub seed: u64,
    /// See [`ExchangeBuilder::ring_cadence`].
    pub ring_cadence: RingCadence,
    /// See [`ExchangeBuilder::ring_jitter`].
    pub ring_jitter: Duration,
    /// See [`ExchangeBuilder::caller_id_placement`].
    pub caller_id_placement: CallerIdPlacement,
    /// See [`ExchangeBuilder::caller_id_delay`].
    pub caller_id_delay: Duration,
    /// See [`ExchangeBuilder::caller_id_clock`].
    pub caller_id_clock: CallerIdClock,
    /// See [`ExchangeBuilder::no_answer_timeout`].
    pub no_answer_timeout: Option<NoAnswerTimeout>,
    /// See [`ExchangeBuilder::inter_digit_timeout`].
    pub inter_digit_timeout: Duration,
    /// See [`ExchangeBuilder::first_digit_timeout`].
    pub first_digit_timeout: Option<Duration>,
    /// See [`ExchangeBuilder::local_number_length`].
    pub local_number_length: usize,
    /// See [`ExchangeBuilder::max_number_length`].
    pub max_number_length: usize,
    /// See [`ExchangeBuilder::area_code`].
    pub area_code: Option<String>,
    /// See [`ExchangeBuilder::cancel_call_waiting_codes`].
    pub cancel_call_waiting_codes: Vec<String>,
    /// See [`ExchangeBuilder::call_waiting_tone_interval`].
    pub call_waiting_tone_interval: Option<Duration>,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            ring_cadence: RingCadence::default(),
            ring_jitter: Duration::ZERO,
            caller_id_placement: CallerIdPlacement::default(),
            caller_id_delay: Duration::from_millis(500),
            caller_id_clock: CallerIdClock::default(),
            no_answer_timeout: None,
            inter_digit_timeout: Duration::from_secs(5),
            first_digit_timeout: None,
            local_number_length: 7,
            max_number_length: 11,
            area_code: None,
            cancel_call_waiting_codes: vec!["*70".into(), "1170".into(), "70#".into()],
            call_waiting_tone_interval: Some(Duration::from_secs(10)),
        }
    }
}

/// Builds an [`Exchange`]. Every knob has a documented default, so `Exchange::builder().build(t0)`
/// is a North American exchange with 7-digit numbers.
///
/// ```
/// use std::time::{Duration, Instant};
/// use tsp_sim::exchange::{CallerIdPlacement, Exchange, NoAnswerTimeout};
///
/// let exchange = Exchange::builder()
///     .seed(42)
///     .caller_id_placement(CallerIdPlacement::BeforeFirstRing)
///     .no_answer_timeout(Some(NoAnswerTimeout::Rings(10)))
///     .build(Instant::now());
/// assert_eq!(exchange.seed(), 42);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ExchangeBuilder {
    config: ExchangeConfig,
}

impl ExchangeBuilder {
    /// A builder with every knob at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seed of the exchange's random number generator (ChaCha8), used for ring jitter and
    /// random noise. Default: [`DEFAULT_SEED`]. The same seed and the same inputs give the same
    /// run, signal for signal.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Takes the seed from the `TSP_SIM_SEED` environment variable ([`SEED_ENV`]) when it holds a
    /// number, else draws a fresh one from the operating system. Print [`Exchange::seed`] on
    /// failure so the run can be replayed with `TSP_SIM_SEED=<seed>`.
    pub fn seed_from_env(self) -> Self {
        let seed = std::env::var(SEED_ENV)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or_else(rand::random);
        self.seed(seed)
    }

    /// The ring cadence. Default: 2 s on, 4 s off (North America).
    pub fn ring_cadence(mut self, cadence: RingCadence) -> Self {
        self.config.ring_cadence = cadence;
        self
    }

    /// Up to this much random extra silence after each ring burst (seeded). Default: none, so the
    /// cadence is exact.
    pub fn ring_jitter(mut self, jitter: Duration) -> Self {
        self.config.ring_jitter = jitter;
        self
    }

    /// Caller ID before the first ring or between the first and second. Default:
    /// [`CallerIdPlacement::AfterFirstRing`].
    pub fn caller_id_placement(mut self, placement: CallerIdPlacement) -> Self {
        self.config.caller_id_placement = placement;
        self
    }

    /// After the first ring: the pause between the end of the first ring and caller ID. Before
    /// the first ring: the pause between caller ID and the first ring. Default: 500 ms. Keep it
    /// shorter than the cadence's silence, or caller ID arrives after the second ring.
    pub fn caller_id_delay(mut self, delay: Duration) -> Self {
        self.config.caller_id_delay = delay;
        self
    }

    /// The date and time caller ID reports when the exchange starts. Default: 1 January, 12:00.
    pub fn caller_id_clock(mut self, clock: CallerIdClock) -> Self {
        self.config.caller_id_clock = clock;
        self
    }

    /// Whether and when the exchange stops ringing an unanswered line. Default: `None` (ring
    /// until the caller hangs up, as analog exchanges do).
    pub fn no_answer_timeout(mut self, timeout: Option<NoAnswerTimeout>) -> Self {
        self.config.no_answer_timeout = timeout;
        self
    }

    /// How long the exchange waits for the next digit before it routes what it has (an
    /// incomplete number gets reorder). Default: 5 s.
    pub fn inter_digit_timeout(mut self, timeout: Duration) -> Self {
        self.config.inter_digit_timeout = timeout;
        self
    }

    /// How long a line may sit at dial tone without dialling before it gets reorder (permanent
    /// signal). Default: `None` — the line keeps its dial tone, so a terminal that goes off-hook
    /// without dialling (`ATH1`, `ATD` with no number) is left alone.
    pub fn first_digit_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.first_digit_timeout = timeout;
        self
    }

    /// The length of a local number. A number this long that is no subscriber's and no prefix of
    /// one gets reorder at once. Default: 7 (`555xxxx`).
    pub fn local_number_length(mut self, digits: usize) -> Self {
        self.config.local_number_length = digits;
        self
    }

    /// The longest number the exchange collects: once this many digits are dialled the number
    /// is routed (or gets reorder). Default: 11 (`1` + area code + 7 digits).
    pub fn max_number_length(mut self, digits: usize) -> Self {
        self.config.max_number_length = digits;
        self
    }

    /// The exchange's area code. When set, a subscriber `5550100` is also reachable as
    /// `<area>5550100` and `1<area>5550100`. Default: none (local numbers only).
    pub fn area_code(mut self, area_code: Option<String>) -> Self {
        self.config.area_code = area_code;
        self
    }

    /// The cancel-call-waiting codes the exchange recognises at the start of a dialled number
    /// (hayes.md §11.2). Default: `*70`, `1170`, `70#`.
    pub fn cancel_call_waiting_codes<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.cancel_call_waiting_codes = codes.into_iter().map(Into::into).collect();
        self
    }

    /// How often the call-waiting tone repeats while the second caller waits. Default: every
    /// 10 s (North America); `None` sounds it once.
    pub fn call_waiting_tone_interval(mut self, interval: Option<Duration>) -> Self {
        self.config.call_waiting_tone_interval = interval;
        self
    }

    /// The configuration as it stands.
    pub fn config(&self) -> &ExchangeConfig {
        &self.config
    }

    /// Builds the exchange. `start` is the virtual time origin: caller ID's clock reads
    /// [`ExchangeBuilder::caller_id_clock`] at `start`.
    pub fn build(self, start: Instant) -> Exchange {
        let rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        Exchange::from_parts(self.config, rng, start)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn caller_id_clock_reads_its_start_at_zero() {
        let clock = CallerIdClock {
            month: 3,
            day: 21,
            hour: 14,
            minute: 5,
        };
        assert_eq!(
            clock.fields_after(Duration::ZERO),
            ("0321".into(), "1405".into())
        );
    }

    #[test]
    fn caller_id_clock_rolls_over_midnight_month_and_year() {
        let clock = CallerIdClock {
            month: 12,
            day: 31,
            hour: 23,
            minute: 59,
        };
        assert_eq!(
            clock.fields_after(Duration::from_secs(60)),
            ("0101".into(), "0000".into())
        );
        let feb = CallerIdClock {
            month: 2,
            day: 28,
            hour: 12,
            minute: 0,
        };
        assert_eq!(
            feb.fields_after(Duration::from_secs(24 * 3600)),
            ("0301".into(), "1200".into())
        );
    }

    #[test]
    fn default_cancel_codes_are_the_three_north_american_forms() {
        let config = ExchangeConfig::default();
        assert_eq!(config.cancel_call_waiting_codes, ["*70", "1170", "70#"]);
        assert_eq!(config.ring_cadence.cycle(), Duration::from_secs(6));
    }
}

//! The `+++` escape with guard time (hayes.md §6): silence of at least the guard time (S12), three
//! escape characters (S2) each less than a guard time apart, then silence of at least the guard
//! time. The escape characters themselves still go to the far end, as on a real modem.

use std::time::{Duration, Instant};

/// Watches the DTE byte stream in online data state for the escape sequence.
#[derive(Debug, Clone, Default)]
pub(crate) struct EscapeDetector {
    /// When the DTE last sent a byte (or data state was entered).
    last_byte_at: Option<Instant>,
    /// Escape characters seen so far in a candidate sequence.
    count: u8,
    /// When the last escape character of the candidate arrived.
    last_escape_at: Option<Instant>,
    /// Three escape characters seen: escape at this instant unless another byte arrives first.
    armed_until: Option<Instant>,
}

impl EscapeDetector {
    /// Start watching: data state entered at `now` (which counts as the last byte).
    pub(crate) fn restart(&mut self, now: Instant) {
        *self = Self {
            last_byte_at: Some(now),
            ..Self::default()
        };
    }

    /// Feed bytes the DTE sent at `now`. Returns `Some(n)` when the escape completes at once
    /// after the first `n` bytes (guard time 0 means no timing); the rest are commands.
    pub(crate) fn on_bytes(
        &mut self,
        bytes: &[u8],
        now: Instant,
        escape_char: Option<u8>,
        guard: Option<Duration>,
    ) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            // A run of other bytes, all at `now`, leaves what its last byte leaves: no candidate,
            // nothing armed, the line busy at `now`. Data is nearly all such runs.
            let run = escape_char
                .and_then(|c| memchr::memchr(c, &bytes[i..]))
                .unwrap_or(bytes.len() - i);
            if run > 0 {
                self.armed_until = None;
                self.count = 0;
                self.last_byte_at = Some(now);
                if guard.is_some_and(|g| !g.is_zero()) {
                    // Every later byte comes at `now` too, with no silence before it: none can
                    // start a sequence, so the state stays as this run left it.
                    return None;
                }
                i += run;
                continue;
            }
            if let Some(done) = self.escape_byte(now, guard) {
                return done.then_some(i + 1);
            }
            i += 1;
        }
        None
    }

    /// One escape character at `now`: `Some(true)` when it completes the escape at once (no guard
    /// time), `Some(false)` never, `None` to go on.
    fn escape_byte(&mut self, now: Instant, guard: Option<Duration>) -> Option<bool> {
        self.armed_until = None;
        let continues = self.count > 0
            && match (guard, self.last_escape_at) {
                (Some(g), Some(t)) => now.saturating_duration_since(t) < g,
                _ => true,
            };
        let silent_before = match (guard, self.last_byte_at) {
            (None, _) | (_, None) => true,
            (Some(g), Some(t)) => now.saturating_duration_since(t) >= g,
        };
        if continues {
            self.count += 1;
        } else if silent_before {
            self.count = 1;
        } else {
            self.count = 0;
        }
        self.last_escape_at = Some(now);
        self.last_byte_at = Some(now);
        if self.count == 3 {
            self.count = 0;
            match guard {
                None => return Some(true),
                Some(g) => self.armed_until = Some(now + g),
            }
        }
        None
    }

    /// When the pending escape completes, if one is pending.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.armed_until
    }

    /// Time has reached `now`: `true` when the escape completes.
    pub(crate) fn on_timeout(&mut self, now: Instant) -> bool {
        match self.armed_until {
            Some(t) if now >= t => {
                self.armed_until = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    impl EscapeDetector {
        /// The detector as it was first written, one byte at a time: what the run-skipping
        /// [`EscapeDetector::on_bytes`] must agree with.
        fn on_bytes_byte_by_byte(
            &mut self,
            bytes: &[u8],
            now: Instant,
            escape_char: Option<u8>,
            guard: Option<Duration>,
        ) -> Option<usize> {
            for (i, &b) in bytes.iter().enumerate() {
                self.armed_until = None;
                let silent_before = |since: Option<Instant>| match (guard, since) {
                    (None, _) | (_, None) => true,
                    (Some(g), Some(t)) => now.saturating_duration_since(t) >= g,
                };
                if Some(b) == escape_char {
                    let continues = self.count > 0
                        && match (guard, self.last_escape_at) {
                            (Some(g), Some(t)) => now.saturating_duration_since(t) < g,
                            _ => true,
                        };
                    if continues {
                        self.count += 1;
                    } else if silent_before(self.last_byte_at) {
                        self.count = 1;
                    } else {
                        self.count = 0;
                    }
                    self.last_escape_at = Some(now);
                    if self.count == 3 {
                        self.count = 0;
                        match guard {
                            None => {
                                self.last_byte_at = Some(now);
                                return Some(i + 1);
                            }
                            Some(g) => self.armed_until = Some(now + g),
                        }
                    }
                } else {
                    self.count = 0;
                }
                self.last_byte_at = Some(now);
            }
            None
        }
    }

    proptest::proptest! {
        #[test]
        fn skipping_runs_of_data_agrees_with_looking_at_every_byte(
            chunks in proptest::collection::vec(
                (proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(b'+'), proptest::prelude::any::<u8>()], 0..12), 0u64..2500),
                1..12,
            ),
            guard in proptest::option::of(0u64..2000),
        ) {
            let t0 = Instant::now();
            let guard = guard.map(Duration::from_millis);
            let (mut fast, mut slow) = (EscapeDetector::default(), EscapeDetector::default());
            fast.restart(t0);
            slow.restart(t0);
            let mut now = t0;
            for (bytes, gap) in chunks {
                now += Duration::from_millis(gap);
                let a = fast.on_bytes(&bytes, now, PLUS, guard);
                let b = slow.on_bytes_byte_by_byte(&bytes, now, PLUS, guard);
                proptest::prop_assert_eq!(a, b);
                proptest::prop_assert_eq!(fast.deadline(), slow.deadline());
                // When the last escape character came matters only to a candidate sequence.
                let candidate = |d: &EscapeDetector| (d.count > 0).then_some(d.last_escape_at);
                proptest::prop_assert_eq!((fast.count, fast.last_byte_at, candidate(&fast)), (slow.count, slow.last_byte_at, candidate(&slow)));
            }
        }
    }

    const G: Option<Duration> = Some(Duration::from_secs(1));
    const PLUS: Option<u8> = Some(b'+');

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn escape_completes_one_guard_time_after_the_third_plus() {
        let t0 = Instant::now();
        let mut d = EscapeDetector::default();
        d.restart(t0);
        assert_eq!(d.on_bytes(b"+++", at(t0, 1500), PLUS, G), None);
        assert_eq!(d.deadline(), Some(at(t0, 2500)));
        assert!(!d.on_timeout(at(t0, 2499)));
        assert!(d.on_timeout(at(t0, 2500)));
    }

    #[test]
    fn data_inside_the_leading_guard_prevents_the_escape() {
        let t0 = Instant::now();
        let mut d = EscapeDetector::default();
        d.restart(t0);
        d.on_bytes(b"x", at(t0, 2000), PLUS, G);
        d.on_bytes(b"+++", at(t0, 2500), PLUS, G);
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn data_inside_the_trailing_guard_cancels_the_escape() {
        let t0 = Instant::now();
        let mut d = EscapeDetector::default();
        d.restart(t0);
        d.on_bytes(b"+++", at(t0, 2000), PLUS, G);
        d.on_bytes(b"y", at(t0, 2500), PLUS, G);
        assert_eq!(d.deadline(), None);
        assert!(!d.on_timeout(at(t0, 4000)));
    }

    #[test]
    fn pluses_too_far_apart_do_not_count_but_may_start_a_new_sequence() {
        let t0 = Instant::now();
        let mut d = EscapeDetector::default();
        d.restart(t0);
        d.on_bytes(b"+", at(t0, 2000), PLUS, G);
        d.on_bytes(b"+", at(t0, 3500), PLUS, G);
        d.on_bytes(b"+", at(t0, 3600), PLUS, G);
        assert_eq!(d.deadline(), None);
        d.on_bytes(b"+", at(t0, 3700), PLUS, G);
        assert_eq!(d.deadline(), Some(at(t0, 4700)));
    }

    #[test]
    fn guard_zero_escapes_at_once_and_disabled_escape_never_does() {
        let t0 = Instant::now();
        let mut d = EscapeDetector::default();
        d.restart(t0);
        assert_eq!(d.on_bytes(b"ab+++AT", t0, PLUS, None), Some(5));
        d.restart(t0);
        assert_eq!(d.on_bytes(b"+++", at(t0, 5000), None, G), None);
        assert_eq!(d.deadline(), None);
    }
}

//! [`PortClock`]: the time a port's modem lives in.

use std::time::{Duration, Instant};

/// The clock of the modem behind a port. Everything the provider times (the engine's command
/// timeouts and 100 ms pacing, guard times, the S7 wait it measures, caller-ID quiet, DTR low,
/// the ring gap) is in this clock, so a simulated modem running faster than real time (a
/// simulator behind a pty, sped up) sees exactly the waits a real one would.
///
/// A real modem: [`PortClock::real`], real time (tokio's clock, so paused time in tests). A
/// simulated modem sped up `n` times: [`PortClock::scaled`]`(1.0 / n)`.
#[derive(Debug, Clone, Copy)]
pub struct PortClock {
    /// Real seconds per modem second (1.0: real time; 0.1: the modem runs 10 times faster).
    scale: f64,
    origin_real: tokio::time::Instant,
    origin_modem: Instant,
}

impl Default for PortClock {
    fn default() -> Self {
        PortClock::real()
    }
}

impl PortClock {
    /// Real time.
    pub fn real() -> PortClock {
        PortClock::scaled(1.0)
    }

    /// A modem whose second lasts `real_per_modem_second` real seconds (a time scale of 0.1 is
    /// a modem ten times faster). Values that are not finite and positive mean real time.
    pub fn scaled(real_per_modem_second: f64) -> PortClock {
        let scale = if real_per_modem_second.is_finite() && real_per_modem_second > 0.0 {
            real_per_modem_second
        } else {
            1.0
        };
        let origin_real = tokio::time::Instant::now();
        PortClock {
            scale,
            origin_real,
            origin_modem: origin_real.into_std(),
        }
    }

    /// Real seconds per modem second.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The modem's time now.
    pub fn now(&self) -> Instant {
        let real = tokio::time::Instant::now().saturating_duration_since(self.origin_real);
        self.origin_modem + self.to_modem(real)
    }

    /// A modem duration in real time.
    pub fn to_real(&self, modem: Duration) -> Duration {
        if self.scale == 1.0 {
            modem
        } else {
            modem.mul_f64(self.scale)
        }
    }

    /// A real duration in modem time.
    pub fn to_modem(&self, real: Duration) -> Duration {
        if self.scale == 1.0 {
            real
        } else {
            real.div_f64(self.scale)
        }
    }

    /// Sleeps until the modem's time `at`.
    pub async fn sleep_until(&self, at: Instant) {
        let wait = at.saturating_duration_since(self.now());
        tokio::time::sleep(self.to_real(wait)).await;
    }

    /// Sleeps for `modem` of the modem's time.
    pub async fn sleep(&self, modem: Duration) {
        tokio::time::sleep(self.to_real(modem)).await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_scaled_clock_runs_faster_than_real_time_by_its_scale() {
        let clock = PortClock::scaled(0.1);
        let start = clock.now();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let elapsed = clock.now() - start;
        assert!((elapsed.as_secs_f64() - 10.0).abs() < 0.01, "{elapsed:?}");
        let real = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(5)).await;
        assert_eq!(real.elapsed(), Duration::from_millis(500));
    }

    #[test]
    fn nonsense_scales_mean_real_time() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(async {
            for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
                assert_eq!(PortClock::scaled(bad).scale(), 1.0);
            }
        });
    }
}

//! How long events take from a provider's callback to the application that reads them: recorded
//! when [`HostBuilder::measure_event_latency`](super::HostBuilder::measure_event_latency) is on
//! (an HDR histogram, microsecond resolution), read with
//! [`Host::event_latency`](super::Host::event_latency).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;

/// A summary of event latencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencyStats {
    /// How many events were measured.
    pub count: u64,
    /// The median.
    pub p50: Duration,
    /// The 99th percentile.
    pub p99: Duration,
    /// The largest.
    pub max: Duration,
}

impl std::fmt::Display for LatencyStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} events: p50 {} µs, p99 {} µs, max {} µs",
            self.count,
            self.p50.as_micros(),
            self.p99.as_micros(),
            self.max.as_micros()
        )
    }
}

/// A shared latency histogram (1 µs to 60 s).
#[derive(Debug, Clone)]
pub struct LatencyRecorder(Arc<Mutex<Histogram<u64>>>);

impl Default for LatencyRecorder {
    fn default() -> Self {
        LatencyRecorder::new()
    }
}

impl LatencyRecorder {
    /// An empty recorder.
    pub fn new() -> LatencyRecorder {
        // 1 µs .. 60 s with 3 significant digits: the bounds are valid, so this cannot fail.
        let histogram = Histogram::new_with_bounds(1, 60_000_000, 3)
            .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_histogram()));
        LatencyRecorder(Arc::new(Mutex::new(histogram)))
    }

    /// Records one latency.
    pub fn record(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(1, 60_000_000);
        let mut h = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let _ = h.record(micros);
    }

    /// The summary so far.
    pub fn stats(&self) -> LatencyStats {
        let h = self.0.lock().unwrap_or_else(|p| p.into_inner());
        LatencyStats {
            count: h.len(),
            p50: Duration::from_micros(h.value_at_quantile(0.50)),
            p99: Duration::from_micros(h.value_at_quantile(0.99)),
            max: Duration::from_micros(h.max()),
        }
    }

    /// Forgets what was recorded.
    pub fn reset(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).reset();
    }
}

#[allow(clippy::panic)]
fn unreachable_histogram() -> Histogram<u64> {
    panic!("a 3-significant-digit histogram is always valid")
}

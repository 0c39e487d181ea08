//! Bytes on their way to the DTE: the `slow` and `hung` fault knobs and a bound on buffering.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

/// The most bytes held for a DTE that does not read (a real modem would flow-control; the
/// simulator drops the excess and says so).
pub(crate) const MAX_BUFFERED: usize = 64 * 1024;

/// The DTE-bound byte queue.
#[derive(Debug, Default)]
pub(crate) struct DteOutput {
    ready: BytesMut,
    delayed: VecDeque<(Instant, Vec<u8>)>,
    delayed_len: usize,
    /// Every byte waits this long before the DTE can read it.
    pub(crate) delay: Duration,
    /// Nothing is sent at all (a hung modem).
    pub(crate) muted: bool,
}

impl DteOutput {
    /// Queue bytes produced at `now`.
    pub(crate) fn push(&mut self, bytes: &[u8], now: Instant) {
        if self.muted || bytes.is_empty() {
            return;
        }
        if self.ready.len() + self.delayed_len + bytes.len() > MAX_BUFFERED {
            tracing::warn!(
                dropped = bytes.len(),
                "simulated modem: DTE is not reading; output dropped"
            );
            return;
        }
        if self.delay.is_zero() {
            self.ready.extend_from_slice(bytes);
        } else {
            self.delayed_len += bytes.len();
            self.delayed.push_back((now + self.delay, bytes.to_vec()));
        }
    }

    /// Release what is due at `now`.
    pub(crate) fn release(&mut self, now: Instant) {
        while let Some((at, _)) = self.delayed.front() {
            if *at > now {
                break;
            }
            if let Some((_, bytes)) = self.delayed.pop_front() {
                self.delayed_len -= bytes.len();
                self.ready.extend_from_slice(&bytes);
            }
        }
    }

    /// When the next delayed bytes become readable.
    pub(crate) fn next_release(&self) -> Option<Instant> {
        self.delayed.front().map(|(at, _)| *at)
    }

    /// Everything readable now.
    pub(crate) fn take(&mut self) -> Option<Bytes> {
        // `split` hands the buffer over; the next push starts a fresh one of the same size,
        // rather than growing from nothing a few bytes at a time.
        let taken = (!self.ready.is_empty()).then(|| self.ready.split().freeze())?;
        self.ready.reserve(taken.len().min(MAX_BUFFERED));
        Some(taken)
    }

    /// Drop everything (power off).
    pub(crate) fn clear(&mut self) {
        self.ready.clear();
        self.delayed.clear();
        self.delayed_len = 0;
    }
}

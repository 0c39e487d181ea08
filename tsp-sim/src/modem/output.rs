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
    /// Far-end data kept as it came (no copy), oldest first; all of it older than `ready`.
    chunks: VecDeque<Bytes>,
    chunks_len: usize,
    /// What the modem itself said (echo, results), gathered.
    ready: BytesMut,
    delayed: VecDeque<(Instant, Vec<u8>)>,
    delayed_len: usize,
    /// Every byte waits this long before the DTE can read it.
    pub(crate) delay: Duration,
    /// Nothing is sent at all (a hung modem).
    pub(crate) muted: bool,
}

impl DteOutput {
    /// Queue far-end data received at `now`, without copying it when nothing delays it.
    pub(crate) fn push_bytes(&mut self, bytes: Bytes, now: Instant) {
        if !self.delay.is_zero() || self.muted || bytes.is_empty() || self.over(bytes.len()) {
            return self.push(&bytes, now);
        }
        if !self.ready.is_empty() {
            let said = self.ready.split().freeze();
            self.chunks_len += said.len();
            self.chunks.push_back(said);
        }
        self.chunks_len += bytes.len();
        self.chunks.push_back(bytes);
    }

    /// True when `more` bytes would take the queue past [`MAX_BUFFERED`].
    fn over(&self, more: usize) -> bool {
        self.chunks_len + self.ready.len() + self.delayed_len + more > MAX_BUFFERED
    }

    /// Queue bytes produced at `now`.
    pub(crate) fn push(&mut self, bytes: &[u8], now: Instant) {
        if self.muted || bytes.is_empty() {
            return;
        }
        if self.over(bytes.len()) {
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
        if let Some(chunk) = self.chunks.pop_front() {
            self.chunks_len -= chunk.len();
            return Some(chunk);
        }
        // `split` hands the buffer over; the next push starts a fresh one of the same size,
        // rather than growing from nothing a few bytes at a time.
        let taken = (!self.ready.is_empty()).then(|| self.ready.split().freeze())?;
        self.ready.reserve(taken.len().min(MAX_BUFFERED));
        Some(taken)
    }

    /// Drop everything (power off).
    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.chunks_len = 0;
        self.ready.clear();
        self.delayed.clear();
        self.delayed_len = 0;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn drain(out: &mut DteOutput) -> Vec<u8> {
        std::iter::from_fn(|| out.take()).flatten().collect()
    }

    #[test]
    fn far_end_data_and_the_modems_own_words_come_out_in_the_order_they_went_in() {
        let now = Instant::now();
        let mut out = DteOutput::default();
        out.push(b"\r\nCONNECT\r\n", now);
        out.push_bytes(Bytes::from_static(b"data "), now);
        out.push(b"+", now);
        out.push_bytes(Bytes::from_static(b"more"), now);
        assert_eq!(drain(&mut out), b"\r\nCONNECT\r\ndata +more");
    }

    #[test]
    fn far_end_data_over_the_bound_is_dropped_and_delayed_data_waits() {
        let now = Instant::now();
        let mut out = DteOutput::default();
        out.push_bytes(Bytes::from(vec![1u8; MAX_BUFFERED]), now);
        out.push_bytes(Bytes::from_static(b"lost"), now);
        assert_eq!(drain(&mut out).len(), MAX_BUFFERED);
        out.delay = Duration::from_secs(1);
        out.push_bytes(Bytes::from_static(b"later"), now);
        assert!(out.take().is_none(), "not before its time");
        out.release(now + Duration::from_secs(1));
        assert_eq!(drain(&mut out), b"later");
    }
}

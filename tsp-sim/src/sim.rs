//! [`Sim`]: a [`Network`] running on tokio time, and the serial ports of its simulated devices.
//!
//! The network is sans-IO; this is its thin async driver. One task owns the timers: it sleeps until
//! the network's next deadline (or until something new happens), then runs the network's timers
//! and hands each device's output to its [`SimPort`]. Ports feed the computer's bytes straight in.
//!
//! Time: in tests, run on paused tokio time (`#[tokio::test(start_paused = true)]`) and minutes of
//! telephony take milliseconds: tokio jumps the clock whenever every task is waiting. With real I/O
//! (a pty, a real program) use real time and the network's [`crate::network::TimeScale`]:
//! virtual time runs `1 / factor` times faster than the wall clock.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::Waker;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::Notify;

use crate::line::{ControlLines, LineId};
use crate::network::{DeviceId, Network, TimeScale};
use crate::port::SimPort;

/// Bytes a port keeps for a computer that does not read; beyond this the oldest are lost, as in a
/// real UART's overrun.
const PORT_BUFFER_LIMIT: usize = 1 << 20;

/// Bytes from a device waiting for the computer, kept as the chunks the device sent (no copy
/// until the computer reads them).
#[derive(Debug, Default)]
pub(crate) struct RxQueue {
    chunks: VecDeque<Bytes>,
    len: usize,
}

impl RxQueue {
    pub(crate) fn push(&mut self, bytes: Bytes) {
        self.len += bytes.len();
        self.chunks.push_back(bytes);
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }

    /// Drops the oldest `n` bytes (an overrun).
    pub(crate) fn discard(&mut self, n: usize) {
        let mut left = n.min(self.len);
        self.len -= left;
        while left > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            if front.len() <= left {
                left -= front.len();
                self.chunks.pop_front();
            } else {
                let _ = front.split_to(left);
                left = 0;
            }
        }
    }

    /// Moves up to `limit` of the oldest bytes into `buf` (as many as fit); returns how many.
    pub(crate) fn read_into(&mut self, buf: &mut tokio::io::ReadBuf<'_>, limit: usize) -> usize {
        let mut left = limit.min(buf.remaining());
        let mut moved = 0;
        while left > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let take = front.len().min(left);
            buf.put_slice(&front[..take]);
            if take == front.len() {
                self.chunks.pop_front();
            } else {
                let _ = front.split_to(take);
            }
            left -= take;
            moved += take;
        }
        self.len -= moved;
        moved
    }
}

/// The computer's view of one device's serial port.
#[derive(Debug, Default)]
pub(crate) struct PortState {
    /// Bytes from the device waiting for the computer.
    pub(crate) rx: RxQueue,
    /// The task waiting to read.
    pub(crate) reader: Option<Waker>,
    /// Whether a [`SimPort`] is open on it (opens are exclusive, like a real port's).
    pub(crate) open: bool,
    /// Whether the device is present (false: unplugged, every I/O fails).
    pub(crate) present: bool,
}

pub(crate) struct State {
    pub(crate) network: Network,
    pub(crate) ports: Vec<PortState>,
    clock: Clock,
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    tokio_start: tokio::time::Instant,
    virtual_start: Instant,
    scale: TimeScale,
}

impl Clock {
    fn now(&self) -> Instant {
        self.virtual_start + self.scale.to_virtual(self.tokio_start.elapsed())
    }

    fn deadline(&self, at: Instant) -> tokio::time::Instant {
        self.tokio_start
            + self
                .scale
                .to_real(at.saturating_duration_since(self.virtual_start))
    }
}

impl State {
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Moves every device's pending output into its port and wakes readers.
    pub(crate) fn distribute(&mut self) {
        for (index, port) in self.ports.iter_mut().enumerate() {
            let mut woke = false;
            while let Some(bytes) = self.network.poll_dte_output(DeviceId(index)) {
                if !port.present {
                    continue; // an unplugged device's output goes nowhere
                }
                port.rx.push(bytes);
                let excess = port.rx.len().saturating_sub(PORT_BUFFER_LIMIT);
                if excess > 0 {
                    port.rx.discard(excess);
                    tracing::warn!(
                        device = index,
                        lost = excess,
                        "sim: port overrun, the computer is not reading"
                    );
                }
                woke = true;
            }
            if woke && let Some(waker) = port.reader.take() {
                waker.wake();
            }
        }
    }

    fn sync_ports(&mut self) {
        while self
            .network
            .device_line(DeviceId(self.ports.len()))
            .is_some()
        {
            self.ports.push(PortState {
                present: true,
                ..PortState::default()
            });
        }
    }
}

/// Ids of simulations, unique within the process.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub(crate) struct Shared {
    id: u64,
    state: Mutex<State>,
    pub(crate) wake: Arc<Notify>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // Every mutation of State completes before a panic could unwind through it, so a poisoned
        // lock still guards consistent data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.wake.notify_one(); // let the timer task see that the simulation is gone
    }
}

/// A running simulation. Cheap to clone; the timer task stops when the last clone is dropped.
#[derive(Clone)]
pub struct Sim {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").finish_non_exhaustive()
    }
}

impl Sim {
    /// Starts driving `network` on the current tokio runtime. Virtual time starts at the network's
    /// start instant and advances with tokio's clock, scaled by the network's time scale.
    ///
    /// # Panics
    /// Outside a tokio runtime (like `tokio::spawn`).
    pub fn start(network: Network) -> Sim {
        let clock = Clock {
            tokio_start: tokio::time::Instant::now(),
            virtual_start: network.now(),
            scale: network.time_scale(),
        };
        let mut state = State {
            network,
            ports: Vec::new(),
            clock,
        };
        state.sync_ports();
        let wake = Arc::new(Notify::new());
        let shared = Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            state: Mutex::new(state),
            wake: wake.clone(),
        });
        tokio::spawn(run_timers(Arc::downgrade(&shared), wake));
        Sim { shared }
    }

    /// An id unique to this simulation within the process (clones share it): for keeping
    /// per-world state keyed by world.
    pub fn id(&self) -> u64 {
        self.shared.id
    }

    /// Runs `f` on the network at the current virtual time, then delivers whatever it caused.
    /// This is how tests script far ends, inject faults and read the transcript.
    pub fn with<R>(&self, f: impl FnOnce(&mut Network, Instant) -> R) -> R {
        let mut state = self.shared.lock();
        let now = state.now();
        let result = f(&mut state.network, now);
        state.sync_ports();
        state.distribute();
        drop(state);
        self.shared.wake.notify_one();
        result
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.shared.lock().now()
    }

    /// Virtual time elapsed since the network started.
    pub fn elapsed(&self) -> Duration {
        let state = self.shared.lock();
        state.now().saturating_duration_since(state.network.start())
    }

    /// Opens the serial port of a device. Like a real port it is exclusive: a second open fails
    /// until the first [`SimPort`] is dropped (which drops DTR, as closing a real port does).
    pub fn open_port(&self, device: DeviceId) -> io::Result<SimPort> {
        let mut state = self.shared.lock();
        state.sync_ports();
        let name = format!("sim:{device}");
        let Some(port) = state.ports.get_mut(device.0) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{name}: no such device"),
            ));
        };
        if !port.present {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{name}: the device is unplugged"),
            ));
        }
        if port.open {
            return Err(io::Error::new(
                io::ErrorKind::ResourceBusy,
                format!("{name}: already open (ports are exclusive)"),
            ));
        }
        port.open = true;
        port.rx.clear();
        let now = state.now();
        let _ = state.network.set_dtr(device, true, now);
        state.distribute();
        drop(state);
        Ok(SimPort::new(self.shared.clone(), device, name))
    }

    /// Fault: the device vanishes (`false`, like a USB modem pulled out: every I/O on its port
    /// fails) or comes back (`true`: it can be opened again).
    pub fn set_port_present(&self, device: DeviceId, present: bool) {
        let mut state = self.shared.lock();
        state.sync_ports();
        if let Some(port) = state.ports.get_mut(device.0) {
            port.present = present;
            port.rx.clear();
            if let Some(waker) = port.reader.take() {
                waker.wake();
            }
        }
    }

    /// A device's control lines now.
    pub fn control_lines(&self, device: DeviceId) -> io::Result<ControlLines> {
        let state = self.shared.lock();
        state
            .network
            .control_lines(device)
            .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e))
    }

    /// The line a device is plugged into.
    pub fn device_line(&self, device: DeviceId) -> Option<LineId> {
        self.shared.lock().network.device_line(device)
    }

    /// The transcript so far, as readable text with virtual timestamps.
    pub fn transcript(&self) -> String {
        self.shared.lock().network.transcript().to_string()
    }

    /// The seed of the run (print it on failure).
    pub fn seed(&self) -> u64 {
        self.shared.lock().network.seed()
    }
}

/// The timer task: sleep until the network's next deadline or until woken, run due timers,
/// deliver output. Ends when the simulation is dropped.
async fn run_timers(shared: Weak<Shared>, wake: Arc<Notify>) {
    loop {
        let deadline = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let mut state = shared.lock();
            let now = state.now();
            if state.network.poll_timeout().is_some_and(|due| due <= now) {
                state.network.handle_timeout(now);
                state.distribute();
            }
            let clock = state.clock;
            state.network.poll_timeout().map(|due| clock.deadline(due))
        };
        match deadline {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = wake.notified() => {}
                }
            }
            None => wake.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn read(queue: &mut RxQueue, limit: usize, room: usize) -> Vec<u8> {
        let mut storage = vec![0u8; room];
        let mut buf = tokio::io::ReadBuf::new(&mut storage);
        let n = queue.read_into(&mut buf, limit);
        assert_eq!(n, buf.filled().len());
        buf.filled().to_vec()
    }

    #[test]
    fn the_receive_queue_reads_across_chunks_in_order_and_an_overrun_drops_the_oldest() {
        let mut q = RxQueue::default();
        q.push(Bytes::from_static(b"hello "));
        q.push(Bytes::from_static(b"world"));
        assert_eq!(q.len(), 11);
        assert_eq!(read(&mut q, 1, 64), b"h", "one byte at a time");
        assert_eq!(
            read(&mut q, 64, 7),
            b"ello wo",
            "as much as the buffer holds"
        );
        q.push(Bytes::from_static(b"!!"));
        q.discard(4);
        assert_eq!(q.len(), 1, "\"rld\" and one \"!\" dropped");
        assert_eq!(read(&mut q, 64, 64), b"!");
        assert!(q.is_empty());
        q.discard(5);
        assert!(q.is_empty(), "discarding more than is held empties it");
        assert_eq!(read(&mut q, 64, 64), b"");
    }
}

//! [`SimPort`]: the computer's end of a simulated modem's serial port, as an async byte stream
//! with control lines.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::line::ControlLines;
use crate::network::DeviceId;
use crate::sim::Shared;

/// An open serial port of a simulated device (from [`Sim::open_port`](crate::sim::Sim::open_port)).
///
/// Reading gives what the modem sends; writing is what the computer types. Dropping it closes the
/// port, which drops DTR (a modem set to `&D2` hangs up).
pub struct SimPort {
    shared: Arc<Shared>,
    device: DeviceId,
    name: String,
    byte_at_a_time: bool,
    closed: bool,
}

impl std::fmt::Debug for SimPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimPort")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SimPort {
    pub(crate) fn new(shared: Arc<Shared>, device: DeviceId, name: String) -> Self {
        SimPort {
            shared,
            device,
            name,
            byte_at_a_time: false,
            closed: false,
        }
    }

    /// Delivers at most one byte per read, the way a slow UART does: every reader must cope with
    /// a line arriving in pieces.
    #[must_use]
    pub fn byte_at_a_time(mut self, on: bool) -> Self {
        self.byte_at_a_time = on;
        self
    }

    /// The port's name (`sim:device 0`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The device behind the port.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    fn gone(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::NotConnected,
            format!("{}: the device is gone (unplugged)", self.name),
        )
    }

    /// Raises or drops DTR.
    pub fn set_dtr(&self, on: bool) -> io::Result<()> {
        let mut state = self.shared.lock();
        if !state.ports.get(self.device.0).is_some_and(|p| p.present) {
            return Err(self.gone());
        }
        let now = state.now();
        state
            .network
            .set_dtr(self.device, on, now)
            .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e))?;
        state.distribute();
        drop(state);
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Reads DCD, RI, DSR and CTS.
    pub fn control_lines(&self) -> io::Result<ControlLines> {
        let state = self.shared.lock();
        if !state.ports.get(self.device.0).is_some_and(|p| p.present) {
            return Err(self.gone());
        }
        state
            .network
            .control_lines(self.device)
            .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e))
    }
}

impl AsyncRead for SimPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut state = this.shared.lock();
        let Some(port) = state.ports.get_mut(this.device.0) else {
            return Poll::Ready(Err(this.gone()));
        };
        if !port.present {
            return Poll::Ready(Err(this.gone()));
        }
        if port.rx.is_empty() {
            port.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let limit = if this.byte_at_a_time {
            1
        } else {
            buf.remaining()
        };
        port.rx.read_into(buf, limit);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SimPort {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut state = this.shared.lock();
        if !state.ports.get(this.device.0).is_some_and(|p| p.present) {
            return Poll::Ready(Err(this.gone()));
        }
        let now = state.now();
        if let Err(e) = state.network.dte_input(this.device, buf, now) {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::NotFound, e)));
        }
        state.distribute();
        drop(state);
        this.shared.wake.notify_one();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Drop for SimPort {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        let mut state = self.shared.lock();
        let now = state.now();
        if state.ports.get(self.device.0).is_some_and(|p| p.present) {
            let _ = state.network.set_dtr(self.device, false, now);
        }
        if let Some(port) = state.ports.get_mut(self.device.0) {
            port.open = false;
            port.reader = None;
        }
        state.distribute();
        drop(state);
        self.shared.wake.notify_one();
    }
}

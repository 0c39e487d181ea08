//! A port wrapper that slips bytes into what the modem sends (DCE to DTE): garbage storms, NULs,
//! 8-bit bytes, over-long lines, half a result code, on top of the simulated modem's own output.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tsp_modem::transport::{ControlLines, ModemPort, PortClock, PortOpener, Signals};

#[derive(Default)]
struct Queue {
    bytes: VecDeque<u8>,
    waker: Option<Waker>,
}

/// Bytes waiting to be read before (and between) the modem's own.
#[derive(Clone, Default)]
pub struct Injector(Arc<Mutex<Queue>>);

impl Injector {
    /// Queues `bytes` as if the modem had sent them.
    pub fn push(&self, bytes: &[u8]) {
        let mut q = self.0.lock().unwrap();
        q.bytes.extend(bytes);
        if let Some(w) = q.waker.take() {
            w.wake();
        }
    }
}

/// Opens the inner port and wraps it.
pub struct InjectingOpener {
    pub inner: Arc<dyn PortOpener>,
    pub injector: Injector,
}

impl PortOpener for InjectingOpener {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>> {
        Box::pin(async move {
            let inner = self.inner.open().await?;
            Ok(Box::new(InjectingPort {
                inner,
                injector: self.injector.clone(),
            }) as Box<dyn ModemPort>)
        })
    }
    fn name(&self) -> String {
        self.inner.name()
    }
    fn clock(&self) -> PortClock {
        self.inner.clock()
    }
}

struct InjectingPort {
    inner: Box<dyn ModemPort>,
    injector: Injector,
}

impl ControlLines for InjectingPort {
    fn set_dtr(&mut self, on: bool) -> io::Result<bool> {
        self.inner.set_dtr(on)
    }
    fn signals(&mut self) -> io::Result<Option<Signals>> {
        self.inner.signals()
    }
}

impl AsyncRead for InjectingPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        {
            let mut q = me.injector.0.lock().unwrap();
            if !q.bytes.is_empty() {
                let n = q.bytes.len().min(buf.remaining());
                let chunk: Vec<u8> = q.bytes.drain(..n).collect();
                buf.put_slice(&chunk);
                return Poll::Ready(Ok(()));
            }
            q.waker = Some(cx.waker().clone());
        }
        Pin::new(&mut me.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for InjectingPort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

//! [`LentPort`]: a connected data call's port, lent to the application as its `comm/datamodem`
//! stream, the way Unimodem's `lineGetID("comm/datamodem")` hands out the comm handle itself
//! (tapi.md §4.3): the application's reads and writes go straight to the port, with no copy and
//! no task in between. The [`Driver`](super::Driver) takes the port back when the line needs it
//! (a drop, a close, DCD down, any command) and the stream then ends.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use super::ModemPort;

/// What the driver and the application's stream share.
pub(super) struct Slot {
    inner: Mutex<Inner>,
    /// Signalled when the application drops its stream, and when a read finds DCD down or the
    /// port failed.
    pub(super) returned: Notify,
}

struct Inner {
    /// The port, until the driver takes it back.
    port: Option<Box<dyn ModemPort>>,
    /// The application's task waiting to read or write, woken when the port is taken back so it
    /// sees the end of the stream.
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// DCD was down when a read came back: what it read (the modem's `NO CARRIER`, most
    /// likely) is the driver's, and the stream has ended.
    carrier_lost: Option<Vec<u8>>,
    /// A read failed or reached end of stream: the device is gone.
    failed: Option<(io::ErrorKind, String)>,
}

/// What the driver gets back: the port, what was read after DCD dropped, and how the port
/// failed while lent.
pub(super) struct Returned {
    pub(super) port: Option<Box<dyn ModemPort>>,
    pub(super) after_carrier_loss: Option<Vec<u8>>,
    pub(super) failed: Option<io::Error>,
}

impl Slot {
    pub(super) fn new(port: Box<dyn ModemPort>) -> Arc<Slot> {
        Arc::new(Slot {
            inner: Mutex::new(Inner {
                port: Some(port),
                reader: None,
                writer: None,
                carrier_lost: None,
                failed: None,
            }),
            returned: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the line should take the port back now: the application dropped its stream, a
    /// read found DCD down, or the port failed.
    pub(super) fn wants_taking_back(self: &Arc<Self>) -> bool {
        let inner = self.lock();
        Arc::strong_count(self) == 1 || inner.carrier_lost.is_some() || inner.failed.is_some()
    }

    /// Runs `f` on the port while it is lent (`None` once it was taken back).
    pub(super) fn with_port<T>(&self, f: impl FnOnce(&mut Box<dyn ModemPort>) -> T) -> Option<T> {
        self.lock().port.as_mut().map(f)
    }

    /// Takes the port back and wakes the application's pending read or write: its stream has
    /// ended.
    pub(super) fn take_back(&self) -> Returned {
        let mut inner = self.lock();
        let returned = Returned {
            port: inner.port.take(),
            after_carrier_loss: inner.carrier_lost.take(),
            failed: inner
                .failed
                .take()
                .map(|(kind, text)| io::Error::new(kind, text)),
        };
        let wakers = [inner.reader.take(), inner.writer.take()];
        drop(inner);
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
        returned
    }
}

/// A connected data call's port, lent to the application (`get_id("comm/datamodem")`).
///
/// Reads give what the far end sent (first whatever arrived between `CONNECT` and the hand-over);
/// writes go to the far end. Once the line takes the port back (the call dropped or lost, the
/// line closed) or a read finds DCD down (what it read is the modem's `NO CARRIER`, left for the
/// line), reads give end of stream and writes fail with `BrokenPipe`. Dropping it gives the
/// port back to the line, which goes on reading the call's data until the next `get_id`.
pub struct LentPort {
    slot: Arc<Slot>,
    /// Bytes that arrived before the hand-over, read first.
    prefix: Vec<Bytes>,
    name: Arc<str>,
}

impl std::fmt::Debug for LentPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LentPort")
            .field("port", &self.name)
            .finish_non_exhaustive()
    }
}

impl LentPort {
    pub(super) fn new(slot: Arc<Slot>, mut prefix: Vec<Bytes>, name: Arc<str>) -> Self {
        prefix.retain(|b| !b.is_empty());
        prefix.reverse(); // popped from the back
        LentPort { slot, prefix, name }
    }

    fn ended(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::BrokenPipe,
            format!(
                "{}: the call's data stream ended (the line took the port back: the call was dropped or lost, or the line closed)",
                self.name
            ),
        )
    }
}

impl AsyncRead for LentPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(front) = this.prefix.last_mut() {
            let n = front.len().min(buf.remaining());
            buf.put_slice(&front.split_to(n));
            if front.is_empty() {
                this.prefix.pop();
            }
            return Poll::Ready(Ok(()));
        }
        let mut inner = this.slot.lock();
        if inner.carrier_lost.is_some() {
            return Poll::Ready(Ok(())); // end of stream
        }
        let Some(port) = inner.port.as_mut() else {
            return Poll::Ready(Ok(())); // end of stream
        };
        let before = buf.filled().len();
        let room = buf.remaining() > 0;
        let polled = Pin::new(&mut *port).poll_read(cx, buf);
        match &polled {
            Poll::Pending => inner.reader = Some(cx.waker().clone()),
            Poll::Ready(Err(e)) => {
                // The device is gone: the application hears it, and so does the line.
                inner.failed = Some((e.kind(), e.to_string()));
                drop(inner);
                this.slot.returned.notify_one();
            }
            Poll::Ready(Ok(())) if room && buf.filled().len() == before => {
                inner.failed = Some((io::ErrorKind::UnexpectedEof, "end of stream".to_owned()));
                drop(inner);
                this.slot.returned.notify_one();
            }
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                // As the driver does before every chunk it reads: with DCD down the bytes are the
                // modem's (its `NO CARRIER`), not the far end's.
                if let Ok(Some(signals)) = port.signals()
                    && !signals.dcd
                {
                    let read = buf.filled()[before..].to_vec();
                    buf.set_filled(before);
                    inner.carrier_lost = Some(read);
                    drop(inner);
                    this.slot.returned.notify_one();
                }
            }
            Poll::Ready(_) => {}
        }
        polled
    }
}

impl AsyncWrite for LentPort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut inner = this.slot.lock();
        let inner = &mut *inner;
        let (Some(port), None) = (inner.port.as_mut(), inner.carrier_lost.as_ref()) else {
            return Poll::Ready(Err(this.ended()));
        };
        let polled = Pin::new(port).poll_write(cx, data);
        if polled.is_pending() {
            inner.writer = Some(cx.waker().clone());
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut inner = this.slot.lock();
        let Some(port) = inner.port.as_mut() else {
            return Poll::Ready(Err(this.ended()));
        };
        let polled = Pin::new(port).poll_flush(cx);
        if polled.is_pending() {
            inner.writer = Some(cx.waker().clone());
        }
        polled
    }

    /// Nothing to shut: the call goes on until the line drops it (`lineDrop`).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.poll_flush(cx) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => Poll::Ready(Ok(())),
            other => other,
        }
    }
}

impl Drop for LentPort {
    fn drop(&mut self) {
        self.slot.returned.notify_one();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    use super::*;
    use crate::transport::{ControlLines, Signals};

    /// A modem's end of a duplex pipe with a DCD the test sets.
    struct Wire {
        pipe: DuplexStream,
        dcd: Arc<AtomicBool>,
    }

    impl ControlLines for Wire {
        fn set_dtr(&mut self, _on: bool) -> io::Result<bool> {
            Ok(true)
        }
        fn signals(&mut self) -> io::Result<Option<Signals>> {
            Ok(Some(Signals {
                dcd: self.dcd.load(Ordering::SeqCst),
                ..Signals::default()
            }))
        }
    }

    impl AsyncRead for Wire {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().pipe).poll_read(cx, buf)
        }
    }

    impl AsyncWrite for Wire {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            data: &[u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.get_mut().pipe).poll_write(cx, data)
        }
        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().pipe).poll_flush(cx)
        }
        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().pipe).poll_shutdown(cx)
        }
    }

    fn lent(prefix: &[&'static [u8]]) -> (LentPort, Arc<Slot>, DuplexStream, Arc<AtomicBool>) {
        let (ours, modem) = tokio::io::duplex(1024);
        let dcd = Arc::new(AtomicBool::new(true));
        let slot = Slot::new(Box::new(Wire {
            pipe: ours,
            dcd: dcd.clone(),
        }));
        let prefix = prefix.iter().map(|b| Bytes::from_static(b)).collect();
        let port = LentPort::new(slot.clone(), prefix, "test port".into());
        (port, slot, modem, dcd)
    }

    #[tokio::test]
    async fn the_stream_reads_what_came_before_the_hand_over_first_then_the_port() {
        let (mut port, _slot, mut modem, _dcd) = lent(&[b"early ", b"", b"bytes "]);
        modem.write_all(b"then live").await.unwrap();
        let mut got = [0u8; 21];
        port.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"early bytes then live");
        port.write_all(b"out").await.unwrap();
        let mut out = [0u8; 3];
        modem.read_exact(&mut out).await.unwrap();
        assert_eq!(&out, b"out");
    }

    #[tokio::test]
    async fn what_is_read_with_dcd_down_goes_to_the_driver_and_the_stream_ends() {
        let (mut port, slot, mut modem, dcd) = lent(&[]);
        dcd.store(false, Ordering::SeqCst);
        modem.write_all(b"\r\nNO CARRIER\r\n").await.unwrap();
        let mut got = Vec::new();
        let read = port.read_to_end(&mut got);
        tokio::time::timeout(std::time::Duration::from_secs(5), read)
            .await
            .unwrap_or_else(|_| panic!("the stream did not end; the application read {got:?}"))
            .unwrap();
        assert!(got.is_empty(), "the application read {got:?}");
        let err = port.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        assert!(err.to_string().contains("test port"), "{err}");
        let returned = slot.take_back();
        assert!(returned.port.is_some());
        assert_eq!(
            returned.after_carrier_loss.as_deref(),
            Some(&b"\r\nNO CARRIER\r\n"[..])
        );
    }

    #[tokio::test]
    async fn a_port_that_ends_while_lent_tells_the_line_as_well_as_the_application() {
        let (mut port, slot, modem, _dcd) = lent(&[]);
        drop(modem); // the device is gone; DCD still reads as up
        let mut buf = [0u8; 8];
        assert_eq!(port.read(&mut buf).await.unwrap(), 0);
        tokio::time::timeout(std::time::Duration::from_secs(5), slot.returned.notified())
            .await
            .expect("the line is woken");
        assert!(slot.wants_taking_back());
        let failed = slot
            .take_back()
            .failed
            .expect("the failure is kept for the line");
        assert_eq!(failed.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn taking_the_port_back_wakes_a_waiting_read_with_the_end_of_the_stream() {
        let (port, slot, _modem, _dcd) = lent(&[]);
        let (mut reader, _writer) = tokio::io::split(port);
        let waiting = tokio::spawn(async move {
            let mut buf = [0u8; 8];
            reader.read(&mut buf).await
        });
        tokio::task::yield_now().await;
        assert!(slot.take_back().port.is_some());
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("the read was woken")
            .unwrap()
            .unwrap();
        assert_eq!(n, 0);
    }
}

//! The data path of a connected data or fax call: a duplex pipe whose far end the application
//! gets from `get_id("comm/datamodem")`, pumped to and from the engine's data mode by the line
//! task.

use std::collections::VecDeque;
use std::io;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

/// The pipe's buffer in each direction.
const PIPE: usize = 64 * 1024;

/// The most the line task takes from the application in one read: a few of an application's
/// usual 4 KiB writes at once, so a burst costs one trip through the engine, not one per write.
const APP_READ: usize = 16 * 1024;

/// Bytes from the modem kept while the application does not read; beyond this the oldest are
/// dropped (a real UART overruns too).
const BACKLOG_LIMIT: usize = 1 << 20;

pub(crate) struct DataPath {
    /// The application's end, until `get_id` hands it out.
    app: Option<DuplexStream>,
    /// Towards the application.
    pub(crate) out: ToApp,
    /// From the application.
    pub(crate) inc: FromApp,
}

/// Bytes from the far end on their way to the application.
pub(crate) struct ToApp {
    writer: WriteHalf<DuplexStream>,
    queue: VecDeque<Bytes>,
    queued: usize,
}

/// Bytes from the application on their way to the far end.
pub(crate) struct FromApp {
    reader: ReadHalf<DuplexStream>,
    buf: BytesMut,
}

fn pipe() -> (
    DuplexStream,
    ReadHalf<DuplexStream>,
    WriteHalf<DuplexStream>,
) {
    let (app, ours) = tokio::io::duplex(PIPE);
    let (reader, writer) = tokio::io::split(ours);
    (app, reader, writer)
}

impl DataPath {
    pub(crate) fn new() -> Self {
        let (app, reader, writer) = pipe();
        DataPath {
            app: Some(app),
            out: ToApp {
                writer,
                queue: VecDeque::new(),
                queued: 0,
            },
            inc: FromApp {
                reader,
                buf: BytesMut::new(),
            },
        }
    }

    /// The application's end, once (until it is dropped and [`renew`](Self::renew) made another).
    pub(crate) fn take_stream(&mut self) -> Option<DuplexStream> {
        self.app.take()
    }

    /// The application dropped its end: a fresh pipe for the next `get_id`. Bytes still queued go
    /// to the new pipe.
    pub(crate) fn renew(&mut self) {
        tracing::debug!("the application closed the data stream; a new one is ready");
        self.fresh_pipe();
    }

    /// A new pipe in place of the old one; what is queued stays queued.
    fn fresh_pipe(&mut self) {
        let (app, reader, writer) = pipe();
        self.app = Some(app);
        self.inc.reader = reader;
        self.out.writer = writer;
    }

    /// For a port lent to the application (`Driver::lend`): everything from the far end not yet
    /// read, in order (what sits in the pipe, then what is queued), and a fresh pipe for a later
    /// `get_id`. `None` when the application already has the stream.
    pub(crate) fn take_for_lending(&mut self) -> Option<Vec<Bytes>> {
        use futures::FutureExt;
        let mut app = self.app.take()?;
        let mut unread = Vec::new();
        loop {
            let mut buf = BytesMut::with_capacity(PIPE);
            // Unconstrained: a spent cooperative budget must not make a full pipe look empty.
            match tokio::task::unconstrained(app.read_buf(&mut buf)).now_or_never() {
                Some(Ok(n)) if n > 0 => unread.push(buf.freeze()),
                _ => break,
            }
        }
        unread.extend(self.out.queue.drain(..));
        self.out.queued = 0;
        self.fresh_pipe();
        Some(unread)
    }

    /// Queues bytes from the far end for the application.
    pub(crate) fn push(&mut self, bytes: Bytes) {
        self.out.push(bytes);
    }

    pub(crate) fn has_output(&self) -> bool {
        !self.out.queue.is_empty()
    }
}

impl ToApp {
    fn push(&mut self, bytes: Bytes) {
        self.queued += bytes.len();
        self.queue.push_back(bytes);
        while self.queued > BACKLOG_LIMIT {
            match self.queue.pop_front() {
                Some(old) => {
                    self.queued -= old.len();
                    tracing::warn!(
                        lost = old.len(),
                        "data stream overrun: the application is not reading"
                    );
                }
                None => break,
            }
        }
    }

    /// Writes some queued bytes into the pipe. Cancel-safe.
    pub(crate) async fn write_some(&mut self) -> io::Result<()> {
        let Some(front) = self.queue.front_mut() else {
            return Ok(());
        };
        let n = self.writer.write(front).await?;
        self.queued -= n;
        if n == front.len() {
            self.queue.pop_front();
        } else {
            let _ = front.split_to(n);
        }
        Ok(())
    }
}

impl FromApp {
    /// Reads what the application wrote; `None` when it closed its end. Cancel-safe.
    pub(crate) async fn read_some(&mut self) -> io::Result<Option<Bytes>> {
        // Read straight into the buffer the bytes leave in: no copy on the way out.
        self.buf.reserve(APP_READ);
        let n = (&mut self.reader)
            .take(APP_READ as u64)
            .read_buf(&mut self.buf)
            .await?;
        Ok((n > 0).then(|| self.buf.split().freeze()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[tokio::test]
    async fn bytes_that_arrive_before_the_application_takes_the_stream_are_kept() {
        let mut path = DataPath::new();
        path.push(Bytes::from_static(b"early "));
        path.push(Bytes::from_static(b"bytes"));
        while path.has_output() {
            path.out.write_some().await.unwrap();
        }
        let mut app = path.take_stream().unwrap();
        assert!(path.take_stream().is_none(), "handed out once");
        let mut got = [0u8; 11];
        app.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"early bytes");
        app.write_all(b"reply").await.unwrap();
        assert_eq!(
            path.inc.read_some().await.unwrap().as_deref(),
            Some(&b"reply"[..])
        );
        drop(app);
        assert_eq!(path.inc.read_some().await.unwrap(), None);
        path.renew();
        assert!(path.take_stream().is_some());
    }
}

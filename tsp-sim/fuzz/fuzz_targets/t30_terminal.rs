//! The T.30 terminal against a modem that says anything: arbitrary bytes as everything the
//! Class 1 modem sends (result codes, frames, data), cut into arbitrary reads, while the
//! terminal sends a page (first byte even) or receives one (odd). Nothing may panic, and on
//! paused time every session ends (in an error, almost always) once the input runs out.
#![no_main]

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tsp_sim::t30::{Capabilities, FaxTerminal, Frame, Options, Page};

/// A modem whose output is the fuzzer's bytes, `chunk` at a time; what it is sent is dropped.
/// At the end it falls silent (the terminal's timers end the session).
struct Scripted {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
}

impl AsyncRead for Scripted {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.at >= self.data.len() {
            return Poll::Pending;
        }
        let n = self.chunk.min(self.data.len() - self.at).min(buf.remaining());
        let at = self.at;
        buf.put_slice(&self.data[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if let Ok(frame) = Frame::parse(rest) {
        let _ = frame.ident();
        let _ = Capabilities::parse(&frame.fif, mode & 1 == 1);
    }
    let _ = Page::from_received(rest).lines();
    let modem = Scripted {
        data: rest.to_vec(),
        at: 0,
        chunk: usize::from(mode >> 1).max(1),
    };
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
    else {
        return;
    };
    rt.block_on(async move {
        let mut terminal = FaxTerminal::new(modem, Options::new("5550100"));
        if mode & 1 == 0 {
            let _ = terminal.send(&[Page::white(4)]).await;
        } else {
            let _ = terminal.receive().await;
        }
    });
});

//! A scripted modem on an in-memory pipe, for answers the simulator never gives (`DELAYED`,
//! `BLACKLISTED`, a refused `+FCLASS`, silence). It answers each command line by the first rule
//! whose prefix matches, `OK` otherwise, and records every line.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tsp_modem::transport::{ControlLines, ModemPort, PortOpener, Signals};

/// What a rule answers: `None` is silence.
#[derive(Clone, Default)]
pub struct FakeModem {
    rules: Vec<(String, Option<String>)>,
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl FakeModem {
    pub fn new() -> Self {
        FakeModem::default()
    }

    /// Answers command lines starting with `prefix` with `result` (`None`: silence).
    pub fn answer(mut self, prefix: &str, result: Option<&str>) -> Self {
        self.rules
            .push((prefix.to_owned(), result.map(|r| format!("\r\n{r}\r\n"))));
        self
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

pub struct FakePort(DuplexStream);

impl ControlLines for FakePort {
    fn set_dtr(&mut self, _on: bool) -> io::Result<bool> {
        Ok(false)
    }
    fn signals(&mut self) -> io::Result<Option<Signals>> {
        Ok(None)
    }
}

impl AsyncRead for FakePort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for FakePort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl PortOpener for FakeModem {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>> {
        Box::pin(async move {
            let (ours, mut modem) = tokio::io::duplex(4096);
            let me = self.clone();
            tokio::spawn(async move {
                let mut line = Vec::new();
                let mut buf = [0u8; 256];
                while let Ok(n) = modem.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    for &b in &buf[..n] {
                        if b != b'\r' {
                            line.push(b);
                            continue;
                        }
                        let text = String::from_utf8_lossy(&line).trim().to_owned();
                        line.clear();
                        if text.is_empty() {
                            continue;
                        }
                        me.lines.lock().unwrap().push(text.clone());
                        let answer = me
                            .rules
                            .iter()
                            .find(|(prefix, _)| text.starts_with(prefix.as_str()))
                            .map_or_else(|| Some("\r\nOK\r\n".to_owned()), |(_, a)| a.clone());
                        if let Some(answer) = answer
                            && modem.write_all(answer.as_bytes()).await.is_err()
                        {
                            return;
                        }
                    }
                }
            });
            Ok(Box::new(FakePort(ours)) as Box<dyn ModemPort>)
        })
    }

    fn name(&self) -> String {
        "fake modem".into()
    }
}

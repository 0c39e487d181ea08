//! The DTE's side of a Class 1 modem (T.31 8.3): command lines and their result codes, and
//! `<DLE>`-shielded frames and data. Verbose result codes (`ATV1`) are assumed.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::T30Error;
use crate::modem::{DLE, ETX, Unshield, Unshielded};

/// The most octets one frame may have before the modem's `<DLE><ETX>` (T.30 frames are at most
/// 256 octets; this is a modem gone wrong).
const MAX_FRAME: usize = 2048;
/// The most octets one high-speed reception keeps (a page at 14 400 bit/s for 10 minutes).
const MAX_DATA: usize = 16 << 20;
/// What one write hands the modem.
const WRITE_CHUNK: usize = 512;
/// How long one chunk may wait for the modem to take it.
const WRITE_STALL: Duration = Duration::from_secs(10);
/// The longest line of text read while waiting for a result code.
const MAX_LINE: usize = 512;

/// A final result code of a Class 1 command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Ok,
    Connect,
    NoCarrier,
    Error,
    /// `+FCERROR`: a receive command heard a different modulation (T.31 8.3.4).
    FcError,
    /// `BUSY`, `NO DIALTONE`, `NO ANSWER`: a dial that failed (V.250 6.3.1).
    DialFailed,
}

impl Answer {
    fn read(line: &str) -> Option<Answer> {
        let line = line.trim();
        Some(match line {
            "OK" => Answer::Ok,
            "NO CARRIER" => Answer::NoCarrier,
            "ERROR" => Answer::Error,
            "+FCERROR" | "+F4" => Answer::FcError,
            "BUSY" | "NO DIALTONE" | "NO DIAL TONE" | "NO ANSWER" => Answer::DialFailed,
            _ if line.starts_with("CONNECT") => Answer::Connect,
            _ => return None,
        })
    }
}

/// A Class 1 modem over a byte stream.
pub(crate) struct Dce<S> {
    io: S,
    buf: Vec<u8>,
    pos: usize,
    /// A CR ended the last line: an LF first in what follows is its pair.
    swallow_lf: bool,
    /// The command line last written, to skip its echo.
    echo: Option<String>,
    /// What the modem said that was neither a result code nor an echo, for errors.
    pub(crate) text: Vec<String>,
    /// The last final result code, as the modem wrote it (`NO CARRIER`).
    pub(crate) last_result: String,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dce<S> {
    pub(crate) fn new(io: S) -> Self {
        Dce {
            io,
            buf: Vec::new(),
            pos: 0,
            swallow_lf: false,
            echo: None,
            text: Vec::new(),
            last_result: String::new(),
        }
    }

    pub(crate) fn into_inner(self) -> S {
        self.io
    }

    async fn fill(&mut self, deadline: Instant, waiting: &str) -> Result<(), T30Error> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout_at(deadline, self.io.read(&mut chunk)).await {
            Err(_) => Err(T30Error::Timeout(waiting.to_owned())),
            Ok(Err(e)) => Err(T30Error::Io(e.to_string())),
            Ok(Ok(0)) => Err(T30Error::Closed(waiting.to_owned())),
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    async fn byte(&mut self, deadline: Instant, waiting: &str) -> Result<u8, T30Error> {
        loop {
            if self.pos < self.buf.len() {
                let b = self.buf[self.pos];
                self.pos += 1;
                if std::mem::take(&mut self.swallow_lf) && b == b'\n' {
                    continue;
                }
                return Ok(b);
            }
            self.fill(deadline, waiting).await?;
        }
    }

    /// Writes `bytes` as they are, a chunk at a time: a modem that stops taking them (its
    /// flow control never lets go) is an error after [`WRITE_STALL`], not a hang. A chunk takes
    /// at most 1.7 s at 2400 bit/s.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> Result<(), T30Error> {
        for chunk in bytes.chunks(WRITE_CHUNK) {
            let wrote = async {
                self.io.write_all(chunk).await?;
                self.io.flush().await
            };
            match tokio::time::timeout(WRITE_STALL, wrote).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(T30Error::Io(e.to_string())),
                Err(_) => {
                    return Err(T30Error::Timeout(
                        "the modem to take what the terminal writes".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes the command line `command` (without `AT`'s CR) and waits up to `wait` for its
    /// final result code.
    pub(crate) async fn command(
        &mut self,
        command: &str,
        wait: Duration,
    ) -> Result<Answer, T30Error> {
        tracing::trace!(command, "to the modem");
        self.echo = Some(command.to_owned());
        let mut line = command.as_bytes().to_vec();
        line.push(b'\r');
        self.write(&line).await?;
        self.answer(wait, command).await
    }

    /// Waits up to `wait` for a final result code, skipping the echo and information text.
    pub(crate) async fn answer(
        &mut self,
        wait: Duration,
        waiting: &str,
    ) -> Result<Answer, T30Error> {
        let deadline = Instant::now() + wait;
        loop {
            let line = self.line(deadline, waiting).await?;
            if line.is_empty() {
                continue;
            }
            if let Some(answer) = Answer::read(&line) {
                tracing::trace!(answer = line.as_str(), "from the modem");
                line.trim().clone_into(&mut self.last_result);
                return Ok(answer);
            }
            if self
                .echo
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(line.trim()))
            {
                continue;
            }
            if self.text.len() < 32 {
                self.text.push(line);
            }
        }
    }

    /// Reads lines until one is `text` (an unsolicited `RING`), up to `wait`.
    pub(crate) async fn wait_for(&mut self, text: &str, wait: Duration) -> Result<(), T30Error> {
        let deadline = Instant::now() + wait;
        while self.line(deadline, text).await?.trim() != text {}
        Ok(())
    }

    async fn line(&mut self, deadline: Instant, waiting: &str) -> Result<String, T30Error> {
        let mut line = Vec::new();
        loop {
            let b = self.byte(deadline, waiting).await?;
            match b {
                b'\r' => {
                    self.swallow_lf = true;
                    break;
                }
                b'\n' => break,
                _ if line.len() < MAX_LINE => line.push(b),
                _ => {}
            }
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    /// Reads shielded octets up to `<DLE><ETX>` (a frame after `+FRH`'s `CONNECT`, data after
    /// `+FRM`'s), waiting up to `gap` for each chunk.
    pub(crate) async fn shielded(
        &mut self,
        gap: Duration,
        frame: bool,
        waiting: &str,
    ) -> Result<Vec<u8>, T30Error> {
        let limit = if frame { MAX_FRAME } else { MAX_DATA };
        let mut out = Vec::new();
        let mut unshield = Unshield::default();
        loop {
            if self.pos == self.buf.len() {
                self.fill(Instant::now() + gap, waiting).await?;
            }
            if std::mem::take(&mut self.swallow_lf) && self.buf.get(self.pos) == Some(&b'\n') {
                self.pos += 1;
                continue;
            }
            let input = &self.buf[self.pos..];
            match unshield.feed(input, &mut out) {
                Unshielded::End(used) => {
                    self.pos += used;
                    return Ok(out);
                }
                Unshielded::More => self.pos = self.buf.len(),
            }
            if out.len() > limit {
                return Err(T30Error::Protocol(format!(
                    "{waiting}: more than {limit} octets without <DLE><ETX>"
                )));
            }
        }
    }

    /// Writes `data` shielded (every `DLE` doubled), then `<DLE><ETX>` if `end`.
    pub(crate) async fn write_shielded(&mut self, data: &[u8], end: bool) -> Result<(), T30Error> {
        let mut out = Vec::with_capacity(data.len() + 8);
        crate::modem::shield(data, &mut out);
        if end {
            out.extend([DLE, ETX]);
        }
        self.write(&out).await
    }
}

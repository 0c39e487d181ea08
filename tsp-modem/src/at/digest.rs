//! The digester: turns the byte stream of command state into classified lines, with bounded
//! memory.

use super::parse::{self, CR, LF, Line, ParseContext};

/// One line out of the digester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested {
    /// The classified line.
    pub line: Line,
    /// The byte that ended it (CR or LF); after a CR, an LF may still follow.
    pub terminator: u8,
    /// The line was a numeric result code (`0<CR>`), so the modem is in `V0`.
    pub numeric: bool,
}

/// Buffers received bytes until they form a line, and classifies each line with
/// [`parse::response_line`].
///
/// Memory is bounded: at most `max_line` bytes are held. A line that grows past that is dropped
/// with a warning and everything up to its terminator is skipped; lines with no printable
/// character (line noise) are dropped with a warning too. Nothing here panics on any input.
#[derive(Debug, Clone)]
pub struct Digester {
    /// Received bytes; those before `start` are already digested (dropped on the next push, so
    /// taking a line costs no copy).
    buf: Vec<u8>,
    start: usize,
    max_line: usize,
    skipping: bool,
    device: std::sync::Arc<str>,
}

impl Digester {
    /// A digester that keeps lines of up to `max_line` bytes (at least 16).
    pub fn new(max_line: usize, device: std::sync::Arc<str>) -> Self {
        let max_line = max_line.max(16);
        Self {
            buf: Vec::with_capacity(max_line),
            start: 0,
            max_line,
            skipping: false,
            device,
        }
    }

    /// Takes bytes from `input` (at least one when `input` is not empty) and returns how many.
    /// Call [`Digester::next_line`] until it answers `None` before pushing again.
    pub fn push(&mut self, input: &[u8]) -> usize {
        if input.is_empty() {
            return 0;
        }
        if self.skipping {
            return match input.iter().position(|&b| b == CR || b == LF) {
                Some(end) => {
                    self.skipping = false;
                    end
                }
                None => input.len(),
            }
            .max(1);
        }
        if self.len() >= self.max_line {
            tracing::warn!(
                device = %self.device,
                bytes = self.len(),
                "skipping a response line longer than {} bytes",
                self.max_line
            );
            self.clear();
            self.skipping = true;
            return self.push(input);
        }
        if self.start > 0 {
            // One move per push, not one per line.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let n = input.len().min(self.max_line - self.buf.len());
        self.buf.extend_from_slice(&input[..n]);
        n
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// Marks `n` more bytes as digested.
    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start >= self.buf.len() {
            self.clear();
        }
    }

    /// The next complete line, if the buffer holds one.
    pub fn next_line(&mut self, ctx: &ParseContext<'_>) -> Option<Digested> {
        loop {
            let live = &self.buf[self.start..];
            if live.is_empty() {
                return None;
            }
            let (consumed, line) = match parse::response_line(live, ctx) {
                Ok((rest, line)) => (live.len() - rest.len(), line),
                Err(nom::Err::Incomplete(_)) => {
                    // A buffer of nothing but header bytes can be dropped: they would be skipped
                    // anyway, and keeping them could fill the buffer with blank lines.
                    if matches!(parse::header(live), Err(nom::Err::Incomplete(_))) {
                        self.clear();
                    }
                    return None;
                }
                Err(_) => {
                    // The grammar ends in a catch-all, so this is unreachable in practice; drop
                    // the line rather than stall.
                    let end = live
                        .iter()
                        .position(|&b| b == CR || b == LF)
                        .map_or(live.len(), |p| p + 1);
                    tracing::warn!(device = %self.device, "skipping an unparsable line");
                    self.consume(end);
                    continue;
                }
            };
            let raw = &live[..consumed];
            let terminator = raw.last().copied().unwrap_or(CR);
            let numeric = !matches!(line, Line::Text(_)) && {
                let body = raw.trim_ascii();
                !body.is_empty() && body.iter().all(u8::is_ascii_digit)
            };
            if matches!(&line, Line::Text(t) if t.is_empty()) {
                tracing::warn!(
                    device = %self.device,
                    raw = ?String::from_utf8_lossy(raw),
                    "skipping a garbage line"
                );
                self.consume(consumed);
                continue;
            }
            self.consume(consumed);
            return Some(Digested {
                line,
                terminator,
                numeric,
            });
        }
    }

    /// Removes and returns the bytes not yet part of a line (on a switch to data mode).
    pub fn take(&mut self) -> Vec<u8> {
        self.skipping = false;
        let mut taken = std::mem::take(&mut self.buf);
        taken.drain(..self.start);
        self.start = 0;
        taken
    }

    /// Bytes held (not yet part of a line).
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// True when no bytes are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::at::parse::{FinalResult, NumericTable};

    fn digest(input: &[u8]) -> Vec<Line> {
        let table = NumericTable::default();
        let ctx = ParseContext {
            numeric: false,
            table: &table,
            idle: false,
        };
        let mut d = Digester::new(32, "test".into());
        let mut out = Vec::new();
        let mut input = input;
        while !input.is_empty() {
            let n = d.push(input);
            input = &input[n..];
            while let Some(l) = d.next_line(&ctx) {
                out.push(l.line);
            }
            assert!(d.len() <= 32);
        }
        out
    }

    #[test]
    fn over_long_lines_are_skipped_and_the_next_line_survives() {
        let mut input = vec![b'x'; 100];
        input.extend_from_slice(b"\r\nOK\r\n");
        assert_eq!(digest(&input), [Line::Result(FinalResult::Ok)]);
    }

    #[test]
    fn line_noise_is_skipped() {
        assert_eq!(
            digest(b"\xff\xfe\x80\r\nOK\r\n"),
            [Line::Result(FinalResult::Ok)]
        );
    }
}

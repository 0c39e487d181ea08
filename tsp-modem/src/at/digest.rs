//! The digester: turns the byte stream of command state into classified lines, with bounded
//! memory.

use super::parse::{self, CR, LF, Line, ParseContext};

/// One line out of the digester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested<'a> {
    /// The classified line, borrowing the digester's buffer ([`Digested::into_owned`] to keep it).
    pub line: Line<'a>,
    /// The byte that ended it (CR or LF); after a CR, an LF may still follow.
    pub terminator: u8,
    /// The line was a numeric result code (`0<CR>`), so the modem is in `V0`.
    pub numeric: bool,
}

impl Digested<'_> {
    /// The same line, owning its text.
    pub fn into_owned(self) -> Digested<'static> {
        Digested {
            line: self.line.into_owned(),
            terminator: self.terminator,
            numeric: self.numeric,
        }
    }
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
    /// How many bytes from `start` are known to hold no `<S3>`/`<S4>`: a partial line is
    /// searched once, not again from its start after every push.
    unterminated: usize,
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
            unterminated: 0,
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
        self.unterminated = 0;
    }

    /// The next complete line, if the buffer holds one. The line borrows the buffer until the
    /// next [`Digester::push`].
    ///
    /// In verbose mode a line is complete at its first `<S3>` or `<S4>` (found with `memchr2`,
    /// each byte searched once however the line arrives), and only then classified. With [`ParseContext::numeric`] the streaming grammar runs on the buffer as
    /// it stands, because a numeric code's CR at the end of the input is complete only when the
    /// line is idle (V.250 5.7.1).
    pub fn next_line(&mut self, ctx: &ParseContext<'_>) -> Option<Digested<'_>> {
        // Only `start` changes here, never `buf`, so the line returned can borrow `buf`.
        loop {
            let live = &self.buf[self.start..];
            let Some(body) = live
                .iter()
                .position(|&b| !matches!(b, CR | LF | b' ' | b'\t' | 0))
            else {
                // Nothing but header bytes: they would be skipped anyway, and keeping them
                // could fill the buffer with blank lines.
                self.start = self.buf.len();
                self.unterminated = 0;
                return None;
            };
            if !ctx.numeric {
                let from = body.max(self.unterminated);
                let Some(found) = memchr::memchr2(CR, LF, &live[from..]) else {
                    self.unterminated = live.len();
                    return None;
                };
                let end = from + found;
                self.start += end + 1;
                self.unterminated = 0;
                if parse::is_garbage(&live[body..end]) {
                    // It would classify as empty text: no keyword starts without a letter.
                    self.skip_garbage(&live[body..end]);
                    continue;
                }
                // Digits alone are information text in verbose mode, never a numeric code.
                return Some(Digested {
                    line: parse::classify(&live[body..=end]),
                    terminator: live[end],
                    numeric: false,
                });
            }
            let parsed =
                parse::response_line(live, ctx).map(|(rest, line)| (live.len() - rest.len(), line));
            let (consumed, line) = match parsed {
                Ok(parsed) => parsed,
                Err(nom::Err::Incomplete(_)) => return None,
                Err(_) => {
                    // The grammar ends in a catch-all, so this is unreachable in practice; drop
                    // the line rather than stall.
                    let end = memchr::memchr2(CR, LF, live).map_or(live.len(), |p| p + 1);
                    tracing::warn!(device = %self.device, "skipping an unparsable line");
                    self.start += end;
                    self.unterminated = 0;
                    continue;
                }
            };
            let raw = &live[..consumed];
            self.start += consumed;
            self.unterminated = 0;
            if matches!(&line, Line::Text(t) if t.is_empty()) {
                self.skip_garbage(raw);
                continue;
            }
            let numeric = !matches!(line, Line::Text(_)) && {
                let body = raw.trim_ascii();
                !body.is_empty() && body.iter().all(u8::is_ascii_digit)
            };
            return Some(Digested {
                line,
                terminator: raw.last().copied().unwrap_or(CR),
                numeric,
            });
        }
    }

    #[cold]
    fn skip_garbage(&self, raw: &[u8]) {
        tracing::warn!(
            device = %self.device,
            raw = ?String::from_utf8_lossy(raw),
            "skipping a garbage line"
        );
    }

    /// Removes and returns the bytes not yet part of a line (on a switch to data mode).
    pub fn take(&mut self) -> Vec<u8> {
        self.skipping = false;
        let mut taken = std::mem::take(&mut self.buf);
        taken.drain(..self.start);
        self.start = 0;
        self.unterminated = 0;
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

    /// Verbose mode, as the digester sees it between two reads.
    fn verbose(table: &NumericTable) -> ParseContext<'_> {
        ParseContext {
            numeric: false,
            table,
            idle: false,
        }
    }

    /// The lines of `input` fed in `chunk`-byte pieces to a digester of `max_line` bytes, whose
    /// memory is checked after every push.
    fn digest_in(input: &[u8], chunk: usize, max_line: usize) -> Vec<Line<'static>> {
        let table = NumericTable::default();
        let ctx = verbose(&table);
        let mut d = Digester::new(max_line, "test".into());
        let mut out = Vec::new();
        for mut piece in input.chunks(chunk) {
            while !piece.is_empty() {
                let n = d.push(piece);
                piece = &piece[n..];
                while let Some(l) = d.next_line(&ctx) {
                    out.push(l.line.into_owned());
                }
                assert!(d.len() <= max_line);
            }
        }
        out
    }

    fn digest(input: &[u8]) -> Vec<Line<'static>> {
        digest_in(input, input.len().max(1), 32)
    }

    /// The streaming grammar run over the whole input at once: what the digester must agree
    /// with, however the input is cut.
    fn by_the_grammar(mut input: &[u8]) -> Vec<Line<'_>> {
        let table = NumericTable::default();
        let ctx = verbose(&table);
        let mut out = Vec::new();
        while let Ok((rest, line)) = parse::response_line(input, &ctx) {
            if !matches!(&line, Line::Text(t) if t.is_empty()) {
                out.push(line);
            }
            input = rest;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn any_cut_of_the_input_gives_the_lines_the_grammar_reads(
            units in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(b"\r\n".to_vec()),
                proptest::strategy::Just(b"\r".to_vec()),
                proptest::strategy::Just(b"OK".to_vec()),
                proptest::strategy::Just(b"CONNECT 33600/ARQ".to_vec()),
                proptest::strategy::Just(b"NMBR = 5551234".to_vec()),
                proptest::strategy::Just(b"RING".to_vec()),
                proptest::strategy::Just(b"no carrier ".to_vec()),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 1..8),
            ], 0..24),
            chunk in 1usize..40,
        ) {
            let input = units.concat();
            let got = digest_in(&input, chunk, 4096);
            proptest::prop_assert_eq!(got, by_the_grammar(&input));
        }
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

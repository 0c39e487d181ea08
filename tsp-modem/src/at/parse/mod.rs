//! nom parsers for what a Hayes modem sends in command state, one function per grammar element.
//!
//! All parsers are *streaming*: given a prefix of a line they answer `Err(Incomplete)`, never an
//! error, so the caller can wait for more bytes. Each element parser consumes its line terminator
//! (`<S3>` or `<S4>`, see [`line_end`]); [`response_line`] also skips the header of blank lines in
//! front. The grammar is in V.250 5.7 and hayes.md §2-§3, §10.

mod caller_id;
mod connect;
mod intermediate;
mod result_code;
mod ring;
mod text;

use nom::branch::alt;
use nom::{IResult, Parser};

pub use caller_id::{CallerId, CallerIdField, CidValue, caller_id, mesg_number};
pub use connect::{Connect, connect};
pub use intermediate::{Intermediate, intermediate_result_code};
pub use result_code::{
    FinalResult, NumericTable, NumericTableError, final_result_code, numeric_result_code,
};
pub use ring::{Ring, RingCadence, RingTag, ring, ring_cadence};
pub use text::{CR, LF, header, information_text, is_garbage, line_end, text};

/// One line received in command state, classified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Line {
    /// A final result code (`OK`, `CONNECT …`, `BUSY`, numeric `0`…).
    Result(FinalResult),
    /// An intermediate result code (`CARRIER`, `PROTOCOL:`, `FAX`, …).
    Intermediate(Intermediate),
    /// `RING` in any variant.
    Ring(Ring),
    /// `DRON=` / `DROF=`.
    RingCadence(RingCadence),
    /// One caller-ID line.
    CallerId(CallerIdField),
    /// Information text (also the echo of a command line), cleaned by [`text()`]; never empty.
    Text(String),
}

/// What the parser needs to know about the modem's current state.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// Accept numeric result codes (`ATV0` is in effect or being executed).
    pub numeric: bool,
    /// Vendor numeric codes above 8.
    pub table: &'a NumericTable,
    /// The line has been quiet for longer than V.250's 100 ms inter-character limit, so a numeric
    /// code's CR at the end of the input is complete.
    pub idle: bool,
}

/// Classified information text; garbage (no printable ASCII) reads as an empty `Text` that the
/// digester drops.
fn text_line(input: &[u8]) -> IResult<&[u8], Line> {
    information_text
        .map(|raw| {
            Line::Text(if is_garbage(raw) {
                String::new()
            } else {
                text(raw)
            })
        })
        .parse(input)
}

/// One response line: the header of blank lines, then the first element that matches.
///
/// V.250 5.7.1: a response is `<S3><S4>` header, text, `<S3><S4>` trailer (verbose) or `N<S3>`
/// (numeric); information text and result codes alternate freely and unsolicited result codes may
/// come between them. Order of attempts: numeric codes (only with [`ParseContext::numeric`]), final
/// result codes, `CONNECT`, intermediate codes, `RING`, `DRON`/`DROF`, caller ID, information text.
pub fn response_line<'i>(input: &'i [u8], ctx: &ParseContext<'_>) -> IResult<&'i [u8], Line> {
    let (input, _) = header(input)?;
    if ctx.numeric {
        match numeric_result_code(input, ctx.table, ctx.idle) {
            Err(nom::Err::Error(_)) => {}
            other => return other,
        }
    }
    alt((
        final_result_code.map(Line::Result),
        connect.map(|c| Line::Result(FinalResult::Connect(c))),
        intermediate_result_code.map(Line::Intermediate),
        ring.map(Line::Ring),
        ring_cadence.map(Line::RingCadence),
        caller_id.map(Line::CallerId),
        text_line,
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn lines(mut input: &[u8], numeric: bool) -> Vec<Line> {
        let table = NumericTable::default();
        let ctx = ParseContext {
            numeric,
            table: &table,
            idle: true,
        };
        let mut out = Vec::new();
        while let Ok((rest, line)) = response_line(input, &ctx) {
            out.push(line);
            input = rest;
        }
        out
    }

    #[test]
    fn verbose_response_with_info_text() {
        assert_eq!(
            lines(b"\r\n56000\r\n\r\nOK\r\n", false),
            [Line::Text("56000".into()), Line::Result(FinalResult::Ok)]
        );
    }

    #[test]
    fn bare_zero_is_info_in_verbose_mode_but_ok_in_numeric_mode() {
        assert_eq!(
            lines(b"\r\n0\r\nOK\r\n", false),
            [Line::Text("0".into()), Line::Result(FinalResult::Ok)]
        );
        assert_eq!(lines(b"0\r", true), [Line::Result(FinalResult::Ok)]);
        assert_eq!(
            lines(b"0\r\n0\r", true),
            [Line::Text("0".into()), Line::Result(FinalResult::Ok)]
        );
    }

    #[test]
    fn a_partial_line_is_incomplete_never_an_error() {
        let table = NumericTable::default();
        let ctx = ParseContext {
            numeric: false,
            table: &table,
            idle: false,
        };
        let whole = b"\r\nCONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n";
        for end in 0..whole.len() - 1 {
            assert!(
                matches!(
                    response_line(&whole[..end], &ctx),
                    Err(nom::Err::Incomplete(_))
                ),
                "prefix of {end} bytes"
            );
        }
    }
}

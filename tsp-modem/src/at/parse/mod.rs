//! nom parsers for what a Hayes modem sends in command state, one function per grammar element.
//!
//! All parsers are *streaming*: given a prefix of a line they answer `Err(Incomplete)`, never an
//! error, so the caller can wait for more bytes. Each element parser consumes its line terminator
//! (`<S3>` or `<S4>`, see [`line_end`]); [`response_line`] also skips the header of blank lines in
//! front. The grammar is in V.250 5.7 and hayes.md §2-§3, §10.

mod caller_id;
mod classify;
mod connect;
mod intermediate;
mod result_code;
mod ring;
mod text;

use std::borrow::Cow;

use nom::branch::alt;
use nom::{IResult, Parser};

pub use caller_id::{CallerId, CallerIdField, CidValue, caller_id, mesg_number};
pub(crate) use classify::classify;
pub use connect::{Connect, connect};
pub use intermediate::{Intermediate, intermediate_result_code};
pub use result_code::{
    FinalResult, NumericTable, NumericTableError, final_result_code, numeric_result_code,
};
pub use ring::{Ring, RingCadence, RingTag, ring, ring_cadence};
pub use text::{CR, LF, header, information_text, is_garbage, line_end, text};

/// One line received in command state, classified.
///
/// Its text borrows the bytes it was parsed from (`'a`, the digester's buffer) whenever it can;
/// [`Line::into_owned`] gives a `Line<'static>` to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Line<'a> {
    /// A final result code (`OK`, `CONNECT …`, `BUSY`, numeric `0`…).
    Result(FinalResult<'a>),
    /// An intermediate result code (`CARRIER`, `PROTOCOL:`, `FAX`, …).
    Intermediate(Intermediate<'a>),
    /// `RING` in any variant.
    Ring(Ring<'a>),
    /// `DRON=` / `DROF=`.
    RingCadence(RingCadence),
    /// One caller-ID line.
    CallerId(CallerIdField<'a>),
    /// Information text (also the echo of a command line), cleaned by [`text()`]; never empty.
    Text(Cow<'a, str>),
}

impl Line<'_> {
    /// The same line, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> Line<'static> {
        match self {
            Self::Result(r) => Line::Result(r.into_owned()),
            Self::Intermediate(i) => Line::Intermediate(i.into_owned()),
            Self::Ring(r) => Line::Ring(r.into_owned()),
            Self::RingCadence(c) => Line::RingCadence(c),
            Self::CallerId(c) => Line::CallerId(c.into_owned()),
            Self::Text(t) => Line::Text(Cow::Owned(t.into_owned())),
        }
    }
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
fn text_line(input: &[u8]) -> IResult<&[u8], Line<'_>> {
    information_text.map(text_of).parse(input)
}

/// The information text of a line's raw bytes (its terminator dropped); garbage reads as empty.
#[inline(always)]
fn text_of(raw: &[u8]) -> Line<'_> {
    Line::Text(if is_garbage(raw) {
        Cow::Borrowed("")
    } else {
        text(raw)
    })
}

/// One response line: the header of blank lines, then the first element that matches.
///
/// V.250 5.7.1: a response is `<S3><S4>` header, text, `<S3><S4>` trailer (verbose) or `N<S3>`
/// (numeric); information text and result codes alternate freely and unsolicited result codes may
/// come between them. Order of attempts: numeric codes (only with [`ParseContext::numeric`]), final
/// result codes, `CONNECT`, intermediate codes, `RING`, `DRON`/`DROF`, caller ID, information text.
pub fn response_line<'i>(input: &'i [u8], ctx: &ParseContext<'_>) -> IResult<&'i [u8], Line<'i>> {
    let (input, _) = header(input)?;
    if ctx.numeric {
        match numeric_result_code(input, ctx.table, ctx.idle) {
            Err(nom::Err::Error(_)) => {}
            other => return other,
        }
    }
    element(input)
}

/// The element at the start of `input` (header skipped, so not empty and not blank).
///
/// Every element parser begins with a keyword matched without regard to case, so a parser whose
/// keywords cannot begin with the line's first byte fails with an error on it, never asks for
/// more; skipping it changes nothing. The first byte therefore picks the few parsers worth
/// trying, in the order of [`response_line`], and information text stays the catch-all. (The
/// full sequence is kept in the tests and checked against this one on arbitrary input.)
pub(crate) fn element(input: &[u8]) -> IResult<&[u8], Line<'_>> {
    let final_result = || final_result_code.map(Line::Result);
    let connect = || connect.map(|c| Line::Result(FinalResult::Connect(c)));
    let intermediate = || intermediate_result_code.map(Line::Intermediate);
    let caller_id = || caller_id.map(Line::CallerId);
    let Some(first) = input.first() else {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    };
    match first.to_ascii_uppercase() {
        // OK, ERROR, BUSY, BLACKLISTED, BLACKLIST FULL, LINE IN USE, UN-OBTAINABLE NUMBER
        b'O' | b'E' | b'B' | b'L' | b'U' => alt((final_result(), text_line)).parse(input),
        // NO CARRIER, NO DIALTONE, NO ANSWER, NO LINE; NMBR, NBR, NAME, NDID
        b'N' => alt((final_result(), caller_id(), text_line)).parse(input),
        // DELAYED; DATA; DRON, DROF; DATE, DDN_NMBR
        b'D' => alt((
            final_result(),
            intermediate(),
            ring_cadence.map(Line::RingCadence),
            caller_id(),
            text_line,
        ))
        .parse(input),
        // CONNECT; CARRIER, COMPRESSION; CALLER NUMBER, CALLER'S NUMBER, CALLER NAME
        b'C' => alt((connect(), intermediate(), caller_id(), text_line)).parse(input),
        // PROTOCOL
        b'P' => alt((intermediate(), text_line)).parse(input),
        // FAX; FM:
        b'F' => alt((intermediate(), caller_id(), text_line)).parse(input),
        // RINGING; RING; REASON FOR NO CALLER …
        b'R' => alt((intermediate(), ring.map(Line::Ring), caller_id(), text_line)).parse(input),
        // TIME, MESG
        b'T' | b'M' => alt((caller_id(), text_line)).parse(input),
        _ => text_line(input),
    }
}

/// The whole sequence of element parsers, each tried in turn: what [`element`] must agree with.
#[cfg(test)]
pub(crate) fn element_by_every_parser(input: &[u8]) -> IResult<&[u8], Line<'_>> {
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

    fn lines(mut input: &[u8], numeric: bool) -> Vec<Line<'_>> {
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

    /// Lines built from every keyword of the grammar, in both cases, cut short and run on.
    pub(super) fn keyword_line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        const WORDS: &[&str] = &[
            "OK",
            "ERROR",
            "NO CARRIER",
            "NO DIALTONE",
            "NO DIAL TONE",
            "NO ANSWER",
            "NO LINE",
            "BUSY",
            "DELAYED",
            "BLACKLISTED",
            "BLACKLIST FULL",
            "LINE IN USE",
            "LINE-IN-USE",
            "UN-OBTAINABLE NUMBER",
            "CONNECT",
            "CONNECT 33600/ARQ",
            "CARRIER 28800",
            "PROTOCOL: LAPM",
            "COMPRESSION: V.42BIS",
            "FAX",
            "DATA",
            "RINGING",
            "RING",
            "RING 2",
            "RING;5551234",
            "DRON=11",
            "DROF = 40",
            "DATE = 0321",
            "TIME=1405",
            "NMBR = 5551234",
            "DDN_NMBR=5551234",
            "NBR=5551234",
            "NAME = JANE DOE",
            "MESG = 070F",
            "NDID=5550100",
            "CALLER NUMBER: 5551234",
            "CALLER'S NUMBER: 5551234",
            "CALLER NAME: JANE",
            "REASON FOR NO CALLER NUMBER: P",
            "REASON FOR NO CALLER NAME: O",
            "FM:5551234 TO:1",
            "56000",
            "OKAY",
            "ERROR 5",
            "CONNECTED",
            "RINGS",
            "x",
        ];
        (
            proptest::sample::select(WORDS),
            any::<bool>(),
            0usize..24,
            proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(b' '), any::<u8>()],
                0..6,
            ),
        )
            .prop_map(|(word, lower, cut, tail)| {
                let mut line = if lower {
                    word.to_ascii_lowercase().into_bytes()
                } else {
                    word.as_bytes().to_vec()
                };
                if cut < 12 {
                    line.truncate(cut.max(1)); // half a keyword, then whatever follows
                }
                line.extend(tail);
                line
            })
    }

    proptest::proptest! {
        #[test]
        fn the_first_byte_dispatch_agrees_with_trying_every_parser(
            line in proptest::prop_oneof![keyword_line(), proptest::collection::vec(proptest::prelude::any::<u8>(), 1..40)],
        ) {
            // `element` is only ever called after the header, on a line that is not blank.
            proptest::prop_assume!(header(&line).is_ok_and(|(rest, _)| rest.len() == line.len()));
            proptest::prop_assert_eq!(element(&line), element_by_every_parser(&line));
        }
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

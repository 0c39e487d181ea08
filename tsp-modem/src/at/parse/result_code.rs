//! Final result codes, verbose and numeric, and the per-profile table of vendor numeric codes.

use std::collections::BTreeMap;
use std::fmt;

use nom::bytes::streaming::take_while_m_n;
use nom::error::{Error, ErrorKind};
use nom::{IResult, Needed};

use super::connect::Connect;
use super::ring::Ring;
use super::text::{CR, LF, line_end};
use super::{Line, ParseContext, response_line};

/// A final result code: the modem's last word on a command line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FinalResult<'a> {
    /// `OK` (0).
    Ok,
    /// `CONNECT [<text>]` (1, and vendor codes such as 10 = `CONNECT 2400`).
    Connect(Connect<'a>),
    /// `NO CARRIER` (3).
    NoCarrier,
    /// `ERROR` (4).
    Error,
    /// `NO DIALTONE` (6), also spelled `NO DIAL TONE` by USR and ZyXEL.
    NoDialtone,
    /// `BUSY` (7).
    Busy,
    /// `NO ANSWER` (8).
    NoAnswer,
    /// `DELAYED`: the number is delayed by blacklisting rules (Rockwell 24).
    Delayed,
    /// `BLACKLISTED`: the number is blacklisted (Rockwell 32).
    Blacklisted,
    /// `BLACKLIST FULL`.
    BlacklistFull,
    /// `LINE IN USE` / `LINE-IN-USE`: an extension is off-hook (Conexant `-STE`, MultiTech 83).
    LineInUse,
    /// `NO LINE`: no line voltage.
    NoLine,
    /// `UN-OBTAINABLE NUMBER`.
    Unobtainable,
}

impl FinalResult<'_> {
    /// The same result, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> FinalResult<'static> {
        match self {
            Self::Ok => FinalResult::Ok,
            Self::Connect(c) => FinalResult::Connect(c.into_owned()),
            Self::NoCarrier => FinalResult::NoCarrier,
            Self::Error => FinalResult::Error,
            Self::NoDialtone => FinalResult::NoDialtone,
            Self::Busy => FinalResult::Busy,
            Self::NoAnswer => FinalResult::NoAnswer,
            Self::Delayed => FinalResult::Delayed,
            Self::Blacklisted => FinalResult::Blacklisted,
            Self::BlacklistFull => FinalResult::BlacklistFull,
            Self::LineInUse => FinalResult::LineInUse,
            Self::NoLine => FinalResult::NoLine,
            Self::Unobtainable => FinalResult::Unobtainable,
        }
    }

    /// True for the results that mean the command line succeeded: `OK` and `CONNECT`.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Ok | Self::Connect(_))
    }

    /// The portable V.250/TIA-602 numeric code (0-8), when there is one.
    pub fn numeric_code(&self) -> Option<u8> {
        match self {
            Self::Ok => Some(0),
            Self::Connect(c) if c.text().is_empty() => Some(1),
            Self::Connect(c) if c.text() == "1200" => Some(5),
            Self::NoCarrier => Some(3),
            Self::Error => Some(4),
            Self::NoDialtone => Some(6),
            Self::Busy => Some(7),
            Self::NoAnswer => Some(8),
            _ => None,
        }
    }
}

impl fmt::Display for FinalResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("OK"),
            Self::Connect(c) => c.fmt(f),
            Self::NoCarrier => f.write_str("NO CARRIER"),
            Self::Error => f.write_str("ERROR"),
            Self::NoDialtone => f.write_str("NO DIALTONE"),
            Self::Busy => f.write_str("BUSY"),
            Self::NoAnswer => f.write_str("NO ANSWER"),
            Self::Delayed => f.write_str("DELAYED"),
            Self::Blacklisted => f.write_str("BLACKLISTED"),
            Self::BlacklistFull => f.write_str("BLACKLIST FULL"),
            Self::LineInUse => f.write_str("LINE IN USE"),
            Self::NoLine => f.write_str("NO LINE"),
            Self::Unobtainable => f.write_str("UN-OBTAINABLE NUMBER"),
        }
    }
}

/// A verbose final result code other than `CONNECT` (see [`super::connect`]).
///
/// V.250 Table 1: `OK`, `NO CARRIER`, `ERROR`, `NO DIALTONE`, `BUSY`, `NO ANSWER`; TIA-602 and
/// vendors add `DELAYED`, `BLACKLISTED`, `BLACKLIST FULL`, `LINE IN USE`/`LINE-IN-USE`, `NO LINE`,
/// `UN-OBTAINABLE NUMBER` (hayes.md §3.4). USR and ZyXEL spell `NO DIAL TONE` with a blank (§3.1).
/// The line may carry trailing blanks; `OKAY` or `ERROR 5` are information text, not results.
pub fn final_result_code<'i>(input: &'i [u8]) -> IResult<&'i [u8], FinalResult<'i>> {
    let first = input.first().map(u8::to_ascii_uppercase);
    for (word, result) in VERBOSE {
        let word = word.as_bytes();
        if first.is_some_and(|f| f != word[0]) {
            continue;
        }
        let n = word.len().min(input.len());
        if !input[..n].eq_ignore_ascii_case(&word[..n]) {
            continue;
        }
        if n < word.len() {
            // Half a keyword so far.
            return Err(nom::Err::Incomplete(Needed::new(word.len() - n)));
        }
        // No keyword begins another, so this is the only one that can fit: `OKAY` and
        // `ERROR 5` fail here and read as information text.
        let (rest, _) = line_end(&input[n..])?;
        return Ok((rest, result.clone()));
    }
    Err(nom::Err::Error(Error::new(input, ErrorKind::Tag)))
}

/// The verbose final result codes other than `CONNECT`, as [`final_result_code`] spells them.
pub(super) const VERBOSE: &[(&str, FinalResult<'static>)] = &[
    ("OK", FinalResult::Ok),
    ("ERROR", FinalResult::Error),
    ("NO CARRIER", FinalResult::NoCarrier),
    ("NO DIALTONE", FinalResult::NoDialtone),
    ("NO DIAL TONE", FinalResult::NoDialtone),
    ("NO ANSWER", FinalResult::NoAnswer),
    ("NO LINE", FinalResult::NoLine),
    ("BUSY", FinalResult::Busy),
    ("DELAYED", FinalResult::Delayed),
    ("BLACKLISTED", FinalResult::Blacklisted),
    ("BLACKLIST FULL", FinalResult::BlacklistFull),
    ("LINE IN USE", FinalResult::LineInUse),
    ("LINE-IN-USE", FinalResult::LineInUse),
    ("UN-OBTAINABLE NUMBER", FinalResult::Unobtainable),
];

/// The portable numeric codes 0-8 (V.250 Table 1 plus TIA-602 `5 = CONNECT 1200`).
fn portable(code: u8) -> Option<Line<'static>> {
    Some(match code {
        0 => Line::Result(FinalResult::Ok),
        1 => Line::Result(FinalResult::Connect(Connect::default())),
        2 => Line::Ring(Ring::default()),
        3 => Line::Result(FinalResult::NoCarrier),
        4 => Line::Result(FinalResult::Error),
        5 => Line::Result(FinalResult::Connect(Connect::from_text("1200"))),
        6 => Line::Result(FinalResult::NoDialtone),
        7 => Line::Result(FinalResult::Busy),
        8 => Line::Result(FinalResult::NoAnswer),
        _ => return None,
    })
}

/// `<digits><S3>`: a result code in numeric form (`ATV0`).
///
/// V.250 5.7.1: with `V0`, "result codes ... consist of the numeric code followed by `<S3>`" with no
/// header and no `<S4>`, while information text still ends in `<S3><S4>`. So digits followed by
/// CR LF are information text (a bare `0` read answer), digits followed by CR and anything else are
/// a result code. When the CR is the last byte received the answer is `Incomplete` unless `idle`
/// says the line has been quiet long enough (V.250 5.7: "characters ... not separated by more than
/// 100 ms"). Codes 0-8 are portable; higher codes only through `table` (hayes.md §3.2: "never
/// hard-code beyond 0-8"); an unknown code is an error here and reads as information text.
pub fn numeric_result_code<'i>(
    input: &'i [u8],
    table: &NumericTable,
    idle: bool,
) -> IResult<&'i [u8], Line<'i>> {
    let (rest, digits) = take_while_m_n(1, 3, |b: u8| b.is_ascii_digit())(input)?;
    match rest.first() {
        None => return Err(nom::Err::Incomplete(Needed::new(1))),
        Some(&CR) => {}
        Some(_) => return Err(nom::Err::Error(Error::new(rest, ErrorKind::Digit))),
    }
    let after = &rest[1..];
    match after.first() {
        Some(&LF) => return Err(nom::Err::Error(Error::new(after, ErrorKind::Digit))),
        None if !idle => return Err(nom::Err::Incomplete(Needed::new(1))),
        _ => {}
    }
    let code: u16 = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let line = u8::try_from(code)
        .ok()
        .and_then(|code| portable(code).or_else(|| table.get(code).cloned()));
    match line {
        Some(line) => Ok((after, line)),
        None => Err(nom::Err::Error(Error::new(input, ErrorKind::Verify))),
    }
}

/// A modem family's numeric result codes above 8, chosen by the modem profile.
///
/// Codes 0-8 are fixed and cannot be overridden. Vendors disagree above 8 (Rockwell 10 =
/// `CONNECT 2400`, 13 = `CONNECT 7200`; ZyXEL 13 = `CONNECT 14400`), so the engine knows none
/// unless a table is passed in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumericTable {
    codes: BTreeMap<u8, Line<'static>>,
}

/// Why a numeric table entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumericTableError {
    /// Codes 0-8 are portable and fixed.
    #[error("numeric result code {0} is portable (0-8) and cannot be redefined")]
    Portable(u8),
    /// The verbose text is not a result code, intermediate result code or ring.
    #[error("numeric result code {code}: {text:?} is not a result code")]
    NotAResult {
        /// The code.
        code: u8,
        /// Its verbose text.
        text: String,
    },
}

impl NumericTable {
    /// Builds a table from `(code, verbose text)` pairs, e.g. `(10, "CONNECT 2400")`.
    pub fn new<'a>(
        entries: impl IntoIterator<Item = (u8, &'a str)>,
    ) -> Result<Self, NumericTableError> {
        let mut codes = BTreeMap::new();
        let empty = Self::default();
        let ctx = ParseContext {
            numeric: false,
            table: &empty,
            idle: true,
        };
        for (code, text) in entries {
            if code <= 8 {
                return Err(NumericTableError::Portable(code));
            }
            let bytes = format!("{text}\r\n");
            let line = match response_line(bytes.as_bytes(), &ctx) {
                Ok((_, line @ (Line::Result(_) | Line::Intermediate(_) | Line::Ring(_)))) => line,
                _ => {
                    return Err(NumericTableError::NotAResult {
                        code,
                        text: text.to_owned(),
                    });
                }
            };
            codes.insert(code, line.into_owned());
        }
        Ok(Self { codes })
    }

    /// The Rockwell/Conexant table (CX930xx, MultiTech SocketModem, ACF chips; hayes.md §3.2).
    pub fn rockwell() -> Self {
        const ROCKWELL: &[(u8, &str)] = &[
            (9, "CONNECT 0600"),
            (10, "CONNECT 2400"),
            (11, "CONNECT 4800"),
            (12, "CONNECT 9600"),
            (13, "CONNECT 7200"),
            (14, "CONNECT 12000"),
            (15, "CONNECT 14400"),
            (16, "CONNECT 19200"),
            (17, "CONNECT 38400"),
            (18, "CONNECT 57600"),
            (19, "CONNECT 115200"),
            (20, "CONNECT 230400"),
            (22, "CONNECT 75TX/1200RX"),
            (23, "CONNECT 1200TX/75RX"),
            (24, "DELAYED"),
            (32, "BLACKLISTED"),
            (33, "FAX"),
            (35, "DATA"),
            (59, "CONNECT 16800"),
            (61, "CONNECT 21600"),
            (62, "CONNECT 24000"),
            (63, "CONNECT 26400"),
            (64, "CONNECT 28800"),
            (66, "COMPRESSION: CLASS 5"),
            (67, "COMPRESSION: V.42 bis"),
            (69, "COMPRESSION: NONE"),
            (70, "PROTOCOL: NONE"),
            (77, "PROTOCOL: LAPM"),
            (78, "CARRIER 31200"),
            (79, "CARRIER 33600"),
            (80, "PROTOCOL: ALT"),
            (81, "PROTOCOL: ALT-CELLULAR"),
            (83, "LINE IN USE"),
            (84, "CONNECT 33600"),
            (91, "CONNECT 31200"),
        ];
        // Every entry is a result code; the unit test `rockwell_table_is_complete` checks it.
        Self::new(ROCKWELL.iter().copied()).unwrap_or_default()
    }

    /// The meaning of a vendor code, if the table has it.
    pub fn get(&self, code: u8) -> Option<&Line<'static>> {
        self.codes.get(&code)
    }

    /// Number of vendor codes in the table.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when the table has no vendor codes.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use nom::Parser;
    use nom::branch::alt;
    use nom::bytes::streaming::tag_no_case;
    use nom::combinator::value;
    use nom::sequence::terminated;

    /// The grammar [`final_result_code`] implements, as nom combinators: what it must agree with.
    fn final_result_code_by_grammar(input: &[u8]) -> IResult<&[u8], FinalResult<'_>> {
        terminated(
            alt((
                value(FinalResult::Ok, tag_no_case("OK")),
                value(FinalResult::Error, tag_no_case("ERROR")),
                value(FinalResult::NoCarrier, tag_no_case("NO CARRIER")),
                value(FinalResult::NoDialtone, tag_no_case("NO DIALTONE")),
                value(FinalResult::NoDialtone, tag_no_case("NO DIAL TONE")),
                value(FinalResult::NoAnswer, tag_no_case("NO ANSWER")),
                value(FinalResult::NoLine, tag_no_case("NO LINE")),
                value(FinalResult::Busy, tag_no_case("BUSY")),
                value(FinalResult::Delayed, tag_no_case("DELAYED")),
                value(FinalResult::Blacklisted, tag_no_case("BLACKLISTED")),
                value(FinalResult::BlacklistFull, tag_no_case("BLACKLIST FULL")),
                value(FinalResult::LineInUse, tag_no_case("LINE IN USE")),
                value(FinalResult::LineInUse, tag_no_case("LINE-IN-USE")),
                value(
                    FinalResult::Unobtainable,
                    tag_no_case("UN-OBTAINABLE NUMBER"),
                ),
            )),
            line_end,
        )
        .parse(input)
    }

    /// What a caller acts on: the value and the rest, or "need more", or "not this"; the size
    /// asked for and the error's position are the grammar's detail.
    fn outcome<'i>(
        parsed: IResult<&'i [u8], FinalResult<'i>>,
    ) -> Result<(&'i [u8], FinalResult<'i>), bool> {
        parsed.map_err(|e| e.is_incomplete())
    }

    #[test]
    fn no_keyword_begins_another_so_the_first_that_fits_is_the_only_one() {
        for (a, _) in VERBOSE {
            for (b, _) in VERBOSE {
                assert!(a == b || !b.starts_with(a), "{a:?} begins {b:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_keyword_table_agrees_with_the_grammar(
            word in proptest::sample::select(VERBOSE),
            lower in proptest::prelude::any::<bool>(),
            cut in 0usize..24,
            tail in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b'\n'),
                    proptest::strategy::Just(b' '),
                    proptest::strategy::Just(b'\t'),
                    proptest::prelude::any::<u8>(),
                ],
                0..5,
            ),
        ) {
            let mut line = word.0.as_bytes().to_vec();
            if lower {
                line.make_ascii_lowercase();
            }
            line.truncate(cut.max(1));
            line.extend(tail);
            proptest::prop_assert_eq!(outcome(final_result_code(&line)), outcome(final_result_code_by_grammar(&line)));
        }

        #[test]
        fn any_bytes_read_the_same_by_table_and_grammar(
            line in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
        ) {
            proptest::prop_assert_eq!(outcome(final_result_code(&line)), outcome(final_result_code_by_grammar(&line)));
        }
    }

    #[test]
    fn both_spellings_of_no_dialtone() {
        assert_eq!(
            final_result_code(b"NO DIALTONE\r\n").unwrap().1,
            FinalResult::NoDialtone
        );
        assert_eq!(
            final_result_code(b"NO DIAL TONE\r\n").unwrap().1,
            FinalResult::NoDialtone
        );
    }

    #[test]
    fn okay_is_not_ok_and_partial_ok_is_incomplete() {
        assert!(matches!(
            final_result_code(b"OKAY\r\n"),
            Err(nom::Err::Error(_))
        ));
        assert!(matches!(
            final_result_code(b"OK"),
            Err(nom::Err::Incomplete(_))
        ));
        assert!(matches!(
            final_result_code(b"NO "),
            Err(nom::Err::Incomplete(_))
        ));
    }

    #[test]
    fn numeric_code_needs_to_know_what_follows_the_cr() {
        let t = NumericTable::default();
        assert!(matches!(
            numeric_result_code(b"0\r", &t, false),
            Err(nom::Err::Incomplete(_))
        ));
        assert_eq!(
            numeric_result_code(b"0\r", &t, true).unwrap().1,
            Line::Result(FinalResult::Ok)
        );
        assert!(matches!(
            numeric_result_code(b"0\r\n", &t, false),
            Err(nom::Err::Error(_))
        ));
        assert_eq!(
            numeric_result_code(b"3\r2\r", &t, false).unwrap(),
            (&b"2\r"[..], Line::Result(FinalResult::NoCarrier))
        );
    }

    #[test]
    fn vendor_codes_only_through_the_table() {
        let none = NumericTable::default();
        assert!(numeric_result_code(b"10\rX", &none, false).is_err());
        let rockwell = NumericTable::rockwell();
        let (_, line) = numeric_result_code(b"10\rX", &rockwell, false).unwrap();
        let Line::Result(FinalResult::Connect(c)) = line else {
            panic!("{line:?}")
        };
        assert_eq!(c.rate(), Some(2400));
        assert_eq!(
            NumericTable::new([(5, "OK")]),
            Err(NumericTableError::Portable(5))
        );
        assert!(NumericTable::new([(99, "HELLO")]).is_err());
    }

    #[test]
    fn rockwell_table_is_complete() {
        assert_eq!(NumericTable::rockwell().len(), 35);
    }
}

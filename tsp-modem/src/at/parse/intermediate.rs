//! Intermediate result codes: progress reports before a command's final result.

use std::borrow::Cow;
use std::fmt;

use nom::IResult;
use nom::branch::alt;
use nom::bytes::streaming::tag_no_case;
use nom::combinator::value;
use nom::sequence::terminated;
use nom::{Parser, character::streaming::space0};

use super::text::{line_end, rest_of_line, text};

/// A report the modem sends while a dial or answer is in progress; it never ends the command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Intermediate<'a> {
    /// `CARRIER <rate>`: the line rate (Rockwell/Conexant `W1`).
    Carrier {
        /// The rate when the text starts with one.
        rate: Option<u32>,
        /// The text after `CARRIER`.
        text: Cow<'a, str>,
    },
    /// `PROTOCOL: <LAPM|ALT|NONE…>` (Rockwell/Conexant `W1`).
    Protocol(Cow<'a, str>),
    /// `COMPRESSION: <V.42 bis|CLASS 5|NONE>` (Rockwell/Conexant `W1`).
    Compression(Cow<'a, str>),
    /// `FAX`: adaptive answer detected a fax caller; `CONNECT` follows (Rockwell RC32ACL).
    Fax,
    /// `DATA`: adaptive answer detected a data caller; `CONNECT` follows.
    Data,
    /// `RINGING`: ringback heard at the far end (USR, ZyXEL, Si24xx code 9).
    Ringing,
}

impl Intermediate<'_> {
    /// The same report, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> Intermediate<'static> {
        let own = |v: Cow<'_, str>| Cow::Owned(v.into_owned());
        match self {
            Self::Carrier { rate, text } => Intermediate::Carrier {
                rate,
                text: own(text),
            },
            Self::Protocol(p) => Intermediate::Protocol(own(p)),
            Self::Compression(c) => Intermediate::Compression(own(c)),
            Self::Fax => Intermediate::Fax,
            Self::Data => Intermediate::Data,
            Self::Ringing => Intermediate::Ringing,
        }
    }
}

impl fmt::Display for Intermediate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Carrier { text, .. } => write!(f, "CARRIER {text}"),
            Self::Protocol(p) => write!(f, "PROTOCOL: {p}"),
            Self::Compression(c) => write!(f, "COMPRESSION: {c}"),
            Self::Fax => f.write_str("FAX"),
            Self::Data => f.write_str("DATA"),
            Self::Ringing => f.write_str("RINGING"),
        }
    }
}

fn labelled<'a>(
    label: &'static str,
) -> impl Parser<&'a [u8], Output = Cow<'a, str>, Error = nom::error::Error<&'a [u8]>> {
    (tag_no_case(label), space0, rest_of_line, line_end).map(|(_, _, raw, _)| text(raw))
}

/// An intermediate result code.
///
/// V.250 5.7.2 lets a DCE send intermediate result codes before the final one; Hayes order is
/// `CARRIER`, `PROTOCOL`, `COMPRESSION`, then `CONNECT` (hayes.md §3.3); adaptive answer gives
/// `FAX` or `DATA` before `CONNECT` (§3.4, HylaFAX `ModemWaitForConnect`); `RINGING` reports
/// ringback (§3.4).
pub fn intermediate_result_code(input: &[u8]) -> IResult<&[u8], Intermediate<'_>> {
    alt((
        labelled("CARRIER ").map(|text| Intermediate::Carrier {
            rate: super::connect::Connect::from_text(&text).rate(),
            text,
        }),
        labelled("PROTOCOL:").map(Intermediate::Protocol),
        labelled("COMPRESSION:").map(Intermediate::Compression),
        terminated(value(Intermediate::Fax, tag_no_case("FAX")), line_end),
        terminated(value(Intermediate::Data, tag_no_case("DATA")), line_end),
        terminated(
            value(Intermediate::Ringing, tag_no_case("RINGING")),
            line_end,
        ),
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn rockwell_w1_intermediates_parse() {
        let (_, c) = intermediate_result_code(b"CARRIER 28800\r\n").unwrap();
        assert_eq!(
            c,
            Intermediate::Carrier {
                rate: Some(28800),
                text: "28800".into()
            }
        );
        let (_, p) = intermediate_result_code(b"PROTOCOL: LAPM\r\n").unwrap();
        assert_eq!(p, Intermediate::Protocol("LAPM".into()));
        let (_, z) = intermediate_result_code(b"COMPRESSION: V.42 bis\r\n").unwrap();
        assert_eq!(z, Intermediate::Compression("V.42 bis".into()));
    }

    #[test]
    fn fax_alone_is_intermediate_but_fax_text_is_not() {
        assert_eq!(
            intermediate_result_code(b"FAX\r\n").unwrap().1,
            Intermediate::Fax
        );
        assert!(intermediate_result_code(b"FAXES\r\n").is_err());
        assert!(matches!(
            intermediate_result_code(b"RINGIN"),
            Err(nom::Err::Incomplete(_))
        ));
    }
}

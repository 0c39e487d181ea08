//! `CONNECT` and its text: rate, protocol suffixes, fax.

use std::borrow::Cow;
use std::fmt;

use nom::IResult;
use nom::bytes::streaming::tag_no_case;
use nom::error::{Error, ErrorKind};

use super::text::{CR, LF, line_end, rest_of_line, text};

/// A `CONNECT` result code and the text the modem put after it.
///
/// Built only by parsing ([`connect`] or [`Connect::from_text`]), so the rate always agrees with the
/// text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Connect<'a> {
    text: Cow<'a, str>,
    rate: Option<u32>,
}

impl<'a> Connect<'a> {
    /// Builds a `CONNECT` from the text after the word (`"33600/ARQ/V34/LAPM/V42BIS"`, `""`,
    /// `"FAX"`); control characters and leading and trailing blanks are dropped, as the parser
    /// does.
    pub fn from_text(raw: &'a str) -> Self {
        Self::from_clean(text(raw.as_bytes()))
    }

    /// Builds a `CONNECT` from text already cleaned by [`text`].
    pub(crate) fn from_clean(text: Cow<'a, str>) -> Self {
        let rate = leading_rate(&text).map(|(rate, _)| rate);
        Self { text, rate }
    }

    /// The same result, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> Connect<'static> {
        Connect {
            text: Cow::Owned(self.text.into_owned()),
            rate: self.rate,
        }
    }

    /// The whole text after `CONNECT` (trimmed); empty for a bare `CONNECT` (X0, fax classes).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first number of the text: the DTE rate under Conexant `W0`, the line rate under `W2`
    /// (hayes.md §3.3). `33,600` reads as 33600, `0600` as 600. `None` for `CONNECT`,
    /// `CONNECT FAX` or a text that does not start with a rate (`CONNECT 75TX/1200RX`).
    pub fn rate(&self) -> Option<u32> {
        self.rate
    }

    /// The text after the rate, e.g. `/ARQ/V34/LAPM/V42BIS`; the whole text when there is no rate.
    pub fn suffix(&self) -> &str {
        match leading_rate(&self.text) {
            Some((_, len)) => &self.text[len..],
            None => &self.text,
        }
    }

    /// The `/`-separated tokens of the suffix, trimmed: `["ARQ", "V34", "LAPM", "V42BIS"]`.
    pub fn protocols(&self) -> impl Iterator<Item = &str> {
        self.suffix()
            .split('/')
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// True for `CONNECT FAX` (adaptive answer, hayes.md §3.4).
    pub fn is_fax(&self) -> bool {
        self.text.eq_ignore_ascii_case("FAX")
    }

    /// The line (DCE) rate when the text names one separately from the DTE rate: ZyXEL's
    /// `38400/V.32  9600/MNP5` (the number after two blanks) or Conexant's `TX=28800`.
    pub fn line_rate(&self) -> Option<u32> {
        let suffix = self.suffix();
        if let Some(at) = suffix.find("TX=") {
            return leading_rate(&suffix[at + 3..]).map(|(r, _)| r);
        }
        let at = suffix.find("  ")?;
        leading_rate(suffix[at..].trim_start()).map(|(r, _)| r)
    }
}

impl fmt::Display for Connect<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            f.write_str("CONNECT")
        } else {
            write!(f, "CONNECT {}", self.text)
        }
    }
}

/// A rate at the start of `text`: digits, optionally grouped by commas (`33,600`), ending at the
/// end of the text, a `/` or a blank. Returns the rate and the byte length of the token.
fn leading_rate(text: &str) -> Option<(u32, usize)> {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() {
        let b = bytes[end];
        let grouped = b == b',' && end > 0 && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if b.is_ascii_digit() || grouped {
            end += 1;
        } else {
            break;
        }
    }
    if end == 0 {
        return None;
    }
    if let Some(&next) = bytes.get(end)
        && next != b'/'
        && next != b' '
        && next != b'\t'
    {
        return None;
    }
    // Digits past u32 are no rate, as `str::parse` would say.
    bytes[..end]
        .iter()
        .filter(|b| b.is_ascii_digit())
        .try_fold(0u32, |rate, &d| {
            rate.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
        .map(|rate| (rate, end))
}

/// `CONNECT [<text>]`: the connection result code.
///
/// V.250 Table 1: `1 CONNECT`, "connection has been established"; 6.2.5: under `X1` and above "the
/// `CONNECT <text>` result code" carries manufacturer-specific text. Real forms: `CONNECT 33600/ARQ/
/// V34/LAPM/V42BIS` (USR `&A3`), ZyXEL's two blanks `CONNECT  2400` and `CONNECT 38400/V.32  9600/
/// MNP5`, `CONNECT FAX`, `CONNECT 115200/V34/LAPM/V42B/TX=28800/RX=28000` (Conexant W3/W4), a bare
/// `CONNECT` in fax classes (hayes.md §3.3).
pub fn connect(input: &[u8]) -> IResult<&[u8], Connect<'_>> {
    let (input, _) = tag_no_case("CONNECT")(input)?;
    match input.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(&b) if b == CR || b == LF || b == b' ' || b == b'\t' || b == b'/' => {}
        Some(_) => return Err(nom::Err::Error(Error::new(input, ErrorKind::Tag))),
    }
    let (input, raw) = rest_of_line(input)?;
    let (input, _) = line_end(input)?;
    Ok((input, Connect::from_clean(text(raw))))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn parse(s: &str) -> Connect<'_> {
        connect(s.as_bytes()).unwrap().1
    }

    #[test]
    fn usr_connect_text_gives_rate_and_protocols() {
        let c = parse("CONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n");
        assert_eq!(c.rate(), Some(33600));
        assert_eq!(c.suffix(), "/ARQ/V34/LAPM/V42BIS");
        assert_eq!(
            c.protocols().collect::<Vec<_>>(),
            ["ARQ", "V34", "LAPM", "V42BIS"]
        );
    }

    #[test]
    fn zyxel_two_blanks_are_tolerated_and_line_rate_found() {
        assert_eq!(parse("CONNECT  2400\r\n").rate(), Some(2400));
        let c = parse("CONNECT 38400/V.32  9600/MNP5\r\n");
        assert_eq!(c.rate(), Some(38400));
        assert_eq!(c.line_rate(), Some(9600));
    }

    #[test]
    fn conexant_grouped_rate_and_tx_rate() {
        assert_eq!(parse("CONNECT 33,600\r").rate(), Some(33600));
        let c = parse("CONNECT 115200/V34/LAPM/V42B/TX=28800/RX=28000\r\n");
        assert_eq!(c.line_rate(), Some(28800));
    }

    #[test]
    fn bare_fax_and_split_speed_connects_have_no_rate() {
        assert_eq!(parse("CONNECT\r\n"), Connect::default());
        assert!(parse("CONNECT FAX\r\n").is_fax());
        let c = parse("CONNECT 75TX/1200RX\r\n");
        assert_eq!(c.rate(), None);
        assert_eq!(c.suffix(), "75TX/1200RX");
    }

    #[test]
    fn connected_is_not_connect_and_partial_is_incomplete() {
        assert!(matches!(connect(b"CONNECTED\r\n"), Err(nom::Err::Error(_))));
        assert!(matches!(
            connect(b"CONNECT 336"),
            Err(nom::Err::Incomplete(_))
        ));
        assert!(matches!(connect(b"CONN"), Err(nom::Err::Incomplete(_))));
    }
}

//! `RING` in its vendor variants, and V.253 distinctive-ring cadence reports.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use nom::bytes::streaming::tag_no_case;
use nom::character::streaming::{digit1, one_of, space0};
use nom::error::{Error, ErrorKind};
use nom::{IResult, Parser};

use super::text::{CR, LF, line_end, rest_of_line, text};

/// The distinctive-ring tag some modems put after `RING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RingTag {
    /// `RING 1`…`RING 5`, `RING1` (ZyXEL, Rockwell `#SDR`), `DN9` (Zoom MX/S).
    Number(u8),
    /// `RING A`…`RING E`.
    Letter(char),
}

/// One `RING`, with what the vendor variant carried.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ring<'a> {
    /// Distinctive-ring tag, if any.
    pub tag: Option<RingTag>,
    /// Calling number carried on the RING line itself (ELSA `RING;<from>`, USR "type B"
    /// `RING 090909`, Zoom MX/S `RING: 3 DN9 8888`).
    pub caller: Option<Cow<'a, str>>,
    /// Called number or MSN (isdn4linux `RING/<msn>`, ELSA `RING;<from>;<to>`).
    pub called: Option<Cow<'a, str>>,
}

impl Ring<'_> {
    /// The same ring, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> Ring<'static> {
        let own = |v: Option<Cow<'_, str>>| v.map(|v| Cow::Owned(v.into_owned()));
        Ring {
            tag: self.tag,
            caller: own(self.caller),
            called: own(self.called),
        }
    }
}

impl fmt::Display for Ring<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RING")?;
        match (&self.tag, &self.caller, &self.called) {
            (Some(RingTag::Number(n)), None, None) => write!(f, " {n}"),
            (Some(RingTag::Letter(c)), None, None) => write!(f, " {c}"),
            (None, Some(from), None) => write!(f, " {from}"),
            (None, None, Some(to)) => write!(f, "/{to}"),
            (None, Some(from), Some(to)) => write!(f, ";{from};{to}"),
            (Some(RingTag::Number(n)), Some(from), None) => write!(f, ": 0 DN{n} {from}"),
            _ => Ok(()),
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Interprets what follows `RING` (already known to start with a blank, `;`, `/`, `:` or a digit).
fn ring_variant(rest: &str) -> Ring<'_> {
    let mut ring = Ring::default();
    if let Some(fields) = rest.strip_prefix(';') {
        let mut parts = fields.split(';').map(str::trim);
        ring.caller = parts.next().filter(|p| !p.is_empty()).map(Cow::Borrowed);
        ring.called = parts.next().filter(|p| !p.is_empty()).map(Cow::Borrowed);
    } else if let Some(msn) = rest.strip_prefix('/') {
        ring.called = Some(Cow::Borrowed(msn.trim())).filter(|m| !m.is_empty());
    } else if let Some(fields) = rest.strip_prefix(':') {
        for token in fields.split_whitespace() {
            if let Some(id) = token.strip_prefix("DN").filter(|d| all_digits(d)) {
                ring.tag = id.parse().ok().map(RingTag::Number);
            } else if all_digits(token) && ring.tag.is_some() {
                ring.caller = Some(Cow::Borrowed(token));
            }
        }
    } else {
        let token = rest.trim();
        let mut chars = token.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_digit() => {
                ring.tag = Some(RingTag::Number(c as u8 - b'0'));
            }
            (Some(c), None) if c.is_ascii_alphabetic() => {
                ring.tag = Some(RingTag::Letter(c.to_ascii_uppercase()));
            }
            _ if all_digits(token) => ring.caller = Some(Cow::Borrowed(token)),
            _ => {}
        }
    }
    ring
}

/// `RING` and its vendor variants: an incoming call's ring burst.
///
/// V.250 Table 1: `2 RING`, "the DCE has detected an incoming call signal from the network".
/// Variants (hayes.md §10.5, mgetty `t_ring.c`): `RING 1`…`RING 5` and `RING A`…`RING E`
/// (distinctive ring), `RING1` (no blank), `RING/<msn>` (isdn4linux), `RING;<from>[;<to>]` (ELSA),
/// `RING 090909` (USR "type B", two or more digits are a number), `RING: <type> DN<id> <from>` (Zoom
/// MX/S). `RINGING` is not a ring (see [`super::intermediate_result_code`]).
pub fn ring(input: &[u8]) -> IResult<&[u8], Ring<'_>> {
    let (input, _) = tag_no_case("RING")(input)?;
    match input.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(&b) if b == CR || b == LF || matches!(b, b' ' | b'\t' | b';' | b'/' | b':') => {}
        Some(b) if b.is_ascii_digit() => {}
        Some(_) => return Err(nom::Err::Error(Error::new(input, ErrorKind::Tag))),
    }
    let (input, raw) = rest_of_line(input)?;
    let (input, _) = line_end(input)?;
    let ring = match text(raw) {
        Cow::Borrowed(rest) => ring_variant(rest),
        Cow::Owned(rest) => ring_variant(&rest).into_owned(),
    };
    Ok((input, ring))
}

/// A V.253 distinctive-ring cadence report: one ring (`DRON`) or silence (`DROF`) period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RingCadence {
    /// True for `DRON` (ring on), false for `DROF` (ring off).
    pub ringing: bool,
    /// The period's length (reported in units of 100 ms).
    pub duration: Duration,
}

impl fmt::Display for RingCadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.ringing { "DRON" } else { "DROF" };
        write!(f, "{name}={}", self.duration.as_millis() / 100)
    }
}

/// `DRON=<n>` / `DROF=<n>`: ring-on and ring-off period reports.
///
/// V.253 `+VDR=<enable>,<report>`: "the DCE shall report ... the duration of each ring-on and
/// ring-off period ... in units of 100 ms" (hayes.md §10.5; mgetty: `DROF=0`, `DRON=11`, `RING`).
pub fn ring_cadence(input: &[u8]) -> IResult<&[u8], RingCadence> {
    let (input, (_, which, _, _, _, digits, _)) = (
        tag_no_case("DRO"),
        one_of("NFnf"),
        space0,
        nom::character::streaming::char('='),
        space0,
        digit1,
        line_end,
    )
        .parse(input)?;
    let tenths: u64 = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or(nom::Err::Error(Error::new(input, ErrorKind::Digit)))?;
    Ok((
        input,
        RingCadence {
            ringing: which.eq_ignore_ascii_case(&'N'),
            duration: Duration::from_millis(tenths.saturating_mul(100)),
        },
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn parse(s: &str) -> Ring<'_> {
        ring(s.as_bytes()).unwrap().1
    }

    #[test]
    fn distinctive_ring_tags() {
        assert_eq!(parse("RING 2\r\n").tag, Some(RingTag::Number(2)));
        assert_eq!(parse("RING1\r\n").tag, Some(RingTag::Number(1)));
        assert_eq!(parse("RING A\r\n").tag, Some(RingTag::Letter('A')));
        assert_eq!(parse("RING\r\n"), Ring::default());
    }

    #[test]
    fn vendor_rings_carry_numbers() {
        assert_eq!(parse("RING 090909\r\n").caller.as_deref(), Some("090909"));
        let elsa = parse("RING;717171;999999\r\n");
        assert_eq!(elsa.caller.as_deref(), Some("717171"));
        assert_eq!(elsa.called.as_deref(), Some("999999"));
        assert_eq!(parse("RING/0666\r\n").called.as_deref(), Some("0666"));
        let zoom = parse("RING: 3 DN9 8888\r\n");
        assert_eq!(zoom.tag, Some(RingTag::Number(9)));
        assert_eq!(zoom.caller.as_deref(), Some("8888"));
    }

    #[test]
    fn ringing_is_not_ring() {
        assert!(matches!(ring(b"RINGING\r\n"), Err(nom::Err::Error(_))));
        assert!(matches!(ring(b"RIN"), Err(nom::Err::Incomplete(_))));
    }

    #[test]
    fn cadence_reports_in_tenths() {
        let (_, c) = ring_cadence(b"DRON=11\r\n").unwrap();
        assert!(c.ringing);
        assert_eq!(c.duration, Duration::from_millis(1100));
        let (_, c) = ring_cadence(b"DROF = 40\r\n").unwrap();
        assert!(!c.ringing);
        assert_eq!(c.to_string(), "DROF=40");
    }
}

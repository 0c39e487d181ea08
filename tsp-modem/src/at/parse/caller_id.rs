//! Caller ID lines (`NMBR = …`, `NMBR=…`, vendor spellings) and the record they add up to.

use std::borrow::Cow;
use std::fmt;

use nom::branch::alt;
use nom::bytes::streaming::tag_no_case;
use nom::character::streaming::space0;
use nom::combinator::value;
use nom::{IResult, Parser};

use super::text::{line_end, rest_of_line, text, trim_blanks_end};

/// A caller-ID value that may be withheld.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CidValue<'a> {
    /// The number or name as delivered.
    Present(Cow<'a, str>),
    /// `P`: withheld by the caller (private, blocked).
    Private,
    /// `O`: out of area or unavailable.
    Unavailable,
}

impl<'a> CidValue<'a> {
    /// Reads a value, mapping the documented markers (`P`, `PRIVATE`, `O`, `OUT_OF_AREA`, …).
    pub fn from_text(value: &'a str) -> Self {
        let value = value.trim();
        Self::marker(value).unwrap_or(Self::Present(Cow::Borrowed(value)))
    }

    /// Reads a value already trimmed (as [`text`] leaves it).
    fn from_trimmed(value: Cow<'a, str>) -> Self {
        Self::marker(&value).unwrap_or(Self::Present(value))
    }

    /// The same value, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> CidValue<'static> {
        match self {
            Self::Present(v) => CidValue::Present(Cow::Owned(v.into_owned())),
            Self::Private => CidValue::Private,
            Self::Unavailable => CidValue::Unavailable,
        }
    }

    /// The withheld marker `value` spells, in any case.
    fn marker(value: &str) -> Option<Self> {
        let is = |words: &[&str]| words.iter().any(|w| value.eq_ignore_ascii_case(w));
        if is(&["P", "PRIVATE", "BLOCKED"]) {
            Some(Self::Private)
        } else if is(&["O", "OUT_OF_AREA", "OUT OF AREA", "UNAVAILABLE"]) {
            Some(Self::Unavailable)
        } else {
            None
        }
    }

    /// The delivered value, or `None` when withheld.
    pub fn present(&self) -> Option<&str> {
        match self {
            Self::Present(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for CidValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Present(v) => f.write_str(v),
            Self::Private => f.write_str("P"),
            Self::Unavailable => f.write_str("O"),
        }
    }
}

/// One caller-ID line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallerIdField<'a> {
    /// `DATE = MMDD`.
    Date(Cow<'a, str>),
    /// `TIME = HHMM` (24 h).
    Time(Cow<'a, str>),
    /// `NMBR = …`, `DDN_NMBR= …`, ZyXEL `CALLER NUMBER: …`, `FM:…`; or the reason it is missing.
    Number(CidValue<'a>),
    /// `NAME = …`, ZyXEL `CALLER NAME: …`; or the reason it is missing.
    Name(CidValue<'a>),
    /// `MESG = …`: a parameter the modem did not decode, as ASCII hex.
    Message(Cow<'a, str>),
    /// `NDID=…` (dialled number, Patton `#CID=10`) or ZyXEL ISDN `TO:…`.
    Called(Cow<'a, str>),
}

impl CallerIdField<'_> {
    /// The same field, owning its text (for keeping past the digester's buffer).
    pub fn into_owned(self) -> CallerIdField<'static> {
        let own = |v: Cow<'_, str>| Cow::Owned(v.into_owned());
        match self {
            Self::Date(v) => CallerIdField::Date(own(v)),
            Self::Time(v) => CallerIdField::Time(own(v)),
            Self::Number(v) => CallerIdField::Number(v.into_owned()),
            Self::Name(v) => CallerIdField::Name(v.into_owned()),
            Self::Message(v) => CallerIdField::Message(own(v)),
            Self::Called(v) => CallerIdField::Called(own(v)),
        }
    }
}

impl fmt::Display for CallerIdField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Date(v) => write!(f, "DATE = {v}"),
            Self::Time(v) => write!(f, "TIME = {v}"),
            Self::Number(v) => write!(f, "NMBR = {v}"),
            Self::Name(v) => write!(f, "NAME = {v}"),
            Self::Message(v) => write!(f, "MESG = {v}"),
            Self::Called(v) => write!(f, "NDID = {v}"),
        }
    }
}

#[derive(Clone, Copy)]
enum Tag {
    Date,
    Time,
    Number,
    Name,
    Mesg,
    Called,
    NoNumber,
    NoName,
}

/// The field a tag names, from its value as [`text`] cleaned it (trimmed).
fn field(tag: Tag, value: Cow<'_, str>) -> CallerIdField<'_> {
    match tag {
        Tag::Date => CallerIdField::Date(value),
        Tag::Time => CallerIdField::Time(value),
        Tag::Number => CallerIdField::Number(CidValue::from_trimmed(value)),
        Tag::Name => CallerIdField::Name(CidValue::from_trimmed(value)),
        Tag::Mesg => CallerIdField::Message(value),
        Tag::Called => CallerIdField::Called(value),
        Tag::NoNumber => CallerIdField::Number(reason(&value)),
        Tag::NoName => CallerIdField::Name(reason(&value)),
    }
}

/// A "reason for no number/name" value: `P` private, anything else unavailable.
fn reason(value: &str) -> CidValue<'static> {
    match CidValue::marker(value) {
        Some(withheld) => withheld,
        None => CidValue::Unavailable,
    }
}

/// `TAG = value` with blanks around `=` optional: the Rockwell/Conexant formatted output.
fn formatted(input: &[u8]) -> IResult<&[u8], CallerIdField<'_>> {
    let (input, tag) = alt((
        value(Tag::Date, tag_no_case("DATE")),
        value(Tag::Time, tag_no_case("TIME")),
        value(Tag::Number, tag_no_case("NMBR")),
        value(Tag::Number, tag_no_case("DDN_NMBR")),
        value(Tag::Number, tag_no_case("NBR")),
        value(Tag::Name, tag_no_case("NAME")),
        value(Tag::Mesg, tag_no_case("MESG")),
        value(Tag::Called, tag_no_case("NDID")),
    ))
    .parse(input)?;
    let (input, (_, _, _, raw, _)) = (
        space0,
        nom::character::streaming::char('='),
        space0,
        rest_of_line,
        line_end,
    )
        .parse(input)?;
    Ok((input, field(tag, text(raw))))
}

/// A complete formatted line (`raw` is the line without its terminator), found with one
/// `memchr` for the `=`: what [`formatted`] answers, or `None` when the key is no tag.
pub(super) fn formatted_line(raw: &[u8]) -> Option<CallerIdField<'_>> {
    let eq = memchr::memchr(b'=', raw)?;
    let key = trim_blanks_end(&raw[..eq]);
    const TAGS: &[(&[u8], Tag)] = &[
        (b"DATE", Tag::Date),
        (b"TIME", Tag::Time),
        (b"NMBR", Tag::Number),
        (b"DDN_NMBR", Tag::Number),
        (b"NBR", Tag::Number),
        (b"NAME", Tag::Name),
        (b"MESG", Tag::Mesg),
        (b"NDID", Tag::Called),
    ];
    let (_, tag) = TAGS
        .iter()
        .find(|(name, _)| key.eq_ignore_ascii_case(name))?;
    Some(field(*tag, text(&raw[eq + 1..])))
}

/// ZyXEL 1496 labels: `CALLER NUMBER: …`, `CALLER NAME: …`, `REASON FOR NO CALLER NUMBER: …`.
fn labelled(input: &[u8]) -> IResult<&[u8], CallerIdField<'_>> {
    let (input, tag) = alt((
        value(Tag::Number, tag_no_case("CALLER NUMBER:")),
        value(Tag::Number, tag_no_case("CALLER'S NUMBER:")),
        value(Tag::Name, tag_no_case("CALLER NAME:")),
        value(Tag::NoNumber, tag_no_case("REASON FOR NO CALLER NUMBER:")),
        value(Tag::NoName, tag_no_case("REASON FOR NO CALLER NAME:")),
    ))
    .parse(input)?;
    let (input, (_, raw, _)) = (space0, rest_of_line, line_end).parse(input)?;
    Ok((input, field(tag, text(raw))))
}

/// ZyXEL 2864 ISDN `FM:<from> [TO:<to>]`; only the calling number is kept here.
fn zyxel_isdn(input: &[u8]) -> IResult<&[u8], CallerIdField<'_>> {
    let (input, (_, _, raw, _)) =
        (tag_no_case("FM:"), space0, rest_of_line, line_end).parse(input)?;
    let line = text(raw);
    let number = match line {
        Cow::Borrowed(line) => CidValue::from_text(before_to(line)),
        Cow::Owned(line) => CidValue::from_text(before_to(&line)).into_owned(),
    };
    Ok((input, CallerIdField::Number(number)))
}

/// The calling part of `FM:<from> [TO:<to>]`.
fn before_to(line: &str) -> &str {
    match line.find("TO:") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// One caller-ID line in any documented spelling.
///
/// Formatted output of `+VCID=1` / `#CID=1` (hayes.md §10.2): "one `TAG = VALUE` line per item,
/// spaces around `=`" (Conexant), no spaces on USR 5637 1.2.23 and Lucent Venus (`NMBR=…`); tags
/// `DATE`, `TIME`, `NMBR`, `NAME`, `MESG`, `DDN_NMBR`, `NDID`; values `P` (private) and `O` (out of
/// area) mean no number. Vendor labels: ZyXEL `CALLER NUMBER:`, `CALLER NAME:`, `REASON FOR NO
/// CALLER NUMBER:`, ZyXEL ISDN `FM:…`, Kortex `NBR=` (mgetty `cnd.c`). "Split on the first `=`,
/// trim both sides, … not require NAME."
pub fn caller_id(input: &[u8]) -> IResult<&[u8], CallerIdField<'_>> {
    alt((formatted, labelled, zyxel_isdn)).parse(input)
}

/// The caller-ID record of one incoming call, assembled from its lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CallerId {
    /// `DATE` (MMDD).
    pub date: Option<String>,
    /// `TIME` (HHMM).
    pub time: Option<String>,
    /// The calling number, or why it is missing.
    pub number: Option<CidValue<'static>>,
    /// The listing name, or why it is missing (often absent: SDMF service, UK, VoIP adapters).
    pub name: Option<CidValue<'static>>,
    /// The dialled number, when the modem reports it.
    pub called: Option<String>,
    /// `MESG` parameters the modem did not decode, as sent.
    pub messages: Vec<String>,
}

impl CallerId {
    /// True when the field's kind is already in the record (the start of the next record).
    pub fn has(&self, field: &CallerIdField<'_>) -> bool {
        match field {
            CallerIdField::Date(_) => self.date.is_some(),
            CallerIdField::Time(_) => self.time.is_some(),
            CallerIdField::Number(_) => self.number.is_some(),
            CallerIdField::Name(_) => self.name.is_some(),
            CallerIdField::Called(_) => self.called.is_some(),
            CallerIdField::Message(_) => false,
        }
    }

    /// Adds a field. A `MESG` that carries a number parameter fills a missing number (Bell Canada
    /// lines on Supra/Rockwell modems deliver the number only there, mgetty `cnd.c`).
    pub fn add(&mut self, field: CallerIdField<'_>) {
        match field {
            CallerIdField::Date(v) => self.date = Some(v.into_owned()),
            CallerIdField::Time(v) => self.time = Some(v.into_owned()),
            CallerIdField::Number(v) => self.number = Some(v.into_owned()),
            CallerIdField::Name(v) => self.name = Some(v.into_owned()),
            CallerIdField::Called(v) => self.called = Some(v.into_owned()),
            CallerIdField::Message(m) => {
                if self.number.is_none() {
                    self.number = mesg_number(&m);
                }
                self.messages.push(m.into_owned());
            }
        }
    }
}

/// Decodes the calling number from a `MESG` value: ASCII hex of `type, length, data` parameters
/// (SDMF/MDMF layout, hayes.md §10.3); type 0x02 or 0x03 is a number, 0x04 the reason for none.
pub fn mesg_number(hex: &str) -> Option<CidValue<'static>> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect();
    let bytes = bytes?;
    let mut at = 0;
    while at + 2 <= bytes.len() {
        let (kind, len) = (bytes[at], usize::from(bytes[at + 1]));
        let data = bytes.get(at + 2..at + 2 + len)?;
        match kind {
            0x02 | 0x03 if data.iter().all(u8::is_ascii_digit) && !data.is_empty() => {
                return Some(CidValue::Present(Cow::Owned(
                    String::from_utf8_lossy(data).into_owned(),
                )));
            }
            0x04 if data.len() == 1 => {
                return Some(reason(&char::from(data[0]).to_string()));
            }
            _ => at += 2 + len,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn parse(s: &str) -> CallerIdField<'_> {
        caller_id(s.as_bytes()).unwrap().1
    }

    #[test]
    fn with_and_without_blanks_around_equals() {
        let n = CallerIdField::Number(CidValue::Present("5045551234".into()));
        assert_eq!(parse("NMBR = 5045551234\r\n"), n);
        assert_eq!(parse("NMBR=5045551234\r\n"), n);
        assert_eq!(
            parse("NAME=WIRELESS CALLER\r\n"),
            CallerIdField::Name(CidValue::Present("WIRELESS CALLER".into()))
        );
    }

    #[test]
    fn private_and_out_of_area_markers() {
        assert_eq!(
            parse("NMBR = P\r\n"),
            CallerIdField::Number(CidValue::Private)
        );
        assert_eq!(
            parse("NMBR = O\r\n"),
            CallerIdField::Number(CidValue::Unavailable)
        );
        assert_eq!(
            parse("REASON FOR NO CALLER NUMBER: P\r\n"),
            CallerIdField::Number(CidValue::Private)
        );
    }

    #[test]
    fn zyxel_isdn_keeps_the_calling_number() {
        assert_eq!(
            parse("FM:1234 TO:35655023\r\n"),
            CallerIdField::Number(CidValue::Present("1234".into()))
        );
    }

    #[test]
    fn bell_canada_mesg_carries_the_number() {
        assert_eq!(
            mesg_number("030735353531323132"),
            Some(CidValue::Present("5551212".into()))
        );
        assert_eq!(mesg_number("0401"), None);
        assert_eq!(mesg_number("zz"), None);
    }

    #[test]
    fn partial_line_is_incomplete() {
        assert!(matches!(
            caller_id(b"NMBR = 50"),
            Err(nom::Err::Incomplete(_))
        ));
        assert!(matches!(caller_id(b"NM"), Err(nom::Err::Incomplete(_))));
    }
}

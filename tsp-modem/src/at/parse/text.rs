//! The pieces every response line is made of: the blank header, the line terminator, and
//! information text.

use std::borrow::Cow;

use nom::error::{Error, ErrorKind};
use nom::{IResult, Needed};

/// Carriage return, the default `S3`.
pub const CR: u8 = b'\r';
/// Line feed, the default `S4`.
pub const LF: u8 = b'\n';

/// True for the bytes that end a line: `S3` (CR) or `S4` (LF).
pub(crate) fn is_line_end(b: u8) -> bool {
    b == CR || b == LF
}

/// The header in front of a response: any number of `<S3>`, `<S4>`, blanks or NULs.
///
/// V.250 5.7.1: "the DCE shall transmit ... `<S3><S4>` ... then the text, then `<S3><S4>`". Real modems
/// omit it (Smart Link slmodemd with `E0`), double it, or leave a lone CR or LF (hayes.md §2, §13:
/// "treat a lone CR or LF as whitespace"), so the header is optional and may repeat. Streaming: input
/// that is all header so far is `Incomplete`.
pub fn header(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let n = input
        .iter()
        .position(|&b| !matches!(b, CR | LF | b' ' | b'\t' | 0))
        .ok_or(nom::Err::Incomplete(Needed::new(1)))?;
    Ok((&input[n..], &input[..n]))
}

/// The end of a line: optional trailing blanks, then `<S3>` or `<S4>`.
///
/// V.250 5.7.1: verbose responses end in `<S3><S4>`, numeric result codes in `<S3>` alone. Observed:
/// trailing spaces before CR LF (`S95:000 \r\n` in `AT&V`, hayes.md §2). Only the first terminator
/// byte is consumed; a following LF is header of the next line. Returns the terminator byte.
pub fn line_end(input: &[u8]) -> IResult<&[u8], u8> {
    let blanks = input
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .ok_or(nom::Err::Incomplete(Needed::new(1)))?;
    let rest = &input[blanks..];
    match rest.first() {
        Some(&b) if is_line_end(b) => Ok((&rest[1..], b)),
        Some(_) => Err(nom::Err::Error(Error::new(rest, ErrorKind::CrLf))),
        None => Err(nom::Err::Incomplete(Needed::new(1))),
    }
}

/// `bytes` without its trailing blanks (spaces and tabs, as [`line_end`] and nom's `space0` skip).
pub(crate) fn trim_blanks_end(bytes: &[u8]) -> &[u8] {
    let blanks = bytes
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &bytes[..bytes.len() - blanks]
}

/// Everything up to the end of the line (not consuming the terminator).
pub(crate) fn rest_of_line(input: &[u8]) -> IResult<&[u8], &[u8]> {
    match input.iter().position(|&b| is_line_end(b)) {
        Some(n) => Ok((&input[n..], &input[..n])),
        None => Err(nom::Err::Incomplete(Needed::new(1))),
    }
}

/// Information text: any line that is not a result code or an unsolicited report.
///
/// V.250 5.7.1: "information text ... `<S3><S4>text<S3><S4>`" in verbose mode and `text<S3><S4>` in
/// numeric mode. `+FCLASS` answers, `ATI` banners, `AT&V` dumps and bare read answers such as `0`
/// (Conexant `AT+FCLASS?`, hayes.md §2) are all information text. Returns the raw bytes; see
/// [`text`] for the cleaned string.
pub fn information_text(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let (input, raw) = rest_of_line(input)?;
    let (input, _) = line_end(input)?;
    Ok((input, raw))
}

/// Cleans raw line bytes into text: control characters are dropped (V.250 5.2.1 discards them in
/// commands; modems put them in banners, e.g. ATI9 PnP strings), bytes that are not UTF-8 become
/// U+FFFD, and blanks are trimmed at both ends. Borrows `raw` when nothing is dropped or replaced
/// (printable ASCII and tabs, as nearly every line is).
#[inline]
pub fn text(raw: &[u8]) -> Cow<'_, str> {
    // One pass with no early exit (so it vectorises): printable ASCII and tabs only, as nearly
    // every line is, leaves nothing to drop or replace.
    let printable = raw.iter().fold(true, |ok, &b| {
        ok & ((0x20..0x7f).contains(&b) | (b == b'\t'))
    });
    if printable {
        return std::str::from_utf8(raw.trim_ascii()).map_or(Cow::Borrowed(""), Cow::Borrowed);
    }
    let kept: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
        .collect();
    Cow::Owned(String::from_utf8_lossy(&kept).trim().to_owned())
}

/// True when raw line bytes carry no printable ASCII at all: line noise, a wrong bit rate.
pub fn is_garbage(raw: &[u8]) -> bool {
    !raw.iter().any(|b| (0x21..=0x7e).contains(b))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn header_of_blank_input_is_incomplete() {
        assert!(matches!(header(b"\r\n"), Err(nom::Err::Incomplete(_))));
        assert_eq!(header(b"\r\nOK").unwrap(), (&b"OK"[..], &b"\r\n"[..]));
    }

    #[test]
    fn line_end_accepts_trailing_spaces_and_either_terminator() {
        assert_eq!(line_end(b"  \r\n").unwrap(), (&b"\n"[..], CR));
        assert_eq!(line_end(b"\n").unwrap(), (&b""[..], LF));
        assert!(matches!(line_end(b"  "), Err(nom::Err::Incomplete(_))));
        assert!(matches!(line_end(b" x"), Err(nom::Err::Error(_))));
    }

    #[test]
    fn information_text_waits_for_the_terminator() {
        assert!(matches!(
            information_text(b"hsfmodem"),
            Err(nom::Err::Incomplete(_))
        ));
        let (rest, raw) = information_text(b"S95:000 \r\nOK").unwrap();
        assert_eq!(text(raw), "S95:000");
        assert_eq!(rest, b"\nOK");
    }

    #[test]
    fn text_drops_control_characters_and_keeps_utf8_lossy() {
        assert_eq!(text(b"(\x01#ELS8318 \xff"), "(#ELS8318 \u{fffd}");
        assert!(is_garbage(b"\xff\xfe\x80 "));
        assert!(!is_garbage(b"---"));
    }
}

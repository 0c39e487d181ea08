//! The common complete lines, classified without the streaming grammar.
//!
//! The digester finds a line's end with `memchr2` before classifying it, so the line is
//! complete and the nom grammar's streaming passes and alternations are more than it needs for
//! the lines a modem sends most: exact final result codes, a bare `RING`, `CONNECT …`,
//! formatted caller ID and information text that starts no keyword. Those are classified here
//! directly; anything else goes to the grammar, which stays the reference (the tests check the
//! two agree on arbitrary lines).

use super::caller_id::formatted_line;
use super::connect::Connect;
use super::result_code::VERBOSE;
use super::text::{is_line_end, text, trim_blanks_end};
use super::{FinalResult, Line, Ring, element, text_of};

/// Whether a line that starts with `first`, `second` (upper-cased) can be anything but
/// information text: these are the first two bytes of every keyword of the grammar (final result
/// codes, `CONNECT`, intermediate result codes, `RING`, `DRON`/`DROF`, the caller-ID tags and
/// labels).
fn starts_a_keyword(first: u8, second: u8) -> bool {
    matches!(
        (first, second),
        (b'O', b'K')
            | (b'E', b'R')
            | (b'N', b'O' | b'M' | b'B' | b'A' | b'D')
            | (b'B', b'U' | b'L')
            | (b'D', b'E' | b'A' | b'R' | b'D')
            | (b'L', b'I')
            | (b'U', b'N')
            | (b'C', b'O' | b'A')
            | (b'P', b'R')
            | (b'F', b'A' | b'M')
            | (b'R', b'I' | b'E')
            | (b'T', b'I')
            | (b'M', b'E')
    )
}

/// One complete line: `line` starts after the header (not blank) and ends with its first
/// `<S3>` or `<S4>`.
///
/// Answers what [`super::response_line`] answers for the same bytes in verbose mode (V.250
/// 5.7.1), with each byte looked at a bounded number of times.
///
/// The grammar ends in information text, its catch-all, so a complete line always classifies;
/// were it ever to fail, the line reads as information text all the same.
#[inline]
pub(crate) fn classify(line: &[u8]) -> Line<'_> {
    if let Some(classified) = common(line) {
        return classified;
    }
    match element(line) {
        Ok((_, classified)) => classified,
        Err(_) => text_of(line.split_last().map_or(line, |(_, raw)| raw)),
    }
}

/// The line when it is one of the common shapes; `None` sends it to the grammar.
#[inline(always)]
fn common(line: &[u8]) -> Option<Line<'_>> {
    let (&terminator, raw) = line.split_last()?;
    if !is_line_end(terminator) || raw.is_empty() {
        return None;
    }
    let first = line[0].to_ascii_uppercase();
    if !starts_a_keyword(first, line[1].to_ascii_uppercase()) {
        return Some(text_of(raw));
    }
    // Without the trailing blanks `line_end` allows.
    let content = trim_blanks_end(raw);
    if let Some((_, result)) = VERBOSE.iter().find(|(word, _)| {
        let word = word.as_bytes();
        word.len() == content.len() && word[0] == first && content.eq_ignore_ascii_case(word)
    }) {
        return Some(Line::Result(result.clone()));
    }
    if content.eq_ignore_ascii_case(b"RING") {
        return Some(Line::Ring(Ring::default()));
    }
    if let Some(head) = raw.get(..7)
        && head.eq_ignore_ascii_case(b"CONNECT")
    {
        let rest = &raw[7..];
        return match rest.first() {
            None | Some(b' ' | b'\t' | b'/') => Some(Line::Result(FinalResult::Connect(
                Connect::from_clean(text(rest)),
            ))),
            Some(_) => None,
        };
    }
    formatted_line(raw).map(Line::CallerId)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use proptest::prelude::*;

    use super::*;
    use crate::at::parse::header;
    use crate::at::parse::tests::keyword_line;

    /// `bytes` cut at its first line end and given one, as the digester hands lines over.
    fn complete(mut bytes: Vec<u8>, terminator: u8) -> Vec<u8> {
        if let Some(end) = bytes.iter().position(|&b| is_line_end(b)) {
            bytes.truncate(end);
        }
        bytes.push(terminator);
        bytes
    }

    #[test]
    fn the_common_lines_take_the_short_way() {
        let cases: &[(&[u8], Line<'_>)] = &[
            (b"OK\r", Line::Result(FinalResult::Ok)),
            (b"no dial tone  \n", Line::Result(FinalResult::NoDialtone)),
            (b"RING\r", Line::Ring(Ring::default())),
            (
                b"CONNECT 33600/ARQ\r",
                Line::Result(FinalResult::Connect(Connect::from_text("33600/ARQ"))),
            ),
            (b"ATI3\r", Line::Text("ATI3".into())),
        ];
        for (line, want) in cases {
            assert_eq!(common(line).as_ref(), Some(want), "{line:?}");
        }
        assert!(matches!(
            common(b"NMBR = 5551234\r"),
            Some(Line::CallerId(_))
        ));
        // Not one of the common shapes: the grammar decides.
        assert_eq!(common(b"CONNECTED\r"), None);
        assert_eq!(common(b"RING 2\r"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn the_short_way_agrees_with_the_grammar(
            line in prop_oneof![keyword_line(), proptest::collection::vec(any::<u8>(), 1..40)],
            terminator in prop_oneof![Just(b'\r'), Just(b'\n')],
        ) {
            let line = complete(line, terminator);
            // The digester classifies only after the header, a line that is not blank.
            prop_assume!(header(&line).is_ok_and(|(rest, _)| rest.len() == line.len()));
            prop_assert_eq!(Ok(classify(&line)), element(&line).map(|(_, l)| l));
        }
    }
}

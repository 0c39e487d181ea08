//! One command line into its commands (V.250 §5.2–5.4), so a line the modem refuses whole can
//! be retried a command at a time to find the one it rejects.
//!
//! ```
//! use tsp_modem::at::split_command_line;
//!
//! assert_eq!(
//!     split_command_line("AT&C1&D2X4S7=60+FCLASS=0").unwrap(),
//!     ["&C1", "&D2", "X4", "S7=60", "+FCLASS=0"]
//! );
//! assert_eq!(split_command_line("AT+VCID=1;+VLS=0").unwrap(), ["+VCID=1", "+VLS=0"]);
//! assert_eq!(split_command_line("ATD5550100"), None, "D takes the rest of the line");
//! ```

/// The commands of `line` (which must start with `AT`, any case), each without the `AT`:
/// basic commands (a letter, or `&`, `\` or `%` and a letter, then digits: V.250 §5.3.1),
/// S-parameters (`S7=60`, `S0?`: §5.3.2), and extended commands (`+`, `#`, `*` or `$` then
/// a name, up to the `;` that ends it: §5.4). `None` when the line cannot be split safely: no
/// `AT`, a `D` or `A` (which end a line), or characters no rule covers.
pub fn split_command_line(line: &str) -> Option<Vec<String>> {
    line.get(..2).filter(|p| p.eq_ignore_ascii_case("AT"))?;
    let bytes = line.as_bytes();
    let mut i = 2;
    let mut out = Vec::new();
    let digits = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    while i < bytes.len() {
        let c = bytes[i].to_ascii_uppercase();
        let start = i;
        match c {
            b' ' => {
                i += 1;
                continue;
            }
            b'+' | b'#' | b'*' | b'$' => {
                let end = line[i..].find(';').map_or(bytes.len(), |p| i + p);
                i = if end < bytes.len() { end + 1 } else { end };
                out.push(line[start..end].trim().to_owned());
                continue;
            }
            b'&' | b'\\' | b'%' => {
                if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                    return None;
                }
                i = digits(i + 2);
            }
            b'S' => {
                i = digits(i + 1);
                match bytes.get(i) {
                    Some(b'?') => i += 1,
                    Some(b'=') => i = digits(i + 1),
                    _ => {}
                }
            }
            b'D' | b'A' => return None,
            c if c.is_ascii_alphabetic() => i = digits(i + 1),
            _ => return None,
        }
        out.push(line[start..i].to_owned());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn basic_commands_split_at_each_letter_with_its_digits() {
        assert_eq!(
            split_command_line("ATE0V1Q0X4").unwrap(),
            ["E0", "V1", "Q0", "X4"]
        );
        assert_eq!(split_command_line("at&f&c1").unwrap(), ["&f", "&c1"]);
        assert_eq!(split_command_line("AT\\N3%C1").unwrap(), ["\\N3", "%C1"]);
    }

    #[test]
    fn s_parameters_keep_their_value_or_query() {
        assert_eq!(
            split_command_line("ATS0=0S7?S10=14").unwrap(),
            ["S0=0", "S7?", "S10=14"]
        );
    }

    #[test]
    fn a_line_that_cannot_be_split_safely_is_none() {
        assert_eq!(split_command_line("&C1"), None, "no AT");
        assert_eq!(split_command_line("ATA"), None);
        assert_eq!(split_command_line("AT&"), None);
        assert_eq!(split_command_line("AT!X"), None);
    }

    #[test]
    fn an_empty_line_has_no_commands() {
        assert_eq!(split_command_line("AT").unwrap(), Vec::<String>::new());
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_or_refuses_without_panicking(text in "(AT|at)?[ -~]{0,40}") {
            if let Some(parts) = split_command_line(&text) {
                for p in parts {
                    proptest::prop_assert!(!p.is_empty());
                }
            }
        }
    }
}

//! The command-line body parser (V.250 5.3–5.4; hayes.md §1).
//!
//! The body is what follows `AT` up to the terminator, after S5 editing. It is split into
//! commands left to right; the commands before a syntax error still run (V.250: the first failure
//! stops the line), which is why the parser returns what it understood plus an error flag.

/// One command of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// A basic command: one letter or a prefix (`&`, `\`, `%`) and a letter, with an optional
    /// decimal value (`E0`, `&D2`, `\N3`, `H`).
    Basic {
        /// Upper-case name (`"E"`, `"&D"`).
        name: String,
        /// The value, `None` when no digits followed.
        value: Option<u32>,
    },
    /// `A`: answer (the rest of the line is ignored).
    Answer,
    /// `D<dial string>`: everything up to the end of the line or the first `;` (included).
    Dial(String),
    /// `Sn=v` (`Sn=` writes 0).
    SetRegister {
        /// Register number.
        reg: u32,
        /// New value.
        value: u32,
    },
    /// `Sn?`.
    ReadRegister(u32),
    /// `Sn` alone: select register n for a later `?`.
    SelectRegister(u32),
    /// `?` alone: read the selected register.
    ReadSelected,
    /// An extended command (`+FCLASS=0`, `#CID=1`).
    Extended {
        /// Upper-case name including its prefix (`"+FCLASS"`).
        name: String,
        /// What is asked of it.
        op: ExtOp,
    },
}

/// The form of an extended command (V.250 5.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExtOp {
    /// `+X`: action.
    Action,
    /// `+X=<values>`: set (the raw value text).
    Set(String),
    /// `+X?`: read.
    Read,
    /// `+X=?`: test.
    Test,
}

/// What the parser made of a body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ParsedLine {
    /// The commands understood, in order.
    pub(crate) commands: Vec<Command>,
    /// A syntax error follows the last command: after running them, answer `ERROR`.
    pub(crate) error: bool,
}

/// Characters allowed in an extended command name after the prefix (V.250 5.4.1).
fn is_ext_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '!' | '%' | '-' | '.' | '/' | ':' | '_')
}

/// Remove the spaces that V.250 says to ignore (everything outside double quotes).
fn strip_spaces(body: &str) -> String {
    let mut in_quotes = false;
    body.chars()
        .filter(|&c| {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            in_quotes || c != ' '
        })
        .collect()
}

/// Parse a decimal number at `chars[*i..]`; `Ok(None)` when there are no digits, `Err` on overflow.
fn number(chars: &[char], i: &mut usize) -> Result<Option<u32>, ()> {
    let start = *i;
    let mut value: u32 = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(d))
            .ok_or(())?;
        *i += 1;
    }
    Ok((*i > start).then_some(value))
}

/// Split a command-line body (after `AT`, before the terminator) into commands.
pub(crate) fn parse_line(body: &str) -> ParsedLine {
    let chars: Vec<char> = strip_spaces(body).chars().collect();
    let mut parsed = ParsedLine::default();
    let mut i = 0;
    while i < chars.len() {
        match parse_one(&chars, &mut i) {
            Ok(Some(command)) => {
                let stop = matches!(command, Command::Answer);
                parsed.commands.push(command);
                if stop {
                    break;
                }
            }
            Ok(None) => {}
            Err(()) => {
                parsed.error = true;
                break;
            }
        }
    }
    parsed
}

/// Parse the command at `chars[*i..]`, advancing `i`. `Ok(None)` for a separating `;`.
fn parse_one(chars: &[char], i: &mut usize) -> Result<Option<Command>, ()> {
    let Some(&c) = chars.get(*i) else {
        return Ok(None);
    };
    *i += 1;
    let upper = c.to_ascii_uppercase();
    match upper {
        ';' => Ok(None),
        'A' => Ok(Some(Command::Answer)),
        'D' => {
            let rest = &chars[*i..];
            let len = rest
                .iter()
                .position(|&c| c == ';')
                .map_or(rest.len(), |p| p + 1);
            let dial: String = rest[..len].iter().collect();
            *i += len;
            Ok(Some(Command::Dial(dial)))
        }
        'S' => {
            let reg = number(chars, i)?.unwrap_or(0);
            match chars.get(*i) {
                Some('=') => {
                    *i += 1;
                    if chars.get(*i) == Some(&'?') {
                        // `Sn=?` (range test) is not supported by the families simulated.
                        return Err(());
                    }
                    let value = number(chars, i)?.unwrap_or(0);
                    Ok(Some(Command::SetRegister { reg, value }))
                }
                Some('?') => {
                    *i += 1;
                    Ok(Some(Command::ReadRegister(reg)))
                }
                _ => Ok(Some(Command::SelectRegister(reg))),
            }
        }
        '?' => Ok(Some(Command::ReadSelected)),
        '&' | '\\' | '%' => {
            let letter = chars
                .get(*i)
                .copied()
                .filter(char::is_ascii_alphabetic)
                .ok_or(())?;
            *i += 1;
            let name = format!("{upper}{}", letter.to_ascii_uppercase());
            let value = number(chars, i)?;
            Ok(Some(Command::Basic { name, value }))
        }
        '+' | '#' => {
            let start = *i;
            while chars.get(*i).is_some_and(|&c| is_ext_name_char(c)) {
                *i += 1;
            }
            if *i == start || *i - start > 16 {
                return Err(());
            }
            let name: String = std::iter::once(upper)
                .chain(chars[start..*i].iter().map(char::to_ascii_uppercase))
                .collect();
            let op = match (chars.get(*i), chars.get(*i + 1)) {
                (Some('='), Some('?')) => {
                    *i += 2;
                    ExtOp::Test
                }
                (Some('='), _) => {
                    *i += 1;
                    let start = *i;
                    let mut in_quotes = false;
                    while let Some(&c) = chars.get(*i) {
                        if c == '"' {
                            in_quotes = !in_quotes;
                        } else if c == ';' && !in_quotes {
                            break;
                        }
                        *i += 1;
                    }
                    ExtOp::Set(chars[start..*i].iter().collect())
                }
                (Some('?'), _) => {
                    *i += 1;
                    ExtOp::Read
                }
                _ => ExtOp::Action,
            };
            // Another command after an extended one needs the `;` separator.
            match chars.get(*i) {
                None => {}
                Some(';') => *i += 1,
                Some(_) => return Err(()),
            }
            Ok(Some(Command::Extended { name, op }))
        }
        c if c.is_ascii_alphabetic() => {
            let value = number(chars, i)?;
            Ok(Some(Command::Basic {
                name: c.to_string(),
                value,
            }))
        }
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn basic(name: &str, value: Option<u32>) -> Command {
        Command::Basic {
            name: name.into(),
            value,
        }
    }

    #[test]
    fn concatenated_basic_commands_split_with_optional_values() {
        let p = parse_line("E0V1Q0X4&C1&D2H");
        assert!(!p.error);
        assert_eq!(
            p.commands,
            vec![
                basic("E", Some(0)),
                basic("V", Some(1)),
                basic("Q", Some(0)),
                basic("X", Some(4)),
                basic("&C", Some(1)),
                basic("&D", Some(2)),
                basic("H", None),
            ]
        );
    }

    #[test]
    fn spaces_are_ignored_and_lower_case_is_accepted() {
        let p = parse_line("q0 v1 e1 s0=0 &c1 &d2 +fclass=0");
        assert!(!p.error);
        assert_eq!(p.commands.len(), 7);
        assert_eq!(p.commands[3], Command::SetRegister { reg: 0, value: 0 });
        assert_eq!(
            p.commands[6],
            Command::Extended {
                name: "+FCLASS".into(),
                op: ExtOp::Set("0".into())
            }
        );
    }

    #[test]
    fn s_register_forms_parse() {
        let p = parse_line("S7=60S0?S12?S8=");
        assert_eq!(
            p.commands,
            vec![
                Command::SetRegister { reg: 7, value: 60 },
                Command::ReadRegister(0),
                Command::ReadRegister(12),
                Command::SetRegister { reg: 8, value: 0 },
            ]
        );
        let p = parse_line("S12?");
        assert_eq!(p.commands, vec![Command::ReadRegister(12)]);
        let p = parse_line("S12");
        assert_eq!(p.commands, vec![Command::SelectRegister(12)]);
        assert_eq!(parse_line("?").commands, vec![Command::ReadSelected]);
        assert!(parse_line("S3=?").error);
    }

    #[test]
    fn extended_commands_need_a_semicolon_before_the_next_command() {
        let p = parse_line("+VCID=1;+FCLASS?;E0");
        assert!(!p.error);
        assert_eq!(p.commands.len(), 3);
        let p = parse_line("+FCLASS=?E0");
        assert!(p.error);
        assert_eq!(p.commands, vec![]);
        let p = parse_line("E0+GMI");
        assert_eq!(
            p.commands[1],
            Command::Extended {
                name: "+GMI".into(),
                op: ExtOp::Action
            }
        );
    }

    #[test]
    fn dial_takes_the_rest_of_the_line_up_to_a_semicolon() {
        let p = parse_line("DT*70,5550100");
        assert_eq!(p.commands, vec![Command::Dial("T*70,5550100".into())]);
        let p = parse_line("DT5550100;H");
        assert_eq!(
            p.commands,
            vec![Command::Dial("T5550100;".into()), basic("H", None)]
        );
    }

    #[test]
    fn answer_ends_the_line_and_garbage_is_an_error_after_the_good_commands() {
        assert_eq!(parse_line("AE0").commands, vec![Command::Answer]);
        let p = parse_line("E0$V1");
        assert!(p.error);
        assert_eq!(p.commands, vec![basic("E", Some(0))]);
        assert!(parse_line("E99999999999").error);
        assert!(parse_line("&").error);
    }

    #[test]
    fn quoted_strings_keep_their_spaces_and_semicolons() {
        let p = parse_line("+XNAME=\"a b;c\"");
        assert_eq!(
            p.commands,
            vec![Command::Extended {
                name: "+XNAME".into(),
                op: ExtOp::Set("\"a b;c\"".into())
            }]
        );
    }
}

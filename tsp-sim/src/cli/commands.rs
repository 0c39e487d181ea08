//! The command language `tsp-sim` reads on stdin: one command per line, parsed into a
//! [`Command`].
//!
//! ```text
//! ring LINE [FROM] [voice] [echo] [private]     a scripted caller rings LINE
//! waiting LINE [FROM] [voice] [echo] [private]  a second caller reaches LINE during its call
//! hangup LINE                                   the far end of LINE hangs up
//! state | transcript | help | quit
//! ```
//!
//! LINE is a modem's index in the table (`0`), its number (`5550100`), its name (`ALICE`) or its
//! symlink name (`ttySIM0`). Blank lines and lines starting with `#` are ignored; command words
//! are case-insensitive.

use std::fmt;

/// The text `help` prints.
pub const HELP: &str = "\
commands:
  ring LINE [FROM] [voice] [echo] [private]
                 a scripted caller rings LINE; FROM is its number (caller ID). By default the
                 caller is a data modem (its carrier connects with an answering modem); `voice`
                 makes it a voice caller, `echo` sends back whatever it receives, `private`
                 withholds its number
  waiting LINE [FROM] [voice] [echo] [private]
                 like ring, while LINE is in a call: with call waiting the caller waits and
                 the call-waiting tone is injected into LINE's call (a data carrier drops
                 unless the call was dialled with *70); without, the caller hears busy
  hangup LINE    the far end of LINE's call hangs up (or the caller ringing LINE gives up)
  state          lines, calls and modems now
  transcript     everything that happened, with simulated times
  help           this text
  quit           stop (so do end of input and Ctrl-C); ptys and symlinks are removed
LINE is a modem's index in the table, its number, its name or its symlink name (ttySIM0).";

/// One command read from stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// A scripted caller rings a line.
    Ring {
        /// The line to ring.
        line: String,
        /// Who calls.
        caller: CallerOptions,
    },
    /// A second caller reaches a line that is in a call (call waiting).
    Waiting {
        /// The line in a call.
        line: String,
        /// Who calls.
        caller: CallerOptions,
    },
    /// The far end of a line's call (or the caller ringing it) hangs up.
    Hangup {
        /// The line whose far end hangs up.
        line: String,
    },
    /// Show lines, calls and modems.
    State,
    /// Show the transcript.
    Transcript,
    /// Show the commands.
    Help,
    /// Stop the simulator.
    Quit,
}

/// How a scripted caller behaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerOptions {
    /// The caller's number (its caller ID); `None` picks a free one.
    pub from: Option<String>,
    /// A voice caller: no modem carrier.
    pub voice: bool,
    /// Send every byte received straight back.
    pub echo: bool,
    /// Withhold the caller's number (caller ID shows `P`).
    pub private: bool,
}

/// A line that is not a command; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The first word is not a command.
    #[error("unknown command {word:?}: type `help` for the list")]
    Unknown {
        /// The word.
        word: String,
    },
    /// A required argument is missing.
    #[error("{command}: which line? usage: {usage}")]
    MissingLine {
        /// The command.
        command: &'static str,
        /// Its usage line.
        usage: &'static str,
    },
    /// An argument the command does not take.
    #[error("{command}: unexpected {word:?}; usage: {usage}")]
    Unexpected {
        /// The command.
        command: &'static str,
        /// The argument.
        word: String,
        /// Its usage line.
        usage: &'static str,
    },
}

const RING_USAGE: &str = "ring LINE [FROM] [voice] [echo] [private]";
const WAITING_USAGE: &str = "waiting LINE [FROM] [voice] [echo] [private]";
const HANGUP_USAGE: &str = "hangup LINE";

/// Parses one line of input; `Ok(None)` for a blank line or a `#` comment.
pub fn parse(line: &str) -> Result<Option<Command>, ParseError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return Ok(None);
    };
    let rest: Vec<&str> = words.collect();
    let command = match first.to_ascii_lowercase().as_str() {
        "ring" => {
            let (line, caller) = line_and_caller("ring", RING_USAGE, &rest)?;
            Command::Ring { line, caller }
        }
        "waiting" => {
            let (line, caller) = line_and_caller("waiting", WAITING_USAGE, &rest)?;
            Command::Waiting { line, caller }
        }
        "hangup" => match rest.as_slice() {
            [] => {
                return Err(ParseError::MissingLine {
                    command: "hangup",
                    usage: HANGUP_USAGE,
                });
            }
            [line] => Command::Hangup {
                line: (*line).to_owned(),
            },
            [_, extra, ..] => return Err(unexpected("hangup", extra, HANGUP_USAGE)),
        },
        "state" => no_arguments("state", &rest, Command::State)?,
        "transcript" => no_arguments("transcript", &rest, Command::Transcript)?,
        "help" | "?" => Command::Help,
        "quit" | "exit" => no_arguments("quit", &rest, Command::Quit)?,
        _ => {
            return Err(ParseError::Unknown {
                word: first.to_owned(),
            });
        }
    };
    Ok(Some(command))
}

fn unexpected(command: &'static str, word: &str, usage: &'static str) -> ParseError {
    ParseError::Unexpected {
        command,
        word: word.to_owned(),
        usage,
    }
}

fn no_arguments(
    command: &'static str,
    rest: &[&str],
    parsed: Command,
) -> Result<Command, ParseError> {
    match rest.first() {
        None => Ok(parsed),
        Some(word) => Err(unexpected(command, word, "takes no arguments")),
    }
}

fn line_and_caller(
    command: &'static str,
    usage: &'static str,
    rest: &[&str],
) -> Result<(String, CallerOptions), ParseError> {
    let Some((line, options)) = rest.split_first() else {
        return Err(ParseError::MissingLine { command, usage });
    };
    let mut caller = CallerOptions::default();
    for (index, word) in options.iter().enumerate() {
        match word.to_ascii_lowercase().as_str() {
            "voice" => caller.voice = true,
            "echo" => caller.echo = true,
            "private" => caller.private = true,
            _ if index == 0 && crate::cli::config::check_number(word).is_ok() => {
                caller.from = Some((*word).to_owned());
            }
            _ => return Err(unexpected(command, word, usage)),
        }
    }
    Ok(((*line).to_owned(), caller))
}

impl fmt::Display for Command {
    /// The command as it would be typed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let caller = |f: &mut fmt::Formatter<'_>, c: &CallerOptions| {
            if let Some(from) = &c.from {
                write!(f, " {from}")?;
            }
            for (on, word) in [(c.voice, "voice"), (c.echo, "echo"), (c.private, "private")] {
                if on {
                    write!(f, " {word}")?;
                }
            }
            Ok(())
        };
        match self {
            Command::Ring { line, caller: c } => {
                write!(f, "ring {line}")?;
                caller(f, c)
            }
            Command::Waiting { line, caller: c } => {
                write!(f, "waiting {line}")?;
                caller(f, c)
            }
            Command::Hangup { line } => write!(f, "hangup {line}"),
            Command::State => f.write_str("state"),
            Command::Transcript => f.write_str("transcript"),
            Command::Help => f.write_str("help"),
            Command::Quit => f.write_str("quit"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn ok(line: &str) -> Command {
        parse(line).unwrap().unwrap()
    }

    #[test]
    fn ring_takes_a_line_and_an_optional_caller_number() {
        assert_eq!(
            ok("ring 5550100"),
            Command::Ring {
                line: "5550100".into(),
                caller: CallerOptions::default()
            }
        );
        assert_eq!(
            ok("ring 0 5551234"),
            Command::Ring {
                line: "0".into(),
                caller: CallerOptions {
                    from: Some("5551234".into()),
                    ..CallerOptions::default()
                }
            }
        );
    }

    #[test]
    fn caller_options_follow_in_any_order_and_case() {
        assert_eq!(
            ok("RING alice 5551234 Echo voice PRIVATE"),
            Command::Ring {
                line: "alice".into(),
                caller: CallerOptions {
                    from: Some("5551234".into()),
                    voice: true,
                    echo: true,
                    private: true
                }
            }
        );
        assert_eq!(
            ok("waiting ttySIM1 echo"),
            Command::Waiting {
                line: "ttySIM1".into(),
                caller: CallerOptions {
                    echo: true,
                    ..CallerOptions::default()
                }
            }
        );
    }

    #[test]
    fn a_caller_number_after_an_option_is_refused() {
        assert_eq!(
            parse("ring 0 echo 5551234").unwrap_err().to_string(),
            "ring: unexpected \"5551234\"; usage: ring LINE [FROM] [voice] [echo] [private]"
        );
    }

    #[test]
    fn a_caller_number_must_be_digits() {
        assert!(matches!(
            parse("ring 0 555-1234"),
            Err(ParseError::Unexpected { .. })
        ));
    }

    #[test]
    fn commands_without_a_line_say_which_argument_is_missing() {
        assert_eq!(
            parse("ring").unwrap_err().to_string(),
            "ring: which line? usage: ring LINE [FROM] [voice] [echo] [private]"
        );
        assert_eq!(
            parse("hangup").unwrap_err().to_string(),
            "hangup: which line? usage: hangup LINE"
        );
        assert!(matches!(
            parse("waiting"),
            Err(ParseError::MissingLine {
                command: "waiting",
                ..
            })
        ));
    }

    #[test]
    fn hangup_takes_exactly_one_line() {
        assert_eq!(ok("hangup 1"), Command::Hangup { line: "1".into() });
        assert!(matches!(
            parse("hangup 1 2"),
            Err(ParseError::Unexpected { .. })
        ));
    }

    #[test]
    fn simple_commands_refuse_arguments() {
        assert_eq!(ok("state"), Command::State);
        assert_eq!(ok("  Transcript "), Command::Transcript);
        assert_eq!(ok("help"), Command::Help);
        assert_eq!(ok("?"), Command::Help);
        assert_eq!(ok("quit"), Command::Quit);
        assert_eq!(ok("exit"), Command::Quit);
        assert_eq!(
            parse("state now").unwrap_err().to_string(),
            "state: unexpected \"now\"; usage: takes no arguments"
        );
    }

    #[test]
    fn blank_lines_and_comments_are_not_commands() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("   \t"), Ok(None));
        assert_eq!(parse("# ring 0"), Ok(None));
    }

    #[test]
    fn an_unknown_command_points_at_help() {
        assert_eq!(
            parse("dial 5550100").unwrap_err().to_string(),
            "unknown command \"dial\": type `help` for the list"
        );
    }

    #[test]
    fn a_command_prints_as_it_parses() {
        for line in [
            "ring 0 5551234 voice echo private",
            "waiting 5550100",
            "hangup ALICE",
            "state",
            "quit",
        ] {
            assert_eq!(ok(line).to_string(), line);
            assert_eq!(ok(&ok(line).to_string()), ok(line));
        }
    }

    #[test]
    fn help_mentions_every_command() {
        for word in [
            "ring",
            "waiting",
            "hangup",
            "state",
            "transcript",
            "help",
            "quit",
        ] {
            assert!(HELP.contains(word), "{word}");
        }
    }
}

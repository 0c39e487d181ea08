//! How a command speaks: words for people on stderr (progress) and stdout (results), or, with
//! `--json`, one JSON object per line for scripts; colour only on a terminal and never with
//! `NO_COLOR` (<https://no-color.org>).
//!
//! The live display of `dial`, `answer` and `monitor` is a sequence of [`Said`] lines. With
//! `--json` each is one object on its own line, `{"at_s": 1.2, "event": "call_state", …}`:
//! `monitor` writes them to stdout; `dial` and `answer` to stderr, because their stdout is the
//! call's data stream once it connects.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::CliError;

/// Whether output is JSON, and where the live display goes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Output {
    /// `--json`.
    pub(super) json: bool,
    /// The live display's JSON lines go to stdout (`monitor`), not stderr.
    pub(super) events_to_stdout: bool,
}

impl Output {
    /// Writes `value` as one line of JSON on stdout.
    pub(super) fn json_line<T: Serialize>(&self, value: &T) -> Result<(), CliError> {
        let text =
            serde_json::to_string(value).map_err(|e| CliError::step("write JSON", "stdout", e))?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
        Ok(())
    }

    /// One line of the live display, `at` seconds after the line opened.
    pub(super) fn say(&self, at: f64, said: &Said) {
        if self.json {
            let mut value = serde_json::to_value(said).unwrap_or_default();
            if let serde_json::Value::Object(map) = &mut value {
                map.insert("at_s".into(), serde_json::json!((at * 10.0).round() / 10.0));
            }
            let text = value.to_string();
            if self.events_to_stdout {
                stdout_line(&text);
            } else {
                eprintln!("{text}");
            }
        } else {
            eprintln!("{at:7.1}s  {said}");
        }
    }
}

/// Writes one line to stdout and flushes it, so a script reading a pipe sees each line at once.
fn stdout_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Whether colour and bold may be used on this stream: a terminal, and `NO_COLOR` unset or empty.
pub fn colour_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The longest piece of user input an error message repeats; longer input is cut in the middle.
pub(super) const MAX_ECHO: usize = 80;

/// `input` as a message shows it: whole when short, else its start and end around
/// `… (5000 characters) …`, cut on character boundaries.
pub fn shorten(input: &str) -> String {
    let count = input.chars().count();
    if count <= MAX_ECHO {
        return input.to_owned();
    }
    let head: String = input.chars().take(MAX_ECHO / 2).collect();
    let tail: String = input.chars().skip(count - MAX_ECHO / 4).collect();
    format!("{head}… ({count} characters) …{tail}")
}

/// A message with every run of more than 80 non-blank characters shortened (see
/// [`shorten`]): what the error line prints, so a 5,000-digit argument is not echoed back whole.
pub fn shorten_words(message: &str) -> String {
    message
        .split(' ')
        .map(shorten)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line of the live display (see the [module docs](self)); `event` names the variant in
/// JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(super) enum Said {
    /// `answer` waits for an incoming call.
    Waiting {
        /// For how long, seconds.
        seconds: u64,
    },
    /// `monitor` watches the line.
    Watching,
    /// `dial` places a call.
    Dialing {
        /// The number as given.
        number: String,
        /// With call waiting suppressed (`LINECALLPARAMFLAGS_SECURE`).
        secure: bool,
    },
    /// `LINE_CALLSTATE`.
    CallState {
        /// This application's call handle (TAPI's hCall).
        call: u32,
        /// The `LINECALLSTATE_*` name (`CONNECTED`).
        state: &'static str,
        /// The state's mode in words, when it has one (`busy`).
        mode: Option<String>,
        /// The whole in words (`disconnected (busy)`).
        words: String,
    },
    /// `LINEDEVSTATE_RINGING`, counted from 1.
    Ring {
        /// Which ring.
        count: u32,
    },
    /// `LINEDEVSTATE_REINIT`.
    Reinit,
    /// `LINE_CALLINFO`.
    CallInfo {
        /// The call.
        call: u32,
        /// What changed, in words.
        changed: Vec<&'static str>,
    },
    /// `LINE_APPNEWCALL`.
    NewCall {
        /// The call.
        call: u32,
        /// `owner` or `monitor`.
        role: &'static str,
    },
    /// `LINE_CLOSE`: the line was closed under the application.
    LineClosed,
    /// `LINE_REMOVE`.
    DeviceRemoved {
        /// The device id.
        device: u32,
    },
    /// The host dropped events this program read too slowly.
    EventsLost {
        /// How many.
        count: u64,
    },
    /// The caller's identity (`LINECALLINFO` caller ID).
    Caller {
        /// The call.
        call: u32,
        /// The number, if delivered.
        number: Option<String>,
        /// The name, if delivered.
        name: Option<String>,
        /// Why there is no number: `private` or `out of area`.
        absent: Option<&'static str>,
    },
    /// What was dialled (the dialable string).
    Dialed {
        /// The dialable string (`T*70,5550100`).
        dialable: String,
    },
    /// The call connected: stdin and stdout are its data stream.
    Connected,
    /// The data stream closed.
    StreamClosed,
    /// The call was dropped and its handle given back.
    HungUp,
    /// A monitored call's handle was given back.
    Released {
        /// The call.
        call: u32,
    },
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Said::Waiting { seconds } => write!(f, "waiting up to {seconds}s for a call…"),
            Said::Watching => f.write_str("watching for calls (Ctrl-C to stop)…"),
            Said::Dialing { number, secure } => write!(
                f,
                "dialing {number}{}",
                if *secure {
                    " (secure: call waiting off)"
                } else {
                    ""
                }
            ),
            Said::CallState { call, words, .. } => write!(f, "call {call}: {words}"),
            Said::Ring { count } => write!(f, "RING {count}"),
            Said::Reinit => f.write_str("the server asks every application to restart (REINIT)"),
            Said::CallInfo { call, changed } => {
                write!(f, "call {call}: call info changed ({})", changed.join(", "))
            }
            Said::NewCall { call, role } => write!(f, "call {call}: new ({role})"),
            Said::LineClosed => f.write_str("the line was closed under us (device lost?)"),
            Said::DeviceRemoved { device } => write!(f, "device {device} was removed"),
            Said::EventsLost { count } => write!(
                f,
                "({count} events were lost: this program read them too slowly)"
            ),
            Said::Caller {
                number,
                name,
                absent,
                ..
            } => write!(
                f,
                "caller: {} {}",
                number.as_deref().unwrap_or(absent.unwrap_or("unknown")),
                name.as_deref().unwrap_or("")
            ),
            Said::Dialed { dialable } => write!(f, "dialed {dialable}"),
            Said::Connected => f.write_str(
                "connected: stdin and stdout are the data stream (end stdin to hang up)",
            ),
            Said::StreamClosed => f.write_str("the data stream closed"),
            Said::HungUp => f.write_str("hung up"),
            Said::Released { call } => write!(f, "call {call}: released"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn short_input_is_shown_whole_and_long_input_is_cut_in_the_middle() {
        assert_eq!(shorten("5550100"), "5550100");
        let long = "9".repeat(5000);
        let shown = shorten(&long);
        assert!(shown.contains("(5000 characters)"), "{shown}");
        assert!(shown.chars().count() < 120, "{shown}");
    }

    #[test]
    fn shortening_never_splits_a_character() {
        let long = "é".repeat(300);
        assert!(shorten(&long).contains("(300 characters)"));
    }

    #[test]
    fn a_call_state_reads_as_words_and_as_json_with_its_tapi_name() {
        let said = Said::CallState {
            call: 1,
            state: "DISCONNECTED",
            mode: Some("busy".into()),
            words: "disconnected (busy)".into(),
        };
        assert_eq!(said.to_string(), "call 1: disconnected (busy)");
        let json = serde_json::to_value(&said).unwrap();
        assert_eq!(json["event"], "call_state");
        assert_eq!(json["state"], "DISCONNECTED");
        assert_eq!(json["mode"], "busy");
    }
}

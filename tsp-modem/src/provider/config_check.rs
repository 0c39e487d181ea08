//! `tsp-modem config check`: every problem of a configuration file, each with its line.
//!
//! ```
//! use tsp_modem::provider::config_check::{Severity, check};
//!
//! let problems = check("[[line]]\nname = \"a\"\nport = \"/dev/null\"\nprofile = \"nope\"\n");
//! assert_eq!(problems[0].line, 4);
//! assert_eq!(problems[0].severity, Severity::Error);
//! assert!(problems[0].message.contains("no profile \"nope\""));
//! ```

use std::collections::HashMap;

use super::config::{ConfigError, ModemConfig};
use crate::profile::Profile;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used (`serve` and the other commands refuse it).
    Error,
    /// The file works, but probably not as meant.
    Warning,
}

/// One problem, at a 1-based line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, and what to do, in words.
    pub message: String,
}

/// The 1-based line and column of byte `offset`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

/// Where the `[[line]]` tables start (1-based line numbers), in order.
fn line_tables(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[line]]"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The line of `key = …` inside the table that starts at `start` (up to `end`), if written.
fn key_line(text: &str, start: usize, end: usize, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(start)
        .take(end.saturating_sub(start))
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
}

/// The line of the table header `header` after line `start` and before line `end` (1-based).
fn header_line(text: &str, start: usize, end: usize, header: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(start)
        .take(end.saturating_sub(start + 1))
        .find(|(_, l)| l.trim() == header)
        .map(|(i, _)| i + 1)
}

/// Every problem of `text` as a tsp-modem configuration, in file order: TOML syntax, unknown
/// keys and wrong types (one error: parsing stops there), then per line an unknown profile, an
/// init line that is not AT commands, a location that does not validate (T§3 rules), a name or
/// port used twice (errors), and a port that is not there now (a warning: a USB modem appears
/// when plugged in). An empty list means the file is good.
pub fn check(text: &str) -> Vec<Problem> {
    let config: ModemConfig = match toml::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| position(text, s.start));
            return vec![Problem {
                line,
                column,
                severity: Severity::Error,
                message: e.message().to_owned(),
            }];
        }
    };
    let mut problems = Vec::new();
    let tables = line_tables(text);
    if config.lines.is_empty() {
        problems.push(Problem {
            line: 1,
            column: 1,
            severity: Severity::Error,
            message: "no [[line]]: add one per modem (name and port at least)".into(),
        });
    }
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut ports: HashMap<&std::path::Path, usize> = HashMap::new();
    for (i, file) in config.lines.iter().enumerate() {
        let start = tables.get(i).copied().unwrap_or(1);
        let end = tables.get(i + 1).copied().unwrap_or(usize::MAX);
        let at = |key: &str| key_line(text, start - 1, end - 1, key).unwrap_or(start);
        let mut push = |line: usize, severity, message: String| {
            problems.push(Problem {
                line,
                column: 1,
                severity,
                message,
            });
        };
        match file.line_config() {
            Err(e @ ConfigError::Profile { .. }) => {
                push(at("profile"), Severity::Error, e.to_string())
            }
            Err(e @ ConfigError::Location { .. }) => push(
                header_line(text, start, end, "[line.location]").unwrap_or(start),
                Severity::Error,
                e.to_string(),
            ),
            Ok(_) => {}
        }
        if let Some(init) = &file.init {
            let lines: Vec<String> = init.split(';').map(|l| l.trim().to_owned()).collect();
            let probe = Profile {
                init: lines,
                ..Profile::generic()
            };
            if let Err(e) = probe.init_commands() {
                push(
                    at("init"),
                    Severity::Error,
                    format!("line {:?}: init: {e}", file.name),
                );
            }
        }
        if let Some(first) = names.insert(&file.name, start) {
            push(
                at("name"),
                Severity::Error,
                format!(
                    "line {:?}: the name is used twice (first at line {first})",
                    file.name
                ),
            );
        }
        if let Some(first) = ports.insert(&file.port, start) {
            push(
                at("port"),
                Severity::Error,
                format!(
                    "line {:?}: port {} is used twice (first at line {first}): one modem, one line",
                    file.name,
                    file.port.display()
                ),
            );
        }
        if !file.port.exists() {
            push(
                at("port"),
                Severity::Warning,
                format!(
                    "line {:?}: port {} is not there now (fine for a USB modem not yet plugged in; see `tsp-modem ports`)",
                    file.name,
                    file.port.display()
                ),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_syntax_error_is_named_with_its_line_and_column() {
        let p = check("[[line]]\nname = \"a\"\nport = /dev/ttyS0\n");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].severity), (3, Severity::Error));
        assert!(p[0].column > 1);
    }

    #[test]
    fn an_unknown_key_is_named_at_its_line() {
        let p = check("[[line]]\nname = \"a\"\nport = \"/dev/null\"\nspeed = 9600\n");
        assert_eq!(p[0].line, 4, "{p:?}");
        assert!(p[0].message.contains("speed"), "{p:?}");
    }

    #[test]
    fn every_semantic_problem_of_every_line_is_listed() {
        let text = "\
[[line]]
name = \"a\"
port = \"/dev/null\"
init = \"AT&F ; &C1\"

[[line]]
name = \"a\"
port = \"/dev/null\"
[line.location]
area_code = \"4x5\"
";
        let p = check(text);
        let lines: Vec<usize> = p.iter().map(|p| p.line).collect();
        assert!(lines.contains(&4), "the init line: {p:?}");
        assert!(lines.contains(&9), "the location: {p:?}");
        assert!(lines.contains(&7), "the name used twice: {p:?}");
        assert!(lines.contains(&8), "the port used twice: {p:?}");
    }

    #[test]
    fn a_missing_port_is_only_a_warning() {
        let p = check("[[line]]\nname = \"usb\"\nport = \"/nonexistent/ttyACM9\"\n");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].severity), (3, Severity::Warning));
    }

    #[test]
    fn the_shipped_example_config_is_good() {
        let text = include_str!("../../examples/tsp-modem.toml");
        let errors: Vec<Problem> = check(text)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

//! Assembling command lines from DTE characters (V.250 5.1, 5.2.2; hayes.md §1): the `AT` prefix,
//! the S3 terminator, S5 editing, the body length limit and `A/`.

/// What a character completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineEvent {
    /// A command line: the body between `AT` and the terminator.
    Line(String),
    /// A line whose body exceeded the profile's limit (answer `ERROR`).
    TooLong,
    /// `A/`: repeat the last line.
    Repeat,
}

/// Where the editor is in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Waiting for the `A` of a prefix.
    #[default]
    Idle,
    /// Saw `A` (`true`) or `a` (`false`).
    GotA(bool),
    /// Collecting the body.
    Body,
}

/// The command-line editor.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineEditor {
    state: State,
    body: String,
    overflow: bool,
}

/// The registers and profile switches the editor needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EditRules {
    /// S3.
    pub(crate) terminator: u8,
    /// S5.
    pub(crate) backspace: u8,
    /// Accept `aT` / `At`.
    pub(crate) mixed_case: bool,
    /// Body length limit.
    pub(crate) max_len: usize,
}

impl LineEditor {
    /// Forget any partial line.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// Feed one character.
    pub(crate) fn feed(&mut self, b: u8, rules: EditRules) -> Option<LineEvent> {
        match self.state {
            State::Idle => {
                if b == b'A' || b == b'a' {
                    self.state = State::GotA(b == b'A');
                }
                None
            }
            State::GotA(upper) => {
                let t_ok = if rules.mixed_case {
                    b == b'T' || b == b't'
                } else {
                    b == if upper { b'T' } else { b't' }
                };
                if t_ok {
                    self.state = State::Body;
                    self.body.clear();
                    self.overflow = false;
                    None
                } else if b == b'/' {
                    self.state = State::Idle;
                    Some(LineEvent::Repeat)
                } else {
                    self.state = if b == b'A' || b == b'a' {
                        State::GotA(b == b'A')
                    } else {
                        State::Idle
                    };
                    None
                }
            }
            State::Body => {
                if b == rules.terminator {
                    self.state = State::Idle;
                    let body = std::mem::take(&mut self.body);
                    return Some(if self.overflow {
                        LineEvent::TooLong
                    } else {
                        LineEvent::Line(body)
                    });
                }
                if b == rules.backspace {
                    // The prefix itself cannot be erased.
                    self.body.pop();
                    return None;
                }
                if !(0x20..0x7F).contains(&b) {
                    // Other control characters (and 8-bit bytes) are discarded.
                    return None;
                }
                if self.body.len() >= rules.max_len {
                    self.overflow = true;
                } else {
                    self.body.push(char::from(b));
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const RULES: EditRules = EditRules {
        terminator: 13,
        backspace: 8,
        mixed_case: false,
        max_len: 40,
    };

    fn feed_all(e: &mut LineEditor, bytes: &[u8], rules: EditRules) -> Vec<LineEvent> {
        bytes.iter().filter_map(|&b| e.feed(b, rules)).collect()
    }

    #[test]
    fn a_line_is_the_body_between_at_and_the_terminator() {
        let mut e = LineEditor::default();
        assert_eq!(
            feed_all(&mut e, b"xxATE0V1\r", RULES),
            vec![LineEvent::Line("E0V1".into())]
        );
        assert_eq!(
            feed_all(&mut e, b"at\r", RULES),
            vec![LineEvent::Line(String::new())]
        );
    }

    #[test]
    fn mixed_case_prefix_only_where_the_profile_allows_it() {
        let mut e = LineEditor::default();
        assert_eq!(feed_all(&mut e, b"aTZ\r", RULES), vec![]);
        let mixed = EditRules {
            mixed_case: true,
            ..RULES
        };
        assert_eq!(
            feed_all(&mut e, b"aTZ\r", mixed),
            vec![LineEvent::Line("Z".into())]
        );
    }

    #[test]
    fn backspace_edits_but_never_erases_the_prefix() {
        let mut e = LineEditor::default();
        assert_eq!(
            feed_all(&mut e, b"ATE\x08\x08\x08V0\r", RULES),
            vec![LineEvent::Line("V0".into())]
        );
    }

    #[test]
    fn a_slash_repeats_and_overflow_is_reported_at_the_terminator() {
        let mut e = LineEditor::default();
        assert_eq!(feed_all(&mut e, b"A/", RULES), vec![LineEvent::Repeat]);
        let mut long = b"AT".to_vec();
        long.extend(std::iter::repeat_n(b'E', 41));
        long.push(13);
        assert_eq!(feed_all(&mut e, &long, RULES), vec![LineEvent::TooLong]);
        let mut exact = b"AT".to_vec();
        exact.extend(std::iter::repeat_n(b'E', 40));
        exact.push(13);
        assert!(matches!(
            feed_all(&mut e, &exact, RULES)[..],
            [LineEvent::Line(_)]
        ));
    }
}

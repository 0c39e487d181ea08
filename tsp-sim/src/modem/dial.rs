//! Dial strings (V.250 6.3.1; hayes.md §5.2): the characters after `D` turned into timed steps.

use std::time::Duration;

/// How long `/` pauses (USR convention).
pub(crate) const SHORT_PAUSE: Duration = Duration::from_millis(125);

/// One step of dialling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DialStep {
    /// Send these digits to the line.
    Digits(String),
    /// `,`: pause S8 seconds.
    Comma,
    /// `/`: pause 125 ms.
    ShortPause,
    /// `W`: wait for a (second) dial tone, up to S7.
    WaitDialTone,
    /// `!`: hook flash.
    Flash,
    /// `@`: wait for quiet answer, up to S7.
    WaitQuiet,
}

/// A parsed dial string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DialPlan {
    /// The steps in order.
    pub(crate) steps: Vec<DialStep>,
    /// Ends in `;`: return to command state after dialling (voice call).
    pub(crate) voice: bool,
    /// The last `T`/`P` seen: `Some(true)` for pulse; sticky for later dials.
    pub(crate) pulse: Option<bool>,
    /// Contains `W` (NO DIALTONE and BUSY are reported whatever the X level).
    pub(crate) uses_wait_dial_tone: bool,
    /// Contains `@` (BUSY and NO ANSWER are reported whatever the X level).
    pub(crate) uses_quiet_answer: bool,
}

/// Why a dial string was refused (the modem answers `ERROR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialError {
    /// A character the simulated modems do not know (or `$`, `S=n`, which they do not support).
    Unsupported(char),
    /// `;` before the end of the string.
    SemicolonNotLast,
}

/// Whether the dial string is a redial request (`L`, optionally after spaces).
pub(crate) fn is_redial(dial: &str) -> bool {
    dial.trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.eq_ignore_ascii_case(&'L'))
}

/// Parse the characters after `D`. `pulse` is the current `T`/`P` mode.
pub(crate) fn parse_dial(dial: &str, mut pulse: bool) -> Result<DialPlan, DialError> {
    let mut plan = DialPlan::default();
    let mut digits = String::new();
    let flush = |digits: &mut String, steps: &mut Vec<DialStep>| {
        if !digits.is_empty() {
            steps.push(DialStep::Digits(std::mem::take(digits)));
        }
    };
    let chars: Vec<char> = dial.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let c = c.to_ascii_uppercase();
        match c {
            '0'..='9' => digits.push(c),
            '*' | '#' | 'A' | 'B' | 'C' | 'D' => {
                // Tone-only digits; a pulse dialler cannot send them (V.250 6.3.1.1: ignored).
                if pulse {
                    tracing::debug!(digit = %c, "tone-only digit ignored while pulse dialling");
                } else {
                    digits.push(c);
                }
            }
            'T' | 'P' => {
                pulse = c == 'P';
                plan.pulse = Some(pulse);
            }
            ',' => {
                flush(&mut digits, &mut plan.steps);
                plan.steps.push(DialStep::Comma);
            }
            '/' => {
                flush(&mut digits, &mut plan.steps);
                plan.steps.push(DialStep::ShortPause);
            }
            'W' => {
                flush(&mut digits, &mut plan.steps);
                plan.steps.push(DialStep::WaitDialTone);
                plan.uses_wait_dial_tone = true;
            }
            '!' => {
                flush(&mut digits, &mut plan.steps);
                plan.steps.push(DialStep::Flash);
            }
            '@' => {
                flush(&mut digits, &mut plan.steps);
                plan.steps.push(DialStep::WaitQuiet);
                plan.uses_quiet_answer = true;
            }
            ';' => {
                if i + 1 != chars.len() {
                    return Err(DialError::SemicolonNotLast);
                }
                plan.voice = true;
            }
            ' ' | '(' | ')' | '-' | '.' | '^' | '+' => {}
            other => return Err(DialError::Unsupported(other)),
        }
    }
    flush(&mut digits, &mut plan.steps);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn cancel_code_comma_and_number_become_three_steps() {
        let plan = parse_dial("T*70,5550100", false).unwrap();
        assert_eq!(
            plan.steps,
            vec![
                DialStep::Digits("*70".into()),
                DialStep::Comma,
                DialStep::Digits("5550100".into()),
            ]
        );
        assert_eq!(plan.pulse, Some(false));
        assert!(!plan.voice);
    }

    #[test]
    fn modifiers_and_formatting_characters() {
        let plan = parse_dial("9W(425) 555-0100@1!;", false).unwrap();
        assert_eq!(
            plan.steps,
            vec![
                DialStep::Digits("9".into()),
                DialStep::WaitDialTone,
                DialStep::Digits("4255550100".into()),
                DialStep::WaitQuiet,
                DialStep::Digits("1".into()),
                DialStep::Flash,
            ]
        );
        assert!(plan.voice && plan.uses_wait_dial_tone && plan.uses_quiet_answer);
    }

    #[test]
    fn pulse_dialling_drops_tone_only_digits() {
        let plan = parse_dial("P*1170,555", false).unwrap();
        assert_eq!(plan.steps[0], DialStep::Digits("1170".into()));
        assert_eq!(plan.pulse, Some(true));
        let plan = parse_dial("*70", true).unwrap();
        assert_eq!(plan.steps, vec![DialStep::Digits("70".into())]);
    }

    #[test]
    fn bad_dial_strings_are_refused() {
        assert_eq!(parse_dial("555;1", false), Err(DialError::SemicolonNotLast));
        assert_eq!(parse_dial("555$", false), Err(DialError::Unsupported('$')));
        assert_eq!(parse_dial("S=1", false), Err(DialError::Unsupported('S')));
        assert!(is_redial("L") && is_redial("l;") && !is_redial("T5"));
    }
}

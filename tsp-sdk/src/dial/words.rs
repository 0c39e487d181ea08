//! Dial capabilities and translation results in words, for people (`tsp-modem probe`,
//! `tsp-modem translate`).

use super::{DialCaps, TranslateResults};

impl DialCaps {
    /// Each wait modifier TAPI's dialable-address format has (T§3: `W`, `@`, `$`, `:`), in words,
    /// with whether this device honours it: `("W (wait for dial tone)", true)`.
    pub fn modifiers(self) -> [(&'static str, bool); 4] {
        [
            ("W (wait for dial tone)", self.dial_dialtone),
            ("@ (wait for quiet answer)", self.dial_quiet),
            ("$ (wait for billing tone)", self.dial_billing),
            (": (wait for a voice prompt)", self.voice_detect),
        ]
    }

    /// One line: `W, @ and $ supported; : not supported` (groups the modifiers by answer).
    pub fn describe(self) -> String {
        let group = |wanted: bool| -> Vec<&'static str> {
            self.modifiers()
                .into_iter()
                .filter(|&(_, on)| on == wanted)
                .map(|(name, _)| &name[..1])
                .collect()
        };
        let list = |items: Vec<&str>| match items.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let mut parts = Vec::new();
        for (wanted, word) in [(true, "supported"), (false, "not supported")] {
            let items = group(wanted);
            if !items.is_empty() {
                parts.push(format!("{} {word}", list(items)));
            }
        }
        parts.join("; ")
    }
}

impl TranslateResults {
    /// What the translation found, in words, comma-separated (`LINETRANSLATERESULT_*`, T§3):
    /// `canonical input, long distance`; `none` for an empty set.
    pub fn describe(self) -> String {
        let table = [
            (TranslateResults::CANONICAL, "canonical input"),
            (TranslateResults::INTERNATIONAL, "international"),
            (TranslateResults::LONG_DISTANCE, "long distance"),
            (TranslateResults::LOCAL, "local"),
            (TranslateResults::IN_TOLL_LIST, "in the toll list"),
            (TranslateResults::NOT_IN_TOLL_LIST, "not in the toll list"),
            (
                TranslateResults::DIAL_BILLING,
                "waits for a billing tone ($)",
            ),
            (TranslateResults::DIAL_QUIET, "waits for quiet answer (@)"),
            (TranslateResults::DIAL_DIALTONE, "waits for dial tone (W)"),
            (
                TranslateResults::DIAL_PROMPT,
                "asks the user to continue (?)",
            ),
            (
                TranslateResults::VOICE_DETECT,
                "waits for a voice prompt (:)",
            ),
        ];
        let words: Vec<&str> = table
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|&(_, word)| word)
            .collect();
        if words.is_empty() {
            "none".to_owned()
        } else {
            words.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_caps_group_the_modifiers_by_answer() {
        let caps = DialCaps {
            voice_detect: false,
            ..DialCaps::ALL
        };
        assert_eq!(caps.describe(), "W, @ and $ supported; : not supported");
        assert_eq!(DialCaps::ALL.describe(), "W, @, $ and : supported");
    }

    #[test]
    fn translate_results_read_as_words() {
        let r = TranslateResults::CANONICAL | TranslateResults::LONG_DISTANCE;
        assert_eq!(r.describe(), "canonical input, long distance");
        assert_eq!(TranslateResults::empty().describe(), "none");
    }
}

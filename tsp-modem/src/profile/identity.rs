//! What a modem says about itself.

use std::fmt;

/// The `+FCLASS=?` list, parsed (hayes.md §9): `0,1,1.0,2,8`, `(0,1,2)`, `0-2,8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ServiceClasses(Vec<String>);

impl ServiceClasses {
    /// Parses a `+FCLASS=?` answer, with or without the `+FCLASS: ` prefix and parentheses;
    /// ranges of whole classes (`0-2`) are expanded; unknown classes are kept.
    pub fn parse(text: &str) -> Self {
        let body = text
            .trim()
            .strip_prefix("+FCLASS:")
            .unwrap_or(text)
            .replace(['(', ')'], "");
        let mut classes = Vec::new();
        for item in body.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('-') {
                Some((lo, hi)) => match (lo.trim().parse::<u8>(), hi.trim().parse::<u8>()) {
                    (Ok(lo), Ok(hi)) if lo <= hi && hi < 100 => {
                        classes.extend((lo..=hi).map(|c| c.to_string()));
                    }
                    _ => classes.push(item.to_owned()),
                },
                None => classes.push(item.to_owned()),
            }
        }
        ServiceClasses(classes)
    }

    /// A list of classes.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(classes: I) -> Self {
        ServiceClasses(classes.into_iter().map(Into::into).collect())
    }

    /// Whether the modem lists `class` (`"1.0"`).
    pub fn has(&self, class: &str) -> bool {
        self.0.iter().any(|c| c == class)
    }

    /// Data (`0`).
    pub fn data(&self) -> bool {
        self.has("0")
    }

    /// Fax class 1 or 1.0: the host does T.30, which is what an application gets with the stream.
    pub fn fax_class1(&self) -> bool {
        self.has("1") || self.has("1.0")
    }

    /// Voice (`8`, V.253).
    pub fn voice(&self) -> bool {
        self.has("8")
    }

    /// The classes as listed.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for ServiceClasses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

/// What one identification command got back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Answered {
    /// Information text (the lines joined by a space).
    Text(String),
    /// `OK` with no information text (spandsp answers `+GMI` so).
    Empty,
    /// A final result other than `OK` (`ERROR`), or no answer in time: the words.
    Refused(String),
}

/// One identification command and its answer, in the order they were sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Asked {
    /// The command (`+GMI`, `+FMI?`, `ATI3`).
    pub command: String,
    /// What came back.
    pub answered: Answered,
}

impl fmt::Display for Asked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.answered {
            Answered::Text(t) => write!(f, "{} answered {t:?}", self.command),
            Answered::Empty => write!(f, "{} answered OK with no text", self.command),
            Answered::Refused(why) => write!(f, "{} got {why}", self.command),
        }
    }
}

/// What a modem answered to the identification commands; `None` where it answered `ERROR` or
/// nothing (V.250 warns not to infer features from `ATI0`; pre-V.250 chipsets refuse `+GMI`).
///
/// Manufacturer, model and revision are asked the way HylaFAX's `faxaddmodem`/`probemodem` do:
/// V.250's `+GMI`/`+GMM`/`+GMR` (V.250 §6.1.4–6.1.6), then, for each one still unknown on a fax
/// modem, the fax class's own query (`+FMI?`/`+FMM?`/`+FMR?` in Class 1.0 and 2.0, T.31 §8.1 and
/// T.32 §8.4; `+FMFR?`/`+FMDL?`/`+FREV?` in Class 2), and last the `ATI` banner
/// ([`Identity::summary`]). [`Identity::asked`] says what each command got.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Identity {
    /// `ATI0`: a product code (`56000`, `5601`, `33600`).
    pub i0: Option<String>,
    /// `ATI3`: usually the firmware banner (`U.S. Robotics 56K FAX USB V1.2.23`).
    pub i3: Option<String>,
    /// `+GMI`: manufacturer.
    pub manufacturer: Option<String>,
    /// `+GMM`: model.
    pub model: Option<String>,
    /// `+GMR`: revision.
    pub revision: Option<String>,
    /// `+FCLASS=?`; `None` when the modem does not know `+FCLASS` (data only).
    pub classes: Option<ServiceClasses>,
    /// Every identification command sent, in order, with what it got.
    pub asked: Vec<Asked>,
}

impl Identity {
    /// "manufacturer model revision", from whatever the modem told.
    pub fn summary(&self) -> String {
        let parts: Vec<&str> = [&self.manufacturer, &self.model, &self.revision]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !parts.is_empty() {
            return parts.join(" ");
        }
        self.i3
            .clone()
            .or_else(|| self.i0.clone())
            .unwrap_or_else(|| "unidentified modem".to_owned())
    }

    /// Every text the modem gave, lower-cased, for matching.
    pub(crate) fn haystack(&self) -> String {
        [
            &self.i0,
            &self.i3,
            &self.manufacturer,
            &self.model,
            &self.revision,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// Why a field is unknown, in words: what each command asked for it got
    /// (`+GMI answered OK with no text; +FMI? got ERROR`), or `None` if nothing was asked.
    pub fn why_unknown(&self, commands: &[&str]) -> Option<String> {
        let said: Vec<String> = self
            .asked
            .iter()
            .filter(|a| commands.contains(&a.command.as_str()))
            .map(ToString::to_string)
            .collect();
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// Which of a field's `commands` (the V.250 one first) gave `text`, when it was not the
    /// first: `Some("AT+FMI?")`.
    pub fn source_of(&self, text: &str, commands: &[&str]) -> Option<&str> {
        self.asked
            .iter()
            .filter(|a| commands.contains(&a.command.as_str()))
            .find(|a| matches!(&a.answered, Answered::Text(t) if t.ends_with(text)))
            .map(|a| a.command.as_str())
            .filter(|c| Some(c) != commands.first())
    }

    /// The service classes, assuming data only when `+FCLASS=?` was refused.
    pub fn service_classes(&self) -> ServiceClasses {
        self.classes
            .clone()
            .unwrap_or_else(|| ServiceClasses::new(["0"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fclass_lists_parse_in_every_observed_form() {
        let cx = ServiceClasses::parse("0,1,1.0,2,8");
        assert!(cx.data() && cx.fax_class1() && cx.voice());
        let v250 = ServiceClasses::parse("+FCLASS: (0,1,8)");
        assert_eq!(v250.as_slice(), ["0", "1", "8"]);
        let ranged = ServiceClasses::parse("(0-2),8");
        assert_eq!(ranged.as_slice(), ["0", "1", "2", "8"]);
        let zyxel = ServiceClasses::parse("0,2,8");
        assert!(
            !zyxel.fax_class1(),
            "class 2 alone leaves T.30 to the modem"
        );
        let voiceview = ServiceClasses::parse("0,1,1.0,80");
        assert!(!voiceview.voice() && voiceview.has("80"));
    }

    #[test]
    fn summary_prefers_the_v250_identification() {
        let id = Identity {
            i3: Some("U.S. Robotics 56K FAX USB V1.2.23".into()),
            ..Identity::default()
        };
        assert_eq!(id.summary(), "U.S. Robotics 56K FAX USB V1.2.23");
        let id = Identity {
            manufacturer: Some("CONEXANT".into()),
            model: Some("V90".into()),
            ..id
        };
        assert_eq!(id.summary(), "CONEXANT V90");
        assert_eq!(Identity::default().service_classes().as_slice(), ["0"]);
    }
}

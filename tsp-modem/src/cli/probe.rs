//! `probe`: what a modem says about itself and what tsp-modem will do with it, in words or JSON.

use serde::Serialize;

use super::CliError;
use super::output::Output;
use crate::profile::Identity;
use crate::provider::ModemLineConfig;

/// `tsp-modem probe --json`: one object (the schema is documented in the README's JSON section).
#[derive(Debug, Serialize)]
pub(super) struct ProbeReport {
    /// The port's name.
    port: String,
    /// `ATI0`, `ATI3`: the texts, or null.
    ati0: Option<String>,
    ati3: Option<String>,
    /// Manufacturer, model, revision: the text, where it came from, or why it is unknown.
    manufacturer: Field,
    model: Field,
    revision: Field,
    /// `+FCLASS=?` as listed, or null when the modem refused it (data only).
    service_classes: Option<Vec<String>>,
    /// The profile used.
    profile: String,
    profile_description: String,
    /// The init lines as the modem took them (a refused command left out by the generic profile).
    init: Vec<String>,
    /// What a refused init command does, in words.
    refused_init: &'static str,
    caller_id: String,
    /// Each dial modifier and whether it is honoured.
    dial_modifiers: Vec<Modifier>,
    /// Highest DCE rate, bits/s.
    max_rate_bps: u32,
    /// The quirk switches that are on, in words.
    quirks: Vec<String>,
    /// Every identification command, in order, with what it got.
    asked: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Field {
    value: Option<String>,
    /// The command that gave it, when not the V.250 one (`AT+FMI?`).
    from: Option<String>,
    /// Why there is no value, in words.
    unknown_because: Option<String>,
}

#[derive(Debug, Serialize)]
struct Modifier {
    modifier: &'static str,
    supported: bool,
}

fn field(id: &Identity, value: &Option<String>, commands: &[&str]) -> Field {
    Field {
        value: value.clone(),
        from: value
            .as_deref()
            .and_then(|v| id.source_of(v, commands))
            .map(str::to_owned),
        unknown_because: if value.is_none() {
            Some(
                id.why_unknown(commands)
                    .unwrap_or_else(|| "not asked".to_owned()),
            )
        } else {
            None
        },
    }
}

impl ProbeReport {
    fn new(port: String, found: &crate::provider::Probe) -> ProbeReport {
        let id = &found.identity;
        let p = &found.profile;
        ProbeReport {
            port,
            ati0: id.i0.clone(),
            ati3: id.i3.clone(),
            manufacturer: field(id, &id.manufacturer, &["AT+GMI", "AT+FMI?", "AT+FMFR?"]),
            model: field(id, &id.model, &["AT+GMM", "AT+FMM?", "AT+FMDL?"]),
            revision: field(id, &id.revision, &["AT+GMR", "AT+FMR?", "AT+FREV?"]),
            service_classes: id.classes.as_ref().map(|c| c.as_slice().to_vec()),
            profile: p.name.clone(),
            profile_description: p.description.clone(),
            init: p.init.clone(),
            refused_init: p.rejected_init.describe(),
            caller_id: p.caller_id.describe().to_owned(),
            dial_modifiers: p
                .dial_caps
                .modifiers()
                .into_iter()
                .map(|(modifier, supported)| Modifier {
                    modifier,
                    supported,
                })
                .collect(),
            max_rate_bps: p.max_rate,
            quirks: p.quirks.describe(),
            asked: id.asked.iter().map(ToString::to_string).collect(),
        }
    }

    fn words(&self, caps: tsp_sdk::dial::DialCaps) -> String {
        let mut out = String::new();
        let mut row = |label: &str, value: &str| {
            out.push_str(&format!("{label:<16}{value}\n"));
        };
        let text = |v: &Option<String>, missing: &str| v.clone().unwrap_or_else(|| missing.into());
        row("port", &self.port);
        row("ATI0", &text(&self.ati0, "(no answer)"));
        row("ATI3", &text(&self.ati3, "(no answer)"));
        for (label, f) in [
            ("manufacturer", &self.manufacturer),
            ("model", &self.model),
            ("revision", &self.revision),
        ] {
            let shown = match (&f.value, &f.from, &f.unknown_because) {
                (Some(v), Some(from), _) => format!("{v} (from {from})"),
                (Some(v), None, _) => v.clone(),
                (None, _, Some(why)) => format!("(unknown: {why})"),
                (None, _, None) => "(unknown)".into(),
            };
            row(label, &shown);
        }
        row(
            "service classes",
            &self.service_classes.as_ref().map_or_else(
                || "data only (+FCLASS=? refused)".to_owned(),
                |c| classes_in_words(c),
            ),
        );
        row(
            "profile",
            &format!("{} ({})", self.profile, self.profile_description),
        );
        row(
            "init",
            &if self.init.is_empty() {
                "(none)".to_owned()
            } else {
                self.init.join(" ; ")
            },
        );
        row("refused init", self.refused_init);
        row("caller ID", &self.caller_id);
        row("dial modifiers", &caps.describe());
        row("max rate", &format!("{} bit/s", self.max_rate_bps));
        if self.quirks.is_empty() {
            row("quirks", "none");
        } else {
            for (i, q) in self.quirks.iter().enumerate() {
                row(if i == 0 { "quirks" } else { "" }, q);
            }
        }
        out
    }
}

/// `0,1,1.0,8` in words: `data (0), fax class 1 (1), fax class 1.0 (1.0), voice (8)`.
fn classes_in_words(classes: &[String]) -> String {
    classes
        .iter()
        .map(|c| {
            let name = match c.as_str() {
                "0" => "data",
                "1" => "fax class 1",
                "1.0" => "fax class 1.0",
                "2" => "fax class 2",
                "2.0" => "fax class 2.0",
                "2.1" => "fax class 2.1",
                "8" => "voice",
                "80" => "VoiceView",
                _ => "unknown class",
            };
            format!("{name} ({c})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn run(line: &ModemLineConfig, out: Output) -> Result<(), CliError> {
    let port = line.opener.name();
    let found = crate::provider::probe(line)
        .await
        .map_err(|e| CliError::step("probe", &port, e))?;
    let report = ProbeReport::new(port, &found);
    if out.json {
        out.json_line(&report)?;
    } else {
        print!("{}", report.words(found.profile.dial_caps));
    }
    Ok(())
}

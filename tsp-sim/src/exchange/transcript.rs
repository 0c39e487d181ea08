//! The transcript of a simulated run: every DTE byte, line action, line signal and exchange event,
//! with its virtual time, printable as readable text.
//!
//! [`crate::network::Network`] records one; the conformance suite prints it when a case fails and
//! checks from it what reached the exchange (e.g. that a cancel code was dialled before the
//! number).

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::time::Duration;

use bytes::Bytes;

use crate::line::{FaxSignal, LineAction, LineId, LineSignal, VoiceSignal};
use crate::network::DeviceId;

use super::config::SEED_ENV;
use super::dialling::DialRecord;
use super::events::ExchangeEvent;

/// One recorded happening.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TranscriptEvent {
    /// The computer wrote these bytes to a device's serial port.
    DteIn {
        /// The device.
        device: DeviceId,
        /// The bytes.
        bytes: Bytes,
    },
    /// A device sent these bytes to the computer.
    DteOut {
        /// The device.
        device: DeviceId,
        /// The bytes.
        bytes: Bytes,
    },
    /// The computer raised or dropped DTR on a device.
    Dtr {
        /// The device.
        device: DeviceId,
        /// Raised (`true`) or dropped.
        on: bool,
    },
    /// A terminal did something to its line.
    Action {
        /// The line.
        line: LineId,
        /// What it did.
        action: LineAction,
    },
    /// The exchange signalled something on a line.
    Signal {
        /// The line.
        line: LineId,
        /// The signal.
        signal: LineSignal,
    },
    /// The exchange reported something about itself (a dialled number, call waiting, a fault).
    Exchange(ExchangeEvent),
    /// Free text (a test's or a driver's remark).
    Note(String),
}

/// A recorded happening and when it happened, as an offset from the start of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// Virtual time since the network started.
    pub at: Duration,
    /// What happened.
    pub event: TranscriptEvent,
}

/// What a transcript keeps by default: the most recent 32 MiB (see [`Transcript::with_limit`]).
pub const DEFAULT_LIMIT: usize = 32 << 20;

/// Everything that happened in a run, in order, up to a memory limit. `Display` prints it one
/// entry per line, with the seed that replays it first.
///
/// A transcript keeps the most recent entries that fit its limit (bytes of payload plus a fixed
/// cost per entry; [`DEFAULT_LIMIT`] unless [`Transcript::with_limit`] says otherwise) and counts
/// the ones it let go, so a long data call through a long-running simulator (`tsp-sim`,
/// `tsp-modem serve --sim`) does not grow without bound. A conformance case's whole run fits many
/// times over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    seed: u64,
    entries: VecDeque<TranscriptEntry>,
    /// What `entries` holds, by [`cost`].
    held: usize,
    limit: usize,
    dropped: u64,
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new(0)
    }
}

/// What an entry costs against the limit: its payload bytes and the entry itself.
fn cost(event: &TranscriptEvent) -> usize {
    let payload = match event {
        TranscriptEvent::DteIn { bytes, .. } | TranscriptEvent::DteOut { bytes, .. } => bytes.len(),
        TranscriptEvent::Action {
            action: LineAction::Data(bytes),
            ..
        }
        | TranscriptEvent::Signal {
            signal: LineSignal::Data(bytes),
            ..
        } => bytes.len(),
        TranscriptEvent::Note(text) => text.len(),
        _ => 0,
    };
    payload + std::mem::size_of::<TranscriptEntry>()
}

impl Transcript {
    /// An empty transcript of a run with this seed, keeping [`DEFAULT_LIMIT`].
    pub fn new(seed: u64) -> Self {
        Self::with_limit(seed, DEFAULT_LIMIT)
    }

    /// An empty transcript that keeps the most recent `limit` bytes (payload plus a fixed cost
    /// per entry) and drops older entries beyond that.
    pub fn with_limit(seed: u64, limit: usize) -> Self {
        Self {
            seed,
            entries: VecDeque::new(),
            held: 0,
            limit,
            dropped: 0,
        }
    }

    /// The seed of the run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Appends an entry, dropping the oldest ones while the transcript is over its limit (the
    /// newest entry is always kept).
    pub fn record(&mut self, at: Duration, event: TranscriptEvent) {
        self.held += cost(&event);
        self.entries.push_back(TranscriptEntry { at, event });
        while self.held > self.limit && self.entries.len() > 1 {
            if let Some(old) = self.entries.pop_front() {
                self.held -= cost(&old.event);
                self.dropped += 1;
            }
        }
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &TranscriptEntry> + DoubleEndedIterator {
        self.entries.iter()
    }

    /// How many of the oldest entries were dropped to stay within the limit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The numbers `line` dialled, one record per call, as the exchange understood them.
    pub fn dialled(&self, line: LineId) -> Vec<&DialRecord> {
        self.entries
            .iter()
            .filter_map(|e| match &e.event {
                TranscriptEvent::Exchange(ExchangeEvent::Dialled(record))
                    if record.line == line =>
                {
                    Some(record)
                }
                _ => None,
            })
            .collect()
    }

    /// Every digit string `line` sent to the exchange, in order, exactly as sent (across calls).
    pub fn digits_sent(&self, line: LineId) -> Vec<&str> {
        self.actions(line)
            .into_iter()
            .filter_map(|(_, action)| match action {
                LineAction::Digits(digits) => Some(digits.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Everything `line`'s terminal did, with times.
    pub fn actions(&self, line: LineId) -> Vec<(Duration, &LineAction)> {
        self.entries
            .iter()
            .filter_map(|e| match &e.event {
                TranscriptEvent::Action { line: l, action } if *l == line => Some((e.at, action)),
                _ => None,
            })
            .collect()
    }

    /// Everything the exchange signalled on `line`, with times.
    pub fn signals(&self, line: LineId) -> Vec<(Duration, &LineSignal)> {
        self.entries
            .iter()
            .filter_map(|e| match &e.event {
                TranscriptEvent::Signal { line: l, signal } if *l == line => Some((e.at, signal)),
                _ => None,
            })
            .collect()
    }

    /// All bytes the computer wrote to `device`, concatenated.
    pub fn dte_input(&self, device: DeviceId) -> Vec<u8> {
        self.dte_bytes(device, true)
    }

    /// All bytes `device` sent to the computer, concatenated.
    pub fn dte_output(&self, device: DeviceId) -> Vec<u8> {
        self.dte_bytes(device, false)
    }

    fn dte_bytes(&self, device: DeviceId, input: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for entry in &self.entries {
            match &entry.event {
                TranscriptEvent::DteIn { device: d, bytes } if input && *d == device => {
                    out.extend_from_slice(bytes);
                }
                TranscriptEvent::DteOut { device: d, bytes } if !input && *d == device => {
                    out.extend_from_slice(bytes);
                }
                _ => {}
            }
        }
        out
    }
}

/// Bytes as readable text: printable ASCII as is, `<CR>`, `<LF>`, and `<xx>` for the rest
/// (the notation of the modem captures).
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("<CR>"),
            b'\n' => out.push_str("<LF>"),
            b'<' => out.push_str("<3c>"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "<{b:02x}>");
            }
        }
    }
    out
}

fn fmt_action(action: &LineAction) -> String {
    match action {
        LineAction::Digits(digits) => format!("Digits {digits:?}"),
        LineAction::Data(bytes) => format!("Data \"{}\"", escape_bytes(bytes)),
        LineAction::Fax(signal) => fmt_fax(signal),
        LineAction::Voice(signal) => fmt_voice(signal),
        other => format!("{other:?}"),
    }
}

/// A fax signal in words: `Fax CED`, `Fax carrier V.17 14400 bit/s`, `Fax frame ff 13 80`.
fn fmt_fax(signal: &FaxSignal) -> String {
    match signal {
        FaxSignal::AnswerTone => "Fax CED".to_owned(),
        FaxSignal::Carrier(modulation) => format!("Fax carrier {modulation}"),
        FaxSignal::Silence => "Fax silence".to_owned(),
        FaxSignal::Frame(frame) => {
            let mut text = String::from("Fax frame");
            for b in frame.iter() {
                let _ = write!(text, " {b:02x}");
            }
            text
        }
    }
}

/// A voice signal in words: `Voice audio 160 samples`, `Voice DTMF 5 100ms`, `Voice tone 933+0 Hz 1.5s`.
fn fmt_voice(signal: &VoiceSignal) -> String {
    match signal {
        VoiceSignal::Audio(samples) => format!("Voice audio {} samples", samples.len()),
        VoiceSignal::Dtmf { digit, duration } => format!("Voice DTMF {digit} {duration:?}"),
        VoiceSignal::Tone { f1, f2, duration } => format!("Voice tone {f1}+{f2} Hz {duration:?}"),
    }
}

fn fmt_signal(signal: &LineSignal) -> String {
    match signal {
        LineSignal::Fax(fax) => fmt_fax(fax),
        LineSignal::Voice(voice) => fmt_voice(voice),
        LineSignal::Data(bytes) => format!("Data \"{}\"", escape_bytes(bytes)),
        LineSignal::Noise(bytes) => format!("Noise \"{}\"", escape_bytes(bytes)),
        LineSignal::CallerId(id) => {
            let mut text = format!("CallerId DATE={} TIME={}", id.date, id.time);
            match &id.number {
                Some(number) => {
                    let _ = write!(text, " NMBR={number}");
                }
                None => {
                    let _ = write!(text, " NMBR={:?}", id.number_presentation);
                }
            }
            match &id.name {
                Some(name) => {
                    let _ = write!(text, " NAME={name}");
                }
                None => {
                    let _ = write!(text, " NAME=({:?})", id.name_presentation);
                }
            }
            text
        }
        other => format!("{other:?}"),
    }
}

impl fmt::Display for TranscriptEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DteIn { device, bytes } => {
                write!(f, "{device} <- DTE \"{}\"", escape_bytes(bytes))
            }
            Self::DteOut { device, bytes } => {
                write!(f, "{device} -> DTE \"{}\"", escape_bytes(bytes))
            }
            Self::Dtr { device, on } => {
                write!(f, "{device} DTR {}", if *on { "on" } else { "off" })
            }
            Self::Action { line, action } => {
                write!(f, "{line} -> exchange: {}", fmt_action(action))
            }
            Self::Signal { line, signal } => {
                write!(f, "{line} <- exchange: {}", fmt_signal(signal))
            }
            Self::Exchange(event) => write!(f, "exchange: {event}"),
            Self::Note(text) => write!(f, "note: {text}"),
        }
    }
}

impl fmt::Display for TranscriptEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>10.3}s  {}", self.at.as_secs_f64(), self.event)
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "transcript (seed {seed}; replay with {SEED_ENV}={seed})",
            seed = self.seed
        )?;
        if self.dropped > 0 {
            writeln!(
                f,
                "({} earlier entries dropped: a transcript keeps its most recent {} KiB)",
                self.dropped,
                self.limit / 1024
            )?;
        }
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn a_transcript_over_its_limit_drops_its_oldest_entries_and_says_so() {
        let mut t = Transcript::with_limit(7, 4096);
        for i in 0..1000u32 {
            t.record(
                Duration::from_millis(u64::from(i)),
                TranscriptEvent::DteIn {
                    device: DeviceId(0),
                    bytes: Bytes::from(vec![b'x'; 100]),
                },
            );
        }
        let kept = t.entries().len();
        assert!(kept > 10 && kept < 41, "{kept} entries kept");
        assert_eq!(t.dropped() + kept as u64, 1000);
        assert_eq!(
            t.entries().last().map(|e| e.at),
            Some(Duration::from_millis(999)),
            "the newest entry is kept"
        );
        let printed = t.to_string();
        assert!(
            printed.contains(&format!("({} earlier entries dropped", t.dropped())),
            "{printed}"
        );
        let mut huge = Transcript::with_limit(7, 16);
        huge.record(Duration::ZERO, TranscriptEvent::Note("x".repeat(100)));
        assert_eq!(
            huge.entries().len(),
            1,
            "an entry over the limit alone is still kept"
        );
    }

    #[test]
    fn escaped_bytes_use_the_capture_notation() {
        assert_eq!(escape_bytes(b"\r\nOK\r\n"), "<CR><LF>OK<CR><LF>");
        assert_eq!(escape_bytes(&[0x10, 0x03, b'<']), "<10><03><3c>");
    }

    #[test]
    fn printed_transcript_starts_with_the_replay_seed_and_times_each_entry() {
        let mut t = Transcript::new(99);
        t.record(
            Duration::from_millis(2500),
            TranscriptEvent::Action {
                line: LineId(0),
                action: LineAction::Digits("*70".into()),
            },
        );
        let text = t.to_string();
        assert!(text.starts_with("transcript (seed 99; replay with TSP_SIM_SEED=99)\n"));
        assert!(
            text.contains("     2.500s  line 0 -> exchange: Digits \"*70\""),
            "{text}"
        );
        assert_eq!(t.digits_sent(LineId(0)), ["*70"]);
        assert!(t.digits_sent(LineId(1)).is_empty());
    }
}

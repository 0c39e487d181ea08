//! Voice (ITU V.253; hayes.md §9): in `+FCLASS=8` the modem is a telephone whose audio the DTE
//! plays and records.
//!
//! | command | the modem | then |
//! |---|---|---|
//! | `+VLS=1` / `+VLS=0` | goes off-hook (answering a ringing line) / on-hook | `OK` |
//! | `D<number>` | dials, then waits for the far end: ringback gone for `+VRA` × 0.1 s, or no ringback within `+VRN` s | `OK` (`BUSY`, `NO ANSWER` after S7 of ringback) |
//! | `+VTX` | `CONNECT`; plays the DTE's `<DLE>`-shielded samples until `<DLE><ETX>` (`<DLE><CAN>` drops what is queued) | `OK` once the last sample is played |
//! | `+VRX` | `CONNECT`; sends the far end's audio as shielded samples at the sample rate, with `<DLE>` events between them | `<DLE><ETX>` and `OK` after the DTE's `<DLE>!` (or `<DLE>^`) |
//! | `+VTS=<list>` | plays DTMF digits (`5`, `{5,20}`) and tones (`[933,0,150]`), durations in 0.01 s (default `+VTD`) | `OK` when the last one ends |
//! | `+VSM=<cml>,<rate>` | selects the sample coding and rate (`=?` lists them as the family prints them) | `OK` |
//! | `+VSD +VGT +VGR +VRA +VRN +VIT +VDR +VNH +VTD` | set (`?` reads, `=?` lists the ranges) | `OK` |
//!
//! Events from the far end reach the DTE as `<DLE>` pairs whenever the modem is off-hook in
//! voice mode (command state, `+VTX` or `+VRX`; V.253 8.1 and its Table 16 codes): the DTMF digit
//! (`<DLE>0`–`<DLE>9`, `*`, `#`, `A`–`D`), `<DLE>b` busy (the far end hung up), `<DLE>a` answer
//! tone, `<DLE>c` fax calling (a fax modem's carrier), `<DLE>e` data calling, `<DLE>w` a call
//! waiting, and during `+VRX` with silence detection (`+VSD=<s>,<t>`, `t` in 0.1 s) `<DLE>s`
//! (nothing heard at all for `t`) or `<DLE>q` (quiet for `t` after sound). With `+VDR=1` each ring
//! burst is framed by `DROF=<off>` and `DRON=<on>` lines (0.1 s units), as V.253 8.2 reports
//! distinctive ring. `+VIT=<s>` (non-zero) puts an idle off-hook modem back on-hook in
//! `+FCLASS=0` after `s` seconds without a character from the DTE.
//!
//! Simulation choices: audio crosses the line as 16-bit linear samples at 8000 samples/s
//! ([`VoiceSignal::Audio`]), converted from and to each modem's own `+VSM` coding and rate;
//! DTMF digits and tones cross as events ([`VoiceSignal::Dtmf`], [`VoiceSignal::Tone`]), not
//! synthesized, so the far modem reports exactly the digits sent. Played audio reaches the far
//! end as soon as the DTE writes it (the receiving modem paces it at its sample rate); gains are
//! remembered but do not change the samples; a sample counts as sound above −40 dBm0 or so
//! (|s| > 320).

mod coding;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::line::{CarrierKind, FaxSignal, LineAction, LineSignal, VoiceSignal};

use super::InfoKind;
use super::SimModem;
use super::call::CallState;
use super::command::ExtOp;
use super::execute::Step;
use super::fax::{DLE, ETX};
use super::result::ResultCode;

pub use coding::{SampleCoding, VoiceCompression};

/// How often `+VRX` sends the next samples.
const RECEIVE_TICK: Duration = Duration::from_millis(20);
/// Far-end audio a modem keeps for `+VRX` before it drops the oldest (10 s).
const MAX_HEARD: usize = 80_000;
/// A sample louder than this (in 16-bit linear) is sound, not silence, for `+VSD`.
const SOUND_LEVEL: i16 = 320;
/// The longest tone `+VTS` plays, 0.01 s (5 s).
const MAX_TONE: u32 = 500;
/// The most samples one `+VRX` release sends (a second at 11025 samples/s): after a jump of the
/// clock the recording goes on from now rather than sending the gap.
const MAX_RELEASE: u64 = 11_025;
/// `<CAN>`: after `<DLE>` in `+VTX`, drop the queued samples.
const CAN: u8 = 0x18;

/// The `+V` settings (V.253 clause 9), reset by `Z` and `&F` like the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoiceSettings {
    /// `+VSM`: index into the profile's compressions, and the sample rate.
    compression: usize,
    rate: u32,
    /// `+VGT`/`+VGR`: transmit and receive gain (128 nominal).
    gain_tx: u32,
    gain_rx: u32,
    /// `+VSD`: silence sensitivity (128 nominal) and silence time (0.1 s; 0 = off).
    silence_sensitivity: u32,
    silence_tenths: u32,
    /// `+VRA` (0.1 s) and `+VRN` (s).
    ringback_gone_tenths: u32,
    ringback_never_secs: u32,
    /// `+VIT`: inactivity timer, seconds (0 = off).
    inactivity_secs: u32,
    /// `+VDR`: distinctive ring reports on, and the report delay (0.1 s).
    ring_report: u32,
    ring_report_delay: u32,
    /// `+VNH`: automatic hang-up control.
    no_hangup: u32,
    /// `+VTD`: default tone duration, 0.01 s.
    tone_tenms: u32,
}

impl VoiceSettings {
    /// V.253's defaults, with the profile's first coding at 8000 samples/s (or its first rate).
    pub(crate) fn factory(profile: &super::Profile) -> Self {
        let rate = profile
            .voice_compressions
            .first()
            .map_or(8000, default_rate);
        Self {
            compression: 0,
            rate,
            gain_tx: 128,
            gain_rx: 128,
            silence_sensitivity: 128,
            silence_tenths: 50,
            ringback_gone_tenths: 50,
            ringback_never_secs: 10,
            inactivity_secs: 0,
            ring_report: 0,
            ring_report_delay: 0,
            no_hangup: 0,
            tone_tenms: 10,
        }
    }
}

/// 8000 samples/s when the coding offers it, else its first rate.
fn default_rate(c: &VoiceCompression) -> u32 {
    if c.rates.contains(&8000) {
        8000
    } else {
        c.rates.first().copied().unwrap_or(8000)
    }
}

/// The voice side of the modem: what it does and what it has heard.
#[derive(Debug, Clone)]
pub(crate) struct VoiceState {
    action: Action,
    /// When the far end's sound heard so far ends.
    sound_until: Option<Instant>,
    /// Far-end audio waiting for `+VRX` (line samples).
    heard: VecDeque<i16>,
    /// The last ring burst's start and end (for `+VDR`).
    ring_on_at: Option<Instant>,
    ring_off_at: Option<Instant>,
    /// The DTE's last character (for `+VIT`).
    last_dte: Option<Instant>,
    /// What the DTE sent after the `<DLE><ETX>` of `+VTX` (or the `<DLE>!` of `+VRX`): commands,
    /// run once the action's `OK` is out.
    after_end: Vec<u8>,
}

impl Default for VoiceState {
    fn default() -> Self {
        Self {
            action: Action::Idle,
            sound_until: None,
            heard: VecDeque::new(),
            ring_on_at: None,
            ring_off_at: None,
            last_dte: None,
            after_end: Vec::new(),
        }
    }
}

/// What the modem is doing off-hook in voice mode.
#[derive(Debug, Clone)]
enum Action {
    /// Voice command state.
    Idle,
    /// After dialling: waiting for the far end to answer.
    AwaitAnswer {
        ringback: bool,
        answered_at: Option<Instant>,
        /// `OK` (assumed answered, `+VRN`) if no ringback by then.
        never_by: Instant,
        /// `NO ANSWER` if ringback goes on past this (S7).
        give_up: Instant,
    },
    /// `+VTS`: `OK` at this instant.
    Tones(Instant),
    /// `+VTX`.
    Transmit(Transmit),
    /// `+VRX`.
    Receive(Receive),
}

#[derive(Debug, Clone)]
struct Transmit {
    after_dle: bool,
    /// Everything queued so far is played by then.
    played_by: Instant,
    /// `<DLE><ETX>` came: `OK` at `played_by`.
    ended: bool,
}

#[derive(Debug, Clone)]
struct Receive {
    started: Instant,
    /// Samples sent so far.
    produced: u64,
    next_tick: Instant,
    /// Sound heard since `+VRX` began.
    sound_heard: bool,
    /// The current silence was reported.
    silence_reported: bool,
    after_dle: bool,
}

impl VoiceState {
    /// Back to on-hook: nothing in progress, nothing heard.
    pub(crate) fn reset(&mut self) {
        self.action = Action::Idle;
        self.sound_until = None;
        self.heard.clear();
        self.after_end.clear();
    }

    /// Off-hook in voice mode at `now`: a fresh start, the inactivity timer counting from now.
    pub(crate) fn off_hook(&mut self, now: Instant) {
        self.reset();
        self.last_dte = Some(now);
    }

    /// Extends the far end's sound to `until`.
    fn heard_sound(&mut self, now: Instant, duration: Duration) {
        let from = self.sound_until.map_or(now, |t| t.max(now));
        self.sound_until = Some(from + duration);
    }
}

/// Time `samples` take at `rate` samples/s.
fn play_time(samples: usize, rate: u32) -> Duration {
    Duration::from_nanos((samples as u64).saturating_mul(1_000_000_000) / u64::from(rate.max(1)))
}

/// Parses `+VTS`'s list: digits, `{digit,duration}` and `[f1,f2,duration]` (durations in
/// 0.01 s), separated by commas. `None` on anything else.
fn parse_tones(text: &str, default: u32) -> Option<Vec<VoiceSignal>> {
    let ten_ms = |v: u32| Duration::from_millis(u64::from(v) * 10);
    // Durations are at most 5 s (500, as `+VTS=?` lists them).
    let number = |s: &str, or: u32| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() {
            Some(or)
        } else {
            s.parse().ok()
        }
    };
    let duration = |s: &str| number(s, default).filter(|d| *d <= MAX_TONE);
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (item, tail) = match rest.as_bytes()[0] {
            b'[' | b'{' => {
                let close = if rest.starts_with('[') { ']' } else { '}' };
                let end = rest.find(close)?;
                (&rest[..=end], &rest[end + 1..])
            }
            _ => rest.split_at(rest.find(',').unwrap_or(rest.len())),
        };
        let item = item.trim();
        if let Some(inner) = item.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let mut parts = inner.split(',');
            let f1 = number(parts.next().unwrap_or(""), 0)?;
            let f2 = number(parts.next().unwrap_or(""), 0)?;
            let d = duration(parts.next().unwrap_or(""))?;
            if parts.next().is_some() || f1 > 4000 || f2 > 4000 {
                return None;
            }
            out.push(VoiceSignal::Tone {
                f1: u16::try_from(f1).ok()?,
                f2: u16::try_from(f2).ok()?,
                duration: ten_ms(d),
            });
        } else if let Some(inner) = item.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (digit, d) = inner.split_once(',').unwrap_or((inner, ""));
            let digit = dtmf_digit(digit.trim())?;
            out.push(VoiceSignal::Dtmf {
                digit,
                duration: ten_ms(duration(d)?),
            });
        } else {
            out.push(VoiceSignal::Dtmf {
                digit: dtmf_digit(item)?,
                duration: ten_ms(default),
            });
        }
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(t) => t.trim_start(),
            None if tail.is_empty() => "",
            None => return None,
        };
    }
    Some(out)
}

/// One DTMF key.
fn dtmf_digit(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?.to_ascii_uppercase();
    (chars.next().is_none() && matches!(c, '0'..='9' | '*' | '#' | 'A'..='D')).then_some(c)
}

/// A `+V` number within `max`.
fn number(value: &str, max: u32) -> Option<u32> {
    let v = value.trim();
    let n = if v.is_empty() {
        Some(0)
    } else {
        v.parse().ok()
    };
    n.filter(|n| *n <= max)
}

/// Up to `N` comma-separated numbers, each within its bound; missing ones keep `current`.
fn numbers<const N: usize>(value: &str, max: [u32; N], current: [u32; N]) -> Option<[u32; N]> {
    let mut out = current;
    let parts: Vec<&str> = value.split(',').collect();
    if parts.len() > N {
        return None;
    }
    for (i, part) in parts.iter().enumerate() {
        if part.trim().is_empty() {
            continue;
        }
        out[i] = number(part, max[i])?;
    }
    Some(out)
}

impl SimModem {
    /// Whether voice mode is selected (`+FCLASS=8`).
    pub(super) fn voice_mode(&self) -> bool {
        self.settings.fclass == "8"
    }

    /// Off-hook in voice mode: events go to the DTE.
    fn voice_off_hook(&self) -> bool {
        self.voice_mode() && matches!(self.call, CallState::Voice)
    }

    /// The selected coding.
    fn voice_coding(&self) -> Option<&VoiceCompression> {
        self.profile
            .voice_compressions
            .get(self.settings.voice.compression)
    }

    /// A `<DLE>` event to the DTE.
    fn voice_event(&mut self, code: u8, now: Instant) {
        if self.voice_off_hook() {
            tracing::debug!(modem = %self.label, event = %char::from(code), "voice event");
            self.deliver(&[DLE, code], now);
        }
    }

    /// A voice action's result ends what is left of its command line.
    fn voice_result(&mut self, code: ResultCode, now: Instant) {
        self.voice.action = Action::Idle;
        if std::mem::take(&mut self.awaiting_call) {
            if code == ResultCode::Ok {
                self.run_queue(now);
                return;
            }
            self.queue.clear();
            self.line_error = false;
        }
        self.emit_result(code, now);
    }

    /// `+VTX`/`+VRX` ended: `OK`, then the commands the DTE sent after the end.
    fn voice_done(&mut self, now: Instant) {
        self.voice_result(ResultCode::Ok, now);
        let after = std::mem::take(&mut self.voice.after_end);
        if !after.is_empty() {
            self.command_input(&after, now);
        }
    }

    /// Dialled in voice mode: wait for the far end to answer (`+VRA`/`+VRN`).
    pub(super) fn voice_await_answer(&mut self, now: Instant) {
        let v = &self.settings.voice;
        self.voice.action = Action::AwaitAnswer {
            ringback: false,
            answered_at: None,
            never_by: now + Duration::from_secs(u64::from(v.ringback_never_secs)),
            give_up: now + self.settings.regs.carrier_wait(),
        };
    }

    /// The `+V` commands of voice mode (V.253 clause 9).
    pub(super) fn cmd_voice(&mut self, name: &str, op: ExtOp, now: Instant) -> Step {
        if !self.voice_mode() || self.profile.voice_compressions.is_empty() {
            return Step::Error;
        }
        let prefix = self.profile.read_prefix;
        let read = |value: String| super::execute::prefixed(prefix, name, value);
        let v = self.settings.voice.clone();
        // Settings with plain numbers: (current values, bounds, test text).
        let plain: Option<(Vec<u32>, Vec<u32>)> = match name {
            "+VGT" => Some((vec![v.gain_tx], vec![255])),
            "+VGR" => Some((vec![v.gain_rx], vec![255])),
            "+VSD" => Some((
                vec![v.silence_sensitivity, v.silence_tenths],
                vec![255, 255],
            )),
            "+VRA" => Some((vec![v.ringback_gone_tenths], vec![255])),
            "+VRN" => Some((vec![v.ringback_never_secs], vec![255])),
            "+VIT" => Some((vec![v.inactivity_secs], vec![255])),
            "+VDR" => Some((vec![v.ring_report, v.ring_report_delay], vec![1, 255])),
            "+VNH" => Some((vec![v.no_hangup], vec![2])),
            "+VTD" => Some((vec![v.tone_tenms], vec![500])),
            _ => None,
        };
        if let Some((current, bounds)) = plain {
            match op {
                ExtOp::Set(value) => {
                    let parsed = match current.len() {
                        1 => numbers::<1>(&value, [bounds[0]], [current[0]]).map(|a| a.to_vec()),
                        _ => numbers::<2>(&value, [bounds[0], bounds[1]], [current[0], current[1]])
                            .map(|a| a.to_vec()),
                    };
                    let Some(values) = parsed else {
                        return Step::Error;
                    };
                    let s = &mut self.settings.voice;
                    match name {
                        "+VGT" => s.gain_tx = values[0],
                        "+VGR" => s.gain_rx = values[0],
                        "+VSD" => {
                            (s.silence_sensitivity, s.silence_tenths) = (values[0], values[1])
                        }
                        "+VRA" => s.ringback_gone_tenths = values[0],
                        "+VRN" => s.ringback_never_secs = values[0],
                        "+VIT" => s.inactivity_secs = values[0],
                        "+VDR" => (s.ring_report, s.ring_report_delay) = (values[0], values[1]),
                        "+VNH" => s.no_hangup = values[0],
                        _ => s.tone_tenms = values[0],
                    }
                }
                ExtOp::Read => {
                    let text: Vec<String> = current.iter().map(u32::to_string).collect();
                    self.emit_info(&[read(text.join(","))], InfoKind::Read, now);
                }
                ExtOp::Test => {
                    let text: Vec<String> = bounds.iter().map(|b| format!("(0-{b})")).collect();
                    self.emit_info(&[read(text.join(","))], InfoKind::Read, now);
                }
                ExtOp::Action => return Step::Error,
            }
            return Step::Next;
        }
        match (name, op) {
            ("+VLS", ExtOp::Set(value)) => match number(&value, 1) {
                Some(0) => {
                    if self.is_off_hook() {
                        self.hang_up(now);
                    }
                }
                Some(_) => {
                    if matches!(self.call, CallState::Idle) {
                        // Off-hook: on a ringing line this answers the call.
                        self.actions.push_back(LineAction::OffHook);
                        self.ringing = false;
                        self.call = CallState::Voice;
                        self.voice.off_hook(now);
                    } else if !matches!(self.call, CallState::Voice) {
                        return Step::Error;
                    }
                }
                None => return Step::Error,
            },
            ("+VLS", ExtOp::Read) => {
                let text = read(u8::from(self.is_off_hook()).to_string());
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+VLS", ExtOp::Test) => {
                self.emit_info(&[read("(0,1)".to_owned())], InfoKind::Read, now);
            }
            ("+VSM", ExtOp::Set(value)) => {
                let mut parts = value.split(',').map(str::trim);
                let id = parts.next().and_then(|p| p.parse::<u8>().ok());
                let Some(index) = id.and_then(|id| {
                    self.profile
                        .voice_compressions
                        .iter()
                        .position(|c| c.id == id)
                }) else {
                    return Step::Error;
                };
                let c = self.profile.voice_compressions[index];
                let rate = match parts.next() {
                    None | Some("") => default_rate(&c),
                    Some(r) => match r.parse::<u32>() {
                        Ok(r) if c.rates.contains(&r) => r,
                        _ => return Step::Error,
                    },
                };
                // Silence compression (<scs>, <sel>) is not simulated: only 0 is offered.
                if parts.any(|p| !p.is_empty() && p != "0") {
                    return Step::Error;
                }
                self.settings.voice.compression = index;
                self.settings.voice.rate = rate;
            }
            ("+VSM", ExtOp::Read) => {
                let id = self.voice_coding().map_or(0, |c| c.id);
                let text = read(format!("{id},{},0,0", self.settings.voice.rate));
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+VSM", ExtOp::Test) => {
                let lines: Vec<&str> = self
                    .profile
                    .voice_compressions
                    .iter()
                    .map(|c| c.test_line)
                    .collect();
                self.emit_info(&lines, InfoKind::Read, now);
            }
            ("+VTX" | "+VRX", ExtOp::Action) => {
                if !matches!(self.call, CallState::Voice) {
                    return Step::Error;
                }
                self.voice.action = if name == "+VTX" {
                    Action::Transmit(Transmit {
                        after_dle: false,
                        played_by: now,
                        ended: false,
                    })
                } else {
                    self.voice.heard.clear();
                    Action::Receive(Receive {
                        started: now,
                        produced: 0,
                        next_tick: now + RECEIVE_TICK,
                        sound_heard: false,
                        silence_reported: false,
                        after_dle: false,
                    })
                };
                tracing::debug!(modem = %self.label, command = name, "voice: CONNECT");
                // CONNECT ends the command line; the action's own result follows it.
                self.awaiting_call = false;
                self.queue.clear();
                self.line_error = false;
                self.emit_result(ResultCode::Connect(None), now);
                self.in_line = false;
                return Step::Online;
            }
            ("+VTS", ExtOp::Set(value)) => {
                if !matches!(self.call, CallState::Voice) {
                    return Step::Error;
                }
                let Some(signals) = parse_tones(&value, self.settings.voice.tone_tenms) else {
                    return Step::Error;
                };
                let total: Duration = signals
                    .iter()
                    .map(|s| match s {
                        VoiceSignal::Dtmf { duration, .. } | VoiceSignal::Tone { duration, .. } => {
                            *duration
                        }
                        VoiceSignal::Audio(_) => Duration::ZERO,
                    })
                    .sum();
                for s in signals {
                    self.actions.push_back(LineAction::Voice(s));
                }
                self.voice.action = Action::Tones(now + total);
                return Step::Suspend;
            }
            ("+VTS", ExtOp::Test) => {
                self.emit_info(
                    &[read("(0-4000),(0-4000),(0-500)".to_owned())],
                    InfoKind::Read,
                    now,
                );
            }
            _ => return Step::Error,
        }
        Step::Next
    }

    /// Whether a voice action (not the command interpreter) takes the DTE's bytes now.
    pub(super) fn voice_takes_input(&self) -> bool {
        matches!(self.call, CallState::Voice) && !matches!(self.voice.action, Action::Idle)
    }

    /// DTE bytes while off-hook in voice mode; `false` leaves them to the command interpreter.
    pub(super) fn voice_input(&mut self, bytes: &[u8], now: Instant) -> bool {
        self.voice.last_dte = Some(now);
        if !self.voice_takes_input() {
            return false;
        }
        let bytes = self.after_terminator(bytes);
        if bytes.is_empty() {
            return true;
        }
        let in_grace = self.in_terminator_grace(now);
        match &mut self.voice.action {
            Action::Idle => false,
            Action::Tones(_) if in_grace => true,
            Action::Tones(_) => {
                // A character from the DTE stops the tones (V.253 leaves it to the DCE; a DTE
                // that aborts expects `OK` and nothing of the rest of the line).
                self.voice.action = Action::Idle;
                self.awaiting_call = false;
                self.queue.clear();
                self.line_error = false;
                self.emit_result(ResultCode::Ok, now);
                true
            }
            Action::AwaitAnswer { .. } => {
                if !in_grace {
                    self.voice.action = Action::Idle;
                    self.abort_attempt(now);
                }
                true
            }
            Action::Transmit(t) if t.ended => {
                // Commands sent before the `OK`: they run once it is out.
                self.voice.after_end.extend_from_slice(bytes);
                true
            }
            Action::Transmit(t) => {
                let mut samples = Vec::with_capacity(bytes.len());
                let mut end = false;
                let mut rest: &[u8] = &[];
                for (i, &b) in bytes.iter().enumerate() {
                    if std::mem::take(&mut t.after_dle) {
                        match b {
                            DLE => samples.push(DLE),
                            ETX => {
                                end = true;
                                rest = &bytes[i + 1..];
                                break;
                            }
                            CAN => {
                                // Drop what is queued: playing stops now.
                                samples.clear();
                                t.played_by = now;
                            }
                            // `<DLE><FS>` (reset), volume and other pairs: no simulated effect.
                            _ => {}
                        }
                    } else if b == DLE {
                        t.after_dle = true;
                    } else {
                        samples.push(b);
                    }
                }
                let (coding, rate) = match self.voice_coding() {
                    Some(c) => (c.coding, self.settings.voice.rate),
                    None => (SampleCoding::UnsignedLinear8, 8000),
                };
                if !samples.is_empty() {
                    let line = coding::to_line(&samples, coding, rate);
                    if let Action::Transmit(t) = &mut self.voice.action {
                        t.played_by = t.played_by.max(now) + play_time(samples.len(), rate);
                    }
                    if !line.is_empty() {
                        self.actions
                            .push_back(LineAction::Voice(VoiceSignal::Audio(Arc::from(line))));
                    }
                }
                if end && let Action::Transmit(t) = &mut self.voice.action {
                    t.ended = true;
                    let played = t.played_by <= now;
                    self.voice.after_end.extend_from_slice(rest);
                    if played {
                        self.voice_done(now);
                    }
                }
                true
            }
            Action::Receive(r) => {
                let mut stop = false;
                let mut rest: &[u8] = &[];
                for (i, &b) in bytes.iter().enumerate() {
                    if std::mem::take(&mut r.after_dle) {
                        // `<DLE>!` (V.253 receive abort) or `<DLE>^` end the recording.
                        if matches!(b, b'!' | b'^' | ETX) {
                            stop = true;
                            rest = &bytes[i + 1..];
                            break;
                        }
                    } else if b == DLE {
                        r.after_dle = true;
                    }
                }
                if stop {
                    self.voice_receive_tick(now);
                    self.deliver(&[DLE, ETX], now);
                    self.voice.after_end.extend_from_slice(rest);
                    self.voice_done(now);
                }
                true
            }
        }
    }

    /// A line signal while off-hook in voice mode (or in `D…;` command state).
    pub(super) fn voice_signal(&mut self, signal: LineSignal, now: Instant) {
        if !self.voice_mode() {
            return;
        }
        match signal {
            LineSignal::Voice(VoiceSignal::Audio(samples)) => {
                let loud = samples
                    .iter()
                    .any(|s| s.unsigned_abs() > SOUND_LEVEL.unsigned_abs());
                if loud {
                    self.voice
                        .heard_sound(now, play_time(samples.len(), VoiceSignal::AUDIO_RATE));
                }
                if let Action::Receive(r) = &mut self.voice.action {
                    if loud {
                        r.sound_heard = true;
                        r.silence_reported = false;
                    }
                    let heard = &mut self.voice.heard;
                    heard.extend(samples.iter().copied());
                    let excess = heard.len().saturating_sub(MAX_HEARD);
                    heard.drain(..excess);
                }
            }
            LineSignal::Voice(VoiceSignal::Dtmf { digit, duration }) => {
                self.voice.heard_sound(now, duration);
                if let Ok(code) = u8::try_from(digit) {
                    self.voice_receive_tick(now);
                    self.voice_event(code, now);
                }
            }
            LineSignal::Voice(VoiceSignal::Tone { duration, .. }) => {
                self.voice.heard_sound(now, duration);
            }
            LineSignal::Ringback => {
                if let Action::AwaitAnswer { ringback, .. } = &mut self.voice.action {
                    *ringback = true;
                }
            }
            LineSignal::Answered => {
                if let Action::AwaitAnswer { answered_at, .. } = &mut self.voice.action {
                    *answered_at = Some(now);
                }
            }
            LineSignal::Busy | LineSignal::Reorder | LineSignal::Released(_) => {
                if matches!(self.voice.action, Action::AwaitAnswer { .. }) {
                    let code = if matches!(signal, LineSignal::Released(_)) {
                        ResultCode::NoCarrier
                    } else {
                        ResultCode::Busy
                    };
                    self.hang_up(now);
                    self.voice_result(code, now);
                } else {
                    // After the far end hangs up the exchange plays busy (or reorder).
                    self.voice_receive_tick(now);
                    self.voice_event(b'b', now);
                }
            }
            LineSignal::CallWaitingTone => self.voice_event(b'w', now),
            // Call-waiting caller ID: the waiting caller, reported as caller ID is.
            LineSignal::CallerId(cid) if self.voice_off_hook() => self.report_caller_id(&cid, now),
            LineSignal::Fax(FaxSignal::AnswerTone) => self.voice_event(b'a', now),
            LineSignal::Fax(FaxSignal::Carrier(_)) => self.voice_event(b'c', now),
            LineSignal::RemoteCarrier(c) => self.voice_event(
                if c.kind == CarrierKind::Fax {
                    b'c'
                } else {
                    b'e'
                },
                now,
            ),
            _ => {}
        }
    }

    /// `+VRX`: the samples due by `now`, then silence detection.
    fn voice_receive_tick(&mut self, now: Instant) {
        let (coding, rate) = match self.voice_coding() {
            Some(c) => (c.coding, self.settings.voice.rate),
            None => return,
        };
        let silence_tenths = self.settings.voice.silence_tenths;
        let sound_until = self.voice.sound_until;
        let Action::Receive(r) = &mut self.voice.action else {
            return;
        };
        let elapsed = now.saturating_duration_since(r.started);
        let due = (elapsed.as_nanos() * u128::from(rate) / 1_000_000_000) as u64;
        if due.saturating_sub(r.produced) > MAX_RELEASE {
            r.produced = due - MAX_RELEASE;
        }
        let n = due.saturating_sub(r.produced) as usize;
        while r.next_tick <= now {
            r.next_tick += RECEIVE_TICK;
        }
        let mut event = None;
        if sound_until.is_some_and(|t| t > r.started) && sound_until.is_some_and(|t| t >= now) {
            r.sound_heard = true;
            r.silence_reported = false;
        }
        if silence_tenths > 0 && !r.silence_reported {
            let quiet_from = sound_until.map_or(r.started, |t| t.max(r.started));
            if now >= quiet_from + Duration::from_millis(u64::from(silence_tenths) * 100) {
                r.silence_reported = true;
                event = Some(if r.sound_heard { b'q' } else { b's' });
            }
        }
        r.produced += n as u64;
        if n > 0 {
            let take =
                (n as u64 * u64::from(VoiceSignal::AUDIO_RATE) / u64::from(rate.max(1))) as usize;
            let take = take.min(self.voice.heard.len());
            let line: Vec<i16> = self.voice.heard.drain(..take).collect();
            let mut samples = coding::from_line(&line, coding, rate);
            samples.resize(n, coding.silence());
            let mut shielded = Vec::with_capacity(samples.len() + 8);
            super::fax::shield(&samples, &mut shielded);
            self.deliver(&shielded, now);
        }
        if let Some(code) = event {
            tracing::debug!(modem = %self.label, event = %char::from(code), "voice: silence");
            self.deliver(&[DLE, code], now);
        }
    }

    /// The next voice timer.
    pub(super) fn voice_deadline(&self) -> Option<Instant> {
        if !matches!(self.call, CallState::Voice) || !self.voice_mode() {
            return None;
        }
        let v = &self.settings.voice;
        match &self.voice.action {
            Action::Idle => (v.inactivity_secs > 0)
                .then_some(self.voice.last_dte)
                .flatten()
                .map(|t| t + Duration::from_secs(u64::from(v.inactivity_secs))),
            Action::AwaitAnswer {
                ringback,
                answered_at,
                never_by,
                give_up,
            } => Some(match answered_at {
                Some(t) => *t + Duration::from_millis(u64::from(v.ringback_gone_tenths) * 100),
                None if !ringback => *never_by,
                None => *give_up,
            }),
            Action::Tones(t) => Some(*t),
            Action::Transmit(t) => t.ended.then_some(t.played_by),
            Action::Receive(r) => Some(r.next_tick),
        }
    }

    /// Voice timers.
    pub(super) fn voice_timeout(&mut self, now: Instant) {
        let Some(due) = self.voice_deadline() else {
            return;
        };
        if now < due {
            return;
        }
        match &self.voice.action {
            Action::Idle => {
                tracing::debug!(modem = %self.label, "voice: inactivity timer, back to data mode");
                self.hang_up(now);
                self.settings.fclass = "0";
            }
            Action::AwaitAnswer {
                ringback,
                answered_at,
                ..
            } => {
                if answered_at.is_none() && *ringback {
                    self.hang_up(now);
                    self.voice_result(ResultCode::NoAnswer, now);
                } else {
                    self.voice_result(ResultCode::Ok, now);
                }
            }
            Action::Tones(_) => self.voice_result(ResultCode::Ok, now),
            Action::Transmit(_) => self.voice_done(now),
            Action::Receive(_) => self.voice_receive_tick(now),
        }
    }

    /// `+VDR=1`: a ring burst starts (`DROF=` the silence before it) or ends (`DRON=`).
    pub(super) fn voice_ring_edge(&mut self, on: bool, now: Instant) {
        let report = self.voice_mode() && self.settings.voice.ring_report == 1;
        let tenths = |d: Duration| (d.as_millis() / 100).to_string();
        if on {
            // A silence longer than a ring cycle can hold means a new call: no DROF.
            let off = self
                .voice
                .ring_off_at
                .filter(|t| now.saturating_duration_since(*t) < super::ring::RING_COUNT_RESET);
            if report && let Some(off) = off {
                let line = format!("DROF={}", tenths(now.saturating_duration_since(off)));
                self.emit_info(&[line], InfoKind::General, now);
            }
            self.voice.ring_on_at = Some(now);
        } else {
            if report && let Some(start) = self.voice.ring_on_at {
                let line = format!("DRON={}", tenths(now.saturating_duration_since(start)));
                self.emit_info(&[line], InfoKind::General, now);
            }
            self.voice.ring_off_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_tone_list_mixes_digits_braces_and_brackets() {
        let list = parse_tones("1,{#,20},[933,,150], 9", 10).unwrap();
        assert_eq!(
            list,
            vec![
                VoiceSignal::Dtmf {
                    digit: '1',
                    duration: Duration::from_millis(100)
                },
                VoiceSignal::Dtmf {
                    digit: '#',
                    duration: Duration::from_millis(200)
                },
                VoiceSignal::Tone {
                    f1: 933,
                    f2: 0,
                    duration: Duration::from_millis(1500)
                },
                VoiceSignal::Dtmf {
                    digit: '9',
                    duration: Duration::from_millis(100)
                },
            ]
        );
    }

    #[test]
    fn a_bad_tone_list_is_refused() {
        for bad in ["12", "X", "[99999,0,1]", "{1,2", "1,,2", "[1,2,3,4]"] {
            assert_eq!(parse_tones(bad, 10), None, "{bad}");
        }
        assert_eq!(parse_tones("", 10), Some(vec![]));
    }
}

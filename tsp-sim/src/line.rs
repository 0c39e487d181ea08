//! The subscriber line: what terminal equipment (a simulated modem, a scripted far end) and the
//! exchange say to each other.
//!
//! This is the seam between [`crate::exchange`] and [`crate::modem`]. Both are sans-IO state
//! machines driven with the current time passed in; neither reads a clock. A terminal is anything
//! plugged into a line: it sends [`LineAction`]s (hook, digits, carrier, payload) and receives
//! [`LineSignal`]s (dial tone, ring, caller ID, remote carrier, payload, call-waiting tone).
//!
//! Carrier model: a data or fax connection exists when both ends of a connected voice path have
//! started a carrier with complementary roles (one [`CarrierRole::Originate`], one
//! [`CarrierRole::Answer`]). The exchange relays each end's carrier to the other as
//! [`LineSignal::RemoteCarrier`]; the terminals decide when they are trained (a modem reports
//! `CONNECT <rate>` after its training time). Anything in-band that disturbs the path (the
//! call-waiting tone on a line whose call waiting was not cancelled for that call) is delivered to
//! both ends as [`LineSignal::CallWaitingTone`]; a data carrier that hears it drops.

use std::fmt;
use std::time::Instant;

use bytes::Bytes;

/// A subscriber line on the exchange, by index in the order lines were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId(pub usize);

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.0)
    }
}

/// Which side of a modem connection a carrier plays (V.25: the caller originates, the called answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierRole {
    /// The calling modem.
    Originate,
    /// The answering modem (it sends the answer tone first).
    Answer,
}

/// What kind of carrier: data (`+FCLASS=0`) or fax (`+FCLASS=1`/`2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierKind {
    /// A data modem carrier (V.21 … V.90).
    Data,
    /// A fax carrier (T.30 over V.21/V.17…).
    Fax,
}

/// A carrier as one end offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Carrier {
    /// Originate or answer.
    pub role: CarrierRole,
    /// Data or fax.
    pub kind: CarrierKind,
    /// The highest rate this end offers, in bit/s (the connection runs at the lower of both ends').
    pub max_rate: u32,
}

/// How the caller's number is presented (ICLID, hayes.md §10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Presentation {
    /// The number (and name, if any) is delivered.
    Available,
    /// The caller withheld it (`P` in the modem's output).
    Private,
    /// The network could not get it (`O`: out of area).
    OutOfArea,
}

/// Caller ID as the exchange sends it between the first and second ring (or before the first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerId {
    /// Month and day, `MMDD`.
    pub date: String,
    /// Hour and minute, `HHMM`.
    pub time: String,
    /// The caller's number when [`Presentation::Available`].
    pub number: Option<String>,
    /// The caller's name, when the line has a name and name delivery.
    pub name: Option<String>,
    /// How the number is presented.
    pub number_presentation: Presentation,
    /// How the name is presented (a name can be private while the number is not).
    pub name_presentation: Presentation,
    /// The number the caller dialled, as the exchange passes it on (spandsp's `NDID`).
    pub called: Option<String>,
}

/// What a terminal does to its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineAction {
    /// Lift the handset / seize the line.
    OffHook,
    /// Hang up.
    OnHook,
    /// Dial these characters (`0-9`, `*`, `#`, `A-D`), in order. Tone or pulse is the terminal's
    /// business; pauses (`,`) are timed by the terminal and never reach the exchange.
    Digits(String),
    /// A hook flash (`!`): on a line with call waiting, switches to the waiting caller.
    Flash,
    /// Start sending a carrier.
    StartCarrier(Carrier),
    /// Stop sending a carrier (the connection, if any, is lost for both ends).
    StopCarrier,
    /// Payload bytes over an established connection (data or fax).
    Data(Bytes),
    /// A fax signal in the voice path (T.30 over a T.31 Class 1 modem): a tone, a modulation
    /// starting or stopping, an HDLC frame. Relayed to the other end in a connected call.
    Fax(FaxSignal),
    /// Voice-band signals from a modem in voice mode (V.253 `+VTX`, `+VTS`): audio, DTMF and
    /// tones. Relayed to the other end in a connected call.
    Voice(VoiceSignal),
}

/// What a voice-mode terminal puts on the voice path (ITU V.253; the simulator carries audio
/// as samples and tones as events rather than synthesizing them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceSignal {
    /// Audio: signed 16-bit linear samples at [`VoiceSignal::AUDIO_RATE`] samples/s, in the
    /// order they were played. The sending modem converts from its `+VSM` coding and rate, the
    /// receiving one to its own.
    Audio(std::sync::Arc<[i16]>),
    /// A DTMF digit (`0-9`, `*`, `#`, `A-D`) sounding for this long (`+VTS`).
    Dtmf {
        /// The digit.
        digit: char,
        /// How long it sounds.
        duration: std::time::Duration,
    },
    /// A single or dual tone (`+VTS=[f1,f2,d]`): frequencies in Hz (0 = none) and duration.
    Tone {
        /// The first frequency, Hz.
        f1: u16,
        /// The second frequency, Hz (0: a single tone).
        f2: u16,
        /// How long it sounds.
        duration: std::time::Duration,
    },
}

impl VoiceSignal {
    /// The sample rate of [`VoiceSignal::Audio`]: 8000 samples/s, the telephone network's.
    pub const AUDIO_RATE: u32 = 8000;
}

/// A T.31 modulation, by the `<mod>` code of `+FTM`/`+FRM`/`+FTH`/`+FRH` (T.31 Table 1).
///
/// ```
/// use tsp_sim::line::Modulation;
///
/// let v17 = Modulation::from_code(146).unwrap();
/// assert_eq!(v17.bit_rate(), 14_400);
/// assert!(v17.same_carrier(Modulation::from_code(145).unwrap()), "long or short training");
/// assert!(Modulation::from_code(3).unwrap().is_hdlc_v21());
/// assert_eq!(Modulation::from_code(99), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Modulation(u8);

impl Modulation {
    /// Every code a Class 1 modem may offer for `+FTM`/`+FRM`, in T.31 Table 1 order (V.27 ter
    /// 2400 and 4800, V.29 7200 and 9600, V.17 7200 to 14400 with long and short training).
    pub const HIGH_SPEED: &'static [u8] = &[24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146];

    /// V.21 channel 2 at 300 bit/s, the HDLC control channel (`+FTH=3`, `+FRH=3`).
    pub const V21: Self = Self(3);

    /// The modulation with this `<mod>` code, if T.31 defines it (3 for V.21 HDLC, or one of
    /// [`Modulation::HIGH_SPEED`]).
    pub fn from_code(code: u8) -> Option<Self> {
        (code == 3 || Self::HIGH_SPEED.contains(&code)).then_some(Self(code))
    }

    /// The `<mod>` code.
    pub fn code(self) -> u8 {
        self.0
    }

    /// Bits per second on the line.
    pub fn bit_rate(self) -> u32 {
        match self.0 {
            3 => 300,
            24 => 2400,
            48 => 4800,
            72..=74 => 7200,
            96..=98 => 9600,
            121 | 122 => 12_000,
            _ => 14_400,
        }
    }

    /// True for V.21 channel 2 (code 3).
    pub fn is_hdlc_v21(self) -> bool {
        self.0 == 3
    }

    /// The modulation family: V.21, V.27 ter, V.29 or V.17.
    fn family(self) -> u8 {
        match self.0 {
            3 => 21,
            24 | 48 => 27,
            72 | 96 => 29,
            _ => 17,
        }
    }

    /// Whether a receiver set for `self` trains on a transmission in `other`: the same
    /// recommendation at the same rate (V.17's long and short training are one carrier).
    pub fn same_carrier(self, other: Self) -> bool {
        self.family() == other.family() && self.bit_rate() == other.bit_rate()
    }

    /// How long the transmitter trains before the first data bit (the receiver's `CONNECT`):
    /// the V.21 flag preamble is 1 s (T.30 5.3.1), V.27 ter 943 ms at 2400 and 708 ms at 4800,
    /// V.29 253 ms, V.17 1,393 ms long and 142 ms short training (each recommendation's
    /// training sequence).
    pub fn training(self) -> std::time::Duration {
        let ms = match self.0 {
            3 => 1000,
            24 => 943,
            48 => 708,
            72 | 96 => 253,
            73 | 97 | 121 | 145 => 1393,
            _ => 142,
        };
        std::time::Duration::from_millis(ms)
    }
}

impl fmt::Display for Modulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.family() {
            21 => "V.21",
            27 => "V.27ter",
            29 => "V.29",
            _ => "V.17",
        };
        write!(f, "{name} {} bit/s", self.bit_rate())
    }
}

/// A fax signal between two Class 1 modems in a connected call (T.30 phases A–E as the line
/// carries them; the simulator does not synthesize audio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaxSignal {
    /// The called terminal's answer tone (CED, 2100 Hz, T.30 5.3.2) starts.
    AnswerTone,
    /// A modulated carrier is trained and carries data from now on (the receiver's `CONNECT`).
    Carrier(Modulation),
    /// The transmitter went quiet: tone or carrier off.
    Silence,
    /// One HDLC frame (address, control, information; no flags, no FCS) has been sent whole on
    /// V.21. The receiving modem computes the FCS it passes to its DTE.
    Frame(Bytes),
}

/// Distinctive ring patterns (hayes.md §10.5): `Normal` is the line's own number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RingPattern {
    /// The standard cadence: 2 s on, 4 s off.
    #[default]
    Normal,
    /// Distinctive ring 2 (two short bursts).
    Double,
    /// Distinctive ring 3 (short-short-long).
    Triple,
}

/// Why the far end of a call went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseCause {
    /// The far end hung up.
    Normal,
    /// The far end rejected the call while it was ringing.
    Rejected,
}

/// What the exchange signals to the terminal on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSignal {
    /// Dial tone: the exchange is ready for digits (sent after off-hook on a working line; a line
    /// that is unplugged or out of service never sends it).
    DialTone,
    /// The ringer starts a burst of the cadence.
    RingOn(RingPattern),
    /// The ringer stops (silence between bursts).
    RingOff,
    /// Caller ID, delivered in the silence between rings (or before the first ring).
    CallerId(CallerId),
    /// The called line is being rung (audible ringback).
    Ringback,
    /// The called line is busy (busy tone).
    Busy,
    /// The number does not exist or the call cannot be routed (reorder / fast busy).
    Reorder,
    /// The far end answered: a voice path now connects the two lines.
    Answered,
    /// The far end went away (hung up, or rejected the call).
    Released(ReleaseCause),
    /// The far end started a carrier.
    RemoteCarrier(Carrier),
    /// The far end stopped its carrier.
    RemoteCarrierLost,
    /// Payload from the far end.
    Data(Bytes),
    /// The call-waiting tone was injected into the voice path: a second caller is waiting. A data
    /// or fax carrier that hears it is lost unless call waiting was cancelled for this call.
    CallWaitingTone,
    /// Line noise: these bytes reach the terminal's receiver as if they had come from the far end.
    Noise(Bytes),
    /// A fax signal from the far end ([`LineAction::Fax`]).
    Fax(FaxSignal),
    /// A voice-band signal from the far end ([`LineAction::Voice`]).
    Voice(VoiceSignal),
}

/// Anything that can be plugged into a subscriber line: a simulated modem, a scripted far end.
///
/// The exchange calls [`Terminal::on_signal`] for everything it signals, and drains
/// [`Terminal::poll_action`] after every call into the terminal. Time is always passed in.
pub trait Terminal: Send {
    /// The exchange signals something on this terminal's line.
    fn on_signal(&mut self, signal: LineSignal, now: Instant);
    /// The next thing this terminal does to its line, if any.
    fn poll_action(&mut self) -> Option<LineAction>;
    /// When the terminal next needs [`Terminal::handle_timeout`].
    fn poll_timeout(&self) -> Option<Instant>;
    /// Time has reached `now`: run whatever timers expired.
    fn handle_timeout(&mut self, now: Instant);
}

/// The modem control lines as the computer (DTE) sees them (V.24 circuits; hayes.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ControlLines {
    /// Data Carrier Detect (circuit 109): on while a carrier is up (with `&C1`), always on with `&C0`.
    pub dcd: bool,
    /// Ring Indicator (circuit 125): on during each ring burst.
    pub ri: bool,
    /// Data Set Ready (circuit 107): on while the modem is powered and plugged in.
    pub dsr: bool,
    /// Clear To Send (circuit 106): flow control towards the computer.
    pub cts: bool,
}

/// The computer-facing side of a simulated device: the serial port's bytes and control lines.
///
/// A simulated modem implements this and [`Terminal`]; the network routes DTE bytes to it and its
/// line actions to the exchange.
pub trait DteSide: Send {
    /// Bytes the computer wrote to the port.
    fn handle_dte_input(&mut self, bytes: &[u8], now: Instant);
    /// The same, given as [`Bytes`] the device may keep without copying (the network calls
    /// this one; the default hands the slice to [`DteSide::handle_dte_input`]).
    fn handle_dte_bytes(&mut self, bytes: Bytes, now: Instant) {
        self.handle_dte_input(&bytes, now);
    }
    /// Bytes the device sends to the computer, if any are ready.
    fn poll_dte_output(&mut self) -> Option<Bytes>;
    /// The computer raised (`true`) or dropped (`false`) DTR (circuit 108/2).
    fn set_dtr(&mut self, on: bool, now: Instant);
    /// The control lines as they are now.
    fn control_lines(&self) -> ControlLines;
}

/// A device with both faces: a serial port towards the computer and a line towards the exchange.
pub trait SimDevice: Terminal + DteSide {}

impl<T: Terminal + DteSide> SimDevice for T {}

//! Subscriber lines: their configuration (number, name, features) and their state on the exchange.

use std::fmt;

use crate::line::{Carrier, Presentation, RingPattern};

use super::call::CallId;
use super::dialling::DialBuffer;

/// A subscriber line's number and features, given to [`super::Exchange::add_line`].
///
/// ```
/// use tsp_sim::exchange::LineConfig;
/// use tsp_sim::line::Presentation;
///
/// let line = LineConfig::new("5550100")
///     .name("ACME MODEM POOL")
///     .call_waiting(true)
///     .presentation(Presentation::Private);
/// assert_eq!(line.number, "5550100");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineConfig {
    /// The line's directory number, e.g. `5550100`.
    pub number: String,
    /// The listing name sent with caller ID (MDMF), if any.
    pub name: Option<String>,
    /// How this line's number and name are presented to the lines it calls: `Private` withholds
    /// both (`P`), `OutOfArea` models a caller whose identity the network cannot get (`O`).
    /// Default: available.
    pub caller_id_presentation: Presentation,
    /// Call waiting: a second caller reaching this line while it is in a call hears ringback and
    /// the call-waiting tone is injected into the active call. Default: off.
    pub call_waiting: bool,
    /// This line subscribes to caller ID: the exchange sends the caller's number when it rings.
    /// Default: on.
    pub caller_id_delivery: bool,
    /// With caller ID, also the caller's name (MDMF); off models SDMF service or a UK line, where
    /// NAME is missing. Default: on.
    pub name_delivery: bool,
    /// The ring pattern used when this line is rung. Default: [`RingPattern::Normal`].
    pub distinctive_ring: RingPattern,
    /// Whether a terminal is plugged in. An unplugged line never gives dial tone and its
    /// terminal hears nothing, but callers still hear ringback. Default: plugged in.
    pub plugged_in: bool,
}

impl LineConfig {
    /// A plugged-in line with this number, caller ID delivered, call waiting off.
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            name: None,
            caller_id_presentation: Presentation::Available,
            call_waiting: false,
            caller_id_delivery: true,
            name_delivery: true,
            distinctive_ring: RingPattern::Normal,
            plugged_in: true,
        }
    }

    /// Sets [`LineConfig::name`].
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets [`LineConfig::caller_id_presentation`].
    #[must_use]
    pub fn presentation(mut self, presentation: Presentation) -> Self {
        self.caller_id_presentation = presentation;
        self
    }

    /// Sets [`LineConfig::call_waiting`].
    #[must_use]
    pub fn call_waiting(mut self, on: bool) -> Self {
        self.call_waiting = on;
        self
    }

    /// Sets [`LineConfig::caller_id_delivery`].
    #[must_use]
    pub fn caller_id_delivery(mut self, on: bool) -> Self {
        self.caller_id_delivery = on;
        self
    }

    /// Sets [`LineConfig::name_delivery`].
    #[must_use]
    pub fn name_delivery(mut self, on: bool) -> Self {
        self.name_delivery = on;
        self
    }

    /// Sets [`LineConfig::distinctive_ring`].
    #[must_use]
    pub fn distinctive_ring(mut self, pattern: RingPattern) -> Self {
        self.distinctive_ring = pattern;
        self
    }

    /// Sets [`LineConfig::plugged_in`].
    #[must_use]
    pub fn plugged_in(mut self, plugged: bool) -> Self {
        self.plugged_in = plugged;
        self
    }
}

/// What a line is doing, as the exchange sees it (see [`super::Exchange::line_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LineStatus {
    /// On-hook, nothing happening.
    Idle,
    /// No terminal plugged in (a call to it may still be ringing at the exchange).
    Unplugged,
    /// On-hook and being rung.
    Ringing,
    /// Off-hook with dial tone, collecting digits.
    Dialling,
    /// A call placed from this line is ringing the far end (or waiting on it).
    Calling,
    /// In a call with a voice path (possibly to a held party's partner).
    Connected,
    /// Off-hook after the call failed or the far end left (busy, reorder, released): nothing
    /// happens until the line goes on-hook.
    Lockout,
}

impl fmt::Display for LineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::Idle => "idle",
            Self::Unplugged => "unplugged",
            Self::Ringing => "ringing",
            Self::Dialling => "dialling",
            Self::Calling => "calling",
            Self::Connected => "connected",
            Self::Lockout => "lockout",
        };
        f.write_str(text)
    }
}

/// A line's state machine on the exchange.
#[derive(Debug, Clone, Default)]
pub(crate) enum LineState {
    /// On-hook.
    #[default]
    Idle,
    /// On-hook, being rung for this call.
    Ringing(CallId),
    /// Off-hook, collecting digits.
    Dialling(DialBuffer),
    /// Off-hook, this outgoing call is ringing or waiting at the far end.
    Outgoing(CallId),
    /// Off-hook, this call is the line's active call.
    Talking(CallId),
    /// Off-hook after a failure or release; waits for on-hook.
    Lockout,
}

/// A line on the exchange: configuration plus state.
#[derive(Debug, Clone)]
pub(crate) struct Subscriber {
    pub(crate) config: LineConfig,
    /// Whether a terminal is plugged in now.
    pub(crate) plugged: bool,
    /// The hook state the terminal last reported (tracked even while unplugged).
    pub(crate) terminal_off_hook: bool,
    pub(crate) state: LineState,
    /// A call this line put on hold with a flash.
    pub(crate) held: Option<CallId>,
    /// A second caller waiting for this line (call waiting).
    pub(crate) waiting: Option<CallId>,
    /// The carrier this line's terminal is sending, if any.
    pub(crate) carrier: Option<Carrier>,
}

impl Subscriber {
    pub(crate) fn new(config: LineConfig) -> Self {
        Self {
            plugged: config.plugged_in,
            config,
            terminal_off_hook: false,
            state: LineState::Idle,
            held: None,
            waiting: None,
            carrier: None,
        }
    }

    pub(crate) fn status(&self) -> LineStatus {
        if !self.plugged {
            return LineStatus::Unplugged;
        }
        match self.state {
            LineState::Idle => LineStatus::Idle,
            LineState::Ringing(_) => LineStatus::Ringing,
            LineState::Dialling(_) => LineStatus::Dialling,
            LineState::Outgoing(_) => LineStatus::Calling,
            LineState::Talking(_) => LineStatus::Connected,
            LineState::Lockout => LineStatus::Lockout,
        }
    }

    /// The call this line is actively talking on, if any.
    pub(crate) fn active_call(&self) -> Option<CallId> {
        match self.state {
            LineState::Talking(call) => Some(call),
            _ => None,
        }
    }
}

//! Faults injected on purpose, and the network-side reject of a ringing call.

use std::time::Instant;

use bytes::Bytes;
use rand::RngCore;

use crate::line::{LineId, LineSignal, ReleaseCause};

use super::Exchange;
use super::call::CallPhase;
use super::error::ExchangeError;
use super::events::{ExchangeEvent, Fault};
use super::subscriber::LineState;

impl Exchange {
    /// The line rejects the call ringing on it (or the call waiting for it): the caller hears
    /// `Released(Rejected)` and the ringing stops.
    ///
    /// Analog lines cannot do this (see the [module documentation](super)); it models a scripted
    /// far end that rejects, or a provider that drops an offered call on a network that can.
    pub fn reject(&mut self, line: LineId, now: Instant) -> Result<(), ExchangeError> {
        const OPERATION: &str = "reject";
        let Some(sub) = self.lines.get(line.0) else {
            return Err(ExchangeError::UnknownLine {
                line,
                operation: OPERATION,
            });
        };
        let call = match (sub.state.clone(), sub.waiting) {
            (LineState::Ringing(call), _) | (_, Some(call)) => call,
            _ => {
                return Err(ExchangeError::NothingToReject {
                    line,
                    operation: OPERATION,
                });
            }
        };
        if let Some(caller) = self.calls.get(&call).map(|c| c.caller) {
            self.events.push_back(ExchangeEvent::Rejected {
                caller,
                callee: line,
            });
        }
        self.release_call(call, line, ReleaseCause::Rejected);
        self.handle_timeout(now);
        Ok(())
    }

    /// The carrier on the line's connected call is lost: both ends hear `RemoteCarrierLost`
    /// (what the terminals do about it is theirs to decide).
    pub fn inject_carrier_loss(&mut self, line: LineId, now: Instant) -> Result<(), ExchangeError> {
        const OPERATION: &str = "inject carrier loss";
        self.known(line, OPERATION)?;
        let partner = self.connected_to(line).ok_or(ExchangeError::NotConnected {
            line,
            operation: OPERATION,
        })?;
        tracing::debug!(%line, %partner, "exchange: fault: carrier loss");
        self.events.push_back(ExchangeEvent::Fault {
            line,
            fault: Fault::CarrierLoss,
        });
        self.signal(line, LineSignal::RemoteCarrierLost);
        self.signal(partner, LineSignal::RemoteCarrierLost);
        self.handle_timeout(now);
        Ok(())
    }

    /// Noise bytes reach the line's terminal as if they had come from the far end.
    pub fn inject_noise(
        &mut self,
        line: LineId,
        noise: Bytes,
        now: Instant,
    ) -> Result<(), ExchangeError> {
        const OPERATION: &str = "inject noise";
        if !self.known(line, OPERATION)?.plugged {
            return Err(ExchangeError::Unplugged {
                line,
                operation: OPERATION,
            });
        }
        tracing::debug!(%line, len = noise.len(), "exchange: fault: noise");
        self.events.push_back(ExchangeEvent::Fault {
            line,
            fault: Fault::Noise(noise.len()),
        });
        self.signal(line, LineSignal::Noise(noise));
        self.handle_timeout(now);
        Ok(())
    }

    /// `len` random noise bytes (from the seeded generator) reach the line's terminal; returns
    /// the bytes sent.
    pub fn inject_random_noise(
        &mut self,
        line: LineId,
        len: usize,
        now: Instant,
    ) -> Result<Bytes, ExchangeError> {
        self.known(line, "inject random noise")?;
        let mut noise = vec![0; len];
        self.rng.fill_bytes(&mut noise);
        let noise = Bytes::from(noise);
        self.inject_noise(line, noise.clone(), now)?;
        Ok(noise)
    }

    /// Unplugs (`false`) or plugs in (`true`) the line's terminal.
    ///
    /// Unplugging drops the line's call as if it had hung up (the other end hears
    /// `Released(Normal)`); from then on the terminal hears nothing and gets no dial tone, while
    /// callers still hear ringback. Plugging in a terminal that is off-hook is an off-hook: dial
    /// tone, or an answer if the line is ringing.
    pub fn set_plugged(
        &mut self,
        line: LineId,
        plugged: bool,
        now: Instant,
    ) -> Result<(), ExchangeError> {
        let sub = self.known(line, if plugged { "plug in" } else { "unplug" })?;
        if sub.plugged == plugged {
            return Ok(());
        }
        let ringing_burst = match &sub.state {
            LineState::Ringing(call) => self
                .calls
                .get(call)
                .is_some_and(|c| matches!(&c.phase, CallPhase::Ringing(r) if r.burst_on())),
            _ => false,
        };
        let terminal_off_hook = sub.terminal_off_hook;
        if plugged {
            if let Some(sub) = self.lines.get_mut(line.0) {
                sub.plugged = true;
            }
            self.events.push_back(ExchangeEvent::Fault {
                line,
                fault: Fault::PluggedIn,
            });
            if terminal_off_hook {
                self.off_hook(line, now);
            }
        } else {
            if ringing_burst {
                // The ringing voltage vanishes from the terminal's point of view.
                self.signal(line, LineSignal::RingOff);
            }
            if let Some(sub) = self.lines.get_mut(line.0) {
                sub.plugged = false;
            }
            self.events.push_back(ExchangeEvent::Fault {
                line,
                fault: Fault::Unplugged,
            });
            self.on_hook(line, now);
        }
        tracing::debug!(%line, plugged, "exchange: fault: plug state changed");
        self.handle_timeout(now);
        Ok(())
    }

    fn known(
        &self,
        line: LineId,
        operation: &'static str,
    ) -> Result<&super::subscriber::Subscriber, ExchangeError> {
        self.lines
            .get(line.0)
            .ok_or(ExchangeError::UnknownLine { line, operation })
    }
}

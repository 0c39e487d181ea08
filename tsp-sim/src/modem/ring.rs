//! The on-hook line: ring bursts (RING, RI, the S1 counter, S0 auto-answer) and caller ID
//! between them (hayes.md §7, §10).

use std::time::{Duration, Instant};

use crate::line::{CallerId, LineSignal};

use super::caller_id;
use super::profile::CallerIdLayout;
use super::result::ResultCode;
use super::{InfoKind, SimModem};

/// The ring counter S1 goes back to 0 this long after the last ring activity.
pub(crate) const RING_COUNT_RESET: Duration = Duration::from_secs(8);

impl SimModem {
    /// Signals while on-hook: rings and caller ID.
    pub(super) fn idle_signal(&mut self, signal: LineSignal, now: Instant) {
        match signal {
            LineSignal::RingOn(_) => {
                self.voice_ring_edge(true, now);
                self.ringing = true;
                self.last_ring_at = Some(now);
                let count = self.settings.regs.ring_count().saturating_add(1);
                self.settings.regs.set_internal(1, count);
                self.emit_result(ResultCode::Ring, now);
                let s0 = self.settings.regs.auto_answer_rings();
                let dtr_blocks = !self.dtr && self.settings.dtr_mode == 2;
                if s0 > 0 && count >= s0 && !dtr_blocks && !self.in_line && !self.hung {
                    tracing::debug!(modem = %self.label, rings = count, "auto-answer");
                    self.editor.reset();
                    self.start_answer(now);
                }
            }
            LineSignal::RingOff => {
                self.voice_ring_edge(false, now);
                self.ringing = false;
                self.last_ring_at = Some(now);
            }
            LineSignal::CallerId(cid) => {
                self.last_ring_at = Some(now);
                self.report_caller_id(&cid, now);
            }
            _ => {}
        }
    }

    /// Caller ID as `+VCID`/`#CID` asks for it: formatted in the family's layout, or the
    /// unformatted packet; nothing when reporting is off.
    pub(super) fn report_caller_id(&mut self, cid: &CallerId, now: Instant) {
        match self.settings.cid_mode {
            1 => {
                let lines =
                    caller_id::formatted(cid, self.profile.cid_spaces, self.profile.cid_layout);
                match self.profile.cid_layout {
                    CallerIdLayout::Block => self.emit_info(&lines, InfoKind::General, now),
                    CallerIdLayout::FieldPerResponse => {
                        for line in lines {
                            self.emit_info(&[line], InfoKind::General, now);
                        }
                    }
                }
            }
            2 => {
                let line = caller_id::unformatted(cid);
                self.emit_info(&[line], InfoKind::General, now);
            }
            _ => {}
        }
    }
}

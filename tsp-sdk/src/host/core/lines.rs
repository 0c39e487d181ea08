//! Opening and closing lines: one provider-level open per device whatever the number of
//! applications, with the union of their media modes and status filters (T§2.7, §4, §5).

use std::collections::BTreeSet;

use crate::error::{Error, LineErr};
use crate::spi::LineHandle;
use crate::types::{AddressStates, CallInfoStates, CallPrivilege, LineDevStates, MediaModes};

use super::super::events::AppEvent;
use super::super::handles::{AppId, Line};
use super::super::options::OpenOptions;
use super::{Core, LineKey, LineRec, Opener, Plan, ProviderOp, err};

/// What opening needs next.
#[derive(Debug)]
pub(crate) enum OpenStep {
    /// The line is open at the provider: the application joined it; perform the plan (new
    /// unions), then [`Core::open_done`].
    Joined(Line, Plan),
    /// Nobody has the line open: open it at the provider, then [`Core::provider_opened`].
    ProviderOpen {
        /// The provider.
        prov: usize,
        /// Its device.
        local: crate::spi::DeviceId,
    },
}

/// The privilege sets `lineOpen` accepts: NONE, MONITOR, OWNER, MONITOR|OWNER.
fn valid_privileges(p: CallPrivilege) -> bool {
    p == CallPrivilege::NONE
        || p == CallPrivilege::MONITOR
        || p == CallPrivilege::OWNER
        || p == CallPrivilege::MONITOR | CallPrivilege::OWNER
}

impl Core {
    /// `lineOpen`'s checks, then joins an open line or says the provider must open it.
    ///
    /// Errors: `INVALAPPHANDLE`, `REINIT`, `BADDEVICEID`, `NODEVICE`, `INCOMPATIBLEAPIVERSION`
    /// (a version the provider does not speak), `INVALPRIVSELECT`, `INVALMEDIAMODE` (OWNER with
    /// no media mode, or one the line cannot carry).
    pub(crate) fn begin_open(
        &mut self,
        app: AppId,
        device: u32,
        options: &OpenOptions,
    ) -> Result<OpenStep, Error> {
        const OP: &str = "open_line";
        self.app(app, OP)?;
        self.check_reinit(OP)?;
        let slot = self.device(device, OP)?;
        let provider = &self.providers[slot.prov];
        if options.version < provider.min_version || options.version > provider.max_version {
            return Err(err(
                LineErr::IncompatibleApiVersion,
                OP,
                format!(
                    "version {} is outside {}..={} that device {device} ({}) speaks",
                    options.version, provider.min_version, provider.max_version, provider.name
                ),
            ));
        }
        if !valid_privileges(options.privileges) {
            return Err(err(
                LineErr::InvalPrivSelect,
                OP,
                format!(
                    "privileges {:#x}: open with NONE, MONITOR, OWNER or MONITOR|OWNER",
                    options.privileges.bits()
                ),
            ));
        }
        let owner = options.privileges.contains(CallPrivilege::OWNER);
        if owner {
            if options.media_modes.is_empty() {
                return Err(err(
                    LineErr::InvalMediaMode,
                    OP,
                    "an OWNER open names the media modes it takes",
                ));
            }
            let extra = options.media_modes - slot.caps.media_modes;
            if !extra.is_empty() || options.media_modes.bits() & 1 != 0 {
                return Err(err(
                    LineErr::InvalMediaMode,
                    OP,
                    format!(
                        "device {device} cannot carry media {:#x} (it carries {:#x})",
                        options.media_modes.bits() & !slot.caps.media_modes.bits(),
                        slot.caps.media_modes.bits()
                    ),
                ));
            }
        }
        let (prov, local, line) = (slot.prov, slot.local, slot.line);
        let Some(handle) = line else {
            return Ok(OpenStep::ProviderOpen { prov, local });
        };
        let key = LineKey { prov, line: handle };
        match self.lines.get(&key) {
            None => {
                // No record for the open the device claims: trust the record.
                self.devices[device as usize].line = None;
                return Ok(OpenStep::ProviderOpen { prov, local });
            }
            Some(rec) if rec.closing => {
                // The caller drained the device's queue (its close) first: not expected.
                return Err(err(
                    LineErr::ResourceUnavail,
                    OP,
                    format!("device {device} is still closing; try again"),
                ));
            }
            Some(_) => {}
        }
        let line = self.add_opener(app, device, key, options);
        Ok(OpenStep::Joined(line, self.unions(key)))
    }

    /// The provider opened the device as `handle`: the application is its first opener. The plan
    /// sets detection and status filters. When the application shut down meanwhile, or the
    /// device was removed (`NODEVICE`: the host makes no more calls for it, T§4), the line is
    /// closed again: the error comes with the plan that closes it.
    pub(crate) fn provider_opened(
        &mut self,
        app: AppId,
        device: u32,
        handle: LineHandle,
        options: &OpenOptions,
    ) -> Result<(Line, Plan), (Error, Plan)> {
        const OP: &str = "open_line";
        let Some(slot) = self.devices.get_mut(device as usize) else {
            // The device table changed under the open (cannot happen while the open holds the
            // device's lock; kept total).
            return Err((
                err(LineErr::NoDevice, OP, format!("device {device} is gone")),
                Plan::new(),
            ));
        };
        let prov = slot.prov;
        let removed = slot.removed;
        let key = LineKey { prov, line: handle };
        slot.line = Some(handle);
        self.lines.insert(
            key,
            LineRec {
                device,
                openers: BTreeSet::new(),
                detection: MediaModes::empty(),
                status: (LineDevStates::empty(), AddressStates::empty()),
                closing: false,
                calls: BTreeSet::new(),
            },
        );
        let refusal = if removed {
            Some(err(
                LineErr::NoDevice,
                OP,
                format!("device {device} was removed while it opened"),
            ))
        } else if !self.apps.contains_key(&app) {
            Some(err(
                LineErr::InvalAppHandle,
                OP,
                "the application shut down while the line opened",
            ))
        } else {
            None
        };
        if let Some(e) = refusal {
            return Err((e, self.mark_closing(key)));
        }
        let line = self.add_opener(app, device, key, options);
        Ok((line, self.unions(key)))
    }

    fn add_opener(&mut self, app: AppId, device: u32, key: LineKey, options: &OpenOptions) -> Line {
        let line = self.new_line_handle();
        let seq = self.next_seq();
        let media = if options.privileges.contains(CallPrivilege::OWNER) {
            options.media_modes
        } else {
            MediaModes::empty()
        };
        self.openers.insert(
            line,
            Opener {
                app,
                key,
                device,
                privileges: options.privileges,
                media,
                version: options.version,
                line_states: LineDevStates::empty(),
                address_states: AddressStates::empty(),
                calls: BTreeSet::new(),
                seq,
            },
        );
        if let Some(rec) = self.lines.get_mut(&key) {
            rec.openers.insert(line);
        }
        if let Some(rec) = self.apps.get_mut(&app) {
            rec.openers.insert(line);
        }
        line
    }

    /// The open is complete: other openers that asked for it hear `LINEDEVSTATE_OPEN`.
    pub(crate) fn open_done(&self, line: Line) {
        if let Some(o) = self.openers.get(&line) {
            self.tell_openers(o.key, Some(line), LineDevStates::OPEN, 0, 0);
        }
        tracing::info!(%line, "line opened by an application");
    }

    /// The unions changed provider-side settings for an open that then failed: undo it.
    pub(crate) fn abort_open(&mut self, line: Line) -> Plan {
        self.close_opener(line)
    }

    /// Sends a line-device state to the line's openers whose filter selects it (REINIT always),
    /// except `except`.
    pub(crate) fn tell_openers(
        &self,
        key: LineKey,
        except: Option<Line>,
        states: LineDevStates,
        p2: u32,
        p3: u32,
    ) {
        let Some(rec) = self.lines.get(&key) else {
            return;
        };
        for line in &rec.openers {
            if Some(*line) == except {
                continue;
            }
            let Some(o) = self.openers.get(line) else {
                continue;
            };
            let selected = (o.line_states | LineDevStates::REINIT) & states;
            if !selected.is_empty() {
                self.send(
                    o.app,
                    AppEvent::LineDevState {
                        line: Some(*line),
                        states: selected,
                        p2,
                        p3,
                    },
                );
            }
        }
    }

    /// What the provider must be told now that the set of openers or their filters changed.
    pub(crate) fn unions(&mut self, key: LineKey) -> Plan {
        let Some(rec) = self.lines.get(&key) else {
            return Plan::new();
        };
        let mut detection = MediaModes::empty();
        let mut line_states = LineDevStates::empty();
        let mut address_states = AddressStates::empty();
        for o in rec.openers.iter().filter_map(|l| self.openers.get(l)) {
            detection |= o.media;
            line_states |= o.line_states;
            address_states |= o.address_states;
        }
        let mut plan = Plan::new();
        let Some(rec) = self.lines.get_mut(&key) else {
            return plan;
        };
        let device = rec.device;
        if detection != rec.detection {
            rec.detection = detection;
            plan.push(ProviderOp::SetDetection { line: key, device });
        }
        if (line_states, address_states) != rec.status {
            rec.status = (line_states, address_states);
            plan.push(ProviderOp::SetStatus { line: key, device });
        }
        plan
    }

    /// Marks a line for `close` (no new opens join it) and says so.
    pub(super) fn mark_closing(&mut self, key: LineKey) -> Plan {
        let Some(rec) = self.lines.get_mut(&key) else {
            return Plan::new();
        };
        rec.closing = true;
        let device = rec.device;
        // Calls nobody took (announced, never offered) end before the line (T§1.3: every call's
        // life ends at close_call).
        let mut plan: Plan = rec
            .calls
            .iter()
            .map(|call| ProviderOp::CloseCall {
                call: super::CallKey {
                    prov: key.prov,
                    call: *call,
                },
                device,
            })
            .collect();
        plan.push(ProviderOp::Close { line: key, device });
        plan
    }

    /// Whether the line waits for its `close` (its `Close` operation is the only one that
    /// performs it, in the device's queue).
    pub(crate) fn is_closing(&self, key: LineKey) -> bool {
        self.lines.get(&key).is_some_and(|rec| rec.closing)
    }

    /// The line is gone at the provider (closed): forget it and every call on it.
    pub(crate) fn forget_line(&mut self, key: LineKey) {
        let Some(rec) = self.lines.remove(&key) else {
            return;
        };
        if let Some(slot) = self.devices.get_mut(rec.device as usize)
            && slot.line == Some(key.line)
        {
            slot.line = None;
        }
        for call in rec.calls {
            self.forget_call(super::CallKey {
                prov: key.prov,
                call,
            });
        }
    }

    /// `lineClose`: the application's handles to calls on the line go; calls it solely owned are
    /// dropped (T§2.7: `drop_call`, then `close_call` at once when nobody else holds them); other
    /// holders hear the counts change and other openers `LINEDEVSTATE_CLOSE`; the last close
    /// closes the line at the provider, which releases the device. Replies to the application's
    /// pending requests are still delivered (TAPI ≥ 2.0: every request gets its `LINE_REPLY`
    /// unless the application shuts down).
    pub(crate) fn close_line(&mut self, app: AppId, line: Line) -> Result<Plan, Error> {
        self.opener(app, line, "close_line")?;
        Ok(self.close_opener(line))
    }

    pub(crate) fn close_opener(&mut self, line: Line) -> Plan {
        let Some(opener) = self.openers.get(&line).cloned() else {
            return Plan::new();
        };
        let mut plan = Plan::new();
        for call in &opener.calls {
            plan.extend(self.release_handle(*call, true));
        }
        self.openers.remove(&line);
        if let Some(rec) = self.apps.get_mut(&opener.app) {
            rec.openers.remove(&line);
        }
        let key = opener.key;
        self.tell_openers(key, Some(line), LineDevStates::CLOSE, 0, 0);
        let last = match self.lines.get_mut(&key) {
            Some(rec) => {
                rec.openers.remove(&line);
                rec.openers.is_empty()
            }
            None => false,
        };
        if last {
            plan.extend(self.mark_closing(key));
        } else {
            plan.extend(self.unions(key));
        }
        tracing::info!(%line, app = %opener.app, last, "line closed by an application");
        plan
    }

    /// `lineSetStatusMessages`: which line and address state changes this open hears. Undefined
    /// bits: `INVALLINESTATE` / `INVALADDRESSSTATE`.
    pub(crate) fn set_status_messages(
        &mut self,
        app: AppId,
        line: Line,
        line_states: u32,
        address_states: u32,
    ) -> Result<Plan, Error> {
        const OP: &str = "set_status_messages";
        let key = self.opener(app, line, OP)?.key;
        let Some(ls) = LineDevStates::from_bits(line_states) else {
            return Err(err(
                LineErr::InvalLineState,
                OP,
                format!(
                    "line states {line_states:#x} hold undefined bits {:#x}",
                    line_states & !LineDevStates::all().bits()
                ),
            ));
        };
        let Some(as_) = AddressStates::from_bits(address_states) else {
            return Err(err(
                LineErr::InvalAddressState,
                OP,
                format!(
                    "address states {address_states:#x} hold undefined bits {:#x}",
                    address_states & !AddressStates::all().bits()
                ),
            ));
        };
        if let Some(o) = self.openers.get_mut(&line) {
            o.line_states = ls;
            o.address_states = as_;
        }
        Ok(self.unions(key))
    }

    /// `LINEDEVSTATUS`'s host-owned fields: opens and the media modes they are open for.
    pub(crate) fn open_counts(
        &self,
        app: AppId,
        line: Line,
    ) -> Result<(LineKey, u32, MediaModes), Error> {
        let key = self.opener(app, line, "line_status")?.key;
        let rec = self.lines.get(&key);
        let opens = rec.map_or(0, |r| r.openers.len() as u32);
        let media = rec.map_or(MediaModes::empty(), |r| r.detection);
        Ok((key, opens, media))
    }

    /// The counts message for handles that come and go.
    pub(crate) fn count_change(
        before: CallPrivilege,
        after: Option<CallPrivilege>,
    ) -> CallInfoStates {
        let mut changed = CallInfoStates::empty();
        let owner = |p: Option<CallPrivilege>| p == Some(CallPrivilege::OWNER);
        let monitor = |p: Option<CallPrivilege>| p == Some(CallPrivilege::MONITOR);
        let before = Some(before);
        if owner(before) && !owner(after) {
            changed |= CallInfoStates::NUMOWNERDECR;
        }
        if !owner(before) && owner(after) {
            changed |= CallInfoStates::NUMOWNERINCR;
        }
        if monitor(before) != monitor(after) {
            changed |= CallInfoStates::NUMMONITORS;
        }
        changed
    }
}

//! Calls and who holds them: requests on calls, ownership, handoff, privileges, deallocation
//! (T§2.7).

use crate::error::{Error, LineErr};
use crate::spi::{CallHandle, CallParams, RequestId};
use crate::types::{CallPrivilege, CallState, DigitModes, MediaModes};

use super::super::events::AppEvent;
use super::super::handles::{AppId, Call, Line};
use super::super::options::HandoffTarget;
use super::{CallKey, CallRec, Core, Holder, LineKey, Phase, Plan, ProviderOp, RequestRec, err};

/// An async request the host accepted from an application, before the provider is called.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    pub(crate) app: AppId,
    /// The application's id for the request.
    pub(crate) request: RequestId,
    pub(crate) key: CallKey,
    pub(crate) device: u32,
    /// The application's handle to the call.
    pub(crate) call: Call,
}

/// What call info and status add to the provider's answer: the application's side of the call.
#[derive(Debug, Clone)]
pub(crate) struct HolderView {
    pub(crate) key: CallKey,
    pub(crate) line: Line,
    pub(crate) privilege: CallPrivilege,
    pub(crate) owners: u32,
    pub(crate) monitors: u32,
    pub(crate) origin_app: Option<String>,
}

/// Which call states an operation is allowed in (checked by the host before the provider).
#[derive(Debug, Clone, Copy)]
pub(crate) enum StateRule {
    /// Anything but IDLE.
    NotIdle,
    /// Not IDLE nor DISCONNECTED (`lineDial`).
    Dialable,
    /// OFFERING or ACCEPTED (`lineAnswer`).
    Answerable,
    /// OFFERING (`lineAccept`).
    Offering,
}

impl StateRule {
    fn allows(self, state: Option<CallState>) -> bool {
        let Some(state) = state else {
            return !matches!(self, StateRule::Answerable | StateRule::Offering);
        };
        match self {
            StateRule::NotIdle => state != CallState::Idle,
            StateRule::Dialable => !matches!(state, CallState::Idle | CallState::Disconnected),
            StateRule::Answerable => matches!(state, CallState::Offering | CallState::Accepted),
            StateRule::Offering => state == CallState::Offering,
        }
    }

    fn wants(self) -> &'static str {
        match self {
            StateRule::NotIdle => "any state but IDLE",
            StateRule::Dialable => "a state where digits can be dialed (not IDLE or DISCONNECTED)",
            StateRule::Answerable => "OFFERING or ACCEPTED",
            StateRule::Offering => "OFFERING",
        }
    }
}

/// The call's media matches what an owner opened for (UNKNOWN carries candidate modes, T§2.5).
pub(crate) fn media_matches(opened: MediaModes, call: MediaModes) -> bool {
    opened.intersects(call)
}

impl Core {
    /// The line's caps and provider capabilities check a `make_call`'s parameters: media and
    /// bearer modes the device carries (`INVALMEDIAMODE`, `INVALBEARERMODE`), SECURE only where the
    /// address advertises it (`INVALCALLPARAMS`), an address that exists (`INVALADDRESSID`).
    fn check_params(
        &self,
        device: u32,
        params: &CallParams,
        dest: Option<&str>,
    ) -> Result<(), Error> {
        const OP: &str = "make_call";
        let slot = self.device(device, OP)?;
        let media = params.media_mode - MediaModes::UNKNOWN;
        if params.media_mode.is_empty()
            || !(params.media_mode - slot.caps.media_modes - MediaModes::UNKNOWN).is_empty()
            || (media.bits().count_ones() > 1 && !params.media_mode.contains(MediaModes::UNKNOWN))
        {
            return Err(err(
                LineErr::InvalMediaMode,
                OP,
                format!(
                    "media {:#x}: one mode the device carries ({:#x}), or UNKNOWN with candidates",
                    params.media_mode.bits(),
                    slot.caps.media_modes.bits()
                ),
            ));
        }
        if params.bearer_mode.bits().count_ones() != 1
            || !slot.caps.bearer_modes.contains(params.bearer_mode)
        {
            return Err(err(
                LineErr::InvalBearerMode,
                OP,
                format!(
                    "bearer {:#x}: exactly one mode the device offers ({:#x})",
                    params.bearer_mode.bits(),
                    slot.caps.bearer_modes.bits()
                ),
            ));
        }
        let Some(address) = slot.address_caps.get(params.address.0 as usize) else {
            return Err(err(
                LineErr::InvalAddressId,
                OP,
                format!("{} does not exist on device {device}", params.address),
            ));
        };
        if params.flags.contains(crate::types::CallParamFlags::SECURE)
            && !address
                .addr_cap_flags
                .contains(crate::types::AddrCapFlags::SECURE)
        {
            return Err(err(
                LineErr::InvalCallParams,
                OP,
                format!(
                    "device {device} cannot secure calls (its address does not advertise SECURE: no cancel-call-waiting code?)"
                ),
            ));
        }
        if dest.is_some_and(|d| d.len() > 4096) {
            return Err(err(
                LineErr::InvalAddress,
                OP,
                "the destination is over 4096 bytes",
            ));
        }
        Ok(())
    }

    /// `lineMakeCall`'s checks; the line to place it on. The driver then names the provider's
    /// call and calls [`Core::admit_make_call`].
    pub(crate) fn check_make_call(
        &self,
        app: AppId,
        line: Line,
        dest: Option<&str>,
        params: &CallParams,
    ) -> Result<(LineKey, u32), Error> {
        const OP: &str = "make_call";
        let opener = self.opener(app, line, OP)?;
        let (key, device) = (opener.key, opener.device);
        if self.lines.get(&key).is_none_or(|l| l.closing) {
            return Err(err(
                LineErr::InvalLineHandle,
                OP,
                format!("{line} is closing"),
            ));
        }
        self.check_params(device, params, dest)?;
        self.check_budget(app, OP)?;
        Ok((key, device))
    }

    /// Registers the new call (the application owns it, pending until the reply) and the
    /// application's request id.
    pub(crate) fn admit_make_call(
        &mut self,
        app: AppId,
        line: Line,
        key: LineKey,
        device: u32,
        provider_call: CallHandle,
    ) -> Result<Ticket, Error> {
        const OP: &str = "make_call";
        // Re-check: the application or its line may have gone while the call was being named.
        self.opener(app, line, OP)?;
        let call_key = CallKey {
            prov: key.prov,
            call: provider_call,
        };
        let origin = self.apps.get(&app).map(|a| a.name.clone());
        let handle = self.new_call_handle();
        let mut holders = std::collections::BTreeMap::new();
        holders.insert(line, handle);
        self.calls.insert(
            call_key,
            CallRec {
                line: key.line,
                device,
                phase: Phase::Pending,
                state: None,
                media: MediaModes::empty(),
                holders,
                digit_modes: DigitModes::empty(),
                origin_app: origin,
                dropping: false,
            },
        );
        if let Some(rec) = self.lines.get_mut(&key) {
            rec.calls.insert(provider_call);
        }
        self.handles.insert(
            handle,
            Holder {
                app,
                opener: line,
                key: call_key,
                privilege: CallPrivilege::OWNER,
                digit_modes: DigitModes::empty(),
            },
        );
        if let Some(o) = self.openers.get_mut(&line) {
            o.calls.insert(handle);
        }
        let request = self.reserve_request(app);
        Ok(Ticket {
            app,
            request,
            key: call_key,
            device,
            call: handle,
        })
    }

    fn reserve_request(&mut self, app: AppId) -> RequestId {
        let request = self.new_request_id();
        self.app_requests.insert(request);
        if let Some(rec) = self.apps.get_mut(&app) {
            rec.pending.insert(request);
        }
        request
    }

    /// The provider's id for a ticket's request is known: completions can be routed.
    pub(crate) fn issued(
        &mut self,
        ticket: &Ticket,
        provider_request: RequestId,
        operation: &'static str,
        creates_call: bool,
    ) {
        // An application that shut down meanwhile was already answered (cancelled).
        let waiting = self
            .apps
            .get(&ticket.app)
            .is_some_and(|a| a.pending.contains(&ticket.request));
        self.requests.insert(
            (ticket.key.prov, provider_request),
            RequestRec {
                reply_to: waiting.then_some((ticket.app, ticket.request)),
                operation,
                device: ticket.device,
                call: Some(ticket.key),
                creates_call,
            },
        );
    }

    /// The provider refused a ticket's request synchronously: it never completes; a call it would
    /// have created is forgotten (TAPI never closes it, T§1.2).
    /// `provider_request`: the provider's id, if the request got that far (the session registers
    /// it before calling the provider).
    pub(crate) fn refused(
        &mut self,
        ticket: &Ticket,
        provider_request: Option<RequestId>,
        creates_call: bool,
    ) {
        if let Some(id) = provider_request {
            self.requests.remove(&(ticket.key.prov, id));
        }
        self.app_requests.remove(&ticket.request);
        if let Some(rec) = self.apps.get_mut(&ticket.app) {
            rec.pending.remove(&ticket.request);
        }
        if creates_call {
            self.forget_call(ticket.key);
        }
    }

    /// Removes a call and every handle to it from the tables.
    pub(crate) fn forget_call(&mut self, key: CallKey) {
        let Some(call) = self.calls.remove(&key) else {
            return;
        };
        for (opener, handle) in &call.holders {
            self.handles.remove(handle);
            if let Some(o) = self.openers.get_mut(opener) {
                o.calls.remove(handle);
            }
        }
        self.generations
            .retain(|_, h| !call.holders.values().any(|c| c == h));
        if let Some(line) = self.lines.get_mut(&LineKey {
            prov: key.prov,
            line: call.line,
        }) {
            line.calls.remove(&key.call);
        }
    }

    /// Checks an async request on a call (handle, OWNER, state, capability, budget) and reserves
    /// the application's request id.
    pub(crate) fn check_call_request(
        &mut self,
        app: AppId,
        call: Call,
        operation: &'static str,
        rule: StateRule,
        offered: bool,
    ) -> Result<Ticket, Error> {
        let holder = self.holder(app, call, operation)?;
        if holder.privilege != CallPrivilege::OWNER {
            return Err(err(
                LineErr::NotOwner,
                operation,
                format!(
                    "{call} is only monitored by this application (set_call_privilege OWNER first)"
                ),
            ));
        }
        let key = holder.key;
        let Some(rec) = self.calls.get(&key) else {
            return Err(err(
                LineErr::InvalCallHandle,
                operation,
                format!("{call} is gone"),
            ));
        };
        if rec.phase == Phase::Pending {
            return Err(still_being_created(operation, call));
        }
        let state = rec.state.map(|s| s.state());
        if !rule.allows(state) {
            return Err(err(
                LineErr::InvalCallState,
                operation,
                format!(
                    "{call} is {}; {operation} needs {}",
                    state.map_or_else(|| "not started".to_owned(), |s| s.to_string()),
                    rule.wants()
                ),
            ));
        }
        if !offered {
            return Err(err(
                LineErr::OperationUnavail,
                operation,
                format!(
                    "device {}'s provider does not offer {operation}",
                    rec.device
                ),
            ));
        }
        let device = rec.device;
        self.check_budget(app, operation)?;
        let request = self.reserve_request(app);
        Ok(Ticket {
            app,
            request,
            key,
            device,
            call,
        })
    }

    /// A synchronous operation on a call: the provider's call for the application's handle.
    /// `need_owner`: `NOTOWNER` for monitors.
    /// Refuses an optional operation the call's provider does not offer (its
    /// [`Capabilities`](crate::spi::Capabilities)): `OPERATIONUNAVAIL`, and the provider never
    /// hears of it.
    pub(crate) fn require_offered(
        &self,
        key: CallKey,
        device: u32,
        operation: &'static str,
        offered: impl Fn(&crate::spi::Capabilities) -> bool,
    ) -> Result<(), Error> {
        match self.providers.get(key.prov) {
            Some(p) if offered(&p.capabilities) => Ok(()),
            _ => Err(err(
                LineErr::OperationUnavail,
                operation,
                format!("device {device}'s provider does not offer {operation}"),
            )),
        }
    }

    pub(crate) fn call_target(
        &self,
        app: AppId,
        call: Call,
        operation: &'static str,
        need_owner: bool,
    ) -> Result<(CallKey, u32), Error> {
        let holder = self.holder(app, call, operation)?;
        if need_owner && holder.privilege != CallPrivilege::OWNER {
            return Err(err(
                LineErr::NotOwner,
                operation,
                format!("{call} is only monitored by this application"),
            ));
        }
        let rec = self.calls.get(&holder.key).ok_or_else(|| {
            err(
                LineErr::InvalCallHandle,
                operation,
                format!("{call} is gone"),
            )
        })?;
        if rec.phase == Phase::Pending {
            return Err(still_being_created(operation, call));
        }
        Ok((holder.key, rec.device))
    }

    /// Removes one handle. With `drop_if_sole_owner` (lineClose, lineShutdown), a call this
    /// handle solely owned is dropped first. When the last handle goes, the call is closed at the
    /// provider. Other holders hear the counts change.
    pub(crate) fn release_handle(&mut self, handle: Call, drop_if_sole_owner: bool) -> Plan {
        let mut plan = Plan::new();
        let Some(holder) = self.handles.get(&handle).cloned() else {
            return plan;
        };
        let key = holder.key;
        let device = self.calls.get(&key).map(|c| c.device);
        if let Some(call) = self.calls.get(&key) {
            let (owners, _) = self.counts(call);
            let sole_owner = holder.privilege == CallPrivilege::OWNER && owners == 1;
            if drop_if_sole_owner
                && sole_owner
                && call.phase == Phase::Live
                && !call.is_idle()
                && !call.dropping
            {
                plan.push(ProviderOp::Drop {
                    call: key,
                    device: call.device,
                });
                if let Some(c) = self.calls.get_mut(&key) {
                    c.dropping = true;
                }
            }
        }
        self.handles.remove(&handle);
        self.generations.retain(|_, h| *h != handle);
        if let Some(o) = self.openers.get_mut(&holder.opener) {
            o.calls.remove(&handle);
        }
        let mut digits_union = None;
        let last = match self.calls.get_mut(&key) {
            Some(call) => {
                call.holders.remove(&holder.opener);
                if !holder.digit_modes.is_empty() {
                    digits_union = Some(call.digit_modes);
                }
                call.holders.is_empty()
            }
            None => false,
        };
        if last {
            self.forget_call(key);
            plan.push(ProviderOp::CloseCall {
                call: key,
                device: device.unwrap_or_else(|| super::orphan_queue(key.prov)),
            });
        } else {
            self.tell_counts(key, None, Core::count_change(holder.privilege, None));
            if digits_union.is_some() {
                plan.extend(self.digits_plan(key));
            }
        }
        plan
    }

    /// `lineDeallocateCall`. The sole owner of a call that is not IDLE is refused with
    /// `INVALCALLSTATE` (TAPI 1.x's rule, kept for every version here: an ownerless active call
    /// could be ended by nobody while monitors hold it, as TAPI's own docs warn); monitors may
    /// always deallocate. The last handle closes the call at the provider. Replies to pending
    /// requests still arrive.
    pub(crate) fn deallocate(&mut self, app: AppId, call: Call) -> Result<Plan, Error> {
        const OP: &str = "deallocate_call";
        let holder = self.holder(app, call, OP)?.clone();
        if let Some(rec) = self.calls.get(&holder.key) {
            let (owners, _) = self.counts(rec);
            if holder.privilege == CallPrivilege::OWNER && owners == 1 && !rec.is_idle() {
                let state = match rec.phase {
                    Phase::Pending => "still being created".to_owned(),
                    _ => rec
                        .state
                        .map_or_else(|| "not started".to_owned(), |s| s.state().to_string()),
                };
                return Err(err(
                    LineErr::InvalCallState,
                    OP,
                    format!(
                        "{call} is {state} and this application is its only owner: drop it first"
                    ),
                ));
            }
        }
        Ok(self.release_handle(call, false))
    }

    /// `lineSetCallPrivilege`: OWNER or MONITOR (`INVALCALLPRIVILEGE` otherwise). The sole owner
    /// of a call that is not IDLE cannot become a monitor (`INVALCALLSTATE`). Other holders hear
    /// the counts change; the caller hears nothing.
    pub(crate) fn set_call_privilege(
        &mut self,
        app: AppId,
        call: Call,
        privilege: CallPrivilege,
    ) -> Result<(), Error> {
        const OP: &str = "set_call_privilege";
        let holder = self.holder(app, call, OP)?.clone();
        if privilege != CallPrivilege::OWNER && privilege != CallPrivilege::MONITOR {
            return Err(err(
                LineErr::InvalCallPrivilege,
                OP,
                format!("privilege {:#x}: OWNER or MONITOR", privilege.bits()),
            ));
        }
        if privilege == holder.privilege {
            return Ok(());
        }
        let Some(rec) = self.calls.get(&holder.key) else {
            return Err(err(LineErr::InvalCallHandle, OP, format!("{call} is gone")));
        };
        if rec.phase == Phase::Pending {
            return Err(still_being_created(OP, call));
        }
        let (owners, _) = self.counts(rec);
        if privilege == CallPrivilege::MONITOR && owners == 1 && !rec.is_idle() {
            return Err(err(
                LineErr::InvalCallState,
                OP,
                format!(
                    "{call} is not IDLE and this application is its only owner: drop it or hand it off first"
                ),
            ));
        }
        if let Some(h) = self.handles.get_mut(&call) {
            h.privilege = privilege;
        }
        self.tell_counts(
            holder.key,
            Some(call),
            Core::count_change(holder.privilege, Some(privilege)),
        );
        Ok(())
    }

    /// `lineHandoff` (see [`HandoffTarget`]). The receiver gets OWNER (a new handle announced with
    /// `NewCall`, or its monitor handle upgraded) and a `CallState` carrying the privilege; other
    /// holders hear the counts change; the sender keeps its privilege.
    pub(crate) fn handoff(
        &mut self,
        app: AppId,
        call: Call,
        target: &HandoffTarget,
    ) -> Result<(), Error> {
        const OP: &str = "handoff";
        let holder = self.holder(app, call, OP)?.clone();
        if holder.privilege != CallPrivilege::OWNER {
            return Err(err(
                LineErr::NotOwner,
                OP,
                format!("{call} is only monitored by this application"),
            ));
        }
        let rec = self
            .calls
            .get(&holder.key)
            .ok_or_else(|| err(LineErr::InvalCallHandle, OP, format!("{call} is gone")))?;
        if rec.phase == Phase::Pending {
            // No event for a call before its LINE_REPLY (T§1.2): the receiver would hear of a
            // call that may never exist.
            return Err(still_being_created(OP, call));
        }
        let line_key = LineKey {
            prov: holder.key.prov,
            line: rec.line,
        };
        let mut candidates: Vec<(u64, Line, AppId)> = self
            .lines
            .get(&line_key)
            .map(|l| {
                l.openers
                    .iter()
                    .filter_map(|line| self.openers.get(line).map(|o| (o.seq, *line, o)))
                    .filter(|(_, _, o)| o.privileges.contains(CallPrivilege::OWNER))
                    .filter(|(_, _, o)| match target {
                        HandoffTarget::App(name) => self
                            .apps
                            .get(&o.app)
                            .is_some_and(|a| a.name.eq_ignore_ascii_case(name)),
                        HandoffTarget::MediaMode(m) => o.media.contains(*m),
                    })
                    .map(|(seq, line, o)| (seq, line, o.app))
                    .collect()
            })
            .unwrap_or_default();
        candidates.sort();
        let best = match target {
            HandoffTarget::MediaMode(m) => {
                if m.bits().count_ones() != 1 || m.bits() & 1 != 0 {
                    return Err(err(
                        LineErr::InvalMediaMode,
                        OP,
                        format!(
                            "media {:#x}: a handoff names exactly one media mode",
                            m.bits()
                        ),
                    ));
                }
                let Some(best) = candidates.first().copied() else {
                    return Err(err(
                        LineErr::TargetNotFound,
                        OP,
                        format!(
                            "no application has the line open as OWNER for media {:#x}",
                            m.bits()
                        ),
                    ));
                };
                if best.2 == app {
                    return Err(err(
                        LineErr::TargetSelf,
                        OP,
                        "this application is itself the highest-priority owner for that media mode",
                    ));
                }
                best
            }
            HandoffTarget::App(name) => {
                // Handing off to oneself succeeds and changes nothing (lineHandoff remarks).
                if let Some(own) = candidates.iter().find(|c| c.2 == app) {
                    let _ = own;
                    return Ok(());
                }
                let Some(best) = candidates.first().copied() else {
                    return Err(err(
                        LineErr::TargetNotFound,
                        OP,
                        format!("no application named {name:?} has the line open as OWNER"),
                    ));
                };
                best
            }
        };
        self.give_ownership(holder.key, best.1);
        Ok(())
    }

    /// The opener `to` becomes an owner of the call.
    fn give_ownership(&mut self, key: CallKey, to: Line) {
        let Some(rec) = self.calls.get(&key) else {
            return;
        };
        let state = rec.state;
        let media = rec.media;
        let existing = rec.holders.get(&to).copied();
        let Some(target) = self.openers.get(&to).cloned() else {
            return;
        };
        let (handle, before) = match existing {
            Some(handle) => {
                let before = self.handles.get(&handle).map(|h| h.privilege);
                if let Some(h) = self.handles.get_mut(&handle) {
                    h.privilege = CallPrivilege::OWNER;
                }
                (handle, before)
            }
            None => {
                let handle = self.new_call_handle();
                self.handles.insert(
                    handle,
                    Holder {
                        app: target.app,
                        opener: to,
                        key,
                        privilege: CallPrivilege::OWNER,
                        digit_modes: DigitModes::empty(),
                    },
                );
                if let Some(c) = self.calls.get_mut(&key) {
                    c.holders.insert(to, handle);
                }
                if let Some(o) = self.openers.get_mut(&to) {
                    o.calls.insert(handle);
                }
                self.send(
                    target.app,
                    AppEvent::NewCall {
                        line: to,
                        call: handle,
                        address: crate::spi::AddressId(0),
                        privilege: CallPrivilege::OWNER,
                    },
                );
                (handle, None)
            }
        };
        self.send(
            target.app,
            AppEvent::CallState {
                line: to,
                call: handle,
                state: state.unwrap_or(crate::spi::CallStateChange::Unknown),
                media,
                privilege: Some(CallPrivilege::OWNER),
            },
        );
        let changed = match before {
            Some(p) => Core::count_change(p, Some(CallPrivilege::OWNER)),
            None => crate::types::CallInfoStates::NUMOWNERINCR,
        };
        self.tell_counts(key, Some(handle), changed);
    }

    /// `lineGetNewCalls`: monitor handles to the line's calls this open holds no handle to. No
    /// event for the caller; other holders hear NUMMONITORS.
    pub(crate) fn get_new_calls(&mut self, app: AppId, line: Line) -> Result<Vec<Call>, Error> {
        let opener = self.opener(app, line, "get_new_calls")?.clone();
        let calls: Vec<CallHandle> = self
            .lines
            .get(&opener.key)
            .map(|l| l.calls.iter().copied().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for c in calls {
            let key = CallKey {
                prov: opener.key.prov,
                call: c,
            };
            let Some(rec) = self.calls.get(&key) else {
                continue;
            };
            if rec.phase != Phase::Live || rec.holders.contains_key(&line) {
                continue;
            }
            let handle = self.new_call_handle();
            self.handles.insert(
                handle,
                Holder {
                    app,
                    opener: line,
                    key,
                    privilege: CallPrivilege::MONITOR,
                    digit_modes: DigitModes::empty(),
                },
            );
            if let Some(rec) = self.calls.get_mut(&key) {
                rec.holders.insert(line, handle);
            }
            if let Some(o) = self.openers.get_mut(&line) {
                o.calls.insert(handle);
            }
            self.tell_counts(key, Some(handle), crate::types::CallInfoStates::NUMMONITORS);
            out.push(handle);
        }
        Ok(out)
    }

    /// `lineMonitorDigits` for this handle (empty: stop); the provider hears the union over the
    /// call's holders. Modes the line cannot detect: `INVALDIGITMODE`. The undo puts the handle's
    /// modes and the union back when the provider refuses.
    pub(crate) fn monitor_digits(
        &mut self,
        app: AppId,
        call: Call,
        modes: DigitModes,
    ) -> Result<(Plan, DigitsUndo), Error> {
        const OP: &str = "monitor_digits";
        let (key, device) = self.call_target(app, call, OP, false)?;
        self.require_offered(key, device, OP, |c| c.monitor_digits)?;
        let caps = self.device(device, OP)?.caps.monitor_digit_modes;
        if !(modes - caps).is_empty() {
            return Err(err(
                LineErr::InvalDigitMode,
                OP,
                format!(
                    "digit modes {:#x}: device {device} detects {:#x}",
                    modes.bits(),
                    caps.bits()
                ),
            ));
        }
        let before_union = self.calls.get(&key).map(|c| c.digit_modes);
        let mut before = DigitModes::empty();
        if let Some(h) = self.handles.get_mut(&call) {
            before = std::mem::replace(&mut h.digit_modes, modes);
        }
        let plan = self.digits_plan(key);
        let undo = move |core: &mut Core| {
            if let Some(h) = core.handles.get_mut(&call) {
                h.digit_modes = before;
            }
            if let (Some(rec), Some(union)) = (core.calls.get_mut(&key), before_union) {
                rec.digit_modes = union;
            }
        };
        Ok((plan, Box::new(undo)))
    }

    fn digits_plan(&mut self, key: CallKey) -> Plan {
        let Some(rec) = self.calls.get(&key) else {
            return Plan::new();
        };
        let union = rec
            .holders
            .values()
            .filter_map(|h| self.handles.get(h))
            .fold(DigitModes::empty(), |acc, h| acc | h.digit_modes);
        let Some(rec) = self.calls.get_mut(&key) else {
            return Plan::new();
        };
        if union == rec.digit_modes {
            return Plan::new();
        }
        rec.digit_modes = union;
        let device = rec.device;
        vec![ProviderOp::MonitorDigits { call: key, device }]
    }

    /// `lineGenerateDigits`' checks (OWNER); the end-to-end id the provider will report the end
    /// with, routed back to this handle.
    pub(crate) fn begin_generate(
        &mut self,
        app: AppId,
        call: Call,
    ) -> Result<(CallKey, u32), Error> {
        let (key, device) = self.call_target(app, call, "generate_digits", true)?;
        self.require_offered(key, device, "generate_digits", |c| c.generate_digits)?;
        let id = self.new_end_to_end();
        self.generations.insert((key.prov, id), call);
        Ok((key, id))
    }

    /// The provider refused a generation: forget its end-to-end id.
    pub(crate) fn generate_refused(&mut self, prov: usize, id: u32) {
        self.generations.remove(&(prov, id));
    }

    /// The application's handle and privilege for call info and status.
    pub(crate) fn holder_view(
        &self,
        app: AppId,
        call: Call,
        operation: &'static str,
    ) -> Result<HolderView, Error> {
        let holder = self.holder(app, call, operation)?;
        let rec = self.calls.get(&holder.key).ok_or_else(|| {
            err(
                LineErr::InvalCallHandle,
                operation,
                format!("{call} is gone"),
            )
        })?;
        if rec.phase == Phase::Pending {
            return Err(still_being_created(operation, call));
        }
        let (owners, monitors) = self.counts(rec);
        Ok(HolderView {
            key: holder.key,
            line: holder.opener,
            privilege: holder.privilege,
            owners: owners as u32,
            monitors: monitors as u32,
            origin_app: rec.origin_app.clone(),
        })
    }
}

/// `INVALCALLSTATE` for a call whose `make_call` has not completed.
fn still_being_created(operation: &'static str, call: Call) -> Error {
    err(
        LineErr::InvalCallState,
        operation,
        format!("{call} is still being created: wait for its make_call reply"),
    )
}

/// Puts digit monitoring back as it was (the provider refused the new union).
pub(crate) type DigitsUndo = Box<dyn FnOnce(&mut Core) + Send>;

//! What a provider reports, turned into what each application hears: replies to the requester
//! only, call events to the call's holders, line events to the line's openers by their filters,
//! new calls offered to owners by media mode, forced closes and removals to everyone concerned
//! (T§2.3, §2.7, §4).

use crate::error::Error;
use crate::sink::Delivery;
use crate::spi::{CallHandle, CallStateChange, DeviceId, LineEvent, LineHandle, RequestId};
use crate::types::{CallPrivilege, DigitModes, LineDevStates, MediaModes};

use super::super::events::AppEvent;
use super::super::handles::Line;
use super::super::options::InitialOwners;
use super::calls::media_matches;
use super::{CallKey, CallRec, Core, Holder, LineKey, Phase, Plan, Prov, ProviderOp};

impl Core {
    /// One delivery from provider `prov`, in the order the provider sent it; `at` is when its
    /// callback sent it (the events it causes carry it, for latency measurements).
    pub(crate) fn on_delivery(
        &mut self,
        prov: Prov,
        delivery: Delivery,
        at: Option<std::time::Instant>,
    ) -> Plan {
        self.stamp = at;
        let plan = match delivery {
            Delivery::Completed {
                request, result, ..
            } => self.on_completed(prov, request, result),
            Delivery::NewCall { line, call } => self.on_new_call(prov, line, call),
            Delivery::Event { line, event } => self.on_event(prov, line, event),
            Delivery::DeviceRemoved { device } => self.on_removed(prov, device),
        };
        self.stamp = None;
        plan
    }

    fn on_completed(&mut self, prov: Prov, request: RequestId, result: Result<(), Error>) -> Plan {
        let mut plan = Plan::new();
        let Some(rec) = self.requests.remove(&(prov, request)) else {
            // The host's own request (a drop it issued): nobody waits for it.
            if let Err(e) = &result {
                tracing::debug!(%request, error = %e, "host request failed");
            }
            return plan;
        };
        let ok = result.is_ok();
        if let Some((app, id)) = rec.reply_to {
            self.app_requests.remove(&id);
            if let Some(a) = self.apps.get_mut(&app) {
                a.pending.remove(&id);
            }
            self.send(
                app,
                AppEvent::Reply {
                    request: id,
                    result,
                },
            );
        }
        if rec.creates_call
            && let Some(key) = rec.call
        {
            if ok {
                self.make_call_succeeded(key);
            } else if let Some(device) = self.calls.get(&key).map(|c| c.device) {
                // TAPI closes a call whose creation failed asynchronously (T§1.2); its
                // handles die with it.
                self.forget_call(key);
                plan.push(ProviderOp::CloseCall { call: key, device });
            }
        }
        plan
    }

    /// The creating request succeeded: the call is live; the line's monitors (other opens) get
    /// monitor handles, announced with UNKNOWN at the same time as the requester's reply.
    fn make_call_succeeded(&mut self, key: CallKey) {
        let Some(rec) = self.calls.get_mut(&key) else {
            return;
        };
        rec.phase = Phase::Live;
        let line_key = LineKey {
            prov: key.prov,
            line: rec.line,
        };
        let existing: Vec<Line> = rec.holders.keys().copied().collect();
        let monitors: Vec<Line> = self
            .lines
            .get(&line_key)
            .map(|l| {
                l.openers
                    .iter()
                    .filter(|line| !existing.contains(line))
                    .filter(|line| {
                        self.openers
                            .get(line)
                            .is_some_and(|o| o.privileges.contains(CallPrivilege::MONITOR))
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        for line in monitors {
            self.add_holder(key, line, CallPrivilege::MONITOR, CallStateChange::Unknown);
        }
    }

    /// Gives `line`'s application a handle to the call: `NewCall`, then `CallState` with the
    /// privilege.
    fn add_holder(
        &mut self,
        key: CallKey,
        line: Line,
        privilege: CallPrivilege,
        state: CallStateChange,
    ) {
        let Some(opener) = self.openers.get(&line) else {
            return;
        };
        let app = opener.app;
        let handle = self.new_call_handle();
        self.handles.insert(
            handle,
            Holder {
                app,
                opener: line,
                key,
                privilege,
                digit_modes: DigitModes::empty(),
            },
        );
        if let Some(o) = self.openers.get_mut(&line) {
            o.calls.insert(handle);
        }
        let media = match self.calls.get_mut(&key) {
            Some(rec) => {
                rec.holders.insert(line, handle);
                rec.media
            }
            None => MediaModes::empty(),
        };
        self.send(
            app,
            AppEvent::NewCall {
                line,
                call: handle,
                address: crate::spi::AddressId(0),
                privilege,
            },
        );
        self.send(
            app,
            AppEvent::CallState {
                line,
                call: handle,
                state,
                media,
                privilege: Some(privilege),
            },
        );
    }

    fn on_new_call(&mut self, prov: Prov, line: LineHandle, call: CallHandle) -> Plan {
        let key = CallKey { prov, call };
        let line_key = LineKey { prov, line };
        let Some(rec) = self.lines.get_mut(&line_key) else {
            // A line the host no longer knows: nobody will ever hold the call.
            return vec![ProviderOp::CloseCall {
                call: key,
                device: super::orphan_queue(prov),
            }];
        };
        if rec.closing {
            // Nobody will ever hold it either; its close_call follows the line's close in the
            // device's queue (the session then knows it is gone with the line).
            return vec![ProviderOp::CloseCall {
                call: key,
                device: rec.device,
            }];
        }
        rec.calls.insert(call);
        let device = rec.device;
        self.calls.insert(
            key,
            CallRec {
                line,
                device,
                phase: Phase::Announced,
                state: None,
                media: MediaModes::empty(),
                holders: Default::default(),
                digit_modes: DigitModes::empty(),
                origin_app: None,
                dropping: false,
            },
        );
        Plan::new()
    }

    /// The first state of an announced call: offer it to the owners that opened the line for its
    /// media mode (all of them, or the first, per [`InitialOwners`]), give monitors monitor
    /// handles, and drop it when no owner can take it (T§2.7 "unowned calls").
    fn offer(&mut self, key: CallKey, state: CallStateChange, media: MediaModes) -> Plan {
        let Some(rec) = self.calls.get_mut(&key) else {
            return Plan::new();
        };
        rec.phase = Phase::Live;
        rec.state = Some(state);
        rec.media = media;
        let line_key = LineKey {
            prov: key.prov,
            line: rec.line,
        };
        let mut openers: Vec<(u64, Line, CallPrivilege, MediaModes)> = self
            .lines
            .get(&line_key)
            .map(|l| {
                l.openers
                    .iter()
                    .filter_map(|line| {
                        self.openers
                            .get(line)
                            .map(|o| (o.seq, *line, o.privileges, o.media))
                    })
                    .collect()
            })
            .unwrap_or_default();
        openers.sort_by_key(|o| o.0);
        let mut owners: Vec<Line> = openers
            .iter()
            .filter(|(_, _, p, m)| p.contains(CallPrivilege::OWNER) && media_matches(*m, media))
            .map(|(_, line, _, _)| *line)
            .collect();
        if self.limits.initial_owners == InitialOwners::HighestPriority {
            owners.truncate(1);
        }
        let monitors: Vec<Line> = openers
            .iter()
            .filter(|(_, line, p, _)| p.contains(CallPrivilege::MONITOR) && !owners.contains(line))
            .map(|(_, line, _, _)| *line)
            .collect();
        for line in &owners {
            self.add_holder(key, *line, CallPrivilege::OWNER, state);
        }
        for line in &monitors {
            self.add_holder(key, *line, CallPrivilege::MONITOR, state);
        }
        if !owners.is_empty() {
            return Plan::new();
        }
        tracing::info!(call = %key.call, media = media.bits(), "no application can own the call; dropping it");
        let device = self
            .calls
            .get(&key)
            .map_or_else(|| super::orphan_queue(key.prov), |c| c.device);
        let mut plan = vec![ProviderOp::Drop { call: key, device }];
        if let Some(rec) = self.calls.get_mut(&key) {
            rec.dropping = true;
        }
        if monitors.is_empty() {
            self.forget_call(key);
            plan.push(ProviderOp::CloseCall { call: key, device });
        }
        plan
    }

    fn on_event(&mut self, prov: Prov, line: LineHandle, event: LineEvent) -> Plan {
        let line_key = LineKey { prov, line };
        if let Some(call) = event.call() {
            return self.on_call_event(CallKey { prov, call }, event);
        }
        match event {
            LineEvent::LineDevState { states, p2, p3 } => {
                let mut plan = Plan::new();
                if states.contains(LineDevStates::REINIT) {
                    plan.extend(self.request_reinit());
                }
                let rest = states - LineDevStates::REINIT;
                if !rest.is_empty() {
                    self.tell_openers(line_key, None, rest, p2, p3);
                }
                if states.contains(LineDevStates::CAPSCHANGE)
                    && let Some(rec) = self.lines.get(&line_key)
                {
                    plan.push(ProviderOp::RefreshCaps { device: rec.device });
                }
                plan
            }
            LineEvent::AddressState { address, states } => {
                for (l, o) in self.line_openers(line_key) {
                    if o.address_states.intersects(states) {
                        self.send(
                            o.app,
                            AppEvent::AddressState {
                                line: l,
                                address,
                                states: o.address_states & states,
                            },
                        );
                    }
                }
                Plan::new()
            }
            LineEvent::DevSpecific { p1, p2, p3 } => {
                for (l, o) in self.line_openers(line_key) {
                    self.send(
                        o.app,
                        AppEvent::DevSpecific {
                            line: l,
                            p1,
                            p2,
                            p3,
                        },
                    );
                }
                Plan::new()
            }
            LineEvent::Close => self.forced_close(line_key),
            LineEvent::Remove { device } => self.on_removed(prov, device),
            _ => Plan::new(),
        }
    }

    fn line_openers(&self, key: LineKey) -> Vec<(Line, super::Opener)> {
        self.lines
            .get(&key)
            .map(|l| {
                l.openers
                    .iter()
                    .filter_map(|line| self.openers.get(line).map(|o| (*line, o.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn on_call_event(&mut self, key: CallKey, event: LineEvent) -> Plan {
        let Some(rec) = self.calls.get(&key) else {
            tracing::debug!(call = %key.call, "event for a call the host no longer tracks");
            return Plan::new();
        };
        if let LineEvent::CallState { state, media, .. } = event
            && rec.phase == Phase::Announced
        {
            return self.offer(key, state, media);
        }
        if rec.phase == Phase::Announced {
            // Information before the first state: nobody holds the call yet.
            return Plan::new();
        }
        let holders: Vec<(Line, super::super::handles::Call)> =
            rec.holders.iter().map(|(l, c)| (*l, *c)).collect();
        match event {
            LineEvent::CallState { state, media, .. } => {
                if let Some(rec) = self.calls.get_mut(&key) {
                    rec.state = Some(state);
                    rec.media = media;
                }
                for (line, call) in holders {
                    if let Some(h) = self.handles.get(&call) {
                        self.send(
                            h.app,
                            AppEvent::CallState {
                                line,
                                call,
                                state,
                                media,
                                privilege: None,
                            },
                        );
                    }
                }
            }
            LineEvent::CallInfo { changed, .. } => {
                for (line, call) in holders {
                    if let Some(h) = self.handles.get(&call) {
                        self.send(
                            h.app,
                            AppEvent::CallInfo {
                                line,
                                call,
                                changed,
                            },
                        );
                    }
                }
            }
            LineEvent::MonitorDigits { digit, mode, .. } => {
                for (line, call) in holders {
                    if let Some(h) = self.handles.get(&call)
                        && h.digit_modes.intersects(mode)
                    {
                        self.send(
                            h.app,
                            AppEvent::MonitorDigits {
                                line,
                                call,
                                digit,
                                mode,
                            },
                        );
                    }
                }
            }
            LineEvent::Generate {
                term,
                end_to_end_id,
                ..
            } => {
                if let Some(call) = self.generations.remove(&(key.prov, end_to_end_id))
                    && let Some(h) = self.handles.get(&call)
                {
                    self.send(
                        h.app,
                        AppEvent::Generate {
                            line: h.opener,
                            call,
                            term,
                        },
                    );
                }
            }
            LineEvent::MonitorMedia { mode, .. } => {
                for (line, call) in holders {
                    if let Some(h) = self.handles.get(&call) {
                        self.send(h.app, AppEvent::MonitorMedia { line, call, mode });
                    }
                }
            }
            _ => {}
        }
        Plan::new()
    }

    /// The provider asks to close the line (`LINE_CLOSE`): every opener hears `Close`, its handles
    /// die, and the host acknowledges with `close` (T§4).
    fn forced_close(&mut self, key: LineKey) -> Plan {
        let Some(rec) = self.lines.get(&key) else {
            return Plan::new();
        };
        if rec.closing {
            return Plan::new();
        }
        let openers: Vec<Line> = rec.openers.iter().copied().collect();
        for line in openers {
            let Some(o) = self.openers.remove(&line) else {
                continue;
            };
            for call in &o.calls {
                self.handles.remove(call);
                self.generations.retain(|_, h| h != call);
            }
            if let Some(a) = self.apps.get_mut(&o.app) {
                a.openers.remove(&line);
            }
            self.send(o.app, AppEvent::Close { line });
        }
        let calls: Vec<CallHandle> = self
            .lines
            .get(&key)
            .map(|l| l.calls.iter().copied().collect())
            .unwrap_or_default();
        for call in calls {
            self.calls.remove(&CallKey {
                prov: key.prov,
                call,
            });
        }
        if let Some(rec) = self.lines.get_mut(&key) {
            rec.openers.clear();
        }
        tracing::warn!(line = %key.line, "the provider closed the line; every application was told");
        // Every call still ends with close_call before the line's close (T§1.3).
        self.mark_closing(key)
    }

    /// A device is gone for good: its line (if open) is closed under its openers, every
    /// application hears `Remove`, and the device answers `NODEVICE` from now on.
    fn on_removed(&mut self, prov: Prov, device: DeviceId) -> Plan {
        let Some(global) = self
            .devices
            .iter()
            .position(|d| d.prov == prov && d.local == device)
        else {
            return Plan::new();
        };
        if self.devices[global].removed {
            return Plan::new();
        }
        let mut plan = Plan::new();
        if let Some(line) = self.devices[global].line {
            plan.extend(self.forced_close(LineKey { prov, line }));
        }
        self.devices[global].removed = true;
        for rec in self.apps.values() {
            rec.queue.push(AppEvent::Remove {
                device: global as u32,
            });
        }
        tracing::warn!(device = global, "device removed");
        plan
    }
}

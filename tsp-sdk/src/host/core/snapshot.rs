//! The snapshot's data, read from the tables.

use crate::types::CallPrivilege;

use super::super::snapshot::*;
use super::{Core, Phase};

impl Core {
    /// Everything but what only the providers' sessions know (operation tallies, violations),
    /// which the driver adds.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let app_name = |app| {
            self.apps
                .get(&app)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        let providers = self
            .providers
            .iter()
            .enumerate()
            .map(|(i, p)| ProviderView {
                name: p.name.clone(),
                version: p.version.to_string(),
                devices: self
                    .devices
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.prov == i)
                    .map(|(id, _)| id as u32)
                    .collect(),
                violations: 0,
            })
            .collect();
        let lines = self
            .devices
            .iter()
            .enumerate()
            .map(|(id, d)| {
                let rec = d
                    .line
                    .and_then(|line| self.lines.get(&super::LineKey { prov: d.prov, line }));
                let opens = rec
                    .map(|r| {
                        r.openers
                            .iter()
                            .filter_map(|l| self.openers.get(l).map(|o| (l, o)))
                            .map(|(l, o)| OpenView {
                                app: o.app.0,
                                app_name: app_name(o.app),
                                line: l.0,
                                privileges: names(o.privileges),
                                media_modes: names(o.media),
                                version: o.version.to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                LineView {
                    device: id as u32,
                    provider: self.providers[d.prov].name.clone(),
                    name: d.caps.line_name.clone(),
                    removed: d.removed,
                    open: rec.is_some(),
                    opens,
                    media_modes: rec.map(|r| names(r.detection)).unwrap_or_default(),
                    status_messages: rec.map(|r| names(r.status.0)).unwrap_or_default(),
                    calls: rec.map_or(0, |r| r.calls.len() as u32),
                    provider_operations: Default::default(),
                }
            })
            .collect();
        let apps = self
            .apps
            .iter()
            .map(|(id, a)| {
                let (queued, lost) = a.queue.stats();
                let calls = a
                    .openers
                    .iter()
                    .filter_map(|l| self.openers.get(l))
                    .flat_map(|o| o.calls.iter().map(|c| c.0))
                    .collect();
                AppView {
                    app: id.0,
                    name: a.name.clone(),
                    pid: a.client.pid,
                    uid: a.client.uid,
                    lines: a.openers.iter().map(|l| l.0).collect(),
                    calls,
                    pending_requests: a.pending.iter().map(|r| r.get()).collect(),
                    queued_events: queued as u64,
                    events_lost: lost,
                    request_recipient: !self.assisted.modes(*id).is_empty(),
                }
            })
            .collect();
        let mut calls: Vec<CallView> = self
            .calls
            .iter()
            .map(|(key, c)| {
                let mut owners = Vec::new();
                let mut monitors = Vec::new();
                for handle in c.holders.values() {
                    if let Some(h) = self.handles.get(handle) {
                        let view = HolderView {
                            app: h.app.0,
                            app_name: app_name(h.app),
                            call: handle.0,
                        };
                        if h.privilege == CallPrivilege::OWNER {
                            owners.push(view);
                        } else {
                            monitors.push(view);
                        }
                    }
                }
                CallView {
                    device: c.device,
                    call: key.call.0,
                    state: match (c.phase, c.state) {
                        (Phase::Pending, _) => "PENDING".to_owned(),
                        (_, Some(s)) => s.state().name().to_owned(),
                        (_, None) => "NEW".to_owned(),
                    },
                    media_modes: names(c.media),
                    origin_app: c.origin_app.clone(),
                    owners,
                    monitors,
                    dropped_by_host: c.dropping,
                }
            })
            .collect();
        calls.sort_by_key(|c| (c.device, c.call));
        let mut pending_requests: Vec<RequestView> = self
            .requests
            .values()
            .filter_map(|r| {
                r.reply_to.map(|(app, id)| RequestView {
                    request: id.get(),
                    app: app.0,
                    app_name: app_name(app),
                    operation: r.operation.to_owned(),
                    device: r.device,
                })
            })
            .collect();
        pending_requests.sort_by_key(|r| r.request);
        let request_recipients = self
            .assisted
            .ranked()
            .into_iter()
            .map(|r| RecipientView {
                app: r.app.0,
                app_name: app_name(r.app),
                priority: r.priority,
                modes: names(r.modes),
            })
            .collect();
        let assisted_queue = self
            .assisted_queue()
            .map(|q| AssistedView {
                dest: q.dest.clone(),
                app_name: q.app_name.clone(),
                called_party: q.called_party.clone(),
                comment: q.comment.clone(),
            })
            .collect();
        Snapshot {
            reinit_pending: self.reinit_pending,
            providers,
            lines,
            apps,
            calls,
            pending_requests,
            request_recipients,
            assisted_queue,
            tables: self.table_sizes(),
        }
    }

    /// How many entries each table holds.
    pub(crate) fn table_sizes(&self) -> HostTables {
        let n = |len: usize| len as u64;
        HostTables {
            apps: n(self.apps.len()),
            opens: n(self.openers.len()),
            provider_lines: n(self.lines.len()),
            calls: n(self.calls.len()),
            call_handles: n(self.handles.len()),
            provider_requests: n(self.requests.len()),
            app_request_ids: n(self.app_requests.len()),
            digit_generations: n(self.generations.len()),
            queued_operations: n(self.queues.values().map(|q| q.len()).sum()),
        }
    }
}

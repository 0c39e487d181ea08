//! Applications coming and going: `lineInitializeEx` and `lineShutdown` (T§4).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::error::{Error, LineErr};
use crate::types::LineDevStates;

use super::super::events::{AppEvent, AppQueue};
use super::super::handles::AppId;
use super::super::options::ClientInfo;
use super::{AppRec, Core, Plan, ProviderOp, err};

impl Core {
    /// `lineInitializeEx`: a new application. Refused with `REINIT` while a reinitialisation is
    /// pending, `INVALAPPNAME` for an empty or control-character name.
    pub(crate) fn initialize(
        &mut self,
        name: &str,
        client: ClientInfo,
    ) -> Result<(AppId, Arc<AppQueue>), Error> {
        const OP: &str = "initialize";
        self.check_reinit(OP)?;
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.len() > 256 {
            return Err(err(
                LineErr::InvalAppName,
                OP,
                "the application name must be 1 to 256 printable characters",
            ));
        }
        let id = self.new_app_id();
        let queue = AppQueue::new(self.limits.queue_capacity, self.latency.clone());
        self.apps.insert(
            id,
            AppRec {
                name: name.to_owned(),
                client,
                queue: queue.clone(),
                openers: BTreeSet::new(),
                pending: BTreeSet::new(),
            },
        );
        tracing::info!(%id, name, pid = ?client.pid, "application initialised");
        Ok((id, queue))
    }

    /// `lineShutdown`: closes every line of the application (dropping the calls it solely owned),
    /// unregisters it as a request recipient, answers its pending requests with
    /// `OPERATIONFAILED` ("cancelled"), and ends its event stream after that. The plan holds the
    /// provider operations the closes need; a pending REINIT completes when the last application
    /// is gone.
    pub(crate) fn shutdown(&mut self, app: AppId) -> Result<Plan, Error> {
        const OP: &str = "shutdown";
        let openers: Vec<_> = self.app(app, OP)?.openers.iter().copied().collect();
        let mut plan = Plan::new();
        for line in openers {
            plan.extend(self.close_opener(line));
        }
        self.unregister_all(app);
        let Some(rec) = self.apps.remove(&app) else {
            return Ok(plan);
        };
        for request in &rec.pending {
            self.app_requests.remove(request);
            rec.queue.push(AppEvent::Reply {
                request: *request,
                result: Err(err(
                    LineErr::OperationFailed,
                    "shutdown",
                    format!("{request} was cancelled: the application shut down (lineShutdown)"),
                )),
            });
        }
        for r in self.requests.values_mut() {
            if r.reply_to.is_some_and(|(a, _)| a == app) {
                r.reply_to = None;
            }
        }
        rec.queue.close();
        tracing::info!(%app, name = %rec.name, "application shut down");
        if self.reinit_pending && self.apps.is_empty() {
            plan.push(ProviderOp::Reinit);
        }
        Ok(plan)
    }

    /// Asks every application to shut down (`LINEDEVSTATE_REINIT`, which cannot be filtered) and
    /// refuses `initialize` and `open_line` with `REINIT` until the last one has. With no
    /// application, the plan restarts the providers at once.
    pub(crate) fn request_reinit(&mut self) -> Plan {
        self.reinit_pending = true;
        for rec in self.apps.values() {
            rec.queue.push(AppEvent::LineDevState {
                line: None,
                states: LineDevStates::REINIT,
                p2: 0,
                p3: 0,
            });
        }
        if self.apps.is_empty() {
            vec![ProviderOp::Reinit]
        } else {
            Plan::new()
        }
    }
}

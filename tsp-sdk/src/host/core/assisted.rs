//! Assisted Telephony (T§6): request recipients with priorities, and the queue of
//! `tapiRequestMakeCall` requests waiting for one.

use std::collections::VecDeque;

use crate::TapiErr;
use crate::error::{Error, LineErr};
use crate::types::RequestModes;

use super::super::events::AppEvent;
use super::super::handles::AppId;
use super::super::options::AssistedMakeCall;
use super::{Core, err};

/// A registered request recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub(crate) app: AppId,
    pub(crate) modes: RequestModes,
    /// 1 is the highest; 0 means "not in the priority list", below every listed one.
    pub(crate) priority: u32,
    pub(crate) seq: u64,
}

impl Recipient {
    /// Sort key: listed priorities first (1, 2, …), then unlisted, each by registration order.
    fn rank(&self) -> (bool, u32, u64) {
        (self.priority == 0, self.priority, self.seq)
    }
}

/// The recipients and the queue.
#[derive(Debug, Default)]
pub(crate) struct Assisted {
    pub(crate) recipients: Vec<Recipient>,
    pub(crate) queue: VecDeque<AssistedMakeCall>,
    seq: u64,
}

impl Assisted {
    pub(crate) fn modes(&self, app: AppId) -> RequestModes {
        self.recipients
            .iter()
            .filter(|r| r.app == app)
            .fold(RequestModes::empty(), |acc, r| acc | r.modes)
    }

    /// The highest-priority recipient for MAKECALL.
    pub(crate) fn top(&self) -> Option<AppId> {
        self.recipients
            .iter()
            .filter(|r| r.modes.contains(RequestModes::MAKECALL))
            .min_by_key(|r| r.rank())
            .map(|r| r.app)
    }

    /// Recipients in priority order.
    pub(crate) fn ranked(&self) -> Vec<Recipient> {
        let mut all = self.recipients.clone();
        all.sort_by_key(Recipient::rank);
        all
    }
}

impl Core {
    /// `lineRegisterRequestRecipient`. Only `LINEREQUESTMODE_MAKECALL` is valid in TAPI 2.x
    /// (`INVALREQUESTMODE` otherwise: MEDIACALL is obsolete, DROP is 16-bit TAPI). Registering
    /// while requests are queued sends `LINE_REQUEST` to the (new) highest-priority recipient;
    /// unregistering one that was not registered succeeds and changes nothing. Registering again
    /// (say, with another priority) counts as a new registration: among recipients of equal
    /// priority it then comes last.
    pub(crate) fn register_request_recipient(
        &mut self,
        app: AppId,
        modes: RequestModes,
        priority: u32,
        enable: bool,
    ) -> Result<(), Error> {
        const OP: &str = "register_request_recipient";
        self.app(app, OP)?;
        if modes != RequestModes::MAKECALL {
            return Err(err(
                LineErr::InvalRequestMode,
                OP,
                format!(
                    "request modes {:#x}: TAPI 2.x recipients register for LINEREQUESTMODE_MAKECALL (0x1)",
                    modes.bits()
                ),
            ));
        }
        let before = self.assisted.top();
        self.assisted.recipients.retain(|r| r.app != app);
        if enable {
            self.assisted.seq += 1;
            let seq = self.assisted.seq;
            self.assisted.recipients.push(super::assisted::Recipient {
                app,
                modes,
                priority,
                seq,
            });
            tracing::info!(%app, priority, "registered as a request recipient");
        }
        self.announce_queue(before);
        Ok(())
    }

    /// Removes the application from the recipients (at shutdown).
    pub(crate) fn unregister_all(&mut self, app: AppId) {
        let before = self.assisted.top();
        self.assisted.recipients.retain(|r| r.app != app);
        self.announce_queue(before);
    }

    /// When the top recipient changed (or a new one came) and requests wait, tell the new top one:
    /// one `LINE_REQUEST` per queued request.
    fn announce_queue(&self, before: Option<AppId>) {
        let after = self.assisted.top();
        if after == before {
            return;
        }
        if let Some(app) = after {
            for _ in &self.assisted.queue {
                self.send(
                    app,
                    AppEvent::Request {
                        mode: RequestModes::MAKECALL,
                    },
                );
            }
        }
    }

    /// `tapiRequestMakeCall`: queue the request for the highest-priority recipient and tell it
    /// (`LINE_REQUEST`). Strings are truncated to TAPI's sizes. Success means queued, not placed.
    ///
    /// Errors: `TAPIERR_INVALDESTADDRESS` (empty destination), `TAPIERR_NOREQUESTRECIPIENT` (no
    /// recipient registered; the host launches nothing), `TAPIERR_REQUESTQUEUEFULL`.
    pub(crate) fn request_make_call(&mut self, request: &AssistedMakeCall) -> Result<(), TapiErr> {
        let request = request.truncated();
        if request.dest.is_empty() || request.dest.chars().any(char::is_control) {
            return Err(TapiErr::InvalDestAddress);
        }
        let Some(top) = self.assisted.top() else {
            return Err(TapiErr::NoRequestRecipient);
        };
        if self.assisted.queue.len() >= self.limits.assisted_queue_capacity {
            return Err(TapiErr::RequestQueueFull);
        }
        tracing::info!(dest = %request.dest, app = %request.app_name, "assisted make-call queued");
        self.assisted.queue.push_back(request);
        self.send(
            top,
            AppEvent::Request {
                mode: RequestModes::MAKECALL,
            },
        );
        Ok(())
    }

    /// `lineGetRequest`: takes the oldest queued request. `NOTREGISTERED` if the application is
    /// not a recipient for the mode; `NOREQUEST` if nothing is queued or another recipient has
    /// the higher priority; `INVALREQUESTMODE` for a mode other than MAKECALL.
    pub(crate) fn get_request(
        &mut self,
        app: AppId,
        mode: RequestModes,
    ) -> Result<AssistedMakeCall, Error> {
        const OP: &str = "get_request";
        self.app(app, OP)?;
        if mode != RequestModes::MAKECALL {
            return Err(err(
                LineErr::InvalRequestMode,
                OP,
                format!(
                    "request mode {:#x}: only LINEREQUESTMODE_MAKECALL (0x1)",
                    mode.bits()
                ),
            ));
        }
        if !self.assisted.modes(app).contains(mode) {
            return Err(err(
                LineErr::NotRegistered,
                OP,
                format!("{app} is not registered as a request recipient for MAKECALL"),
            ));
        }
        if self.assisted.top() != Some(app) {
            return Err(err(
                LineErr::NoRequest,
                OP,
                "another request recipient has the higher priority",
            ));
        }
        self.assisted
            .queue
            .pop_front()
            .ok_or_else(|| err(LineErr::NoRequest, OP, "no request is queued"))
    }
}

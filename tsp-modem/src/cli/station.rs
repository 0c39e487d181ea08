//! One application on one line, through the host — in this process (`--port`, `--sim`) or a
//! server's (`--server`): what `dial`, `answer` and `monitor` need, with timestamps for the live
//! display.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::output::{Output, Said};
use tsp_sdk::host::{AppEvent, Call, DeviceSelect, Events, Host, Line, LineApp, OpenOptions};
use tsp_sdk::spi::{ByteStream, CallParams, DeviceClass, DeviceIdValue, RequestId};
use tsp_sdk::{Error, LineDevStates, LineErr, Result, Version};

/// An application with one line open.
pub(super) struct Station<A: LineApp> {
    app: A,
    events: Events,
    line: Line,
    started: Instant,
    backlog: VecDeque<AppEvent>,
    /// The in-process host, stopped (releasing the port) when the station closes.
    host: Option<Host>,
    /// The host ended this application's events (it shut down, or the server went away).
    ended: bool,
    /// Words or JSON lines for the live display.
    out: Output,
    /// How the last call that ended ended (BUSY counts as `LINEDISCONNECTMODE_BUSY`).
    ended_as: std::cell::Cell<Option<tsp_sdk::DisconnectMode>>,
}

impl<A: LineApp> Station<A> {
    /// Negotiates a version, opens `device` with `options`, and asks for ring notices.
    pub(super) async fn open(
        app: A,
        events: Events,
        device: u32,
        options: OpenOptions,
        host: Option<Host>,
    ) -> Result<Station<A>> {
        let version = app
            .negotiate_api_version(device, Version::V1_4, Version::V3_1)
            .await?;
        let line = app.open_line(device, options.version(version)).await?;
        app.set_status_messages(line, LineDevStates::RINGING, Default::default())
            .await?;
        Ok(Station {
            app,
            events,
            line,
            started: Instant::now(),
            backlog: VecDeque::new(),
            host,
            ended: false,
            out: Output::default(),
            ended_as: std::cell::Cell::new(None),
        })
    }

    /// Speaks through `out` from now on.
    pub(super) fn with_output(mut self, out: Output) -> Self {
        self.out = out;
        self
    }

    /// Notes how a call ended, for the exit code.
    pub(super) fn note_end(&self, mode: tsp_sdk::DisconnectMode) {
        self.ended_as.set(Some(mode));
    }

    /// How the last call that ended ended, if one did.
    pub(super) fn ended_as(&self) -> Option<tsp_sdk::DisconnectMode> {
        self.ended_as.get()
    }

    /// One line of the live display, timestamped.
    pub(super) fn say(&self, said: Said) {
        self.out.say(self.elapsed(), &said);
    }

    /// The application.
    pub(super) fn app(&self) -> &A {
        &self.app
    }

    /// Seconds since the line opened.
    pub(super) fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Waits for the reply to `request`, keeping other events for later.
    async fn reply(&mut self, request: RequestId) -> Result<()> {
        let mut kept = Vec::new();
        let result = loop {
            match tokio::time::timeout(Duration::from_secs(600), self.events.next()).await {
                Ok(Some(AppEvent::Reply { request: r, result })) if r == request => break result,
                Ok(Some(other)) => kept.push(other),
                Ok(None) => {
                    self.ended = true;
                    break Err(Error::new(LineErr::OperationFailed)
                        .detail("the host ended this application's events (the server stopped?)"));
                }
                Err(_) => {
                    break Err(Error::new(LineErr::OperationFailed)
                        .detail(format!("no reply to {request} in 10 minutes")));
                }
            }
        };
        self.backlog.extend(kept);
        result
    }

    /// Places a call; returns once its request succeeded.
    pub(super) async fn make_call(&mut self, dest: &str, params: CallParams) -> Result<Call> {
        let placed = self.app.make_call(self.line, Some(dest), params).await?;
        self.reply(placed.request).await?;
        Ok(placed.call)
    }

    /// Answers an offered call.
    pub(super) async fn answer(&mut self, call: Call) -> Result<()> {
        let request = self.app.answer(call).await?;
        self.reply(request).await
    }

    /// Drops a call.
    pub(super) async fn drop_call(&mut self, call: Call) -> Result<()> {
        let request = self.app.drop_call(call).await?;
        self.reply(request).await
    }

    /// The call's data stream (after CONNECTED).
    pub(super) async fn data_stream(&self, call: Call) -> Result<Box<dyn ByteStream>> {
        match self
            .app
            .get_id(DeviceSelect::Call(call), DeviceClass::COMM_DATAMODEM)
            .await?
        {
            DeviceIdValue::DataStream { stream, .. } => Ok(stream),
            _ => {
                Err(Error::new(LineErr::OperationFailed)
                    .detail("comm/datamodem gave no data stream"))
            }
        }
    }

    /// The next event, waiting up to `patience`; `None` at once when the events have ended.
    pub(super) async fn next_event(&mut self, patience: Duration) -> Option<AppEvent> {
        if let Some(event) = self.backlog.pop_front() {
            return Some(event);
        }
        if self.ended {
            return None;
        }
        match tokio::time::timeout(patience, self.events.next()).await {
            Ok(Some(event)) => Some(event),
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(_) => None,
        }
    }

    /// Whether the host ended this application's events (the server stopped or went away).
    pub(super) fn ended(&self) -> bool {
        self.ended
    }

    /// Shuts the application down (dropping what it solely owns) and, in process, stops the host
    /// so the port is released.
    pub(super) async fn close(self) {
        let _ = self.app.shutdown().await;
        if let Some(host) = self.host {
            host.stop().await;
        }
    }
}

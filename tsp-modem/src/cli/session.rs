//! A small host for one line: what the CLI needs to drive a provider through the contract and show
//! what happens, with timestamps.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tsp_sdk::sink::{self, Delivery, RequestRecord, SinkHost};
use tsp_sdk::spi::*;
use tsp_sdk::{Error, LineErr, MediaModes, Result, Version};

/// One open line of a provider, and its sink.
pub(super) struct Session {
    provider: Arc<dyn ProviderDyn>,
    host: SinkHost,
    line: LineHandle,
    next: RequestId,
    started: Instant,
    backlog: Vec<Delivery>,
}

impl Session {
    /// Initialises the provider and opens its first line, detecting `detect`.
    pub(super) async fn open(
        provider: Arc<dyn ProviderDyn>,
        detect: MediaModes,
    ) -> Result<Session> {
        let version = provider
            .negotiate_version(None, Version::V1_4, Version::V3_1)
            .await?;
        let lines = provider.enumerate_devices().await?;
        let (sink, host) = sink::channel();
        provider
            .init(Init {
                version,
                provider_id: 1,
                line_base: 0,
                lines,
                sink,
            })
            .await?;
        let line = LineHandle(1);
        host.line_opened(line);
        if let Err(e) = provider
            .open(OpenLine {
                device: DeviceId(0),
                line,
                version,
            })
            .await
        {
            host.line_closed(line);
            let _ = provider.shutdown().await;
            return Err(e);
        }
        provider.set_default_media_detection(line, detect).await?;
        Ok(Session {
            provider,
            host,
            line,
            next: RequestId::FIRST,
            started: Instant::now(),
            backlog: Vec::new(),
        })
    }

    /// The provider.
    pub(super) fn provider(&self) -> &Arc<dyn ProviderDyn> {
        &self.provider
    }

    /// Seconds since the line opened, for the live display.
    pub(super) fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn request(
        &mut self,
        operation: &'static str,
        call: CallHandle,
        creates_call: bool,
    ) -> RequestId {
        let id = self.next;
        self.next = id.next();
        self.host.begin_request(
            id,
            RequestRecord {
                operation,
                line: self.line,
                call: Some(call),
                creates_call,
            },
        );
        id
    }

    async fn finish(&mut self, id: RequestId, accepted: Result<()>) -> Result<()> {
        if let Err(e) = accepted {
            self.host.request_refused(id);
            return Err(e);
        }
        loop {
            match self.next_delivery(Duration::from_secs(600)).await {
                Some(Delivery::Completed {
                    request, result, ..
                }) if request == id => return result,
                Some(other) => self.backlog.push(other),
                None => {
                    return Err(Error::new(LineErr::OperationFailed)
                        .detail("the provider never completed the request"));
                }
            }
        }
    }

    /// Places a call; returns once the provider completed the request.
    pub(super) async fn make_call(&mut self, dest: &str, params: CallParams) -> Result<CallHandle> {
        let call = self.host.allocate_call(self.line);
        let id = self.request("make_call", call, true);
        let accepted = self
            .provider
            .make_call(MakeCall {
                request: id,
                line: self.line,
                call,
                dest: Some(dest.into()),
                country: 0,
                params,
            })
            .await;
        self.finish(id, accepted).await.map(|()| call)
    }

    /// Answers an offered call.
    pub(super) async fn answer(&mut self, call: CallHandle) -> Result<()> {
        let id = self.request("answer", call, false);
        let accepted = self.provider.answer(CallRequest::new(id, call)).await;
        self.finish(id, accepted).await
    }

    /// Drops a call.
    pub(super) async fn drop_call(&mut self, call: CallHandle) -> Result<()> {
        let id = self.request("drop_call", call, false);
        let accepted = self.provider.drop_call(CallRequest::new(id, call)).await;
        self.finish(id, accepted).await
    }

    /// The call's data stream (after CONNECTED).
    pub(super) async fn data_stream(&self, call: CallHandle) -> Result<Box<dyn ByteStream>> {
        let got = self
            .provider
            .get_id(GetId {
                select: Select::Call(call),
                class: DeviceClass::new(DeviceClass::COMM_DATAMODEM),
            })
            .await?;
        match got {
            DeviceIdValue::DataStream { stream, .. } => Ok(stream),
            other => Err(Error::new(LineErr::OperationFailed)
                .detail(format!("comm/datamodem gave {other:?}"))),
        }
    }

    /// The next delivery, waiting up to `patience`.
    pub(super) async fn next_delivery(&mut self, patience: Duration) -> Option<Delivery> {
        if !self.backlog.is_empty() {
            return Some(self.backlog.remove(0));
        }
        tokio::time::timeout(patience, self.host.recv())
            .await
            .ok()
            .flatten()
    }

    /// Closes the line and shuts the provider down.
    pub(super) async fn close(mut self) {
        let _ = self.provider.close(self.line).await;
        self.host.line_closed(self.line);
        let _ = self.provider.shutdown().await;
        self.host.shut_down();
        self.backlog.clear();
    }
}

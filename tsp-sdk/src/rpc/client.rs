//! [`Client`] and [`RemoteApp`]: the host's API from another process, over its socket. A
//! `RemoteApp` is a [`LineApp`], so code written for the in-process [`App`](crate::host::App)
//! runs on it unchanged.

use std::path::Path;
use std::sync::Arc;

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::{Channel, Endpoint};

use crate::TapiErr;
use crate::error::{Error, LineErr, Result};
use crate::host::{
    AppCallInfo, AppCallStatus, AppId, AppLineStatus, AssistedMakeCall, Call, DeviceSelect, Events,
    HandoffTarget, LatencyRecorder, LatencyStats, Line, LineApp, OpenOptions, Placed, Snapshot,
};
use crate::spi::{AddressCaps, AddressId, CallParams, DeviceIdValue, LineDevCaps, RequestId};
use crate::types::{
    AddressStates, CallPrivilege, DigitModes, LineDevStates, MediaModes, RequestModes, Version,
};

use super::convert;
use super::proto;
use super::proto::telephony_client::TelephonyClient;

/// A connection to a tsp server's socket. Cheap to clone (clones share the connection).
///
/// ```no_run
/// # async fn run() -> tsp_sdk::Result<()> {
/// use tsp_sdk::host::{LineApp, OpenOptions};
/// use tsp_sdk::rpc::Client;
/// let client = Client::connect("/run/user/1000/tsp/tsp.sock").await?;
/// let (app, mut events) = client.initialize("my dialer").await?;
/// let line = app.open_line(0, OpenOptions::none()).await?;
/// let placed = app.make_call(line, Some("5550100"), Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    grpc: TelephonyClient<Channel>,
    server: Arc<str>,
    latency: Option<LatencyRecorder>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server", &self.server)
            .finish()
    }
}

impl Client {
    /// Connects to the server at `socket`.
    ///
    /// # Errors
    /// `LINEERR_OPERATIONFAILED` naming the socket when nothing answers there.
    pub async fn connect(socket: impl AsRef<Path>) -> Result<Client> {
        let path = socket.as_ref();
        let server: Arc<str> = path.display().to_string().into();
        let failed = |detail: String| {
            Error::new(LineErr::OperationFailed)
                .operation("connect")
                .device(server.to_string())
                .detail(detail)
        };
        let endpoint = Endpoint::from_shared(format!("unix:{}", path.display()))
            .map_err(|e| failed(format!("not a socket path: {e}")))?;
        let channel = endpoint.connect().await.map_err(|e| {
            // The innermost cause (a missing file, a refused connection) is the one that tells;
            // outer layers repeat it in their own words.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why = s.to_string();
                source = s.source();
            }
            failed(format!(
                "no tsp server answers there ({why}); start one with `tsp-modem serve`"
            ))
        })?;
        Ok(Client {
            grpc: TelephonyClient::new(channel).max_decoding_message_size(16 * 1024 * 1024),
            server,
            latency: None,
        })
    }

    /// Measures, for applications initialised from now on, how long each event took from the
    /// provider's callback at the server to this client (clocks of one machine). Read with
    /// [`event_latency`](Self::event_latency).
    #[must_use]
    pub fn measuring_event_latency(mut self) -> Client {
        self.latency = Some(LatencyRecorder::new());
        self
    }

    /// The latencies measured so far, if measuring.
    pub fn event_latency(&self) -> Option<LatencyStats> {
        self.latency.as_ref().map(LatencyRecorder::stats)
    }

    /// Forgets the latencies measured so far.
    pub fn reset_event_latency(&self) {
        if let Some(l) = &self.latency {
            l.reset();
        }
    }

    fn error(&self, operation: &'static str) -> impl Fn(tonic::Status) -> Error + '_ {
        move |status| convert::error_of(&status, operation, &self.server)
    }

    /// `lineInitializeEx` on the server: an application and its event stream.
    ///
    /// # Errors
    /// As [`Host::initialize`](crate::host::Host::initialize), or a transport failure.
    pub async fn initialize(&self, name: &str) -> Result<(RemoteApp, Events)> {
        let mut grpc = self.grpc.clone();
        let reply = grpc
            .initialize(proto::InitializeRequest { name: name.into() })
            .await
            .map_err(self.error("initialize"))?
            .into_inner();
        let stream = grpc
            .events(proto::AppRef { app: reply.app })
            .await
            .map_err(self.error("events"))?
            .into_inner();
        let latency = self.latency.clone();
        let events = stream
            .take_while(|item| std::future::ready(item.is_ok()))
            .filter_map(move |item| {
                let event = item.ok().and_then(|wire| {
                    if let (Some(l), true) = (&latency, wire.sink_unix_ns != 0) {
                        l.record(convert::since_unix_ns(wire.sink_unix_ns));
                    }
                    convert::event_from_proto(wire)
                });
                std::future::ready(event)
            })
            .boxed();
        Ok((
            RemoteApp {
                client: self.clone(),
                app: reply.app,
                devices: reply.devices,
            },
            Events::from_stream(events),
        ))
    }

    /// `tapiRequestMakeCall` on the server.
    ///
    /// # Errors
    /// The `TAPIERR_*` the server answered; `TAPIERR_REQUESTFAILED` when it could not be reached
    /// (logged with the reason).
    pub async fn request_make_call(
        &self,
        request: &AssistedMakeCall,
    ) -> std::result::Result<(), TapiErr> {
        match self
            .grpc
            .clone()
            .request_make_call(convert::assisted_to_proto(request))
            .await
        {
            Ok(_) => Ok(()),
            Err(status) => Err(convert::tapierr_of(&status).unwrap_or_else(|| {
                tracing::error!(server = %self.server, %status, "request_make_call failed");
                TapiErr::RequestFailed
            })),
        }
    }

    /// What the server's host tracks.
    ///
    /// # Errors
    /// A transport failure (`OPERATIONFAILED`), or `PERMISSION_DENIED` as `OPERATIONFAILED`.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let snap = self
            .grpc
            .clone()
            .snapshot(proto::Empty {})
            .await
            .map_err(self.error("snapshot"))?
            .into_inner();
        Ok(convert::snapshot_from_proto(snap))
    }

    /// The raw gRPC client, for calls this API does not wrap.
    pub fn grpc(&self) -> TelephonyClient<Channel> {
        self.grpc.clone()
    }
}

/// An application on a remote host (its `hLineApp`), from [`Client::initialize`]. Use it through
/// [`LineApp`]. Dropping it does not shut it down; closing the connection (the process ending)
/// does.
#[derive(Debug, Clone)]
pub struct RemoteApp {
    client: Client,
    app: u32,
    devices: u32,
}

impl RemoteApp {
    fn grpc(&self) -> TelephonyClient<Channel> {
        self.client.grpc.clone()
    }

    async fn data_stream(&self, token: u64, port: String) -> Result<DeviceIdValue> {
        let (tx, rx) = tokio::sync::mpsc::channel::<proto::DataChunk>(16);
        tx.send(proto::DataChunk {
            token,
            data: Vec::new(),
        })
        .await
        .map_err(|_| Error::new(LineErr::OperationFailed).operation("data_stream"))?;
        let mut inbound = self
            .grpc()
            .data_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .map_err(self.client.error("data_stream"))?
            .into_inner();
        let (ours, theirs) = tokio::io::duplex(64 * 1024);
        let (mut rd, mut wr) = tokio::io::split(theirs);
        tokio::spawn(async move {
            while let Ok(Some(chunk)) = inbound.message().await {
                if wr.write_all(&chunk.data).await.is_err() {
                    return;
                }
            }
            let _ = wr.shutdown().await;
        });
        tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        let chunk = proto::DataChunk {
                            token: 0,
                            data: buf[..n].to_vec(),
                        };
                        if tx.send(chunk).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(DeviceIdValue::DataStream {
            stream: Box::new(ours),
            port,
        })
    }
}

fn request_id(id: u32, operation: &'static str) -> Result<RequestId> {
    RequestId::new(id).ok_or_else(|| {
        Error::new(LineErr::OperationFailed)
            .operation(operation)
            .detail(format!(
                "the server answered request id {id}, outside 1..=0x7FFFFFFF"
            ))
    })
}

impl LineApp for RemoteApp {
    fn handle(&self) -> AppId {
        AppId(self.app)
    }

    fn devices(&self) -> u32 {
        self.devices
    }

    async fn negotiate_api_version(
        &self,
        device: u32,
        low: Version,
        high: Version,
    ) -> Result<Version> {
        let r = self
            .grpc()
            .negotiate_api_version(proto::NegotiateRequest {
                app: self.app,
                device,
                low: convert::version_bits(low),
                high: convert::version_bits(high),
            })
            .await
            .map_err(self.client.error("negotiate_api_version"))?;
        Ok(convert::version(r.into_inner().version))
    }

    async fn line_caps(&self, device: u32, version: Version) -> Result<LineDevCaps> {
        let r = self
            .grpc()
            .line_caps(proto::DeviceRequest {
                app: self.app,
                device,
                version: convert::version_bits(version),
            })
            .await
            .map_err(self.client.error("line_caps"))?;
        Ok(convert::caps_from_proto(r.into_inner()))
    }

    async fn address_caps(
        &self,
        device: u32,
        address: AddressId,
        version: Version,
    ) -> Result<AddressCaps> {
        let r = self
            .grpc()
            .address_caps(proto::AddressRequest {
                app: self.app,
                device,
                address: address.0,
                version: convert::version_bits(version),
            })
            .await
            .map_err(self.client.error("address_caps"))?;
        Ok(convert::address_caps_from_proto(r.into_inner()))
    }

    async fn open_line(&self, device: u32, options: OpenOptions) -> Result<Line> {
        let r = self
            .grpc()
            .open_line(proto::OpenLineRequest {
                app: self.app,
                device,
                privileges: options.privileges.bits(),
                media_modes: options.media_modes.bits(),
                version: convert::version_bits(options.version),
            })
            .await
            .map_err(self.client.error("open_line"))?;
        Ok(Line(r.into_inner().line))
    }

    async fn close_line(&self, line: Line) -> Result<()> {
        self.grpc()
            .close_line(proto::LineRef {
                app: self.app,
                line: line.0,
            })
            .await
            .map_err(self.client.error("close_line"))?;
        Ok(())
    }

    async fn set_status_messages(
        &self,
        line: Line,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> Result<()> {
        self.grpc()
            .set_status_messages(proto::StatusMessagesRequest {
                app: self.app,
                line: line.0,
                line_states: line_states.bits(),
                address_states: address_states.bits(),
            })
            .await
            .map_err(self.client.error("set_status_messages"))?;
        Ok(())
    }

    async fn line_status(&self, line: Line) -> Result<AppLineStatus> {
        let r = self
            .grpc()
            .line_status(proto::LineRef {
                app: self.app,
                line: line.0,
            })
            .await
            .map_err(self.client.error("line_status"))?;
        Ok(convert::line_status_from_proto(r.into_inner()))
    }

    async fn get_new_calls(&self, line: Line) -> Result<Vec<Call>> {
        let r = self
            .grpc()
            .get_new_calls(proto::LineRef {
                app: self.app,
                line: line.0,
            })
            .await
            .map_err(self.client.error("get_new_calls"))?;
        Ok(r.into_inner().calls.into_iter().map(Call).collect())
    }

    async fn make_call(
        &self,
        line: Line,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<Placed> {
        let dest = dest.map(str::to_owned);
        let r = self
            .grpc()
            .make_call(proto::MakeCallRequest {
                app: self.app,
                line: line.0,
                dest,
                params: Some(convert::params_to_proto(&params)),
            })
            .await
            .map_err(self.client.error("make_call"))?
            .into_inner();
        Ok(Placed {
            request: request_id(r.request, "make_call")?,
            call: Call(r.call),
        })
    }

    async fn dial(&self, call: Call, dest: &str) -> Result<RequestId> {
        let dest = dest.to_owned();
        let r = self
            .grpc()
            .dial(proto::DialRequest {
                app: self.app,
                call: call.0,
                dest,
            })
            .await
            .map_err(self.client.error("dial"))?;
        request_id(r.into_inner().request, "dial")
    }

    async fn answer(&self, call: Call) -> Result<RequestId> {
        let r = self
            .grpc()
            .answer(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("answer"))?;
        request_id(r.into_inner().request, "answer")
    }

    async fn accept(&self, call: Call) -> Result<RequestId> {
        let r = self
            .grpc()
            .accept(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("accept"))?;
        request_id(r.into_inner().request, "accept")
    }

    async fn drop_call(&self, call: Call) -> Result<RequestId> {
        let r = self
            .grpc()
            .drop(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("drop_call"))?;
        request_id(r.into_inner().request, "drop_call")
    }

    async fn secure_call(&self, call: Call) -> Result<RequestId> {
        let r = self
            .grpc()
            .secure_call(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("secure_call"))?;
        request_id(r.into_inner().request, "secure_call")
    }

    async fn deallocate_call(&self, call: Call) -> Result<()> {
        self.grpc()
            .deallocate_call(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("deallocate_call"))?;
        Ok(())
    }

    async fn handoff(&self, call: Call, target: HandoffTarget) -> Result<()> {
        let target = match target {
            HandoffTarget::App(name) => proto::handoff_request::Target::AppName(name),
            HandoffTarget::MediaMode(m) => proto::handoff_request::Target::MediaMode(m.bits()),
        };
        self.grpc()
            .handoff(proto::HandoffRequest {
                app: self.app,
                call: call.0,
                target: Some(target),
            })
            .await
            .map_err(self.client.error("handoff"))?;
        Ok(())
    }

    async fn set_call_privilege(&self, call: Call, privilege: CallPrivilege) -> Result<()> {
        self.grpc()
            .set_call_privilege(proto::PrivilegeRequest {
                app: self.app,
                call: call.0,
                privilege: privilege.bits(),
            })
            .await
            .map_err(self.client.error("set_call_privilege"))?;
        Ok(())
    }

    async fn call_info(&self, call: Call) -> Result<AppCallInfo> {
        let r = self
            .grpc()
            .call_info(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("call_info"))?;
        Ok(convert::call_info_from_proto(r.into_inner()))
    }

    async fn call_status(&self, call: Call) -> Result<AppCallStatus> {
        let r = self
            .grpc()
            .call_status(proto::CallRef {
                app: self.app,
                call: call.0,
            })
            .await
            .map_err(self.client.error("call_status"))?;
        Ok(convert::call_status_from_proto(r.into_inner()))
    }

    async fn set_media_mode(&self, call: Call, mode: MediaModes) -> Result<()> {
        self.grpc()
            .set_media_mode(proto::MediaModeRequest {
                app: self.app,
                call: call.0,
                media_mode: mode.bits(),
            })
            .await
            .map_err(self.client.error("set_media_mode"))?;
        Ok(())
    }

    async fn monitor_digits(&self, call: Call, modes: DigitModes) -> Result<()> {
        self.grpc()
            .monitor_digits(proto::MonitorDigitsRequest {
                app: self.app,
                call: call.0,
                digit_modes: modes.bits(),
            })
            .await
            .map_err(self.client.error("monitor_digits"))?;
        Ok(())
    }

    async fn generate_digits(
        &self,
        call: Call,
        mode: DigitModes,
        digits: Option<&str>,
        duration_ms: u32,
    ) -> Result<()> {
        let digits = digits.map(str::to_owned);
        self.grpc()
            .generate_digits(proto::GenerateDigitsRequest {
                app: self.app,
                call: call.0,
                digit_mode: mode.bits(),
                digits,
                duration_ms,
            })
            .await
            .map_err(self.client.error("generate_digits"))?;
        Ok(())
    }

    async fn get_id(&self, select: DeviceSelect, class: &str) -> Result<DeviceIdValue> {
        let class = class.to_owned();
        use proto::get_id_request::Select as S;
        let select = match select {
            DeviceSelect::Line(l) => S::Line(l.0),
            DeviceSelect::Address(l, a) => S::Address(proto::AddressSelect {
                line: l.0,
                address: a.0,
            }),
            DeviceSelect::Call(c) => S::Call(c.0),
        };
        let r = self
            .grpc()
            .get_id(proto::GetIdRequest {
                app: self.app,
                select: Some(select),
                device_class: class,
            })
            .await
            .map_err(self.client.error("get_id"))?
            .into_inner();
        use proto::get_id_reply::Value;
        match r.value {
            Some(Value::Number(n)) => Ok(DeviceIdValue::Number(n)),
            Some(Value::Name(s)) => Ok(DeviceIdValue::Name(s)),
            Some(Value::DataStream(offer)) => self.data_stream(offer.token, offer.port).await,
            None => Err(Error::new(LineErr::OperationFailed)
                .operation("get_id")
                .detail("the server answered nothing")),
        }
    }

    async fn register_request_recipient(
        &self,
        modes: RequestModes,
        priority: u32,
        enable: bool,
    ) -> Result<()> {
        self.grpc()
            .register_request_recipient(proto::RecipientRequest {
                app: self.app,
                request_modes: modes.bits(),
                priority,
                enable,
            })
            .await
            .map_err(self.client.error("register_request_recipient"))?;
        Ok(())
    }

    async fn get_request(&self, mode: RequestModes) -> Result<AssistedMakeCall> {
        let r = self
            .grpc()
            .get_request(proto::GetRequestRequest {
                app: self.app,
                request_mode: mode.bits(),
            })
            .await
            .map_err(self.client.error("get_request"))?;
        Ok(convert::assisted_from_proto(r.into_inner()))
    }

    async fn shutdown(&self) -> Result<()> {
        self.grpc()
            .shutdown(proto::AppRef { app: self.app })
            .await
            .map_err(self.client.error("shutdown"))?;
        Ok(())
    }
}

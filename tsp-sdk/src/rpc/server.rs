//! [`Server`]: a [`Host`] served over a Unix socket with gRPC.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;
use tokio::sync::mpsc;
use tonic::codegen::http;
use tonic::{Request, Response, Status, Streaming};

use crate::error::{Error, LineErr};
use crate::host::{App, ClientInfo, DeviceSelect, Events, HandoffTarget, Host, Line, OpenOptions};
use crate::spi::{AddressId, ByteStream, DeviceIdValue};
use crate::types::{CallPrivilege, DigitModes, MediaModes, RequestModes};

use super::convert::{self, flags, status_of, status_of_tapi};
use super::proto;
use super::proto::telephony_server::{Telephony, TelephonyServer};
use super::socket::{self, Allow, Peer, Tracked};

/// The largest request the server decodes, in bytes (a bigger one is answered
/// `LINEERR_INVALPARAM`).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// How long a data stream offered by `GetId` waits for its `DataStream` call.
const PARK_TIME: Duration = Duration::from_secs(30);

/// Serves a [`Host`] on a Unix socket. Applications in other processes reach it with
/// [`Client`](super::Client) or any gRPC client generated from `telephony.proto`.
///
/// - The socket is created mode 0660 (owner and group); each connection's peer credentials are
///   checked against [`Allow`] (default: this user and root): others get `PERMISSION_DENIED`.
/// - A connection that ends, or whose process dies, has its applications shut down as if each
///   called `Shutdown`: nothing is left behind.
/// - Errors carry `LINEERR_*` in the status (see `telephony.proto`); malformed or oversized
///   requests are answered `LINEERR_INVALPARAM`, never by a crash.
#[derive(Debug, Clone)]
pub struct Server {
    host: Host,
    allow: Allow,
}

struct Remote {
    app: App,
    connection: u64,
    events: Option<Events>,
}

struct Parked {
    stream: Box<dyn ByteStream>,
    connection: u64,
    app: u32,
    at: Instant,
}

struct Shared {
    host: Host,
    allow: Allow,
    apps: Mutex<HashMap<u32, Remote>>,
    parked: Mutex<HashMap<u64, Parked>>,
    /// The tasks carrying each application's data streams: cut when it goes.
    bridges: Mutex<HashMap<u32, Vec<tokio::task::AbortHandle>>>,
    next_token: Mutex<u64>,
    /// Connections that ended lately (an `Initialize` racing its connection's end is undone).
    ended: Mutex<std::collections::BTreeSet<u64>>,
}

/// How many ended connections [`Shared::ended`] remembers.
const ENDED_REMEMBERED: usize = 4096;

/// Runs a host operation to its end in a task of its own. hyper drops a handler when its stream
/// is reset or its connection ends; the operation must not stop half-way (a make_call between
/// the host's books and the provider, a close between a drop and its close_call), so the handler
/// only waits for it.
async fn to_end<T: Send + 'static>(
    operation: impl Future<Output = crate::Result<T>> + Send + 'static,
) -> Result<T, Status> {
    match tokio::spawn(operation).await {
        Ok(result) => result.map_err(fail),
        Err(e) => Err(fail(
            Error::new(LineErr::OperationFailed).detail(format!("the operation failed: {e}")),
        )),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Server {
    /// A server for `host`, allowing this user and root.
    pub fn new(host: Host) -> Server {
        Server {
            host,
            allow: Allow::current_user(),
        }
    }

    /// Who may connect (checked against each connection's peer credentials).
    #[must_use]
    pub fn allow(mut self, allow: Allow) -> Server {
        self.allow = allow;
        self
    }

    /// Binds `path` (see [`socket::bind`]) and serves until `shutdown` resolves; then every
    /// remote application is shut down, the socket file is removed, and this returns. The host
    /// itself keeps running: stop it with [`Host::stop`].
    ///
    /// # Errors
    /// The socket could not be bound, or the transport failed.
    pub async fn serve(
        self,
        path: &Path,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let listener = socket::bind(path).await?;
        tracing::info!(socket = %path.display(), allow = %self.allow, "serving");
        let result = self.serve_on(listener, shutdown).await;
        let _ = std::fs::remove_file(path);
        result
    }

    /// Serves on a listener already bound (tests, socket activation).
    ///
    /// # Errors
    /// The transport failed.
    pub async fn serve_on(
        self,
        listener: UnixListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let shared = Arc::new(Shared {
            host: self.host,
            allow: self.allow,
            apps: Mutex::new(HashMap::new()),
            parked: Mutex::new(HashMap::new()),
            bridges: Mutex::new(HashMap::new()),
            next_token: Mutex::new(0),
            ended: Mutex::new(std::collections::BTreeSet::new()),
        });
        let (ended_tx, mut ended_rx) = mpsc::unbounded_channel::<u64>();
        let reaper = {
            let shared = shared.clone();
            tokio::spawn(async move {
                while let Some(connection) = ended_rx.recv().await {
                    shared.connection_ended(connection).await;
                }
            })
        };
        let incoming = futures::stream::unfold((listener, ended_tx), |(listener, tx)| async move {
            let accepted = listener
                .accept()
                .await
                .map(|(s, _)| Tracked::new(s, tx.clone()));
            Some((accepted, (listener, tx)))
        });
        let service = Service {
            shared: shared.clone(),
        };
        let allow = shared.allow.clone();
        let checked = tonic::service::interceptor::InterceptedService::new(
            TelephonyServer::new(service).max_decoding_message_size(MAX_MESSAGE),
            move |request: Request<()>| check_peer(&allow, &request).map(|()| request),
        );
        let ending = {
            let shared = shared.clone();
            async move {
                shutdown.await;
                tracing::info!("shutting down: every remote application is shut down first");
                shared.shutdown_all().await;
            }
        };
        let served = tonic::transport::Server::builder()
            .layer(tower::layer::layer_fn(MarkErrors))
            .add_service(checked)
            .serve_with_incoming_shutdown(incoming, ending)
            .await;
        shared.shutdown_all().await;
        reaper.abort();
        served.map_err(ServeError::Transport)
    }
}

/// Why serving stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The socket.
    #[error(transparent)]
    Socket(#[from] socket::SocketError),
    /// The gRPC transport.
    #[error("the gRPC transport failed: {0}")]
    Transport(tonic::transport::Error),
}

fn check_peer<T>(allow: &Allow, request: &Request<T>) -> Result<(), Status> {
    let Some(peer) = request.extensions().get::<Peer>() else {
        return Err(Status::permission_denied(
            "no peer credentials on this connection",
        ));
    };
    if allow.permits(peer) {
        Ok(())
    } else {
        tracing::warn!(uid = ?peer.uid, gid = ?peer.gid, pid = ?peer.pid, "refused a client");
        Err(Status::permission_denied(format!(
            "uid {} (gid {}) may not use this server; it allows {allow} (tsp-modem serve --allow-uid/--allow-gid)",
            peer.uid.map_or("?".into(), |u| u.to_string()),
            peer.gid.map_or("?".into(), |g| g.to_string()),
        )))
    }
}

fn peer<T>(request: &Request<T>) -> Result<Peer, Status> {
    request
        .extensions()
        .get::<Peer>()
        .copied()
        .ok_or_else(|| Status::permission_denied("no peer credentials on this connection"))
}

impl Shared {
    fn app(&self, peer: &Peer, id: u32, operation: &'static str) -> Result<App, Status> {
        match lock(&self.apps).get(&id) {
            Some(r) if r.connection == peer.connection => Ok(r.app.clone()),
            _ => Err(status_of(
                &Error::new(LineErr::InvalAppHandle)
                    .operation(operation)
                    .detail(format!(
                        "app {id} is not an application of this connection (Initialize first)"
                    )),
            )),
        }
    }

    async fn connection_ended(&self, connection: u64) {
        let gone: Vec<(u32, App)> = {
            let mut apps = lock(&self.apps);
            {
                let mut ended = lock(&self.ended);
                ended.insert(connection);
                while ended.len() > ENDED_REMEMBERED {
                    ended.pop_first();
                }
            }
            let ids: Vec<u32> = apps
                .iter()
                .filter(|(_, r)| r.connection == connection)
                .map(|(id, _)| *id)
                .collect();
            ids.into_iter()
                .filter_map(|id| apps.remove(&id).map(|r| (id, r.app)))
                .collect()
        };
        lock(&self.parked).retain(|_, p| p.connection != connection);
        for (id, app) in gone {
            tracing::info!(
                app = id,
                name = app.name(),
                "client connection ended; shutting the application down"
            );
            self.cut_bridges(id);
            let _ = app.shutdown().await;
        }
    }

    fn cut_bridges(&self, app: u32) {
        for task in lock(&self.bridges).remove(&app).unwrap_or_default() {
            task.abort();
        }
    }

    async fn shutdown_all(&self) {
        let all: Vec<App> = lock(&self.apps).drain().map(|(_, r)| r.app).collect();
        lock(&self.parked).clear();
        for (_, tasks) in lock(&self.bridges).drain() {
            for task in tasks {
                task.abort();
            }
        }
        for app in all {
            let _ = app.shutdown().await;
        }
    }
}

struct Service {
    shared: Arc<Shared>,
}

/// The application a request names, after checking it belongs to the caller's connection.
macro_rules! app {
    ($self:ident, $request:ident, $op:literal) => {{
        let peer = peer(&$request)?;
        let id = $request.get_ref().app;
        ($self.shared.app(&peer, id, $op)?, $request.into_inner())
    }};
}

fn ok<T>(value: T) -> Result<Response<T>, Status> {
    Ok(Response::new(value))
}

fn fail(e: Error) -> Status {
    status_of(&e)
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl Telephony for Service {
    async fn initialize(
        &self,
        request: Request<proto::InitializeRequest>,
    ) -> Result<Response<proto::InitializeReply>, Status> {
        let peer = peer(&request)?;
        let name = request.into_inner().name;
        let client = ClientInfo {
            pid: peer.pid,
            uid: peer.uid,
            gid: peer.gid,
        };
        let shared = self.shared.clone();
        let (id, devices) = to_end(async move {
            let (app, events) = shared.host.initialize_as(&name, client).await?;
            let id = app.handle().0;
            let devices = app.devices();
            let orphan = {
                let mut apps = lock(&shared.apps);
                if lock(&shared.ended).contains(&peer.connection) {
                    Some(app)
                } else {
                    apps.insert(
                        id,
                        Remote {
                            app,
                            connection: peer.connection,
                            events: Some(events),
                        },
                    );
                    None
                }
            };
            if let Some(app) = orphan {
                let _ = app.shutdown().await;
                return Err(Error::new(LineErr::InvalAppHandle)
                    .operation("initialize")
                    .detail("the connection ended while the application initialised"));
            }
            Ok((id, devices))
        })
        .await?;
        ok(proto::InitializeReply { app: id, devices })
    }

    type EventsStream = BoxStream<proto::Event>;

    async fn events(
        &self,
        request: Request<proto::AppRef>,
    ) -> Result<Response<Self::EventsStream>, Status> {
        let peer = peer(&request)?;
        let id = request.get_ref().app;
        self.shared.app(&peer, id, "events")?;
        let events = lock(&self.shared.apps)
            .get_mut(&id)
            .and_then(|r| r.events.take())
            .ok_or_else(|| {
                fail(
                    Error::new(LineErr::InvalParam)
                        .operation("events")
                        .detail(format!("app {id}'s events are already being streamed")),
                )
            })?;
        let stream = futures::stream::unfold(events, |mut events| async move {
            let (event, at) = events.next_stamped().await?;
            let mut wire = convert::event_to_proto(event);
            wire.sink_unix_ns = at.map_or(0, convert::unix_ns);
            Some((Ok(wire), events))
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn shutdown(
        &self,
        request: Request<proto::AppRef>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "shutdown");
        lock(&self.shared.apps).remove(&req.app);
        lock(&self.shared.parked).retain(|_, p| p.app != req.app);
        self.shared.cut_bridges(req.app);
        to_end(async move { app.shutdown().await }).await?;
        ok(proto::Empty {})
    }

    async fn negotiate_api_version(
        &self,
        request: Request<proto::NegotiateRequest>,
    ) -> Result<Response<proto::VersionReply>, Status> {
        let (app, req) = app!(self, request, "negotiate_api_version");
        let v = app
            .negotiate_api_version(
                req.device,
                convert::version(req.low),
                convert::version(req.high),
            )
            .await
            .map_err(fail)?;
        ok(proto::VersionReply {
            version: convert::version_bits(v),
        })
    }

    async fn line_caps(
        &self,
        request: Request<proto::DeviceRequest>,
    ) -> Result<Response<proto::LineDevCaps>, Status> {
        let (app, req) = app!(self, request, "line_caps");
        let caps = app
            .line_caps(req.device, convert::version(req.version))
            .await
            .map_err(fail)?;
        ok(convert::caps_to_proto(caps))
    }

    async fn address_caps(
        &self,
        request: Request<proto::AddressRequest>,
    ) -> Result<Response<proto::AddressCaps>, Status> {
        let (app, req) = app!(self, request, "address_caps");
        let caps = app
            .address_caps(
                req.device,
                AddressId(req.address),
                convert::version(req.version),
            )
            .await
            .map_err(fail)?;
        ok(convert::address_caps_to_proto(caps))
    }

    async fn open_line(
        &self,
        request: Request<proto::OpenLineRequest>,
    ) -> Result<Response<proto::LineRef>, Status> {
        const OP: &str = "open_line";
        let (app, req) = app!(self, request, "open_line");
        let privileges: CallPrivilege =
            flags(req.privileges, LineErr::InvalPrivSelect, OP, "privileges").map_err(fail)?;
        let media_modes: MediaModes =
            flags(req.media_modes, LineErr::InvalMediaMode, OP, "media modes").map_err(fail)?;
        let options = OpenOptions {
            privileges,
            media_modes,
            version: convert::version(req.version),
        };
        let line = to_end(async move { app.open_line(req.device, options).await }).await?;
        ok(proto::LineRef {
            app: req.app,
            line: line.0,
        })
    }

    async fn close_line(
        &self,
        request: Request<proto::LineRef>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "close_line");
        to_end(async move { app.close_line(Line(req.line)).await }).await?;
        ok(proto::Empty {})
    }

    async fn set_status_messages(
        &self,
        request: Request<proto::StatusMessagesRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "set_status_messages");
        to_end(async move {
            app.set_status_bits(Line(req.line), req.line_states, req.address_states)
                .await
        })
        .await?;
        ok(proto::Empty {})
    }

    async fn line_status(
        &self,
        request: Request<proto::LineRef>,
    ) -> Result<Response<proto::LineStatus>, Status> {
        let (app, req) = app!(self, request, "line_status");
        let status = app.line_status(Line(req.line)).await.map_err(fail)?;
        ok(convert::line_status_to_proto(status))
    }

    async fn get_new_calls(
        &self,
        request: Request<proto::LineRef>,
    ) -> Result<Response<proto::CallList>, Status> {
        let (app, req) = app!(self, request, "get_new_calls");
        let calls = app.get_new_calls(Line(req.line)).await.map_err(fail)?;
        ok(proto::CallList {
            calls: calls.into_iter().map(|c| c.0).collect(),
        })
    }

    async fn make_call(
        &self,
        request: Request<proto::MakeCallRequest>,
    ) -> Result<Response<proto::MakeCallReply>, Status> {
        let (app, req) = app!(self, request, "make_call");
        let params = convert::params_from_proto(req.params).map_err(fail)?;
        let placed = to_end(async move {
            app.make_call(Line(req.line), req.dest.as_deref(), params)
                .await
        })
        .await?;
        ok(proto::MakeCallReply {
            request: placed.request.get(),
            call: placed.call.0,
        })
    }

    async fn dial(
        &self,
        request: Request<proto::DialRequest>,
    ) -> Result<Response<proto::RequestReply>, Status> {
        let (app, req) = app!(self, request, "dial");
        let id =
            to_end(async move { app.dial(crate::host::Call(req.call), &req.dest).await }).await?;
        ok(proto::RequestReply { request: id.get() })
    }

    async fn answer(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::RequestReply>, Status> {
        let (app, req) = app!(self, request, "answer");
        let id = to_end(async move { app.answer(crate::host::Call(req.call)).await }).await?;
        ok(proto::RequestReply { request: id.get() })
    }

    async fn accept(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::RequestReply>, Status> {
        let (app, req) = app!(self, request, "accept");
        let id = to_end(async move { app.accept(crate::host::Call(req.call)).await }).await?;
        ok(proto::RequestReply { request: id.get() })
    }

    async fn drop(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::RequestReply>, Status> {
        let (app, req) = app!(self, request, "drop_call");
        let id = to_end(async move { app.drop_call(crate::host::Call(req.call)).await }).await?;
        ok(proto::RequestReply { request: id.get() })
    }

    async fn secure_call(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::RequestReply>, Status> {
        let (app, req) = app!(self, request, "secure_call");
        let id = to_end(async move { app.secure_call(crate::host::Call(req.call)).await }).await?;
        ok(proto::RequestReply { request: id.get() })
    }

    async fn deallocate_call(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "deallocate_call");
        to_end(async move { app.deallocate_call(crate::host::Call(req.call)).await }).await?;
        ok(proto::Empty {})
    }

    async fn handoff(
        &self,
        request: Request<proto::HandoffRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "handoff");
        let target = match req.target {
            Some(proto::handoff_request::Target::AppName(name)) => HandoffTarget::App(name),
            Some(proto::handoff_request::Target::MediaMode(m)) => HandoffTarget::MediaMode(
                flags(m, LineErr::InvalMediaMode, "handoff", "media mode").map_err(fail)?,
            ),
            None => {
                return Err(fail(
                    Error::new(LineErr::InvalParam)
                        .operation("handoff")
                        .detail("name a target: an application or a media mode"),
                ));
            }
        };
        app.handoff(crate::host::Call(req.call), target)
            .await
            .map_err(fail)?;
        ok(proto::Empty {})
    }

    async fn set_call_privilege(
        &self,
        request: Request<proto::PrivilegeRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        const OP: &str = "set_call_privilege";
        let (app, req) = app!(self, request, "set_call_privilege");
        let p: CallPrivilege =
            flags(req.privilege, LineErr::InvalCallPrivilege, OP, "privilege").map_err(fail)?;
        app.set_call_privilege(crate::host::Call(req.call), p)
            .await
            .map_err(fail)?;
        ok(proto::Empty {})
    }

    async fn call_info(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::CallInfoReply>, Status> {
        let (app, req) = app!(self, request, "call_info");
        let info = app
            .call_info(crate::host::Call(req.call))
            .await
            .map_err(fail)?;
        ok(convert::call_info_to_proto(info))
    }

    async fn call_status(
        &self,
        request: Request<proto::CallRef>,
    ) -> Result<Response<proto::CallStatusReply>, Status> {
        let (app, req) = app!(self, request, "call_status");
        let status = app
            .call_status(crate::host::Call(req.call))
            .await
            .map_err(fail)?;
        ok(convert::call_status_to_proto(status))
    }

    async fn set_media_mode(
        &self,
        request: Request<proto::MediaModeRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "set_media_mode");
        let m: MediaModes = flags(
            req.media_mode,
            LineErr::InvalMediaMode,
            "set_media_mode",
            "media mode",
        )
        .map_err(fail)?;
        to_end(async move { app.set_media_mode(crate::host::Call(req.call), m).await }).await?;
        ok(proto::Empty {})
    }

    async fn monitor_digits(
        &self,
        request: Request<proto::MonitorDigitsRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "monitor_digits");
        let m: DigitModes = flags(
            req.digit_modes,
            LineErr::InvalDigitMode,
            "monitor_digits",
            "digit modes",
        )
        .map_err(fail)?;
        to_end(async move { app.monitor_digits(crate::host::Call(req.call), m).await }).await?;
        ok(proto::Empty {})
    }

    async fn generate_digits(
        &self,
        request: Request<proto::GenerateDigitsRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        let (app, req) = app!(self, request, "generate_digits");
        let m: DigitModes = flags(
            req.digit_mode,
            LineErr::InvalDigitMode,
            "generate_digits",
            "digit mode",
        )
        .map_err(fail)?;
        to_end(async move {
            app.generate_digits(
                crate::host::Call(req.call),
                m,
                req.digits.as_deref(),
                req.duration_ms,
            )
            .await
        })
        .await?;
        ok(proto::Empty {})
    }

    async fn get_id(
        &self,
        request: Request<proto::GetIdRequest>,
    ) -> Result<Response<proto::GetIdReply>, Status> {
        let peer = peer(&request)?;
        let (app, req) = app!(self, request, "get_id");
        let select = match req.select {
            Some(proto::get_id_request::Select::Line(l)) => DeviceSelect::Line(Line(l)),
            Some(proto::get_id_request::Select::Address(a)) => {
                DeviceSelect::Address(Line(a.line), AddressId(a.address))
            }
            Some(proto::get_id_request::Select::Call(c)) => {
                DeviceSelect::Call(crate::host::Call(c))
            }
            None => {
                return Err(fail(
                    Error::new(LineErr::InvalCallSelect)
                        .operation("get_id")
                        .detail("select a line, an address or a call"),
                ));
            }
        };
        let value = app.get_id(select, &req.device_class).await.map_err(fail)?;
        use proto::get_id_reply::Value;
        let value = match value {
            DeviceIdValue::Number(n) => Value::Number(n),
            DeviceIdValue::Name(s) => Value::Name(s),
            DeviceIdValue::DataStream { stream, port } => {
                let token = {
                    let mut next = lock(&self.shared.next_token);
                    *next += 1;
                    *next
                };
                // Not taken in time: the stream goes (the call's data path is not held for a
                // client that never asks).
                let shared = Arc::downgrade(&self.shared);
                tokio::spawn(async move {
                    tokio::time::sleep(PARK_TIME).await;
                    if let Some(shared) = shared.upgrade() {
                        lock(&shared.parked).remove(&token);
                    }
                });
                let mut parked = lock(&self.shared.parked);
                parked.retain(|_, p| p.at.elapsed() < PARK_TIME);
                parked.insert(
                    token,
                    Parked {
                        stream,
                        connection: peer.connection,
                        app: req.app,
                        at: Instant::now(),
                    },
                );
                Value::DataStream(proto::DataStreamOffer { token, port })
            }
        };
        ok(proto::GetIdReply { value: Some(value) })
    }

    type DataStreamStream = BoxStream<proto::DataChunk>;

    async fn data_stream(
        &self,
        request: Request<Streaming<proto::DataChunk>>,
    ) -> Result<Response<Self::DataStreamStream>, Status> {
        let peer = peer(&request)?;
        let mut inbound = request.into_inner();
        let bad = |detail: &str| {
            fail(
                Error::new(LineErr::InvalParam)
                    .operation("data_stream")
                    .detail(detail.to_owned()),
            )
        };
        let first = inbound
            .message()
            .await?
            .ok_or_else(|| bad("the first message must carry the token GetId gave"))?;
        let parked = {
            let mut parked = lock(&self.shared.parked);
            match parked.remove(&first.token) {
                Some(p) if p.connection == peer.connection && p.at.elapsed() < PARK_TIME => p,
                Some(p) => {
                    if p.connection != peer.connection {
                        parked.insert(first.token, p);
                    }
                    return Err(bad("the token is another connection's, or expired"));
                }
                None => return Err(bad("unknown token (ask GetId for comm/datamodem first)")),
            }
        };
        let (mut rd, mut wr) = tokio::io::split(parked.stream);
        let upstream = tokio::spawn(async move {
            if !first.data.is_empty() && wr.write_all(&first.data).await.is_err() {
                return;
            }
            while let Ok(Some(chunk)) = inbound.message().await {
                if wr.write_all(&chunk.data).await.is_err() {
                    return;
                }
            }
            let _ = wr.shutdown().await;
        });
        let (tx, rx) = mpsc::channel::<Result<proto::DataChunk, Status>>(16);
        let downstream = tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        let chunk = proto::DataChunk {
                            token: 0,
                            data: buf[..n].to_vec(),
                        };
                        if tx.send(Ok(chunk)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        {
            // Under the applications' lock: a Shutdown (or the connection's end) either ran
            // before and the bridge is cut now, or runs after and cuts it.
            let apps = lock(&self.shared.apps);
            if apps.contains_key(&parked.app) {
                let mut bridges = lock(&self.shared.bridges);
                let tasks = bridges.entry(parked.app).or_default();
                tasks.retain(|t| !t.is_finished());
                tasks.push(upstream.abort_handle());
                tasks.push(downstream.abort_handle());
            } else {
                upstream.abort();
                downstream.abort();
                return Err(bad("the application shut down"));
            }
        }
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn register_request_recipient(
        &self,
        request: Request<proto::RecipientRequest>,
    ) -> Result<Response<proto::Empty>, Status> {
        const OP: &str = "register_request_recipient";
        let (app, req) = app!(self, request, "register_request_recipient");
        let modes: RequestModes = flags(
            req.request_modes,
            LineErr::InvalRequestMode,
            OP,
            "request modes",
        )
        .map_err(fail)?;
        app.register_request_recipient(modes, req.priority, req.enable)
            .await
            .map_err(fail)?;
        ok(proto::Empty {})
    }

    async fn get_request(
        &self,
        request: Request<proto::GetRequestRequest>,
    ) -> Result<Response<proto::AssistedMakeCall>, Status> {
        let (app, req) = app!(self, request, "get_request");
        let mode: RequestModes = flags(
            req.request_mode,
            LineErr::InvalRequestMode,
            "get_request",
            "request mode",
        )
        .map_err(fail)?;
        let got = app.get_request(mode).await.map_err(fail)?;
        ok(convert::assisted_to_proto(&got))
    }

    async fn request_make_call(
        &self,
        request: Request<proto::AssistedMakeCall>,
    ) -> Result<Response<proto::Empty>, Status> {
        let req = convert::assisted_from_proto(request.into_inner());
        self.shared
            .host
            .request_make_call(&req)
            .map_err(status_of_tapi)?;
        ok(proto::Empty {})
    }

    async fn snapshot(
        &self,
        _request: Request<proto::Empty>,
    ) -> Result<Response<proto::Snapshot>, Status> {
        ok(convert::snapshot_to_proto(self.shared.host.snapshot()))
    }
}

/// Adds `tsp-lineerr` (`LINEERR_INVALPARAM`, or `OPERATIONUNAVAIL` for an unknown method) to a
/// failed response the gRPC stack produced itself (a request it could not decode, one over
/// [`MAX_MESSAGE`]), so every failure a client sees names a TAPI error; a request that does not
/// decode is answered `INVALID_ARGUMENT`, not the stack's `INTERNAL` (found by the
/// `server_requests` fuzz target).
#[derive(Debug, Clone)]
struct MarkErrors<S>(S);

impl<S, B, R> tower::Service<http::Request<B>> for MarkErrors<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<R>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let fut = self.0.call(request);
        Box::pin(async move {
            let mut response = fut.await?;
            let headers = response.headers_mut();
            let code = headers
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i32>().ok());
            let kind = match code {
                Some(12) => Some(LineErr::OperationUnavail),
                Some(3 | 8 | 11 | 13) => Some(LineErr::InvalParam),
                _ => None,
            };
            if let Some(kind) = kind
                && !headers.contains_key(convert::LINEERR_KEY)
            {
                // tonic answers a body it cannot decode with INTERNAL; the fault is the
                // client's, so say INVALID_ARGUMENT (gRPC status codes: "the client specified an
                // invalid argument").
                if code == Some(13) {
                    headers.insert("grpc-status", http::HeaderValue::from_static("3"));
                }
                let code = format!("{:#010x}", kind.code());
                if let (Ok(code), Ok(name)) = (code.parse(), kind.name().parse()) {
                    headers.insert(convert::LINEERR_KEY, code);
                    headers.insert(convert::LINEERR_NAME_KEY, name);
                }
            }
            Ok(response)
        })
    }
}

/// The default socket path: `$XDG_RUNTIME_DIR/tsp/tsp.sock`, or `/tmp/tsp-<uid>/tsp.sock` where
/// no runtime directory is set.
pub fn default_socket_path() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("tsp").join("tsp.sock"),
        _ => PathBuf::from(format!("/tmp/tsp-{}", socket::current_uid())).join("tsp.sock"),
    }
}

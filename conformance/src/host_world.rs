//! [`HostWorld`]: the provider under test served by a [`Host`] to several applications, in this
//! process or through the server's Unix socket — what the host-level cases run on.

use std::future::Future;
use std::time::Duration;

use tsp_sdk::TapiErr;
use tsp_sdk::host::{
    App, AppEvent, AssistedMakeCall, Call, Events, Host, HostBuilder, Line, LineApp, Snapshot,
    Tally,
};
use tsp_sdk::rpc::{Allow, Client, RemoteApp, Server};
use tsp_sdk::spi::{DeviceId, RequestId};
use tsp_sdk::{CallPrivilege, CallState};

use crate::ctx::{Ctx, PATIENCE};
use crate::failure::Failure;

/// How applications reach the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// In this process ([`App`]).
    InProcess,
    /// Through the server's Unix socket with gRPC ([`RemoteApp`]).
    Socket,
}

struct Served {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    client: Client,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// The host over the case's provider, and, through the socket, its server and a client.
pub struct HostWorld {
    /// The host (in this process either way: cases read its snapshot and its session).
    pub host: Host,
    /// How applications reach it.
    pub access: Access,
    served: Option<Served>,
}

/// An application the world can start: in process or remote.
pub trait AppSource: LineApp + Clone + Send + Sync + 'static {
    /// `initialize` through the world's access.
    fn start(
        world: &HostWorld,
        name: &str,
    ) -> impl Future<Output = tsp_sdk::Result<(Self, Events)>> + Send;
}

impl AppSource for App {
    async fn start(world: &HostWorld, name: &str) -> tsp_sdk::Result<(App, Events)> {
        world.host.initialize(name).await
    }
}

impl AppSource for RemoteApp {
    async fn start(world: &HostWorld, name: &str) -> tsp_sdk::Result<(RemoteApp, Events)> {
        match &world.served {
            Some(served) => served.client.initialize(name).await,
            None => Err(tsp_sdk::Error::new(tsp_sdk::LineErr::OperationFailed)
                .detail("this world has no server")),
        }
    }
}

impl HostWorld {
    /// Starts a host over the case's (uninitialised) provider, and for [`Access::Socket`] a
    /// server on a fresh socket and a client of it.
    pub async fn start(
        ctx: &mut Ctx,
        access: Access,
        tune: impl FnOnce(HostBuilder) -> HostBuilder,
    ) -> Result<HostWorld, Failure> {
        let host = tune(Host::builder().provider(ctx.provider.clone()))
            .start()
            .await;
        let host = ctx.expect("start the host", host)?;
        ctx.attach_host(host.clone());
        let served = match access {
            Access::InProcess => None,
            Access::Socket => Some(Self::serve(ctx, &host).await?),
        };
        Ok(HostWorld {
            host,
            access,
            served,
        })
    }

    async fn serve(ctx: &Ctx, host: &Host) -> Result<Served, Failure> {
        let dir = tempfile::tempdir().map_err(|e| ctx.fail(format!("a socket directory: {e}")))?;
        let path = dir.path().join("tsp.sock");
        let listener = tsp_sdk::rpc::socket::bind(&path)
            .await
            .map_err(|e| ctx.fail(format!("bind the server's socket: {e}")))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = Server::new(host.clone()).allow(Allow::current_user());
        let task = tokio::spawn(async move {
            let _ = server
                .serve_on(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        let client = Client::connect(path.as_path()).await;
        let client = ctx.expect("connect to the server", client)?;
        Ok(Served {
            _dir: dir,
            path,
            client,
            stop,
            task,
        })
    }

    /// The server's socket, through the socket.
    pub fn socket(&self) -> Option<std::path::PathBuf> {
        self.served.as_ref().map(|s| s.path.clone())
    }

    /// A new application called `name`.
    pub async fn app<A: AppSource>(&self, ctx: &Ctx, name: &str) -> Result<(A, Events), Failure> {
        let started = A::start(self, name).await;
        ctx.expect(&format!("initialize {name:?}"), started)
    }

    /// `tapiRequestMakeCall` through this world's access.
    pub async fn request_make_call(&self, request: &AssistedMakeCall) -> Result<(), TapiErr> {
        match &self.served {
            Some(served) => served.client.request_make_call(request).await,
            None => self.host.request_make_call(request),
        }
    }

    /// What the host tracks (through the socket when there is one: the wire must keep it).
    pub async fn snapshot(&self, ctx: &Ctx) -> Result<Snapshot, Failure> {
        match &self.served {
            Some(served) => {
                let snap = served.client.snapshot().await;
                ctx.expect("snapshot", snap)
            }
            None => Ok(self.host.snapshot()),
        }
    }

    /// What the provider was asked for device 0.
    pub fn tally(&self) -> Tally {
        self.host
            .session(0)
            .map(|s| s.tally(DeviceId(0)))
            .unwrap_or_default()
    }

    /// How many times the provider was asked `operation` for device 0.
    pub fn count(&self, operation: &str) -> u64 {
        self.tally().get(operation).copied().unwrap_or(0)
    }

    /// Stops the server (if any) and the host: every application shut down, the provider too.
    pub async fn stop(self, ctx: &mut Ctx) {
        if let Some(served) = self.served {
            let _ = served.stop.send(());
            let _ = served.task.await;
        }
        if let Some(session) = self.host.session(0) {
            ctx.note_violations(session.violations());
        }
        self.host.stop().await;
    }
}

/// The next event `pick` accepts (others are skipped), within the suite's patience.
pub async fn next_where<T>(
    ctx: &Ctx,
    events: &mut Events,
    what: &str,
    mut pick: impl FnMut(&AppEvent) -> Option<T>,
) -> Result<T, Failure> {
    let mut skipped = Vec::new();
    let found = tokio::time::timeout(ctx.real(PATIENCE), async {
        while let Some(event) = events.next().await {
            if let Some(hit) = pick(&event) {
                return Some(hit);
            }
            skipped.push(event);
        }
        None
    })
    .await;
    let seen = || {
        skipped
            .iter()
            .map(|e| format!("{e:?}"))
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    match found {
        Ok(Some(hit)) => Ok(hit),
        Ok(None) => Err(ctx.fail(format!(
            "waiting for {what}: the application's events ended; before that:\n  {}",
            seen()
        ))),
        Err(_) => Err(ctx.fail(format!(
            "waiting for {what}: nothing within {PATIENCE:?}; skipped:\n  {}",
            seen()
        ))),
    }
}

/// The reply to `request`.
pub async fn reply(
    ctx: &Ctx,
    events: &mut Events,
    request: RequestId,
) -> Result<tsp_sdk::Result<()>, Failure> {
    next_where(
        ctx,
        events,
        &format!("the reply to {request}"),
        |e| match e {
            AppEvent::Reply { request: r, result } if *r == request => Some(result.clone()),
            _ => None,
        },
    )
    .await
}

/// The next new call handle: its line, handle and privilege.
pub async fn new_call(
    ctx: &Ctx,
    events: &mut Events,
) -> Result<(Line, Call, CallPrivilege), Failure> {
    next_where(ctx, events, "a new call handle", |e| match e {
        AppEvent::NewCall {
            line,
            call,
            privilege,
            ..
        } => Some((*line, *call, *privilege)),
        _ => None,
    })
    .await
}

/// Waits until `call` reports `state`.
pub async fn state(
    ctx: &Ctx,
    events: &mut Events,
    call: Call,
    state: CallState,
) -> Result<(), Failure> {
    next_where(
        ctx,
        events,
        &format!("{call} to reach {state}"),
        |e| match e {
            AppEvent::CallState {
                call: c, state: s, ..
            } if *c == call && s.state() == state => Some(()),
            _ => None,
        },
    )
    .await
}

/// Lets the host's tasks (and the socket) deliver what they have, without waiting on a clock.
pub async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
}

//! Arbitrary requests to the server: each input is one client connection sending a sequence of
//! raw messages to any of the service's unary methods (most will not even decode). The server
//! must answer every one (a reply or a status, never `UNKNOWN`/`INTERNAL` from a panic), stay up
//! (a snapshot always works afterwards), and once the connection is gone leave no application
//! behind.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use tonic::Code;
use tsp_sdk::host::Host;
use tsp_sdk::loopback::Loopback;
use tsp_sdk::rpc::{Allow, Server};

const METHODS: &[&str] = &[
    "Initialize",
    "Shutdown",
    "NegotiateApiVersion",
    "LineCaps",
    "AddressCaps",
    "OpenLine",
    "CloseLine",
    "SetStatusMessages",
    "LineStatus",
    "GetNewCalls",
    "MakeCall",
    "Dial",
    "Answer",
    "Accept",
    "Drop",
    "SecureCall",
    "DeallocateCall",
    "Handoff",
    "SetCallPrivilege",
    "CallInfo",
    "CallStatus",
    "SetMediaMode",
    "MonitorDigits",
    "GenerateDigits",
    "GetId",
    "RegisterRequestRecipient",
    "GetRequest",
    "RequestMakeCall",
    "Snapshot",
];

struct World {
    runtime: tokio::runtime::Runtime,
    host: Host,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = tempfile::tempdir().expect("a socket directory");
        let socket = dir.path().join("tsp.sock");
        let host = runtime.block_on(async {
            let host = Host::builder()
                .provider(Arc::new(Loopback::new(2)))
                .start()
                .await
                .expect("the host starts");
            let listener = tsp_sdk::rpc::socket::bind(&socket)
                .await
                .expect("the socket binds");
            let server = Server::new(host.clone()).allow(Allow::current_user());
            tokio::spawn(async move {
                let _ = server.serve_on(listener, std::future::pending()).await;
            });
            host
        });
        World {
            runtime,
            host,
            socket,
            _dir: dir,
        }
    })
}

#[path = "../../tests/raw_codec/mod.rs"]
mod raw_codec;
use raw_codec::Raw;

async fn call(
    grpc: &mut tonic::client::Grpc<tonic::transport::Channel>,
    method: &str,
    body: Vec<u8>,
) -> Result<Vec<u8>, tonic::Status> {
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let path = format!("/tsp.v1.Telephony/{method}")
        .parse()
        .map_err(|_| tonic::Status::invalid_argument("path"))?;
    grpc.unary(tonic::Request::new(body), path, Raw)
        .await
        .map(tonic::Response::into_inner)
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    w.runtime.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(format!(
            "unix:{}",
            w.socket.display()
        ))
        .expect("an endpoint")
        .connect()
        .await
        .expect("the server is up");
        let mut grpc = tonic::client::Grpc::new(channel);
        let mut rest = data;
        while let Some((&op, tail)) = rest.split_first() {
            let len = usize::from(tail.first().copied().unwrap_or(0)).min(tail.len().saturating_sub(1));
            let body = tail.get(1..1 + len).unwrap_or_default().to_vec();
            rest = tail.get(1 + len..).unwrap_or_default();
            let method = METHODS[usize::from(op) % METHODS.len()];
            if let Err(status) = call(&mut grpc, method, body).await {
                assert!(
                    !matches!(status.code(), Code::Unknown | Code::Internal | Code::Unavailable),
                    "{method}: {status:?}"
                );
            }
        }
        // Still up.
        call(&mut grpc, "Snapshot", Vec::new())
            .await
            .expect("the server answers a snapshot");
        drop(grpc);
        // The connection is gone: its applications are shut down.
        for _ in 0..200 {
            if w.host.snapshot().apps.is_empty() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        panic!("applications left after their connection ended: {:?}", w.host.snapshot().apps);
    });
});

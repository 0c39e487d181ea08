//! The host over its socket: the same application API, events and data streams through gRPC;
//! connections that end shut their applications down; the socket's permissions and the peer
//! check; malformed, oversized and out-of-order requests answered with `LINEERR_*` (T§5).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;
mod raw_codec;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use host_support::*;
use raw_codec::Raw;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::host::{AppEvent, DeviceSelect, Host, LineApp, OpenOptions};
use tsp_sdk::rpc::{Allow, Client, Server, convert, proto};
use tsp_sdk::spi::{CallParams, DeviceIdValue};
use tsp_sdk::{CallState, LineErr, MediaModes};

struct Served {
    _dir: tempfile::TempDir,
    path: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

async fn serve(host: &Host, allow: Allow) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tsp.sock");
    let listener = tsp_sdk::rpc::socket::bind(&path).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new(host.clone()).allow(allow);
    let at = path.clone();
    let task = tokio::spawn(async move {
        server
            .serve_on(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        let _ = std::fs::remove_file(at);
    });
    Served {
        _dir: dir,
        path,
        stop: Some(stop),
        task,
    }
}

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("waiting for {what}");
}

#[tokio::test]
async fn a_remote_application_places_answers_and_streams_data_through_the_socket() {
    let w = world(2).await;
    let served = serve(&w.host, Allow::current_user()).await;
    let client = Client::connect(&served.path).await.unwrap();
    let (caller, mut ec) = client.initialize("remote caller").await.unwrap();
    let (callee, mut ee) = client.initialize("remote callee").await.unwrap();
    assert_eq!(caller.devices(), 2);
    let from = caller.open_line(0, OpenOptions::none()).await.unwrap();
    callee
        .open_line(1, OpenOptions::owner(MediaModes::DATAMODEM))
        .await
        .unwrap();
    let placed = caller
        .make_call(from, Some("101"), CallParams::data_modem())
        .await
        .unwrap();
    reply(&mut ec, placed.request).await.unwrap();
    let (_, incoming, _) = new_call(&mut ee).await;
    let info = callee.call_info(incoming).await.unwrap();
    assert_eq!(info.info.caller_id.number.as_deref(), Some("100"));
    let answered = callee.answer(incoming).await.unwrap();
    reply(&mut ee, answered).await.unwrap();
    state(&mut ec, placed.call, CallState::Connected).await;
    let get = |app: &tsp_sdk::rpc::RemoteApp, call| {
        let app = app.clone();
        async move {
            match app
                .get_id(DeviceSelect::Call(call), "comm/datamodem")
                .await
                .unwrap()
            {
                DeviceIdValue::DataStream { stream, .. } => stream,
                other => panic!("{other:?}"),
            }
        }
    };
    let mut a = get(&caller, placed.call).await;
    let mut b = get(&callee, incoming).await;
    a.write_all(b"CONNECT 64000 over gRPC").await.unwrap();
    let mut buf = [0u8; 23];
    b.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"CONNECT 64000 over gRPC");
    b.write_all(b"ok").await.unwrap();
    let mut two = [0u8; 2];
    a.read_exact(&mut two).await.unwrap();
    assert_eq!(&two, b"ok");
    let snap = client.snapshot().await.unwrap();
    assert_eq!(snap.apps.len(), 2);
    assert!(snap.apps.iter().all(|a| a.pid == Some(std::process::id())));
    caller.shutdown().await.unwrap();
    callee.shutdown().await.unwrap();
    assert!(
        ec.next().await.is_none() || {
            while ec.next().await.is_some() {}
            true
        }
    );
    served.stop().await;
    w.host.stop().await;
}

#[tokio::test]
async fn a_client_whose_connection_drops_is_shut_down_and_its_calls_dropped() {
    let w = world(2).await;
    let served = serve(&w.host, Allow::current_user()).await;
    {
        let client = Client::connect(&served.path).await.unwrap();
        let (app, mut events) = client.initialize("doomed").await.unwrap();
        let line = app.open_line(0, OpenOptions::none()).await.unwrap();
        let placed = app
            .make_call(line, Some("101"), Default::default())
            .await
            .unwrap();
        reply(&mut events, placed.request).await.unwrap();
        assert_eq!(w.host.snapshot().calls.len(), 1);
        // The client goes away without a word: connection and stream dropped.
    }
    wait_until("the server to notice", || w.host.snapshot().apps.is_empty()).await;
    wait_until("the call to go", || w.host.snapshot().calls.is_empty()).await;
    assert_eq!(
        w.log.only(&["drop_call", "close_call", "close"]).len(),
        3,
        "{:?}",
        w.log.all()
    );
    w.assert_nothing_left().await;
    served.stop().await;
}

#[tokio::test]
async fn the_socket_is_owner_and_group_only_and_a_second_server_is_refused() {
    let w = world(1).await;
    let served = serve(&w.host, Allow::current_user()).await;
    let mode = std::fs::metadata(&served.path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660);
    let again = Server::new(w.host.clone())
        .serve(&served.path, async {})
        .await;
    assert!(
        again
            .as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("already listening")),
        "{again:?}"
    );
    let path = served.path.clone();
    served.stop().await;
    assert!(
        !path.exists(),
        "the socket is removed when the server stops"
    );
}

#[tokio::test]
async fn a_stale_socket_is_replaced_and_a_plain_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let listener = tsp_sdk::rpc::socket::bind(&stale).await;
    assert!(listener.is_ok(), "{:?}", listener.err());
    let plain = dir.path().join("plain");
    std::fs::write(&plain, b"not a socket").unwrap();
    let refused = tsp_sdk::rpc::socket::bind(&plain).await;
    assert!(
        refused
            .err()
            .is_some_and(|e| e.to_string().contains("not a socket"))
    );
}

#[tokio::test]
async fn a_user_not_allowed_is_refused_with_permission_denied() {
    let w = world(1).await;
    let nobody = Allow {
        uids: vec![u32::MAX - 1],
        gids: Vec::new(),
    };
    let served = serve(&w.host, nobody).await;
    let client = Client::connect(&served.path).await.unwrap();
    let refused = client.initialize("intruder").await.err().unwrap();
    assert!(
        refused.to_string().contains("refused this user"),
        "{refused}"
    );
    assert!(w.host.snapshot().apps.is_empty());
    served.stop().await;
}

/// Run in a child process under another uid by `a_second_uid_is_refused_unless_allowed`.
#[tokio::test]
#[ignore = "a helper: runs as a child process under another uid"]
async fn child_connects_as_another_user() {
    let Some(path) = std::env::var_os("TSP_TEST_SOCKET") else {
        return;
    };
    let client = Client::connect(PathBuf::from(path)).await.unwrap();
    match client.initialize("other user").await {
        Ok(_) => println!("RESULT accepted"),
        Err(e) => println!("RESULT refused: {e}"),
    }
}

fn run_child_as(uid: u32, gid: u32, socket: &Path) -> String {
    use std::os::unix::process::CommandExt;
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_connects_as_another_user",
            "--nocapture",
        ])
        .env("TSP_TEST_SOCKET", socket)
        .uid(uid)
        .gid(gid)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "the child said nothing: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_owned()
}

#[tokio::test]
async fn a_second_uid_is_refused_unless_allowed() {
    if tsp_sdk::rpc::socket::current_uid() != 0 {
        // Starting a client under another uid needs root. CI runs as root, so there this test
        // must run; elsewhere `a_user_not_allowed_is_refused_with_permission_denied` checks the
        // same refusal with this process's own uid left off the list.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run this test as root: it starts a client under a second uid"
        );
        eprintln!("skipped: running a client under a second uid needs root");
        return;
    }
    const OTHER: u32 = 65534; // nobody / nogroup
    let w = world(1).await;
    for (allow, expect) in [
        (
            Allow {
                uids: vec![0],
                gids: vec![],
            },
            "refused",
        ),
        (
            Allow {
                uids: vec![0],
                gids: vec![OTHER],
            },
            "accepted",
        ),
    ] {
        let served = serve(&w.host, allow).await;
        // Let the other user reach the socket through the file system (its group), so only the
        // server's own credential check can refuse it.
        std::fs::set_permissions(
            served.path.parent().unwrap(),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        std::os::unix::fs::chown(&served.path, None, Some(OTHER)).unwrap();
        let path = served.path.clone();
        let said = tokio::task::spawn_blocking(move || run_child_as(OTHER, OTHER, &path))
            .await
            .unwrap();
        assert!(said.starts_with(expect), "{said}");
        served.stop().await;
    }
}

async fn raw_call(path: &Path, method: &str, body: Vec<u8>) -> tonic::Status {
    let channel = tonic::transport::Endpoint::from_shared(format!("unix:{}", path.display()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let path = method.parse().unwrap();
    grpc.unary(tonic::Request::new(body), path, Raw)
        .await
        .expect_err("the server must refuse it")
}

#[tokio::test]
async fn malformed_oversized_and_out_of_order_requests_get_a_lineerr_never_a_crash() {
    let w = world(1).await;
    let served = serve(&w.host, Allow::current_user()).await;
    let garbage = raw_call(
        &served.path,
        "/tsp.v1.Telephony/OpenLine",
        vec![0xFF, 0xFF, 0xFF, 0x0F, 0x80],
    )
    .await;
    assert_eq!(
        convert::lineerr_of(&garbage),
        Some(LineErr::InvalParam),
        "{garbage:?}"
    );
    assert_eq!(
        garbage.code(),
        tonic::Code::InvalidArgument,
        "a body that does not decode is the client's fault: {garbage:?}"
    );
    // Found by the server_requests fuzz target: a truncated varint to a unary method.
    for (method, body) in [
        ("Dial", vec![0x08, 0xAB]),
        ("Snapshot", vec![0x0A, 0x05, 0x01]),
        ("MakeCall", vec![0x12]),
    ] {
        let refused = raw_call(&served.path, &format!("/tsp.v1.Telephony/{method}"), body).await;
        assert_eq!(
            refused.code(),
            tonic::Code::InvalidArgument,
            "{method}: {refused:?}"
        );
        assert_eq!(
            convert::lineerr_of(&refused),
            Some(LineErr::InvalParam),
            "{method}"
        );
    }
    let huge = raw_call(
        &served.path,
        "/tsp.v1.Telephony/Initialize",
        vec![b'x'; 200 * 1024],
    )
    .await;
    assert_eq!(
        convert::lineerr_of(&huge),
        Some(LineErr::InvalParam),
        "{huge:?}"
    );
    let unknown = raw_call(&served.path, "/tsp.v1.Telephony/NoSuchThing", vec![]).await;
    assert_eq!(
        convert::lineerr_of(&unknown),
        Some(LineErr::OperationUnavail),
        "{unknown:?}"
    );

    let client = Client::connect(&served.path).await.unwrap();
    let mut grpc = client.grpc();
    let before_init = grpc
        .open_line(proto::OpenLineRequest {
            app: 42,
            device: 0,
            privileges: 4,
            media_modes: 4,
            version: 0x20002,
        })
        .await
        .unwrap_err();
    assert_eq!(
        convert::lineerr_of(&before_init),
        Some(LineErr::InvalAppHandle)
    );
    let (app, _events) = client.initialize("orderly").await.unwrap();
    let twice = grpc
        .events(proto::AppRef {
            app: app.handle().0,
        })
        .await
        .unwrap_err();
    assert_eq!(
        convert::lineerr_of(&twice),
        Some(LineErr::InvalParam),
        "one event stream per application"
    );
    let bad_bits = grpc
        .open_line(proto::OpenLineRequest {
            app: app.handle().0,
            device: 0,
            privileges: 0x100,
            media_modes: 4,
            version: 0x20002,
        })
        .await
        .unwrap_err();
    assert_eq!(
        convert::lineerr_of(&bad_bits),
        Some(LineErr::InvalPrivSelect)
    );
    // Another connection may not use this connection's application.
    let other = Client::connect(&served.path).await.unwrap();
    let stolen = other
        .grpc()
        .shutdown(proto::AppRef {
            app: app.handle().0,
        })
        .await
        .unwrap_err();
    assert_eq!(convert::lineerr_of(&stolen), Some(LineErr::InvalAppHandle));
    let err = convert::error_of(&stolen, "shutdown", "test");
    assert_eq!(err.kind(), LineErr::InvalAppHandle);
    assert!(
        err.to_string()
            .contains("not an application of this connection"),
        "{err}"
    );
    app.shutdown().await.unwrap();
    // After shutdown the handle is dead.
    assert_eq!(
        app.open_line(0, OpenOptions::none())
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalAppHandle)
    );
    served.stop().await;
}

#[tokio::test]
async fn assisted_telephony_and_the_snapshot_work_over_the_socket() {
    let w = world(1).await;
    let served = serve(&w.host, Allow::current_user()).await;
    let client = Client::connect(&served.path).await.unwrap();
    assert_eq!(
        client
            .request_make_call(&tsp_sdk::host::AssistedMakeCall::new("5550100"))
            .await,
        Err(tsp_sdk::TapiErr::NoRequestRecipient)
    );
    let (recipient, mut events) = client.initialize("recipient").await.unwrap();
    recipient
        .register_request_recipient(tsp_sdk::RequestModes::MAKECALL, 1, true)
        .await
        .unwrap();
    client
        .request_make_call(&tsp_sdk::host::AssistedMakeCall::new("5550100"))
        .await
        .unwrap();
    next_where(&mut events, "LINE_REQUEST", |e| {
        matches!(e, AppEvent::Request { .. }).then_some(())
    })
    .await;
    assert_eq!(
        recipient
            .get_request(tsp_sdk::RequestModes::MAKECALL)
            .await
            .unwrap()
            .dest,
        "5550100"
    );
    let snap = client.snapshot().await.unwrap();
    assert_eq!(snap, w.host.snapshot(), "the wire keeps every field");
    served.stop().await;
}

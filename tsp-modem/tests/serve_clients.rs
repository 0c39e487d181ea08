//! `tsp-modem serve --sim` as a real process with real client processes: ten clients open the
//! same line, one places a call, one monitors it, two are request recipients; the owner is killed
//! with SIGKILL and nothing of it is left (TAPI's server and shutdown, T§4, §5).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod served;

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use served::{Proc, socket_in, until};

#[test]
fn a_killed_owner_leaves_nothing_behind_while_nine_other_clients_share_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(dir.path());
    let s = socket.to_str().unwrap();
    let flag = format!("--server={s}");
    let flag = flag.as_str();
    let mut server = Proc::spawn("the server", &["serve", "--sim", "--socket", s]);
    server.expect("serving 4 line(s)", Duration::from_secs(30));
    until(&socket, "the server to answer", |_| true);

    // Nine clients open line 0 first: one monitor, two request recipients, six answerers.
    let mut monitor = Proc::spawn("the monitor", &["monitor", flag, "--line", "0"]);
    let mut others = vec![
        Proc::spawn(
            "recipient 1",
            &["recipient", flag, "--line", "0", "--priority", "1"],
        ),
        Proc::spawn(
            "recipient 2",
            &["recipient", flag, "--line", "0", "--priority", "2"],
        ),
    ];
    for i in 0..6 {
        others.push(Proc::spawn(
            &format!("answerer {i}"),
            &["answer", flag, "--line", "0", "--wait", "600"],
        ));
    }
    until(&socket, "nine applications on line 0", |snap| {
        snap.apps.len() == 9 && snap.lines[0].opens.len() == 9 && snap.request_recipients.len() == 2
    });
    monitor.expect("watching for calls", Duration::from_secs(30));

    // The tenth places a data call to the echo service and stays connected.
    let mut dialer = Proc::spawn("the dialer", &["dial", flag, "--line", "0", "5550100"]);
    dialer.expect(
        "connected: stdin and stdout are the data stream",
        Duration::from_secs(60),
    );
    dialer.stdin.as_mut().unwrap().write_all(b"ping\n").unwrap();
    dialer.expect("ping", Duration::from_secs(30));
    let connected = until(&socket, "ten applications and the call CONNECTED", |snap| {
        snap.apps.len() == 10 && snap.calls.iter().any(|c| c.state == "CONNECTED")
    });
    let call = connected
        .calls
        .iter()
        .find(|c| c.state == "CONNECTED")
        .unwrap();
    assert_eq!(call.owners.len(), 1, "{call:?}");
    assert_eq!(call.owners[0].app_name, "tsp-modem dial");
    assert_eq!(call.monitors.len(), 1, "{call:?}");
    assert_eq!(call.monitors[0].app_name, "tsp-modem monitor");
    let dialer_pid = dialer.child.id();
    let before = connected.lines[0].provider_operations.clone();

    // SIGKILL: no goodbye. The server notices the connection end and shuts the client down.
    dialer.child.kill().unwrap();
    dialer.child.wait().unwrap();
    let after = until(&socket, "nothing left of the killed client", |snap| {
        snap.apps.len() == 9 && snap.calls.is_empty()
    });
    assert!(
        after.apps.iter().all(|a| a.pid != Some(dialer_pid)),
        "{:?}",
        after.apps
    );
    assert!(
        after.pending_requests.is_empty(),
        "{:?}",
        after.pending_requests
    );
    assert_eq!(
        after.lines[0].opens.len(),
        9,
        "the others still have the line open"
    );
    let ops = &after.lines[0].provider_operations;
    let delta = |op: &str| ops.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0);
    assert_eq!(delta("drop_call"), 1, "the provider saw one drop: {ops:?}");
    assert_eq!(delta("close_call"), 1, "and one close_call: {ops:?}");
    assert_eq!(
        delta("close"),
        0,
        "the line stays open for the others: {ops:?}"
    );

    // The monitor saw the call end, and gave its handle back.
    monitor.expect(": idle", Duration::from_secs(30));
    monitor.expect("released", Duration::from_secs(30));
    for p in &mut others {
        p.drain();
    }

    // SIGTERM: the server shuts every application down and releases every device.
    let pid = server.child.id().to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(term.success());
    server.expect(
        "stopped: every application shut down, every device released",
        Duration::from_secs(30),
    );
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(!socket.exists(), "the socket is removed");
    monitor.expect("the server went away", Duration::from_secs(30));
    let exit = monitor.child.wait().unwrap();
    assert_eq!(
        exit.code(),
        Some(1),
        "a failure, not a call that did not connect"
    );
}

//! An operator's session with `tsp-modem serve` as a real process: the status tables, SIGINT,
//! `--config`, the default socket under `$XDG_RUNTIME_DIR`, `answer` and `dial` through the server,
//! and Assisted Telephony from `request-call` to `recipient --place` (TAPI's server, T§5, §6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod served;

use std::io::Write;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::process::Command;
use std::time::Duration;

use served::{BIN, Proc, socket_in, until};

const START: Duration = Duration::from_secs(30);

/// `tsp-modem serve --sim` on a socket in `dir`, once it answers.
fn serve_sim(dir: &std::path::Path) -> (Proc, std::path::PathBuf) {
    let socket = socket_in(dir);
    let mut server = Proc::spawn(
        "the server",
        &["serve", "--sim", "--socket", socket.to_str().unwrap()],
    );
    server.expect("serving 4 line(s)", START);
    until(&socket, "the server to answer", |_| true);
    (server, socket)
}

fn status_text(socket: &std::path::Path) -> String {
    let out = Command::new(BIN)
        .arg("status")
        .arg(format!("--server={}", socket.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn status_shows_lines_applications_and_calls_as_tables_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = serve_sim(dir.path());
    let empty = status_text(&socket);
    for heading in [
        "LINES",
        "APPLICATIONS",
        "CALLS",
        "PENDING REQUESTS",
        "REQUEST RECIPIENTS",
    ] {
        assert!(empty.contains(heading), "{heading} missing:\n{empty}");
    }
    assert!(empty.contains("sim line 5550191"), "{empty}");
    assert!(empty.contains("(none)"), "no applications yet:\n{empty}");
    assert!(
        !empty.contains('{') && !empty.contains("Some("),
        "words, not Rust: {empty}"
    );
    assert!(
        empty.lines().all(|l| l == l.trim_end()),
        "no line ends in blanks:\n{empty:?}"
    );

    let flag = format!("--server={}", socket.display());
    let mut monitor = Proc::spawn("the monitor", &["monitor", &flag, "--line", "2"]);
    monitor.expect("watching for calls", START);
    until(&socket, "the monitor's open", |s| s.apps.len() == 1);
    let busy = status_text(&socket);
    assert!(busy.contains("tsp-modem monitor"), "{busy}");
    assert!(busy.contains("monitor"), "its privilege is shown:\n{busy}");
}

#[test]
fn sigint_stops_the_server_shutting_every_application_down_and_closing_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, socket) = serve_sim(dir.path());
    let flag = format!("--server={}", socket.display());
    let mut monitor = Proc::spawn("the monitor", &["monitor", &flag, "--line", "1"]);
    monitor.expect("watching for calls", START);
    until(&socket, "line 1 open at the provider", |s| s.lines[1].open);

    server.signal("INT");
    server.expect(
        "every device released (1 line(s) opened and closed at the provider: sim line 5550192)",
        START,
    );
    assert!(server.child.wait().unwrap().success());
    assert!(!socket.exists(), "the socket is removed");
    monitor.expect("the server went away", START);
}

#[test]
fn a_signal_sent_as_soon_as_serving_is_printed_is_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(dir.path());
    let mut server = Proc::spawn(
        "the server",
        &["serve", "--sim", "--socket", socket.to_str().unwrap()],
    );
    server.expect("serving 4 line(s)", START);
    server.signal("TERM");
    server.expect("stopped: every application shut down", START);
    assert!(server.child.wait().unwrap().success());
}

#[test]
fn serve_config_serves_the_lines_of_the_file_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tsp-modem.toml");
    std::fs::write(
        &config,
        format!(
            "[[line]]\nname = \"fax\"\nport = \"{0}/ttyFAX\"\n\n[[line]]\nname = \"data\"\nport = \"{0}/ttyDATA\"\nprofile = \"v250\"\n[line.location]\ncancel_call_waiting = \"*70,\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let socket = socket_in(dir.path());
    let mut server = Proc::spawn(
        "the server",
        &[
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--socket",
            socket.to_str().unwrap(),
        ],
    );
    server.expect("serving 2 line(s)", START);
    server.expect("line 1: data", START);
    let snap = until(&socket, "the server to answer", |_| true);
    let names: Vec<&str> = snap.lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].contains("fax") && names[1].contains("data"),
        "{names:?}"
    );

    // A line whose port does not exist fails its open, naming the port; the server stays up.
    let out = Command::new(BIN)
        .args([
            "dial",
            &format!("--server={}", socket.display()),
            "--line",
            "0",
            "5550100",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ttyFAX"), "the port is named: {err}");
    until(&socket, "nothing left of the failed dial", |s| {
        s.apps.is_empty()
    });
}

#[test]
fn serve_refuses_sim_together_with_a_config_and_says_which_to_drop() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lines.toml");
    std::fs::write(&config, "[[line]]\nname = \"a\"\nport = \"/dev/null\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["--config", config.to_str().unwrap(), "serve", "--sim"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error: {out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--sim") && err.contains("lines.toml"), "{err}");
}

#[test]
fn the_default_socket_lives_under_xdg_runtime_dir_in_a_directory_only_owner_and_group_enter() {
    let runtime = tempfile::tempdir().unwrap();
    let env = [("XDG_RUNTIME_DIR", runtime.path().as_os_str())];
    let mut server = Proc::spawn_with("the server", &["serve", "--sim"], &env);
    server.expect("serving 4 line(s)", START);
    let socket = runtime.path().join("tsp").join("tsp.sock");
    server.expect(&socket.display().to_string(), START);
    let dir_mode = std::fs::metadata(runtime.path().join("tsp"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o750, "{dir_mode:o}");
    let meta = std::fs::symlink_metadata(&socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(
        meta.permissions().mode() & 0o007,
        0,
        "others have no access"
    );

    // A client with the same environment finds it with a bare --server.
    let out = Command::new(BIN)
        .args(["status", "--json", "--server"])
        .envs(env)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let snap: tsp_sdk::host::Snapshot = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(snap.lines.len(), 4);
}

#[test]
fn answer_through_the_server_takes_a_call_dialled_through_the_server_and_carries_data() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = serve_sim(dir.path());
    let flag = format!("--server={}", socket.display());
    let mut answerer = Proc::spawn(
        "the answerer",
        &["answer", &flag, "--line", "1", "--wait", "120"],
    );
    answerer.expect("waiting up to 120s for a call", START);
    until(&socket, "the answerer's open", |s| s.lines[1].open);

    let mut dialer = Proc::spawn("the dialer", &["dial", &flag, "--line", "0", "5550192"]);
    answerer.expect("caller:", Duration::from_secs(60));
    answerer.expect(
        "connected: stdin and stdout are the data stream",
        Duration::from_secs(60),
    );
    dialer.expect(
        "connected: stdin and stdout are the data stream",
        Duration::from_secs(60),
    );
    dialer
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"hello over the server\n")
        .unwrap();
    answerer.expect("hello over the server", START);
    answerer
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"and back\n")
        .unwrap();
    dialer.expect("and back", START);

    // The dialer hangs up (stdin ends); the answerer sees the far end go.
    drop(dialer.stdin.take());
    dialer.expect("hung up", START);
    assert!(dialer.child.wait().unwrap().success());
    until(&socket, "no calls left", |s| s.calls.is_empty());
    let said = answerer.said();
    assert!(!said.contains("panicked"), "{said}");
}

#[test]
fn request_call_reaches_the_recipient_which_places_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = serve_sim(dir.path());
    let flag = format!("--server={}", socket.display());
    let mut recipient = Proc::spawn(
        "the recipient",
        &[
            "recipient",
            &flag,
            "--line",
            "0",
            "--priority",
            "1",
            "--place",
        ],
    );
    recipient.expect("registered as a request recipient (priority 1)", START);

    let out = Command::new(BIN)
        .args([
            "request-call",
            &flag,
            "5550100",
            "--app-name",
            "the address book",
            "--called-party",
            "the echo service",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("queued"));

    recipient.expect(
        "request from the address book: call 5550100 (the echo service)",
        START,
    );
    recipient.expect("placed:", Duration::from_secs(120));
    let said = recipient.said();
    assert!(
        !said.contains("could not place") && !said.contains("failed"),
        "{said}"
    );
    until(&socket, "the placed call gone and the queue empty", |s| {
        s.calls.is_empty() && s.assisted_queue.is_empty()
    });
}

#[test]
fn request_call_with_no_recipient_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = serve_sim(dir.path());
    let out = Command::new(BIN)
        .args([
            "request-call",
            &format!("--server={}", socket.display()),
            "5550100",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("recipient"), "{err}");
}

#[test]
fn serve_refuses_a_port_another_program_holds_a_uucp_lock_on_naming_its_pid() {
    let dir = tempfile::tempdir().unwrap();
    // A program that holds the port (its PID is this test's own child, alive while we look).
    let mut holder = Command::new("sleep").arg("60").spawn().unwrap();
    std::fs::write(
        dir.path().join("LCK..ttyMODEM"),
        format!("{:>10}\n", holder.id()),
    )
    .unwrap();
    let port = dir.path().join("ttyMODEM");
    let out = Command::new(BIN)
        .args(["serve", "--port", port.to_str().unwrap(), "--socket"])
        .arg(socket_in(dir.path()))
        .env("TSP_LOCK_DIR", dir.path())
        .output()
        .unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("process {} holds its UUCP lock", holder.id())),
        "{err}"
    );
    assert!(!socket_in(dir.path()).exists(), "nothing was served");
}

#[test]
fn a_stale_uucp_lock_does_not_stop_serve() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("LCK..ttyMODEM"), "4000000000\n").unwrap();
    let port = dir.path().join("ttyMODEM");
    let socket = socket_in(dir.path());
    let mut server = Proc::spawn_with(
        "the server",
        &[
            "serve",
            "--port",
            port.to_str().unwrap(),
            "--socket",
            socket.to_str().unwrap(),
        ],
        &[("TSP_LOCK_DIR", dir.path().as_os_str())],
    );
    server.expect("serving 1 line(s)", START);
}

#[test]
fn the_example_config_passes_config_check() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tsp-modem.toml");
    let out = Command::new(BIN)
        .args(["config", "check", example])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("good"), "{said}");
    assert!(!said.contains("error"), "{said}");
}

#[test]
fn config_check_names_each_problem_with_its_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[[line]]\nname = \"a\"\nport = \"/dev/null\"\nprofile = \"nope\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["config", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("bad.toml:4:1: error: line \"a\": no profile \"nope\""),
        "{said}"
    );
    let json = Command::new(BIN)
        .args(["--json", "config", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    let problem: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(problem["line"], 4);
    assert_eq!(problem["severity"], "error");
}

#[test]
fn completions_and_man_pages_come_from_the_command_line_definition() {
    let bash = Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(bash.status.success());
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(
        script.contains("tsp-modem") && script.contains("request-call"),
        "{script}"
    );
    let dir = tempfile::tempdir().unwrap();
    let man = Command::new(BIN)
        .args(["man", "--dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(man.status.success(), "{man:?}");
    let dial = std::fs::read_to_string(dir.path().join("tsp-modem-dial.1")).unwrap();
    assert!(dial.contains(".TH tsp-modem-dial 1"), "{dial}");
    assert!(dir.path().join("tsp-modem.1").exists());
}

#[test]
fn serve_takes_its_socket_and_allowed_users_from_the_config_server_section() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("from-config.sock");
    let config = dir.path().join("tsp-modem.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nsocket = \"{}\"\nallow_uids = [4242]\n\n[[line]]\nname = \"data\"\nport = \"{}/ttyX\"\n",
            socket.display(),
            dir.path().display()
        ),
    )
    .unwrap();
    let mut server = Proc::spawn(
        "the server",
        &["--config", config.to_str().unwrap(), "serve"],
    );
    server.expect(&format!("serving 1 line(s) on {}", socket.display()), START);
    server.expect("4242", START);
    until(&socket, "the server to answer", |_| true);
}

#[test]
fn recipient_and_request_call_speak_json_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = serve_sim(dir.path());
    let flag = format!("--server={}", socket.display());
    let mut recipient = Proc::spawn("the recipient", &["recipient", &flag, "--json"]);
    recipient.expect("registered as a request recipient", START);
    let out = Command::new(BIN)
        .args(["request-call", &flag, "--json", "5550100"])
        .output()
        .unwrap();
    let queued: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(queued["event"], "queued");
    recipient.expect("\"event\":\"request\"", START);
    let said = recipient.said();
    let request: serde_json::Value = said
        .lines()
        .find(|l| l.contains("\"request\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap();
    assert_eq!(request["number"], "5550100");
}

//! Every `tsp-modem` command, run as a user runs it, against `--sim` (or with no modem at all).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tsp_modem(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsp-modem"))
        .args(args)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn ports_lists_serial_ports_or_says_there_are_none() {
    let out = tsp_modem(&["ports"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(
        listed.contains("port") || listed.contains("no serial ports found"),
        "{listed}"
    );
}

#[test]
fn translate_puts_the_cancel_code_right_after_the_tone_prefix() {
    let args = [
        "translate",
        "+1 (425) 555-0100",
        "--country",
        "1",
        "--area",
        "206",
        "--cancel-call-waiting",
        "*70,",
        "--secure",
    ];
    let out = tsp_modem(&args, b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("dialable:    T*70,14255550100"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn probe_identifies_the_simulated_modem() {
    let out = tsp_modem(&["probe", "--sim"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("U.S. Robotics"), "{shown}");
    assert!(shown.contains("profile         usr"), "{shown}");
    assert!(shown.contains("caller ID       Vcid"), "{shown}");
    assert!(shown.contains("+FCLASS=?       0,1"), "{shown}");
}

#[test]
fn dial_secure_carries_the_cancel_code_and_the_terminal_becomes_the_data_stream() {
    let out = tsp_modem(
        &[
            "dial",
            "--sim",
            "--secure",
            "--hang-up-after",
            "2",
            "5550100",
        ],
        b"ping through the modem\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let states = text(&out.stderr);
    assert!(states.contains("dialed T*70,5550100"), "{states}");
    assert!(states.contains("CONNECTED"), "{states}");
    assert!(states.contains("IDLE"), "{states}");
    assert!(
        text(&out.stdout).contains("ping through the modem"),
        "the far end echoes: {}",
        text(&out.stdout)
    );
}

#[test]
fn dial_to_a_busy_line_reports_busy_and_fails() {
    let out = tsp_modem(&["dial", "--sim", "5550111"], b"");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("DISCONNECTED"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn answer_shows_the_caller_and_connects() {
    let out = tsp_modem(&["answer", "--sim", "--hang-up-after", "1"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stderr);
    assert!(shown.contains("caller: 5550123 JANE DOE"), "{shown}");
    assert!(shown.contains("CONNECTED"), "{shown}");
}

#[test]
fn monitor_shows_rings_and_caller_id() {
    let out = tsp_modem(&["monitor", "--sim", "--for-seconds", "3"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stderr);
    assert!(shown.contains("RING 1"), "{shown}");
    assert!(shown.contains("5550123"), "{shown}");
}

#[test]
fn a_command_without_a_modem_says_how_to_name_one() {
    let out = tsp_modem(&["probe"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--port PATH"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_missing_port_is_named_in_the_error() {
    let out = tsp_modem(&["probe", "--port", "/dev/tsp-no-such-modem"], b"");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("/dev/tsp-no-such-modem"),
        "{}",
        text(&out.stderr)
    );
}

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
    assert!(shown.contains("caller ID       AT+VCID=1"), "{shown}");
    assert!(
        shown.contains("service classes data (0), fax class 1 (1)"),
        "{shown}"
    );
    assert!(
        shown.contains("dial modifiers  W and @ supported"),
        "{shown}"
    );
    assert!(
        shown.contains("quirks          extra AT after reset"),
        "{shown}"
    );
    for rust in ["{", "Some(", "DialCaps", "Quirks", "0ns"] {
        assert!(!shown.contains(rust), "words, not Rust ({rust}): {shown}");
    }
}

#[test]
fn probe_json_is_one_object_with_every_field() {
    let out = tsp_modem(&["probe", "--sim", "--json"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["manufacturer"]["value"], "U.S. Robotics");
    assert_eq!(report["profile"], "usr");
    assert_eq!(report["max_rate_bps"], 33600);
    assert_eq!(report["dial_modifiers"][0]["supported"], true);
    assert_eq!(report["service_classes"][0], "0");
    assert!(report["asked"].as_array().unwrap().len() >= 6);
}

#[test]
fn translate_json_names_the_results_flags() {
    let out = tsp_modem(
        &[
            "translate",
            "--json",
            "+1 (425) 555-0100",
            "--country",
            "1",
            "--area",
            "206",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dialable"], "T14255550100");
    assert_eq!(report["results"][0], "CANONICAL");
    assert_eq!(report["results_words"], "canonical input, long distance");
}

#[test]
fn monitor_json_writes_one_event_object_per_line_on_stdout() {
    let out = tsp_modem(&["monitor", "--sim", "--for-seconds", "3", "--json"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["at_s"].is_number()), "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "ring" && e["count"] == 1),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "caller" && e["number"] == "5550123"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "call_state" && e["state"] == "OFFERING"),
        "{events:?}"
    );
}

#[test]
fn dial_json_reports_busy_as_events_on_stderr_and_exits_3() {
    let out = tsp_modem(&["dial", "--sim", "--json", "5550111"], b"");
    assert_eq!(out.status.code(), Some(3));
    let events: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events.iter().any(|e| e["event"] == "call_state"
            && e["state"] == "DISCONNECTED"
            && e["mode"] == "busy"),
        "{events:?}"
    );
    assert!(out.stdout.is_empty(), "stdout stays the data stream");
}

#[test]
fn a_five_thousand_digit_number_is_not_echoed_back_whole() {
    let long = "9".repeat(5000);
    let out = tsp_modem(&["dial", "--sim", &long], b"");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("(5000 characters)"), "{err}");
    assert!(err.len() < 1000, "{} bytes: {err}", err.len());
}

#[test]
fn help_lists_the_exit_codes() {
    let out = tsp_modem(&["--help"], b"");
    let help = text(&out.stdout);
    for line in [
        "3  busy",
        "4  no answer",
        "5  no such device",
        "2  bad argument",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
}

#[test]
fn a_missing_port_exits_5_no_such_device() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("ttyNONE");
    let out = tsp_modem(&["dial", "--port", port.to_str().unwrap(), "5550100"], b"");
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
}

#[test]
fn log_lines_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("ttyNONE");
    let out = Command::new(env!("CARGO_BIN_EXE_tsp-modem"))
        .args(["dial", "--port", port.to_str().unwrap(), "5550100"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(err.contains("WARN") || err.contains("INFO"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no ANSI escapes in a pipe: {err:?}"
    );
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
    assert!(states.contains("connected (active)"), "{states}");
    assert!(states.contains(": idle"), "{states}");
    assert!(!states.contains("mode 0x"), "modes in words: {states}");
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
        text(&out.stderr).contains("disconnected (busy)"),
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
    assert!(shown.contains("connected (active)"), "{shown}");
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

#[test]
fn ports_json_is_one_object_per_port() {
    let out = tsp_modem(&["ports", "--json"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    for line in text(&out.stdout).lines() {
        let port: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            port["port"].is_string() && port["kind"].is_string(),
            "{port}"
        );
    }
}

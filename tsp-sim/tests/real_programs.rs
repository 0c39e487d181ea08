//! Real programs as the judge: Debian's `chat` (ppp), `socat`, `picocom` and `mgetty` drive
//! simulated modems on pseudo-terminals exactly as they drive hardware.
//!
//! Ignored by default so `cargo test --workspace` passes on a machine without the programs;
//! `.ci/run` installs them and runs `cargo test -p tsp-sim --test real_programs -- --ignored`.
//! A missing program fails the test with the package to install.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tsp_sim::modem::Profile;

use support::{Exchange, Reader, finish, program, shell, terminate};

/// chat's script: reset, dial B, wait for CONNECT (`-t`: seconds per expect, real time).
const DIAL_B: &str = r#"-s -V -t 15 '' ATZ OK ATDT5550101 CONNECT ''"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's ppp, socat, picocom and mgetty: run with --ignored; .ci/run installs them"]
async fn chat_dials_a_second_simulated_modem_and_reaches_connect() {
    let chat = program("chat", "ppp");
    let ex = Exchange::start(Profile::v250(), Profile::v250());
    let pty_a = ex.pty(ex.a);
    let mut b = Reader::new(ex.sim.open_port(ex.b).unwrap(), "modem B");
    b.get_mut().write_all(b"ATS0=1\r").await.unwrap();
    b.expect("OK", &ex.sim).await;

    let script = format!(r#"exec "$CHAT" {DIAL_B} <"$TTY" >"$TTY""#);
    let child = shell(&script, &[("CHAT", &chat), ("TTY", pty_a.path())]);
    let (status, log) = finish(child, "chat", &ex.sim).await;
    assert!(
        status.success(),
        "chat failed ({status}); its log:\n{log}\ntranscript:\n{}",
        ex.sim.transcript()
    );
    assert!(
        log.contains("CONNECT"),
        "chat's log shows no CONNECT:\n{log}"
    );
    let answered = b.expect("CONNECT", &ex.sim).await;
    assert!(
        answered.contains("RING"),
        "B answered without ringing: {answered:?}"
    );

    // chat closed the terminal: DTR drops, A hangs up, and B loses the carrier.
    b.expect("NO CARRIER", &ex.sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's ppp, socat, picocom and mgetty: run with --ignored; .ci/run installs them"]
async fn bytes_cross_a_call_both_ways_and_escape_then_ath_hangs_up_the_far_end() {
    let chat = program("chat", "ppp");
    let socat = program("socat", "socat");
    let ex = Exchange::start(Profile::usr5637(), Profile::v250());
    let pty_a = ex.pty(ex.a);
    let mut b = Reader::new(ex.sim.open_port(ex.b).unwrap(), "modem B");
    b.get_mut().write_all(b"ATS0=1\r").await.unwrap();
    b.expect("OK", &ex.sim).await;

    // One shell holds the terminal open (DTR stays up) while chat dials and socat then carries
    // the test's bytes to and from it.
    let script = format!(
        r#"exec 3<>"$TTY" || exit 90
"$CHAT" {DIAL_B} <&3 >&3 || exit $?
exec "$SOCAT" -d -d STDIO FD:3,raw,echo=0"#
    );
    let mut child = shell(
        &script,
        &[("CHAT", &chat), ("SOCAT", &socat), ("TTY", pty_a.path())],
    );
    let mut to_a = child.stdin.take().unwrap();
    let mut from_a = Reader::new(child.stdout.take().unwrap(), "socat on A");
    let mut log = Reader::new(child.stderr.take().unwrap(), "chat, then socat (stderr)");
    log.expect("CONNECT", &ex.sim).await;
    b.expect("CONNECT", &ex.sim).await;
    log.expect("starting data transfer loop", &ex.sim).await;

    to_a.write_all(b"typed on A\n").await.unwrap();
    b.expect("typed on A", &ex.sim).await;
    b.get_mut().write_all(b"typed on B\r\n").await.unwrap();
    from_a.expect("typed on B", &ex.sim).await;

    // The escape needs a second (S12) of silence before and after `+++`.
    ex.wait_virtual(Duration::from_millis(1500)).await;
    to_a.write_all(b"+++").await.unwrap();
    ex.wait_virtual(Duration::from_millis(1500)).await;
    from_a.expect("OK", &ex.sim).await;
    to_a.write_all(b"ATH\r").await.unwrap();
    let after_ath = from_a.expect("OK", &ex.sim).await;
    assert!(
        after_ath.contains("ATH"),
        "A echoes the command in command state: {after_ath:?}"
    );
    b.expect("NO CARRIER", &ex.sim).await;
    assert!(
        !ex.sim.control_lines(ex.b).unwrap().dcd,
        "B's DCD drops with the carrier"
    );

    drop(to_a);
    terminate(&mut child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's ppp, socat, picocom and mgetty: run with --ignored; .ci/run installs them"]
async fn mgetty_answers_the_call_chat_places_from_another_modem() {
    let chat = program("chat", "ppp");
    let mgetty = program("mgetty", "mgetty");
    let ex = Exchange::start(Profile::v250(), Profile::v250());
    let pty_a = ex.pty(ex.a);
    let pty_b = ex.pty(ex.b);
    // mgetty names its port relative to /dev and logs to /var/log/mgetty/mg_<port, / as ->.log.
    let (port, log) = support::mgetty_port(&pty_b, "mg");

    let mut mgetty_child = tokio::process::Command::new(&mgetty)
        .args(["-D", "-x", "5", "-s", "38400", "-n", "2", &port])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let ready = log.expect("waiting...", &ex.sim).await;
    assert!(
        ready.contains("send: \\dATQ0V1H0[0d]"),
        "mgetty's initialisation:\n{ready}"
    );

    // chat dials B and stays until mgetty's login prompt crosses the connection.
    let script = format!(r#"exec "$CHAT" {DIAL_B} ogin: '' <"$TTY" >"$TTY""#);
    let child = shell(&script, &[("CHAT", &chat), ("TTY", pty_a.path())]);
    let (status, chat_log) = finish(child, "chat", &ex.sim).await;
    let mgetty_log = log.text();
    assert!(
        status.success(),
        "chat failed ({status}); its log:\n{chat_log}\nmgetty's log:\n{mgetty_log}\ntranscript:\n{}",
        ex.sim.transcript()
    );
    assert!(
        chat_log.contains("CONNECT"),
        "chat's log shows no CONNECT:\n{chat_log}"
    );
    assert!(
        chat_log.contains("ogin:"),
        "mgetty's login prompt did not reach chat:\n{chat_log}"
    );
    assert!(
        mgetty_log.contains("send: ATA[0d]"),
        "mgetty did not answer with ATA:\n{mgetty_log}"
    );
    assert!(
        mgetty_log.contains("CONNECT"),
        "mgetty saw no CONNECT:\n{mgetty_log}"
    );
    let rings = mgetty_log.matches("RING").count();
    assert!(
        rings >= 2,
        "mgetty answered after {rings} RING(s), not the 2 of -n 2:\n{mgetty_log}"
    );

    terminate(&mut mgetty_child).await;
    support::remove_stale_lock(&port);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's ppp, socat, picocom and mgetty: run with --ignored; .ci/run installs them"]
async fn picocom_types_a_dial_command_and_its_exit_hangs_up_the_call() {
    let picocom = program("picocom", "picocom");
    let ex = Exchange::start(Profile::conexant_usb(), Profile::v250());
    let pty_a = ex.pty(ex.a);
    let mut b = Reader::new(ex.sim.open_port(ex.b).unwrap(), "modem B");
    b.get_mut().write_all(b"ATS0=2\r").await.unwrap();
    b.expect("OK", &ex.sim).await;

    let mut child = shell(
        r#"exec "$PICOCOM" -q -b 115200 "$TTY""#,
        &[("PICOCOM", &picocom), ("TTY", pty_a.path())],
    );
    let mut keys = child.stdin.take().unwrap();
    let mut screen = Reader::new(child.stdout.take().unwrap(), "picocom's screen");
    keys.write_all(b"ATI3\r").await.unwrap();
    let identity = screen.expect("OK", &ex.sim).await;
    assert!(
        identity.contains("CX93001-EIS_V0.2013-V92"),
        "A is the Conexant: {identity:?}"
    );

    keys.write_all(b"ATDT5550101\r").await.unwrap();
    b.expect("RING", &ex.sim).await;
    b.expect("RING", &ex.sim).await;
    b.expect("CONNECT", &ex.sim).await;
    screen.expect("CONNECT", &ex.sim).await;
    keys.write_all(b"keys pressed in picocom").await.unwrap();
    b.expect("keys pressed in picocom", &ex.sim).await;
    b.get_mut()
        .write_all(b"shown on picocom's screen")
        .await
        .unwrap();
    screen.expect("shown on picocom's screen", &ex.sim).await;

    // End of input ends picocom; closing the terminal drops DTR and the call with it.
    drop(keys);
    let (status, log) = finish(child, "picocom", &ex.sim).await;
    assert!(status.success(), "picocom failed ({status}): {log}");
    b.expect("NO CARRIER", &ex.sim).await;
}

#[test]
fn a_missing_program_fails_the_test_with_the_package_to_install() {
    let panic = std::panic::catch_unwind(|| program("tsp-sim-no-such-program", "some-package"))
        .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message
            .starts_with("tsp-sim-no-such-program not found (looked in PATH and /usr/sbin, /sbin)"),
        "{message}"
    );
    assert!(
        message.ends_with(": apt-get install some-package"),
        "{message}"
    );
}

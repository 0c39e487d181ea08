//! A real voice program as the judge: Debian's `vgetty` (mgetty-voice) finds a V.253 voice modem
//! on a `tsp-sim` pty, initializes it with no `ERROR`, answers a call from the other simulated
//! modem, and the digits the caller sends with `+VTS` reach its DTMF program.
//!
//! Ignored by default so `cargo test --workspace` passes on a machine without mgetty-voice;
//! `.ci/run` installs it and runs `cargo test -p tsp-sim --test real_voice -- --ignored`. vgetty
//! reads only `/etc/mgetty/voice.conf`, so the test runs it in a mount namespace of its own
//! (`unshare -m`, which needs root) with the test's configuration bound over that path: the
//! machine's own file is never touched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tsp_sim::modem::Profile;

use support::{Exchange, Reader, program, terminate};

/// vgetty's configuration: answer voice calls on the first ring, beep, record, and hand a
/// DTMF code to `dtmf.sh`. Silence detection is long (25.5 simulated seconds, about 1.3 s at
/// the test's time scale) so the caller's digits come well before it.
fn voice_conf(dir: &Path) -> String {
    format!(
        "part generic\n\
         voice_log_level 6\n\
         voice_dir {dir}\n\
         phone_group root\n\
         port_speed 38400\n\
         voice_shell /bin/sh\n\
         rec_silence_len 255\n\
         program vgetty\n\
         rings 1\n\
         answer_mode voice\n\
         rec_max_len 60\n\
         dtmf_program {dir}/dtmf.sh\n",
        dir = dir.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's mgetty-voice and root (a mount namespace): run with --ignored; .ci/run installs it"]
async fn vgetty_initializes_answers_and_receives_the_digits_the_caller_sends() {
    let vgetty = program("vgetty", "mgetty-voice");
    let unshare = program("unshare", "util-linux");
    let dir = tempfile::tempdir().unwrap();
    for sub in ["incoming", "messages"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    let conf = dir.path().join("voice.conf");
    std::fs::write(&conf, voice_conf(dir.path())).unwrap();
    let digits = dir.path().join("digits");
    let script = dir.path().join("dtmf.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", digits.display()),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", script.to_str().unwrap()])
        .status()
        .unwrap();

    let ex = Exchange::start(Profile::v250(), Profile::v250());
    let pty_b = ex.pty(ex.b);
    let (port, log) = support::mgetty_port(&pty_b, "vg");
    let mut child = tokio::process::Command::new(&unshare)
        .args(["-m", "sh", "-c"])
        .arg(r#"mount --bind "$1" /etc/mgetty/voice.conf && exec "$2" -x 6 -s 38400 "$3""#)
        .args([
            "sh",
            conf.to_str().unwrap(),
            vgetty.to_str().unwrap(),
            &port,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let ready = log.expect("waiting...", &ex.sim).await;
    let init = ready
        .split_once("initializing V253 voice modem")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or_else(|| panic!("vgetty did not take the modem for a V.253 modem:\n{ready}"));
    assert!(
        !init.contains("ERROR") && !init.contains("can't"),
        "a voice set-up command failed:\n{init}"
    );

    // A dials B in voice mode; once vgetty records, A types 1 2 3 #.
    let mut a = Reader::new(ex.sim.open_port(ex.a).unwrap(), "modem A");
    a.get_mut()
        .write_all(b"ATE0+FCLASS=8;+VSM=1,8000\r")
        .await
        .unwrap();
    a.expect("OK\r\n", &ex.sim).await;
    a.get_mut().write_all(b"ATD5550101\r").await.unwrap();
    a.expect("OK\r\n", &ex.sim).await;
    let answered = log.expect("AT+VRX", &ex.sim).await;
    assert!(
        answered.contains("AT+VLS=1"),
        "vgetty answered otherwise:\n{answered}"
    );
    a.get_mut().write_all(b"AT+VTS=1,2,3,#\r").await.unwrap();
    a.expect("OK\r\n", &ex.sim).await;

    let ran = log.expect("executing DTMF program", &ex.sim).await;
    for d in ["<1>", "<2>", "<3>", "<#>"] {
        assert!(
            ran.contains(&format!("RECEIVED_DTMF with data {d}")),
            "vgetty did not hear {d}:\n{ran}"
        );
    }
    let deadline = tokio::time::Instant::now() + support::PATIENCE;
    let got = loop {
        let text = std::fs::read_to_string(&digits).unwrap_or_default();
        if !text.is_empty() || tokio::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        got.trim(),
        "123",
        "what dtmf.sh was given; vgetty's log:\n{}",
        log.text()
    );

    terminate(&mut child).await;
    support::remove_stale_lock(&port);
}

//! The simulated modems and a real, independent T.31 modem side by side: the same script runs on
//! two `tsp-sim` modems with the `iaxmodem` profile (on ptys, caller ID before the first ring) and
//! on two Debian `iaxmodem`s calling each other on loopback (spandsp's AT interpreter), and what
//! each side's DTE sees must be the same: identification, result codes, the `=?` lists, the
//! caller ID's fields in their order (and its name, number and number dialled; date, time and
//! iaxmodem's IAX2 user name are the clock's and the peer's), and the HDLC frames with the FCS
//! the receiving modem appends.
//!
//! Ignored by default (it needs iaxmodem and root, to write `/etc/iaxmodem` and create the
//! devices); `.ci/run` installs iaxmodem and runs it with `--ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_serial::{SerialPortBuilderExt, SerialStream};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

mod support;
use support::iaxmodem_pair;

const DLE: u8 = 0x10;
const ETX: u8 = 0x03;
/// A DIS-like final frame (the one in iaxmodem-notes.md's transcript).
const DIS: &[u8] = &[0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x00];
/// A DCS-like final frame.
const DCS: &[u8] = &[0xff, 0x13, 0x83, 0x00, 0xc6, 0x74, 0x00];

/// One modem's port and what its DTE has seen.
struct Dte {
    name: &'static str,
    port: SerialStream,
    pending: Vec<u8>,
    seen: Vec<String>,
}

impl Dte {
    fn open(name: &'static str, path: &Path) -> Dte {
        let port = tokio_serial::new(path.to_string_lossy(), 115_200)
            .open_native_async()
            .unwrap_or_else(|e| panic!("{name}: open {}: {e}", path.display()));
        Dte {
            name,
            port,
            pending: Vec::new(),
            seen: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).await.unwrap();
    }

    /// Reads until `needle`; returns what came before it (and drops it from the input).
    async fn until(&mut self, needle: &[u8]) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(70);
        let mut buf = [0u8; 256];
        loop {
            if let Some(at) = self.pending.windows(needle.len()).position(|w| w == needle) {
                let before = self.pending[..at].to_vec();
                self.pending.drain(..at + needle.len());
                return before;
            }
            match tokio::time::timeout_at(deadline, self.port.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.pending.extend_from_slice(&buf[..n]),
                other => panic!(
                    "{}: waiting for {:?}: {other:?}; have {:?}; seen so far {:?}",
                    self.name,
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&self.pending),
                    self.seen
                ),
            }
        }
    }

    /// Sends a command and records the result code it ends with (and any information text).
    async fn command(&mut self, command: &str, result: &str) {
        self.send(format!("{command}\r").as_bytes()).await;
        let before = self.until(format!("{result}\r\n").as_bytes()).await;
        let text = String::from_utf8_lossy(&before).trim().to_owned();
        let text = text.trim_start_matches(command).trim().to_owned();
        self.seen.push(if text.is_empty() {
            format!("{command} -> {result}")
        } else {
            format!("{command} -> {text} {result}")
        });
    }

    /// Records the caller ID in what came before the first `RING`: every field's tag in order,
    /// and the values that do not depend on the clock or the IAX2 peer.
    fn caller_id(&mut self, before_ring: &[u8]) {
        let text = String::from_utf8_lossy(before_ring);
        let fields: Vec<String> = text
            .split("\r\n")
            .filter_map(|line| line.split_once('='))
            .map(|(tag, value)| match tag {
                "NAME" | "NMBR" | "NDID" => format!("{tag}={value}"),
                _ => tag.to_owned(),
            })
            .collect();
        self.seen.push(format!("caller ID {}", fields.join(" ")));
    }

    /// Records the next final result code (`CONNECT`, `OK`…) as it comes unasked.
    async fn result(&mut self, result: &str) {
        self.until(format!("{result}\r\n").as_bytes()).await;
        self.seen.push(result.to_owned());
    }

    /// Sends a frame as the DTE does in class 1 (DLE shielded, DLE ETX).
    async fn send_frame(&mut self, frame: &[u8]) {
        let mut wire = Vec::new();
        for &b in frame {
            wire.push(b);
            if b == DLE {
                wire.push(DLE);
            }
        }
        wire.extend([DLE, ETX]);
        self.send(&wire).await;
    }

    /// Records a received frame (with its FCS) and the result after it.
    async fn receive_frame(&mut self) {
        let raw = self.until(&[DLE, ETX]).await;
        let frame: Vec<String> = raw.iter().map(|b| format!("{b:02x}")).collect();
        let after = String::from_utf8_lossy(&self.until(b"\r\n").await).into_owned();
        let result = String::from_utf8_lossy(&self.until(b"\r\n").await).into_owned();
        assert!(
            after.trim().is_empty(),
            "{}: {after:?} after the frame",
            self.name
        );
        self.seen
            .push(format!("frame {} then {result}", frame.join(" ")));
    }
}

/// The script: identification, both modems in class 1, A dials B, B reports caller ID and
/// answers, one frame each way, both hang up.
async fn script(a: &mut Dte, b: &mut Dte) {
    for dte in [&mut *a, &mut *b] {
        dte.command("ATZ", "OK").await;
        dte.command("ATE0", "OK").await;
        for query in ["ATI", "ATI3", "AT+GMI", "AT+FCLASS=?", "AT+VCID=?", "ATS7?"] {
            dte.command(query, "OK").await;
        }
        dte.command("AT+VCID=2", "ERROR").await;
        dte.command("AT+FCLASS=1", "OK").await;
        dte.command("AT+FTM=?", "OK").await;
        dte.command("AT+FRH=?", "OK").await;
    }
    // iaxmodem refuses calls for 5 s after any on-hook, ATZ included (iaxmodem-notes.md rule 1).
    tokio::time::sleep(Duration::from_millis(5500)).await;
    b.command("AT+VCID=1", "OK").await;
    a.send(b"ATD5550101\r").await;
    let before_ring = b.until(b"RING\r\n").await;
    b.caller_id(&before_ring);
    b.command("ATA", "CONNECT").await;
    a.result("CONNECT").await;
    b.send_frame(DIS).await;
    b.result("OK").await;
    a.receive_frame().await;
    b.send(b"AT+FRH=3\r").await;
    a.command("AT+FTH=3", "CONNECT").await;
    b.result("CONNECT").await;
    a.send_frame(DCS).await;
    a.result("OK").await;
    b.receive_frame().await;
    a.command("ATH0", "OK").await;
    b.command("ATH0", "OK").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's iaxmodem and root: run with --ignored; .ci/run installs it"]
async fn the_simulated_modems_answer_a_class_1_script_as_iaxmodem_does() {
    let pair = iaxmodem_pair();
    // iaxmodem passes caller ID on before the first ring.
    let mut network = Network::builder()
        .seed(0x5b5)
        .time_scale(TimeScale::new(1.0).unwrap())
        .exchange(
            tsp_sim::exchange::Exchange::builder()
                .caller_id_placement(tsp_sim::exchange::CallerIdPlacement::BeforeFirstRing),
        )
        .build(Instant::now());
    // A's line as `.ci/iaxmodem-pair` configures iaxmodem A: its caller-ID name and number.
    let line_a = network.add_line(LineConfig::new("8005551212").name("Modem A"));
    let line_b = network.add_line(LineConfig::new("5550101"));
    let sim_a = network
        .attach_device(line_a, SimModem::new(Profile::iaxmodem()))
        .unwrap();
    let sim_b = network
        .attach_device(line_b, SimModem::new(Profile::iaxmodem()))
        .unwrap();
    let sim = Sim::start(network);
    let pty_a = PtyLink::spawn(&sim, sim_a).unwrap();
    let pty_b = PtyLink::spawn(&sim, sim_b).unwrap();

    let mut real = (
        Dte::open("iaxmodem A", &pair.devices[0]),
        Dte::open("iaxmodem B", &pair.devices[1]),
    );
    let mut simulated = (
        Dte::open("tsp-sim A", pty_a.path()),
        Dte::open("tsp-sim B", pty_b.path()),
    );
    tokio::join!(
        script(&mut real.0, &mut real.1),
        script(&mut simulated.0, &mut simulated.1)
    );
    println!(
        "calling modem: {:#?}\nanswering modem: {:#?}",
        real.0.seen, real.1.seen
    );
    assert_eq!(simulated.0.seen, real.0.seen, "the calling modem's DTE");
    assert_eq!(simulated.1.seen, real.1.seen, "the answering modem's DTE");
}

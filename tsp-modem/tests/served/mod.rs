//! Real `tsp-modem` processes for the server tests: a process whose output lines are collected
//! as they come, and the server's snapshot read with `tsp-modem status --json`.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tsp_sdk::host::Snapshot;

pub const BIN: &str = env!("CARGO_BIN_EXE_tsp-modem");

/// A running process whose stderr lines are collected as they come.
pub struct Proc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    pub name: String,
}

impl Proc {
    pub fn spawn(name: &str, args: &[&str]) -> Proc {
        Proc::spawn_with(name, args, &[])
    }

    /// Like [`Proc::spawn`], with extra environment variables.
    pub fn spawn_with(name: &str, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Proc {
        let mut child = Command::new(BIN)
            .args(args)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tsp-modem starts");
        let (tx, lines) = mpsc::channel();
        for out in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            });
        }
        Proc {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            name: name.to_owned(),
        }
    }

    /// Waits (bounded, on the process's own output) for a line containing `needle`.
    pub fn expect(&mut self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        if self.seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    self.seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "{} never said {needle:?}; it said:\n{}",
            self.name,
            self.seen.join("\n")
        );
    }

    /// Sends a signal (`TERM`, `INT`) with kill(1).
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{name} {pid}");
    }

    /// Everything said so far, one line each.
    pub fn said(&mut self) -> String {
        self.drain();
        self.seen.join("\n")
    }

    pub fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn status(socket: &Path) -> Option<Snapshot> {
    let out = Command::new(BIN)
        .args(["status", "--json"])
        .arg(format!("--server={}", socket.display()))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

/// Polls the server's snapshot until `ok` holds (bounded).
pub fn until(socket: &Path, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = None;
    while Instant::now() < deadline {
        if let Some(snap) = status(socket) {
            if ok(&snap) {
                return snap;
            }
            last = Some(snap);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("waiting for {what}; last snapshot: {last:#?}");
}

pub fn socket_in(dir: &Path) -> PathBuf {
    dir.join("tsp.sock")
}

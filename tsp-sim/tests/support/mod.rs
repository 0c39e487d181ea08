//! Helpers for driving simulated modems on ptys with real programs: finding the programs,
//! building the simulated exchange, reading until a string shows up, and stopping processes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    unreachable_pub
)]

pub mod efax;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId, Network, TimeScale};
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

/// Real seconds per simulated second: rings and training are 20 times faster than life, slow
/// enough that chat and mgetty (which pace their own writes) keep up.
pub const TIME_SCALE: f64 = 0.05;

/// How long any single wait for a program may take (real time).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Where Debian puts programs root runs (not always in a test's PATH).
const SBIN: [&str; 2] = ["/usr/sbin", "/sbin"];

/// The full path of `name`, from PATH or the sbin directories; fails the test with the package
/// to install when it is missing — a real-program test never passes without its program.
pub fn program(name: &str, package: &str) -> PathBuf {
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let found = path_dirs
        .iter()
        .map(PathBuf::as_path)
        .chain(SBIN.iter().map(Path::new))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    match found {
        Some(path) => path,
        None => panic!(
            "{name} not found (looked in PATH and {}): apt-get install {package}",
            SBIN.join(", ")
        ),
    }
}

/// Two subscriber lines, 5550100 (A) and 5550101 (B), each with a simulated modem.
pub struct Exchange {
    pub sim: Sim,
    pub a: DeviceId,
    pub b: DeviceId,
}

impl Exchange {
    /// Starts the exchange on the current runtime, at [`TIME_SCALE`].
    pub fn start(profile_a: Profile, profile_b: Profile) -> Exchange {
        let seed = 0x7265_616c; // "real"
        let mut network = Network::builder()
            .seed(seed)
            .time_scale(TimeScale::new(TIME_SCALE).unwrap())
            .build(Instant::now());
        let line_a = network.add_line(LineConfig::new("5550100"));
        let line_b = network.add_line(LineConfig::new("5550101"));
        let a = network
            .attach_device(line_a, SimModem::new(profile_a).with_label("A"))
            .unwrap();
        let b = network
            .attach_device(line_b, SimModem::new(profile_b).with_label("B"))
            .unwrap();
        Exchange {
            sim: Sim::start(network),
            a,
            b,
        }
    }

    /// Puts a device on a new pty.
    pub fn pty(&self, device: DeviceId) -> PtyLink {
        PtyLink::spawn(&self.sim, device).unwrap()
    }

    /// Waits (bounded polling of the simulation's clock) until `virtual_time` has passed in the
    /// simulation: how a test keeps a guard time around `+++` when a real program is in between.
    pub async fn wait_virtual(&self, virtual_time: Duration) {
        let target = self.sim.elapsed() + virtual_time;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.sim.elapsed() < target {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the simulation's clock stopped"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// A byte stream read up to expected strings: what comes after a match stays for the next
/// [`Reader::expect`].
pub struct Reader<R> {
    inner: R,
    what: String,
    pending: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    /// Wraps `inner`; `what` names it in failures.
    pub fn new(inner: R, what: impl Into<String>) -> Reader<R> {
        Reader {
            inner,
            what: what.into(),
            pending: Vec::new(),
        }
    }

    /// The stream, to write to it.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Reads until `needle` shows up (within [`PATIENCE`]) and returns everything up to and
    /// including it. Fails with what was read and the simulation's transcript.
    pub async fn expect(&mut self, needle: &str, sim: &Sim) -> String {
        self.expect_or(needle, || sim.transcript()).await
    }

    /// [`expect`](Self::expect) with no simulation behind the stream (a real modem's program).
    pub async fn expect_text(&mut self, needle: &str) -> String {
        self.expect_or(needle, String::new).await
    }

    async fn expect_or(&mut self, needle: &str, transcript: impl Fn() -> String) -> String {
        let mut buf = [0u8; 1024];
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(at) = find(&self.pending, needle.as_bytes()) {
                let taken: Vec<u8> = self.pending.drain(..at + needle.len()).collect();
                return String::from_utf8_lossy(&taken).into_owned();
            }
            match tokio::time::timeout_at(deadline, self.inner.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.pending.extend_from_slice(&buf[..n]),
                other => panic!(
                    "{}: waiting for {needle:?}: got {other:?}\nread so far: {:?}\ntranscript:\n{}",
                    self.what,
                    String::from_utf8_lossy(&self.pending),
                    transcript()
                ),
            }
        }
    }
}

impl<R: AsyncRead + Unpin> Reader<R> {
    /// Everything left until the stream ends (within [`PATIENCE`]; what came by then if not).
    pub async fn rest(&mut self) -> String {
        let mut buf = [0u8; 1024];
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, self.inner.read(&mut buf)).await {
            if n == 0 {
                break;
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|w| w == needle)
}

/// A `sh -c SCRIPT` child with piped stdio and `env`, killed if the test drops it.
pub fn shell(script: &str, env: &[(&str, &Path)]) -> Child {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().unwrap()
}

/// Waits for `child` to exit (within [`PATIENCE`]) and returns its status and stderr.
pub async fn finish(child: Child, what: &str, sim: &Sim) -> (std::process::ExitStatus, String) {
    match tokio::time::timeout(PATIENCE, child.wait_with_output()).await {
        Ok(Ok(output)) => (
            output.status,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
        other => panic!(
            "{what} did not finish: {other:?}\ntranscript:\n{}",
            sim.transcript()
        ),
    }
}

/// An mgetty-family program on a pty: the port name it takes (relative to `/dev`, `pts/3`) and
/// its log, `/var/log/mgetty/<prefix>_<port with / as ->.log` (`mg_` for mgetty, `vg_` for
/// vgetty).
pub fn mgetty_port(pty: &PtyLink, log_prefix: &str) -> (String, Tail) {
    let port = pty
        .path()
        .strip_prefix("/dev")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let log = Tail::new(
        Path::new("/var/log/mgetty").join(format!("{log_prefix}_{}.log", port.replace('/', "-"))),
    );
    (port, log)
}

/// mgetty or vgetty (or the login it became) killed mid-call leaves its UUCP lock behind.
pub fn remove_stale_lock(port: &str) {
    let _ = std::fs::remove_file(
        Path::new("/var/lock").join(format!("LCK..{}", port.replace('/', "_"))),
    );
}

/// Sends SIGTERM to `child` by PID, waits for it to exit, and kills it if it does not.
pub async fn terminate(child: &mut Child) {
    let Some(pid) = child.id() else { return };
    let status = std::process::Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &pid.to_string()])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// A file another program appends to (mgetty's log): the text added since [`Tail::new`].
pub struct Tail {
    path: PathBuf,
    start: u64,
}

impl Tail {
    /// Remembers the current end of `path` (0 if it does not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Tail {
        let path = path.into();
        let start = std::fs::metadata(&path).map_or(0, |m| m.len());
        Tail { path, start }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything appended since [`Tail::new`].
    pub fn text(&self) -> String {
        let bytes = std::fs::read(&self.path).unwrap_or_default();
        let start = usize::try_from(self.start).unwrap().min(bytes.len());
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }

    /// Polls (bounded) until the appended text contains `needle`; returns it.
    pub async fn expect(&self, needle: &str, sim: &Sim) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "{}: waiting for {needle:?}\nlog so far:\n{text}\ntranscript:\n{}",
                    self.path.display(),
                    sim.transcript()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Two iaxmodems from `.ci/iaxmodem-pair`; killed when dropped.
pub struct Pair {
    pids: [String; 2],
    /// The two modems' devices (`/dev/ttyIAXA0`, `/dev/ttyIAXB0`).
    pub devices: [PathBuf; 2],
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").args(&self.pids).status();
    }
}

pub fn iaxmodem_pair() -> Pair {
    iaxmodem_pair_named("IAXSA0", "IAXSB0")
}

/// Two iaxmodems on `/dev/tty{a}` and `/dev/tty{b}`: tests that run at once need their own names.
pub fn iaxmodem_pair_named(a: &str, b: &str) -> Pair {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/iaxmodem-pair");
    let out = std::process::Command::new(&script)
        .args([a, b])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.len(), 4, "{line:?}");
    Pair {
        pids: [fields[0].to_owned(), fields[2].to_owned()],
        devices: [PathBuf::from(fields[1]), PathBuf::from(fields[3])],
    }
}

//! A simulated modem on a pseudo-terminal: its path (`/dev/pts/N`) can be opened by any program —
//! minicom, chat, mgetty, or `tsp-modem` through `tokio-serial` — exactly as a real serial port.
//!
//! A pty has no modem control lines (reading DCD or setting DTR fails with `ENOTTY`), so the bridge
//! maps what it can see: a program opening the terminal raises DTR, the last program closing it
//! drops DTR (a modem set to `&D2` hangs up). The bridge notices a close when reading the master
//! side fails with `EIO`, and then polls for the next opener instead of spinning.
//!
//! Real I/O cannot run on paused time; give the network a [`TimeScale`](crate::network::TimeScale)
//! to make telephony faster than life (at 0.01 a 6 s ring cycle takes 60 ms).

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serialport::{ClearBuffer, SerialPort, TTYPort};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use tokio_serial::SerialStream;

use crate::network::DeviceId;
use crate::port::SimPort;
use crate::sim::Sim;

/// `EIO` on Linux: reading a pty master whose slave nobody has open.
const EIO: i32 = 5;

/// How often a hung-up bridge looks for a new opener (real time).
const REOPEN_POLL: Duration = Duration::from_millis(10);

/// A simulated device exposed on a pseudo-terminal. Dropping it stops the bridge and removes the
/// symlink, if one was made.
#[derive(Debug)]
pub struct PtyLink {
    path: PathBuf,
    link: Option<PathBuf>,
    task: JoinHandle<()>,
}

impl PtyLink {
    /// Puts `device`'s serial port on a new pseudo-terminal.
    pub fn spawn(sim: &Sim, device: DeviceId) -> io::Result<PtyLink> {
        let (mut master, slave) =
            TTYPort::pair().map_err(|e| io_error("open a pseudo-terminal", e))?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?;
        // Programs open the slave by path; keeping our own handle would hide their closes.
        drop(slave);
        master
            .set_timeout(Duration::ZERO)
            .map_err(|e| io_error("configure the pseudo-terminal", e))?;
        let task = tokio::spawn(bridge(master, sim.clone(), device, path.clone()));
        Ok(PtyLink {
            path,
            link: None,
            task,
        })
    }

    /// Also makes `link` a symlink to the terminal (a stable name such as `/dev/ttySIM0`).
    pub fn with_symlink(mut self, link: impl Into<PathBuf>) -> io::Result<PtyLink> {
        let link = link.into();
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&self.path, &link).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("symlink {} -> {}: {e}", link.display(), self.path.display()),
            )
        })?;
        self.link = Some(link);
        Ok(self)
    }

    /// The terminal's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The symlink, if one was made, else the terminal's path.
    pub fn name(&self) -> &Path {
        self.link.as_deref().unwrap_or(&self.path)
    }
}

impl Drop for PtyLink {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}

fn io_error(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

fn is_hangup(e: &io::Error) -> bool {
    e.raw_os_error() == Some(EIO) || e.kind() == io::ErrorKind::BrokenPipe
}

/// Whether a program has the terminal open now, by a zero-timeout read of the master: hang-up
/// (`POLLHUP`/`EIO`) means nobody; a timeout or data means somebody. Returns bytes already read.
fn peek_open(master: &mut TTYPort, buf: &mut [u8]) -> Option<usize> {
    match std::io::Read::read(master, buf) {
        Ok(n) => Some(n),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            Some(0)
        }
        Err(_) => None,
    }
}

/// Moves bytes between the pty and the device's port while a program has the terminal open.
///
/// While nobody has it open the master reports a permanent hang-up, which an async reactor would
/// report as readiness forever; so the closed state polls the plain handle every
/// [`REOPEN_POLL`], and each open gets a fresh async registration of a clone of the master.
async fn bridge(mut master: TTYPort, sim: Sim, device: DeviceId, path: PathBuf) {
    let mut first = [0u8; 4096];
    loop {
        let Some(n) = peek_open(&mut master, &mut first) else {
            tokio::time::sleep(REOPEN_POLL).await;
            continue;
        };
        let Some(mut port) = open_port(&sim, device, &path) else {
            tokio::time::sleep(REOPEN_POLL).await;
            continue;
        };
        if n > 0 {
            let _ = port.write_all(&first[..n]).await;
        }
        let stream = master
            .try_clone_native()
            .map_err(|e| io_error("clone the pseudo-terminal", e))
            .and_then(|clone| {
                SerialStream::try_from(clone).map_err(|e| io_error("watch the pseudo-terminal", e))
            });
        match stream {
            Ok(stream) => serve(stream, port, &path).await,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "pty: bridge stops");
                return;
            }
        }
        // Closed by the program: dropping the port dropped DTR; forget what it left unread.
        let _ = master.clear(ClearBuffer::All);
    }
}

/// Carries bytes both ways until the program closes the terminal or the device goes away.
async fn serve(mut master: SerialStream, mut port: SimPort, path: &Path) {
    let mut from_program = [0u8; 4096];
    let mut from_modem = [0u8; 4096];
    loop {
        tokio::select! {
            read = master.read(&mut from_program) => match read {
                Ok(n) if n > 0 => {
                    if let Err(e) = port.write_all(&from_program[..n]).await {
                        tracing::warn!(path = %path.display(), error = %e, "pty: the device refused input");
                    }
                }
                Ok(_) => return,
                Err(e) => {
                    if !is_hangup(&e) {
                        tracing::warn!(path = %path.display(), error = %e, "pty: master failed");
                    }
                    tracing::debug!(path = %path.display(), "pty: closed by the program; DTR drops");
                    return;
                }
            },
            read = port.read(&mut from_modem) => match read {
                Ok(n) if n > 0 => {
                    if let Err(e) = master.write_all(&from_modem[..n]).await {
                        tracing::debug!(path = %path.display(), error = %e, "pty: output lost");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(path = %path.display(), error = %e, "pty: the device is gone");
                    return;
                }
            },
        }
    }
}

fn open_port(sim: &Sim, device: DeviceId, path: &Path) -> Option<SimPort> {
    match sim.open_port(device) {
        Ok(port) => {
            tracing::debug!(path = %path.display(), "pty: opened by a program; DTR up");
            Some(port)
        }
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "pty: device not available");
            None
        }
    }
}

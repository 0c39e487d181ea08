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

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use tokio_serial::{SerialPort, SerialStream};

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
        let (master, slave) =
            SerialStream::pair().map_err(|e| io_error("open a pseudo-terminal", e))?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?;
        // Programs open the slave by path; keeping our own handle would hide their closes.
        drop(slave);
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

fn io_error(what: &str, e: tokio_serial::Error) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

fn is_hangup(e: &io::Error) -> bool {
    e.raw_os_error() == Some(EIO)
}

/// Moves bytes between the pty master and the device's port while a program has the terminal open.
async fn bridge(mut master: SerialStream, sim: Sim, device: DeviceId, path: PathBuf) {
    let mut from_program = [0u8; 4096];
    let mut from_modem = [0u8; 4096];
    let mut port: Option<SimPort> = None;
    loop {
        let Some(open) = port.as_mut() else {
            // Nobody has the terminal open: EIO at once. Somebody does: the read waits.
            match tokio::time::timeout(REOPEN_POLL, master.read(&mut from_program)).await {
                Err(_elapsed) => port = open_port(&sim, device, &path),
                Ok(Ok(n)) if n > 0 => {
                    port = open_port(&sim, device, &path);
                    if let Some(p) = port.as_mut() {
                        let _ = p.write_all(&from_program[..n]).await;
                    }
                }
                Ok(Err(e)) if !is_hangup(&e) => {
                    tracing::warn!(path = %path.display(), error = %e, "pty: master failed; bridge stops");
                    return;
                }
                Ok(_) => tokio::time::sleep(REOPEN_POLL).await,
            }
            continue;
        };
        tokio::select! {
            read = master.read(&mut from_program) => match read {
                Ok(n) if n > 0 => {
                    if let Err(e) = open.write_all(&from_program[..n]).await {
                        tracing::warn!(path = %path.display(), error = %e, "pty: the device refused input");
                    }
                }
                Ok(_) => {}
                Err(e) if is_hangup(&e) => {
                    tracing::debug!(path = %path.display(), "pty: closed by the program; DTR drops");
                    port = None; // closing the port drops DTR
                    let _ = master.clear(tokio_serial::ClearBuffer::All);
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "pty: master failed; bridge stops");
                    return;
                }
            },
            read = open.read(&mut from_modem) => match read {
                Ok(n) if n > 0 => {
                    if let Err(e) = master.write_all(&from_modem[..n]).await {
                        tracing::debug!(path = %path.display(), error = %e, "pty: output lost");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(path = %path.display(), error = %e, "pty: the device is gone");
                    port = None;
                    tokio::time::sleep(REOPEN_POLL).await;
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

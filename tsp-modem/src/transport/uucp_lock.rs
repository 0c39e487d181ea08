//! UUCP lock files, so tsp-modem, mgetty, minicom and pppd never fight over a port.
//!
//! The convention (FHS 3.0 §5.9, Taylor UUCP's "HDB" format): before opening `/dev/ttyACM0` a
//! program creates `/var/lock/LCK..ttyACM0` holding its PID as ten ASCII digits, right-aligned,
//! and a newline; it removes the file when it closes the port. A lock whose PID is no longer
//! running is stale and may be removed. Old programs write the PID as 4 binary bytes; both are read.
//!
//! ```
//! use tsp_modem::transport::uucp_lock::{UucpLock, holder};
//!
//! let dir = tempfile::tempdir()?;
//! let lock = UucpLock::acquire(dir.path(), "/dev/ttyACM0".as_ref())?;
//! assert_eq!(holder(dir.path(), "/dev/ttyACM0".as_ref()), Some(std::process::id()));
//! drop(lock);
//! assert_eq!(holder(dir.path(), "/dev/ttyACM0".as_ref()), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where lock files go: `$TSP_LOCK_DIR` if set, else `/var/lock` (on Debian a link to `/run/lock`).
pub fn default_dir() -> PathBuf {
    std::env::var_os("TSP_LOCK_DIR").map_or_else(|| PathBuf::from("/var/lock"), PathBuf::from)
}

/// The lock file for `device`: `LCK..` and the device's file name, after following symlinks
/// (`/dev/serial/by-id/usb-…` locks as the `ttyACM0` it points to, as mgetty does).
pub fn lock_path(dir: &Path, device: &Path) -> PathBuf {
    let real = std::fs::canonicalize(device).unwrap_or_else(|_| device.to_path_buf());
    let name = real.file_name().map_or_else(
        || real.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    dir.join(format!("LCK..{name}"))
}

/// The PID in a lock file's bytes: ASCII digits (HDB) or 4 binary bytes (old UUCP).
fn parse_pid(bytes: &[u8]) -> Option<u32> {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(pid) = text.trim().parse::<u32>() {
        return Some(pid);
    }
    match bytes {
        [a, b, c, d] => Some(u32::from_ne_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// Whether process `pid` is running (Linux: `/proc/PID` exists).
fn alive(pid: u32) -> bool {
    pid != 0 && Path::new("/proc").join(pid.to_string()).exists()
}

/// The running process that holds `device`'s lock in `dir`, if any (a stale lock is `None`).
pub fn holder(dir: &Path, device: &Path) -> Option<u32> {
    let bytes = std::fs::read(lock_path(dir, device)).ok()?;
    parse_pid(&bytes).filter(|&pid| alive(pid))
}

/// A held lock; dropping it removes the file (if it is still ours).
#[derive(Debug)]
pub struct UucpLock {
    path: PathBuf,
}

/// The port is locked by another running program.
pub fn held_error(dir: &Path, device: &Path, pid: u32) -> io::Error {
    io::Error::new(
        io::ErrorKind::ResourceBusy,
        format!(
            "{} is in use: process {pid} holds its UUCP lock {} (mgetty, minicom or pppd?); stop it, or use another port",
            device.display(),
            lock_path(dir, device).display()
        ),
    )
}

impl UucpLock {
    /// Takes `device`'s lock in `dir`, removing a stale one first.
    ///
    /// # Errors
    /// `ResourceBusy` naming the PID when a running process holds it; the I/O error when the
    /// file cannot be written.
    pub fn acquire(dir: &Path, device: &Path) -> io::Result<UucpLock> {
        let path = lock_path(dir, device);
        let me = std::process::id();
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(format!("{me:>10}\n").as_bytes())?;
                    tracing::debug!(lock = %path.display(), "UUCP lock taken");
                    return Ok(UucpLock { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if let Some(pid) = holder(dir, device) {
                        return Err(held_error(dir, device, pid));
                    }
                    tracing::info!(lock = %path.display(), "removing a stale UUCP lock");
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("create the UUCP lock {}: {e}", path.display()),
                    ));
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!("{}: another program keeps taking the lock", path.display()),
        ))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for UucpLock {
    fn drop(&mut self) {
        let ours = std::fs::read(&self.path)
            .ok()
            .and_then(|b| parse_pid(&b))
            .is_some_and(|pid| pid == std::process::id());
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_lock_holds_our_pid_in_hdb_format_and_goes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let lock = UucpLock::acquire(dir.path(), Path::new("/dev/ttyS7")).unwrap();
        let text = std::fs::read_to_string(dir.path().join("LCK..ttyS7")).unwrap();
        assert_eq!(text, format!("{:>10}\n", std::process::id()));
        assert_eq!(text.len(), 11);
        drop(lock);
        assert!(!dir.path().join("LCK..ttyS7").exists());
    }

    #[test]
    fn a_lock_held_by_a_running_process_is_refused_naming_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        // PID 1 always runs.
        std::fs::write(dir.path().join("LCK..ttyUSB0"), "         1\n").unwrap();
        let err = UucpLock::acquire(dir.path(), Path::new("/dev/ttyUSB0")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ResourceBusy);
        assert!(err.to_string().contains("process 1 holds"), "{err}");
        assert!(
            dir.path().join("LCK..ttyUSB0").exists(),
            "not ours to remove"
        );
    }

    #[test]
    fn a_stale_lock_is_taken_over_in_either_format() {
        let dir = tempfile::tempdir().unwrap();
        for stale in [
            b"4000000000\n".to_vec(),
            4_000_000_000u32.to_ne_bytes().to_vec(),
        ] {
            std::fs::write(dir.path().join("LCK..ttyACM0"), stale).unwrap();
            assert_eq!(holder(dir.path(), Path::new("/dev/ttyACM0")), None);
            let lock = UucpLock::acquire(dir.path(), Path::new("/dev/ttyACM0")).unwrap();
            drop(lock);
        }
    }

    #[test]
    fn garbage_in_a_lock_file_reads_as_stale() {
        assert_eq!(parse_pid(b"hello world"), None);
        assert_eq!(parse_pid(b""), None);
        assert_eq!(parse_pid(b"  42  \n"), Some(42));
    }

    #[test]
    fn a_symlinked_device_locks_as_the_device_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("ttyACM3");
        std::fs::write(&real, "").unwrap();
        let link = dir.path().join("usb-modem");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(
            lock_path(dir.path(), &link),
            dir.path().join("LCK..ttyACM3")
        );
    }
}

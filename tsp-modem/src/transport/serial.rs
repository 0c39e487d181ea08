//! Real serial ports and pseudo-terminals through `tokio-serial`.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_serial::{SerialPort as _, SerialPortBuilderExt, SerialStream};

use super::{ControlLines, ModemPort, PortClock, PortOpener, Signals, uucp_lock};

/// Flow control between the computer and the modem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FlowControl {
    /// None.
    None,
    /// XON/XOFF (breaks binary data; for old modems only).
    Software,
    /// RTS/CTS: what a modem wants at high rates (the default).
    #[default]
    Hardware,
}

impl From<FlowControl> for tokio_serial::FlowControl {
    fn from(flow: FlowControl) -> Self {
        match flow {
            FlowControl::None => tokio_serial::FlowControl::None,
            FlowControl::Software => tokio_serial::FlowControl::Software,
            FlowControl::Hardware => tokio_serial::FlowControl::Hardware,
        }
    }
}

/// Opens a serial port (or a pseudo-terminal) exclusively with `tokio-serial`: 8N1 at `baud`, with
/// `flow_control`.
#[derive(Debug, Clone, PartialEq)]
pub struct SerialPortOpener {
    /// The device path (`/dev/ttyACM0`, `/dev/pts/3`).
    pub path: PathBuf,
    /// The DTE rate (ignored by USB CDC-ACM modems and ptys, hayes.md §8).
    pub baud: u32,
    /// Flow control.
    pub flow_control: FlowControl,
    /// Real seconds per second of the modem behind the port: 1.0 for hardware; less for a
    /// simulated modem on a pty that runs faster than real time (see [`PortClock`]).
    pub time_scale: f64,
    /// Where the port's UUCP lock file goes (default [`uucp_lock::default_dir`]: `/var/lock`,
    /// or `$TSP_LOCK_DIR`); `None` takes no lock. A missing directory means no lock either, and
    /// one this user may not write means no lock with a warning; a lock another running program
    /// holds fails the open with `ResourceBusy` naming its PID.
    pub lock_dir: Option<PathBuf>,
}

impl SerialPortOpener {
    /// An opener for `path` at `baud` with hardware flow control.
    pub fn new(path: impl Into<PathBuf>, baud: u32) -> Self {
        SerialPortOpener {
            path: path.into(),
            baud,
            flow_control: FlowControl::default(),
            time_scale: 1.0,
            lock_dir: Some(uucp_lock::default_dir()),
        }
    }

    /// The same opener with its UUCP lock in `dir`, or with no lock (`None`).
    #[must_use]
    pub fn with_lock_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.lock_dir = dir;
        self
    }

    /// The lock directory, if locking is on and the directory exists.
    fn usable_lock_dir(&self) -> Option<&std::path::Path> {
        self.lock_dir.as_deref().filter(|d| d.is_dir())
    }

    /// The same opener for a modem whose clock runs at `time_scale` real seconds per modem
    /// second (a simulator behind a pty, sped up: 0.1 is ten times faster).
    #[must_use]
    pub fn with_time_scale(mut self, time_scale: f64) -> Self {
        self.time_scale = time_scale;
        self
    }

    /// The same opener with other flow control.
    #[must_use]
    pub fn with_flow_control(mut self, flow_control: FlowControl) -> Self {
        self.flow_control = flow_control;
        self
    }
}

impl PortOpener for SerialPortOpener {
    fn clock(&self) -> PortClock {
        PortClock::scaled(self.time_scale)
    }

    fn check_free(&self) -> io::Result<()> {
        match self.usable_lock_dir() {
            Some(dir) => match uucp_lock::holder(dir, &self.path) {
                Some(pid) if pid != std::process::id() => {
                    Err(uucp_lock::held_error(dir, &self.path, pid))
                }
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>> {
        Box::pin(async move {
            let name = self.name();
            // The UUCP lock first (FHS §5.9): a port mgetty or minicom holds is never touched.
            let lock = match self.usable_lock_dir() {
                Some(dir) => match uucp_lock::UucpLock::acquire(dir, &self.path) {
                    Ok(lock) => Some(lock),
                    // A lock directory this user may not write (root:lock 0775 on some systems):
                    // go on unlocked rather than refuse the port, but say so.
                    Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                        tracing::warn!(port = %name, error = %e, "no UUCP lock (set TSP_LOCK_DIR to a writable directory)");
                        None
                    }
                    Err(e) => return Err(e),
                },
                None => None,
            };
            let stream = tokio_serial::new(name.clone(), self.baud)
                .flow_control(self.flow_control.into())
                .open_native_async()
                .map_err(|e| open_error(&name, e))?;
            let exclusive = stream.exclusive();
            tracing::debug!(port = %name, baud = self.baud, exclusive, "serial port open");
            let mut port = SerialPort::new(stream, name);
            port.lock = lock;
            Ok(Box::new(port) as Box<dyn ModemPort>)
        })
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// `serialport` reports a taken port (`TIOCEXCL` busy, `flock` held) as `NoDevice`, a missing one
/// as `Io(NotFound)`.
fn open_error(name: &str, e: tokio_serial::Error) -> io::Error {
    let kind = match e.kind {
        tokio_serial::ErrorKind::NoDevice => io::ErrorKind::ResourceBusy,
        tokio_serial::ErrorKind::Io(kind) => kind,
        tokio_serial::ErrorKind::InvalidInput => io::ErrorKind::InvalidInput,
        tokio_serial::ErrorKind::Unknown => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("open {name}: {}", e.description))
}

/// `ENOTTY`, which `serialport` reports as an unknown error with the C library's text for it
/// ("Not a typewriter" from glibc, "Inappropriate ioctl for device" elsewhere): a
/// pseudo-terminal has no modem control lines.
fn is_no_control_lines(e: &tokio_serial::Error) -> bool {
    const ENOTTY_TEXTS: [&str; 3] = ["Not a typewriter", "Inappropriate ioctl", "os error 25"];
    e.kind == tokio_serial::ErrorKind::Unknown
        && ENOTTY_TEXTS.iter().any(|t| e.description.contains(t))
}

/// An open serial port or pseudo-terminal.
#[derive(Debug)]
pub struct SerialPort {
    stream: SerialStream,
    name: String,
    no_lines: bool,
    /// The port's UUCP lock, released with the port.
    lock: Option<uucp_lock::UucpLock>,
}

impl SerialPort {
    /// Wraps an open stream; `name` is its path, for messages.
    pub fn new(stream: SerialStream, name: String) -> Self {
        SerialPort {
            stream,
            name,
            no_lines: false,
            lock: None,
        }
    }

    fn lines_error(&mut self, what: &str, e: tokio_serial::Error) -> io::Result<()> {
        if is_no_control_lines(&e) {
            if !self.no_lines {
                tracing::debug!(port = %self.name, "no modem control lines (a pseudo-terminal?)");
            }
            self.no_lines = true;
            return Ok(());
        }
        Err(io::Error::other(format!(
            "{what} on {}: {}",
            self.name, e.description
        )))
    }
}

impl ControlLines for SerialPort {
    fn set_dtr(&mut self, on: bool) -> io::Result<bool> {
        if self.no_lines {
            return Ok(false);
        }
        match self.stream.write_data_terminal_ready(on) {
            Ok(()) => Ok(true),
            Err(e) => self.lines_error("set DTR", e).map(|()| false),
        }
    }

    fn signals(&mut self) -> io::Result<Option<Signals>> {
        if self.no_lines {
            return Ok(None);
        }
        let read = |s: &mut SerialStream| -> Result<Signals, tokio_serial::Error> {
            Ok(Signals {
                dcd: s.read_carrier_detect()?,
                ri: s.read_ring_indicator()?,
                dsr: s.read_data_set_ready()?,
                cts: s.read_clear_to_send()?,
            })
        };
        match read(&mut self.stream) {
            Ok(signals) => Ok(Some(signals)),
            Err(e) => self.lines_error("read DCD", e).map(|()| None),
        }
    }
}

impl AsyncRead for SerialPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SerialPort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enotty_in_any_spelling_means_no_control_lines_and_other_errors_do_not() {
        let err = |kind, text: &str| tokio_serial::Error::new(kind, text);
        let unknown = tokio_serial::ErrorKind::Unknown;
        assert!(is_no_control_lines(&err(unknown, "Not a typewriter")));
        assert!(is_no_control_lines(&err(
            unknown,
            "Inappropriate ioctl for device"
        )));
        assert!(!is_no_control_lines(&err(unknown, "Input/output error")));
        let io = tokio_serial::ErrorKind::Io(io::ErrorKind::NotFound);
        assert!(!is_no_control_lines(&err(io, "Not a typewriter")));
    }

    #[test]
    fn a_taken_port_reads_as_busy_and_a_missing_one_as_not_found() {
        let busy = tokio_serial::Error::new(
            tokio_serial::ErrorKind::NoDevice,
            "Unable to acquire exclusive lock on serial port",
        );
        assert_eq!(
            open_error("/dev/ttyS9", busy).kind(),
            io::ErrorKind::ResourceBusy
        );
        let missing = tokio_serial::Error::new(
            tokio_serial::ErrorKind::Io(io::ErrorKind::NotFound),
            "No such file or directory",
        );
        let e = open_error("/dev/ttyS9", missing);
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(e.to_string().contains("/dev/ttyS9"));
    }
}

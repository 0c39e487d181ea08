//! Transport: the byte stream and control lines between the computer and a modem, and the one
//! async driver that runs the sans-IO [`Engine`](crate::at::Engine) over them.
//!
//! * [`ModemPort`] — anything that is `AsyncRead + AsyncWrite` with [`ControlLines`]: a real serial
//!   port or a pseudo-terminal ([`SerialPort`]), or the simulator's in-memory port
//!   (`tsp_sim::port::SimPort`, with the `sim` feature).
//! * [`PortOpener`] — the seam that makes the same provider run on any of them: it opens a fresh
//!   port each time a line is opened ([`SerialPortOpener`], and `SimPortOpener` with the `sim` feature).
//! * [`Driver`] — owns an open port and an engine: writes what the engine wants written, feeds it
//!   what the port reads and the time, watches DCD, and turns a port failure into
//!   [`DriverError::Lost`].
//! * [`LentPort`] — a connected data call's port lent to the application as its
//!   `comm/datamodem` stream (Unimodem's way), taken back when the line needs it.
//!
//! A pseudo-terminal has no modem control lines: reading DCD or setting DTR fails with `ENOTTY`.
//! That means "unavailable" here, never a fault: the driver then detects carrier loss in band
//! (`NO CARRIER` after a pause) and hangs up with the `+++` escape and `ATH`.

mod clock;
mod control;
mod driver;
mod lent;
mod serial;
#[cfg(feature = "sim")]
mod sim;
pub mod uucp_lock;

use std::io;

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite};

pub use clock::PortClock;
pub use control::{ControlLines, Signals};
pub use driver::{DCD_POLL, Driver, DriverError, IN_BAND_PAUSE};
pub use lent::LentPort;
pub use serial::{FlowControl, SerialPort, SerialPortOpener};
#[cfg(feature = "sim")]
pub use sim::SimPortOpener;

/// An open port to a modem: a duplex byte stream with control lines.
pub trait ModemPort: AsyncRead + AsyncWrite + ControlLines + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + ControlLines + Send + Unpin> ModemPort for T {}

/// Opens the port of one modem, each time its line is opened.
///
/// # Contract
/// - `open` gives a port for exclusive use; a port that is already open elsewhere fails with
///   [`io::ErrorKind::ResourceBusy`], one that does not exist (unplugged) with
///   [`io::ErrorKind::NotFound`].
/// - Dropping the port closes it (and drops DTR where there is one); `open` works again at once.
pub trait PortOpener: Send + Sync + 'static {
    /// Opens the port.
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>>;

    /// The port's name for people and errors (`/dev/ttyACM0`, `sim:device 0`).
    fn name(&self) -> String;

    /// The clock of the modem behind the port: real time for hardware (the default), the
    /// simulation's for a simulated modem (see [`PortClock`]).
    fn clock(&self) -> PortClock {
        PortClock::real()
    }

    /// Whether another program holds the port now (a serial port's UUCP lock, see
    /// [`uucp_lock`]); `Ok` by default.
    ///
    /// # Errors
    /// `ResourceBusy`, naming the program's PID.
    fn check_free(&self) -> io::Result<()> {
        Ok(())
    }
}

//! Modem control lines (V.24 circuits, hayes.md §8) behind a small trait, so a pseudo-terminal
//! (which has none) and the simulator can stand in for a serial port.

use std::io;

/// The input circuits a computer reads from a modem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Signals {
    /// Data Carrier Detect (circuit 109): on while a carrier is up (with `&C1`).
    pub dcd: bool,
    /// Ring Indicator (circuit 125): on during a ring burst.
    pub ri: bool,
    /// Data Set Ready (circuit 107).
    pub dsr: bool,
    /// Clear To Send (circuit 106).
    pub cts: bool,
}

/// DTR out, DCD/RI/DSR/CTS in.
///
/// # Contract
/// - `Ok(false)` / `Ok(None)`: the port has no such lines (a pseudo-terminal answers `ENOTTY`):
///   not a fault, the caller works without them.
/// - `Err`: the port failed (the device is gone).
pub trait ControlLines {
    /// Raises (`true`) or drops (`false`) DTR. `Ok(false)` when the port has no DTR.
    fn set_dtr(&mut self, on: bool) -> io::Result<bool>;

    /// Reads the input circuits. `Ok(None)` when the port has none.
    fn signals(&mut self) -> io::Result<Option<Signals>>;
}

#[cfg(feature = "sim")]
impl ControlLines for tsp_sim::port::SimPort {
    fn set_dtr(&mut self, on: bool) -> io::Result<bool> {
        tsp_sim::port::SimPort::set_dtr(self, on).map(|()| true)
    }

    fn signals(&mut self) -> io::Result<Option<Signals>> {
        let lines = self.control_lines()?;
        Ok(Some(Signals {
            dcd: lines.dcd,
            ri: lines.ri,
            dsr: lines.dsr,
            cts: lines.cts,
        }))
    }
}

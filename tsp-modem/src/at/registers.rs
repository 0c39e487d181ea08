//! The S-registers the engine's timing depends on.

use std::time::Duration;

/// The modem's S-register values that set the engine's timeouts and escape timing.
///
/// The engine starts from these values (V.250 recommendations and the common Rockwell/Conexant
/// defaults, hayes.md §7) and follows successful `ATSn=v` commands for S2, S7, S8 and S12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Registers {
    /// S2: the escape character (default 43, `+`); above 127 disables the escape.
    pub escape_char: u8,
    /// S7: seconds to wait for carrier after dialling or answering (Conexant 50, USR 60).
    pub connect_wait: u8,
    /// S8: seconds a `,` in a dial string pauses (default 2).
    pub comma_pause: u8,
    /// S12: escape guard time in 1/50 s (default 50 = 1 s; 0 = no guard timing).
    pub guard_time: u8,
}

impl Default for Registers {
    fn default() -> Self {
        Self {
            escape_char: b'+',
            connect_wait: 50,
            comma_pause: 2,
            guard_time: 50,
        }
    }
}

impl Registers {
    /// S12 as a duration.
    pub fn guard(&self) -> Duration {
        Duration::from_millis(u64::from(self.guard_time) * 20)
    }

    /// S7 as a duration.
    pub fn connect_wait(&self) -> Duration {
        Duration::from_secs(u64::from(self.connect_wait))
    }

    /// S8 as a duration.
    pub fn comma_pause(&self) -> Duration {
        Duration::from_secs(u64::from(self.comma_pause))
    }

    /// Records a successful `ATSn=v`; registers the engine does not use are ignored.
    pub fn set(&mut self, register: u8, value: u8) {
        match register {
            2 => self.escape_char = value,
            7 => self.connect_wait = value,
            8 => self.comma_pause = value,
            12 => self.guard_time = value,
            _ => {}
        }
    }
}

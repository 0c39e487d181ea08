//! S-registers and the other per-modem settings that `Z`, `&F` and `&W` save and restore
//! (hayes.md §5, §7, §8).

use std::collections::BTreeMap;
use std::time::Duration;

use super::profile::{ConnectReport, Profile};

/// The S-registers a simulated modem has, with the range it accepts for each (V.250 6.2, 6.3;
/// hayes.md §7). Writing outside the range answers `ERROR` and keeps the old value.
const REGISTERS: &[(u8, u8, u8)] = &[
    // (number, lowest, highest)
    (0, 0, 255),
    (1, 0, 255),
    (2, 0, 255),
    (3, 0, 127),
    (4, 0, 127),
    (5, 0, 127),
    (6, 2, 255),
    (7, 1, 255),
    (8, 0, 255),
    (9, 1, 255),
    (10, 1, 255),
    (11, 50, 255),
    (12, 0, 255),
    (25, 0, 255),
    (95, 0, 63),
];

/// The S-register file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SRegisters {
    values: BTreeMap<u8, u8>,
}

impl SRegisters {
    /// Factory values for `profile`.
    pub(crate) fn factory(profile: &Profile) -> Self {
        let mut values = BTreeMap::new();
        for &(n, _, _) in REGISTERS {
            let value = match n {
                2 => 43,
                3 => 13,
                4 => 10,
                5 => 8,
                6 => 2,
                7 => profile.s7,
                8 => profile.s8,
                9 => 6,
                10 => profile.s10,
                11 => 95,
                12 => 50,
                25 => 5,
                _ => 0,
            };
            values.insert(n, value);
        }
        Self { values }
    }

    /// The value of register `n`, if the modem has it.
    pub(crate) fn get(&self, n: u32) -> Option<u8> {
        u8::try_from(n)
            .ok()
            .and_then(|n| self.values.get(&n).copied())
    }

    /// Set register `n`; `false` (and nothing changed) when the register does not exist or the
    /// value is out of its range.
    pub(crate) fn set(&mut self, n: u32, value: u32) -> bool {
        let Ok(n) = u8::try_from(n) else { return false };
        let Some(&(_, low, high)) = REGISTERS.iter().find(|(r, _, _)| *r == n) else {
            return false;
        };
        match u8::try_from(value) {
            Ok(v) if (low..=high).contains(&v) => {
                self.values.insert(n, v);
                true
            }
            _ => false,
        }
    }

    /// Set register `n` without range checks (the modem's own counters, such as S1).
    pub(crate) fn set_internal(&mut self, n: u8, value: u8) {
        self.values.insert(n, value);
    }

    /// All registers in number order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u8, u8)> + '_ {
        self.values.iter().map(|(n, v)| (*n, *v))
    }

    /// Register `n` or 0 (for registers every modem has).
    fn reg(&self, n: u8) -> u8 {
        self.values.get(&n).copied().unwrap_or(0)
    }

    /// S0: rings before auto-answer (0 = off).
    pub(crate) fn auto_answer_rings(&self) -> u8 {
        self.reg(0)
    }
    /// S1: the ring counter.
    pub(crate) fn ring_count(&self) -> u8 {
        self.reg(1)
    }
    /// S2: the escape character (above 127 disables the escape).
    pub(crate) fn escape_char(&self) -> Option<u8> {
        let c = self.reg(2);
        (c <= 127).then_some(c)
    }
    /// S3: the command-line terminator.
    pub(crate) fn terminator(&self) -> u8 {
        self.reg(3)
    }
    /// S4: the response formatting character.
    pub(crate) fn formatter(&self) -> u8 {
        self.reg(4)
    }
    /// S5: the command-line editing character.
    pub(crate) fn backspace(&self) -> u8 {
        self.reg(5)
    }
    /// S6: wait before blind dialling.
    pub(crate) fn blind_dial_wait(&self) -> Duration {
        Duration::from_secs(u64::from(self.reg(6)))
    }
    /// S7: wait for carrier (also the limit of `W` and `@`).
    pub(crate) fn carrier_wait(&self) -> Duration {
        Duration::from_secs(u64::from(self.reg(7)))
    }
    /// S8: the pause of one `,` in a dial string.
    pub(crate) fn comma_pause(&self) -> Duration {
        Duration::from_secs(u64::from(self.reg(8)))
    }
    /// S10: lost carrier to hang-up delay.
    pub(crate) fn carrier_loss_wait(&self) -> Duration {
        Duration::from_millis(100 * u64::from(self.reg(10)))
    }
    /// S12: the escape guard time (`None` when 0: no timing).
    pub(crate) fn guard_time(&self) -> Option<Duration> {
        let g = self.reg(12);
        (g > 0).then(|| Duration::from_millis(20 * u64::from(g)))
    }
}

/// Everything `Z` restores, `&F` resets and `&W` stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `E`: echo command characters.
    pub(crate) echo: bool,
    /// `Q`: suppress result codes.
    pub(crate) quiet: bool,
    /// `V`: verbose result codes.
    pub(crate) verbose: bool,
    /// `X`: result-code subset and call-progress detection.
    pub(crate) x: u32,
    /// `W`: how CONNECT reports the rate.
    pub(crate) connect_report: ConnectReport,
    /// `&C`: DCD follows the carrier (`true`) or is always on.
    pub(crate) dcd_follows_carrier: bool,
    /// `&D`: what a DTR drop does (0–3).
    pub(crate) dtr_mode: u32,
    /// `L`: speaker volume.
    pub(crate) speaker_volume: u32,
    /// `M`: speaker mode.
    pub(crate) speaker_mode: u32,
    /// `T`/`P`: dial with pulses.
    pub(crate) pulse: bool,
    /// `+FCLASS`: the service class (`"0"`, `"1"`, `"8"` …).
    pub(crate) fclass: &'static str,
    /// `+VCID` / `#CID`: caller ID reporting (0 off, 1 formatted, 2 unformatted).
    pub(crate) cid_mode: u32,
    /// `+IPR`: fixed DTE rate (0 = autobaud).
    pub(crate) ipr: u32,
    /// `+IFC`: local flow control (DCE-by-DTE, DTE-by-DCE).
    pub(crate) ifc: (u32, u32),
    /// Commands accepted without a simulated effect, by name.
    pub(crate) passive: BTreeMap<&'static str, u32>,
    /// The S-registers.
    pub(crate) regs: SRegisters,
    /// The `+V` settings of voice mode.
    pub(crate) voice: super::voice::VoiceSettings,
}

impl Settings {
    /// The factory settings of `profile` (`&F`).
    pub(crate) fn factory(profile: &Profile) -> Self {
        Self {
            echo: true,
            quiet: false,
            verbose: true,
            x: 4,
            connect_report: profile.connect_report,
            dcd_follows_carrier: true,
            dtr_mode: 2,
            speaker_volume: 1,
            speaker_mode: 1,
            pulse: false,
            fclass: "0",
            cid_mode: 0,
            ipr: 0,
            ifc: (2, 2),
            passive: profile
                .passive_commands
                .iter()
                .map(|&(name, _, default)| (name, default))
                .collect(),
            regs: SRegisters::factory(profile),
            voice: super::voice::VoiceSettings::factory(profile),
        }
    }

    /// The effective X level for call progress (USR X5–X7 behave like X4 here).
    pub(crate) fn x_level(&self) -> u32 {
        self.x.min(4)
    }
    /// Dial-tone detection on (X2, X4).
    pub(crate) fn detects_dial_tone(&self) -> bool {
        matches!(self.x_level(), 2 | 4)
    }
    /// Busy detection on (X3, X4).
    pub(crate) fn detects_busy(&self) -> bool {
        matches!(self.x_level(), 3 | 4)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn factory_registers_follow_the_profile() {
        let usr = SRegisters::factory(&Profile::usr5637());
        assert_eq!(usr.get(7), Some(60));
        assert_eq!(usr.get(10), Some(7));
        let cx = SRegisters::factory(&Profile::conexant_usb());
        assert_eq!(cx.get(7), Some(50));
        assert_eq!(cx.get(3), Some(13));
        assert_eq!(cx.get(13), None);
    }

    #[test]
    fn out_of_range_writes_are_refused_and_keep_the_old_value() {
        let mut regs = SRegisters::factory(&Profile::v250());
        assert!(!regs.set(3, 200));
        assert!(!regs.set(6, 1));
        assert!(!regs.set(300, 1));
        assert!(!regs.set(7, 256));
        assert_eq!(regs.get(3), Some(13));
        assert!(regs.set(7, 30));
        assert_eq!(regs.carrier_wait(), Duration::from_secs(30));
    }

    #[test]
    fn guard_time_zero_means_no_timing_and_s2_above_127_disables_escape() {
        let mut regs = SRegisters::factory(&Profile::v250());
        assert_eq!(regs.guard_time(), Some(Duration::from_secs(1)));
        regs.set(12, 0);
        assert_eq!(regs.guard_time(), None);
        regs.set(2, 128);
        assert_eq!(regs.escape_char(), None);
    }
}

//! The command line of `tsp-sim` (clap), and how the flags and the config file resolve to a
//! [`Setup`].

use std::path::PathBuf;

use clap::Parser;

use crate::exchange::{CallerIdClock, CallerIdPlacement, SEED_ENV};

use super::config::{self, CallerIdService, ConfigError, MAX_MODEMS, ModemSpec, Setup};

const EXAMPLES: &str = "\
Examples:
  # two V.250 modems on 5550100 and 5550101, real time
  tsp-sim

  # three modems, a USRobotics on the first, stable names /tmp/sim/ttySIM0..2
  tsp-sim --modems 3 --profile usr5637 --profile v250 --link-dir /tmp/sim

  # call waiting on every line, telephony 20 times faster than life
  tsp-sim --call-waiting --time-scale 0.05

  # everything from a file (see the README for its format); check it first
  tsp-sim --config lines.toml --check
  tsp-sim --config lines.toml

  # then, in another terminal, talk to a modem:
  picocom -b 115200 /tmp/sim/ttySIM0        (type ATDT5550101)
  chat -s -V '' AT OK ATDT5550101 CONNECT '' </dev/pts/3 >/dev/pts/3

Commands on stdin (type `help` once it runs; none with --no-commands, for `&`):
  ring LINE [FROM]   a scripted caller (a data modem) rings LINE; FROM is its caller ID
  waiting LINE       a second caller reaches LINE during its call (call waiting)
  hangup LINE        the far end of LINE's call (or the caller ringing it) hangs up
  state              lines, calls and modems;  transcript: everything so far
  quit               or end of input, or Ctrl-C: ptys and symlinks are removed";

/// A simulated telephone exchange with simulated Hayes modems on pseudo-terminals.
///
/// Each modem appears as a pty (`/dev/pts/N`) that any program can open as a serial port:
/// minicom, picocom, chat, mgetty, or tsp-modem. Dial one modem's number from another and they
/// connect; bytes typed on one side come out on the other. Commands on stdin ring lines, inject
/// call-waiting callers and hang up far ends.
#[derive(Debug, Clone, Parser)]
#[command(name = "tsp-sim", version, after_help = EXAMPLES)]
pub struct Args {
    /// How many modems [default: 2, or one per --number]
    #[arg(long, value_name = "N", conflicts_with = "config", value_parser = clap::value_parser!(u16).range(1..=MAX_MODEMS as i64))]
    pub modems: Option<u16>,

    /// The directory number of the next modem (repeat: first modem, second, …) [default:
    /// 5550100, 5550101, …]
    #[arg(long = "number", value_name = "NUMBER", conflicts_with = "config", value_parser = parse_number)]
    pub numbers: Vec<String>,

    /// The modem family of the next modem (repeat like --number; the last one given applies to
    /// the rest) [default: v250] [possible values: v250, conexant-usb, usr5637, iaxmodem]
    #[arg(long = "profile", value_name = "NAME", conflicts_with = "config", value_parser = config::parse_profile)]
    pub profiles: Vec<&'static str>,

    /// Give every line call waiting (a second caller is announced by a tone that drops data
    /// calls unless the caller dialled *70)
    #[arg(long, conflicts_with = "config")]
    pub call_waiting: bool,

    /// The caller-ID name of the next modem's line, sent when it calls (repeat like --number;
    /// punctuation is kept: "O'BRIEN, J.") [default: none]
    #[arg(long = "name", value_name = "NAME", conflicts_with = "config")]
    pub names: Vec<String>,

    /// The caller ID the next modem's line receives (repeat like --profile; the last one given
    /// applies to the rest) [default: number-and-name] [possible values: number-and-name (MDMF),
    /// number (SDMF), none]
    #[arg(long = "caller-id", value_name = "SERVICE", conflicts_with = "config", value_parser = CallerIdService::parse)]
    pub caller_ids: Vec<CallerIdService>,

    /// Send caller ID before the first ring (BT SIN 227, the UK) instead of between the first
    /// and second ring (North America) [default: the file's, or after the first ring]
    #[arg(long)]
    pub caller_id_before_ring: bool,

    /// Caller ID's date and time at start, MM-DD HH:MM (24-hour), advancing with simulated
    /// time [default: the file's, or this computer's local time]
    #[arg(long, value_name = "\"MM-DD HH:MM\"", value_parser = config::parse_clock)]
    pub clock: Option<CallerIdClock>,

    /// Read modems and exchange settings from this TOML file (instead of --modems, --number,
    /// --profile, --call-waiting, --name, --caller-id)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Real seconds per simulated second: 1.0 is real time, 0.05 makes a 6 s ring cycle take
    /// 0.3 s [default: 1.0, or the file's]
    #[arg(long, value_name = "F", value_parser = parse_time_scale)]
    pub time_scale: Option<f64>,

    /// The run's seed (printed at start; the same seed replays the same run)
    #[arg(long, value_name = "S", env = SEED_ENV)]
    pub seed: Option<u64>,

    /// Also make DIR/ttySIM0, DIR/ttySIM1, … symlinks to the ptys (removed on exit); mgetty
    /// wants a name under /dev, so `--link-dir /dev` works for it
    #[arg(long, value_name = "DIR")]
    pub link_dir: Option<PathBuf>,

    /// Read no commands from stdin: run until Ctrl-C or SIGTERM (in the background with `&`,
    /// where stdin is closed or belongs to the shell, or as a service)
    #[arg(long)]
    pub no_commands: bool,

    /// More diagnostics on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Check the --config file and exit: the problem with its line (exit status 2), or a summary
    /// of the modems it describes (exit status 0). Starts nothing.
    #[arg(long, requires = "config")]
    pub check: bool,
}

fn parse_number(text: &str) -> Result<String, String> {
    config::check_number(text).map(|()| text.to_owned())
}

fn parse_time_scale(text: &str) -> Result<f64, String> {
    let factor: f64 = text
        .parse()
        .map_err(|_| format!("time scale {text:?}: expected a number such as 0.05"))?;
    config::parse_time_scale_factor(factor).map(|s| s.factor())
}

impl Args {
    /// The setup these flags describe, reading `--config` if given. Flags given alongside the
    /// file (`--seed`, `--time-scale`, `--link-dir`) override the file's values.
    pub fn setup(&self) -> Result<Setup, ConfigError> {
        let mut setup = match &self.config {
            Some(path) => config::load(path)?,
            None => Setup {
                modems: self.modem_specs()?,
                ..Setup::default()
            },
        };
        if let Some(seed) = self.seed {
            setup.seed = Some(seed);
        }
        if let Some(factor) = self.time_scale {
            setup.time_scale = config::parse_time_scale_factor(factor).map_err(flags_error)?;
        }
        if let Some(dir) = &self.link_dir {
            setup.link_dir = Some(dir.clone());
        }
        if self.caller_id_before_ring {
            setup.caller_id_placement = CallerIdPlacement::BeforeFirstRing;
        }
        if let Some(clock) = self.clock {
            setup.clock = Some(clock);
        }
        Ok(setup)
    }

    fn modem_specs(&self) -> Result<Vec<ModemSpec>, ConfigError> {
        let count = match self.modems {
            Some(n) if usize::from(n) < self.numbers.len() => {
                return Err(flags_error(format!(
                    "--modems {n} but {} numbers given with --number",
                    self.numbers.len()
                )));
            }
            Some(n) => usize::from(n),
            None => self.numbers.len().max(2),
        };
        for (flag, given) in [
            ("--profile", self.profiles.len()),
            ("--name", self.names.len()),
            ("--caller-id", self.caller_ids.len()),
        ] {
            if given > count {
                return Err(flags_error(format!(
                    "{given} values given with {flag} for {count} modems"
                )));
            }
        }
        let mut modems: Vec<ModemSpec> = Vec::with_capacity(count);
        let mut next_default = 0;
        for index in 0..count {
            let number = match self.numbers.get(index) {
                Some(number) => number.clone(),
                None => loop {
                    // Skip defaults taken by explicit numbers.
                    let candidate = config::default_number(next_default);
                    next_default += 1;
                    if !self.numbers.contains(&candidate)
                        && !modems.iter().any(|m| m.number == candidate)
                    {
                        break candidate;
                    }
                },
            };
            if let Some(first) = modems.iter().position(|m| m.number == number) {
                return Err(flags_error(format!(
                    "--number {number} is given twice (modems {first} and {index})"
                )));
            }
            let profile = self
                .profiles
                .get(index)
                .or(self.profiles.last())
                .copied()
                .unwrap_or("v250");
            modems.push(ModemSpec {
                call_waiting: self.call_waiting,
                name: self.names.get(index).cloned(),
                caller_id: self
                    .caller_ids
                    .get(index)
                    .or(self.caller_ids.last())
                    .copied()
                    .unwrap_or_default(),
                ..ModemSpec::new(number, profile)
            });
        }
        Ok(modems)
    }
}

fn flags_error(message: String) -> ConfigError {
    ConfigError::Invalid {
        origin: "flags".into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn args(line: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("tsp-sim").chain(line.iter().copied()))
    }

    fn numbers(setup: &Setup) -> Vec<&str> {
        setup.modems.iter().map(|m| m.number.as_str()).collect()
    }

    #[test]
    fn no_flags_give_two_v250_modems_on_real_time() {
        let setup = args(&[]).unwrap().setup().unwrap();
        assert_eq!(setup.modems, Setup::default().modems);
        assert_eq!(setup.link_dir, None);
        assert_eq!(numbers(&setup), ["5550100", "5550101"]);
        assert_eq!(setup.time_scale.factor(), 1.0);
    }

    #[test]
    fn the_last_profile_applies_to_the_remaining_modems() {
        let setup = args(&[
            "--modems",
            "3",
            "--profile",
            "usr5637",
            "--profile",
            "conexant",
        ])
        .unwrap()
        .setup()
        .unwrap();
        let profiles: Vec<_> = setup.modems.iter().map(|m| m.profile).collect();
        assert_eq!(profiles, ["usr5637", "conexant-usb", "conexant-usb"]);
    }

    #[test]
    fn explicit_numbers_come_first_and_defaults_skip_them() {
        let setup = args(&["--modems", "3", "--number", "5550101"])
            .unwrap()
            .setup()
            .unwrap();
        assert_eq!(numbers(&setup), ["5550101", "5550100", "5550102"]);
    }

    #[test]
    fn numbers_alone_set_the_modem_count() {
        let setup = args(&["--number", "1", "--number", "2", "--number", "3"])
            .unwrap()
            .setup()
            .unwrap();
        assert_eq!(numbers(&setup), ["1", "2", "3"]);
    }

    #[test]
    fn call_waiting_applies_to_every_line() {
        let setup = args(&["--call-waiting"]).unwrap().setup().unwrap();
        assert!(setup.modems.iter().all(|m| m.call_waiting));
    }

    #[test]
    fn contradictory_flags_are_refused_with_a_reason() {
        let err = args(&["--modems", "1", "--number", "1", "--number", "2"])
            .unwrap()
            .setup()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "flags: --modems 1 but 2 numbers given with --number"
        );
        let err = args(&["--number", "7", "--number", "7"])
            .unwrap()
            .setup()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "flags: --number 7 is given twice (modems 0 and 1)"
        );
        let err = args(&[
            "--profile",
            "v250",
            "--profile",
            "v250",
            "--profile",
            "v250",
        ])
        .unwrap()
        .setup()
        .unwrap_err();
        assert!(
            err.to_string().contains("3 values given with --profile"),
            "{err}"
        );
        let err = args(&["--modems", "1", "--name", "A", "--name", "B"])
            .unwrap()
            .setup()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("2 values given with --name for 1 modems"),
            "{err}"
        );
    }

    #[test]
    fn caller_id_flags_set_each_line_and_the_exchange() {
        let setup = args(&[
            "--modems",
            "3",
            "--name",
            "O'BRIEN, J.",
            "--caller-id",
            "number-and-name",
            "--caller-id",
            "number",
            "--caller-id-before-ring",
            "--clock",
            "03-21 14:05",
        ])
        .unwrap()
        .setup()
        .unwrap();
        let names: Vec<_> = setup.modems.iter().map(|m| m.name.as_deref()).collect();
        assert_eq!(names, [Some("O'BRIEN, J."), None, None]);
        let services: Vec<_> = setup.modems.iter().map(|m| m.caller_id).collect();
        assert_eq!(
            services,
            [
                CallerIdService::NumberAndName,
                CallerIdService::Number,
                CallerIdService::Number
            ],
            "the last --caller-id applies to the rest"
        );
        assert_eq!(
            setup.caller_id_placement,
            CallerIdPlacement::BeforeFirstRing
        );
        assert_eq!(
            setup.clock.map(|c| (c.month, c.day, c.hour, c.minute)),
            Some((3, 21, 14, 5))
        );
        assert!(args(&["--caller-id", "sometimes"]).is_err());
    }

    #[test]
    fn bad_values_are_refused_by_the_parser() {
        for bad in [
            &["--profile", "zoom"][..],
            &["--number", "555-0100"],
            &["--time-scale", "0"],
            &["--time-scale", "fast"],
            &["--modems", "0"],
            &["--config", "x.toml", "--modems", "2"],
        ] {
            assert!(args(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn seed_and_time_scale_flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.toml");
        std::fs::write(
            &path,
            "[exchange]\nseed = 1\ntime_scale = 2.0\n[[modem]]\nnumber = \"42\"\n",
        )
        .unwrap();
        let path_arg = path.to_str().unwrap();
        let setup = args(&["--config", path_arg]).unwrap().setup().unwrap();
        assert_eq!((setup.seed, setup.time_scale.factor()), (Some(1), 2.0));
        let setup = args(&["--config", path_arg, "--seed", "9", "--time-scale", "0.1"])
            .unwrap()
            .setup()
            .unwrap();
        assert_eq!((setup.seed, setup.time_scale.factor()), (Some(9), 0.1));
        assert_eq!(numbers(&setup), ["42"]);
    }

    #[test]
    fn the_help_teaches_with_examples() {
        let help = args(&["--help"]).unwrap_err().to_string();
        assert!(help.contains("Examples:"), "{help}");
        assert!(help.contains("ring LINE [FROM]"), "{help}");
        assert!(help.contains("--link-dir"), "{help}");
    }
}

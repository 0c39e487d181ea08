//! The command line, with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tsp_sdk::dial::{DialMode, Location};

/// Drive Hayes AT modems on serial and USB ports the way TAPI does: find and probe the modem, dial
/// and answer with call waiting suppressed, watch caller ID.
///
/// Every command that talks to a modem takes --port PATH (real hardware, a USB modem is usually
/// /dev/ttyACM0), --sim (an embedded simulated exchange: 5550100 answers as a data modem and
/// echoes what you type, 5550111 is busy, and for answer/monitor 5550123 calls you), or
/// --server SOCKET (the lines a `tsp-modem serve` shares among many applications), so everything
/// can be tried with no modem.
///
/// Examples:
///
///   tsp-modem ports
///
///   tsp-modem probe --port /dev/ttyACM0
///
///   tsp-modem dial --sim --secure 5550100
///
///   tsp-modem serve --sim &          # four simulated lines for many applications
///
///   tsp-modem status
///
///   tsp-modem dial --server --line 0 5550100     # or --server /path/to/tsp.sock
///
///   tsp-modem translate "+1 (425) 555-0100" --country 1 --area 206 --cancel-call-waiting "*70,"
///
///   tsp-modem monitor --port /dev/ttyACM0
#[derive(Debug, Parser)]
#[command(name = "tsp-modem", version, verbatim_doc_comment, after_help = super::EXIT_CODES)]
pub struct Cli {
    /// More logging (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// A TOML configuration file with [[line]] entries (port, baud, profile, init, location).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Machine-readable output: one JSON object per line (ports, probe, translate, status; the
    /// live events of monitor on stdout, of dial and answer on stderr). Schemas: README, "JSON".
    #[arg(long, global = true)]
    pub json: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List serial ports, with USB vendor, product and serial number where the OS gives them.
    Ports,
    /// Identify a modem: manufacturer, model, revision, service classes, caller-ID support, the
    /// profile and quirks tsp-modem will use.
    Probe(Target),
    /// Place a call and show its states live; after CONNECT, stdin and stdout are the data stream.
    Dial(DialArgs),
    /// Wait for a call, answer it, and connect stdin and stdout to it.
    Answer(AnswerArgs),
    /// Show rings and caller ID as they arrive, until interrupted.
    Monitor(MonitorArgs),
    /// Show the dialable string TAPI's address translation makes of a number.
    Translate(TranslateArgs),
    /// Serve lines to many applications over a Unix socket (TAPI's server): the lines of
    /// --config, one --port, or with --sim four simulated lines. Stops cleanly on SIGTERM/SIGINT.
    Serve(ServeArgs),
    /// Show what a server tracks: lines and who has them open, applications, calls with their
    /// owners and monitors, pending requests, request recipients.
    Status(StatusArgs),
    /// Be an Assisted Telephony request recipient on a server: print (and with --place, place)
    /// the calls other programs ask for with `request-call`.
    Recipient(RecipientArgs),
    /// Ask a server's request recipient to place a call (TAPI's tapiRequestMakeCall).
    RequestCall(RequestCallArgs),
    /// Work with configuration files (`config check FILE`).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a completion script for a shell to stdout, e.g.
    /// `tsp-modem completions bash > /etc/bash_completion.d/tsp-modem`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout; with --dir, write tsp-modem.1 and one page per
    /// subcommand (tsp-modem-dial.1, …) there.
    Man {
        /// Where to write the pages (e.g. /usr/local/share/man/man1).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: every problem with its line, errors and warnings; exit 2 if it
    /// has errors. The annotated example is tsp-modem/examples/tsp-modem.toml.
    Check {
        /// The file.
        file: PathBuf,
    },
}

/// A server's socket: `--server PATH` (a path with a `/`), `--server=PATH`, or the default one
/// (`$XDG_RUNTIME_DIR/tsp/tsp.sock`).
#[derive(Debug, Args, Clone)]
pub struct ServerArg {
    /// The server's socket: --server PATH (a path with a /) or --server=PATH; alone, the default
    /// ($XDG_RUNTIME_DIR/tsp/tsp.sock, or /tmp/tsp-UID/tsp.sock without it).
    #[arg(long = "server", value_name = "SOCKET", num_args = 0..=1, require_equals = true)]
    #[allow(clippy::option_option)]
    pub server: Option<Option<PathBuf>>,
}

impl ServerArg {
    /// The socket to use.
    pub fn path(&self) -> PathBuf {
        self.server
            .clone()
            .flatten()
            .unwrap_or_else(tsp_sdk::rpc::default_socket_path)
    }
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen (default: $XDG_RUNTIME_DIR/tsp/tsp.sock, or /tmp/tsp-UID/tsp.sock without it). Created mode 0660.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Serve four simulated modem lines on an embedded exchange (5550191..5550194; 5550100 echoes,
    /// 5550111 is busy) instead of hardware.
    #[arg(long, conflicts_with = "port")]
    pub sim: bool,
    /// Serve the modem on this port (one line) instead of --config's lines.
    #[arg(long, value_name = "PATH")]
    pub port: Option<PathBuf>,
    /// Serial speed for --port.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// Also allow this user id (repeatable; this user and root always may).
    #[arg(long = "allow-uid", value_name = "UID")]
    pub allow_uid: Vec<u32>,
    /// Allow clients whose primary group is this group id (repeatable). The check reads the
    /// peer's credentials (SO_PEERCRED), which carry the primary gid only: a client that is only a
    /// supplementary member of the group is refused; name its uid with --allow-uid instead.
    #[arg(long = "allow-gid", value_name = "GID")]
    pub allow_gid: Vec<u32>,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Which server.
    #[command(flatten)]
    pub server: ServerArg,
}

/// `recipient`.
#[derive(Debug, Args)]
pub struct RecipientArgs {
    /// Which server.
    #[command(flatten)]
    pub server: ServerArg,
    /// Priority among recipients: 1 is the highest, 0 (default) unlisted.
    #[arg(long, default_value_t = 0)]
    pub priority: u32,
    /// The line to place requested calls on (its TAPI device id).
    #[arg(long, default_value_t = 0)]
    pub line: u32,
    /// Place the requested calls (a voice call that is dropped once it rings through);
    /// without it requests are only printed.
    #[arg(long)]
    pub place: bool,
    /// Stop after this many seconds (default: until interrupted).
    #[arg(long, value_name = "SECONDS")]
    pub for_seconds: Option<u64>,
}

/// `request-call`.
#[derive(Debug, Args)]
pub struct RequestCallArgs {
    /// The number to call.
    pub number: String,
    /// Which server.
    #[command(flatten)]
    pub server: ServerArg,
    /// Who asks (shown to the recipient).
    #[arg(long, default_value = "tsp-modem request-call")]
    pub app_name: String,
    /// Who is called, for display.
    #[arg(long, default_value = "")]
    pub called_party: String,
    /// A comment.
    #[arg(long, default_value = "")]
    pub comment: String,
}

/// Which modem: `--port`, `--sim` or `--server` (at most one).
#[derive(Debug, Args, Clone)]
pub struct Target {
    /// The modem's serial port (`/dev/ttyACM0`, `/dev/ttyUSB0`, `/dev/ttyS0`).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["sim", "server"])]
    pub port: Option<PathBuf>,

    /// Use a simulated modem on an embedded simulated exchange instead of hardware.
    #[arg(long, conflicts_with = "server")]
    pub sim: bool,

    /// Use a line of a `tsp-modem serve` over its socket, shared with other applications:
    /// --server alone for the default socket ($XDG_RUNTIME_DIR/tsp/tsp.sock, or
    /// /tmp/tsp-UID/tsp.sock without it), --server PATH (a path with a /) or --server=PATH for
    /// another.
    #[arg(long, value_name = "SOCKET", num_args = 0..=1, require_equals = true)]
    #[allow(clippy::option_option)]
    pub server: Option<Option<PathBuf>>,

    /// Serial speed.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,

    /// Force a built-in profile (`v250`, `usr`, `conexant`, `lucent-venus`, `rockwell`) instead of identifying.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// With --server: which line (its TAPI device id; `tsp-modem status` lists them).
    #[arg(long, value_name = "DEVICE", default_value_t = 0)]
    pub line: u32,
}

impl Target {
    /// The server's socket, when --server was given (an empty value: the default socket).
    pub fn server_path(&self) -> Option<PathBuf> {
        self.server
            .as_ref()
            .map(|p| p.clone().unwrap_or_else(tsp_sdk::rpc::default_socket_path))
    }
}

/// Where the line dials from (TAPI's "location"): prefixes, tone or pulse, cancel code.
#[derive(Debug, Args, Clone, Default)]
pub struct LocationArgs {
    /// Your country code (1 for North America).
    #[arg(long, value_name = "CODE")]
    pub country: Option<u32>,
    /// Your area (city) code.
    #[arg(long, value_name = "CODE")]
    pub area: Option<String>,
    /// What to dial for an outside line on local calls (`9`).
    #[arg(long, value_name = "DIGITS")]
    pub local_prefix: Option<String>,
    /// What to dial for an outside line on long-distance calls.
    #[arg(long, value_name = "DIGITS")]
    pub long_distance_prefix: Option<String>,
    /// The code that turns call waiting off for one call (`*70,`, `1170,`, `70#,`).
    #[arg(long, value_name = "CODE")]
    pub cancel_call_waiting: Option<String>,
    /// Dial with pulses instead of tones.
    #[arg(long)]
    pub pulse: bool,
}

impl LocationArgs {
    /// The location these flags describe, on top of `base` (from the config file, or the default).
    pub fn apply(&self, mut location: Location) -> Location {
        if let Some(country) = self.country {
            location.country_code = country;
        }
        if let Some(area) = &self.area {
            location.area_code = area.clone();
            if location.country_code == 0 {
                location.country_code = 1;
            }
        }
        if let Some(p) = &self.local_prefix {
            location.local_access = p.clone();
        }
        if let Some(p) = &self.long_distance_prefix {
            location.long_distance_access = p.clone();
        }
        if let Some(code) = &self.cancel_call_waiting {
            location.cancel_call_waiting = code.clone();
        }
        if self.pulse {
            location.dial_mode = DialMode::Pulse;
        }
        if location.country_code == 1 {
            // North America: the prefixes every location there uses, unless configured.
            let nanp = Location::nanp(location.area_code.clone());
            if location.long_distance_prefix.is_empty() {
                location.long_distance_prefix = nanp.long_distance_prefix;
            }
            if location.international_prefix.is_empty() {
                location.international_prefix = nanp.international_prefix;
            }
        }
        location
    }
}

/// `dial`.
#[derive(Debug, Args)]
pub struct DialArgs {
    /// The number: dialable (`5550101`, `T9,5550101`) or canonical (`+1 (425) 555-0101`).
    pub number: String,
    /// Secure the call: dial the cancel-call-waiting code first so a second caller cannot break a
    /// data or fax session (needs --cancel-call-waiting or a location with one; --sim uses `*70`).
    #[arg(long)]
    pub secure: bool,
    /// The media: data (default), fax or voice.
    #[arg(long, value_enum, default_value_t = Media::Data)]
    pub media: Media,
    /// Hang up after this many seconds connected (default: when stdin ends).
    #[arg(long, value_name = "SECONDS")]
    pub hang_up_after: Option<u64>,
    /// Which modem.
    #[command(flatten)]
    pub target: Target,
    /// Where the line dials from.
    #[command(flatten)]
    pub location: LocationArgs,
}

/// `answer`.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// Give up after this many seconds without a call.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub wait: u64,
    /// With --sim: the simulated caller rings after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    pub sim_call_after: u64,
    /// Hang up after this many seconds connected (default: when stdin ends).
    #[arg(long, value_name = "SECONDS")]
    pub hang_up_after: Option<u64>,
    /// Which modem.
    #[command(flatten)]
    pub target: Target,
}

/// `monitor`.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Stop after this many seconds (default: until interrupted).
    #[arg(long, value_name = "SECONDS")]
    pub for_seconds: Option<u64>,
    /// Also take ownership of incoming data calls (never answering them), so the line detects
    /// them: the default on a modem used directly, where no other application could; with
    /// --server, watch only what other applications own and place.
    #[arg(long)]
    pub owner: bool,
    /// With --sim: the simulated caller rings after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    pub sim_call_after: u64,
    /// Which modem.
    #[command(flatten)]
    pub target: Target,
}

/// `translate`.
#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// The number, canonical (`+1 (425) 555-0100`) or dialable.
    pub number: String,
    /// Put the cancel-call-waiting code first (LINETRANSLATEOPTION_CANCELCALLWAITING).
    #[arg(long)]
    pub secure: bool,
    /// Where the line dials from.
    #[command(flatten)]
    pub location: LocationArgs,
}

/// Media modes `dial` can place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Media {
    /// A data-modem call.
    Data,
    /// A G3 fax call.
    Fax,
    /// A voice call (PROCEEDING is as far as a data modem can tell).
    Voice,
}

/// `--server PATH` written with a space: clap takes `--server`'s value only with `=` (so
/// `dial --server 5550100` dials 5550100 through the default socket), so a following argument
/// that is clearly a path (it holds a `/`, which no phone number does) is joined to it here.
pub fn join_server_path<I>(args: I) -> Vec<std::ffi::OsString>
where
    I: IntoIterator<Item = std::ffi::OsString>,
{
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        let is_path = |next: &std::ffi::OsString| next.to_string_lossy().contains('/');
        if arg == "--server" && args.peek().is_some_and(is_path) {
            let mut joined = std::ffi::OsString::from("--server=");
            if let Some(path) = args.next() {
                joined.push(path);
            }
            out.push(joined);
        } else {
            out.push(arg);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Cli {
        Cli::parse_from(join_server_path(line.split(' ').map(Into::into)))
    }

    fn dial(cli: Cli) -> DialArgs {
        match cli.command {
            Command::Dial(args) => args,
            other => panic!("not dial: {other:?}"),
        }
    }

    #[test]
    fn server_takes_a_path_after_a_space_or_an_equals_sign() {
        for line in [
            "tsp-modem dial --server /run/tsp.sock 5550100",
            "tsp-modem dial --server=/run/tsp.sock 5550100",
        ] {
            let args = dial(parse(line));
            assert_eq!(
                args.target.server,
                Some(Some(PathBuf::from("/run/tsp.sock"))),
                "{line}"
            );
            assert_eq!(args.number, "5550100", "{line}");
        }
    }

    #[test]
    fn a_bare_server_before_a_number_means_the_default_socket() {
        let args = dial(parse("tsp-modem dial --server 5550100"));
        assert_eq!(args.target.server, Some(None));
        assert_eq!(args.number, "5550100");
    }
}

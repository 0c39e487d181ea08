//! A fax terminal's T.30 procedure over a Class 1 modem (ITU T.30 over T.31): what a fax
//! program such as efax does after the modem's `CONNECT`, for tests and far ends.
//!
//! A Class 1 modem leaves T.30 to its DTE (hayes.md §9): the DTE reads and writes each HDLC
//! frame (`+FRH=3`/`+FTH=3`), the training check and the page (`+FRM`/`+FTM`), and keeps the
//! turnaround between them (`+FTS`). [`FaxTerminal`] is that DTE, over any byte stream: a
//! simulated modem's port, a pseudo-terminal, a real serial port, or a provider's
//! `comm/datamodem` stream of a G3FAX call (Unimodem's way: the modem is in Class 1 and the
//! application's own T.30 runs over the call's stream; tapi.md §7).
//!
//! The session is one-dimensional (Modified Huffman), standard resolution, A4, without error
//! correction: phase B (DIS / DCS, TCF, CFR or FTT, falling back one rate at a time), phase C
//! (each page at the trained rate, lines filled to the receiver's minimum scan-line time),
//! phase D (MPS or EOP, MCF or RTN, three tries) and phase E (DCN). The calling terminal
//! sends and the called one receives.
//!
//! Timers are tokio's, so a session on paused time (a simulated modem) takes no wall-clock time.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use std::time::Instant;
//! use tsp_sim::exchange::LineConfig;
//! use tsp_sim::modem::{Profile, SimModem};
//! use tsp_sim::network::Network;
//! use tsp_sim::sim::Sim;
//! use tsp_sim::t30::{FaxTerminal, Options, Page};
//!
//! let mut network = Network::builder().build(Instant::now());
//! let a = network.add_line(LineConfig::new("5550100"));
//! let b = network.add_line(LineConfig::new("5550101"));
//! let da = network.attach_device(a, SimModem::new(Profile::v250())).unwrap();
//! let db = network.attach_device(b, SimModem::new(Profile::v250())).unwrap();
//! let sim = Sim::start(network);
//!
//! let mut caller = FaxTerminal::new(sim.open_port(da).unwrap(), Options::new("5550100"));
//! let mut called = FaxTerminal::new(sim.open_port(db).unwrap(), Options::new("5550101"));
//! called.set_up().await.unwrap();
//! caller.set_up().await.unwrap();
//! let receiving = tokio::spawn(async move {
//!     called.answer_when_rung().await.unwrap();
//!     called.receive().await.unwrap()
//! });
//! caller.dial("5550101").await.unwrap();
//! let sent = caller.send(&[Page::white(100)]).await.unwrap();
//! let received = receiving.await.unwrap();
//! assert_eq!(sent.pages, 1);
//! assert_eq!(received.pages[0].lines(), Page::white(100).lines());
//! assert_eq!(received.remote_ident, "5550100");
//! # }
//! ```

mod dce;
mod frame;
mod page;
mod rate;
mod receive;
mod send;

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

pub use frame::{Capabilities, Frame, FrameError, fcf, ident_fif};
pub use page::Page;
pub use rate::Rate;

use dce::{Answer, Dce};

/// T.30's T1: how long a terminal tries to make contact (35 s ± 5 s).
const T1: Duration = Duration::from_secs(35);
/// T.30's T2: how long a receiver waits for a command (6 s ± 1 s).
const T2: Duration = Duration::from_secs(6);
/// T.30's T4: how long a transmitter waits for a response (3 s ± 15 %).
const T4: Duration = Duration::from_secs(3);
/// How long the training check (TCF) lasts: 1.5 s of zeros (T.30 5.3.6.2.9 note).
const TCF: Duration = Duration::from_millis(1500);
/// How many times a command without a response is sent (T.30 5.4.3.2: three tries).
const TRIES: usize = 3;
/// The `+FTS` silence before transmitting after a reception: 80 ms, within T.30's 75 ± 20 ms.
const TURNAROUND: &str = "AT+FTS=8";

/// What went wrong in a fax session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum T30Error {
    /// The modem did not answer in time.
    #[error("no answer from the modem in time, waiting for {0}")]
    Timeout(String),
    /// The stream closed.
    #[error("the modem's stream closed, waiting for {0}")]
    Closed(String),
    /// Reading or writing the stream failed.
    #[error("the modem's stream failed: {0}")]
    Io(String),
    /// The modem answered a command with something else than the session needed.
    #[error("{command}: the modem answered {answer} ({doing})")]
    Modem {
        /// The command line.
        command: String,
        /// Its result code.
        answer: String,
        /// What the session was doing.
        doing: String,
    },
    /// The far terminal did not follow T.30, or stopped answering.
    #[error("{0}")]
    Protocol(String),
    /// The far terminal refused a page (RTN after three tries) or the training at every rate.
    #[error("{0}")]
    Refused(String),
}

/// A terminal's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The identity sent in TSI or CSI (T.30 5.3.6.2.4: up to 20 digits, `+` and spaces).
    pub ident: String,
    /// The rates the local modem has, fastest first ([`Rate::V29_AND_V27`] unless set).
    pub rates: Vec<Rate>,
    /// As a receiver, the minimum scan-line time offered in DIS, in milliseconds (0, 5, 10, 20
    /// or 40).
    pub min_scan_ms: u32,
    /// Fine resolution (7.7 lines/mm, T.30 bit 15): as a receiver, offered in DIS; as a
    /// sender, the pages' resolution, declared in DCS when the receiver offers it (a
    /// receiver without it gets the lines as they are, twice as tall).
    pub fine: bool,
}

impl Options {
    /// A terminal identified as `ident` with the usual rates, a 0 ms scan-line time and fine
    /// resolution (as efix makes pages).
    pub fn new(ident: &str) -> Self {
        Options {
            ident: ident.to_owned(),
            rates: Rate::V29_AND_V27.to_vec(),
            min_scan_ms: 0,
            fine: true,
        }
    }
}

/// A finished transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// Pages the receiver confirmed (MCF).
    pub pages: usize,
    /// The rate the pages went at.
    pub rate: Rate,
    /// The receiver's CSI.
    pub remote_ident: String,
}

/// A finished reception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The pages, as their T.4 data arrived from the first EOL on ([`Page::from_received`]:
    /// fill and the modem's trailing zeros included).
    pub pages: Vec<Page>,
    /// The rate the pages came at.
    pub rate: Rate,
    /// The sender's TSI.
    pub remote_ident: String,
}

/// A fax terminal (the DTE's T.30) driving a Class 1 modem over `S`.
pub struct FaxTerminal<S> {
    dce: Dce<S>,
    options: Options,
    log: Vec<String>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> FaxTerminal<S> {
    /// A terminal on `io`, a Class 1 modem's command interface.
    pub fn new(io: S, options: Options) -> Self {
        FaxTerminal {
            dce: Dce::new(io),
            options,
            log: Vec::new(),
        }
    }

    /// The frames and steps of the session so far, one line each (`← DIS: 9600 bit/s V.29, …`).
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// The stream back.
    pub fn into_inner(self) -> S {
        self.dce.into_inner()
    }

    /// Puts the modem in Class 1 with verbose result codes and no echo (`ATE0V1`,
    /// `AT+FCLASS=1`): before [`dial`](Self::dial) or [`answer_when_rung`](Self::answer_when_rung)
    /// on a modem of one's own (a provider's stream is already set up).
    ///
    /// # Errors
    /// [`T30Error::Modem`] when the modem refuses either.
    pub async fn set_up(&mut self) -> Result<(), T30Error> {
        self.expect("ATE0V1", Duration::from_secs(5), Answer::Ok, "setting up")
            .await?;
        self.expect(
            "AT+FCLASS=1",
            Duration::from_secs(5),
            Answer::Ok,
            "setting up",
        )
        .await
    }

    /// Dials `number` (`ATD`) and waits for the called terminal's flags (`CONNECT`, T.31 8.3.1).
    ///
    /// # Errors
    /// [`T30Error::Modem`] for `BUSY`, `NO CARRIER` and the like.
    pub async fn dial(&mut self, number: &str) -> Result<(), T30Error> {
        self.note(format!("dialling {number}"));
        self.expect(
            &format!("ATD{number}"),
            T1 + T1,
            Answer::Connect,
            "dialling",
        )
        .await
    }

    /// Waits for `RING` and answers (`ATA`: the answer tone, then `CONNECT` in `+FTH=3`).
    ///
    /// # Errors
    /// [`T30Error::Timeout`] when nobody rings within ten minutes; [`T30Error::Modem`] when the
    /// answer fails.
    pub async fn answer_when_rung(&mut self) -> Result<(), T30Error> {
        self.dce.wait_for("RING", Duration::from_secs(600)).await?;
        self.note("ringing: answering".to_owned());
        self.expect("ATA", T1, Answer::Connect, "answering").await
    }

    /// Hangs up (`ATH`).
    ///
    /// # Errors
    /// [`T30Error::Modem`] when the modem does not answer `OK`.
    pub async fn hang_up(&mut self) -> Result<(), T30Error> {
        self.expect("ATH", Duration::from_secs(5), Answer::Ok, "hanging up")
            .await
    }

    fn note(&mut self, line: String) {
        tracing::debug!(step = line.as_str(), "T.30");
        if self.log.len() < 1000 {
            self.log.push(line);
        }
    }

    async fn expect(
        &mut self,
        command: &str,
        wait: Duration,
        want: Answer,
        doing: &str,
    ) -> Result<(), T30Error> {
        match self.dce.command(command, wait).await? {
            answer if answer == want => Ok(()),
            _ => Err(self.modem_error(command, doing)),
        }
    }

    /// The modem's answer (its own words: `NO CARRIER`) to `command` was not what `doing` needed.
    fn modem_error(&self, command: &str, doing: &str) -> T30Error {
        let mut answer = self.dce.last_result.clone();
        if let Some(text) = self.dce.text.last() {
            answer = format!("{answer} after {text:?}");
        }
        T30Error::Modem {
            command: command.to_owned(),
            answer,
            doing: doing.to_owned(),
        }
    }

    /// Sends the frames of one transmission (`+FTH=3` already answered `CONNECT`).
    async fn send_frames(&mut self, frames: &[Frame]) -> Result<(), T30Error> {
        for (i, frame) in frames.iter().enumerate() {
            let last = i + 1 == frames.len();
            let mut frame = frame.clone();
            frame.last = last;
            self.note(format!("→ {}", describe(&frame)));
            self.dce.write_shielded(&frame.encode(), true).await?;
            let want = if last { Answer::Ok } else { Answer::Connect };
            let got = self.dce.answer(T2 + T2, "the frame's end").await?;
            if got != want {
                return Err(self.modem_error("+FTH=3 frame", "sending a frame"));
            }
        }
        Ok(())
    }

    /// `+FTS`, then `+FTH=3` and the frames.
    async fn transmit(&mut self, frames: &[Frame]) -> Result<(), T30Error> {
        self.expect(TURNAROUND, T2, Answer::Ok, "turning around")
            .await?;
        self.expect("AT+FTH=3", T2, Answer::Connect, "starting V.21")
            .await?;
        self.send_frames(frames).await
    }

    /// Reads the frames of one transmission, the first one's `CONNECT` already read if
    /// `connected`, else after `+FRH=3` waiting up to `wait`. `Ok(None)` when nothing came (the
    /// wait ran out and the reception was abandoned, or the carrier ended, or a frame was bad).
    async fn receive_frames(
        &mut self,
        wait: Duration,
        connected: bool,
    ) -> Result<Option<Vec<Frame>>, T30Error> {
        let mut frames = Vec::new();
        let mut connected = connected;
        loop {
            if !connected {
                match self.dce.command("AT+FRH=3", wait).await {
                    Ok(Answer::Connect) => {}
                    Ok(_) => return Ok(None),
                    Err(T30Error::Timeout(_)) => {
                        // Any character abandons the reception (T.31 8.3.5); its OK follows.
                        self.dce.write(b"\x18").await?;
                        let _ = self.dce.answer(T2, "the abandoned +FRH's OK").await;
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                }
            }
            connected = false;
            let bytes = self.dce.shielded(T2 + T2, true, "a frame").await?;
            match self.dce.answer(T2, "the frame's OK").await? {
                Answer::Ok => {}
                // A bad FCS (T.31 8.3.5): the frame is lost.
                _ => return Ok(None),
            }
            match Frame::parse(&bytes) {
                Ok(frame) => {
                    self.note(format!("← {}", describe(&frame)));
                    let last = frame.last;
                    frames.push(frame);
                    if last {
                        return Ok(Some(frames));
                    }
                }
                Err(e) => {
                    self.note(format!("← a frame that is not T.30 ({e})"));
                    return Ok(None);
                }
            }
        }
    }
}

/// A frame for the log: its name and what its FIF says.
fn describe(frame: &Frame) -> String {
    let kind = frame.kind();
    let name = frame::name(kind);
    match kind {
        fcf::DIS | fcf::DCS => match Capabilities::parse(&frame.fif, kind == fcf::DCS) {
            Ok(caps) => {
                let rates: Vec<String> = caps.rates.iter().map(ToString::to_string).collect();
                format!(
                    "{name}: {}, {} ms lines",
                    rates.join(", "),
                    caps.min_scan_ms
                )
            }
            Err(e) => format!("{name} ({e})"),
        },
        fcf::CSI | fcf::TSI => format!("{name} \"{}\"", frame.ident()),
        _ => name,
    }
}

//! A virtual-clock harness around the engine: time only moves when a test moves it.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use tsp_modem::at::{
    AtError, Command, CommandId, Engine, EngineConfig, Event, RawCommand, Response,
};

/// One write the engine asked for, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub at: Duration,
    pub bytes: Vec<u8>,
}

pub struct Harness {
    pub engine: Engine,
    pub t0: Instant,
    pub now: Instant,
    pub writes: Vec<Write>,
    pub events: Vec<Event>,
}

impl Harness {
    pub fn new(cfg: EngineConfig) -> Self {
        let t0 = Instant::now();
        Self {
            engine: Engine::new(cfg, t0),
            t0,
            now: t0,
            writes: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn default_config() -> Self {
        Self::new(EngineConfig::default())
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    fn collect(&mut self) {
        while let Some(bytes) = self.engine.poll_transmit() {
            self.writes.push(Write {
                at: self.now - self.t0,
                bytes: bytes.to_vec(),
            });
        }
        while let Some(e) = self.engine.poll_event() {
            self.events.push(e);
        }
    }

    /// Moves the clock to `t0 + at`, firing every timer due on the way at its own instant.
    pub fn advance_to(&mut self, at: Duration) {
        let target = self.t0 + at;
        assert!(target >= self.now, "time cannot go back");
        for _ in 0..100_000 {
            match self.engine.poll_timeout() {
                Some(due) if due <= target => {
                    self.now = self.now.max(due);
                    self.engine.handle_timeout(self.now);
                    self.collect();
                    if self.engine.poll_timeout() == Some(due) && due <= self.now {
                        panic!("timer at {:?} does not move on", due - self.t0);
                    }
                }
                _ => {
                    self.now = target;
                    self.collect();
                    return;
                }
            }
        }
        panic!("too many timers before {at:?}");
    }

    pub fn advance(&mut self, d: Duration) {
        let at = self.elapsed() + d;
        self.advance_to(at);
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.engine.handle_input(bytes, self.now);
        self.collect();
    }

    pub fn send(&mut self, command: Command) -> CommandId {
        let id = self.engine.send(command, self.now).unwrap();
        self.collect();
        id
    }

    pub fn try_send(&mut self, command: Command) -> Result<CommandId, AtError> {
        let r = self.engine.send(command, self.now);
        self.collect();
        r
    }

    pub fn dtr_dropped(&mut self) {
        self.engine.dtr_dropped(self.now);
        self.collect();
    }

    pub fn carrier_lost(&mut self) {
        self.engine.carrier_lost(self.now);
        self.collect();
    }

    pub fn write_data(&mut self, data: &[u8]) -> Result<(), AtError> {
        let r = self.engine.write_data(data, self.now);
        self.collect();
        r
    }

    pub fn take_writes(&mut self) -> Vec<Write> {
        std::mem::take(&mut self.writes)
    }

    pub fn written(&mut self) -> Vec<u8> {
        self.take_writes()
            .into_iter()
            .flat_map(|w| w.bytes)
            .collect()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Removes and returns the completions, checking each id completes at most once overall.
    pub fn completions(&mut self) -> Vec<(CommandId, Result<Response, AtError>)> {
        let mut out = Vec::new();
        self.events.retain(|e| match e {
            Event::Completed { id, result, .. } => {
                out.push((*id, result.clone()));
                false
            }
            _ => true,
        });
        out
    }

    /// The single completion of `id`.
    pub fn completion(&mut self, id: CommandId) -> Result<Response, AtError> {
        let all = self.completions();
        let mine: Vec<_> = all.iter().filter(|(i, _)| *i == id).collect();
        assert_eq!(mine.len(), 1, "completions of {id}: {all:?}");
        mine[0].1.clone()
    }
}

pub fn raw(line: &str) -> Command {
    Command::Raw(RawCommand::new(line, Duration::from_secs(5)).unwrap())
}

/// Joins consecutive `Data` events so that event lists compare independently of chunking.
pub fn normalise(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        if let (Some(Event::Data(prev)), Event::Data(next)) = (out.last_mut(), &e) {
            let mut joined = prev.to_vec();
            joined.extend_from_slice(next);
            *prev = Bytes::from(joined);
            continue;
        }
        out.push(e);
    }
    out
}

/// A response stream, optionally answering a command, as real modems sent it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub modem: &'static str,
    pub sent: Option<&'static str>,
    pub bytes: &'static [u8],
}

/// Real exchanges (mgetty and HylaFAX logs, hayes.md §2-§3, §10), used by the byte-at-a-time and
/// split tests.
pub const CORPUS: &[Exchange] = &[
    Exchange { modem: "Conexant CX93001", sent: Some("ATZ"), bytes: b"ATZ\r\r\nOK\r\n" },
    Exchange { modem: "Conexant CX93001", sent: Some("AT+FCLASS?"), bytes: b"\r\n0\r\nOK\r\n" },
    Exchange { modem: "Conexant HSF", sent: Some("ATI3"), bytes: b"\r\nhsfmodem-7.80.02.04full\r\nOK\r\n" },
    Exchange { modem: "Smart Link slmodemd", sent: Some("AT+FCLASS=?"), bytes: b"0,1,8\r\nOK\r\n" },
    Exchange { modem: "Rockwell fax modem", sent: Some("ATA"), bytes: b"ATA\r\r\nFAX\r\n\r\nCONNECT\r\n" },
    Exchange { modem: "ZyXEL U1496", sent: Some("ATA"), bytes: b"\r\nCONNECT 38400/ZyX  16800/V42b\r\nlogin: " },
    Exchange { modem: "ZyXEL (sendfax)", sent: Some("AT&H3D2710834"), bytes: b"AT&H3D2710834\r\r\n+FCON\r\n\r\n+FNSF:00 00 00 00 \r\n\r\n+FCSI:       49 89 2710834 \r\n\r\n+FDIS:1,3,0,2,0,0,0,4\r\n\r\nOK\r\n" },
    Exchange { modem: "ZyXEL (sendfax)", sent: Some("AT+FDT"), bytes: b"AT+FDT\r\r\n+FDCS:1,3,0,2,0,0,0,4\r\n\r\nCONNECT\r\n\x11" },
    Exchange { modem: "Zoom 2949L", sent: Some("ATI3"), bytes: b"\r\nZoom V.90 Serial s052099g -I Z207\r\n\r\nOK\r\n" },
    Exchange { modem: "XLink V.34", sent: Some("at+fmdl?"), bytes: b"at+fmdl?\r\r\nMC-2814E\r\nVERSION 0.20.6\r\n05-04-03\r\n\r\nOK\r\n" },
    Exchange { modem: "ZyXEL Elite 2864I", sent: Some("ati1"), bytes: b"ati1\r\r\n\r\nElite 2864I DSS1:  V 2.08\r\nInternal fax/modem:  V 1.16\r\n0CD6\r\nOK\r\n" },
    Exchange { modem: "USR Sportster Flash", sent: Some("ATI0"), bytes: b"ATI0\r\r\n5601\r\n\r\nOK\r\n" },
    Exchange { modem: "DAVICOM PnP", sent: Some("ATI2"), bytes: b"\r\nTEST OK\r\n\r\nOK\r\n" },
    Exchange { modem: "Lucent firmware", sent: Some("ATI"), bytes: b"\r\nERROR\r\n" },
    Exchange { modem: "USR (ISP call)", sent: Some("ATDT5551212"), bytes: b"\r\nCONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n\x7e\xff\x7d\x23" },
    Exchange { modem: "USR Courier", sent: Some("ATDT5551212"), bytes: b"\r\nNO DIAL TONE\r\n" },
    Exchange { modem: "Rockwell W1", sent: Some("ATDT5551212"), bytes: b"\r\nCARRIER 28800\r\n\r\nPROTOCOL: LAPM\r\n\r\nCOMPRESSION: V.42 bis\r\n\r\nCONNECT 115200\r\n" },
    Exchange { modem: "plain Hayes", sent: None, bytes: b"\r\nRING\r\n\r\nRING\r\n\r\nRING\r\n" },
    Exchange { modem: "distinctive ring", sent: None, bytes: b"\r\nRING A\r\n\r\nRING B\r\n\r\nRING C\r\n\r\nRING\r\n" },
    Exchange { modem: "ZyXEL FM:", sent: None, bytes: b"\r\nRING\r\n\r\n    FM:040404\r\n" },
    Exchange { modem: "Rockwell CID", sent: None, bytes: b"\r\nRING\r\n\r\nNMBR = 0555\r\n\r\nRING\r\n" },
    Exchange { modem: "USR 5637", sent: None, bytes: b"\r\nRING\r\n\r\nDATE=0117\r\nTIME=1405\r\nNMBR=5045551234\r\nNAME=WIRELESS CALLER\r\n\r\nRING\r\n" },
    Exchange { modem: "Conexant USB", sent: None, bytes: b"\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = P\r\n\r\nRING\r\n" },
    Exchange { modem: "V.253 +VDR", sent: None, bytes: b"\r\nDROF=0\r\n\r\nDRON=11\r\n\r\nRING\r\n\r\nDROF=40\r\n\r\nDRON=20\r\n\r\nRING\r\n" },
    Exchange { modem: "isdn4linux", sent: None, bytes: b"\r\nRING/01234023\r\n\r\nCALLER NUMBER: 556677\r\n\r\nRING\r\n" },
    Exchange { modem: "ELSA", sent: None, bytes: b"\r\nRING;717171;999999\r\n" },
    Exchange { modem: "Supra (Bell Canada)", sent: None, bytes: b"\r\nMESG = 030735353531323132\r\n" },
];

/// Runs one exchange: sends its command (if any), feeds `chunks` at one instant, then lets two
/// seconds pass. Returns all events.
pub fn run_exchange(ex: &Exchange, chunks: &[&[u8]]) -> Vec<Event> {
    let mut h = Harness::default_config();
    if let Some(sent) = ex.sent {
        h.send(raw(sent));
    }
    for chunk in chunks {
        h.feed(chunk);
    }
    h.advance(Duration::from_secs(2));
    normalise(h.take_events())
}

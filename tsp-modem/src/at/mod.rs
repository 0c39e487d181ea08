//! The sans-IO Hayes AT engine: parsers, framing, commands as types, and the state machine that
//! ties them together.
//!
//! * [`parse`] — streaming nom parsers, one per grammar element of V.250 responses and their
//!   real-world variants (hayes.md §2, §3, §10).
//! * [`Digester`] — bytes to classified lines, bounded memory, garbage skipped.
//! * [`Command`] — every command the provider sends, with its text, timeout and retries.
//! * [`voice`] — a voice modem's samples and `<DLE>` events during `+VTX`/`+VRX`.
//! * [`Engine`] — one modem: queue, echo, unsolicited reports, data mode, `+++`, timeouts; no
//!   I/O and no clock inside (time is passed in).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use tsp_modem::at::{Command, Engine, EngineConfig, Event};
//!
//! let start = Instant::now();
//! let mut engine = Engine::new(EngineConfig::default(), start);
//! let id = engine.send(Command::Identify(3), start)?;
//! assert_eq!(engine.poll_transmit().as_deref(), Some(&b"ATI3\r"[..]));
//!
//! // The modem echoes the line, answers, and says OK.
//! engine.handle_input(b"ATI3\r\r\nU.S. Robotics 56K FAX USB V1.2.23\r\n\r\nOK\r\n", start);
//! match engine.poll_event() {
//!     Some(Event::Completed { id: done, result: Ok(response), .. }) => {
//!         assert_eq!(done, id);
//!         assert_eq!(response.info, ["U.S. Robotics 56K FAX USB V1.2.23"]);
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//!
//! // Nothing more is due until the next command's timeout.
//! let next = engine.send(Command::At, start + Duration::from_millis(150))?;
//! assert!(engine.poll_timeout() > Some(start));
//! # let _ = next;
//! # Ok::<(), tsp_modem::at::AtError>(())
//! ```

mod command;
mod config;
mod digest;
mod engine;
mod error;
mod event;
pub mod parse;
mod registers;
mod split;
pub mod voice;

pub use command::{
    CallerIdMode, Command, DIAL_MARGIN, DialString, ESCAPE_OK_WAIT, MAX_DIAL_STRING,
    MAX_RAW_COMMAND, RawCommand, ServiceClass,
};
pub use config::{CarrierDetect, EngineConfig, Quirks};
pub use digest::{Digested, Digester};
pub use engine::{Engine, Mode};
pub use error::{AtError, Secs};
pub use event::{CarrierLoss, CommandId, Event, Response};
pub use parse::{
    CallerId, CallerIdField, CidValue, Connect, FinalResult, Intermediate, Line, NumericTable,
    Ring, RingCadence, RingTag,
};
pub use registers::Registers;
pub use split::split_command_line;

//! A voice call's audio as the call's stream (V.253 9.5, 9.6): `get_id("wave/out")` plays
//! what the application writes, `get_id("wave/in")` records what the far end says. Samples are
//! 8-bit unsigned linear PCM at 8000 samples/s, one byte each, in both directions.
//!
//! | TAPI | modem (`+FCLASS=8`, the call CONNECTED) |
//! |---|---|
//! | `get_id("wave/out")` | `AT+VSM=?` (the modem's number for 8-bit unsigned PCM), `AT+VSM=<n>,8000`, `AT+VTX`: the stream's bytes go to the modem with every `<DLE>` doubled |
//! | the application closes the `wave/out` stream | `<DLE><ETX>`; the modem plays what it holds and answers `OK` |
//! | `get_id("wave/in")` | the same `+VSM`, then `AT+VRX`: the modem's samples, `<DLE>` shielding removed, reach the stream |
//! | the application closes the `wave/in` stream | `<DLE>!`; the modem ends with `<DLE><ETX>` and `OK` |
//! | `<DLE>` events during either (DTMF, busy tone) | as in command state: `LINE_MONITORDIGITS`, DISCONNECTED |
//!
//! A modem plays or records, not both (`+VTX` and `+VRX` are half duplex): one stream at a time.
//! Commands wait while it streams: digits asked for meanwhile (`generate_digits`) sound once
//! the stream is closed.

use crate::at::voice::{VoiceStream, shield, unsigned_pcm};
use crate::at::{AtError, Command, CommandId, RawCommand, Response};

/// Data Link Escape.
const DLE: u8 = 0x10;
/// End of Text: after `<DLE>`, the end of the samples.
const ETX: u8 = 0x03;
/// Cancel: after `<DLE>` in `+VTX`, drop the samples the modem holds.
const CAN: u8 = 0x18;
/// The sample rate asked for, in samples/s (every voice modem has it; V.253 9.2.3).
pub(crate) const SAMPLE_RATE: u32 = 8000;
/// How long a voice set-up command may take.
const SETUP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Which way the audio goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `wave/out`: the application's samples to the far end (`+VTX`).
    Play,
    /// `wave/in`: the far end's samples to the application (`+VRX`).
    Record,
}

impl Direction {
    pub(crate) fn class(self) -> &'static str {
        match self {
            Direction::Play => "wave/out",
            Direction::Record => "wave/in",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Direction::Play => "AT+VTX",
            Direction::Record => "AT+VRX",
        }
    }

    /// What the DTE sends to stop at once (a hang-up, the far end gone): playing, `<DLE><CAN>`
    /// drops what the modem still holds before the end (V.253 9.5.3).
    pub(crate) fn abandon(self) -> &'static [u8] {
        match self {
            Direction::Play => &[DLE, CAN, DLE, ETX],
            Direction::Record => &[DLE, b'!'],
        }
    }

    /// What the DTE sends to end the samples (V.253 9.5.3, 9.6.3).
    pub(crate) fn end(self) -> &'static [u8] {
        match self {
            Direction::Play => &[DLE, ETX],
            Direction::Record => &[DLE, b'!'],
        }
    }
}

/// Where the audio is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// `AT+VSM=?` sent.
    Query(CommandId),
    /// `AT+VSM=<n>,8000` sent.
    Select(CommandId),
    /// `AT+VTX` or `AT+VRX` sent, waiting for `CONNECT`.
    Start(CommandId),
    /// Samples flowing.
    Streaming,
    /// The application closed its stream; the end went to the modem.
    Ending,
}

/// The audio of the call.
#[derive(Debug)]
pub(crate) struct Audio {
    pub(crate) direction: Direction,
    pub(crate) step: Step,
    pub(crate) stream: VoiceStream,
    /// The application closed its stream before the samples started.
    pub(crate) closed_early: bool,
}

impl Audio {
    /// The first command: `AT+VSM=?`.
    pub(crate) fn query() -> Command {
        raw("AT+VSM=?")
    }

    /// What follows the completion of the command in `step`: the next command, or the samples
    /// (`Ok(None)`: CONNECT came, the modem streams).
    ///
    /// # Errors
    /// Why the audio cannot start, for a person.
    pub(crate) fn next(
        &self,
        result: &Result<Response, AtError>,
    ) -> Result<Option<Command>, String> {
        let response = result
            .as_ref()
            .map_err(|e| format!("{} cannot start: {e}", self.direction.class()))?;
        match self.step {
            Step::Query(_) => {
                let code = unsigned_pcm(&response.info).ok_or_else(|| {
                    format!(
                        "the modem offers no 8-bit unsigned PCM in +VSM=? ({})",
                        response.info.join("; ")
                    )
                })?;
                Ok(Some(raw(&format!("AT+VSM={code},{SAMPLE_RATE}"))))
            }
            Step::Select(_) => Ok(Some(raw(self.direction.command()))),
            Step::Start(_) => match response.result {
                crate::at::FinalResult::Connect(_) => Ok(None),
                ref other => Err(format!(
                    "{} answered {other} instead of CONNECT",
                    self.direction.command()
                )),
            },
            Step::Streaming | Step::Ending => Ok(None),
        }
    }

    /// The application closed its stream and the modem finishes.
    pub(crate) fn ending(&self) -> bool {
        self.step == Step::Ending
    }

    /// The id of the command the audio waits for.
    pub(crate) fn waits_for(&self) -> Option<CommandId> {
        match self.step {
            Step::Query(id) | Step::Select(id) | Step::Start(id) => Some(id),
            Step::Streaming | Step::Ending => None,
        }
    }
}

fn raw(text: &str) -> Command {
    // The texts are ours and valid: AT, printable, short.
    Command::Raw(
        RawCommand::new(text, SETUP_WAIT)
            .unwrap_or_else(|_| unreachable!("a valid built-in voice command: {text}")),
    )
}

impl super::LineTask {
    /// `get_id("wave/out")` / `get_id("wave/in")` on `handle`: the stream now, the modem set up
    /// behind it (its bytes wait in the pipe until `+VTX` answers `CONNECT`; a recording's
    /// first samples come after `+VRX`'s).
    ///
    /// Only on a modem with the voice class (`get_id` answers NODEVICE for `wave/*` on others).
    ///
    /// # Errors
    /// `INVALCALLSTATE` unless the call is a CONNECTED voice call; `RESOURCEUNAVAIL` while the
    /// other direction (or this one) streams.
    pub(super) fn start_audio(
        &mut self,
        handle: tsp_sdk::spi::CallHandle,
        direction: Direction,
    ) -> Result<tsp_sdk::spi::DeviceIdValue, tsp_sdk::Error> {
        const OP: &str = "get_id";
        self.voice_call(handle, OP, true)?;
        if let Some(active) = self.audio.as_ref() {
            return Err(self.refuse(
                tsp_sdk::LineErr::ResourceUnavail,
                OP,
                format!(
                    "the call's {} stream is open: a modem plays or records, one at a time (close it first)",
                    active.direction.class()
                ),
            ));
        }
        let now = self.clock.now();
        let id = self
            .driver
            .engine_mut()
            .send(Audio::query(), now)
            .map_err(|e| self.refuse(tsp_sdk::LineErr::ResourceUnavail, OP, e.to_string()))?;
        let mut path = super::DataPath::new();
        let stream = path
            .take_stream()
            .unwrap_or_else(|| unreachable!("a new pipe has its stream"));
        self.data = Some(path);
        self.audio = Some(Audio {
            direction,
            step: Step::Query(id),
            stream: VoiceStream::new(direction == Direction::Record),
            closed_early: false,
        });
        if let Some(call) = self.call.as_ref() {
            call.span
                .in_scope(|| tracing::info!(class = direction.class(), "audio stream opened"));
        }
        Ok(tsp_sdk::spi::DeviceIdValue::DataStream {
            stream: Box::new(stream),
            port: self.port.clone(),
        })
    }

    /// A command of the audio's set-up completed: the next one, or the samples. True if `id`
    /// was the audio's.
    pub(super) fn audio_step(&mut self, id: CommandId, result: &Result<Response, AtError>) -> bool {
        let Some(audio) = self.audio.as_ref() else {
            return false;
        };
        if audio.waits_for() != Some(id) {
            return false;
        }
        let direction = audio.direction;
        let now = self.clock.now();
        match audio.next(result) {
            Ok(Some(command)) => {
                let start = matches!(audio.step, Step::Select(_));
                if start {
                    // The samples follow CONNECT in the same read: none of them is a result.
                    self.driver.engine_mut().set_passthrough(true);
                }
                match self.driver.engine_mut().send(command, now) {
                    Ok(next) => {
                        if let Some(audio) = self.audio.as_mut() {
                            audio.step = if start {
                                Step::Start(next)
                            } else {
                                Step::Select(next)
                            };
                        }
                    }
                    Err(e) => self.audio_failed(&e.to_string()),
                }
            }
            Ok(None) => {
                tracing::debug!(class = direction.class(), "the modem streams audio");
                if let Some(audio) = self.audio.as_mut() {
                    audio.step = Step::Streaming;
                    if audio.closed_early {
                        self.end_audio();
                    }
                }
            }
            Err(why) => self.audio_failed(&why),
        }
        true
    }

    /// The audio could not start: the application's stream closes.
    fn audio_failed(&mut self, why: &str) {
        tracing::warn!(port = %self.port, "{why}; the audio stream closes");
        self.driver.engine_mut().set_passthrough(false);
        self.audio = None;
        self.data = None;
    }

    /// What the modem sent while it plays or records.
    pub(super) fn audio_from_modem(&mut self, bytes: &[u8]) {
        let Some(audio) = self.audio.as_mut() else {
            return;
        };
        let parsed = audio.stream.feed(bytes);
        if !parsed.samples.is_empty()
            && audio.step == Step::Streaming
            && let Some(data) = self.data.as_mut()
        {
            data.push(bytes::Bytes::from(parsed.samples));
        }
        for code in parsed.events {
            self.on_dle_event(code);
        }
        if let Some(done) = parsed.done {
            tracing::debug!(result = %done.result, "the audio ended");
            self.audio = None;
            self.data = None;
            self.driver.engine_mut().end_passthrough();
            if !done.rest.is_empty() {
                let now = self.clock.now();
                self.driver.engine_mut().handle_input(&done.rest, now);
            }
        }
    }

    /// The application's bytes: samples to play, or nothing (while recording, writes go nowhere).
    pub(super) fn audio_from_app(&mut self, bytes: &[u8]) {
        let Some(audio) = self.audio.as_ref() else {
            return;
        };
        if audio.direction != Direction::Play || audio.step != Step::Streaming {
            return;
        }
        let now = self.clock.now();
        if let Err(e) = self.driver.engine_mut().write_data(&shield(bytes), now) {
            tracing::warn!(error = %e, "samples from the application dropped");
        }
    }

    /// The call ended under the audio (DISCONNECTED): the modem stops at once and the audio ends
    /// at its final result, the application's stream closed now.
    pub(super) fn abandon_audio(&mut self) {
        self.data = None;
        let Some(audio) = self.audio.as_mut() else {
            return;
        };
        match audio.step {
            Step::Streaming => {
                let end = audio.direction.abandon();
                self.stop_streaming(end);
            }
            Step::Ending => {}
            // Set-up commands still to answer: the hang-up that follows takes the port back.
            Step::Query(_) | Step::Select(_) | Step::Start(_) => self.audio = None,
        }
    }

    /// Streaming → ending: `end` goes to the modem, whose final result then ends the audio.
    fn stop_streaming(&mut self, end: &[u8]) {
        let Some(audio) = self.audio.as_mut() else {
            return;
        };
        audio.step = Step::Ending;
        audio.stream.dte_ended();
        let now = self.clock.now();
        if let Err(e) = self.driver.engine_mut().write_data(end, now) {
            tracing::warn!(error = %e, "cannot end the audio");
        }
    }

    /// The application closed its stream: the end of the samples goes to the modem, which
    /// answers `OK` when done (the audio ends then, in [`audio_from_modem`](Self::audio_from_modem)).
    pub(super) fn end_audio(&mut self) {
        let Some(audio) = self.audio.as_mut() else {
            return;
        };
        match audio.step {
            Step::Streaming => {
                let end = audio.direction.end();
                self.stop_streaming(end);
            }
            Step::Ending => {}
            // Not started yet: ended as soon as it starts.
            Step::Query(_) | Step::Select(_) | Step::Start(_) => audio.closed_early = true,
        }
    }
}

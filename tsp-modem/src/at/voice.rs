//! What a voice modem sends while it plays or records (ITU V.253 9.5, 9.6), and what it takes:
//! the `<DLE>` shielding of samples, the `<DLE>` event codes between them (Table 16), the end
//! (`<DLE><ETX>`) and the final result code after it; and the `+VSM=?` line that names 8-bit
//! unsigned PCM. Sans-IO: bytes in, samples and events out.

/// Data Link Escape.
const DLE: u8 = 0x10;
/// End of Text: after `<DLE>`, the end of the samples.
const ETX: u8 = 0x03;
/// The most text kept while waiting for the final result after the samples.
const MAX_TAIL: usize = 256;

/// The compression number of 8-bit unsigned linear PCM in a `+VSM=?` answer: V.253's
/// `1,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)`, Conexant's `130,"UNSIGNED PCM",8,0,8000,0,0`,
/// USR's `128,"8-BIT LINEAR",(7200,8000,11025)` (hayes.md §9).
pub fn unsigned_pcm(lines: &[String]) -> Option<u32> {
    lines.iter().find_map(|line| {
        let (code, rest) = line.split_once(',')?;
        let name = rest.split('"').nth(1)?.to_ascii_uppercase();
        let unsigned = name.contains("UNSIGNED") || name == "8-BIT LINEAR";
        (unsigned && (name.contains("PCM") || name.contains("LINEAR")))
            .then(|| code.trim().parse().ok())
            .flatten()
    })
}

/// `samples` as the modem takes them in `+VTX`: every `<DLE>` doubled (V.253 9.5.3).
pub fn shield(samples: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() + 8);
    for &b in samples {
        out.push(b);
        if b == DLE {
            out.push(DLE);
        }
    }
    out
}

/// What the modem sent during `+VTX` or `+VRX`, sorted out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Samples (recording only), shielding removed.
    pub samples: Vec<u8>,
    /// `<DLE>` event codes (V.253 Table 16: DTMF digits, `b` busy, `s` silence…).
    pub events: Vec<u8>,
    /// The final result code came (`OK`, or `ERROR`/`NO CARRIER`): the modem is back in voice
    /// command state; the bytes after its line are the engine's again.
    pub done: Option<Done>,
}

/// The end of the samples.
#[derive(Debug, PartialEq, Eq)]
pub struct Done {
    /// The result code's text (`OK`).
    pub result: String,
    /// What came after it.
    pub rest: Vec<u8>,
}

/// The modem's bytes during `+VTX`/`+VRX`: samples (while recording, until the modem's
/// `<DLE><ETX>`), `<DLE>` events, then the text of the final result code.
///
/// ```
/// use tsp_modem::at::voice::VoiceStream;
///
/// let mut recording = VoiceStream::new(true);
/// // Two samples, a shielded DLE sample, the DTMF digit 5, the end, OK.
/// let parsed = recording.feed(b"\x80\x81\x10\x10\x105\x10\x03\r\nOK\r\n");
/// assert_eq!(parsed.samples, [0x80, 0x81, 0x10]);
/// assert_eq!(parsed.events, [b'5']);
/// assert_eq!(parsed.done.map(|d| d.result).as_deref(), Some("OK"));
/// ```
#[derive(Debug)]
pub struct VoiceStream {
    recording: bool,
    after_dle: bool,
    /// Text outside `<DLE>` pairs once no samples can come (playing, or after `<DLE><ETX>`).
    tail: Vec<u8>,
    finished: bool,
    /// The DTE sent its end: while recording, a final result line also ends the samples
    /// (Conexant answers `<DLE>!` with `OK` alone; USR with `<DLE><ETX>` first: hayes.md §9).
    dte_ended: bool,
    /// The last bytes of a recording, to see that line.
    last: Vec<u8>,
}

impl VoiceStream {
    /// A parser for what comes after `+VRX`'s `CONNECT` (`recording`) or `+VTX`'s.
    pub fn new(recording: bool) -> Self {
        VoiceStream {
            recording,
            after_dle: false,
            tail: Vec::new(),
            finished: false,
            dte_ended: false,
            last: Vec::new(),
        }
    }

    /// The DTE sent its end (`<DLE>!` after a recording, `<DLE><ETX>` after playing): from now
    /// on a final result line ends a recording even without the modem's `<DLE><ETX>`.
    pub fn dte_ended(&mut self) {
        self.dte_ended = true;
    }

    /// Sorts out `input`, which may split a `<DLE>` pair or the result's line anywhere.
    pub fn feed(&mut self, input: &[u8]) -> Parsed {
        let mut parsed = Parsed::default();
        if self.finished {
            parsed.done = Some(Done {
                result: String::new(),
                rest: input.to_vec(),
            });
            return parsed;
        }
        for (i, &b) in input.iter().enumerate() {
            if std::mem::take(&mut self.after_dle) {
                match b {
                    DLE if self.recording => parsed.samples.push(DLE),
                    DLE => {}
                    ETX => self.recording = false,
                    code => parsed.events.push(code),
                }
                continue;
            }
            if b == DLE {
                self.after_dle = true;
                continue;
            }
            if self.recording {
                parsed.samples.push(b);
                if self.dte_ended {
                    self.last.push(b);
                    if self.last.len() > 8 {
                        self.last.remove(0);
                    }
                    if self.last.ends_with(b"\r\nOK\r\n") || self.last.ends_with(b"\nOK\r\n") {
                        self.finished = true;
                        parsed.done = Some(Done {
                            result: "OK".to_owned(),
                            rest: input[i + 1..].to_vec(),
                        });
                        return parsed;
                    }
                }
                continue;
            }
            if self.tail.len() < MAX_TAIL {
                self.tail.push(b);
            }
            if matches!(b, b'\r' | b'\n')
                && let Some(result) = final_result(&self.tail)
            {
                self.finished = true;
                parsed.done = Some(Done {
                    result,
                    rest: input[i + 1..].to_vec(),
                });
                return parsed;
            }
        }
        parsed
    }
}

/// The final result code a line of `tail` holds, once its line has ended.
fn final_result(tail: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(tail);
    text.split(['\r', '\n'])
        .map(str::trim)
        .find(|line| matches!(*line, "OK" | "ERROR" | "NO CARRIER" | "0" | "4" | "3"))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_familys_vsm_list_gives_its_number_for_unsigned_pcm() {
        let v253 = lines(&[
            "0,\"SIGNED PCM\",8,0,(7200,8000,11025),(0),(0)",
            "1,\"UNSIGNED PCM\",8,0,(7200,8000,11025),(0),(0)",
            "4,\"G.711U\",8,0,(8000),(0),(0)",
        ]);
        assert_eq!(unsigned_pcm(&v253), Some(1));
        assert_eq!(
            unsigned_pcm(&lines(&["130,\"UNSIGNED PCM\",8,0,8000,0,0"])),
            Some(130)
        );
        assert_eq!(
            unsigned_pcm(&lines(&["128,\"8-BIT LINEAR\",(7200,8000,11025)"])),
            Some(128)
        );
        assert_eq!(
            unsigned_pcm(&lines(&["4,\"G.711U\",8,0,(8000),(0),(0)"])),
            None
        );
        assert_eq!(unsigned_pcm(&lines(&["garbage", "", ",\"\""])), None);
    }

    #[test]
    fn every_dle_is_doubled_on_the_way_to_the_modem() {
        assert_eq!(
            shield(&[1, DLE, 2, DLE, DLE]),
            vec![1, DLE, DLE, 2, DLE, DLE, DLE, DLE]
        );
    }

    /// What the simulated V.253 modem sends during a recording: samples with a shielded DLE and a
    /// DTMF event, the end after the DTE's `<DLE>!`, `OK`, then a RING that is the engine's.
    const RECORDING: &[u8] = b"\x80\x81\x10\x10\x82\x105\x83\x10\x03\r\nOK\r\nRING\r\n";

    #[test]
    fn a_recording_gives_samples_events_and_its_end_whatever_the_chunking() {
        let whole = {
            let mut s = VoiceStream::new(true);
            s.feed(RECORDING)
        };
        assert_eq!(whole.samples, vec![0x80, 0x81, DLE, 0x82, 0x83]);
        assert_eq!(whole.events, vec![b'5']);
        let done = whole.done.unwrap();
        assert_eq!(done.result, "OK");
        assert_eq!(done.rest, b"\nRING\r\n");
        // One byte at a time: the same samples, events and end.
        let mut s = VoiceStream::new(true);
        let (mut samples, mut events, mut end) = (Vec::new(), Vec::new(), None);
        for &b in RECORDING {
            let p = s.feed(&[b]);
            samples.extend(p.samples);
            events.extend(p.events);
            if end.is_none() {
                end = p.done.map(|d| d.result);
            }
        }
        assert_eq!(samples, vec![0x80, 0x81, DLE, 0x82, 0x83]);
        assert_eq!(events, vec![b'5']);
        assert_eq!(end.as_deref(), Some("OK"));
    }

    proptest::proptest! {
        #[test]
        fn the_same_samples_events_and_end_come_out_whatever_the_chunking(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            cuts in proptest::collection::vec(0usize..220, 0..8),
        ) {
            let mut input = body;
            input.extend_from_slice(b"\x10\x03\r\nOK\r\nRING\r\n");
            let whole = collect(&input, &[]);
            let mut cuts = cuts;
            cuts.sort_unstable();
            proptest::prop_assert_eq!(collect(&input, &cuts), whole);
        }
    }

    /// Samples, events and the result from `input` fed in pieces cut at `cuts`.
    fn collect(input: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<u8>, Option<String>) {
        let mut stream = VoiceStream::new(true);
        let (mut samples, mut events, mut result) = (Vec::new(), Vec::new(), None);
        let mut at = 0;
        for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
            let cut = cut.clamp(at, input.len());
            let parsed = stream.feed(&input[at..cut]);
            samples.extend(parsed.samples);
            events.extend(parsed.events);
            if result.is_none() {
                result = parsed.done.map(|d| d.result);
            }
            at = cut;
        }
        (samples, events, result)
    }

    #[test]
    fn a_recording_the_modem_ends_with_ok_alone_ends_after_the_dtes_end() {
        // Conexant: no <DLE><ETX> after <DLE>!, just OK (hayes.md §9).
        let mut s = VoiceStream::new(true);
        assert!(
            s.feed(b"\x80\x81\r\nOK\r\n").done.is_none(),
            "samples until the DTE ends"
        );
        s.dte_ended();
        let p = s.feed(b"\x80\r\nOK\r\n");
        assert_eq!(p.done.map(|d| d.result).as_deref(), Some("OK"));
    }

    #[test]
    fn playing_takes_events_and_then_the_ok_and_no_samples() {
        let mut s = VoiceStream::new(false);
        let p = s.feed(b"\x10#\r\nOK\r\n");
        assert!(p.samples.is_empty());
        assert_eq!(p.events, vec![b'#']);
        assert_eq!(p.done.unwrap().result, "OK");
    }
}

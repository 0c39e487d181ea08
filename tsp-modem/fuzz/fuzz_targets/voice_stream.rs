//! A voice modem's `+VRX`/`+VTX` bytes (`tsp_modem::at::voice::VoiceStream`): arbitrary bytes in
//! arbitrary chunks never panic, what comes out of one chunking comes out of any other, and
//! samples never outnumber the bytes in. The first byte picks recording and the chunk size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsp_modem::at::voice::{VoiceStream, unsigned_pcm};

fn run(input: &[u8], recording: bool, chunk: usize) -> (Vec<u8>, Vec<u8>, Option<(String, Vec<u8>)>) {
    let mut stream = VoiceStream::new(recording);
    let (mut samples, mut events, mut done) = (Vec::new(), Vec::new(), None);
    for piece in input.chunks(chunk.max(1)) {
        let parsed = stream.feed(piece);
        samples.extend(parsed.samples);
        events.extend(parsed.events);
        if let Some(d) = parsed.done {
            match done.as_mut() {
                None => done = Some((d.result, d.rest)),
                Some((_, rest)) => rest.extend(d.rest),
            }
        }
    }
    (samples, events, done)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let recording = mode & 1 == 1;
    let whole = run(input, recording, input.len());
    let chunked = run(input, recording, usize::from(mode >> 1));
    assert!(whole.0.len() <= input.len());
    assert_eq!(whole.0, chunked.0, "samples depend on the chunking");
    assert_eq!(whole.1, chunked.1, "events depend on the chunking");
    assert_eq!(
        whole.2.as_ref().map(|d| &d.0),
        chunked.2.as_ref().map(|d| &d.0),
        "the end depends on the chunking"
    );
    let text = String::from_utf8_lossy(input);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let _ = unsigned_pcm(&lines);
});

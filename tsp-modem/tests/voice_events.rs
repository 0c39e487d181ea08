//! A voice modem's `<DLE>` events in command state (ITU V.253 8.1, Table 16): each pair becomes
//! an `Event::DleEvent`, the result codes and text around it parse as if it were not there, and
//! the same events come out whatever the chunking (a pair split between reads included).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use proptest::prelude::*;
use support::{Harness, raw};
use tsp_modem::at::{Event, FinalResult};

/// What the simulated V.253 modem sends around an `AT+VTS` while the far end keys digits and
/// then hangs up: a digit before the echo-less `OK`, one inside it, busy tone after it.
const STREAM: &[u8] = b"\x105\r\nO\x10#K\r\n\x10b";

fn run(chunks: &[&[u8]]) -> Vec<Event> {
    let mut h = Harness::default_config();
    h.send(raw("AT+VTS=1"));
    for chunk in chunks {
        h.feed(chunk);
    }
    h.take_events()
}

fn summary(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::DleEvent(code) => format!("dle {}", char::from(*code)),
            Event::Completed { result, .. } => match result {
                Ok(r) if r.result == FinalResult::Ok => "OK".to_owned(),
                other => format!("{other:?}"),
            },
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn dle_pairs_are_events_and_the_result_around_them_still_completes_the_command() {
    assert_eq!(summary(&run(&[STREAM])), ["dle 5", "dle #", "OK", "dle b"]);
}

#[test]
fn the_same_events_come_out_one_byte_at_a_time() {
    let bytes: Vec<&[u8]> = STREAM.chunks(1).collect();
    assert_eq!(summary(&run(&bytes)), summary(&run(&[STREAM])));
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_events(cuts in proptest::collection::vec(0usize..STREAM.len(), 0..6)) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        cuts.dedup();
        let mut chunks = Vec::new();
        let mut from = 0;
        for cut in cuts {
            chunks.push(&STREAM[from..cut]);
            from = cut;
        }
        chunks.push(&STREAM[from..]);
        prop_assert_eq!(summary(&run(&chunks)), summary(&run(&[STREAM])));
    }
}

//! atat's byte-at-a-time test: every response of the corpus fed one byte per `handle_input`
//! gives the same events as fed all at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{CORPUS, Exchange, run_exchange};
use tsp_modem::at::Event;

fn one_byte_chunks(ex: &Exchange) -> Vec<&[u8]> {
    ex.bytes.chunks(1).collect()
}

#[test]
fn every_corpus_response_gives_the_same_events_one_byte_at_a_time() {
    for ex in CORPUS {
        let whole = run_exchange(ex, &[ex.bytes]);
        let bytewise = run_exchange(ex, &one_byte_chunks(ex));
        assert_eq!(whole, bytewise, "{} {:?}", ex.modem, ex.sent);
    }
}

#[test]
fn every_corpus_response_produces_what_it_should() {
    // Guards the test above against comparing two empty lists: each command exchange completes
    // exactly once, each unsolicited one reports something.
    for ex in CORPUS {
        let events = run_exchange(ex, &one_byte_chunks(ex));
        let completions = events
            .iter()
            .filter(|e| matches!(e, Event::Completed { .. }))
            .count();
        match ex.sent {
            Some(_) => assert_eq!(completions, 1, "{}: {events:?}", ex.modem),
            None => {
                assert_eq!(completions, 0, "{}", ex.modem);
                assert!(!events.is_empty(), "{}", ex.modem);
            }
        }
    }
}

#[test]
fn the_whole_corpus_back_to_back_is_split_proof() {
    // All unsolicited streams concatenated, fed whole, one byte at a time, and in 7-byte pieces.
    let stream: Vec<u8> = CORPUS
        .iter()
        .filter(|ex| ex.sent.is_none())
        .flat_map(|ex| ex.bytes.iter().copied())
        .collect();
    let ex = Exchange {
        modem: "all unsolicited",
        sent: None,
        bytes: Box::leak(stream.into_boxed_slice()),
    };
    let whole = run_exchange(&ex, &[ex.bytes]);
    assert!(whole.len() > 20);
    assert_eq!(whole, run_exchange(&ex, &one_byte_chunks(&ex)));
    assert_eq!(
        whole,
        run_exchange(&ex, &ex.bytes.chunks(7).collect::<Vec<_>>())
    );
}

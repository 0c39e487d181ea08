//! T.30 sessions between two simulated Class 1 modems, each driven by a `FaxTerminal`, on
//! paused tokio time: pages arrive line for line, the rate follows what both terminals have,
//! the receiver's scan-line time is kept, and nothing depends on how the bytes are chunked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use proptest::prelude::*;
use tsp_sim::port::SimPort;
use tsp_sim::sim::Sim;
use tsp_sim::t30::{Capabilities, FaxTerminal, Frame, Options, Page, Rate, Received, SendReport};

mod port_util;

/// A session from A (5550100) to B (5550101): B answers and receives, A dials and sends.
async fn session(
    pages: Vec<Page>,
    sender: Options,
    receiver: Options,
    byte_at_a_time: bool,
) -> (SendReport, Received, Sim) {
    let (sim, da, db) = port_util::two_modems(30);
    let port = |d| -> SimPort { sim.open_port(d).unwrap().byte_at_a_time(byte_at_a_time) };
    let mut caller = FaxTerminal::new(port(da), sender);
    let mut called = FaxTerminal::new(port(db), receiver);
    called.set_up().await.unwrap();
    caller.set_up().await.unwrap();
    let receiving = tokio::spawn(async move {
        called.answer_when_rung().await.unwrap();
        let got = called.receive().await;
        (got, called.log().join("\n"))
    });
    caller.dial("5550101").await.unwrap();
    let sent = caller.send(&pages).await;
    let (received, rx_log) = receiving.await.unwrap();
    let tx_log = caller.log().join("\n");
    let sent = sent.unwrap_or_else(|e| panic!("sending: {e}\n{tx_log}\nreceiver:\n{rx_log}"));
    let received =
        received.unwrap_or_else(|e| panic!("receiving: {e}\n{rx_log}\nsender:\n{tx_log}"));
    (sent, received, sim)
}

#[tokio::test(start_paused = true)]
async fn two_pages_arrive_line_for_line_at_9600_bits_per_second() {
    let pages = vec![Page::white(300), Page::white(40)];
    let (sent, received, sim) = session(
        pages.clone(),
        Options::new("5550100"),
        Options::new("5550101"),
        false,
    )
    .await;
    assert_eq!(sent.pages, 2);
    assert_eq!(sent.rate, Rate::V29_9600);
    assert_eq!(sent.remote_ident, "5550101");
    assert_eq!(received.remote_ident, "5550100");
    assert_eq!(received.pages.len(), 2);
    for (got, want) in received.pages.iter().zip(&pages) {
        assert_eq!(got.lines(), want.lines());
    }
    // Phase B alone takes seconds of simulated time (CED, V.21 frames, 1.5 s of TCF).
    assert!(
        sim.elapsed() > Duration::from_secs(6),
        "{:?}",
        sim.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_rate_is_the_fastest_both_terminals_have() {
    let mut receiver = Options::new("5550101");
    receiver.rates = vec![Rate::V27_4800, Rate::V27_2400];
    let (sent, received, _) = session(
        vec![Page::white(20)],
        Options::new("5550100"),
        receiver,
        false,
    )
    .await;
    assert_eq!(sent.rate, Rate::V27_4800);
    assert_eq!(received.rate, Rate::V27_4800);
}

#[tokio::test(start_paused = true)]
async fn lines_are_filled_to_the_receivers_minimum_scan_line_time() {
    let mut receiver = Options::new("5550101");
    receiver.min_scan_ms = 20;
    let page = Page::white(100);
    let (_, received, _) =
        session(vec![page.clone()], Options::new("5550100"), receiver, false).await;
    let got = &received.pages[0];
    assert_eq!(got.lines(), page.lines());
    // 100 lines of 20 ms at 9600 bit/s are at least 24 000 octets; unfilled they are 360.
    assert!(got.t4().len() >= 100 * 192 / 8, "{} octets", got.t4().len());
}

#[tokio::test(start_paused = true)]
async fn a_session_read_one_byte_at_a_time_is_the_same_session() {
    let (sent, received, _) = session(
        vec![Page::white(50)],
        Options::new("5550100"),
        Options::new("5550101"),
        true,
    )
    .await;
    assert_eq!(sent.pages, 1);
    assert_eq!(received.pages[0].lines(), Page::white(50).lines());
}

#[tokio::test(start_paused = true)]
async fn a_caller_nobody_answers_with_fax_gets_no_dis_and_says_so() {
    let (sim, da, db) = port_util::two_modems(31);
    let mut caller = FaxTerminal::new(sim.open_port(da).unwrap(), Options::new("5550100"));
    let mut b = sim.open_port(db).unwrap();
    caller.set_up().await.unwrap();
    // B answers as a data modem: no V.21 flags ever come, so the dial itself fails.
    port_util::cmd(&mut b, &sim, "ATS0=1\r", "OK").await;
    let err = caller.dial("5550101").await.unwrap_err();
    assert!(err.to_string().contains("ATD5550101"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn dialling_a_busy_line_fails_at_once_with_the_modems_words() {
    let (sim, da, db) = port_util::two_modems(32);
    let mut caller = FaxTerminal::new(sim.open_port(da).unwrap(), Options::new("5550100"));
    let mut b = sim.open_port(db).unwrap();
    caller.set_up().await.unwrap();
    port_util::cmd(&mut b, &sim, "ATH1\r", "OK").await;
    let started = tokio::time::Instant::now();
    let err = caller.dial("5550101").await.unwrap_err();
    assert!(err.to_string().contains("BUSY"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

proptest! {
    #[test]
    fn any_frame_bytes_parse_or_are_refused_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(frame) = Frame::parse(&bytes) {
            let _ = frame.ident();
            let _ = Capabilities::parse(&frame.fif, true);
            let _ = Capabilities::parse(&frame.fif, false);
            prop_assert_eq!(Frame::parse(&frame.encode()).unwrap(), frame);
        }
    }

    #[test]
    fn fill_never_changes_a_pages_lines(lines in 0usize..60, rate in 0usize..8, scan in 0usize..5) {
        let page = Page::white(lines);
        let rate = Rate::ALL[rate];
        let scan = [0, 5, 10, 20, 40][scan];
        let filled = Page::from_t4(page.with_fill(rate.bit_rate(), scan));
        prop_assert_eq!(filled.lines(), page.lines());
    }

    #[test]
    fn any_t4_bytes_split_into_lines_without_a_panic(t4 in proptest::collection::vec(any::<u8>(), 0..256)) {
        let page = Page::from_t4(t4);
        let again = Page::from_t4(page.with_fill(9600, 20));
        prop_assert_eq!(again.lines(), page.lines());
    }

    #[test]
    fn a_terminal_against_a_modem_that_says_anything_ends_without_a_panic(
        said in proptest::collection::vec(any::<u8>(), 0..512),
        sending: bool,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async move {
            use tokio::io::AsyncWriteExt;
            let (ours, mut modem) = tokio::io::duplex(4096);
            modem.write_all(&said).await.unwrap();
            let mut terminal = FaxTerminal::new(ours, Options::new("5550100"));
            // The modem stays open and silent after its bytes: the terminal's timers end it.
            let ended = if sending {
                terminal.send(&[Page::white(4)]).await.map(|_| ())
            } else {
                terminal.receive().await.map(|_| ())
            };
            drop(modem);
            prop_assert!(ended.is_err(), "a session out of noise: {:?}", terminal.log());
            Ok(())
        })?;
    }
}

//! The switchboard's commands against simulated modems in memory, on paused tokio time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::cli::commands::parse;
use crate::port::SimPort;

fn setup(call_waiting: bool) -> Setup {
    let mut setup = Setup::default();
    setup.modems[0].call_waiting = call_waiting;
    setup.modems[0].name = Some("ALICE".into());
    setup.seed = Some(5);
    setup
}

fn run(board: &mut Switchboard, line: &str) -> Result<String, String> {
    match board.execute(&parse(line).unwrap().unwrap()) {
        Ok(Reply::Text(text)) => Ok(text),
        Ok(Reply::Quit) => Ok("<quit>".into()),
        Err(e) => Err(e.to_string()),
    }
}

async fn expect(port: &mut SimPort, board: &Switchboard, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        if String::from_utf8_lossy(&seen).contains(needle) {
            return String::from_utf8_lossy(&seen).into_owned();
        }
        match tokio::time::timeout_at(deadline, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!(
                "waiting for {needle:?}: {other:?}; read {:?}\n{}",
                String::from_utf8_lossy(&seen),
                board.sim().transcript()
            ),
        }
    }
}

/// Opens modem `index`'s port and sets it to answer on the first ring.
async fn answering(board: &Switchboard, index: usize) -> SimPort {
    let mut port = board.sim().open_port(board.device(index).unwrap()).unwrap();
    port.write_all(b"ATS0=1\r").await.unwrap();
    expect(&mut port, board, "OK").await;
    port
}

#[tokio::test(start_paused = true)]
async fn ring_rings_the_modem_with_caller_id_and_hangup_ends_the_answered_call() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    let mut port = answering(&board, 1).await;
    port.write_all(b"AT+VCID=1\r").await.unwrap();
    expect(&mut port, &board, "OK").await;

    let reply = run(&mut board, "ring 5550101 5551234").unwrap();
    assert_eq!(
        reply,
        "5551234 rang modem 1 (5550101), which answered at once"
    );
    let answered = expect(&mut port, &board, "CONNECT").await;
    assert!(answered.contains("RING"), "{answered:?}");
    let state = run(&mut board, "state").unwrap();
    assert!(state.contains("connected  caller 5551234"), "{state}");
    assert!(state.contains("online 33600"), "{state}");

    assert_eq!(
        run(&mut board, "hangup 1").unwrap(),
        "5551234 hung up on modem 1 (5550101)"
    );
    expect(&mut port, &board, "NO CARRIER").await;
    let state = run(&mut board, "state").unwrap();
    assert!(
        state.contains("5551234  ring     5550101  hung up"),
        "{state}"
    );
}

#[tokio::test(start_paused = true)]
async fn hangup_makes_a_caller_that_is_still_ringing_give_up() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    assert_eq!(
        run(&mut board, "ring ALICE").unwrap(),
        "5559001 is ringing modem 0 (5550100)"
    );
    assert_eq!(
        run(&mut board, "hangup ttySIM0").unwrap(),
        "5559001 gave up calling modem 0 (5550100)"
    );
    let status = board
        .sim()
        .with(|net, _| net.exchange().line_status(LineId(0)));
    assert_eq!(status, Some(LineStatus::Idle));
    assert_eq!(
        run(&mut board, "hangup 0").unwrap_err(),
        "hangup 0: nothing to hang up: modem 0 (5550100) is idle and no caller is calling it"
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_injects_the_tone_that_drops_the_data_call() {
    let mut board = Switchboard::start(&setup(true)).unwrap();
    let mut port = answering(&board, 0).await;
    run(&mut board, "ring 0 5551234").unwrap();
    expect(&mut port, &board, "CONNECT").await;

    let reply = run(&mut board, "waiting 0 5559999 voice").unwrap();
    assert_eq!(
        reply,
        "5559999 is waiting on modem 0 (5550100): call-waiting tone injected into its call with caller 5551234; \
         modem 0 (5550100) left that call and answered 5559999"
    );
    expect(&mut port, &board, "NO CARRIER").await;
    let state = run(&mut board, "state").unwrap();
    assert!(
        state.contains("5551234  ring     5550100  idle"),
        "the data caller hung up: {state}"
    );
    assert!(
        state.contains("5559999  waiting  5550100  connected"),
        "{state}"
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_needs_a_call_and_call_waiting_on_the_line() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    let err = run(&mut board, "waiting 1").unwrap_err();
    assert!(
        err.starts_with("waiting 1: 5550101 is not in a call (it is idle)"),
        "{err}"
    );

    let mut port = answering(&board, 1).await;
    run(&mut board, "ring 1").unwrap();
    expect(&mut port, &board, "CONNECT").await;
    let err = run(&mut board, "waiting 1").unwrap_err();
    assert!(
        err.contains("has no call waiting") && err.contains("--call-waiting"),
        "{err}"
    );
    // Without call waiting a second caller simply finds the line busy.
    let reply = run(&mut board, "ring 1 5550000").unwrap();
    assert!(
        reply.starts_with("5550000 hears busy: modem 1 (5550101) is connected"),
        "{reply}"
    );
}

#[tokio::test(start_paused = true)]
async fn hangup_refuses_a_far_end_that_is_another_simulated_modem() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    let mut b = answering(&board, 1).await;
    let mut a = board.sim().open_port(board.device(0).unwrap()).unwrap();
    a.write_all(b"ATDT5550101\r").await.unwrap();
    expect(&mut a, &board, "CONNECT").await;
    expect(&mut b, &board, "CONNECT").await;
    let err = run(&mut board, "hangup 1").unwrap_err();
    assert!(
        err.starts_with("hangup 1: the far end of modem 1 (5550101) is modem 0 (5550100)"),
        "{err}"
    );
    assert!(err.contains("ATH"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn lines_are_found_by_index_number_name_or_link_name_and_unknown_ones_are_named() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    for (token, index) in [("0", 0), ("5550101", 1), ("alice", 0), ("ttySIM1", 1)] {
        assert_eq!(board.resolve(token), Ok(index), "{token}");
    }
    assert_eq!(
        run(&mut board, "ring 7").unwrap_err(),
        "ring 7: no line \"7\": give a modem's index (0 to 1), number, name or ttySIM<n>"
    );
}

#[tokio::test(start_paused = true)]
async fn a_private_caller_shows_as_p_in_the_caller_id() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    let mut port = board.sim().open_port(board.device(1).unwrap()).unwrap();
    port.write_all(b"AT+VCID=1\r").await.unwrap();
    expect(&mut port, &board, "OK").await;
    run(&mut board, "ring 1 5551234 private").unwrap();
    let cid = expect(&mut port, &board, "NMBR").await;
    let cid = cid + &expect(&mut port, &board, "\r\n").await;
    assert!(cid.contains("NMBR = P"), "{cid:?}");
    assert!(!cid.contains("5551234"), "{cid:?}");
}

#[tokio::test(start_paused = true)]
async fn callers_get_fresh_numbers_and_state_lists_them() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    run(&mut board, "ring 0").unwrap();
    run(&mut board, "ring 1").unwrap();
    let state = run(&mut board, "state").unwrap();
    assert!(
        state.contains("5559001  ring     5550100  calling  ringback"),
        "{state}"
    );
    assert!(
        state.contains("5559002  ring     5550101  calling  ringback"),
        "{state}"
    );
    assert!(state.contains("RI"), "{state}");
}

#[tokio::test(start_paused = true)]
async fn the_table_lists_every_modem_and_the_seed() {
    let board = Switchboard::start(&setup(true)).unwrap();
    let table = board.table();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "modem  pty  link  number   profile  call-waiting  name   caller-id        presentation"
    );
    assert_eq!(
        lines[1],
        "0      -    -     5550100  v250     on            ALICE  number-and-name  shown"
    );
    assert_eq!(
        lines[2],
        "1      -    -     5550101  v250     off           -      number-and-name  shown"
    );
    assert!(lines[3].starts_with("seed 5 "), "{table}");
}

#[tokio::test(start_paused = true)]
async fn help_transcript_and_quit_answer_without_touching_the_lines() {
    let mut board = Switchboard::start(&setup(false)).unwrap();
    assert!(run(&mut board, "help").unwrap().contains("ring LINE"));
    run(&mut board, "ring 0").unwrap();
    let transcript = run(&mut board, "transcript").unwrap();
    assert!(transcript.contains("tsp-sim: ring 0"), "{transcript}");
    assert_eq!(run(&mut board, "quit").unwrap(), "<quit>");
}

/// Three modems: 0 named with punctuation; 1 with number-and-name caller ID, 2 with number only,
/// 3 with none; caller ID before the first ring, the calendar at 21 March 14:05.
fn caller_id_setup() -> Setup {
    let mut setup = Setup::default();
    setup.modems.push(ModemSpec::new("5550102", "v250"));
    setup.modems.push(ModemSpec::new("5550103", "v250"));
    setup.modems[0].name = Some("O'BRIEN, J.".into());
    setup.modems[2].caller_id = CallerIdService::Number;
    setup.modems[3].caller_id = CallerIdService::None;
    setup.caller_id_placement = crate::exchange::CallerIdPlacement::BeforeFirstRing;
    setup.clock = Some(CallerIdClock {
        month: 3,
        day: 21,
        hour: 14,
        minute: 5,
    });
    setup.seed = Some(5);
    setup
}

/// Modem 0 dials modem `callee`; what `callee`'s port shows up to its second RING.
async fn seen_when_modem_0_calls(callee: usize) -> String {
    seen_when_modem_0_calls_in(&caller_id_setup(), callee).await
}

async fn seen_when_modem_0_calls_in(setup: &Setup, callee: usize) -> String {
    let board = Switchboard::start(setup).unwrap();
    let mut port = board
        .sim()
        .open_port(board.device(callee).unwrap())
        .unwrap();
    port.write_all(b"AT+VCID=1\r").await.unwrap();
    expect(&mut port, &board, "OK").await;
    let mut caller = board.sim().open_port(board.device(0).unwrap()).unwrap();
    let dial = format!("ATDT{}\r", board.modems[callee].spec.number);
    caller.write_all(dial.as_bytes()).await.unwrap();
    let first = expect(&mut port, &board, "RING").await;
    first + &expect(&mut port, &board, "RING").await
}

#[tokio::test(start_paused = true)]
async fn a_number_and_name_line_hears_date_time_number_and_a_punctuated_name_before_the_first_ring()
{
    let seen = seen_when_modem_0_calls(1).await;
    let before_ring = &seen[..seen.find("RING").unwrap()];
    for line in [
        "DATE = 0321",
        "TIME = 1405",
        "NMBR = 5550100",
        "NAME = O'BRIEN, J.",
    ] {
        assert!(before_ring.contains(line), "{line:?} in {seen:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_number_only_line_hears_no_name_and_a_line_without_caller_id_hears_only_rings() {
    let seen = seen_when_modem_0_calls(2).await;
    assert!(seen.contains("NMBR = 5550100"), "{seen:?}");
    assert!(!seen.contains("NAME"), "SDMF carries no name: {seen:?}");
    let seen = seen_when_modem_0_calls(3).await;
    assert!(seen.contains("RING"), "{seen:?}");
    for field in ["DATE", "TIME", "NMBR", "NAME"] {
        assert!(!seen.contains(field), "no caller ID: {seen:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_caller_without_a_listed_name_reaches_a_number_and_name_line_as_name_o() {
    let mut setup = caller_id_setup();
    setup.modems[0].name = None;
    let seen = seen_when_modem_0_calls_in(&setup, 1).await;
    assert!(seen.contains("NMBR = 5550100"), "{seen:?}");
    assert!(
        seen.contains("NAME = O"),
        "the reason for no name: {seen:?}"
    );
}

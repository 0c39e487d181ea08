//! Answering: RING, RI, the ring counter, auto-answer, ATA and caller ID formats per profile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use modem_support::{Bench, caller_id, originate_carrier, ring};
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole, LineAction, LineSignal, Presentation};
use tsp_sim::modem::Profile;

/// One ring cycle of the standard cadence: 2 s on, 4 s off.
fn ring_cycle(b: &mut Bench) {
    b.signal(ring());
    b.secs(2.0);
    b.signal(LineSignal::RingOff);
    b.secs(4.0);
}

fn answer_carrier_action() -> LineAction {
    LineAction::StartCarrier(Carrier {
        role: CarrierRole::Answer,
        kind: CarrierKind::Data,
        max_rate: 33600,
    })
}

#[test]
fn ring_indicator_follows_each_burst_and_s1_counts_rings() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.signal(ring());
    assert!(b.ri());
    assert_eq!(b.output(), "\r\nRING\r\n");
    b.secs(2.0);
    b.signal(LineSignal::RingOff);
    assert!(!b.ri());
    b.secs(4.0);
    b.signal(ring());
    assert_eq!(b.output(), "\r\nRING\r\n");
    assert_eq!(b.modem.s_register(1), Some(2));
    assert_eq!(b.cmd("ATS1?"), "\r\n002\r\n\r\nOK\r\n");
}

#[test]
fn ring_counter_resets_eight_seconds_after_the_last_ring() {
    let mut b = Bench::quiet_echo(Profile::v250());
    ring_cycle(&mut b);
    assert_eq!(b.modem.s_register(1), Some(1));
    b.secs(3.9);
    assert_eq!(b.modem.s_register(1), Some(1));
    b.secs(0.1);
    assert_eq!(b.modem.s_register(1), Some(0));
}

#[test]
fn auto_answer_picks_up_at_the_s0th_ring() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATS0=2");
    ring_cycle(&mut b);
    assert_eq!(b.take_actions(), vec![]);
    b.signal(ring());
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, answer_carrier_action()]
    );
    assert!(!b.ri());
    b.signal(LineSignal::RemoteCarrier(originate_carrier(33600)));
    b.secs(3.0);
    assert_eq!(b.output(), "\r\nRING\r\n\r\nRING\r\n\r\nCONNECT 33600\r\n");
    assert!(b.dcd());
}

#[test]
fn auto_answer_is_disabled_while_dtr_is_off_with_and_d2() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATS0=1");
    b.set_dtr(false);
    b.signal(ring());
    assert_eq!(b.take_actions(), vec![]);
    b.cmd("AT&D0");
    b.secs(7.0);
    b.signal(ring());
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, answer_carrier_action()]
    );
}

#[test]
fn ata_connects_when_the_originate_carrier_is_heard() {
    let mut b = Bench::new(Profile::usr5637());
    b.cmd("ATE0");
    b.output();
    b.signal(ring());
    b.output();
    assert_eq!(b.cmd("ATA"), "");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, answer_carrier_action()]
    );
    b.signal(LineSignal::RemoteCarrier(originate_carrier(28800)));
    b.secs(5.9);
    assert_eq!(b.output(), "");
    b.secs(0.1);
    assert_eq!(b.output(), "\r\nCONNECT 28800\r\n");
}

#[test]
fn ata_without_a_caller_times_out_after_s7() {
    let mut b = Bench::quiet_echo(Profile::usr5637());
    b.cmd("ATA");
    b.secs(59.9);
    assert_eq!(b.output(), "");
    b.secs(0.1);
    assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
    assert_eq!(
        b.take_actions(),
        vec![
            LineAction::OffHook,
            answer_carrier_action(),
            LineAction::StopCarrier,
            LineAction::OnHook
        ]
    );
}

#[test]
fn caller_id_between_rings_conexant_with_spaces() {
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    b.cmd("AT+VCID=1");
    ring_cycle(&mut b);
    b.signal(LineSignal::CallerId(caller_id(
        Some("5045551234"),
        Some("A N OTHER"),
    )));
    b.signal(ring());
    assert_eq!(
        b.output(),
        "\r\nRING\r\n\
         \r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5045551234\r\nNAME = A N OTHER\r\n\
         \r\nRING\r\n"
    );
}

#[test]
fn caller_id_usr_without_spaces_enabled_by_hash_cid() {
    let mut b = Bench::quiet_echo(Profile::usr5637());
    b.cmd("AT#CID=1");
    ring_cycle(&mut b);
    b.signal(LineSignal::CallerId(caller_id(
        Some("5045551234"),
        Some("WIRELESS CALLER"),
    )));
    b.signal(ring());
    assert_eq!(
        b.output(),
        "\r\nRING\r\n\
         \r\nDATE=0321\r\nTIME=1405\r\nNMBR=5045551234\r\nNAME=WIRELESS CALLER\r\n\
         \r\nRING\r\n"
    );
}

#[test]
fn caller_id_private_number_and_missing_name() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+VCID=1");
    let mut cid = caller_id(None, None);
    cid.number_presentation = Presentation::Private;
    b.signal(LineSignal::CallerId(cid.clone()));
    assert_eq!(b.output(), "\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = P\r\n");
    cid.number_presentation = Presentation::OutOfArea;
    cid.name_presentation = Presentation::Private;
    b.signal(LineSignal::CallerId(cid));
    assert_eq!(
        b.output(),
        "\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = O\r\nNAME = P\r\n"
    );
}

#[test]
fn caller_id_unformatted_is_one_hex_line() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+VCID=2");
    // A number and no name field (a number-only line): the SDMF packet.
    b.signal(LineSignal::CallerId(caller_id(Some("5551234"), None)));
    let out = b.output();
    assert!(
        out.starts_with("\r\n040F303332313134303535353531323334"),
        "{out:?}"
    );
    assert!(
        out.ends_with("\r\n") && out.matches("\r\n").count() == 2,
        "{out:?}"
    );
}

#[test]
fn caller_id_is_silent_when_disabled_and_under_v0_has_no_header() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.signal(LineSignal::CallerId(caller_id(Some("5551234"), None)));
    assert_eq!(b.output(), "");
    b.cmd("AT+VCID=1;V0");
    b.signal(LineSignal::CallerId(caller_id(Some("5551234"), None)));
    assert_eq!(
        b.output(),
        "DATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\n"
    );
}

#[test]
fn conexant_loses_vcid_at_reset_even_after_and_w_but_usr_keeps_it() {
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    b.cmd("AT+VCID=1;&W");
    b.cmd("ATZ");
    b.cmd("ATE0");
    assert_eq!(b.cmd("AT+VCID?"), "\r\n0\r\nOK\r\n");
    let mut b = Bench::quiet_echo(Profile::usr5637());
    b.cmd("AT+VCID=1;&W");
    b.cmd("ATZ");
    b.cmd("ATE0");
    assert_eq!(b.cmd("AT+VCID?"), "\r\n1\r\n\r\nOK\r\n");
}

#[test]
fn rings_are_not_reported_while_off_hook() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATH1"), "\r\nOK\r\n");
    assert_eq!(b.take_actions(), vec![LineAction::OffHook]);
    b.signal(ring());
    assert_eq!(b.output(), "");
    assert!(!b.ri());
}

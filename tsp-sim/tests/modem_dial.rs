//! Dialling: the dial-string modifiers, call progress and the originate handshake.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use modem_support::{Bench, answer_carrier};
use tsp_sim::line::{
    Carrier, CarrierKind, CarrierRole, FaxSignal, LineAction, LineSignal, Modulation, ReleaseCause,
};
use tsp_sim::modem::Profile;

fn originate(kind: CarrierKind, max_rate: u32) -> LineAction {
    LineAction::StartCarrier(Carrier {
        role: CarrierRole::Originate,
        kind,
        max_rate,
    })
}

#[test]
fn cancel_code_comma_and_number_go_out_with_the_s8_pause_between() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATDT*70,5550100"), "");
    assert_eq!(b.take_actions(), vec![LineAction::OffHook]);
    b.signal(LineSignal::DialTone);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("*70".into())]);
    b.secs(1.99);
    assert_eq!(b.take_actions(), vec![]);
    b.secs(0.01);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("5550100".into())]);
    b.signal(LineSignal::Ringback);
    b.secs(12.0);
    b.signal(LineSignal::Answered);
    assert_eq!(b.take_actions(), vec![originate(CarrierKind::Data, 33600)]);
    b.signal(LineSignal::RemoteCarrier(answer_carrier(26400)));
    b.secs(2.9);
    assert_eq!(b.output(), "", "training takes the profile's 3 s");
    assert!(!b.dcd());
    b.secs(0.1);
    assert_eq!(b.output(), "\r\nCONNECT 26400\r\n");
    assert!(b.dcd());
    assert!(b.modem.is_online_data());
}

#[test]
fn s8_sets_the_comma_pause() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATS8=5DT9,,1");
    b.signal(LineSignal::DialTone);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("9".into())]
    );
    b.secs(9.9);
    assert_eq!(b.take_actions(), vec![]);
    b.secs(0.1);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("1".into())]);
}

#[test]
fn w_waits_for_a_second_dial_tone_and_reports_no_dialtone_whatever_x() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATX0DT9W5550100");
    b.secs(2.0);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("9".into())]
    );
    b.secs(10.0);
    assert_eq!(b.take_actions(), vec![]);
    b.signal(LineSignal::DialTone);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("5550100".into())]);

    let mut b = Bench::quiet_echo(Profile::usr5637());
    b.cmd("ATX0DT9W5550100");
    b.secs(2.0);
    b.secs(59.9);
    assert_eq!(b.output(), "");
    b.secs(0.1);
    assert_eq!(
        b.output(),
        "\r\nNO DIAL TONE\r\n",
        "USR spelling, W ignores X0"
    );
    assert_eq!(
        b.take_actions(),
        vec![
            LineAction::OffHook,
            LineAction::Digits("9".into()),
            LineAction::OnHook
        ]
    );
}

#[test]
fn flash_and_short_pause_are_line_actions_and_timing() {
    let mut b = Bench::quiet_echo(Profile::usr5637());
    b.cmd("ATDT!/70#;");
    b.signal(LineSignal::DialTone);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Flash]
    );
    b.secs(0.5);
    b.secs(0.125);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("70#".into())]);
    assert_eq!(b.output(), "\r\nOK\r\n");
}

#[test]
fn semicolon_returns_to_command_state_off_hook_and_h_hangs_up() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATDT5550100;"), "");
    b.signal(LineSignal::DialTone);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert!(b.modem.is_off_hook());
    // More digits without a new dial tone (voice menus).
    assert_eq!(b.cmd("ATD1;"), "\r\nOK\r\n");
    assert_eq!(b.cmd("ATH"), "\r\nOK\r\n");
    assert_eq!(
        b.take_actions(),
        vec![
            LineAction::OffHook,
            LineAction::Digits("5550100".into()),
            LineAction::Digits("1".into()),
            LineAction::OnHook,
        ]
    );
    assert!(!b.modem.is_off_hook());
}

#[test]
fn commands_after_a_voice_dial_run_when_dialling_ends() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATDT5550100;S7?"), "");
    b.signal(LineSignal::DialTone);
    assert_eq!(b.output(), "\r\n050\r\n\r\nOK\r\n");
}

#[test]
fn l_redials_the_last_number() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATDL"), "\r\nERROR\r\n");
    b.cmd("ATDT5550100;");
    b.signal(LineSignal::DialTone);
    b.cmd("ATH");
    b.output();
    b.take_actions();
    b.cmd("ATDL");
    b.signal(LineSignal::DialTone);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("5550100".into())]
    );
    assert_eq!(b.output(), "\r\nOK\r\n");
}

#[test]
fn pulse_dialling_is_sticky_and_drops_tone_only_digits() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATDP*1170,5;");
    b.signal(LineSignal::DialTone);
    b.secs(2.0);
    b.cmd("ATH");
    b.take_actions();
    b.cmd("ATD#9;");
    b.signal(LineSignal::DialTone);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("9".into())]
    );
}

#[test]
fn bad_dial_strings_answer_error_without_going_off_hook() {
    let mut b = Bench::quiet_echo(Profile::v250());
    for line in ["ATDT555$", "ATDTS=1", "ATDT5 x"] {
        assert_eq!(b.cmd(line), "\r\nERROR\r\n", "{line}");
    }
    assert_eq!(b.take_actions(), vec![]);
}

#[test]
fn garbage_after_a_voice_dial_is_an_error_once_dialling_ends() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATDT5;5"), "");
    b.signal(LineSignal::DialTone);
    assert_eq!(b.output(), "\r\nERROR\r\n");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("5".into())]
    );
}

#[test]
fn busy_and_reorder_at_x4_answer_busy_and_hang_up() {
    for signal in [LineSignal::Busy, LineSignal::Reorder] {
        let mut b = Bench::quiet_echo(Profile::v250());
        b.cmd("ATDT5550100");
        b.signal(LineSignal::DialTone);
        b.signal(signal);
        assert_eq!(b.output(), "\r\nBUSY\r\n");
        assert_eq!(b.take_actions().last(), Some(&LineAction::OnHook));
    }
}

#[test]
fn quiet_answer_modifier_reports_busy_even_at_x0() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATX0DT5550100@");
    b.secs(2.0);
    b.signal(LineSignal::Busy);
    assert_eq!(b.output(), "\r\nBUSY\r\n");
}

#[test]
fn quiet_answer_continues_the_dial_string_once_answered() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATDT5550100@123;");
    b.signal(LineSignal::DialTone);
    b.signal(LineSignal::Ringback);
    b.secs(10.0);
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, LineAction::Digits("5550100".into())]
    );
    b.signal(LineSignal::Answered);
    assert_eq!(b.take_actions(), vec![LineAction::Digits("123".into())]);
    assert_eq!(b.output(), "\r\nOK\r\n");
}

#[test]
fn far_end_release_while_waiting_is_no_carrier() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATDT5550100");
    b.signal(LineSignal::DialTone);
    b.signal(LineSignal::Ringback);
    b.signal(LineSignal::Released(ReleaseCause::Rejected));
    assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
    assert!(!b.modem.is_off_hook());
}

#[test]
fn answered_but_no_carrier_within_s7_is_no_carrier_with_the_carrier_stopped() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATS7=30DT5550100");
    b.signal(LineSignal::DialTone);
    b.signal(LineSignal::Answered);
    b.take_actions();
    b.secs(29.9);
    assert_eq!(b.output(), "");
    b.secs(0.1);
    assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::StopCarrier, LineAction::OnHook]
    );
}

#[test]
fn a_keypress_aborts_dialling_with_the_profiles_result() {
    for (profile, expected) in [
        (Profile::v250(), "\r\nOK\r\n"),
        (Profile::conexant_usb(), "\r\nNO CARRIER\r\n"),
    ] {
        let mut b = Bench::quiet_echo(profile);
        b.cmd("ATDT5550100");
        b.signal(LineSignal::DialTone);
        b.secs(5.0);
        b.take_actions();
        b.write(b"x");
        assert_eq!(b.output(), expected);
        assert_eq!(b.take_actions(), vec![LineAction::OnHook]);
        assert_eq!(b.cmd("AT"), "\r\nOK\r\n");
    }
}

#[test]
fn cr_lf_and_keypresses_during_training_do_not_abort() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.write(b"ATDT5550100\r");
    b.secs(0.05);
    b.write(b"\n");
    b.signal(LineSignal::DialTone);
    b.signal(LineSignal::Answered);
    b.signal(LineSignal::RemoteCarrier(answer_carrier(33600)));
    b.secs(1.0);
    b.write(b"x");
    b.secs(2.0);
    assert_eq!(b.output(), "\r\nCONNECT 33600\r\n");
}

#[test]
fn the_connection_runs_at_the_lower_rate_of_both_ends() {
    let mut profile = Profile::v250();
    profile.max_data_rate = 14400;
    let mut b = Bench::quiet_echo(profile);
    assert_eq!(
        b.dial_and_connect("T5550100", 33600),
        "\r\nCONNECT 14400\r\n"
    );
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.dial_and_connect("T5550100", 2400), "\r\nCONNECT 2400\r\n");
}

#[test]
fn connect_wording_follows_w_on_conexant() {
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    assert_eq!(
        b.dial_and_connect("T5550100", 31200),
        "\r\nCONNECT 115200\r\n",
        "W0 factory: DTE rate"
    );
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    b.cmd("ATW1");
    assert_eq!(
        b.dial_and_connect("T5550100", 31200),
        "\r\nCARRIER 31200\r\n\r\nPROTOCOL: NONE\r\n\r\nCONNECT 115200\r\n"
    );
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    b.cmd("ATW2");
    assert_eq!(
        b.dial_and_connect("T5550100", 31200),
        "\r\nCONNECT 31200\r\n"
    );
}

#[test]
fn a_class_1_call_sends_no_carrier_and_connects_on_the_far_fax_machines_flags() {
    // T.30 phase B starts with the called machine's V.21 flags; the caller only listens
    // (implied +FRH=3, T.31 8.3.1).
    for far in [
        LineSignal::Fax(FaxSignal::Carrier(Modulation::V21)),
        // A far end modelled with one fax carrier for the whole call (a scripted party).
        LineSignal::RemoteCarrier(Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Fax,
            max_rate: 9600,
        }),
    ] {
        let mut b = Bench::quiet_echo(Profile::v250());
        b.cmd("AT+FCLASS=1");
        b.cmd("ATDT5550100");
        b.signal(LineSignal::DialTone);
        b.signal(LineSignal::Answered);
        assert_eq!(
            b.take_actions(),
            vec![LineAction::OffHook, LineAction::Digits("5550100".into())]
        );
        b.signal(LineSignal::Fax(FaxSignal::AnswerTone));
        assert_eq!(b.output(), "", "the answer tone is not the flags");
        b.signal(far);
        assert_eq!(b.output(), "\r\nCONNECT\r\n");
    }
}

#[test]
fn a_data_carrier_does_not_train_with_a_fax_carrier_or_the_same_role() {
    for remote in [
        Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Fax,
            max_rate: 14400,
        },
        Carrier {
            role: CarrierRole::Originate,
            kind: CarrierKind::Data,
            max_rate: 33600,
        },
    ] {
        let mut b = Bench::quiet_echo(Profile::v250());
        b.cmd("ATDT5550100");
        b.signal(LineSignal::DialTone);
        b.signal(LineSignal::Answered);
        b.signal(LineSignal::RemoteCarrier(remote));
        b.secs(49.0);
        assert_eq!(b.output(), "");
        b.secs(1.0);
        assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
    }
}

#[test]
fn voice_class_dials_then_waits_for_the_answer_unless_the_string_ends_with_a_semicolon() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+FCLASS=8");
    b.cmd("ATDT5550100");
    b.signal(LineSignal::DialTone);
    b.signal(LineSignal::Ringback);
    b.secs(20.0);
    assert_eq!(b.output(), "", "ringing: no answer yet");
    b.signal(LineSignal::Answered);
    b.secs(4.9);
    assert_eq!(b.output(), "", "+VRA: ringback gone for 5 s");
    b.secs(0.1);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert!(b.modem.is_off_hook());

    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+FCLASS=8");
    b.cmd("ATDT5550100;");
    b.signal(LineSignal::DialTone);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert!(b.modem.is_off_hook());
}

#[test]
fn empty_dial_originates_at_once() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATD");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::OffHook, originate(CarrierKind::Data, 33600)]
    );
    b.signal(LineSignal::RemoteCarrier(answer_carrier(33600)));
    b.secs(3.0);
    assert_eq!(b.output(), "\r\nCONNECT 33600\r\n");
}

#[test]
fn dial_and_answer_are_refused_in_online_command_state() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.online();
    b.output();
    b.secs(1.5);
    b.write(b"+++");
    b.secs(1.0);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert_eq!(b.cmd("ATDT5551234"), "\r\nERROR\r\n");
    assert_eq!(b.cmd("ATA"), "\r\nERROR\r\n");
    assert_eq!(b.cmd("ATO"), "\r\nCONNECT 33600\r\n");
}

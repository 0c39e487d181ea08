//! Command state: prefix, editing, concatenation, S-registers, identification, profiles' quirks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use std::time::Duration;

use modem_support::Bench;
use tsp_sim::line::DteSide;
use tsp_sim::modem::Profile;

#[test]
fn echo_includes_the_terminator_and_the_line_that_turns_echo_off() {
    let mut b = Bench::v250();
    assert_eq!(b.cmd("ATZ"), "ATZ\r\r\nOK\r\n");
    assert_eq!(b.cmd("ATE0"), "ATE0\r\r\nOK\r\n");
    assert_eq!(b.cmd("AT"), "\r\nOK\r\n");
    assert_eq!(b.cmd("ATE1"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n");
}

#[test]
fn a_line_feed_after_the_terminator_is_swallowed() {
    let mut b = Bench::v250();
    b.write(b"AT\r\n");
    assert_eq!(b.output(), "AT\r\r\nOK\r\n");
}

#[test]
fn common_init_string_is_accepted_in_one_line() {
    let mut b = Bench::v250();
    assert_eq!(
        b.cmd("ATE0V1Q0X4&C1&D2S0=0"),
        "ATE0V1Q0X4&C1&D2S0=0\r\r\nOK\r\n"
    );
    assert_eq!(b.cmd("ATQ0 V1 E0 S0=0 &C1 &D2 +FCLASS=0"), "\r\nOK\r\n");
    assert_eq!(b.cmd("at+fclass=0"), "\r\nOK\r\n");
}

#[test]
fn an_error_stops_the_line_but_earlier_commands_took_effect() {
    let mut b = Bench::v250();
    assert_eq!(b.cmd("ATE0S7=30$V0"), "ATE0S7=30$V0\r\r\nERROR\r\n");
    assert_eq!(b.modem.s_register(7), Some(30));
    // V0 was not executed: still verbose; E0 was.
    assert_eq!(b.cmd("AT"), "\r\nOK\r\n");
    assert_eq!(b.cmd("ATS7=300V0"), "\r\nERROR\r\n");
    assert_eq!(b.modem.s_register(7), Some(30));
}

#[test]
fn unknown_and_out_of_range_commands_answer_error() {
    let mut b = Bench::quiet_echo(Profile::v250());
    for line in [
        "ATJ",
        "AT&Z",
        "AT+FOO",
        "ATE2",
        "ATQ2",
        "ATV2",
        "ATX5",
        "ATS99=1",
        "ATS99?",
        "ATS3=200",
        "AT&K3",
        "ATT1",
        "ATH2",
        "ATZ2",
        "AT&D4",
        "AT+FCLASS=2",
        "AT#CID=1",
        "AT+VCID=3",
        "ATI8",
        "AT+GMI=1",
        "AT+IPR=1234",
        "AT+IFC=3,0",
    ] {
        assert_eq!(b.cmd(line), "\r\nERROR\r\n", "{line}");
    }
}

#[test]
fn x5_to_x7_and_passive_flow_commands_exist_on_the_usr_profile() {
    let mut b = Bench::quiet_echo(Profile::usr5637());
    assert_eq!(b.cmd("ATX7&H1&R2&I0"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT&K3"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT&K4"), "\r\nERROR\r\n");
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    assert_eq!(b.cmd("AT&K3\\N3%C1&Q5"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT&H1"), "\r\nERROR\r\n");
}

#[test]
fn body_length_limit_is_forty_on_the_strict_profile_and_fifty_on_conexant() {
    let forty = format!("AT{}", "E0".repeat(20));
    let forty_one = format!("AT{}E", "E0".repeat(20));
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd(&forty), "\r\nOK\r\n");
    assert_eq!(b.cmd(&forty_one), "\r\nERROR\r\n");
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    assert_eq!(b.cmd(&forty_one), "\r\nOK\r\n");
    assert_eq!(b.cmd(&format!("AT{}E", "E0".repeat(25))), "\r\nERROR\r\n");
}

#[test]
fn mixed_case_prefix_depends_on_the_profile() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("aT"), "");
    assert_eq!(b.cmd("At"), "");
    assert_eq!(b.cmd("at"), "\r\nOK\r\n");
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    assert_eq!(b.cmd("aT"), "\r\nOK\r\n");
    let mut b = Bench::quiet_echo(Profile::usr5637());
    assert_eq!(b.cmd("At"), "");
}

#[test]
fn a_slash_repeats_the_last_line_without_a_terminator() {
    let mut b = Bench::v250();
    b.write(b"A/");
    assert_eq!(
        b.output(),
        "A/\r\nOK\r\n",
        "nothing executed yet: like an empty line"
    );
    assert_eq!(
        b.cmd("ATI3"),
        "ATI3\r\r\ntsp-sim V.250 reference modem\r\n\r\nOK\r\n"
    );
    b.write(b"A/");
    assert_eq!(
        b.output(),
        "A/\r\ntsp-sim V.250 reference modem\r\n\r\nOK\r\n"
    );
    b.write(b"a/");
    assert_eq!(
        b.output(),
        "a/\r\ntsp-sim V.250 reference modem\r\n\r\nOK\r\n"
    );
}

#[test]
fn s3_change_applies_to_the_result_of_the_same_line_and_terminates_later_lines() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATS3=64"), "@\nOK@\n");
    b.write(b"ATS3?@");
    assert_eq!(b.output(), "@\n064@\n@\nOK@\n");
    // CR is now an ordinary (discarded) control character.
    b.write(b"AT\r");
    assert_eq!(b.output(), "");
    b.write(b"@");
    assert_eq!(b.output(), "@\nOK@\n");
}

#[test]
fn s4_and_s5_change_framing_and_editing() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATS4=33"), "\r!OK\r!");
    b.cmd("ATS4=10S5=35");
    b.write(b"ATX#Q0\r");
    assert_eq!(b.output(), "\r\nOK\r\n");
    b.write(b"ATE\x08V1\r");
    assert_eq!(
        b.output(),
        "\r\nOK\r\n",
        "BS is an ordinary control character once S5 changed"
    );
}

#[test]
fn backspace_deletes_the_previous_character() {
    let mut b = Bench::v250();
    b.write(b"ATI9\x083\r");
    assert_eq!(
        b.output(),
        "ATI9\x083\r\r\ntsp-sim V.250 reference modem\r\n\r\nOK\r\n"
    );
}

#[test]
fn s_registers_read_back_with_three_digits() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATS7?"), "\r\n050\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("ATS0=2S0?"), "\r\n002\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("ATS12"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT?"), "\r\n050\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("ATS8="), "\r\nOK\r\n");
    assert_eq!(b.modem.s_register(8), Some(0));
    for (reg, value) in [(2, 43), (3, 13), (4, 10), (5, 8), (6, 2), (10, 14), (1, 0)] {
        assert_eq!(b.modem.s_register(reg), Some(value), "S{reg}");
    }
    let mut usr = Bench::quiet_echo(Profile::usr5637());
    assert_eq!(usr.cmd("ATS7?S10?"), "\r\n060\r\n\r\n007\r\n\r\nOK\r\n");
}

#[test]
fn quiet_mode_suppresses_results_but_not_information_text() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATQ1"), "");
    assert_eq!(b.cmd("ATI0"), "\r\n253\r\n");
    assert_eq!(b.cmd("ATJ"), "");
    assert_eq!(b.cmd("ATQ0"), "\r\nOK\r\n");
}

#[test]
fn numeric_mode_answers_digits_and_cr_and_frames_information_text_without_header() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("ATV0"), "0\r");
    assert_eq!(b.cmd("ATI0"), "253\r\n0\r");
    assert_eq!(b.cmd("ATV1"), "\r\nOK\r\n");
}

#[test]
fn z_restores_the_stored_profile_and_answers_in_its_format() {
    let mut b = Bench::v250();
    b.cmd("ATE0V0S7=20");
    // Echo was off while ATZ was typed; the OK is in the restored (verbose) format.
    assert_eq!(b.cmd("ATZ"), "\r\nOK\r\n");
    assert_eq!(b.modem.s_register(7), Some(50));
    // &W stores: Z now brings back E0 and S7=20.
    b.cmd("ATE0S7=20&W");
    b.cmd("ATE1S7=40");
    assert_eq!(b.cmd("ATZ"), "ATZ\r\r\nOK\r\n");
    assert_eq!(b.cmd("AT"), "\r\nOK\r\n");
    assert_eq!(b.modem.s_register(7), Some(20));
    // &F is the factory profile whatever was stored.
    assert_eq!(b.cmd("AT&F"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n");
    assert_eq!(b.modem.s_register(7), Some(50));
}

#[test]
fn information_commands_answer_per_profile() {
    let cases: &[(Profile, &[(&str, &str)])] = &[
        (
            Profile::v250(),
            &[
                ("ATI0", "\r\n253\r\n\r\nOK\r\n"),
                ("ATI3", "\r\ntsp-sim V.250 reference modem\r\n\r\nOK\r\n"),
                ("ATI7", "\r\nOK\r\n"),
                ("AT+GMI", "\r\ntsp-sim\r\n\r\nOK\r\n"),
                ("AT+GMM", "\r\nV.250 reference modem\r\n\r\nOK\r\n"),
                ("AT+GCAP", "\r\n+GCAP: +FCLASS,+MS,+ES,+DS\r\n\r\nOK\r\n"),
                ("AT+GMI=?", "\r\nOK\r\n"),
            ],
        ),
        (
            Profile::conexant_usb(),
            &[
                ("ATI", "\r\n56000\r\n\r\nOK\r\n"),
                ("ATI0", "\r\n56000\r\n\r\nOK\r\n"),
                ("ATI1", "\r\n255\r\n\r\nOK\r\n"),
                ("ATI2", "\r\nOK\r\n\r\nOK\r\n"),
                ("ATI3", "\r\nCX93001-EIS_V0.2013-V92\r\n\r\nOK\r\n"),
                ("ATI5", "\r\nB5\r\n\r\nOK\r\n"),
                ("AT+GMI", "\r\nCONEXANT\r\n\r\nOK\r\n"),
                ("AT+GMM", "\r\nV90\r\n\r\nOK\r\n"),
                ("AT+GMR", "\r\nCX93001-EIS_V0.2013-V92\r\n\r\nOK\r\n"),
                ("AT+GCAP", "\r\n+FCLASS,+MS,+ES,+DS\r\n\r\nOK\r\n"),
                (
                    "ATI0I3",
                    "\r\n56000\r\n\r\nCX93001-EIS_V0.2013-V92\r\n\r\nOK\r\n",
                ),
            ],
        ),
        (
            Profile::usr5637(),
            &[
                ("ATI0", "\r\n5601\r\n\r\nOK\r\n"),
                (
                    "ATI3",
                    "\r\nU.S. Robotics 56K FAX USB V1.2.23\r\n\r\nOK\r\n",
                ),
                (
                    "ATI4",
                    "\r\nE0 L1 M1 Q0 V1 W2 X4 &C1 &D2 &A1 &B0 &H0 &I0 &K1 &M4 &N0 &R1 &S0 B0 Y0\r\n\
                     BAUD=115200  PARITY=N  WORDLEN=8\r\n\r\nOK\r\n",
                ),
                ("ATI5", "\r\nERROR\r\n"),
                ("AT+GMI", "\r\nU.S. Robotics\r\n\r\nOK\r\n"),
            ],
        ),
    ];
    for (profile, exchanges) in cases {
        let mut b = Bench::quiet_echo(profile.clone());
        for (line, expected) in *exchanges {
            assert_eq!(b.cmd(line), *expected, "{} {line}", profile.name);
        }
    }
    let mut usr = Bench::quiet_echo(Profile::usr5637());
    let i7 = usr.cmd("ATI7");
    assert!(
        i7.starts_with("\r\nConfiguration Profile...\r\n\r\nProduct type"),
        "{i7:?}"
    );
    assert!(i7.ends_with("\r\n\r\nOK\r\n"));
}

#[test]
fn fclass_forms_follow_each_profiles_read_response_quirks() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("AT+FCLASS=?"), "\r\n0,1,8\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS?"), "\r\n0\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=1"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS?"), "\r\n1\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=8;+FCLASS?"), "\r\n8\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=1.0"), "\r\nERROR\r\n");
    assert_eq!(b.cmd("AT+FCLASS"), "\r\nERROR\r\n");

    // Conexant USB (hayes.md §12 #2): bare value, no blank line before OK.
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    assert_eq!(b.cmd("AT+FCLASS?"), "\r\n0\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=?"), "\r\n0,1,1.0,2,8\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=1.0"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID?"), "\r\n0\r\nOK\r\n");
    // Ordinary information text keeps its blank line.
    assert_eq!(b.cmd("ATI0"), "\r\n56000\r\n\r\nOK\r\n");

    let mut b = Bench::quiet_echo(Profile::usr5637());
    assert_eq!(b.cmd("AT+FCLASS=?"), "\r\n0,1,2.0,8\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS?"), "\r\n0\r\n\r\nOK\r\n");
}

#[test]
fn caller_id_commands_exist_per_profile() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("AT+VCID=1"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID?"), "\r\n+VCID: 1\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID=?"), "\r\n+VCID: (0-2)\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT#CID=1"), "\r\nERROR\r\n");
    let mut b = Bench::quiet_echo(Profile::usr5637());
    assert_eq!(b.cmd("AT#CID=1"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID?"), "\r\n1\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT#CID=0;+VCID=2;#CID?"), "\r\n2\r\n\r\nOK\r\n");
}

#[test]
fn interface_parameters_read_and_write() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(
        b.cmd("AT+IPR=115200;+IPR?"),
        "\r\n+IPR: 115200\r\n\r\nOK\r\n"
    );
    assert_eq!(b.cmd("AT+IFC=0,0;+IFC?"), "\r\n+IFC: 0,0\r\n\r\nOK\r\n");
}

#[test]
fn profile_view_lists_active_and_stored_settings() {
    let mut b = Bench::quiet_echo(Profile::conexant_usb());
    let out = b.cmd("AT&V");
    assert!(
        out.starts_with("\r\nACTIVE PROFILE:\r\nE0 L1 M1 Q0 V1 W0 X4 &C1 &D2"),
        "{out:?}"
    );
    assert!(
        out.contains("S02:43 S03:13"),
        "unpadded Conexant dump: {out:?}"
    );
    assert!(out.contains("STORED PROFILE 0:\r\nE1 "), "{out:?}");
    let mut b = Bench::quiet_echo(Profile::v250());
    assert!(b.cmd("AT&V").contains("S02:043 S03:013"));
}

#[test]
fn byte_at_a_time_input_gives_the_same_bytes_as_one_write() {
    let mut b = Bench::v250();
    let line = b"ATE0V1Q0X4&C1&D2S0=0+FCLASS=0\r";
    for &byte in line {
        b.write(&[byte]);
        b.advance(Duration::from_millis(10));
    }
    assert_eq!(b.output(), "ATE0V1Q0X4&C1&D2S0=0+FCLASS=0\r\r\nOK\r\n");
    for &byte in b"AT+GMM\r" {
        b.write(&[byte]);
        b.advance(Duration::from_millis(3));
    }
    assert_eq!(b.output(), "\r\nV.250 reference modem\r\n\r\nOK\r\n");
}

#[test]
fn garbage_before_the_prefix_is_ignored_but_echoed() {
    let mut b = Bench::v250();
    b.write(b"xyz\rAT\r");
    assert_eq!(b.output(), "xyz\rAT\r\r\nOK\r\n");
}

#[test]
fn hung_modem_swallows_input_and_says_nothing_until_released() {
    let mut b = Bench::v250();
    b.modem.set_hung(true);
    assert_eq!(b.cmd("AT"), "");
    b.modem.set_hung(false);
    assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n");
}

#[test]
fn slow_modem_delays_every_response() {
    let mut b = Bench::v250();
    b.modem.set_slow(Duration::from_millis(700));
    assert_eq!(b.cmd("AT"), "");
    assert_eq!(
        tsp_sim::line::Terminal::poll_timeout(&b.modem),
        Some(b.now + Duration::from_millis(700))
    );
    b.advance(Duration::from_millis(699));
    assert_eq!(b.output(), "");
    b.advance(Duration::from_millis(1));
    assert_eq!(b.output(), "AT\r\r\nOK\r\n");
}

#[test]
fn powered_off_modem_drops_dsr_and_ignores_everything() {
    let mut b = Bench::v250();
    assert!(b.modem.control_lines().dsr);
    b.cmd("ATE0S7=20");
    let now = b.now;
    b.modem.set_powered(false, now);
    assert_eq!(b.modem.control_lines(), Default::default());
    assert_eq!(b.cmd("AT"), "");
    b.modem.set_powered(true, now);
    assert!(b.modem.control_lines().dsr);
    // Power-up loads the stored profile: echo back on, S7 factory.
    assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n");
    assert_eq!(b.modem.s_register(7), Some(50));
}

#[test]
fn profiles_are_found_by_name() {
    for name in Profile::NAMES {
        let profile = Profile::by_name(name).unwrap();
        let mut b = Bench::new(profile);
        assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n", "{name}");
    }
}

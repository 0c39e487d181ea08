//! Known-answer tests: exchanges with real modems, restated from mgetty/HylaFAX logs and
//! hayes.md §2, §3, §10 and §12. Each test names the modem the bytes came from.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use support::{Harness, raw};
use tsp_modem::at::{
    AtError, CallerId, CarrierLoss, CidValue, Command, DialString, EngineConfig, Event,
    FinalResult, Intermediate, Mode, NumericTable, Quirks, Response, Ring, RingCadence, RingTag,
};

/// Sends `sent`, feeds what the modem answered, and returns the command's result and the other
/// events.
fn exchange(command: Command, answer: &[u8]) -> (Result<Response, AtError>, Vec<Event>, Harness) {
    let mut h = Harness::default_config();
    let expected = command.encode();
    let id = h.send(command);
    assert_eq!(h.written(), expected);
    h.feed(answer);
    let result = h.completion(id);
    let rest = h.take_events();
    (result, rest, h)
}

fn info_of(command: Command, answer: &[u8]) -> Vec<String> {
    let (result, _, _) = exchange(command, answer);
    let response = result.unwrap();
    assert_eq!(response.result, FinalResult::Ok);
    response.info
}

/// Feeds unsolicited bytes with nothing in flight and lets caller-ID records time out.
fn unsolicited(bytes: &[u8]) -> Vec<Event> {
    let mut h = Harness::default_config();
    h.feed(bytes);
    h.advance(Duration::from_secs(1));
    h.take_events()
}

fn number(n: &str) -> Option<CidValue<'_>> {
    Some(CidValue::Present(n.into()))
}

// ---- Command responses --------------------------------------------------------------------

#[test]
fn conexant_cx93001_echo_of_atz_is_dropped() {
    // hayes.md §2: "ATZ\r" + "\r\nOK\r\n" observed on a Conexant CX93001.
    assert!(info_of(Command::Reset, b"ATZ\r\r\nOK\r\n").is_empty());
}

#[test]
fn conexant_cx93001_bare_fclass_answer_without_blank_line_before_ok() {
    // hayes.md §2 and §12 #2: AT+FCLASS? -> "\r\n0\r\nOK\r\n".
    assert_eq!(info_of(Command::ServiceClass, b"\r\n0\r\nOK\r\n"), ["0"]);
}

#[test]
fn conexant_hsf_ati3_info_directly_followed_by_ok() {
    // hayes.md §2 and §12 #5.
    assert_eq!(
        info_of(
            Command::Identify(3),
            b"\r\nhsfmodem-7.80.02.04full\r\nOK\r\n"
        ),
        ["hsfmodem-7.80.02.04full"]
    );
}

#[test]
fn smart_link_slmodemd_sends_no_header_with_echo_off() {
    // hayes.md §2, §12 #6, §9: "OK\r\n", "0,1,8\r\n" with no leading CR LF.
    assert_eq!(
        info_of(Command::ServiceClasses, b"0,1,8\r\nOK\r\n"),
        ["0,1,8"]
    );
    assert!(info_of(Command::At, b"OK\r\n").is_empty());
}

#[test]
fn etech_golden_bullet_lists_voiceview_class_80() {
    // mgetty modems.db, E-Tech Golden Bullet E336RVP: AT+FCLASS=? -> 0,1,1.0,80.
    assert_eq!(
        info_of(Command::ServiceClasses, b"\r\n0,1,1.0,80\r\n\r\nOK\r\n"),
        ["0,1,1.0,80"]
    );
}

#[test]
fn zoom_2949l_identifies_itself_with_ati3() {
    // mgetty voice/contrib/K_C_Yuen-Zoom-2949L-Hints.
    assert_eq!(
        info_of(
            Command::Identify(3),
            b"\r\nZoom V.90 Serial s052099g -I Z207\r\n\r\nOK\r\n"
        ),
        ["Zoom V.90 Serial s052099g -I Z207"]
    );
}

#[test]
fn xlink_v34_multi_line_model_answer_with_lowercase_echo() {
    // mgetty contrib terminal session, XLink V.34 + V.FC (Rockwell 'CIS' firmware).
    assert_eq!(
        info_of(
            raw("at+fmdl?"),
            b"at+fmdl?\r\r\nMC-2814E\r\nVERSION 0.20.6\r\n05-04-03\r\n\r\nOK\r\n"
        ),
        ["MC-2814E", "VERSION 0.20.6", "05-04-03"]
    );
}

#[test]
fn usr_sportster_flash_product_code_5601() {
    // mgetty contrib terminal session, U.S. Robotics Sportster Flash 56000 (UK).
    assert_eq!(
        info_of(Command::Identify(0), b"ATI0\r\r\n5601\r\n\r\nOK\r\n"),
        ["5601"]
    );
}

#[test]
fn usr_sportster_vi_ati7_block_with_blank_lines_and_no_blank_before_ok() {
    // mgetty contrib terminal session, U.S. Robotics Sportster Vi (US/Canada External).
    let answer = b"ati7\r\r\nConfiguration Profile...\r\n\r\nProduct type      US/Canada External\r\nOptions           V32bis,V.FC,V.34+\r\nFax Options       Class 1/Class 2.0\r\nClock Freq        20.16Mhz\r\nEprom             256k\r\nRam               32k\r\n\r\nSupervisor date   02/27/96\r\nDSP date          02/22/96\r\n\r\nSupervisor rev    6.1.5\r\nDSP rev           1.2.5\r\nOK\r\n";
    let info = info_of(raw("ati7"), answer);
    assert_eq!(info.len(), 11);
    assert_eq!(info[0], "Configuration Profile...");
    assert_eq!(info[10], "DSP rev           1.2.5");
}

#[test]
fn zyxel_elite_2864i_ati1_versions() {
    // mgetty contrib terminal session, ZyXEL Elite 2864I ISDN TA.
    assert_eq!(
        info_of(
            raw("ati1"),
            b"ati1\r\r\n\r\nElite 2864I DSS1:  V 2.08\r\nInternal fax/modem:  V 1.16\r\n0CD6\r\nOK\r\n"
        ),
        ["Elite 2864I DSS1:  V 2.08", "Internal fax/modem:  V 1.16", "0CD6"]
    );
}

#[test]
fn dr_neuhaus_smarty_voice_gain_range() {
    // mgetty contrib terminal session, Dr. Neuhaus Smarty: at+vgt=?.
    assert_eq!(
        info_of(raw("at+vgt=?"), b"at+vgt=?\r\r\n(122-134)\r\n\r\nOK\r\n"),
        ["(122-134)"]
    );
}

#[test]
fn practical_peripherals_pm14400_four_line_ati4() {
    // mgetty modems.db, Practical Peripherals PM14400FXMT 2.42.
    assert_eq!(
        info_of(
            raw("ati4"),
            b"\r\na097840F284C6703F\r\nbC60004000\r\nr1001111171012000\r\nr3000111010000000\r\n\r\nOK\r\n"
        ),
        [
            "a097840F284C6703F",
            "bC60004000",
            "r1001111171012000",
            "r3000111010000000"
        ]
    );
}

#[test]
fn suprafaxmodem_288_trailing_blanks_are_trimmed() {
    // mgetty modems.db, SupraFAXModem 288 V34: at+fmfr? -> "Supra Corporation   ".
    assert_eq!(
        info_of(raw("at+fmfr?"), b"\r\nSupra Corporation   \r\n\r\nOK\r\n"),
        ["Supra Corporation"]
    );
}

#[test]
fn zoltrix_platinum_ati3_is_empty() {
    // mgetty modems.db, Zoltrix Platinum Series 14.4: ati3 -> only blank lines and OK.
    assert!(info_of(raw("ati3"), b"\r\n\r\n\r\nOK\r\n").is_empty());
}

#[test]
fn tkr_tristar_quoted_manufacturer_is_kept_verbatim() {
    // mgetty modems.db, TKR TriStar (OEM ELSA 28.8 TQV).
    assert_eq!(
        info_of(raw("at+fmfr?"), b"\r\n\"\"\r\n\r\nOK\r\n"),
        ["\"\""]
    );
}

#[test]
fn davicom_test_ok_banner_is_not_the_final_ok() {
    // mgetty modems.db, DAVICOM PnP ISA: ATI2 -> "TEST OK" then OK.
    assert_eq!(
        info_of(Command::Identify(2), b"\r\nTEST OK\r\n\r\nOK\r\n"),
        ["TEST OK"]
    );
}

#[test]
fn att_chip_1428vqe_manufacturer_at_and_t_is_information_not_echo() {
    // mgetty modems.db, no-brand 1428VQE: at+fmfr? -> "AT&T" (the default quirks keep it).
    assert_eq!(
        info_of(raw("at+fmfr?"), b"\r\nAT&T\r\n\r\nOK\r\n"),
        ["AT&T"]
    );
}

#[test]
fn kortex_adaptix_caller_id_modes() {
    // mgetty modems.db, Kortex Adaptix 56000 (Venus K56FLEX): at+vcid=? -> (0-2).
    assert_eq!(
        info_of(raw("at+vcid=?"), b"\r\n(0-2)\r\n\r\nOK\r\n"),
        ["(0-2)"]
    );
}

#[test]
fn usr_class_2_0_fmm_query_with_echo() {
    // HylaFAX config, U.S. Robotics (Class 2.0 firmware): AT+FMM? echoed, then OK.
    assert!(info_of(raw("AT+FMM?"), b"AT+FMM?\r\r\nOK\r\n").is_empty());
}

#[test]
fn lucent_firmware_refuses_ati() {
    // vgetty detect.c: some Lucent firmware answers ATI with ERROR (hayes.md §12 #37).
    let (result, _, _) = exchange(Command::Identify(0), b"\r\nERROR\r\n");
    let Err(AtError::Rejected { result, .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(result, FinalResult::Error);
}

#[test]
fn zyxel_class2_sendfax_dial_collects_fax_reports() {
    // mgetty.texi sendfax log (ZyXEL on the author's tty4c): AT&H3D2710834 with echo.
    let answer = b"AT&H3D2710834\r\r\n+FCON\r\n\r\n+FNSF:00 00 00 00 \r\n\r\n+FCSI:       49 89 2710834 \r\n\r\n+FDIS:1,3,0,2,0,0,0,4\r\n\r\nOK\r\n";
    assert_eq!(
        info_of(raw("AT&H3D2710834"), answer),
        [
            "+FCON",
            "+FNSF:00 00 00 00",
            "+FCSI:       49 89 2710834",
            "+FDIS:1,3,0,2,0,0,0,4"
        ]
    );
}

#[test]
fn zyxel_class2_fdt_connect_is_followed_by_data() {
    // mgetty.texi sendfax log: AT+FDT -> +FDCS, CONNECT, then XON (0x11) as the first data byte.
    let (result, events, h) = exchange(
        raw("AT+FDT"),
        b"AT+FDT\r\r\n+FDCS:1,3,0,2,0,0,0,4\r\n\r\nCONNECT\r\n\x11",
    );
    let response = result.unwrap();
    assert_eq!(response.info, ["+FDCS:1,3,0,2,0,0,0,4"]);
    assert!(matches!(&response.result, FinalResult::Connect(c) if c.text().is_empty()));
    assert_eq!(events, [Event::Data(Bytes::from_static(b"\x11"))]);
    assert_eq!(h.engine.mode(), Mode::Data);
}

#[test]
fn zyxel_u1496_two_blank_connect_has_dte_and_line_rates() {
    // mgetty.texi ZyXEL-to-ZyXEL data call: CONNECT 38400/ZyX  16800/V42b.
    let (result, _, h) = exchange(Command::Answer, b"\r\nCONNECT 38400/ZyX  16800/V42b\r\n");
    let FinalResult::Connect(c) = result.unwrap().result else {
        panic!()
    };
    assert_eq!(c.rate(), Some(38400));
    assert_eq!(c.suffix(), "/ZyX  16800/V42b");
    assert_eq!(c.line_rate(), Some(16800));
    assert_eq!(h.engine.mode(), Mode::Data);
}

#[test]
fn usr_connect_to_an_isp_with_error_control_and_compression() {
    // hayes.md §3.2: observed against an ISP, CONNECT 33600/ARQ/V34/LAPM/V42BIS.
    let dial = Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: false,
    };
    let (result, events, _) = exchange(dial, b"\r\nCONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n~\xff}#");
    let FinalResult::Connect(c) = result.unwrap().result else {
        panic!()
    };
    assert_eq!(c.rate(), Some(33600));
    assert_eq!(
        c.protocols().collect::<Vec<_>>(),
        ["ARQ", "V34", "LAPM", "V42BIS"]
    );
    assert_eq!(events, [Event::Data(Bytes::from_static(b"~\xff}#"))]);
}

#[test]
fn usr_courier_no_dial_tone_with_a_blank() {
    // hayes.md §3.1 and §12 #17: USR prints NO DIAL TONE.
    let dial = Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: false,
    };
    let (result, _, h) = exchange(dial, b"\r\nNO DIAL TONE\r\n");
    assert!(matches!(
        result,
        Err(AtError::Rejected {
            result: FinalResult::NoDialtone,
            ..
        })
    ));
    assert_eq!(h.engine.mode(), Mode::Command);
}

#[test]
fn conexant_ste_line_in_use_instead_of_busy() {
    // hayes.md §12 #40: Conexant with -STE=1 answers LINE-IN-USE.
    let dial = Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: false,
    };
    let (result, _, _) = exchange(dial, b"\r\nLINE-IN-USE\r\n");
    assert!(matches!(
        result,
        Err(AtError::Rejected {
            result: FinalResult::LineInUse,
            ..
        })
    ));
}

#[test]
fn rockwell_w1_reports_carrier_protocol_compression_before_connect() {
    // hayes.md §3.3: Hayes/Rockwell order CARRIER, PROTOCOL, COMPRESSION, CONNECT.
    let dial = Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: false,
    };
    let (result, events, _) = exchange(
        dial,
        b"\r\nCARRIER 28800\r\n\r\nPROTOCOL: LAPM\r\n\r\nCOMPRESSION: V.42 bis\r\n\r\nCONNECT 115200\r\n",
    );
    let response = result.unwrap();
    assert_eq!(
        response.intermediates,
        [
            Intermediate::Carrier {
                rate: Some(28800),
                text: "28800".into()
            },
            Intermediate::Protocol("LAPM".into()),
            Intermediate::Compression("V.42 bis".into()),
        ]
    );
    let progress: Vec<_> = events
        .into_iter()
        .map(|e| match e {
            Event::Progress { intermediate, .. } => intermediate,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(progress, response.intermediates);
}

#[test]
fn rockwell_rc32acl_adaptive_answer_says_fax_and_waits_for_connect() {
    // mgetty.texi "common problems" log: ATA[0d][0d][0a]FAX; HylaFAX waits for CONNECT (§12 #16).
    let mut h = Harness::default_config();
    let id = h.send(Command::Answer);
    h.feed(b"ATA\r\r\nFAX\r\n");
    assert!(h.completions().is_empty());
    assert_eq!(
        h.take_events(),
        [Event::Progress {
            id,
            intermediate: Intermediate::Fax
        }]
    );
    h.feed(b"\r\nCONNECT\r\n");
    let response = h.completion(id).unwrap();
    assert_eq!(response.intermediates, [Intermediate::Fax]);
}

#[test]
fn rockwell_numeric_codes_under_v0_use_the_profile_table() {
    // hayes.md §3.2 Rockwell/Conexant table: 10 = CONNECT 2400; §2: numeric codes end in CR only.
    let cfg = EngineConfig {
        quirks: Quirks {
            numeric_codes: NumericTable::rockwell(),
            ..Quirks::default()
        },
        ..EngineConfig::default()
    };
    let mut h = Harness::new(cfg);
    let v0 = h.send(Command::Verbose(false));
    h.feed(b"ATV0\r0\r");
    h.advance(Duration::from_millis(150));
    assert!(h.completion(v0).is_ok());
    h.take_writes();
    let dial = h.send(Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: false,
    });
    h.advance(Duration::from_millis(100));
    assert_eq!(
        h.written(),
        b"ATDT5551212\r",
        "sent after the V.250 pacing delay"
    );
    h.feed(b"ATDT5551212\r10\rhello");
    let FinalResult::Connect(c) = h.completion(dial).unwrap().result else {
        panic!()
    };
    assert_eq!(c.rate(), Some(2400));
    assert_eq!(h.take_events(), [Event::Data(Bytes::from_static(b"hello"))]);
}

#[test]
fn zoom_2949l_stale_ok_after_dtr_drop_is_skipped() {
    // mgetty log on a Zoom 2949L: "[0d][0a]OK[0d][0a]" read while the line clears after a DTR
    // drop, then "AT&F[0d]" echoed and OK (§12 #7).
    let cfg = EngineConfig {
        quirks: Quirks {
            stale_result_after_dtr: Some(Duration::from_millis(2200)),
            ..Quirks::default()
        },
        ..EngineConfig::default()
    };
    let mut h = Harness::new(cfg);
    h.advance(Duration::from_secs(3));
    h.dtr_dropped();
    let id = h.send(Command::FactoryDefaults);
    assert!(h.take_writes().is_empty(), "held during the drain");
    h.advance(Duration::from_millis(1200));
    h.feed(b"\r\nOK\r\n");
    h.advance(Duration::from_millis(1000));
    let writes = h.take_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].bytes, b"AT&F\r");
    assert_eq!(writes[0].at, Duration::from_millis(5200));
    h.feed(b"AT&F\r\r\nOK\r\n");
    assert!(h.completion(id).is_ok());
    assert_eq!(h.take_events(), [Event::StrayResult(FinalResult::Ok)]);
}

// ---- Unsolicited reports ------------------------------------------------------------------

#[test]
fn plain_hayes_three_rings() {
    // mgetty t_ring.c vector "RING\nRING\nRING\n" (3 rings).
    let events = unsolicited(b"\r\nRING\r\n\r\nRING\r\n\r\nRING\r\n");
    assert_eq!(events, vec![Event::Ring(Ring::default()); 3]);
}

#[test]
fn distinctive_ring_letters_then_plain_ring() {
    // mgetty t_ring.c vector "RING A\nRING B\nRING C\nRING\n".
    let tags: Vec<_> = unsolicited(b"\r\nRING A\r\n\r\nRING B\r\n\r\nRING C\r\n\r\nRING\r\n")
        .into_iter()
        .map(|e| match e {
            Event::Ring(r) => r.tag,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        tags,
        [
            Some(RingTag::Letter('A')),
            Some(RingTag::Letter('B')),
            Some(RingTag::Letter('C')),
            None
        ]
    );
}

#[test]
fn distinctive_ring_number_two() {
    // mgetty t_ring.c vector "RING 2\n".
    assert_eq!(
        unsolicited(b"\r\nRING 2\r\n"),
        [Event::Ring(Ring {
            tag: Some(RingTag::Number(2)),
            ..Ring::default()
        })]
    );
}

#[test]
fn zyxel_fm_caller_id_with_leading_blanks() {
    // mgetty t_ring.c vector "RING\n    FM:040404\n" (ZyXEL).
    assert_eq!(
        unsolicited(b"\r\nRING\r\n\r\n    FM:040404\r\n"),
        [
            Event::Ring(Ring::default()),
            Event::CallerId(CallerId {
                number: number("040404"),
                ..CallerId::default()
            })
        ]
    );
}

#[test]
fn rockwell_formatted_caller_id_between_rings() {
    // mgetty t_ring.c vector "RING\nNMBR = 0555\nRING\n" (Rockwell).
    assert_eq!(
        unsolicited(b"\r\nRING\r\n\r\nNMBR = 0555\r\n\r\nRING\r\n"),
        [
            Event::Ring(Ring::default()),
            Event::CallerId(CallerId {
                number: number("0555"),
                ..CallerId::default()
            }),
            Event::Ring(Ring::default()),
        ]
    );
}

#[test]
fn usr_5637_caller_id_without_blanks() {
    // hayes.md §10.2: USR5637 firmware 1.2.23 prints DATE=0117, NMBR=..., NAME=WIRELESS CALLER.
    let events = unsolicited(
        b"\r\nRING\r\n\r\nDATE=0117\r\nTIME=1405\r\nNMBR=5045551234\r\nNAME=WIRELESS CALLER\r\n\r\nRING\r\n",
    );
    assert_eq!(
        events[1],
        Event::CallerId(CallerId {
            date: Some("0117".into()),
            time: Some("1405".into()),
            number: number("5045551234"),
            name: Some(CidValue::Present("WIRELESS CALLER".into())),
            ..CallerId::default()
        })
    );
    assert_eq!(events.len(), 3);
}

#[test]
fn conexant_usb_caller_id_with_blanks_and_private_number() {
    // hayes.md §10.2: Conexant USB modems print TAG = VALUE; P means private.
    let events =
        unsolicited(b"\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = P\r\nNAME = P\r\n");
    assert_eq!(
        events,
        [
            Event::Ring(Ring::default()),
            Event::CallerId(CallerId {
                date: Some("0321".into()),
                time: Some("1405".into()),
                number: Some(CidValue::Private),
                name: Some(CidValue::Private),
                ..CallerId::default()
            })
        ]
    );
}

#[test]
fn uk_bt_line_caller_id_before_the_first_ring_without_name() {
    // hayes.md §10.4 and §12 #29: on BT lines the CID block comes before any RING, no NAME.
    assert_eq!(
        unsolicited(b"\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 01632960001\r\n\r\nRING\r\n"),
        [
            Event::CallerId(CallerId {
                date: Some("0321".into()),
                time: Some("1405".into()),
                number: number("01632960001"),
                ..CallerId::default()
            }),
            Event::Ring(Ring::default()),
        ]
    );
}

#[test]
fn elsa_ring_with_calling_and_called_numbers() {
    // mgetty t_ring.c vectors "RING;707070\n" and "RING;717171;999999\n" (ELSA).
    assert_eq!(
        unsolicited(b"\r\nRING;707070\r\n\r\nRING;717171;999999\r\n"),
        [
            Event::Ring(Ring {
                caller: Some("707070".into()),
                ..Ring::default()
            }),
            Event::Ring(Ring {
                caller: Some("717171".into()),
                called: Some("999999".into()),
                ..Ring::default()
            }),
        ]
    );
}

#[test]
fn zoom_mx_s_ring_with_dn_and_number() {
    // mgetty t_ring.c vector "RING: 3 DN9 8888\n" (Zoom MX/S).
    assert_eq!(
        unsolicited(b"\r\nRING: 3 DN9 8888\r\n"),
        [Event::Ring(Ring {
            tag: Some(RingTag::Number(9)),
            caller: Some("8888".into()),
            called: None
        })]
    );
}

#[test]
fn usr_type_b_number_appended_to_ring() {
    // mgetty t_ring.c vector "RING 090909\n" (USR type B).
    assert_eq!(
        unsolicited(b"\r\nRING 090909\r\n"),
        [Event::Ring(Ring {
            caller: Some("090909".into()),
            ..Ring::default()
        })]
    );
}

#[test]
fn v253_distinctive_ring_cadence_reports() {
    // mgetty t_ring.c vector "DROF=0\nDRON=11\nRING\nDROF=40\nDRON=20\nRING\n".
    let cadence = |ringing, tenths: u64| {
        Event::RingCadence(RingCadence {
            ringing,
            duration: Duration::from_millis(tenths * 100),
        })
    };
    assert_eq!(
        unsolicited(
            b"\r\nDROF=0\r\n\r\nDRON=11\r\n\r\nRING\r\n\r\nDROF=40\r\n\r\nDRON=20\r\n\r\nRING\r\n"
        ),
        [
            cadence(false, 0),
            cadence(true, 11),
            Event::Ring(Ring::default()),
            cadence(false, 40),
            cadence(true, 20),
            Event::Ring(Ring::default()),
        ]
    );
}

#[test]
fn isdn4linux_msn_ring_and_caller_number_label() {
    // mgetty t_ring.c vector "RING/01234023\nCALLER NUMBER: 556677\nRING\n" (isdn4linux).
    assert_eq!(
        unsolicited(b"\r\nRING/01234023\r\n\r\nCALLER NUMBER: 556677\r\n\r\nRING\r\n"),
        [
            Event::Ring(Ring {
                called: Some("01234023".into()),
                ..Ring::default()
            }),
            Event::CallerId(CallerId {
                number: number("556677"),
                ..CallerId::default()
            }),
            Event::Ring(Ring::default()),
        ]
    );
}

#[test]
fn isdn4linux_called_number_is_reported_as_text() {
    // mgetty t_ring.c vector "RING\nCALLED NUMBER: 35655024\n" (isdn4linux, ATS23.2=1).
    assert_eq!(
        unsolicited(b"\r\nRING\r\n\r\nCALLED NUMBER: 35655024\r\n"),
        [
            Event::Ring(Ring::default()),
            Event::Text("CALLED NUMBER: 35655024".into())
        ]
    );
}

#[test]
fn supra_on_bell_canada_delivers_the_number_in_mesg() {
    // mgetty cnd.c process_rockwell_mesg: MESG = 030735353531323132 -> 5551212.
    let events = unsolicited(b"\r\nMESG = 030735353531323132\r\n");
    assert_eq!(
        events,
        [Event::CallerId(CallerId {
            number: number("5551212"),
            messages: vec!["030735353531323132".into()],
            ..CallerId::default()
        })]
    );
}

#[test]
fn no_carrier_while_idle_is_a_carrier_loss() {
    // hayes.md §13: unsolicited NO CARRIER while idle-in-data.
    assert_eq!(
        unsolicited(b"\r\nNO CARRIER\r\n"),
        [Event::CarrierLost(CarrierLoss::Text)]
    );
}

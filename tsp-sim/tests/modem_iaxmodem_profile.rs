//! The `iaxmodem` profile against what `iaxmodem-notes.md` recorded from Debian's iaxmodem:
//! identification, bare lists, `+VCID` 0/1 only, and caller ID one field per response with
//! spandsp's extra fields, before the first ring.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use modem_support::{Bench, caller_id, ring};
use tsp_sim::modem::Profile;

#[test]
fn identification_and_lists_answer_as_iaxmodem_does() {
    let mut b = Bench::quiet_echo(Profile::iaxmodem());
    assert_eq!(b.cmd("ATI"), "\r\nspandsp\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("ATI3"), "\r\nwww.soft-switch.org\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=?"), "\r\n0,1,1.0\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+GMI"), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID=?"), "\r\n0,1\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VCID=2"), "\r\nERROR\r\n");
    assert_eq!(b.cmd("ATS7?"), "\r\n060\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+FCLASS=8"), "\r\nERROR\r\n", "no voice class");
}

#[test]
fn caller_id_comes_one_field_per_response_with_name_first_and_the_number_dialled() {
    let mut b = Bench::quiet_echo(Profile::iaxmodem());
    b.cmd("AT+VCID=1");
    let mut cid = caller_id(Some("8005551212"), Some("Modem A"));
    cid.date = "1129".into();
    cid.time = "1244".into();
    cid.called = Some("5550100".into());
    b.signal(tsp_sim::line::LineSignal::CallerId(cid));
    b.signal(ring());
    // The notes' transcript, but for USER (iaxmodem's IAX2 peer name; an analog line has none).
    assert_eq!(
        b.output(),
        "\r\nDATE=1129\r\n\r\nTIME=1244\r\n\r\nNAME=Modem A\r\n\r\nNMBR=8005551212\r\n\r\n\
         ANID=<NONE>\r\n\r\nUSER=<NONE>\r\n\r\nPASS=<NONE>\r\n\r\nCDID=<NONE>\r\n\r\n\
         NDID=5550100\r\n\r\nRING\r\n"
    );
}

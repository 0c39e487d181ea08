//! A modem that rejects one command of a multi-command init line answers `ERROR` for the whole
//! line and does none of it (V.250 §5.6). `open` resends the line's commands one per line to name
//! the one refused, then drops it (the generic profile) or fails naming it (a known family);
//! `&C1` and `&D2` are never dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::sync::Arc;

use provider_support::fake::FakeModem;
use tsp_modem::ModemLineConfig;
use tsp_sdk::LineErr;

/// A modem that takes everything but `X4`, alone or in a line.
fn no_x4() -> FakeModem {
    FakeModem::new()
        .answer("AT&C1&D2X4", Some("ERROR"))
        .answer("ATX4", Some("ERROR"))
}

fn line(modem: &FakeModem, profile: Option<&str>) -> ModemLineConfig {
    let mut config = ModemLineConfig::new("fake", Arc::new(modem.clone()));
    config.profile = profile.map(str::to_owned);
    config
}

#[tokio::test(start_paused = true)]
async fn the_generic_profile_names_the_refused_command_and_drops_it() {
    let modem = no_x4();
    let found = tsp_modem::provider::probe(&line(&modem, None))
        .await
        .unwrap();
    assert_eq!(found.profile.name, "v250");
    assert_eq!(
        found.profile.init,
        ["AT&C1&D2"],
        "the init as the modem took it"
    );
    let sent = modem.lines();
    let at = sent.iter().position(|l| l == "AT&C1&D2X4").unwrap();
    assert_eq!(sent[at + 1..at + 4], ["AT&C1", "AT&D2", "ATX4"], "{sent:?}");
}

#[tokio::test(start_paused = true)]
async fn a_known_family_fails_open_naming_the_refused_command() {
    let modem = no_x4();
    let err = tsp_modem::provider::probe(&line(&modem, Some("usr")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::OperationFailed);
    let said = err.to_string();
    assert!(
        said.contains("AT&C1&D2X4") && said.contains("rejects X4"),
        "{said}"
    );
    assert!(said.contains("fake"), "the port is named: {said}");
}

#[tokio::test(start_paused = true)]
async fn a_refused_dtr_hangup_is_never_dropped() {
    let modem = FakeModem::new()
        .answer("AT&C1&D2X4", Some("ERROR"))
        .answer("AT&D2", Some("ERROR"));
    let err = tsp_modem::provider::probe(&line(&modem, None))
        .await
        .unwrap_err();
    let said = err.to_string();
    assert!(
        said.contains("rejects &D2") && said.contains("relies on"),
        "{said}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_single_command_line_refused_fails_naming_the_line() {
    let modem = FakeModem::new().answer("AT+FOO=1", Some("ERROR"));
    let mut config = line(&modem, None);
    config.init = Some(vec!["AT+FOO=1".into()]);
    let err = tsp_modem::provider::probe(&config).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("init line AT+FOO=1: the modem answered ERROR"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_line_taken_whole_is_sent_once() {
    let modem = FakeModem::new();
    let found = tsp_modem::provider::probe(&line(&modem, None))
        .await
        .unwrap();
    assert_eq!(found.profile.init, ["AT&C1&D2X4"]);
    let sent = modem.lines();
    assert!(!sent.iter().any(|l| l == "ATX4"), "{sent:?}");
}

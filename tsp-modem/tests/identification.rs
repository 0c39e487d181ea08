//! Identification the way HylaFAX's probemodem does it: V.250's `+GMI`/`+GMM`/`+GMR`, then the fax
//! class's `+FMI?`/`+FMM?`/`+FMR?` (or Class 2's `+FMFR?`…) for what is still unknown, and a
//! record of what each command got, so `probe` can say why a field is empty.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::sync::Arc;

use provider_support::fake::FakeModem;
use tsp_modem::ModemLineConfig;
use tsp_modem::profile::Answered;

async fn probe(modem: FakeModem) -> (tsp_modem::profile::Identity, Vec<String>) {
    let config = ModemLineConfig::new("fake", Arc::new(modem.clone()));
    let found = tsp_modem::provider::probe(&config).await.unwrap();
    (found.identity, modem.lines())
}

#[tokio::test(start_paused = true)]
async fn a_modem_that_answers_gmi_with_a_bare_ok_is_named_by_its_fax_class_query() {
    // spandsp (iaxmodem): +GMI, +GMM and +GMR answer OK with no text; +FMI? names it.
    let modem = FakeModem::new()
        .answer("AT+FCLASS=?", Some("0,1,1.0\r\n\r\nOK"))
        .answer("AT+FMI?", Some("spandsp\r\n\r\nOK"))
        .answer("AT+FMM?", Some("IAXmodem\r\n\r\nOK"))
        .answer("AT+FMR?", Some("ERROR"));
    let (id, sent) = probe(modem).await;
    assert_eq!(id.manufacturer.as_deref(), Some("spandsp"));
    assert_eq!(id.model.as_deref(), Some("IAXmodem"));
    assert_eq!(id.revision, None);
    assert_eq!(id.summary(), "spandsp IAXmodem");
    assert_eq!(
        id.source_of("spandsp", &["AT+GMI", "AT+FMI?"]),
        Some("AT+FMI?")
    );
    assert_eq!(
        id.why_unknown(&["AT+GMR", "AT+FMR?"]).unwrap(),
        "AT+GMR answered OK with no text; AT+FMR? got ERROR"
    );
    let order: Vec<&str> = sent
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains("+GM") || l.contains("+FM") || l.contains("FCLASS=?"))
        .collect();
    assert_eq!(
        order,
        [
            "AT+GMI",
            "AT+GMM",
            "AT+GMR",
            "AT+FCLASS=?",
            "AT+FMI?",
            "AT+FMM?",
            "AT+FMR?"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_class_2_modem_is_asked_with_the_class_2_queries_and_only_for_what_is_missing() {
    let modem = FakeModem::new()
        .answer("AT+GMI", Some("ERROR"))
        .answer("AT+GMM", Some("ZyXEL U-1496\r\n\r\nOK"))
        .answer("AT+GMR", Some("ERROR"))
        .answer("AT+FCLASS=?", Some("0,2,8\r\n\r\nOK"))
        .answer("AT+FMFR?", Some("ZyXEL\r\n\r\nOK"))
        .answer("AT+FREV?", Some("V 6.10\r\n\r\nOK"));
    let (id, sent) = probe(modem).await;
    assert_eq!(id.manufacturer.as_deref(), Some("ZyXEL"));
    assert_eq!(id.model.as_deref(), Some("ZyXEL U-1496"));
    assert_eq!(id.revision.as_deref(), Some("V 6.10"));
    assert!(!sent.iter().any(|l| l == "AT+FMDL?"), "{sent:?}");
    assert!(!sent.iter().any(|l| l.starts_with("AT+FMI")), "{sent:?}");
    assert!(matches!(
        id.asked
            .iter()
            .find(|a| a.command == "AT+GMI")
            .unwrap()
            .answered,
        Answered::Refused(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn a_data_only_modem_is_never_sent_a_fax_query() {
    let modem = FakeModem::new().answer("AT+FCLASS=?", Some("ERROR"));
    let (id, sent) = probe(modem).await;
    assert_eq!(id.classes, None);
    assert!(!sent.iter().any(|l| l.contains("+FM")), "{sent:?}");
    assert_eq!(
        id.why_unknown(&["AT+GMI"]).unwrap(),
        "AT+GMI answered OK with no text"
    );
}

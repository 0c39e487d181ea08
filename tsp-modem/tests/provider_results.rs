//! T§9.4 rows the simulated modem never produces, against a scripted modem: `DELAYED`,
//! `BLACKLISTED`, a refused `+FCLASS` before the call is placed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::sync::Arc;
use std::time::Duration;

use provider_support::fake::FakeModem;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::host::{ProviderSession, SessionConfig};
use tsp_sdk::sink::{Deliveries, Delivery};
use tsp_sdk::spi::*;
use tsp_sdk::{DisconnectMode, LineErr, Version};

struct Scripted {
    session: ProviderSession,
    deliveries: Deliveries,
    line: LineHandle,
    modem: FakeModem,
}

async fn open(modem: FakeModem, version: Version) -> Scripted {
    let config = ModemLineConfig::new("scripted", Arc::new(modem.clone()));
    let provider: Arc<dyn ProviderDyn> = Arc::new(ModemProvider::new(vec![config]));
    let (session, deliveries) = ProviderSession::start(
        provider,
        SessionConfig {
            low: version,
            high: version,
            ..SessionConfig::default()
        },
    )
    .await
    .unwrap();
    let line = session.open(DeviceId(0), version).await.unwrap();
    Scripted {
        session,
        deliveries,
        line,
        modem,
    }
}

impl Scripted {
    async fn make_call(
        &mut self,
        params: CallParams,
    ) -> (Option<RequestId>, Result<(), tsp_sdk::Error>) {
        match self
            .session
            .make_call(self.line, Some("5550101"), 0, params)
            .await
        {
            Ok(accepted) => (Some(accepted.request), Ok(())),
            Err(e) => (None, Err(e)),
        }
    }

    async fn deliveries(&mut self, span: Duration) -> Vec<Delivery> {
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + span;
        while let Ok(Some(d)) = tokio::time::timeout_at(deadline, self.deliveries.recv()).await {
            out.push(d);
        }
        out
    }
}

fn last_state(deliveries: &[Delivery]) -> Option<CallStateChange> {
    deliveries.iter().rev().find_map(|d| match d {
        Delivery::Event {
            event: LineEvent::CallState { state, .. },
            ..
        } => Some(*state),
        _ => None,
    })
}

#[tokio::test(start_paused = true)]
async fn delayed_is_disconnected_tempfailure() {
    let mut line = open(
        FakeModem::new().answer("ATD", Some("DELAYED")),
        Version::V2_2,
    )
    .await;
    let (_, made) = line.make_call(CallParams::data_modem()).await;
    made.unwrap();
    let seen = line.deliveries(Duration::from_secs(5)).await;
    assert_eq!(
        last_state(&seen),
        Some(CallStateChange::Disconnected(DisconnectMode::TEMPFAILURE)),
        "{seen:#?}"
    );
    assert!(line.session.violations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn blacklisted_is_disconnected_blocked_and_unknown_on_old_lines() {
    let mut line = open(
        FakeModem::new().answer("ATD", Some("BLACKLISTED")),
        Version::V2_2,
    )
    .await;
    line.make_call(CallParams::data_modem()).await.1.unwrap();
    let seen = line.deliveries(Duration::from_secs(5)).await;
    assert_eq!(
        last_state(&seen),
        Some(CallStateChange::Disconnected(DisconnectMode::BLOCKED))
    );
    let mut old = open(
        FakeModem::new().answer("ATD", Some("BLACKLISTED")),
        Version::V1_4,
    )
    .await;
    old.make_call(CallParams::data_modem()).await.1.unwrap();
    let seen = old.deliveries(Duration::from_secs(5)).await;
    assert_eq!(
        last_state(&seen),
        Some(CallStateChange::Disconnected(DisconnectMode::UNKNOWN))
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_fax_class_fails_make_call_with_no_event_for_the_call() {
    let modem = FakeModem::new()
        .answer("AT+FCLASS=?", Some("0,1\r\n\r\nOK"))
        .answer("AT+FCLASS=1", Some("ERROR"));
    let mut line = open(modem, Version::V2_2).await;
    let (request, made) = line.make_call(CallParams::g3_fax()).await;
    made.unwrap();
    let request = request.unwrap();
    let seen = line.deliveries(Duration::from_secs(5)).await;
    let completion = seen.iter().find_map(|d| match d {
        Delivery::Completed {
            request: r, result, ..
        } if *r == request => Some(result.as_ref().map_err(|e| e.kind()).copied()),
        _ => None,
    });
    assert_eq!(completion, Some(Err(LineErr::OperationFailed)));
    assert_eq!(
        last_state(&seen),
        None,
        "no event for a failed call: {seen:#?}"
    );
    assert!(
        !line.modem.lines().iter().any(|l| l.starts_with("ATD")),
        "{:?}",
        line.modem.lines()
    );
    assert!(line.session.violations().is_empty());
}

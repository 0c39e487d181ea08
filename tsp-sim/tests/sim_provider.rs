//! SimProvider through the tsp-sdk contract, on paused time: the call-waiting threat and what
//! securing a call does about it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::host::{ProviderSession, SessionConfig};
use tsp_sdk::sink::{Deliveries, Delivery};
use tsp_sdk::spi::*;
use tsp_sdk::{CallParamFlags, CallState, DisconnectMode, LineErr, MediaModes, Version};
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};
use tsp_sim::network::Network;
use tsp_sim::provider::{LineOptions, SimProvider};
use tsp_sim::sim::Sim;

struct World {
    sim: Sim,
    session: ProviderSession,
    deliveries: Deliveries,
    line: LineHandle,
}

impl World {
    /// Our line 5550100 (call waiting on, code *70), a far end 5550101 that answers as a data
    /// modem and echoes, and a third line 5550102 whose party calls us at `second_caller_at`.
    async fn new(second_caller_at: Option<Duration>) -> World {
        let start = Instant::now();
        let mut network = Network::builder().seed(11).build(start);
        let ours = network.add_line(LineConfig::new("5550100").call_waiting(true));
        let far = network.add_line(LineConfig::new("5550101"));
        let third = network.add_line(LineConfig::new("5550102"));
        let data = Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Data,
            max_rate: 28_800,
        };
        network
            .attach_party(
                far,
                ScriptedParty::builder()
                    .answer_after_rings(1)
                    .carrier(data)
                    .echo()
                    .build(start),
            )
            .unwrap();
        if let Some(at) = second_caller_at {
            network
                .attach_party(
                    third,
                    ScriptedParty::builder().call_at(at, "5550100").build(start),
                )
                .unwrap();
        }
        let sim = Sim::start(network);
        let provider = SimProvider::new(sim.clone())
            .with_line(ours, LineOptions::new("5550100").cancel_call_waiting("*70"))
            .unwrap();
        let provider: Arc<dyn ProviderDyn> = Arc::new(provider);
        let config = SessionConfig {
            low: Version::V2_2,
            high: Version::V2_2,
            ..SessionConfig::default()
        };
        let (session, deliveries) = ProviderSession::start(provider, config).await.unwrap();
        let line = session.open(DeviceId(0), Version::V2_2).await.unwrap();
        World {
            sim,
            session,
            deliveries,
            line,
        }
    }

    async fn make_call(
        &mut self,
        dest: &str,
        flags: CallParamFlags,
    ) -> Result<CallHandle, tsp_sdk::Error> {
        let params = CallParams {
            flags,
            ..CallParams::data_modem()
        };
        let accepted = self
            .session
            .make_call(self.line, Some(dest), 0, params)
            .await?;
        Ok(accepted.call)
    }

    /// Waits (on virtual time) for the call to reach `state`; returns the states seen on the way.
    async fn wait_for(&mut self, call: CallHandle, state: CallState) -> Vec<CallStateChange> {
        let mut seen = Vec::new();
        loop {
            let next = tokio::time::timeout(Duration::from_secs(300), self.deliveries.recv()).await;
            match next {
                Ok(Some(Delivery::Event {
                    event:
                        LineEvent::CallState {
                            call: c, state: s, ..
                        },
                    ..
                })) if c == call => {
                    seen.push(s);
                    if s.state() == state {
                        return seen;
                    }
                }
                Ok(Some(_)) => {}
                other => panic!(
                    "waiting for {state} on {call}: {other:?} after {seen:?}\n{}",
                    self.sim.transcript()
                ),
            }
        }
    }
}

async fn data_call_hit_by_call_waiting(
    flags: CallParamFlags,
) -> (World, CallHandle, Vec<CallStateChange>) {
    let mut world = World::new(Some(Duration::from_secs(40))).await;
    let call = world.make_call("T5550101", flags).await.unwrap();
    world.wait_for(call, CallState::Connected).await;
    let stream = world
        .session
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new("comm/datamodem"),
        })
        .await
        .unwrap();
    let DeviceIdValue::DataStream { mut stream, .. } = stream else {
        panic!("not a stream")
    };
    stream.write_all(b"ping").await.unwrap();
    let mut buf = [0u8; 4];
    stream.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping", "the far end echoes");
    // The second caller dials in at 40 s; watch what happens to our call until 60 s.
    let after = tokio::time::timeout(
        Duration::from_secs(60),
        world.wait_for(call, CallState::Disconnected),
    )
    .await;
    (world, call, after.unwrap_or_default())
}

#[tokio::test(start_paused = true)]
async fn an_unsecured_data_call_is_broken_by_a_call_waiting_caller() {
    let (world, _call, states) = data_call_hit_by_call_waiting(CallParamFlags::empty()).await;
    assert_eq!(
        states.last().and_then(|s| s.disconnect_mode()),
        Some(DisconnectMode::NORMAL),
        "the tone must drop the carrier\n{}",
        world.sim.transcript()
    );
}

#[tokio::test(start_paused = true)]
async fn a_secured_data_call_dials_the_cancel_code_and_survives_the_second_caller() {
    let (world, call, states) = data_call_hit_by_call_waiting(CallParamFlags::SECURE).await;
    assert!(
        states.is_empty(),
        "the secured call was disturbed: {states:?}\n{}",
        world.sim.transcript()
    );
    let info = world.session.call_info(call).await.unwrap();
    assert!(info.call_param_flags.contains(CallParamFlags::SECURE));
    let dialled = world.sim.with(|net, _| net.exchange().dialled().to_vec());
    let first = dialled.first().expect("a dial record");
    assert_eq!(
        first.chunks.first().map(String::as_str),
        Some("*70"),
        "{dialled:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn secure_is_refused_without_a_code_and_after_digits_but_works_at_dial_tone() {
    let mut world = World::new(None).await;
    // At dial tone: securing works, and the following dial carries the code.
    let call = world
        .session
        .make_call(world.line, None, 0, CallParams::data_modem())
        .await
        .unwrap()
        .call;
    world.wait_for(call, CallState::DialTone).await;
    world.session.secure_call(call).await.unwrap();
    world.session.dial(call, "5550101", 0).await.unwrap();
    world.wait_for(call, CallState::Connected).await;
    // Connected: too late.
    let err = world.session.secure_call(call).await;
    assert!(err.is_ok(), "already secure: success at once");
    let dialled = world.sim.with(|net, _| net.exchange().dialled().to_vec());
    assert_eq!(
        dialled[0].chunks,
        vec!["*70".to_string(), "5550101".to_string()]
    );
}

#[tokio::test(start_paused = true)]
async fn unsupported_dial_modifiers_fail_synchronously_and_nothing_reaches_the_exchange() {
    let mut world = World::new(None).await;
    for (dest, kind) in [
        ("T555W0101", LineErr::DialDialtone),
        ("T555@0101", LineErr::DialQuiet),
        ("T555$", LineErr::DialBilling),
        ("T?5", LineErr::DialPrompt),
    ] {
        let err = world
            .make_call(dest, CallParamFlags::empty())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{dest}");
    }
    assert!(world.sim.with(|net, _| net.exchange().dialled().is_empty()));
    assert!(world.session.violations().is_empty());
    let _ = MediaModes::DATAMODEM;
}

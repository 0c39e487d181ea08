//! A simulated exchange with the modem provider on one line, driven through the `tsp-sdk`
//! contract the way a host does (after tsp-sim's `sim_provider.rs`).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod fake;
pub mod inject;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tsp_modem::transport::{PortOpener, SimPortOpener};
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::dial::Location;
use tsp_sdk::host::{ProviderSession, SessionConfig};
use tsp_sdk::sink::{Deliveries, Delivery};
use tsp_sdk::spi::*;
use tsp_sdk::{
    CallInfoStates, CallParamFlags, CallState, LineDevStates, LineErr, MediaModes, Version,
};
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole, LineId};
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId as SimDevice, Network};
use tsp_sim::sim::Sim;

pub const OURS: &str = "5550100";
pub const FAR: &str = "5550101";

/// Something the host saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Completed(RequestId, Result<(), LineErr>),
    NewCall(CallHandle),
    State(CallHandle, CallStateChange),
    Info(CallHandle, CallInfoStates),
    Ringing(u32),
    /// `LINE_MONITORDIGITS`.
    Digit(CallHandle, char),
    /// `LINE_GENERATE`: its end and end-to-end id.
    Generate(tsp_sdk::spi::GenerateTerm, u32),
    Close,
    Other(String),
}

pub fn data_answerer(rings: u32) -> ScriptedParty {
    ScriptedParty::builder()
        .answer_after_rings(rings)
        .carrier(Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Data,
            max_rate: 28_800,
        })
        .echo()
        .build(Instant::now())
}

pub fn fax_answerer() -> ScriptedParty {
    ScriptedParty::builder()
        .answer_after_rings(1)
        .carrier(Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Fax,
            max_rate: 14_400,
        })
        .echo()
        .build(Instant::now())
}

pub fn voice_answerer() -> ScriptedParty {
    ScriptedParty::builder()
        .answer_after_rings(1)
        .build(Instant::now())
}

/// How a world is built.
pub struct Builder {
    pub ours: LineConfig,
    pub modem: Profile,
    pub far: Option<ScriptedParty>,
    pub far_config: LineConfig,
    pub third: Option<ScriptedParty>,
    pub location: Location,
    pub seed: u64,
    pub exchange: Option<tsp_sim::exchange::ExchangeBuilder>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            ours: LineConfig::new(OURS),
            modem: Profile::v250(),
            far: Some(data_answerer(1)),
            far_config: LineConfig::new(FAR).name("FAR END"),
            third: None,
            location: Location::default(),
            seed: 17,
            exchange: None,
        }
    }
}

pub struct World {
    pub sim: Sim,
    pub provider: Arc<dyn ProviderDyn>,
    /// The one-provider session: request ids, the sink's books, what the provider was asked.
    pub session: ProviderSession,
    pub deliveries: Deliveries,
    pub line: LineHandle,
    pub device: SimDevice,
    pub ours: LineId,
    pub far: LineId,
    pub seen: Vec<Seen>,
    /// Slips bytes into what the modem sends (garbage storms).
    pub from_modem: inject::Injector,
}

impl Builder {
    pub fn far(mut self, party: Option<ScriptedParty>) -> Self {
        self.far = party;
        self
    }

    pub fn location(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    pub fn modem(mut self, modem: Profile) -> Self {
        self.modem = modem;
        self
    }

    /// Builds the network and the provider, inits it, but opens nothing.
    pub async fn build_closed(self) -> World {
        let start = Instant::now();
        let mut network = match self.exchange {
            Some(exchange) => Network::builder().exchange(exchange),
            None => Network::builder(),
        }
        .seed(self.seed)
        .build(start);
        let ours = network.add_line(self.ours);
        let far = network.add_line(self.far_config);
        let third = network.add_line(LineConfig::new("5550102"));
        let device = network
            .attach_device(ours, SimModem::new(self.modem))
            .unwrap();
        if let Some(party) = self.far {
            network.attach_party(far, party).unwrap();
        }
        if let Some(party) = self.third {
            network.attach_party(third, party).unwrap();
        }
        let sim = Sim::start(network);
        let injector = inject::Injector::default();
        let opener: Arc<dyn PortOpener> = Arc::new(inject::InjectingOpener {
            inner: Arc::new(SimPortOpener::new(sim.clone(), device)),
            injector: injector.clone(),
        });
        let config = ModemLineConfig::new("test line", opener).with_location(self.location);
        let mut world =
            World::with_provider(sim, ModemProvider::new(vec![config]), device, ours, far).await;
        world.from_modem = injector;
        world
    }

    /// Builds and opens line 0.
    pub async fn build(self) -> World {
        let mut world = self.build_closed().await;
        world.open().await.expect("the line opens");
        world
    }
}

impl World {
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub async fn with_provider(
        sim: Sim,
        provider: ModemProvider,
        device: SimDevice,
        ours: LineId,
        far: LineId,
    ) -> World {
        let provider: Arc<dyn ProviderDyn> = Arc::new(provider);
        let config = SessionConfig {
            low: Version::V2_2,
            high: Version::V2_2,
            ..SessionConfig::default()
        };
        let (session, deliveries) = ProviderSession::start(provider.clone(), config)
            .await
            .unwrap();
        World {
            sim,
            provider,
            session,
            deliveries,
            line: LineHandle(0),
            device,
            ours,
            far,
            seen: Vec::new(),
            from_modem: inject::Injector::default(),
        }
    }

    pub async fn open(&mut self) -> Result<(), tsp_sdk::Error> {
        self.line = self.session.open(DeviceId(0), Version::V2_2).await?;
        Ok(())
    }

    pub async fn close(&mut self) {
        self.session.close(self.line).await.unwrap();
    }

    pub async fn detect(&mut self, modes: MediaModes) {
        self.session
            .set_default_media_detection(self.line, modes)
            .await
            .unwrap();
    }

    /// make_call; a synchronous refusal is marked in the sink by the session.
    pub async fn make_call(
        &mut self,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<(CallHandle, RequestId), tsp_sdk::Error> {
        let accepted = self.session.make_call(self.line, dest, 0, params).await?;
        Ok((accepted.call, accepted.request))
    }

    pub async fn data_call(&mut self, dest: &str) -> CallHandle {
        let (call, _) = self
            .make_call(Some(dest), CallParams::data_modem())
            .await
            .unwrap();
        call
    }

    pub async fn call_op(
        &mut self,
        operation: &'static str,
        call: CallHandle,
    ) -> Result<RequestId, tsp_sdk::Error> {
        match operation {
            "drop_call" => self.session.drop_call(call, Vec::new()).await,
            "answer" => self.session.answer(call, Vec::new()).await,
            "secure_call" => self.session.secure_call(call).await,
            other => panic!("no such operation {other}"),
        }
    }

    pub async fn dial(
        &mut self,
        call: CallHandle,
        dest: &str,
    ) -> Result<RequestId, tsp_sdk::Error> {
        self.session.dial(call, dest, 0).await
    }

    pub async fn close_call(&mut self, call: CallHandle) {
        self.session.close_call(call).await.unwrap();
    }

    fn record(&mut self, delivery: Delivery) -> Seen {
        let seen = match delivery {
            Delivery::Completed {
                request, result, ..
            } => Seen::Completed(request, result.map_err(|e| e.kind())),
            Delivery::NewCall { call, .. } => Seen::NewCall(call),
            Delivery::Event { event, .. } => match event {
                LineEvent::CallState { call, state, .. } => Seen::State(call, state),
                LineEvent::CallInfo { call, changed } => Seen::Info(call, changed),
                LineEvent::LineDevState { states, p3, .. } if states == LineDevStates::RINGING => {
                    Seen::Ringing(p3)
                }
                LineEvent::Close => Seen::Close,
                LineEvent::MonitorDigits { call, digit, .. } => Seen::Digit(call, digit),
                LineEvent::Generate {
                    term,
                    end_to_end_id,
                    ..
                } => Seen::Generate(term, end_to_end_id),
                other => Seen::Other(format!("{other:?}")),
            },
            other => Seen::Other(format!("{other:?}")),
        };
        self.seen.push(seen.clone());
        seen
    }

    /// Receives until `pred` holds for something received (or fails after `within` of virtual
    /// time, printing what was seen and the transcript).
    pub async fn wait_until(
        &mut self,
        what: &str,
        within: Duration,
        pred: impl Fn(&Seen) -> bool,
    ) -> Seen {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.deliveries.recv()).await {
                Ok(Some(delivery)) => {
                    let seen = self.record(delivery);
                    if pred(&seen) {
                        return seen;
                    }
                }
                other => panic!(
                    "waiting for {what}: {other:?}\nseen: {:#?}\nviolations: {:?}\ntranscript:\n{}",
                    self.seen,
                    self.session.violations(),
                    self.sim.transcript()
                ),
            }
        }
    }

    pub async fn wait_state(&mut self, call: CallHandle, state: CallState) -> CallStateChange {
        let seen = self
            .wait_until(
                &format!("{call} {state}"),
                Duration::from_secs(300),
                |s| matches!(s, Seen::State(c, st) if *c == call && st.state() == state),
            )
            .await;
        match seen {
            Seen::State(_, st) => st,
            _ => unreachable!(),
        }
    }

    pub async fn wait_completion(&mut self, request: RequestId) -> Result<(), LineErr> {
        if let Some(result) = self.seen.iter().find_map(|s| match s {
            Seen::Completed(r, result) if *r == request => Some(*result),
            _ => None,
        }) {
            return result;
        }
        match self
            .wait_until(
                &format!("completion of {request}"),
                Duration::from_secs(300),
                |s| matches!(s, Seen::Completed(r, _) if *r == request),
            )
            .await
        {
            Seen::Completed(_, result) => result,
            _ => unreachable!(),
        }
    }

    /// Receives whatever arrives in the next `span` of virtual time.
    pub async fn drain(&mut self, span: Duration) {
        let deadline = tokio::time::Instant::now() + span;
        while let Ok(Some(delivery)) =
            tokio::time::timeout_at(deadline, self.deliveries.recv()).await
        {
            self.record(delivery);
        }
    }

    /// The states reported for `call`, in order.
    pub fn states(&self, call: CallHandle) -> Vec<CallStateChange> {
        self.seen
            .iter()
            .filter_map(|s| match s {
                Seen::State(c, st) if *c == call => Some(*st),
                _ => None,
            })
            .collect()
    }

    /// Everything the provider wrote to the modem.
    pub fn dte_input(&self) -> String {
        let device = self.device;
        self.sim.with(|net, _| {
            String::from_utf8_lossy(&net.transcript().dte_input(device)).into_owned()
        })
    }

    pub fn dialled(&self) -> Vec<tsp_sim::exchange::DialRecord> {
        self.sim.with(|net, _| net.exchange().dialled().to_vec())
    }

    pub fn assert_no_violations(&self) {
        let violations = self.session.violations();
        assert!(
            violations.is_empty(),
            "contract violations: {violations:?}\nseen: {:#?}",
            self.seen
        );
    }

    pub async fn stream(&self, call: CallHandle) -> Result<Box<dyn ByteStream>, tsp_sdk::Error> {
        match self
            .session
            .get_id(GetId {
                select: Select::Call(call),
                class: DeviceClass::new(DeviceClass::COMM_DATAMODEM),
            })
            .await?
        {
            DeviceIdValue::DataStream { stream, .. } => Ok(stream),
            other => panic!("not a stream: {other:?}"),
        }
    }
}

pub fn secure(params: CallParams) -> CallParams {
    CallParams {
        flags: params.flags | CallParamFlags::SECURE,
        ..params
    }
}

//! [`NetworkFixture`]: the suite for providers that reach the network by something other than a
//! simulated modem (a SIP trunk, an ISDN card, a PBX link). The simulated exchange plays the far
//! end; a [`FarEndAdapter`] you write translates between your provider's signalling and the
//! exchange's line.
//!
//! ```text
//!  your provider ──messages──► NetworkLink ──► FarEndAdapter ──LineAction──► exchange line
//!        ▲                                         │                          (far ends the
//!        └────────────messages◄────────────────────┘◄──LineSignal─────────── suite scripts)
//! ```
//!
//! In production your provider talks to its network (a socket, a driver); in the suite it gets
//! a [`NetworkLink`] instead: two channels of your own message type. The adapter is sans-IO:
//! it is handed each message and each line signal with the virtual time, and answers with what
//! goes where ([`Toward`]). The exchange's line is an analog subscriber line (seize, dial tone,
//! digits, ringback, answer, carriers for data, release); map your protocol onto it the way a
//! gateway would.

use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::access::AccessLine;
use tsp_sim::line::{LineAction, LineSignal};
use tsp_sim::sim::Sim;

use crate::fixture::{Clock, Fixture, FixtureError, LineSpec};

/// Where an adapter sends something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toward<M> {
    /// Do this on the exchange line.
    Line(LineAction),
    /// Reject the call ringing on the line (the caller hears a rejection).
    Reject,
    /// Send this message to the provider, as its network would.
    Provider(M),
}

/// Translates between a provider's own signalling and the simulated exchange's line: the
/// gateway in front of the exchange. Sans-IO: time is passed in, nothing blocks.
///
/// # Contract
/// - Every message from the provider and every line signal is handed over once, in order.
/// - What is returned is carried out at once, in order; the line actions of one answer reach
///   the exchange together, before it answers any of them.
/// - [`poll_timeout`](Self::poll_timeout) says when [`handle_timeout`](Self::handle_timeout) is
///   next due (a network's own timers: an unanswered call's 408, no dial tone).
pub trait FarEndAdapter: Send + 'static {
    /// The provider's wire message (a SIP request or response, a Q.931 message).
    type Message: Send + 'static;

    /// The provider sent `message` to its network at virtual time `now`.
    fn on_provider_message(
        &mut self,
        message: Self::Message,
        now: Instant,
    ) -> Vec<Toward<Self::Message>>;

    /// The exchange signalled `signal` on the line at `now`.
    fn on_line_signal(&mut self, signal: LineSignal, now: Instant) -> Vec<Toward<Self::Message>>;

    /// When the adapter next needs [`handle_timeout`](Self::handle_timeout).
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Virtual time reached `now`: run the timers that expired.
    fn handle_timeout(&mut self, now: Instant) -> Vec<Toward<Self::Message>> {
        let _ = now;
        Vec::new()
    }
}

/// The provider's end of its network in the suite: send to `to_network`, receive from
/// `from_network`. Both end when the other side goes.
#[derive(Debug)]
pub struct NetworkLink<M> {
    /// Messages to the network.
    pub to_network: mpsc::UnboundedSender<M>,
    /// Messages from the network.
    pub from_network: mpsc::UnboundedReceiver<M>,
}

type MakeAdapter<A> = Box<dyn Fn(&LineSpec) -> A + Send + Sync>;
type MakeProvider<M> = Box<dyn Fn(NetworkLink<M>, &LineSpec) -> Arc<dyn ProviderDyn> + Send + Sync>;

/// A [`Fixture`] for a network provider: for each case it plugs an [`AccessLine`] into the
/// provider's exchange line, runs `adapter` between it and a fresh [`NetworkLink`], and builds
/// the provider on that link.
///
/// ```
/// # use std::sync::Arc;
/// # use tsp_conformance::{FarEndAdapter, NetworkFixture, Toward};
/// # use tsp_conformance::network::{LineAction, LineSignal};
/// # fn my_provider(_: tsp_conformance::NetworkLink<Msg>) -> Arc<dyn tsp_sdk::spi::ProviderDyn> { unimplemented!() }
/// # enum Msg { Seize, DialTone }
/// struct Gateway;
/// impl FarEndAdapter for Gateway {
///     type Message = Msg;
///     fn on_provider_message(&mut self, m: Msg, _: std::time::Instant) -> Vec<Toward<Msg>> {
///         match m {
///             Msg::Seize => vec![Toward::Line(LineAction::OffHook)],
///             Msg::DialTone => vec![],
///         }
///     }
///     fn on_line_signal(&mut self, s: LineSignal, _: std::time::Instant) -> Vec<Toward<Msg>> {
///         match s {
///             LineSignal::DialTone => vec![Toward::Provider(Msg::DialTone)],
///             _ => vec![],
///         }
///     }
/// }
/// let fixture = NetworkFixture::new("gateway", |_line| Gateway, |link, _line| my_provider(link));
/// # let _ = fixture;
/// ```
pub struct NetworkFixture<A: FarEndAdapter> {
    name: String,
    clock: Clock,
    adapter: MakeAdapter<A>,
    provider: MakeProvider<A::Message>,
}

impl<A: FarEndAdapter> std::fmt::Debug for NetworkFixture<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkFixture")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<A: FarEndAdapter> NetworkFixture<A> {
    /// A fixture called `name` (for reports) that makes an adapter and a provider per case, on
    /// paused time.
    pub fn new(
        name: impl Into<String>,
        adapter: impl Fn(&LineSpec) -> A + Send + Sync + 'static,
        provider: impl Fn(NetworkLink<A::Message>, &LineSpec) -> Arc<dyn ProviderDyn>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        NetworkFixture {
            name: name.into(),
            clock: Clock::Paused,
            adapter: Box::new(adapter),
            provider: Box::new(provider),
        }
    }

    /// Runs the cases on `clock` instead (a provider that does real I/O on the way).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

impl<A: FarEndAdapter> Fixture for NetworkFixture<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn clock(&self) -> Clock {
        self.clock
    }

    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let access = AccessLine::attach(sim, line.line)?;
            let (to_network, network_in) = mpsc::unbounded_channel();
            let (network_out, from_network) = mpsc::unbounded_channel();
            let adapter = (self.adapter)(line);
            tokio::spawn(bridge(adapter, access, network_out, network_in));
            Ok((self.provider)(
                NetworkLink {
                    to_network,
                    from_network,
                },
                line,
            ))
        }
        .boxed()
    }
}

/// Carries messages and signals through the adapter until the provider's link or the
/// simulation goes.
async fn bridge<A: FarEndAdapter>(
    mut adapter: A,
    mut line: AccessLine,
    to_provider: mpsc::UnboundedSender<A::Message>,
    mut from_provider: mpsc::UnboundedReceiver<A::Message>,
) {
    loop {
        let wait = adapter.poll_timeout().map(|at| line.wait_until(at));
        let timer = timer(wait);
        let out = tokio::select! {
            message = from_provider.recv() => match message {
                Some(message) => adapter.on_provider_message(message, line.now()),
                None => break,
            },
            signal = line.signal_at() => match signal {
                Some((at, signal)) => adapter.on_line_signal(signal, at),
                None => break,
            },
            () = timer => adapter.handle_timeout(line.now()),
        };
        // Line actions of one answer go to the exchange together (a hang-up drops the carrier
        // and goes on hook before the far end hears either).
        let mut actions = Vec::new();
        for toward in out {
            match toward {
                Toward::Line(action) => actions.push(action),
                Toward::Reject => {
                    line.act_all(std::mem::take(&mut actions));
                    if let Err(e) = line.reject() {
                        tracing::debug!(error = %e, "adapter: nothing to reject");
                    }
                }
                Toward::Provider(message) => {
                    // The provider may have dropped its link (shut down): nothing is owed then.
                    let _ = to_provider.send(message);
                }
            }
        }
        if !actions.is_empty() {
            line.act_all(actions);
        }
    }
}

async fn timer(wait: Option<std::time::Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

//! The modem provider's targets: over the simulator's in-memory port, and over a pty through
//! tokio-serial.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::BoxFuture;
use tsp_modem::transport::{SerialPortOpener, SimPortOpener};
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::dial::Location;
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::DeviceId;
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

use crate::fixture::{Clock, Fixture, FixtureError, LineSpec};

/// The line's location: dialable destinations pass through; the world's cancel code, if any.
fn location(line: &LineSpec) -> Location {
    let location = Location::default();
    match &line.cancel_call_waiting {
        Some(code) => location.with_cancel_call_waiting(code.clone()),
        None => location,
    }
}

/// Plugs a simulated V.250 modem into the line.
fn attach_modem(sim: &Sim, line: &LineSpec) -> Result<DeviceId, FixtureError> {
    Ok(sim.with(|net, _| net.attach_device(line.line, SimModem::new(Profile::v250())))?)
}

fn modem_provider(
    name: &str,
    opener: Arc<dyn tsp_modem::transport::PortOpener>,
    line: &LineSpec,
) -> Arc<dyn ProviderDyn> {
    let config = ModemLineConfig::new(name, opener).with_location(location(line));
    Arc::new(ModemProvider::new(vec![config]))
}

/// `modem-sim`: the modem provider driving a simulated V.250 modem through the simulator's
/// in-memory serial port, on paused time.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModemSimTarget;

impl Fixture for ModemSimTarget {
    fn name(&self) -> &str {
        "modem-sim"
    }

    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let device = attach_modem(sim, line)?;
            Ok(modem_provider(
                "modem-sim",
                Arc::new(SimPortOpener::new(sim.clone(), device)),
                line,
            ))
        }
        .boxed()
    }

    fn can_remove_device(&self) -> bool {
        true
    }

    /// ModemProvider puts the modem in Class 1 for a G3FAX call and hands the port over.
    fn class1_fax(&self) -> bool {
        true
    }

    fn set_device_present(&self, sim: &Sim, present: bool) {
        // The world's only device.
        sim.set_port_present(DeviceId(0), present);
    }
}

/// How fast `modem-pty` runs: real seconds per simulated second (`TSP_PTY_TIME_SCALE` overrides
/// it, to try a slower machine's margins). The provider waits in the modem's time too (its
/// port's clock), so only the pty's own latency is real.
fn pty_time_scale() -> f64 {
    std::env::var("TSP_PTY_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|f| f.is_finite() && *f > 0.0)
        .unwrap_or(PTY_TIME_SCALE)
}

/// The default of [`pty_time_scale`].
const PTY_TIME_SCALE: f64 = 0.02;

/// One world's pty: its stable name, and the link while the device is present.
#[derive(Debug)]
struct PtyState {
    dir: tempfile::TempDir,
    device: DeviceId,
    link: Option<PtyLink>,
}

impl PtyState {
    fn path(&self) -> PathBuf {
        self.dir.path().join("ttySIM0")
    }
}

/// `modem-pty`: the modem provider opening a pseudo-terminal through tokio-serial, exactly as it
/// opens a real port, with a simulated modem behind it. Real time, the network and the modem's
/// clock sped up 50 times (`TSP_PTY_TIME_SCALE`).
#[derive(Debug, Default)]
pub struct ModemPtyTarget {
    /// Each running world's pty, by [`Sim::id`] (cases run in parallel).
    worlds: Mutex<HashMap<u64, PtyState>>,
}

impl Fixture for ModemPtyTarget {
    fn name(&self) -> &str {
        "modem-pty"
    }

    fn clock(&self) -> Clock {
        Clock::Scaled(pty_time_scale())
    }

    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let device = attach_modem(sim, line)?;
            let mut state = PtyState {
                dir: tempfile::tempdir()?,
                device,
                link: None,
            };
            let path = state.path();
            state.link = Some(PtyLink::spawn(sim, device)?.with_symlink(&path)?);
            if let Ok(mut worlds) = self.worlds.lock() {
                worlds.insert(sim.id(), state);
            }
            Ok(modem_provider(
                "modem-pty",
                Arc::new(SerialPortOpener::new(path, 115_200).with_time_scale(pty_time_scale())),
                line,
            ))
        }
        .boxed()
    }

    fn can_remove_device(&self) -> bool {
        true
    }

    /// ModemProvider puts the modem in Class 1 for a G3FAX call and hands the port over.
    fn class1_fax(&self) -> bool {
        true
    }

    /// Removing closes the pty master (what a vanishing USB modem looks like to its port) and
    /// removes the name; restoring makes a new pty under the same name.
    fn detach(&self, sim: &Sim) {
        if let Ok(mut worlds) = self.worlds.lock() {
            worlds.remove(&sim.id());
        }
    }

    fn set_device_present(&self, sim: &Sim, present: bool) {
        let Ok(mut worlds) = self.worlds.lock() else {
            return;
        };
        let Some(state) = worlds.get_mut(&sim.id()) else {
            return;
        };
        if !present {
            state.link = None;
            return;
        }
        let path = state.path();
        match PtyLink::spawn(sim, state.device).and_then(|link| link.with_symlink(&path)) {
            Ok(link) => state.link = Some(link),
            Err(e) => tracing::error!(error = %e, "modem-pty: the device could not come back"),
        }
    }
}

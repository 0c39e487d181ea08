//! A real modem on a serial port (`tsp-conformance --device PATH`): the cases that need no second
//! line and no simulated network.

use std::path::PathBuf;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use tsp_modem::transport::SerialPortOpener;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::sim::Sim;

use crate::fixture::{Clock, Fixture, FixtureError, LineSpec};

/// The cases a real modem on a real line can run with no far end: identification and init (they
/// run at every open), version and device ids, dial-string and media checks, status messages,
/// and close/reopen.
pub const HARDWARE_CASES: &[&str] = &[
    "lifecycle/negotiate_version/1",
    "lifecycle/device_ids/1",
    "lifecycle/open_once/1",
    "async/sync_failure_never_completes/1",
    "dial_strings/unsupported_modifiers_fail_synchronously/1",
    "dial_strings/bad_characters_are_invalid_addresses/1",
    "make_call/unsupported_media_mode/1",
    "media/unknown_device_class/1",
    "media/detection_rejects_unsupported_modes/1",
    "status/status_messages_reject_undefined_bits/1",
    "close/close_and_reopen_at_once/1",
];

/// The modem provider on a real serial port. The simulated world is built but unused.
#[derive(Debug, Clone)]
pub struct HardwareTarget {
    /// The port (`/dev/ttyACM0`).
    pub path: PathBuf,
    /// Serial speed.
    pub baud: u32,
}

impl Fixture for HardwareTarget {
    fn name(&self) -> &str {
        "hardware"
    }

    fn clock(&self) -> Clock {
        Clock::Scaled(1.0)
    }

    fn attach<'a>(
        &'a self,
        _sim: &'a Sim,
        _line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let opener = Arc::new(SerialPortOpener::new(self.path.clone(), self.baud));
            let config = ModemLineConfig::new(self.path.display().to_string(), opener);
            Ok(Arc::new(ModemProvider::new(vec![config])) as Arc<dyn ProviderDyn>)
        }
        .boxed()
    }
}

//! The built-in targets: the suite's own fixtures for the providers in this workspace.

mod hardware;
mod modem;
mod sim;

use std::sync::Arc;

pub use hardware::{HARDWARE_CASES, HardwareTarget};
pub use modem::{ModemPtyTarget, ModemSimTarget};
pub use sim::SimTarget;

use crate::fixture::Fixture;

/// Every built-in target by name.
pub fn by_name(name: &str) -> Option<Arc<dyn Fixture>> {
    match name {
        "modem-sim" => Some(Arc::new(ModemSimTarget)),
        "modem-pty" => Some(Arc::new(ModemPtyTarget::default())),
        "sim" => Some(Arc::new(SimTarget::default())),
        _ => None,
    }
}

/// The names of the built-in targets, in the order the CLI runs them.
pub const NAMES: &[&str] = &["modem-sim", "modem-pty", "sim"];

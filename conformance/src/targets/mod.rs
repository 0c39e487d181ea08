//! The built-in targets: the suite's own fixtures for the providers in this workspace.
//!
//! `sim` ([`SimTarget`], the simulator's own provider) is always here. The modem provider's
//! targets (`modem-sim`, `modem-pty`, and the hardware profile) need the `builtin-targets`
//! feature (on by default), which brings in `tsp-modem`; a provider author who depends on this
//! crate with `default-features = false` gets the suite without the AT stack.

#[cfg(feature = "builtin-targets")]
mod hardware;
#[cfg(feature = "builtin-targets")]
mod modem;
mod sim;

use std::sync::Arc;

#[cfg(feature = "builtin-targets")]
pub use hardware::{HARDWARE_CASES, HardwareTarget};
#[cfg(feature = "builtin-targets")]
pub use modem::{ModemPtyTarget, ModemSimTarget};
pub use sim::SimTarget;

use crate::fixture::Fixture;

/// Every built-in target by name.
pub fn by_name(name: &str) -> Option<Arc<dyn Fixture>> {
    match name {
        #[cfg(feature = "builtin-targets")]
        "modem-sim" => Some(Arc::new(ModemSimTarget)),
        #[cfg(feature = "builtin-targets")]
        "modem-pty" => Some(Arc::new(ModemPtyTarget::default())),
        "sim" => Some(Arc::new(SimTarget::default())),
        _ => None,
    }
}

/// The names of the built-in targets, in the order the CLI runs them.
#[cfg(feature = "builtin-targets")]
pub const NAMES: &[&str] = &["modem-sim", "modem-pty", "sim"];
/// The names of the built-in targets, in the order the CLI runs them.
#[cfg(not(feature = "builtin-targets"))]
pub const NAMES: &[&str] = &["sim"];

//! [`Case`]: one behaviour, with its stable id, the requirement it checks, and what it needs.

use futures::future::BoxFuture;

use crate::ctx::Ctx;
use crate::failure::Failure;

/// What a case's body is.
pub type CaseFn = for<'a> fn(&'a mut Ctx) -> BoxFuture<'a, Result<(), Failure>>;

/// How binding a requirement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// MUST: a failure fails the run.
    Required,
    /// SHOULD: checked, reported, and failing only with `--strict`.
    Strict,
}

/// What a case needs from the provider (declared capabilities) or from the fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// `Capabilities::dial`.
    Dial,
    /// `Capabilities::answer`.
    Answer,
    /// `Capabilities::secure` and `AddrCapFlags::SECURE` on the line's address.
    Secure,
    /// `get_id("comm/datamodem")` (`Capabilities::get_id` and the class in the line caps).
    DataStream,
    /// The fixture can remove and restore the device.
    DeviceRemoval,
    /// `Capabilities::monitor_digits`.
    MonitorDigits,
    /// `Capabilities::generate_digits`.
    GenerateDigits,
    /// A fixture that runs the host-level cases (the host's rules over the provider).
    HostLevel,
    /// `LINEMEDIAMODE_G3FAX` in the line's `LineDevCaps::media_modes`.
    G3Fax,
    /// G3FAX calls the Unimodem way: the call's `comm/datamodem` stream is a Class 1 modem's
    /// command interface (T.31), where the application's own T.30 runs
    /// ([`Fixture::class1_fax`](crate::Fixture::class1_fax)).
    Class1Fax,
    /// A voice call's audio as its stream: AUTOMATEDVOICE in `LineDevCaps::media_modes` and
    /// the `wave/out` and `wave/in` device classes.
    VoiceAudio,
}

impl Need {
    /// The capability's name, for skip messages.
    pub fn describe(self) -> &'static str {
        match self {
            Need::Dial => "Capabilities::dial",
            Need::Answer => "Capabilities::answer",
            Need::Secure => "Capabilities::secure with AddrCapFlags::SECURE",
            Need::DataStream => {
                "get_id(\"comm/datamodem\") (Capabilities::get_id and the class in LineDevCaps)"
            }
            Need::DeviceRemoval => {
                "a fixture that can remove the device (Fixture::can_remove_device)"
            }
            Need::MonitorDigits => {
                "Capabilities::monitor_digits and digit modes in LineDevCaps::monitor_digit_modes"
            }
            Need::G3Fax => "G3FAX in LineDevCaps::media_modes",
            Need::VoiceAudio => {
                "AUTOMATEDVOICE in LineDevCaps::media_modes and the wave/out and wave/in device classes"
            }
            Need::Class1Fax => {
                "G3FAX calls whose comm/datamodem stream is a Class 1 modem's command interface (Fixture::class1_fax)"
            }
            Need::GenerateDigits => {
                "Capabilities::generate_digits and digit modes in LineDevCaps::generate_digit_modes"
            }
            Need::HostLevel => {
                "a fixture that runs host-level cases (Fixture::host_level: modem-pty leaves the provider-independent host rules to modem-sim, the same provider in memory)"
            }
        }
    }
}

/// Which world a case runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorldKind {
    /// The provider's line has call waiting and the location's cancel code is `*70`.
    Standard,
    /// The same line, but the location has no cancel-call-waiting code.
    NoCancelCode,
    /// Caller ID is sent before the first ring (as in the UK).
    CallerIdBeforeRing,
}

/// One behaviour of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// A stable id, `area/name/version` (`secure/make_call_secure/1`).
    pub id: &'static str,
    /// The requirement, quoted or paraphrased from its source.
    pub requirement: &'static str,
    /// Where the requirement comes from (TAPI page, V.250 clause, or the project's design).
    pub source: &'static str,
    /// MUST or SHOULD.
    pub level: Level,
    /// What the case needs; it is skipped, naming the first missing one, otherwise.
    pub needs: &'static [Need],
    /// The world it runs in.
    pub world: WorldKind,
    /// The body.
    pub run: CaseFn,
}

impl Case {
    /// A MUST-level case in the standard world.
    pub const fn required(
        id: &'static str,
        requirement: &'static str,
        source: &'static str,
        needs: &'static [Need],
        run: CaseFn,
    ) -> Case {
        Case {
            id,
            requirement,
            source,
            level: Level::Required,
            needs,
            world: WorldKind::Standard,
            run,
        }
    }

    /// The same case in another world.
    #[must_use]
    pub const fn in_world(mut self, world: WorldKind) -> Case {
        self.world = world;
        self
    }

    /// The same case at SHOULD level.
    #[must_use]
    pub const fn should(mut self) -> Case {
        self.level = Level::Strict;
        self
    }

    /// The area: the id's first part (`secure`).
    pub fn area(&self) -> &'static str {
        self.id.split('/').next().unwrap_or(self.id)
    }
}

/// Makes a [`CaseFn`] from an `async fn(&mut Ctx) -> Result<(), Failure>`.
#[macro_export]
macro_rules! case_fn {
    ($f:path) => {{
        fn run(
            ctx: &mut $crate::Ctx,
        ) -> ::futures::future::BoxFuture<'_, Result<(), $crate::Failure>> {
            Box::pin($f(ctx))
        }
        run as $crate::CaseFn
    }};
}

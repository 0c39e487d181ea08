//! Far ends the cases use.

use std::time::{Duration, Instant};

use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};

use crate::world::OUR_NUMBER;

/// A data modem's answer carrier.
pub(crate) const ANSWER_DATA: Carrier = Carrier {
    role: CarrierRole::Answer,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};
/// A data modem's originate carrier.
pub(crate) const ORIGINATE_DATA: Carrier = Carrier {
    role: CarrierRole::Originate,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};

/// A fax machine's answer (the whole call's fax carrier, as the scripted party models it).
pub(crate) const ANSWER_FAX: Carrier = Carrier {
    role: CarrierRole::Answer,
    kind: CarrierKind::Fax,
    max_rate: 14_400,
};

/// A fax machine that answers on the first ring.
pub(crate) fn fax_machine() -> impl FnOnce(Instant) -> ScriptedParty {
    |start| {
        ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(ANSWER_FAX)
            .build(start)
    }
}

/// A data modem that answers on ring `rings` and echoes what it receives.
pub(crate) fn echo_modem(rings: u32) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| {
        ScriptedParty::builder()
            .answer_after_rings(rings)
            .carrier(ANSWER_DATA)
            .echo()
            .build(start)
    }
}

/// A data modem that answers on the first ring and hangs up `after` the answer.
pub(crate) fn hangs_up_after(after: Duration) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| {
        ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(ANSWER_DATA)
            .hang_up_after(after)
            .build(start)
    }
}

/// A line that is busy (off hook).
pub(crate) fn busy() -> impl FnOnce(Instant) -> ScriptedParty {
    |start| ScriptedParty::builder().busy().build(start)
}

/// A person who answers on the first ring and keys digits on the telephone's keypad: each
/// `(seconds after the answer, key)` a DTMF tone of 100 ms.
pub(crate) fn keys_digits(keys: &'static [(u64, char)]) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| {
        let mut script = ScriptedParty::builder().answer_after_rings(1);
        for &(secs, digit) in keys {
            script = script.after_answer(
                Duration::from_secs(secs),
                tsp_sim::far_end::Step::Voice(tsp_sim::line::VoiceSignal::Dtmf {
                    digit,
                    duration: Duration::from_millis(100),
                }),
            );
        }
        script.build(start)
    }
}

/// A line that rings and rings.
pub(crate) fn never_answers() -> impl FnOnce(Instant) -> ScriptedParty {
    |start| ScriptedParty::builder().never_answer().build(start)
}

/// A data modem that calls our line after `delay`.
pub(crate) fn calls_us_with_data(delay: Duration) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| {
        ScriptedParty::builder()
            .carrier(ORIGINATE_DATA)
            .echo()
            .call_at(delay, OUR_NUMBER)
            .build(start)
    }
}

/// A voice caller (no carrier) that calls our line after `delay` and stays on through anything.
pub(crate) fn calls_us(delay: Duration) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| {
        ScriptedParty::builder()
            .survive_line_disturbance()
            .call_at(delay, OUR_NUMBER)
            .build(start)
    }
}

//! Between the Rust API and the wire: errors as gRPC statuses with the `LINEERR_*` code, and every
//! message both ways. Numbers keep `tapi.h`'s values; bits a type does not define are refused
//! where they would be meaningful (`LINEERR_INVAL*`), never a panic.

use prost::Message;
use tonic::{Code, Status};

use crate::TapiErr;
use crate::error::{Error, LineErr};
use crate::host::{AppCallInfo, AppCallStatus, AppEvent, AppLineStatus, Call, Line, Snapshot};
use crate::spi::{
    AddressCaps, AddressId, CallParams, CallStateChange, DeviceId, GenerateTerm, LineDevCaps,
    PartyId,
};
use crate::types::*;

use super::proto;

/// Metadata key carrying the `LINEERR_*` value in hex.
pub const LINEERR_KEY: &str = "tsp-lineerr";
/// Metadata key carrying the `LINEERR_*` name.
pub const LINEERR_NAME_KEY: &str = "tsp-lineerr-name";
/// Metadata key carrying a `TAPIERR_*` value (Assisted Telephony).
pub const TAPIERR_KEY: &str = "tsp-tapierr";

fn code_for(kind: LineErr) -> Code {
    use LineErr::*;
    match kind {
        BadDeviceId | NoDevice | InvalLineHandle | InvalCallHandle | InvalAppHandle => {
            Code::NotFound
        }
        InvalCallState | InvalLineState | Reinit | NotOwner | NotRegistered | NoRequest
        | Uninitialized | TargetSelf | TargetNotFound => Code::FailedPrecondition,
        OperationUnavail => Code::Unimplemented,
        ResourceUnavail | RequestOverrun | NoMem => Code::ResourceExhausted,
        Allocated | InUse | CallUnavail => Code::Unavailable,
        OperationFailed | NoDriver | IniFileCorrupt => Code::Internal,
        _ => Code::InvalidArgument,
    }
}

/// A tsp error as a gRPC status: the code and name in metadata, the whole error in the details.
pub fn status_of(error: &Error) -> Status {
    let kind = error.kind();
    let detail = proto::LineError {
        code: kind.code(),
        name: kind.name().to_owned(),
        operation: error.operation_name().unwrap_or_default().to_owned(),
        device: error.device_name().unwrap_or_default().to_owned(),
        detail: error.detail_text().unwrap_or_default().to_owned(),
    };
    let mut status = Status::with_details(
        code_for(kind),
        error.to_string(),
        detail.encode_to_vec().into(),
    );
    mark(&mut status, kind);
    status
}

/// Adds the `tsp-lineerr` metadata to a status.
pub(crate) fn mark(status: &mut Status, kind: LineErr) {
    if let Ok(v) = format!("{:#010X}", kind.code()).replace("0X", "0x").parse() {
        status.metadata_mut().insert(LINEERR_KEY, v);
    }
    if let Ok(v) = kind.name().parse() {
        status.metadata_mut().insert(LINEERR_NAME_KEY, v);
    }
}

/// A `TAPIERR_*` as a status.
pub fn status_of_tapi(error: TapiErr) -> Status {
    let code = match error {
        TapiErr::NoRequestRecipient => Code::FailedPrecondition,
        TapiErr::RequestQueueFull => Code::ResourceExhausted,
        _ => Code::InvalidArgument,
    };
    let mut status = Status::new(code, error.to_string());
    if let Ok(v) = error.code().to_string().parse() {
        status.metadata_mut().insert(TAPIERR_KEY, v);
    }
    status
}

/// The `LINEERR_*` code a status carries, if any.
pub fn lineerr_of(status: &Status) -> Option<LineErr> {
    let text = status.metadata().get(LINEERR_KEY)?.to_str().ok()?;
    let hex = text.trim_start_matches("0x").trim_start_matches("0X");
    LineErr::from_code(u32::from_str_radix(hex, 16).ok()?)
}

/// A status back into a tsp error: the details when the server sent them; otherwise the
/// `tsp-lineerr` metadata; otherwise a transport failure as `OPERATIONFAILED`, naming `server`.
pub fn error_of(status: &Status, operation: &'static str, server: &str) -> Error {
    if let Ok(detail) = proto::LineError::decode(status.details())
        && let Some(kind) = LineErr::from_code(detail.code)
    {
        let mut error = Error::new(kind);
        if !detail.operation.is_empty() {
            error = error.operation(detail.operation);
        }
        if !detail.device.is_empty() {
            error = error.device(detail.device);
        }
        if !detail.detail.is_empty() {
            error = error.detail(detail.detail);
        }
        return error;
    }
    if let Some(kind) = lineerr_of(status) {
        return Error::new(kind)
            .operation(operation)
            .detail(status.message().to_owned());
    }
    let why = match status.code() {
        Code::Unavailable => format!(
            "the server at {server} is not reachable: {}",
            status.message()
        ),
        Code::PermissionDenied => format!(
            "the server at {server} refused this user: {}",
            status.message()
        ),
        _ => format!("{} ({:?})", status.message(), status.code()),
    };
    Error::new(LineErr::OperationFailed)
        .operation(operation)
        .detail(why)
}

/// A `TAPIERR_*` status back, or `None` if the status is not one.
pub fn tapierr_of(status: &Status) -> Option<TapiErr> {
    let text = status.metadata().get(TAPIERR_KEY)?.to_str().ok()?;
    TapiErr::from_code(text.parse().ok()?)
}

fn bad(kind: LineErr, operation: &'static str, what: String) -> Error {
    Error::new(kind).operation(operation).detail(what)
}

/// Flag bits the type defines, or `kind`.
pub(crate) fn flags<F: bitflags::Flags<Bits = u32>>(
    bits: u32,
    kind: LineErr,
    operation: &'static str,
    what: &str,
) -> Result<F, Error> {
    F::from_bits(bits).ok_or_else(|| {
        bad(
            kind,
            operation,
            format!("{what} {bits:#x} has undefined bits"),
        )
    })
}

/// Flag bits, keeping only defined ones (for values that only inform).
pub(crate) fn lossy<F: bitflags::Flags<Bits = u32>>(bits: u32) -> F {
    F::from_bits_truncate(bits)
}

pub(crate) fn version(bits: u32) -> Version {
    Version::new((bits >> 16) as u16, bits as u16)
}

pub(crate) fn version_bits(v: Version) -> u32 {
    (u32::from(v.major()) << 16) | u32::from(v.minor())
}

pub(crate) fn caps_to_proto(c: LineDevCaps) -> proto::LineDevCaps {
    proto::LineDevCaps {
        provider_info: c.provider_info,
        switch_info: c.switch_info,
        permanent_line_id: c.permanent_line_id,
        line_name: c.line_name,
        num_addresses: c.num_addresses,
        bearer_modes: c.bearer_modes.bits(),
        max_rate: c.max_rate,
        media_modes: c.media_modes.bits(),
        generate_digit_modes: c.generate_digit_modes.bits(),
        monitor_digit_modes: c.monitor_digit_modes.bits(),
        dev_cap_flags: c.dev_cap_flags.bits(),
        max_active_calls: c.max_active_calls,
        answer_mode: c.answer_mode.bits(),
        ring_modes: c.ring_modes,
        line_states: c.line_states.bits(),
        line_features: c.line_features.bits(),
        device_classes: c.device_classes,
    }
}

pub(crate) fn caps_from_proto(c: proto::LineDevCaps) -> LineDevCaps {
    LineDevCaps {
        provider_info: c.provider_info,
        switch_info: c.switch_info,
        permanent_line_id: c.permanent_line_id,
        line_name: c.line_name,
        num_addresses: c.num_addresses,
        bearer_modes: lossy(c.bearer_modes),
        max_rate: c.max_rate,
        media_modes: lossy(c.media_modes),
        generate_digit_modes: lossy(c.generate_digit_modes),
        monitor_digit_modes: lossy(c.monitor_digit_modes),
        dev_cap_flags: lossy(c.dev_cap_flags),
        max_active_calls: c.max_active_calls,
        answer_mode: lossy(c.answer_mode),
        ring_modes: c.ring_modes,
        line_states: lossy(c.line_states),
        line_features: lossy(c.line_features),
        device_classes: c.device_classes,
    }
}

pub(crate) fn address_caps_to_proto(c: AddressCaps) -> proto::AddressCaps {
    proto::AddressCaps {
        address: c.address,
        address_states: c.address_states.bits(),
        call_info_states: c.call_info_states.bits(),
        caller_id_flags: c.caller_id_flags.bits(),
        call_states: c.call_states.bits(),
        dial_tone_modes: c.dial_tone_modes.bits(),
        busy_modes: c.busy_modes.bits(),
        special_info: c.special_info.bits(),
        disconnect_modes: c.disconnect_modes.bits(),
        max_active_calls: c.max_active_calls,
        addr_cap_flags: c.addr_cap_flags.bits(),
        call_features: c.call_features.bits(),
    }
}

pub(crate) fn address_caps_from_proto(c: proto::AddressCaps) -> AddressCaps {
    AddressCaps {
        address: c.address,
        address_states: lossy(c.address_states),
        call_info_states: lossy(c.call_info_states),
        caller_id_flags: lossy(c.caller_id_flags),
        call_states: lossy(c.call_states),
        dial_tone_modes: lossy(c.dial_tone_modes),
        busy_modes: lossy(c.busy_modes),
        special_info: lossy(c.special_info),
        disconnect_modes: lossy(c.disconnect_modes),
        max_active_calls: c.max_active_calls,
        addr_cap_flags: lossy(c.addr_cap_flags),
        call_features: lossy(c.call_features),
    }
}

pub(crate) fn params_to_proto(p: &CallParams) -> proto::CallParams {
    proto::CallParams {
        bearer_mode: p.bearer_mode.bits(),
        min_rate: p.min_rate,
        max_rate: p.max_rate,
        media_mode: p.media_mode.bits(),
        flags: p.flags.bits(),
        address: p.address.0,
        orig_address: p.orig_address.clone().unwrap_or_default(),
        called_party: p.called_party.clone().unwrap_or_default(),
        comment: p.comment.clone().unwrap_or_default(),
    }
}

pub(crate) fn params_from_proto(p: Option<proto::CallParams>) -> Result<CallParams, Error> {
    const OP: &str = "make_call";
    let Some(p) = p else {
        return Ok(CallParams::default());
    };
    let text = |s: String| (!s.is_empty()).then_some(s);
    Ok(CallParams {
        bearer_mode: flags(p.bearer_mode, LineErr::InvalBearerMode, OP, "bearer mode")?,
        min_rate: p.min_rate,
        max_rate: p.max_rate,
        media_mode: flags(p.media_mode, LineErr::InvalMediaMode, OP, "media mode")?,
        flags: flags(p.flags, LineErr::InvalCallParams, OP, "call-param flags")?,
        address: AddressId(p.address),
        dial_params: Default::default(),
        orig_address: text(p.orig_address),
        called_party: text(p.called_party),
        comment: text(p.comment),
    })
}

fn party_to_proto(p: PartyId) -> proto::PartyId {
    proto::PartyId {
        flags: p.flags.bits(),
        number: p.number,
        name: p.name,
    }
}

fn party_from_proto(p: Option<proto::PartyId>) -> PartyId {
    let p = p.unwrap_or_default();
    PartyId {
        flags: lossy(p.flags),
        number: p.number,
        name: p.name,
    }
}

pub(crate) fn call_info_to_proto(i: AppCallInfo) -> proto::CallInfoReply {
    let info = i.info;
    proto::CallInfoReply {
        line: i.line.0,
        line_device: info.line_device.0,
        address: info.address.0,
        bearer_mode: info.bearer_mode.bits(),
        rate: info.rate,
        media_mode: info.media_mode.bits(),
        app_specific: info.app_specific,
        call_id: info.call_id,
        call_param_flags: info.call_param_flags.bits(),
        call_states: info.call_states.bits(),
        monitor_digit_modes: info.monitor_digit_modes.bits(),
        origin: info.origin.bits(),
        reason: info.reason.bits(),
        country_code: info.country_code,
        caller_id: Some(party_to_proto(info.caller_id)),
        called_id: Some(party_to_proto(info.called_id)),
        connected_id: Some(party_to_proto(info.connected_id)),
        dialed: info.dialed,
        num_owners: i.num_owners,
        num_monitors: i.num_monitors,
        origin_app: i.origin_app,
    }
}

pub(crate) fn call_info_from_proto(r: proto::CallInfoReply) -> AppCallInfo {
    let mut info = crate::spi::CallInfo::new(
        DeviceId(r.line_device),
        lossy(r.origin),
        lossy(r.media_mode),
    );
    info.address = AddressId(r.address);
    info.bearer_mode = lossy(r.bearer_mode);
    info.rate = r.rate;
    info.app_specific = r.app_specific;
    info.call_id = r.call_id;
    info.call_param_flags = lossy(r.call_param_flags);
    info.call_states = lossy(r.call_states);
    info.monitor_digit_modes = lossy(r.monitor_digit_modes);
    info.reason = lossy(r.reason);
    info.country_code = r.country_code;
    info.caller_id = party_from_proto(r.caller_id);
    info.called_id = party_from_proto(r.called_id);
    info.connected_id = party_from_proto(r.connected_id);
    info.dialed = r.dialed;
    AppCallInfo {
        info,
        line: Line(r.line),
        num_owners: r.num_owners,
        num_monitors: r.num_monitors,
        origin_app: r.origin_app,
    }
}

/// A call state and its mode from their `tapi.h` bits (an unknown combination: UNKNOWN).
pub(crate) fn state_from_bits(state: u32, mode: u32) -> CallStateChange {
    let Some(state) = CallState::from_bits(state) else {
        return CallStateChange::Unknown;
    };
    match state {
        CallState::Idle => CallStateChange::Idle,
        CallState::Offering => CallStateChange::Offering(lossy(mode)),
        CallState::Accepted => CallStateChange::Accepted,
        CallState::DialTone => CallStateChange::DialTone(lossy(mode)),
        CallState::Dialing => CallStateChange::Dialing,
        CallState::Ringback => CallStateChange::Ringback,
        CallState::Busy => CallStateChange::Busy(lossy(mode)),
        CallState::SpecialInfo => CallStateChange::SpecialInfo(lossy(mode)),
        CallState::Connected => CallStateChange::Connected(lossy(mode)),
        CallState::Proceeding => CallStateChange::Proceeding,
        CallState::OnHold => CallStateChange::OnHold,
        CallState::Conferenced => CallStateChange::Conferenced,
        CallState::OnHoldPendConf => CallStateChange::OnHoldPendConf,
        CallState::OnHoldPendTransfer => CallStateChange::OnHoldPendTransfer,
        CallState::Disconnected => CallStateChange::Disconnected(lossy(mode)),
        CallState::Unknown => CallStateChange::Unknown,
    }
}

pub(crate) fn call_status_to_proto(s: AppCallStatus) -> proto::CallStatusReply {
    proto::CallStatusReply {
        state: s.status.state.state().bits(),
        state_mode: s.status.state.mode_bits(),
        features: s.status.features.bits(),
        privilege: s.privilege.bits(),
    }
}

pub(crate) fn call_status_from_proto(r: proto::CallStatusReply) -> AppCallStatus {
    AppCallStatus {
        status: crate::spi::CallStatus {
            state: state_from_bits(r.state, r.state_mode),
            features: lossy(r.features),
        },
        privilege: lossy(r.privilege),
    }
}

pub(crate) fn line_status_to_proto(s: AppLineStatus) -> proto::LineStatus {
    proto::LineStatus {
        num_active_calls: s.status.num_active_calls,
        num_on_hold_calls: s.status.num_on_hold_calls,
        line_features: s.status.line_features.bits(),
        ring_mode: s.status.ring_mode,
        connected: s.status.connected,
        in_service: s.status.in_service,
        num_opens: s.num_opens,
        open_media_modes: s.open_media_modes.bits(),
    }
}

pub(crate) fn line_status_from_proto(s: proto::LineStatus) -> AppLineStatus {
    AppLineStatus {
        status: crate::spi::LineDevStatus {
            num_active_calls: s.num_active_calls,
            num_on_hold_calls: s.num_on_hold_calls,
            line_features: lossy(s.line_features),
            ring_mode: s.ring_mode,
            connected: s.connected,
            in_service: s.in_service,
        },
        num_opens: s.num_opens,
        open_media_modes: lossy(s.open_media_modes),
    }
}

fn error_to_proto(e: &Error) -> proto::LineError {
    proto::LineError {
        code: e.kind().code(),
        name: e.kind().name().to_owned(),
        operation: e.operation_name().unwrap_or_default().to_owned(),
        device: e.device_name().unwrap_or_default().to_owned(),
        detail: e.detail_text().unwrap_or_default().to_owned(),
    }
}

fn error_from_proto(e: proto::LineError) -> Error {
    let mut error = Error::new(LineErr::from_code(e.code).unwrap_or(LineErr::OperationFailed));
    if !e.operation.is_empty() {
        error = error.operation(e.operation);
    }
    if !e.device.is_empty() {
        error = error.device(e.device);
    }
    if !e.detail.is_empty() {
        error = error.detail(e.detail);
    }
    error
}

pub(crate) fn event_to_proto(e: AppEvent) -> proto::Event {
    use proto::event::Event as E;
    let event = match e {
        AppEvent::Reply { request, result } => E::Reply(proto::Reply {
            request: request.get(),
            error: result.err().as_ref().map(error_to_proto),
        }),
        AppEvent::NewCall {
            line,
            call,
            address,
            privilege,
        } => E::NewCall(proto::NewCall {
            line: line.0,
            call: call.0,
            address: address.0,
            privilege: privilege.bits(),
        }),
        AppEvent::CallState {
            line,
            call,
            state,
            media,
            privilege,
        } => E::CallState(proto::CallState {
            line: line.0,
            call: call.0,
            state: state.state().bits(),
            mode: state.mode_bits(),
            media: media.bits(),
            privilege: privilege.map_or(0, |p| p.bits()),
        }),
        AppEvent::CallInfo {
            line,
            call,
            changed,
        } => E::CallInfo(proto::CallInfoChange {
            line: line.0,
            call: call.0,
            changed: changed.bits(),
        }),
        AppEvent::LineDevState {
            line,
            states,
            p2,
            p3,
        } => E::LineDevState(proto::LineDevState {
            line: line.map(|l| l.0),
            states: states.bits(),
            p2,
            p3,
        }),
        AppEvent::AddressState {
            line,
            address,
            states,
        } => E::AddressState(proto::AddressState {
            line: line.0,
            address: address.0,
            states: states.bits(),
        }),
        AppEvent::MonitorDigits {
            line,
            call,
            digit,
            mode,
        } => E::MonitorDigits(proto::MonitorDigits {
            line: line.0,
            call: call.0,
            digit: digit.to_string(),
            mode: mode.bits(),
        }),
        AppEvent::Generate { line, call, term } => E::Generate(proto::Generate {
            line: line.0,
            call: call.0,
            term: term as u32,
        }),
        AppEvent::MonitorMedia { line, call, mode } => E::MonitorMedia(proto::MonitorMedia {
            line: line.0,
            call: call.0,
            mode: mode.bits(),
        }),
        AppEvent::DevSpecific { line, p1, p2, p3 } => E::DevSpecific(proto::DevSpecific {
            line: line.0,
            p1,
            p2,
            p3,
        }),
        AppEvent::Close { line } => E::Close(proto::LineRef {
            app: 0,
            line: line.0,
        }),
        AppEvent::Remove { device } => E::Remove(proto::Remove { device }),
        AppEvent::Request { mode } => E::Request(proto::Request { mode: mode.bits() }),
        AppEvent::EventsLost { count } => E::EventsLost(proto::EventsLost { count }),
    };
    proto::Event {
        event: Some(event),
        sink_unix_ns: 0,
    }
}

/// The wall-clock moment, in nanoseconds since the Unix epoch, of `at` (a monotonic instant in
/// the past).
pub(crate) fn unix_ns(at: std::time::Instant) -> u64 {
    let then = std::time::SystemTime::now()
        .checked_sub(at.elapsed())
        .unwrap_or(std::time::UNIX_EPOCH);
    then.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// How long ago `unix_ns` was (0 when the clock went backwards).
pub(crate) fn since_unix_ns(unix_ns: u64) -> std::time::Duration {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.saturating_sub(std::time::Duration::from_nanos(unix_ns))
}

/// An event from the wire; `None` for an empty or unknown one (a newer server).
pub(crate) fn event_from_proto(e: proto::Event) -> Option<AppEvent> {
    use proto::event::Event as E;
    Some(match e.event? {
        E::Reply(r) => AppEvent::Reply {
            request: crate::spi::RequestId::new(r.request)?,
            result: match r.error {
                Some(e) => Err(error_from_proto(e)),
                None => Ok(()),
            },
        },
        E::NewCall(n) => AppEvent::NewCall {
            line: Line(n.line),
            call: Call(n.call),
            address: AddressId(n.address),
            privilege: lossy(n.privilege),
        },
        E::CallState(s) => AppEvent::CallState {
            line: Line(s.line),
            call: Call(s.call),
            state: state_from_bits(s.state, s.mode),
            media: lossy(s.media),
            privilege: (s.privilege != 0).then(|| lossy(s.privilege)),
        },
        E::CallInfo(c) => AppEvent::CallInfo {
            line: Line(c.line),
            call: Call(c.call),
            changed: lossy(c.changed),
        },
        E::LineDevState(s) => AppEvent::LineDevState {
            line: s.line.map(Line),
            states: lossy(s.states),
            p2: s.p2,
            p3: s.p3,
        },
        E::AddressState(s) => AppEvent::AddressState {
            line: Line(s.line),
            address: AddressId(s.address),
            states: lossy(s.states),
        },
        E::MonitorDigits(d) => AppEvent::MonitorDigits {
            line: Line(d.line),
            call: Call(d.call),
            digit: d.digit.chars().next()?,
            mode: lossy(d.mode),
        },
        E::Generate(g) => AppEvent::Generate {
            line: Line(g.line),
            call: Call(g.call),
            term: if g.term == GenerateTerm::Cancel as u32 {
                GenerateTerm::Cancel
            } else {
                GenerateTerm::Done
            },
        },
        E::MonitorMedia(m) => AppEvent::MonitorMedia {
            line: Line(m.line),
            call: Call(m.call),
            mode: lossy(m.mode),
        },
        E::DevSpecific(d) => AppEvent::DevSpecific {
            line: Line(d.line),
            p1: d.p1,
            p2: d.p2,
            p3: d.p3,
        },
        E::Close(c) => AppEvent::Close { line: Line(c.line) },
        E::Remove(r) => AppEvent::Remove { device: r.device },
        E::Request(r) => AppEvent::Request {
            mode: lossy(r.mode),
        },
        E::EventsLost(l) => AppEvent::EventsLost { count: l.count },
    })
}

pub(crate) fn assisted_to_proto(a: &crate::host::AssistedMakeCall) -> proto::AssistedMakeCall {
    proto::AssistedMakeCall {
        dest: a.dest.clone(),
        app_name: a.app_name.clone(),
        called_party: a.called_party.clone(),
        comment: a.comment.clone(),
    }
}

pub(crate) fn assisted_from_proto(a: proto::AssistedMakeCall) -> crate::host::AssistedMakeCall {
    crate::host::AssistedMakeCall {
        dest: a.dest,
        app_name: a.app_name,
        called_party: a.called_party,
        comment: a.comment,
    }
}

pub(crate) fn snapshot_to_proto(s: Snapshot) -> proto::Snapshot {
    proto::Snapshot {
        reinit_pending: s.reinit_pending,
        providers: s
            .providers
            .into_iter()
            .map(|p| proto::ProviderView {
                name: p.name,
                version: p.version,
                devices: p.devices,
                violations: p.violations,
            })
            .collect(),
        lines: s
            .lines
            .into_iter()
            .map(|l| proto::LineView {
                device: l.device,
                provider: l.provider,
                name: l.name,
                removed: l.removed,
                open: l.open,
                opens: l
                    .opens
                    .into_iter()
                    .map(|o| proto::OpenView {
                        app: o.app,
                        app_name: o.app_name,
                        line: o.line,
                        privileges: o.privileges,
                        media_modes: o.media_modes,
                        version: o.version,
                    })
                    .collect(),
                media_modes: l.media_modes,
                status_messages: l.status_messages,
                calls: l.calls,
                provider_operations: l.provider_operations.into_iter().collect(),
            })
            .collect(),
        apps: s
            .apps
            .into_iter()
            .map(|a| proto::AppView {
                app: a.app,
                name: a.name,
                pid: a.pid,
                uid: a.uid,
                lines: a.lines,
                calls: a.calls,
                pending_requests: a.pending_requests,
                queued_events: a.queued_events,
                events_lost: a.events_lost,
                request_recipient: a.request_recipient,
            })
            .collect(),
        calls: s
            .calls
            .into_iter()
            .map(|c| proto::CallView {
                device: c.device,
                call: c.call,
                state: c.state,
                media_modes: c.media_modes,
                origin_app: c.origin_app,
                owners: c.owners.into_iter().map(holder_to_proto).collect(),
                monitors: c.monitors.into_iter().map(holder_to_proto).collect(),
                dropped_by_host: c.dropped_by_host,
            })
            .collect(),
        pending_requests: s
            .pending_requests
            .into_iter()
            .map(|r| proto::RequestView {
                request: r.request,
                app: r.app,
                app_name: r.app_name,
                operation: r.operation,
                device: r.device,
            })
            .collect(),
        request_recipients: s
            .request_recipients
            .into_iter()
            .map(|r| proto::RecipientView {
                app: r.app,
                app_name: r.app_name,
                priority: r.priority,
                modes: r.modes,
            })
            .collect(),
        assisted_queue: s
            .assisted_queue
            .into_iter()
            .map(|a| proto::AssistedMakeCall {
                dest: a.dest,
                app_name: a.app_name,
                called_party: a.called_party,
                comment: a.comment,
            })
            .collect(),
        tables: Some(proto::HostTables {
            apps: s.tables.apps,
            opens: s.tables.opens,
            provider_lines: s.tables.provider_lines,
            calls: s.tables.calls,
            call_handles: s.tables.call_handles,
            provider_requests: s.tables.provider_requests,
            app_request_ids: s.tables.app_request_ids,
            digit_generations: s.tables.digit_generations,
            queued_operations: s.tables.queued_operations,
        }),
    }
}

fn holder_to_proto(h: crate::host::HolderView) -> proto::HolderView {
    proto::HolderView {
        app: h.app,
        app_name: h.app_name,
        call: h.call,
    }
}

fn holder_from_proto(h: proto::HolderView) -> crate::host::HolderView {
    crate::host::HolderView {
        app: h.app,
        app_name: h.app_name,
        call: h.call,
    }
}

pub(crate) fn snapshot_from_proto(s: proto::Snapshot) -> Snapshot {
    use crate::host::*;
    Snapshot {
        reinit_pending: s.reinit_pending,
        providers: s
            .providers
            .into_iter()
            .map(|p| ProviderView {
                name: p.name,
                version: p.version,
                devices: p.devices,
                violations: p.violations,
            })
            .collect(),
        lines: s
            .lines
            .into_iter()
            .map(|l| LineView {
                device: l.device,
                provider: l.provider,
                name: l.name,
                removed: l.removed,
                open: l.open,
                opens: l
                    .opens
                    .into_iter()
                    .map(|o| OpenView {
                        app: o.app,
                        app_name: o.app_name,
                        line: o.line,
                        privileges: o.privileges,
                        media_modes: o.media_modes,
                        version: o.version,
                    })
                    .collect(),
                media_modes: l.media_modes,
                status_messages: l.status_messages,
                calls: l.calls,
                provider_operations: l.provider_operations.into_iter().collect(),
            })
            .collect(),
        apps: s
            .apps
            .into_iter()
            .map(|a| AppView {
                app: a.app,
                name: a.name,
                pid: a.pid,
                uid: a.uid,
                lines: a.lines,
                calls: a.calls,
                pending_requests: a.pending_requests,
                queued_events: a.queued_events,
                events_lost: a.events_lost,
                request_recipient: a.request_recipient,
            })
            .collect(),
        calls: s
            .calls
            .into_iter()
            .map(|c| CallView {
                device: c.device,
                call: c.call,
                state: c.state,
                media_modes: c.media_modes,
                origin_app: c.origin_app,
                owners: c.owners.into_iter().map(holder_from_proto).collect(),
                monitors: c.monitors.into_iter().map(holder_from_proto).collect(),
                dropped_by_host: c.dropped_by_host,
            })
            .collect(),
        pending_requests: s
            .pending_requests
            .into_iter()
            .map(|r| RequestView {
                request: r.request,
                app: r.app,
                app_name: r.app_name,
                operation: r.operation,
                device: r.device,
            })
            .collect(),
        request_recipients: s
            .request_recipients
            .into_iter()
            .map(|r| RecipientView {
                app: r.app,
                app_name: r.app_name,
                priority: r.priority,
                modes: r.modes,
            })
            .collect(),
        assisted_queue: s
            .assisted_queue
            .into_iter()
            .map(|a| AssistedView {
                dest: a.dest,
                app_name: a.app_name,
                called_party: a.called_party,
                comment: a.comment,
            })
            .collect(),
        tables: s
            .tables
            .map(|t| HostTables {
                apps: t.apps,
                opens: t.opens,
                provider_lines: t.provider_lines,
                calls: t.calls,
                call_handles: t.call_handles,
                provider_requests: t.provider_requests,
                app_request_ids: t.app_request_ids,
                digit_generations: t.digit_generations,
                queued_operations: t.queued_operations,
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;

//! Every event, the snapshot and the errors survive the trip through their protobuf messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::host::{AppEvent, HostTables, LineView, OpenView, Snapshot};
use crate::spi::{GenerateTerm, RequestId};
use crate::types::{
    AddressStates, CallInfoStates, CallPrivilege, DigitModes, LineDevStates, MediaModes,
    RequestModes,
};
use crate::{ConnectedMode, DisconnectMode};

fn round_trip(event: AppEvent) -> AppEvent {
    event_from_proto(event_to_proto(event.clone()))
        .unwrap_or_else(|| panic!("{event:?} did not come back"))
}

/// Events carry no `PartialEq` (their errors carry context); their debug text is compared.
fn same(a: &AppEvent, b: &AppEvent) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn every_event() -> Vec<AppEvent> {
    let request = RequestId::new(7).unwrap();
    vec![
        AppEvent::Reply {
            request,
            result: Ok(()),
        },
        AppEvent::NewCall {
            line: Line(3),
            call: Call(9),
            address: AddressId(0),
            privilege: CallPrivilege::MONITOR,
        },
        AppEvent::CallState {
            line: Line(3),
            call: Call(9),
            state: CallStateChange::Connected(ConnectedMode::ACTIVE),
            media: MediaModes::DATAMODEM,
            privilege: Some(CallPrivilege::OWNER),
        },
        AppEvent::CallState {
            line: Line(3),
            call: Call(9),
            state: CallStateChange::Disconnected(DisconnectMode::BUSY),
            media: MediaModes::DATAMODEM,
            privilege: None,
        },
        AppEvent::CallInfo {
            line: Line(3),
            call: Call(9),
            changed: CallInfoStates::CALLERID | CallInfoStates::NUMOWNERINCR,
        },
        AppEvent::LineDevState {
            line: Some(Line(3)),
            states: LineDevStates::RINGING,
            p2: 1,
            p3: 2,
        },
        AppEvent::LineDevState {
            line: None,
            states: LineDevStates::REINIT,
            p2: 0,
            p3: 0,
        },
        AppEvent::AddressState {
            line: Line(3),
            address: AddressId(0),
            states: AddressStates::INUSEONE,
        },
        AppEvent::MonitorDigits {
            line: Line(3),
            call: Call(9),
            digit: '#',
            mode: DigitModes::DTMF,
        },
        AppEvent::Generate {
            line: Line(3),
            call: Call(9),
            term: GenerateTerm::Cancel,
        },
        AppEvent::MonitorMedia {
            line: Line(3),
            call: Call(9),
            mode: MediaModes::G3FAX,
        },
        AppEvent::DevSpecific {
            line: Line(3),
            p1: 1,
            p2: 2,
            p3: 3,
        },
        AppEvent::Close { line: Line(3) },
        AppEvent::Remove { device: 4 },
        AppEvent::Request {
            mode: RequestModes::MAKECALL,
        },
        AppEvent::EventsLost { count: 12 },
    ]
}

#[test]
fn every_event_comes_back_unchanged_from_its_protobuf_message() {
    for event in every_event() {
        let back = round_trip(event.clone());
        assert!(same(&event, &back), "{event:?} came back as {back:?}");
    }
}

#[test]
fn a_failed_reply_keeps_its_lineerr_operation_device_and_detail() {
    let error = Error::new(LineErr::InvalCallState)
        .operation("answer")
        .device("device 2")
        .detail("the call is IDLE");
    let back = round_trip(AppEvent::Reply {
        request: RequestId::new(1).unwrap(),
        result: Err(error.clone()),
    });
    let AppEvent::Reply {
        result: Err(back), ..
    } = back
    else {
        panic!("{back:?}");
    };
    assert_eq!(back.kind(), LineErr::InvalCallState);
    assert_eq!(back.to_string(), error.to_string());
}

#[test]
fn an_event_message_with_nothing_in_it_is_ignored_not_a_crash() {
    assert!(event_from_proto(proto::Event::default()).is_none());
    // Request id 0 is not a TAPI request id.
    let zero = proto::Event {
        event: Some(proto::event::Event::Reply(proto::Reply {
            request: 0,
            error: None,
        })),
        ..Default::default()
    };
    assert!(event_from_proto(zero).is_none());
}

#[test]
fn the_snapshot_comes_back_unchanged_tables_included() {
    let snapshot = Snapshot {
        reinit_pending: true,
        lines: vec![LineView {
            device: 0,
            provider: "tsp-modem".into(),
            name: "sim line 5550191".into(),
            open: true,
            opens: vec![OpenView {
                app: 1,
                app_name: "dialer".into(),
                line: 2,
                privileges: vec!["OWNER".into()],
                media_modes: vec!["DATAMODEM".into()],
                version: "2.2".into(),
            }],
            media_modes: vec!["DATAMODEM".into()],
            calls: 1,
            provider_operations: [("open".to_owned(), 1)].into_iter().collect(),
            ..LineView::default()
        }],
        tables: HostTables {
            apps: 1,
            opens: 2,
            provider_lines: 3,
            calls: 4,
            call_handles: 5,
            provider_requests: 6,
            app_request_ids: 7,
            digit_generations: 8,
            queued_operations: 9,
        },
        ..Snapshot::default()
    };
    assert_eq!(
        snapshot_from_proto(snapshot_to_proto(snapshot.clone())),
        snapshot
    );
}

#[test]
fn a_snapshot_from_an_older_server_without_tables_reads_as_empty_tables() {
    let mut message = snapshot_to_proto(Snapshot::default());
    message.tables = None;
    assert!(snapshot_from_proto(message).tables.is_empty());
}

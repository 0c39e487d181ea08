//! The event sink's rules, one test per rule (T§1.1, §1.2, §2.2, §4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tsp_sdk::sink::{self, Delivery, EventSink, RequestRecord, SinkHost, Violation};
use tsp_sdk::spi::{CallHandle, CallStateChange, LineEvent, LineHandle, RequestId};
use tsp_sdk::{CallState, ConnectedMode, DisconnectMode, Error, LineErr, MediaModes, OfferingMode};

const LINE: LineHandle = LineHandle(7);

fn req(n: u32) -> RequestId {
    RequestId::new(n).unwrap()
}

fn open() -> (EventSink, SinkHost) {
    let (sink, host) = sink::channel();
    host.line_opened(LINE);
    (sink, host)
}

fn make_call(host: &SinkHost, n: u32) -> (RequestId, CallHandle) {
    let call = host.allocate_call(LINE);
    let request = req(n);
    host.begin_request(
        request,
        RequestRecord {
            operation: "make_call",
            line: LINE,
            call: Some(call),
            creates_call: true,
        },
    );
    (request, call)
}

fn state(sink: &EventSink, call: CallHandle, change: CallStateChange) -> Result<(), Violation> {
    sink.call_state(LINE, call, change, MediaModes::DATAMODEM)
}

fn drain(host: &mut SinkHost) -> Vec<Delivery> {
    std::iter::from_fn(|| host.try_recv()).collect()
}

#[test]
fn a_request_completes_once_and_the_second_completion_is_refused() {
    let (sink, mut host) = open();
    let (request, _) = make_call(&host, 1);
    sink.complete(request, Ok(())).unwrap();
    assert_eq!(
        sink.complete(request, Ok(())),
        Err(Violation::CompletedTwice { request })
    );
    assert_eq!(
        drain(&mut host).len(),
        1,
        "only the first completion reaches the host"
    );
    assert_eq!(
        host.violations(),
        vec![Violation::CompletedTwice { request }]
    );
}

#[test]
fn a_request_that_failed_synchronously_cannot_be_completed() {
    let (sink, host) = open();
    let (request, _) = make_call(&host, 2);
    host.request_refused(request);
    assert_eq!(
        sink.complete(request, Ok(())),
        Err(Violation::CompletedAfterRefusal { request })
    );
}

#[test]
fn a_request_never_issued_cannot_be_completed() {
    let (sink, _host) = open();
    assert_eq!(
        sink.complete(req(99), Ok(())),
        Err(Violation::UnknownRequest { request: req(99) })
    );
}

#[test]
fn a_device_specific_error_outside_its_range_is_refused() {
    let (sink, host) = open();
    let (request, _) = make_call(&host, 3);
    let bad = Error::new(LineErr::DeviceSpecific(0x1234));
    assert_eq!(
        sink.complete(request, Err(bad)),
        Err(Violation::InvalidResult { request })
    );
    assert!(
        sink.complete(
            request,
            Err(Error::new(LineErr::DeviceSpecific(0xC000_0001)))
        )
        .is_ok()
    );
}

#[test]
fn no_event_for_a_pending_call_before_its_completion() {
    let (sink, host) = open();
    let (request, call) = make_call(&host, 4);
    let dialing = state(&sink, call, CallStateChange::Dialing);
    assert_eq!(
        dialing,
        Err(Violation::EventBeforeCompletion { call, request })
    );
    sink.complete(request, Ok(())).unwrap();
    assert!(state(&sink, call, CallStateChange::Dialing).is_ok());
}

#[test]
fn no_event_for_a_call_whose_creation_failed() {
    let (sink, host) = open();
    let (request, call) = make_call(&host, 5);
    sink.complete(request, Err(Error::new(LineErr::CallUnavail)))
        .unwrap();
    assert_eq!(
        state(&sink, call, CallStateChange::Dialing),
        Err(Violation::EventForFailedCall { call })
    );
}

#[test]
fn an_incoming_call_must_be_announced_before_its_first_state() {
    let (sink, mut host) = open();
    let stranger = CallHandle(4242);
    assert_eq!(
        state(
            &sink,
            stranger,
            CallStateChange::Offering(OfferingMode::ACTIVE)
        ),
        Err(Violation::UnknownCall { call: stranger })
    );
    let call = sink.new_call(LINE).unwrap();
    state(&sink, call, CallStateChange::Offering(OfferingMode::ACTIVE)).unwrap();
    let order: Vec<_> = drain(&mut host)
        .into_iter()
        .map(|d| match d {
            Delivery::NewCall { .. } => "new",
            Delivery::Event { .. } => "event",
            Delivery::Completed { .. } => "completed",
            _ => "other",
        })
        .collect();
    assert_eq!(order, ["new", "event"]);
}

#[test]
fn a_call_never_leaves_idle() {
    let (sink, host) = open();
    let call = sink.new_call(LINE).unwrap();
    state(&sink, call, CallStateChange::Offering(OfferingMode::ACTIVE)).unwrap();
    state(&sink, call, CallStateChange::Idle).unwrap();
    assert_eq!(
        state(
            &sink,
            call,
            CallStateChange::Connected(ConnectedMode::ACTIVE)
        ),
        Err(Violation::LeftIdle {
            call,
            to: CallState::Connected
        })
    );
    let (last, all) = host.call_states(call).unwrap();
    assert_eq!(last, Some(CallState::Idle));
    assert!(
        all.has(CallState::Offering) && all.has(CallState::Idle) && !all.has(CallState::Connected)
    );
}

#[test]
fn nothing_is_accepted_on_a_line_after_it_is_closed() {
    let (sink, host) = open();
    let call = sink.new_call(LINE).unwrap();
    host.line_closed(LINE);
    assert_eq!(
        sink.ringing(LINE, 0),
        Err(Violation::AfterLineClose { line: LINE })
    );
    assert_eq!(
        sink.new_call(LINE),
        Err(Violation::AfterLineClose { line: LINE })
    );
    assert_eq!(
        state(&sink, call, CallStateChange::Idle),
        Err(Violation::AfterLineClose { line: LINE })
    );
}

#[test]
fn nothing_is_accepted_for_a_call_after_close_call() {
    let (sink, host) = open();
    let call = sink.new_call(LINE).unwrap();
    host.call_closed(call);
    assert_eq!(
        state(&sink, call, CallStateChange::Idle),
        Err(Violation::AfterCallClose { call })
    );
}

#[test]
fn nothing_is_accepted_after_shutdown() {
    let (sink, host) = open();
    host.shut_down();
    assert_eq!(sink.ringing(LINE, 0), Err(Violation::AfterShutdown));
    assert_eq!(sink.new_call(LINE), Err(Violation::AfterShutdown));
}

#[test]
fn events_on_a_line_never_opened_are_refused() {
    let (sink, _host) = sink::channel();
    assert_eq!(
        sink.ringing(LineHandle(1), 0),
        Err(Violation::LineNotOpen {
            line: LineHandle(1)
        })
    );
}

#[test]
fn a_call_event_on_another_line_is_refused() {
    let (sink, host) = open();
    host.line_opened(LineHandle(8));
    let call = sink.new_call(LINE).unwrap();
    let wrong = sink.call_state(
        LineHandle(8),
        call,
        CallStateChange::Idle,
        MediaModes::DATAMODEM,
    );
    assert_eq!(
        wrong,
        Err(Violation::WrongLine {
            call,
            expected: LINE,
            line: LineHandle(8)
        })
    );
}

#[test]
fn close_completes_what_the_provider_left_pending_and_reports_it() {
    let (sink, mut host) = open();
    let (request, _) = make_call(&host, 6);
    host.line_closed(LINE);
    assert_eq!(
        host.violations(),
        vec![Violation::LeftPending {
            request,
            operation: "make_call",
            during: "close"
        }]
    );
    let delivered = drain(&mut host);
    assert!(matches!(
        delivered.as_slice(),
        [Delivery::Completed { result: Err(e), .. }] if e.kind() == LineErr::OperationFailed
    ));
    assert_eq!(
        sink.complete(request, Ok(())),
        Err(Violation::CompletedTwice { request })
    );
}

#[test]
fn close_call_completes_what_was_pending_on_that_call_only() {
    let (_sink, host) = open();
    let (first, call) = make_call(&host, 10);
    let (second, _) = make_call(&host, 11);
    host.call_closed(call);
    assert_eq!(
        host.violations(),
        vec![Violation::LeftPending {
            request: first,
            operation: "make_call",
            during: "close_call"
        }]
    );
    assert_eq!(
        host.pending_requests()
            .into_iter()
            .map(|(r, _)| r)
            .collect::<Vec<_>>(),
        vec![second]
    );
}

#[test]
fn a_forced_close_with_requests_pending_is_refused() {
    let (sink, host) = open();
    let (request, _) = make_call(&host, 12);
    assert_eq!(
        sink.request_close(LINE),
        Err(Violation::CloseWithPending {
            line: LINE,
            request
        })
    );
    sink.complete(request, Err(Error::new(LineErr::OperationFailed)))
        .unwrap();
    assert!(sink.request_close(LINE).is_ok());
}

#[test]
fn callbacks_from_many_threads_never_interleave_and_arrive_in_order() {
    let (sink, mut host) = open();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let sink = sink.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    sink.event(
                        LINE,
                        LineEvent::DevSpecific {
                            p1: t,
                            p2: i,
                            p3: 0,
                        },
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut last = [None::<u32>; 8];
    let mut count = 0;
    for d in drain(&mut host) {
        let Delivery::Event {
            event: LineEvent::DevSpecific { p1, p2, .. },
            ..
        } = d
        else {
            panic!("unexpected {d:?}")
        };
        let slot = &mut last[p1 as usize];
        assert!(
            slot.is_none_or(|prev| prev < p2),
            "thread {p1}'s events were reordered"
        );
        *slot = Some(p2);
        count += 1;
    }
    assert_eq!(count, 8 * 200);
}

#[test]
fn a_disconnect_then_idle_sequence_is_delivered_in_full() {
    let (sink, mut host) = open();
    let (request, call) = make_call(&host, 13);
    sink.complete(request, Ok(())).unwrap();
    for change in [
        CallStateChange::Dialing,
        CallStateChange::Connected(ConnectedMode::ACTIVE),
        CallStateChange::Disconnected(DisconnectMode::NORMAL),
        CallStateChange::Idle,
    ] {
        state(&sink, call, change).unwrap();
    }
    assert_eq!(drain(&mut host).len(), 5);
    assert!(host.violations().is_empty());
}

#[test]
fn request_ids_are_picked_unique_while_pending_and_wrap_within_the_tapi_range() {
    let (_sink, host) = open();
    let call = host.allocate_call(LINE);
    let record = RequestRecord {
        operation: "drop_call",
        line: LINE,
        call: Some(call),
        creates_call: false,
    };
    let first = host.begin(record);
    let second = host.begin(record);
    assert_ne!(first, second);
    assert!((1..=RequestId::MAX).contains(&second.get()));
    // Occupy the top id: the counter wraps to 1 and skips what is still pending.
    host.begin_request(req(RequestId::MAX), record);
    host.begin_request(req(3), record);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let id = host.begin(record);
        assert!(seen.insert(id));
        assert!(![first, second, req(3), req(RequestId::MAX)].contains(&id));
    }
}

#[test]
fn a_long_run_leaves_only_bounded_tombstones_in_the_sink() {
    let (sink, host) = open();
    for _ in 0..20_000 {
        let call = host.allocate_call(LINE);
        let request = host.begin(RequestRecord {
            operation: "make_call",
            line: LINE,
            call: Some(call),
            creates_call: true,
        });
        sink.complete(request, Ok(())).unwrap();
        state(&sink, call, CallStateChange::Idle).unwrap();
        host.call_closed(call);
    }
    let sizes = host.sizes();
    assert_eq!((sizes.live_calls, sizes.pending_requests), (0, 0));
    assert!(sizes.tombstones <= 3 * 4096, "{sizes:?}");
}

#[test]
fn a_device_removal_is_delivered_whether_or_not_its_line_is_open_but_not_after_shutdown() {
    let (sink, mut host) = sink::channel();
    sink.device_removed(tsp_sdk::spi::DeviceId(3)).unwrap();
    assert!(matches!(
        host.try_recv(),
        Some(Delivery::DeviceRemoved { device }) if device.0 == 3
    ));
    host.shut_down();
    assert_eq!(
        sink.device_removed(tsp_sdk::spi::DeviceId(3)),
        Err(Violation::AfterShutdown)
    );
}

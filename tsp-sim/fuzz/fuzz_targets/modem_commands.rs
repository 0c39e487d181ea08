//! The simulated modem's command interpreter on the network: two modems (profile chosen by the
//! first byte) on two lines of one exchange, fed arbitrary DTE bytes in arbitrary chunks,
//! interleaved with time, DTR changes, carrier loss and line noise. Nothing may panic, every
//! timer the network asks for must move time forward, and a DTR drop followed by `ATZ` must
//! always bring a modem back to `OK` (V.250 6.1.1 and &D2: DTR off hangs up and returns to
//! command state).
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId, Network};

const NUMBERS: [&str; 2] = ["5550100", "5550101"];

fn drain(network: &mut Network, device: DeviceId, out: &mut Vec<u8>) {
    while let Some(bytes) = network.poll_dte_output(device) {
        out.extend_from_slice(&bytes);
        if out.len() > 1 << 16 {
            out.drain(..out.len() - 4096);
        }
    }
}

fn run_until_quiet(network: &mut Network, now: &mut Instant, limit: Duration) {
    let end = *now + limit;
    while let Some(due) = network.poll_timeout() {
        if due > end {
            break;
        }
        let due = due.max(*now);
        network.handle_timeout(due);
        *now = due;
    }
    *now = end;
    network.handle_timeout(end);
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let name = Profile::NAMES[usize::from(flags) % Profile::NAMES.len()];
    let Some(profile) = Profile::by_name(name) else {
        return;
    };
    let t0 = Instant::now();
    let mut now = t0;
    let mut network = Network::builder().seed(u64::from(flags)).build(t0);
    let devices: Vec<DeviceId> = NUMBERS
        .iter()
        .filter_map(|number| {
            let line = network.add_line(LineConfig::new(*number));
            network
                .attach_device(line, SimModem::new(profile.clone()))
                .ok()
        })
        .collect();
    let [a, b] = devices[..] else {
        return;
    };
    let mut out = [Vec::new(), Vec::new()];
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let side = usize::from(op & 1);
        let device = [a, b][side];
        match op >> 5 {
            0..=4 => {
                let n = usize::from((op >> 1) & 0x0f).min(rest.len());
                let _ = network.dte_input(device, &rest[..n], now);
                rest = &rest[n..];
            }
            5 => {
                let step = Duration::from_millis(u64::from((op >> 1) & 0x0f) * 250);
                run_until_quiet(&mut network, &mut now, step);
            }
            6 => {
                let _ = network.set_dtr(device, op & 2 != 0, now);
            }
            _ => {
                if let Some(line) = network.device_line(device) {
                    let _ = if op & 2 == 0 {
                        network.inject_carrier_loss(line, now)
                    } else {
                        network.inject_random_noise(line, usize::from(op & 0x0c), now).map(|_| ())
                    };
                }
            }
        }
        drain(&mut network, a, &mut out[0]);
        drain(&mut network, b, &mut out[1]);
    }
    // Recovery: DTR off and on, then a reset, on each modem.
    for (i, device) in [a, b].into_iter().enumerate() {
        let _ = network.set_dtr(device, false, now);
        run_until_quiet(&mut network, &mut now, Duration::from_secs(2));
        let _ = network.set_dtr(device, true, now);
        run_until_quiet(&mut network, &mut now, Duration::from_secs(2));
        drain(&mut network, device, &mut out[i]);
        out[i].clear();
        let _ = network.dte_input(device, b"\rATZ\r", now);
        run_until_quiet(&mut network, &mut now, Duration::from_secs(5));
        drain(&mut network, device, &mut out[i]);
        let text = String::from_utf8_lossy(&out[i]);
        assert!(
            text.contains("OK") || text.contains("ERROR") || text.contains("\r0\r") || text.contains("4\r"),
            "{name}: modem {i} gave no result to ATZ after a DTR cycle: {text:?}"
        );
    }
});

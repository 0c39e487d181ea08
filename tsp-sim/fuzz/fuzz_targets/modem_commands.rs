//! The simulated modem's command interpreter on the network: two modems (profile chosen by the
//! first byte) on two lines of one exchange, fed arbitrary DTE bytes in arbitrary chunks,
//! interleaved with time, DTR changes, carrier loss and line noise. Nothing may panic, every
//! timer the network asks for must move time forward, and a power cycle must always bring a
//! modem back on hook and out of data mode, taking `ATZ` afterwards without a panic. (What it
//! answers cannot be asserted: the input may have stored `Q1` or another `S3` with `&W`, which
//! a power cycle loads again; the first run of this target, which expected `OK` after a DTR
//! drop, found exactly that in its own invariant.)
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
    // Recovery: a power cycle (factory settings, V.250 6.1.2), then a reset, on each modem.
    for (i, device) in [a, b].into_iter().enumerate() {
        let Some(modem) = network.device_as_mut::<SimModem>(device) else {
            return;
        };
        modem.set_powered(false, now);
        modem.set_powered(true, now);
        network.settle(now);
        run_until_quiet(&mut network, &mut now, Duration::from_secs(2));
        drain(&mut network, device, &mut out[i]);
        out[i].clear();
        let _ = network.dte_input(device, b"ATZ\r", now);
        run_until_quiet(&mut network, &mut now, Duration::from_secs(5));
        drain(&mut network, device, &mut out[i]);
        let back = network
            .device::<SimModem>(device)
            .is_some_and(|m| !m.is_off_hook() && !m.is_online_data());
        assert!(
            back,
            "{name}: modem {i} is off hook or online after a power cycle (it said {:?})",
            String::from_utf8_lossy(&out[i])
        );
    }
});

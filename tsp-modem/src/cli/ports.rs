//! `ports`: the serial ports the OS knows, with what USB says about them, as a table or JSON.

use serde::Serialize;
use serialport::{SerialPortInfo, SerialPortType};

use super::CliError;
use super::output::Output;

/// One port in `tsp-modem ports --json`.
#[derive(Debug, Serialize)]
struct PortReport {
    /// The device path (`/dev/ttyACM0`).
    port: String,
    /// `usb`, `pci`, `bluetooth` or `serial`.
    kind: &'static str,
    /// USB vendor and product ids, 4 hex digits each.
    usb_vid: Option<String>,
    usb_pid: Option<String>,
    manufacturer: Option<String>,
    product: Option<String>,
    serial_number: Option<String>,
}

impl PortReport {
    fn new(port: &SerialPortInfo) -> PortReport {
        let mut report = PortReport {
            port: port.port_name.clone(),
            kind: "serial",
            usb_vid: None,
            usb_pid: None,
            manufacturer: None,
            product: None,
            serial_number: None,
        };
        match &port.port_type {
            SerialPortType::UsbPort(usb) => {
                report.kind = "usb";
                report.usb_vid = Some(format!("{:04x}", usb.vid));
                report.usb_pid = Some(format!("{:04x}", usb.pid));
                report.manufacturer = usb.manufacturer.clone();
                report.product = usb.product.clone();
                report.serial_number = usb.serial_number.clone();
            }
            SerialPortType::PciPort => report.kind = "pci",
            SerialPortType::BluetoothPort => report.kind = "bluetooth",
            SerialPortType::Unknown => {}
        }
        report
    }

    fn words(&self) -> String {
        let mut details = String::new();
        if let (Some(vid), Some(pid)) = (&self.usb_vid, &self.usb_pid) {
            details = format!("USB {vid}:{pid}");
        }
        for (label, value) in [
            ("maker", &self.manufacturer),
            ("product", &self.product),
            ("serial", &self.serial_number),
        ] {
            if let Some(value) = value {
                details.push_str(&format!(" {label}=\"{value}\""));
            }
        }
        format!("{:<22} {:<10} {}", self.port, self.kind, details.trim())
            .trim_end()
            .to_owned()
    }
}

/// Lists serial ports. `serialport` panics where `/sys/class/tty` is missing (containers), so the
/// scan runs behind a panic barrier and that case reads as "no ports".
pub(super) fn run(out: Output) -> Result<(), CliError> {
    let ports = match std::panic::catch_unwind(serialport::available_ports) {
        Ok(Ok(ports)) => ports,
        Ok(Err(e)) => return Err(CliError::step("list serial ports", "this system", e)),
        Err(_) => Vec::new(),
    };
    let reports: Vec<PortReport> = ports.iter().map(PortReport::new).collect();
    if out.json {
        for report in &reports {
            out.json_line(report)?;
        }
        return Ok(());
    }
    if reports.is_empty() {
        println!(
            "no serial ports found (a USB modem shows up as /dev/ttyACM* or /dev/ttyUSB*; try --sim)"
        );
        return Ok(());
    }
    println!("{:<22} {:<10} details", "port", "type");
    for report in &reports {
        println!("{}", report.words());
    }
    Ok(())
}

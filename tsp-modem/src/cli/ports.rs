//! `ports`: the serial ports the OS knows, with what USB says about them.

use serialport::{SerialPortInfo, SerialPortType};

use super::CliError;

/// Lists serial ports. `serialport` panics where `/sys/class/tty` is missing (containers), so the
/// scan runs behind a panic barrier and that case reads as "no ports".
pub(super) fn run() -> Result<(), CliError> {
    let ports = match std::panic::catch_unwind(serialport::available_ports) {
        Ok(Ok(ports)) => ports,
        Ok(Err(e)) => return Err(CliError::step("list serial ports", "this system", e)),
        Err(_) => Vec::new(),
    };
    if ports.is_empty() {
        println!(
            "no serial ports found (a USB modem shows up as /dev/ttyACM* or /dev/ttyUSB*; try --sim)"
        );
        return Ok(());
    }
    println!("{:<22} {:<10} details", "port", "type");
    for port in ports {
        println!("{}", describe(&port));
    }
    Ok(())
}

fn describe(port: &SerialPortInfo) -> String {
    match &port.port_type {
        SerialPortType::UsbPort(usb) => {
            let mut details = format!("USB {:04x}:{:04x}", usb.vid, usb.pid);
            for (label, value) in [
                ("maker", &usb.manufacturer),
                ("product", &usb.product),
                ("serial", &usb.serial_number),
            ] {
                if let Some(value) = value {
                    details.push_str(&format!(" {label}=\"{value}\""));
                }
            }
            format!("{:<22} {:<10} {details}", port.port_name, "usb")
        }
        SerialPortType::PciPort => format!("{:<22} {:<10}", port.port_name, "pci"),
        SerialPortType::BluetoothPort => format!("{:<22} {:<10}", port.port_name, "bluetooth"),
        SerialPortType::Unknown => format!("{:<22} {:<10}", port.port_name, "serial"),
    }
}

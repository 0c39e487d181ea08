//! A real modem on a serial port (`tsp-conformance --device PATH`): the cases that need no second
//! line and no simulated network.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tsp_modem::transport::{
    ControlLines, ModemPort, PortClock, PortOpener, SerialPortOpener, Signals,
};
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::sim::Sim;

use crate::fixture::{Clock, Fixture, FixtureError, LineSpec};

/// The cases a real modem on a real line can run with no far end: identification and init (they
/// run at every open), version and device ids, dial-string and media checks, status messages,
/// and close/reopen.
pub const HARDWARE_CASES: &[&str] = &[
    "lifecycle/negotiate_version/1",
    "lifecycle/device_ids/1",
    "lifecycle/open_once/1",
    "async/sync_failure_never_completes/1",
    "dial_strings/unsupported_modifiers_fail_synchronously/1",
    "dial_strings/bad_characters_are_invalid_addresses/1",
    "make_call/unsupported_media_mode/1",
    "media/unknown_device_class/1",
    "media/detection_rejects_unsupported_modes/1",
    "status/status_messages_reject_undefined_bits/1",
    "close/close_and_reopen_at_once/1",
];

/// The modem provider on a real serial port. The simulated world is built but unused; what the
/// provider writes to the modem is recorded ([`Fixture::device_output`]), so "nothing was sent"
/// is proved from the port, not by waiting.
#[derive(Debug, Clone)]
pub struct HardwareTarget {
    /// The port (`/dev/ttyACM0`).
    pub path: PathBuf,
    /// Serial speed.
    pub baud: u32,
    written: Arc<Mutex<Vec<u8>>>,
}

impl HardwareTarget {
    /// The modem on `path` at `baud` bit/s.
    pub fn new(path: impl Into<PathBuf>, baud: u32) -> HardwareTarget {
        HardwareTarget {
            path: path.into(),
            baud,
            written: Arc::default(),
        }
    }
}

/// Opens the real port and records every byte written to it.
struct Tap {
    inner: SerialPortOpener,
    written: Arc<Mutex<Vec<u8>>>,
}

impl PortOpener for Tap {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>> {
        async move {
            let port = self.inner.open().await?;
            Ok(Box::new(TapPort {
                port,
                written: self.written.clone(),
            }) as Box<dyn ModemPort>)
        }
        .boxed()
    }

    fn name(&self) -> String {
        self.inner.name()
    }

    fn clock(&self) -> PortClock {
        self.inner.clock()
    }
}

struct TapPort {
    port: Box<dyn ModemPort>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for TapPort {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.port).poll_read(cx, buf)
    }
}

impl AsyncWrite for TapPort {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.port).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            let bytes = buf.get(..*n).unwrap_or(buf);
            self.written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(bytes);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.port).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.port).poll_shutdown(cx)
    }
}

impl ControlLines for TapPort {
    fn set_dtr(&mut self, on: bool) -> io::Result<bool> {
        self.port.set_dtr(on)
    }

    fn signals(&mut self) -> io::Result<Option<Signals>> {
        self.port.signals()
    }
}

impl Fixture for HardwareTarget {
    fn name(&self) -> &str {
        "hardware"
    }

    fn clock(&self) -> Clock {
        Clock::Scaled(1.0)
    }

    fn device_output(&self, _sim: &Sim) -> Option<Vec<u8>> {
        Some(
            self.written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }

    /// One modem: one case at a time.
    fn concurrent_cases(&self) -> usize {
        1
    }

    fn attach<'a>(
        &'a self,
        _sim: &'a Sim,
        _line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            self.written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
            let opener = Arc::new(Tap {
                inner: SerialPortOpener::new(self.path.clone(), self.baud),
                written: self.written.clone(),
            });
            let config = ModemLineConfig::new(self.path.display().to_string(), opener);
            Ok(Arc::new(ModemProvider::new(vec![config])) as Arc<dyn ProviderDyn>)
        }
        .boxed()
    }
}

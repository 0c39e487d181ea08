//! The data stream of a connected simulated call: a duplex pipe whose far side feeds the line.

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

use super::line::SharedLine;
use crate::sim::Sim;

/// Buffer of the pipe between the application and the line.
const PIPE_BUFFER: usize = 64 * 1024;

/// Makes the application's stream and starts the task that carries bytes between it and the line.
/// The task ends when the call ends (its sender is dropped) or the application closes the stream.
pub(crate) fn open(
    sim: Sim,
    line: SharedLine,
    from_line: mpsc::UnboundedReceiver<Bytes>,
) -> DuplexStream {
    let (app, ours) = tokio::io::duplex(PIPE_BUFFER);
    tokio::spawn(pump(sim, line, ours, from_line));
    app
}

async fn pump(
    sim: Sim,
    line: SharedLine,
    mut ours: DuplexStream,
    mut from_line: mpsc::UnboundedReceiver<Bytes>,
) {
    let mut buf = vec![0u8; 4096];
    loop {
        tokio::select! {
            incoming = from_line.recv() => match incoming {
                Some(bytes) => {
                    if ours.write_all(&bytes).await.is_err() {
                        return; // the application closed the stream
                    }
                }
                None => return, // the call ended
            },
            outgoing = ours.read(&mut buf) => match outgoing {
                Ok(n) if n > 0 => {
                    let id = {
                        let mut state = line.lock();
                        state.queue_data(Bytes::copy_from_slice(&buf[..n]));
                        state.line
                    };
                    sim.with(|network, now| network.settle_line(id, now));
                }
                _ => return,
            },
        }
    }
}

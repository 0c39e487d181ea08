//! The host served to other processes (TAPISRV's RPC side, T§5): gRPC over a Unix socket.
//!
//! - [`Server`] serves a [`Host`](crate::host::Host) on a socket created owner/group-only, checks
//!   each connection's peer credentials, and shuts an application down when its connection ends
//!   (the client exited or died) — nothing is left behind.
//! - [`Client`] connects; [`RemoteApp`] is an application there, used through
//!   [`LineApp`](crate::host::LineApp) exactly like the in-process [`App`](crate::host::App).
//! - `proto/tsp/v1/telephony.proto` (in this crate) is the public contract: clients in any
//!   language generate their stubs from it. [`proto`] holds the Rust ones. Errors carry the
//!   `LINEERR_*` value in the status metadata (`tsp-lineerr`) and a [`proto::LineError`] in the
//!   details; [`convert::error_of`] reads them back.
//!
//! The protobuf compiler is `protox` (pure Rust): building needs no system `protoc`.

mod client;
pub mod convert;
mod server;
pub mod socket;

pub use client::{Client, RemoteApp};
pub use server::{MAX_MESSAGE, ServeError, Server, default_socket_path};
pub use socket::{Allow, Peer};

/// The generated protobuf messages and gRPC stubs of `proto/tsp/v1/telephony.proto`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("tsp.v1");
}

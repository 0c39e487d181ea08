//! The server's Unix socket: created owner/group-only, never over a live server, with each
//! connection's peer credentials and a notice when the connection ends (so its applications are
//! shut down).

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tonic::transport::server::Connected;

/// The socket file's mode: read and write for the owner and the group only.
pub const SOCKET_MODE: u32 = 0o660;

/// Why the socket could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SocketError {
    /// Another server answers on the path.
    #[error(
        "{0}: another tsp server is already listening there (stop it, or choose another --socket)"
    )]
    InUse(PathBuf),
    /// The path exists and is not a socket.
    #[error("{0}: exists and is not a socket; refusing to replace it")]
    NotASocket(PathBuf),
    /// The file system said no.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SocketError + '_ {
    move |source| SocketError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Binds `path` with mode 0660 and no window in which it is more open: the socket is created in a
/// private directory beside `path`, given its mode, then renamed into place. A stale socket (no
/// server behind it) is replaced; a live one or a non-socket file is refused.
///
/// # Errors
/// [`SocketError`], naming the path.
pub async fn bind(path: &Path) -> Result<UnixListener, SocketError> {
    use std::os::unix::fs::FileTypeExt;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(SocketError::NotASocket(path.to_owned()));
        }
        if UnixStream::connect(path).await.is_ok() {
            return Err(SocketError::InUse(path.to_owned()));
        }
        std::fs::remove_file(path).map_err(io_err(path))?;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = parent.join(format!(".tsp-bind-{}-{}", std::process::id(), next_id()));
    std::fs::create_dir(&staging).map_err(io_err(&staging))?;
    let result = (|| {
        std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(&staging))?;
        let temp = staging.join("s");
        let listener = std::os::unix::net::UnixListener::bind(&temp).map_err(io_err(&temp))?;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(SOCKET_MODE))
            .map_err(io_err(&temp))?;
        std::fs::rename(&temp, path).map_err(io_err(path))?;
        listener.set_nonblocking(true).map_err(io_err(path))?;
        UnixListener::from_std(listener).map_err(io_err(path))
    })();
    let _ = std::fs::remove_dir(&staging);
    result
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Who is on the other end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// The connection, as the server numbers them.
    pub connection: u64,
    /// The peer's process id, if the OS said.
    pub pid: Option<u32>,
    /// Its user id.
    pub uid: Option<u32>,
    /// Its group id.
    pub gid: Option<u32>,
}

/// A connection that tells the server when it ends (dropped by the HTTP/2 stack: the client
/// closed it, or its process died).
pub(crate) struct Tracked {
    inner: UnixStream,
    peer: Peer,
    ended: mpsc::UnboundedSender<u64>,
}

impl Tracked {
    pub(crate) fn new(inner: UnixStream, ended: mpsc::UnboundedSender<u64>) -> Tracked {
        let cred = inner.peer_cred().ok();
        let peer = Peer {
            connection: next_id(),
            pid: cred
                .and_then(|c| c.pid())
                .and_then(|p| u32::try_from(p).ok()),
            uid: cred.map(|c| c.uid()),
            gid: cred.map(|c| c.gid()),
        };
        Tracked { inner, peer, ended }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let _ = self.ended.send(self.peer.connection);
    }
}

impl Connected for Tracked {
    type ConnectInfo = Peer;

    fn connect_info(&self) -> Peer {
        self.peer
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Which users may talk to the server, checked against each connection's peer credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allow {
    /// User ids allowed.
    pub uids: Vec<u32>,
    /// Group ids allowed (a peer whose primary group is one of these).
    pub gids: Vec<u32>,
}

impl Allow {
    /// Only this process's own user (and root).
    pub fn current_user() -> Allow {
        let mut uids = vec![0, current_uid()];
        uids.dedup();
        Allow {
            uids,
            gids: Vec::new(),
        }
    }

    /// Whether the peer may talk to the server.
    pub fn permits(&self, peer: &Peer) -> bool {
        peer.uid.is_some_and(|u| self.uids.contains(&u))
            || peer.gid.is_some_and(|g| self.gids.contains(&g))
    }
}

impl std::fmt::Display for Allow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids = |v: &[u32]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        write!(f, "uids {}; gids {}", ids(&self.uids), ids(&self.gids))
    }
}

/// This process's user id (from `/proc/self`'s owner; no FFI).
pub fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

/// This process's group id (from `/proc/self`'s group).
pub fn current_gid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.gid())
}

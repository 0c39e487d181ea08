//! Application-level handles: TAPI's `hLineApp`, `hLine` and `hCall`. Each names something for one
//! application only; another application's handle is refused (`LINEERR_INVALAPPHANDLE`,
//! `INVALLINEHANDLE`, `INVALCALLHANDLE`) without the provider hearing of it.

use std::fmt;

/// An application's registration with the host (`hLineApp`), from `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(pub u32);

/// An application's open of a line device (`hLine`), from `open_line`. An application may open
/// the same device more than once; each open is its own handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Line(pub u32);

/// An application's handle to a call (`hCall`): from `make_call`, or announced by
/// [`AppEvent::NewCall`](super::AppEvent::NewCall). Two applications holding the same call hold
/// different handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Call(pub u32);

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app {}", self.0)
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hLine {}", self.0)
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hCall {}", self.0)
    }
}

//! Result codes and information text as the DTE sees them under `V`, `Q`, `S3` and `S4`
//! (V.250 5.7, 6.2.4–6.2.6; hayes.md §2, §3).

use super::profile::Profile;

/// A result code (final, intermediate or unsolicited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResultCode {
    /// 0: the line executed.
    Ok,
    /// 1 / vendor codes: a connection; `Some(rate)` prints `CONNECT <rate>`.
    Connect(Option<u32>),
    /// 2: a ring burst.
    Ring,
    /// 3: no connection, or the connection was lost.
    NoCarrier,
    /// 4: the line failed.
    Error,
    /// 6: no dial tone.
    NoDialtone,
    /// 7: busy.
    Busy,
    /// 8: no quiet answer after `@`.
    NoAnswer,
    /// W1 intermediate `CARRIER <line rate>` (verbose only).
    Carrier(u32),
    /// W1 intermediate `PROTOCOL: NONE` (verbose only).
    ProtocolNone,
    /// `+FCERROR` (numeric `+F4`): a Class 1 receive command heard a different modulation from
    /// the one it was set for (T.31 8.3.3–8.3.4).
    FcError,
}

impl ResultCode {
    /// Whether the code ends a command (as opposed to intermediate and unsolicited codes).
    pub(crate) fn is_final(self) -> bool {
        !matches!(
            self,
            Self::Connect(_) | Self::Ring | Self::Carrier(_) | Self::ProtocolNone
        )
    }

    /// The verbose text.
    fn verbose_text(self, profile: &Profile) -> String {
        match self {
            Self::Ok => "OK".into(),
            Self::Connect(None) => "CONNECT".into(),
            Self::Connect(Some(rate)) => format!("CONNECT {rate}"),
            Self::Ring => "RING".into(),
            Self::NoCarrier => "NO CARRIER".into(),
            Self::Error => "ERROR".into(),
            Self::NoDialtone => profile.no_dialtone_text.into(),
            Self::Busy => "BUSY".into(),
            Self::NoAnswer => "NO ANSWER".into(),
            Self::Carrier(rate) => format!("CARRIER {rate}"),
            Self::ProtocolNone => "PROTOCOL: NONE".into(),
            Self::FcError => "+FCERROR".into(),
        }
    }

    /// The numeric code, or `None` for verbose-only intermediates.
    fn numeric(self, profile: &Profile) -> Option<u32> {
        Some(match self {
            Self::Ok => 0,
            Self::Connect(None) => 1,
            Self::Connect(Some(rate)) => profile.numeric_connect_code(rate),
            Self::Ring => 2,
            Self::NoCarrier => 3,
            Self::Error => 4,
            Self::NoDialtone => 6,
            Self::Busy => 7,
            Self::NoAnswer => 8,
            Self::Carrier(_) | Self::ProtocolNone | Self::FcError => return None,
        })
    }
}

/// The settings that shape what goes to the DTE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Framing {
    /// `V1`.
    pub(crate) verbose: bool,
    /// `Q1`.
    pub(crate) quiet: bool,
    /// S3.
    pub(crate) s3: u8,
    /// S4.
    pub(crate) s4: u8,
}

impl Framing {
    /// The bytes of `code`, or `None` when `Q1` suppresses it (or a verbose-only intermediate is
    /// due under `V0`). `header` is false where a profile leaves out the blank line between
    /// information text and the final result.
    pub(crate) fn result(
        &self,
        code: ResultCode,
        profile: &Profile,
        header: bool,
    ) -> Option<Vec<u8>> {
        if self.quiet {
            return None;
        }
        if self.verbose {
            let mut out = Vec::new();
            if header {
                out.extend([self.s3, self.s4]);
            }
            out.extend(code.verbose_text(profile).bytes());
            out.extend([self.s3, self.s4]);
            Some(out)
        } else {
            let mut out = match code {
                // T.31 Table 7: `+FCERROR` is `+F4` in numeric form.
                ResultCode::FcError => b"+F4".to_vec(),
                _ => code.numeric(profile)?.to_string().into_bytes(),
            };
            out.push(self.s3);
            Some(out)
        }
    }

    /// Information text: `<S3><S4>line<S3><S4>…` under `V1`, `line<S3><S4>…` under `V0`. Not
    /// subject to `Q`.
    pub(crate) fn info<S: AsRef<str>>(&self, lines: &[S]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.verbose {
            out.extend([self.s3, self.s4]);
        }
        for line in lines {
            out.extend(line.as_ref().bytes());
            out.extend([self.s3, self.s4]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const V1: Framing = Framing {
        verbose: true,
        quiet: false,
        s3: 13,
        s4: 10,
    };
    const V0: Framing = Framing {
        verbose: false,
        quiet: false,
        s3: 13,
        s4: 10,
    };

    #[test]
    fn verbose_results_are_wrapped_in_cr_lf_and_numeric_ones_end_in_cr_only() {
        let p = Profile::v250();
        assert_eq!(V1.result(ResultCode::Ok, &p, true).unwrap(), b"\r\nOK\r\n");
        assert_eq!(V0.result(ResultCode::Ok, &p, true).unwrap(), b"0\r");
        assert_eq!(V0.result(ResultCode::NoAnswer, &p, true).unwrap(), b"8\r");
        assert_eq!(V1.result(ResultCode::Ok, &p, false).unwrap(), b"OK\r\n");
    }

    #[test]
    fn quiet_suppresses_results_but_not_information_text() {
        let q = Framing { quiet: true, ..V1 };
        assert_eq!(q.result(ResultCode::Ring, &Profile::v250(), true), None);
        assert_eq!(q.info(&["56000"]), b"\r\n56000\r\n");
        assert_eq!(V0.info(&["a", "b"]), b"a\r\nb\r\n");
    }

    #[test]
    fn the_class_1_modulation_error_is_plus_fcerror_or_plus_f4() {
        let p = Profile::v250();
        assert_eq!(
            V1.result(ResultCode::FcError, &p, true).unwrap(),
            b"\r\n+FCERROR\r\n"
        );
        assert_eq!(V0.result(ResultCode::FcError, &p, true).unwrap(), b"+F4\r");
    }

    #[test]
    fn verbose_only_intermediates_vanish_under_v0() {
        let p = Profile::conexant_usb();
        assert_eq!(V0.result(ResultCode::Carrier(33600), &p, true), None);
        assert_eq!(
            V1.result(ResultCode::Carrier(33600), &p, true).unwrap(),
            b"\r\nCARRIER 33600\r\n"
        );
    }
}

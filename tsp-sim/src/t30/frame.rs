//! T.30 HDLC frames as a Class 1 DTE sends and receives them (T.30 5.3.6; T.31 8.3.2):
//! address `0xFF`, control `0x03` (more follow) or `0x13` (final), the facsimile control
//! field (FCF) and its information field (FIF).
//!
//! Octets are as the modem passes them: the first bit on the line is the least significant, so
//! T.30's bit 1 of a field is `0x01` of its first octet. FCF values include the X bit (T.30
//! 5.3.6.1: 1 in frames from the station that received DIS, the caller here).

use std::fmt;

use super::rate::Rate;

/// The HDLC address field of every T.30 frame.
pub(crate) const ADDRESS: u8 = 0xff;
/// The control field of a frame another frame follows.
pub(crate) const CONTROL_MORE: u8 = 0x03;
/// The control field of the last frame of a transmission (the final bit set).
pub(crate) const CONTROL_FINAL: u8 = 0x13;

/// Facsimile control fields (T.30 5.3.6.1, Table 1), X bit 0.
pub mod fcf {
    /// DIS: Digital identification signal: the called terminal's capabilities.
    pub const DIS: u8 = 0x80;
    /// CSI: Called subscriber identification.
    pub const CSI: u8 = 0x40;
    /// NSF: Non-standard facilities.
    pub const NSF: u8 = 0x20;
    /// DTC: Digital transmit command (polling; the DIS with its first bit set).
    pub const DTC: u8 = 0x81;
    /// DCS: Digital command signal: the caller's choice of rate and format.
    pub const DCS: u8 = 0x82;
    /// TSI: Transmitting subscriber identification.
    pub const TSI: u8 = 0x42;
    /// CFR: Confirmation to receive: the training check passed.
    pub const CFR: u8 = 0x84;
    /// FTT: Failure to train: try a lower rate.
    pub const FTT: u8 = 0x44;
    /// EOM: End of message: another document follows, back to phase B.
    pub const EOM: u8 = 0x8e;
    /// MPS: Multipage signal: another page follows.
    pub const MPS: u8 = 0x4e;
    /// EOP: End of procedure: the last page was sent.
    pub const EOP: u8 = 0x2e;
    /// MCF: Message confirmation: the page was received.
    pub const MCF: u8 = 0x8c;
    /// RTP: Retrain positive: received, retrain before the next page.
    pub const RTP: u8 = 0xcc;
    /// RTN: Retrain negative: not received well.
    pub const RTN: u8 = 0x4c;
    /// PIP: Procedure interrupt positive.
    pub const PIP: u8 = 0xac;
    /// PIN: Procedure interrupt negative.
    pub const PIN: u8 = 0x2c;
    /// DCN: Disconnect.
    pub const DCN: u8 = 0xfa;
    /// CRP: Command repeat.
    pub const CRP: u8 = 0x1a;
    /// The X bit.
    pub const X: u8 = 0x01;
}

/// What a frame from the far end was not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer than the three octets of address, control and FCF.
    #[error("a T.30 frame of {0} octets (address, control and FCF take 3)")]
    Short(usize),
    /// The address octet was not `0xFF`.
    #[error("a T.30 frame with address {0:#04x} (T.30 5.3.6 gives 0xFF)")]
    Address(u8),
    /// The control octet was neither `0x03` nor `0x13`.
    #[error("a T.30 frame with control field {0:#04x} (T.30 5.3.6 gives 0x03 or 0x13)")]
    Control(u8),
}

/// One T.30 frame, without its FCS.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The last frame of its transmission (control `0x13`).
    pub last: bool,
    /// The facsimile control field, X bit included.
    pub fcf: u8,
    /// The facsimile information field.
    pub fif: Vec<u8>,
}

impl Frame {
    /// A frame with `fcf` and `fif`.
    pub fn new(fcf: u8, fif: &[u8], last: bool) -> Self {
        Frame {
            last,
            fcf,
            fif: fif.to_vec(),
        }
    }

    /// Reads a frame as a receiving DCE passes it on: address, control, FCF, FIF, and the two
    /// FCS octets T.31 8.3.5 has it append, which are dropped when they check (a modem that
    /// leaves them out loses nothing).
    ///
    /// # Errors
    /// [`FrameError`] for a frame too short or with the wrong address or control field.
    pub fn parse(bytes: &[u8]) -> Result<Frame, FrameError> {
        let body = match bytes.len().checked_sub(2) {
            Some(end) if end >= 3 && crate::modem::fcs(&bytes[..end]) == bytes[end..] => {
                &bytes[..end]
            }
            _ => bytes,
        };
        let [address, control, fcf, fif @ ..] = body else {
            return Err(FrameError::Short(body.len()));
        };
        if *address != ADDRESS {
            return Err(FrameError::Address(*address));
        }
        let last = match *control {
            CONTROL_FINAL => true,
            CONTROL_MORE => false,
            other => return Err(FrameError::Control(other)),
        };
        Ok(Frame {
            last,
            fcf: *fcf,
            fif: fif.to_vec(),
        })
    }

    /// The octets a DTE gives `+FTH=3` for this frame (no FCS: the DCE adds it).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + self.fif.len());
        out.push(ADDRESS);
        out.push(if self.last {
            CONTROL_FINAL
        } else {
            CONTROL_MORE
        });
        out.push(self.fcf);
        out.extend_from_slice(&self.fif);
        out
    }

    /// The FCF without its X bit, except for the initial frames (DIS, CSI, NSF), whose first
    /// bit tells DIS from DTC.
    pub fn kind(&self) -> u8 {
        match self.fcf {
            fcf::DIS | fcf::CSI | fcf::NSF | fcf::DTC => self.fcf,
            other => other & !fcf::X,
        }
    }

    /// The identity a CSI or TSI carries (T.30 5.3.6.2.4: 20 characters, last one first),
    /// trimmed.
    pub fn ident(&self) -> String {
        let text: String = self
            .fif
            .iter()
            .rev()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '?'
                }
            })
            .collect();
        text.trim().to_owned()
    }
}

/// The FIF of a CSI or TSI carrying `ident` (at most 20 characters of digits, `+` and space:
/// anything else becomes a space).
pub fn ident_fif(ident: &str) -> Vec<u8> {
    let mut chars: Vec<u8> = ident
        .bytes()
        .map(|b| {
            if b.is_ascii_digit() || b == b'+' {
                b
            } else {
                b' '
            }
        })
        .take(20)
        .collect();
    chars.resize(20, b' ');
    chars.reverse();
    chars
}

/// A frame's name for logs and errors (`DCS`, `MCF`, `0x7a`).
pub(crate) fn name(kind: u8) -> String {
    let known = match kind {
        fcf::DIS => "DIS",
        fcf::CSI => "CSI",
        fcf::NSF => "NSF",
        fcf::DTC => "DTC",
        fcf::DCS => "DCS",
        fcf::TSI => "TSI",
        fcf::CFR => "CFR",
        fcf::FTT => "FTT",
        fcf::EOM => "EOM",
        fcf::MPS => "MPS",
        fcf::EOP => "EOP",
        fcf::MCF => "MCF",
        fcf::RTP => "RTP",
        fcf::RTN => "RTN",
        fcf::PIP => "PIP",
        fcf::PIN => "PIN",
        fcf::DCN => "DCN",
        fcf::CRP => "CRP",
        other => return format!("{other:#04x}"),
    };
    known.to_owned()
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", name(self.kind()))?;
        if !self.fif.is_empty() {
            write!(f, " {:02x?}", self.fif)?;
        }
        Ok(())
    }
}

/// Minimum scan-line times at standard resolution (T.30 Table 2, bits 21–23 written as bit 21,
/// 22, 23), in milliseconds, by code: the codes a DCS uses first.
const SCAN_TIMES: [(u8, u32); 8] = [
    (0b000, 20),
    (0b001, 40),
    (0b010, 10),
    (0b100, 5),
    (0b111, 0),
    (0b011, 10),
    (0b110, 20),
    (0b101, 40),
];

/// The capabilities a DIS offers, or the choice a DCS makes (T.30 Table 2), as far as a
/// one-dimensional, standard-resolution, A4 session goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// DIS: the rates the receiver can take. DCS: the one chosen (exactly one).
    pub rates: Vec<Rate>,
    /// The minimum time one scan line takes (T.30 bits 21–23), in milliseconds: 0, 5, 10, 20
    /// or 40.
    pub min_scan_ms: u32,
    /// Fine resolution (7.7 lines/mm, bit 15).
    pub fine: bool,
}

impl Capabilities {
    /// Reads the FIF of a DIS (`dcs` false) or DCS (`dcs` true).
    ///
    /// # Errors
    /// [`FrameError::Short`] when the FIF has fewer than the three octets that hold the
    /// rates and the scan-line time.
    pub fn parse(fif: &[u8], dcs: bool) -> Result<Self, FrameError> {
        let [_, b9, b17, ..] = fif else {
            return Err(FrameError::Short(fif.len() + 3));
        };
        let rate_bits = (b9 >> 2) & 0x0f;
        let rates = if dcs {
            Rate::from_dcs_bits(rate_bits).into_iter().collect()
        } else {
            Rate::from_dis_bits(rate_bits)
        };
        // Bits 21–23 in transmission order are 0x10, 0x20, 0x40 of the third octet.
        let code = ((b17 >> 4) & 1) << 2 | ((b17 >> 5) & 1) << 1 | ((b17 >> 6) & 1);
        let min_scan_ms = SCAN_TIMES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(20, |(_, ms)| *ms);
        Ok(Capabilities {
            rates,
            min_scan_ms,
            fine: b9 & 0x40 != 0,
        })
    }

    /// The FIF of a DIS offering these capabilities (`dcs` false), or a DCS choosing them.
    pub fn encode(&self, dcs: bool) -> Vec<u8> {
        let rate_bits = if dcs {
            self.rates.first().map_or(0, |r| r.dcs_bits())
        } else {
            Rate::dis_bits(&self.rates)
        };
        // Bit 10: receiver T.4 operation (in a DCS: the receiver is to work); in a DIS, bit 9
        // too (ready to transmit: no, 0).
        let mut b9 = 0x02 | (rate_bits << 2);
        if self.fine {
            b9 |= 0x40;
        }
        let code = SCAN_TIMES
            .iter()
            .find(|(_, ms)| *ms == self.min_scan_ms)
            .map_or(0, |(c, _)| *c);
        // Bits 17–18 width 1728 (00), bits 19–20 length: unlimited (01: bit 20) in a DIS,
        // A4 (00) in a DCS.
        let length = if dcs { 0 } else { 0x08 };
        let b17 = length | ((code >> 2) & 1) << 4 | ((code >> 1) & 1) << 5 | (code & 1) << 6;
        vec![0x00, b9, b17]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_received_frame_loses_its_checked_fcs_and_keeps_its_fields() {
        let body = [0xff, 0x13, 0x80, 0x00, 0x4e, 0x78];
        let mut wire = body.to_vec();
        wire.extend_from_slice(&crate::modem::fcs(&body));
        let frame = Frame::parse(&wire).unwrap();
        assert!(frame.last);
        assert_eq!(frame.kind(), fcf::DIS);
        assert_eq!(frame.fif, vec![0x00, 0x4e, 0x78]);
        // Without the FCS the same frame reads the same.
        assert_eq!(Frame::parse(&body).unwrap(), frame);
    }

    #[test]
    fn frames_that_are_not_t30_are_refused_by_name() {
        assert_eq!(Frame::parse(&[0xff, 0x13]), Err(FrameError::Short(2)));
        assert_eq!(
            Frame::parse(&[0x7e, 0x13, 0x80]),
            Err(FrameError::Address(0x7e))
        );
        assert_eq!(
            Frame::parse(&[0xff, 0x10, 0x80]),
            Err(FrameError::Control(0x10))
        );
    }

    #[test]
    fn an_identity_goes_last_character_first_padded_to_twenty() {
        let fif = ident_fif("+1 555 0100");
        assert_eq!(fif.len(), 20);
        assert_eq!(
            &fif[9..],
            b"0010 555 1+",
            "padding first, then the identity backwards"
        );
        let frame = Frame::new(fcf::TSI | fcf::X, &fif, false);
        assert_eq!(frame.ident(), "+1 555 0100");
        assert_eq!(frame.kind(), fcf::TSI);
    }

    #[test]
    fn a_dis_and_a_dcs_round_trip_their_rates_and_scan_time() {
        let dis = Capabilities {
            rates: vec![
                Rate::V29_9600,
                Rate::V29_7200,
                Rate::V27_4800,
                Rate::V27_2400,
            ],
            min_scan_ms: 20,
            fine: false,
        };
        let back = Capabilities::parse(&dis.encode(false), false).unwrap();
        assert_eq!(back, dis);
        for rate in Rate::ALL {
            let dcs = Capabilities {
                rates: vec![rate],
                min_scan_ms: 0,
                fine: true,
            };
            assert_eq!(Capabilities::parse(&dcs.encode(true), true).unwrap(), dcs);
        }
    }

    #[test]
    fn frames_that_crossed_two_real_iaxmodems_read_with_their_fcs_checked() {
        // iaxmodem-notes.md: what the receiving spandsp modem passed on, FCS included.
        let dis = Frame::parse(&[0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x00, 0xa4, 0xc7]).unwrap();
        assert_eq!(dis.kind(), fcf::DIS);
        assert_eq!(dis.fif, vec![0x00, 0xce, 0xf4, 0x00]);
        let caps = Capabilities::parse(&dis.fif, false).unwrap();
        assert!(caps.rates.contains(&Rate::V29_9600) && caps.rates.contains(&Rate::V27_4800));
        assert!(!caps.rates.contains(&Rate::V17_14400));
        assert_eq!(caps.min_scan_ms, 0);
        assert!(caps.fine);
        let dcs = Frame::parse(&[0xff, 0x13, 0x83, 0x00, 0xc6, 0x74, 0x00, 0x66, 0x90]).unwrap();
        assert_eq!(dcs.kind(), fcf::DCS);
        assert_eq!(dcs.fif.len(), 4, "the FCS went, the FIF stayed");
    }
}

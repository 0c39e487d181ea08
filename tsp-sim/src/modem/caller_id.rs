//! Caller ID as a modem prints it (hayes.md §10.2, §10.3).

use std::fmt::Write as _;

use crate::line::{CallerId, Presentation};

use super::profile::CallerIdLayout;

/// The value printed for a withheld or unavailable item.
fn reason(presentation: &Presentation) -> Option<&'static str> {
    match presentation {
        Presentation::Available => None,
        Presentation::Private => Some("P"),
        Presentation::OutOfArea => Some("O"),
    }
}

/// The number as printed: the digits, `P` (private) or `O` (out of area or missing).
fn number_text(cid: &CallerId) -> &str {
    match reason(&cid.number_presentation) {
        Some(r) => r,
        None => cid.number.as_deref().unwrap_or("O"),
    }
}

/// The name as printed, or `None` when the line has no name delivery (no NAME line at all).
fn name_text(cid: &CallerId) -> Option<&str> {
    match reason(&cid.name_presentation) {
        Some(r) => Some(r),
        None => cid.name.as_deref(),
    }
}

/// Formatted caller ID (`+VCID=1`), one string per line; `TAG = value` when `spaces`,
/// `TAG=value` otherwise. [`CallerIdLayout::Block`]: `DATE`, `TIME`, `NMBR` and, when present,
/// `NAME`. [`CallerIdLayout::FieldPerResponse`] (spandsp): `DATE`, `TIME`, `NAME`, `NMBR`,
/// `ANID`, `USER`, `PASS`, `CDID`, `NDID`, `<NONE>` for what is not known.
pub(crate) fn formatted(cid: &CallerId, spaces: bool, layout: CallerIdLayout) -> Vec<String> {
    let sep = if spaces { " = " } else { "=" };
    let field = |tag: &str, value: &str| format!("{tag}{sep}{value}");
    match layout {
        CallerIdLayout::Block => {
            let mut lines = vec![
                field("DATE", &cid.date),
                field("TIME", &cid.time),
                field("NMBR", number_text(cid)),
            ];
            if let Some(name) = name_text(cid) {
                lines.push(field("NAME", name));
            }
            lines
        }
        CallerIdLayout::FieldPerResponse => {
            const NONE: &str = "<NONE>";
            vec![
                field("DATE", &cid.date),
                field("TIME", &cid.time),
                field("NAME", name_text(cid).unwrap_or(NONE)),
                field("NMBR", number_text(cid)),
                field("ANID", NONE),
                field("USER", NONE),
                field("PASS", NONE),
                field("CDID", NONE),
                field("NDID", cid.called.as_deref().unwrap_or(NONE)),
            ]
        }
    }
}

/// Unformatted caller ID (`+VCID=2`) as upper-case ASCII hex without spaces (hayes.md §10.3):
/// the Bellcore MDMF packet (type 0x80, parameters 01 date-time, 02 number or 04 reason, 07 name
/// or 08 reason, two's-complement checksum) when the caller ID has a name field, the SDMF packet
/// (type 0x04: the date-time, then the number or its one-character reason, checksum) when it has
/// none (a number-only line: no name and no reason for one).
pub(crate) fn unformatted(cid: &CallerId) -> String {
    let packet = if cid.name.is_none() && cid.name_presentation == Presentation::Available {
        sdmf(cid)
    } else {
        mdmf(cid)
    };
    packet.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// A message of `kind` around `body` (clipped to a one-byte length), with its checksum.
fn message(kind: u8, mut body: Vec<u8>) -> Vec<u8> {
    body.truncate(usize::from(u8::MAX));
    let mut packet = vec![kind, u8::try_from(body.len()).unwrap_or(u8::MAX)];
    packet.extend(body);
    let sum = packet.iter().fold(0u8, |acc, b| acc.wrapping_add(*b));
    packet.push(sum.wrapping_neg());
    packet
}

/// The SDMF packet: `MMDDHHMM`, then the number, `P` or `O`.
fn sdmf(cid: &CallerId) -> Vec<u8> {
    let mut body = format!("{}{}", cid.date, cid.time).into_bytes();
    body.extend_from_slice(number_text(cid).as_bytes());
    message(0x04, body)
}

/// The MDMF packet.
fn mdmf(cid: &CallerId) -> Vec<u8> {
    let mut params: Vec<u8> = Vec::new();
    let mut param = |tag: u8, value: &[u8]| {
        // MDMF parameter lengths are one byte; clip absurd values rather than corrupt the packet.
        let value = &value[..value.len().min(usize::from(u8::MAX))];
        params.push(tag);
        params.push(u8::try_from(value.len()).unwrap_or(u8::MAX));
        params.extend_from_slice(value);
    };
    param(0x01, format!("{}{}", cid.date, cid.time).as_bytes());
    match reason(&cid.number_presentation) {
        Some(r) => param(0x04, r.as_bytes()),
        None => match &cid.number {
            Some(n) => param(0x02, n.as_bytes()),
            None => param(0x04, b"O"),
        },
    }
    match reason(&cid.name_presentation) {
        Some(r) => param(0x08, r.as_bytes()),
        None => {
            if let Some(name) = &cid.name {
                param(0x07, name.as_bytes());
            }
        }
    }
    message(0x80, params)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn cid(number: Option<&str>, name: Option<&str>) -> CallerId {
        CallerId {
            date: "1015".into(),
            time: "2038".into(),
            number: number.map(Into::into),
            name: name.map(Into::into),
            number_presentation: Presentation::Available,
            name_presentation: Presentation::Available,
            called: None,
        }
    }

    #[test]
    fn formatted_lines_with_and_without_spaces() {
        let c = cid(Some("7085550001"), Some("U.S.ROBOTICS"));
        assert_eq!(
            formatted(&c, true, CallerIdLayout::Block),
            vec![
                "DATE = 1015",
                "TIME = 2038",
                "NMBR = 7085550001",
                "NAME = U.S.ROBOTICS"
            ]
        );
        assert_eq!(
            formatted(&c, false, CallerIdLayout::Block),
            vec![
                "DATE=1015",
                "TIME=2038",
                "NMBR=7085550001",
                "NAME=U.S.ROBOTICS"
            ]
        );
    }

    #[test]
    fn spandsps_layout_puts_name_first_and_adds_its_extra_fields() {
        // iaxmodem-notes.md's transcript: DATE, TIME, NAME, NMBR, ANID, USER, PASS, CDID, NDID.
        let mut c = cid(Some("8005551212"), Some("Modem A"));
        c.called = Some("5550100".into());
        assert_eq!(
            formatted(&c, false, CallerIdLayout::FieldPerResponse),
            vec![
                "DATE=1015",
                "TIME=2038",
                "NAME=Modem A",
                "NMBR=8005551212",
                "ANID=<NONE>",
                "USER=<NONE>",
                "PASS=<NONE>",
                "CDID=<NONE>",
                "NDID=5550100"
            ]
        );
    }

    #[test]
    fn private_and_out_of_area_print_p_and_o_and_a_missing_name_has_no_line() {
        let mut c = cid(None, None);
        c.number_presentation = Presentation::Private;
        assert_eq!(
            formatted(&c, true, CallerIdLayout::Block),
            vec!["DATE = 1015", "TIME = 2038", "NMBR = P"]
        );
        c.number_presentation = Presentation::OutOfArea;
        c.name_presentation = Presentation::OutOfArea;
        assert_eq!(
            formatted(&c, false, CallerIdLayout::Block),
            vec!["DATE=1015", "TIME=2038", "NMBR=O", "NAME=O"]
        );
    }

    #[test]
    fn unformatted_is_an_mdmf_packet_with_the_usr_manual_parameters() {
        // The 3Com/USR manual's example (hayes.md §10.3) carries these parameter bytes; its length
        // byte (0x1E) and checksum do not match them, so length and checksum are checked here by
        // their definitions instead.
        let params = "01083130313532303338020A37303835353530303031070C552E532E524F424F5449435";
        let c = cid(Some("7085550001"), Some("U.S.ROBOTICS"));
        let hex = unformatted(&c);
        assert!(hex.starts_with("8024"), "{hex}");
        assert_eq!(&hex[4..4 + params.len()], params);
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(usize::from(bytes[1]), bytes.len() - 3);
        assert_eq!(bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b)), 0);
    }

    #[test]
    fn unformatted_private_number_uses_the_reason_parameter() {
        let mut c = cid(None, None);
        c.number_presentation = Presentation::Private;
        c.name_presentation = Presentation::Private;
        let hex = unformatted(&c);
        assert!(
            hex.starts_with("801001083130313532303338040150080150"),
            "{hex}"
        );
    }

    #[test]
    fn a_number_only_line_gets_an_sdmf_packet() {
        // The layout of the Askey/Rockwell manual's SDMF example (hayes.md §10.3): type 0x04,
        // length, MMDDHHMM then the number; here with the checksum Bellcore defines.
        let c = cid(Some("5551234"), None);
        let hex = unformatted(&c);
        let body = "3130313532303338".to_owned() + "35353531323334";
        assert_eq!(&hex[..4], "040F", "{hex}");
        assert_eq!(&hex[4..hex.len() - 2], body);
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b)), 0);
        let mut private = cid(None, None);
        private.number_presentation = Presentation::Private;
        assert_eq!(&unformatted(&private)[..22], "0409313031353230333850");
    }
}

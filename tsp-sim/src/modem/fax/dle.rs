//! The framing of Class 1 data between DTE and DCE (T.31 8.3.2, V.250 "transparent data"):
//! `<DLE>` shielding of the byte stream, `<DLE><ETX>` at its end, and the HDLC frame check
//! sequence a receiving DCE passes on after each frame.

/// Data Link Escape: shields itself (`<DLE><DLE>`) and introduces `<DLE><ETX>`.
pub(crate) const DLE: u8 = 0x10;
/// End of Text: after `<DLE>`, the end of the data.
pub(crate) const ETX: u8 = 0x03;
/// Substitute: `<DLE><SUB>` stands for two `<DLE>`s (T.31 8.3.2, optional for the DTE).
const SUB: u8 = 0x1a;

/// What [`Unshield::feed`] found in the DTE's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unshielded {
    /// Every byte was data; all of it was appended.
    More,
    /// `<DLE><ETX>` ended the data after this many input bytes (the rest belongs to whatever
    /// comes next).
    End(usize),
}

/// Removes the DTE's `<DLE>` shielding, one chunk at a time (a `<DLE>` may end a chunk).
#[derive(Debug, Clone, Default)]
pub(crate) struct Unshield {
    after_dle: bool,
}

impl Unshield {
    /// Appends the data in `input` to `out`, up to a `<DLE><ETX>`. `<DLE><DLE>` is one `DLE`,
    /// `<DLE><SUB>` two; `<DLE>` before anything else is dropped with it (T.31 8.3.2: other
    /// pairs are commands this simulation does not give a meaning).
    pub(crate) fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Unshielded {
        let mut i = 0;
        while i < input.len() {
            if std::mem::take(&mut self.after_dle) {
                match input[i] {
                    ETX => return Unshielded::End(i + 1),
                    DLE => out.push(DLE),
                    SUB => out.extend([DLE, DLE]),
                    _ => {}
                }
                i += 1;
                continue;
            }
            // Runs without a DLE are copied whole.
            let run = memchr::memchr(DLE, &input[i..]).unwrap_or(input.len() - i);
            out.extend_from_slice(&input[i..i + run]);
            i += run;
            if i < input.len() {
                self.after_dle = true;
                i += 1;
            }
        }
        Unshielded::More
    }
}

/// `bytes` as the DCE sends them to the DTE: every `DLE` doubled.
pub(crate) fn shield(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() + 4);
    for chunk in bytes.split_inclusive(|&b| b == DLE) {
        out.extend_from_slice(chunk);
        if chunk.last() == Some(&DLE) {
            out.push(DLE);
        }
    }
}

/// The HDLC frame check sequence of `frame` (ISO/IEC 13239 FCS-16: CRC-16 with the reflected
/// polynomial 0x8408, preset to ones, complemented), in the order it is transmitted (low byte
/// first), as a T.31 DCE appends it to a received frame.
pub(crate) fn fcs(frame: &[u8]) -> [u8; 2] {
    let mut crc: u16 = 0xffff;
    for &b in frame {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
        }
    }
    (!crc).to_le_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fcs_matches_what_a_real_t31_modem_appended() {
        // iaxmodem-notes.md: the DIS-like frame `ff 13 80 00 ce f4 00` arrived as
        // `ff 13 80 00 ce f4 00 a4 c7 <DLE><ETX>`, and `ff 13 83 00 c6 74 00` with `66 90`.
        assert_eq!(
            fcs(&[0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x00]),
            [0xa4, 0xc7]
        );
        assert_eq!(
            fcs(&[0xff, 0x13, 0x83, 0x00, 0xc6, 0x74, 0x00]),
            [0x66, 0x90]
        );
    }

    #[test]
    fn dle_pairs_unshield_and_dle_etx_ends_the_data() {
        let mut u = Unshield::default();
        let mut out = Vec::new();
        assert_eq!(
            u.feed(b"a\x10\x10b\x10\x1ac\x10xd\x10\x03rest", &mut out),
            Unshielded::End(12)
        );
        assert_eq!(out, b"a\x10b\x10\x10cd");
    }

    #[test]
    fn a_dle_at_the_end_of_one_chunk_pairs_with_the_next() {
        let mut u = Unshield::default();
        let mut out = Vec::new();
        assert_eq!(u.feed(b"ab\x10", &mut out), Unshielded::More);
        assert_eq!(u.feed(b"\x03", &mut out), Unshielded::End(1));
        assert_eq!(out, b"ab");
    }

    proptest! {
        #[test]
        fn shielded_data_unshields_to_itself_in_any_chunks(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            cut in 1usize..17,
        ) {
            let mut wire = Vec::new();
            shield(&data, &mut wire);
            wire.extend([DLE, ETX]);
            let mut u = Unshield::default();
            let mut out = Vec::new();
            let mut ended = None;
            let mut at = 0;
            for chunk in wire.chunks(cut) {
                if let Unshielded::End(n) = u.feed(chunk, &mut out) {
                    ended = Some(at + n);
                    break;
                }
                at += chunk.len();
            }
            prop_assert_eq!(ended, Some(wire.len()));
            prop_assert_eq!(out, data);
        }
    }
}

//! The high-speed modulations a Class 1 fax session trains and sends pages with, as T.30 names
//! them in DIS and DCS (Table 2, bits 11–14) and T.31 selects them (`+FTM`/`+FRM`, Table 8).

use std::fmt;

/// A modulation and bit rate for TCF and the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rate {
    /// V.27 ter at 2400 bit/s (T.31 `<mod>` 24): every fax machine's fallback.
    V27_2400,
    /// V.27 ter at 4800 bit/s (48).
    V27_4800,
    /// V.29 at 7200 bit/s (72).
    V29_7200,
    /// V.29 at 9600 bit/s (96).
    V29_9600,
    /// V.17 at 7200 bit/s (73 long training, 74 short).
    V17_7200,
    /// V.17 at 9600 bit/s (97, 98).
    V17_9600,
    /// V.17 at 12 000 bit/s (121, 122).
    V17_12000,
    /// V.17 at 14 400 bit/s (145, 146).
    V17_14400,
}

impl Rate {
    /// Every rate, fastest first.
    pub const ALL: [Rate; 8] = [
        Rate::V17_14400,
        Rate::V17_12000,
        Rate::V17_9600,
        Rate::V29_9600,
        Rate::V17_7200,
        Rate::V29_7200,
        Rate::V27_4800,
        Rate::V27_2400,
    ];

    /// The rates every Class 1 modem has (V.29 and V.27 ter), fastest first: a session's default.
    pub const V29_AND_V27: [Rate; 4] = [
        Rate::V29_9600,
        Rate::V29_7200,
        Rate::V27_4800,
        Rate::V27_2400,
    ];

    /// The bit rate, in bits/s.
    pub fn bit_rate(self) -> u32 {
        match self {
            Rate::V27_2400 => 2400,
            Rate::V27_4800 => 4800,
            Rate::V29_7200 | Rate::V17_7200 => 7200,
            Rate::V29_9600 | Rate::V17_9600 => 9600,
            Rate::V17_12000 => 12000,
            Rate::V17_14400 => 14400,
        }
    }

    /// The T.31 `<mod>` code (Table 8): V.17 with long training for TCF (`training` true), short
    /// for the page.
    pub fn t31_code(self, training: bool) -> u8 {
        let v17 = |long: u8| if training { long } else { long + 1 };
        match self {
            Rate::V27_2400 => 24,
            Rate::V27_4800 => 48,
            Rate::V29_7200 => 72,
            Rate::V29_9600 => 96,
            Rate::V17_7200 => v17(73),
            Rate::V17_9600 => v17(97),
            Rate::V17_12000 => v17(121),
            Rate::V17_14400 => v17(145),
        }
    }

    /// The rate of a T.31 `<mod>` code.
    pub fn from_t31_code(code: u8) -> Option<Rate> {
        Rate::ALL
            .into_iter()
            .find(|r| r.t31_code(true) == code || r.t31_code(false) == code)
    }

    /// Bits 11–14 of a DCS choosing this rate, bit 11 as `0x1`.
    pub(crate) fn dcs_bits(self) -> u8 {
        // T.30 Table 2 writes them as bit 11, 12, 13, 14.
        match self {
            Rate::V27_2400 => 0b0000,
            Rate::V27_4800 => 0b0010,
            Rate::V29_9600 => 0b0001,
            Rate::V29_7200 => 0b0011,
            Rate::V17_14400 => 0b1000,
            Rate::V17_12000 => 0b1010,
            Rate::V17_9600 => 0b1001,
            Rate::V17_7200 => 0b1011,
        }
    }

    /// The rate a DCS's bits 11–14 choose.
    pub(crate) fn from_dcs_bits(bits: u8) -> Option<Rate> {
        Rate::ALL.into_iter().find(|r| r.dcs_bits() == bits & 0x0f)
    }

    /// Bits 11–14 of a DIS offering `rates`: V.27 ter, V.29 and V.17 as T.30 Table 2 groups them.
    pub(crate) fn dis_bits(rates: &[Rate]) -> u8 {
        let v27 = rates.iter().any(|r| matches!(r, Rate::V27_4800));
        let v29 = rates
            .iter()
            .any(|r| matches!(r, Rate::V29_7200 | Rate::V29_9600));
        let v17 = rates.iter().any(|r| r.is_v17());
        match (v27, v29, v17) {
            (_, _, true) => 0b1011,
            (true, true, false) => 0b0011,
            (false, true, false) => 0b0001,
            (true, false, false) => 0b0010,
            (false, false, false) => 0b0000,
        }
    }

    /// The rates a DIS's bits 11–14 offer, fastest first (V.27 ter's 2400 bit/s fallback always).
    pub(crate) fn from_dis_bits(bits: u8) -> Vec<Rate> {
        let (v27, v29, v17) = match bits & 0x0f {
            0b0010 => (true, false, false),
            0b0001 => (false, true, false),
            0b0011 => (true, true, false),
            0b1011 => (true, true, true),
            _ => (false, false, false),
        };
        Rate::ALL
            .into_iter()
            .filter(|r| match r {
                Rate::V27_2400 => true,
                Rate::V27_4800 => v27,
                Rate::V29_7200 | Rate::V29_9600 => v29,
                _ => v17,
            })
            .collect()
    }

    fn is_v17(self) -> bool {
        matches!(
            self,
            Rate::V17_7200 | Rate::V17_9600 | Rate::V17_12000 | Rate::V17_14400
        )
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let modulation = match self {
            Rate::V27_2400 | Rate::V27_4800 => "V.27 ter",
            Rate::V29_7200 | Rate::V29_9600 => "V.29",
            _ => "V.17",
        };
        write!(f, "{} bit/s {modulation}", self.bit_rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rate_reads_back_from_its_dcs_bits_and_t31_codes() {
        for rate in Rate::ALL {
            assert_eq!(Rate::from_dcs_bits(rate.dcs_bits()), Some(rate), "{rate}");
            assert_eq!(Rate::from_t31_code(rate.t31_code(true)), Some(rate));
            assert_eq!(Rate::from_t31_code(rate.t31_code(false)), Some(rate));
        }
    }

    #[test]
    fn a_dis_offers_whole_modulations_and_always_the_2400_fallback() {
        let offered = Rate::from_dis_bits(Rate::dis_bits(&[Rate::V29_9600]));
        assert_eq!(
            offered,
            vec![Rate::V29_9600, Rate::V29_7200, Rate::V27_2400]
        );
        assert_eq!(Rate::from_dis_bits(0b0000), vec![Rate::V27_2400]);
        assert_eq!(Rate::from_dis_bits(0b1011).len(), 8);
    }
}

//! Voice sample codings (`+VSM`, V.253 Table 17) and their conversion to and from the line's
//! 16-bit linear samples at 8000 samples/s.

use crate::line::VoiceSignal;

/// How one voice sample is coded between DTE and DCE (ITU V.253 Table 17 and vendors' codings
/// of the same shapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleCoding {
    /// 8-bit linear PCM, two's complement (V.253 `0`, "SIGNED PCM"); silence is `0x00`.
    SignedLinear8,
    /// 8-bit linear PCM, offset binary (V.253 `1`, "UNSIGNED PCM"; USR's "8-BIT LINEAR");
    /// silence is `0x80`.
    UnsignedLinear8,
    /// G.711 µ-law (V.253 `4`); silence is `0xFF`.
    Ulaw,
    /// G.711 A-law (V.253 `5`); silence is `0xD5`.
    Alaw,
}

/// A voice coding a profile offers in `+VSM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VoiceCompression {
    /// The `<cml>` number `+VSM=` takes (V.253 Table 17, or the vendor's number above 127).
    pub id: u8,
    /// How samples are coded.
    pub coding: SampleCoding,
    /// Sample rates accepted, samples/s; the first is the factory rate when it is not 8000.
    pub rates: &'static [u32],
    /// The line `+VSM=?` prints for this coding, as the family prints it.
    pub test_line: &'static str,
}

impl SampleCoding {
    /// The coded value of silence.
    pub fn silence(self) -> u8 {
        match self {
            Self::SignedLinear8 => 0x00,
            Self::UnsignedLinear8 => 0x80,
            Self::Ulaw => 0xFF,
            Self::Alaw => 0xD5,
        }
    }

    /// One coded sample as 16-bit linear.
    pub fn decode(self, b: u8) -> i16 {
        match self {
            Self::SignedLinear8 => i16::from(b as i8) << 8,
            Self::UnsignedLinear8 => (i16::from(b) - 128) << 8,
            Self::Ulaw => ulaw_decode(b),
            Self::Alaw => alaw_decode(b),
        }
    }

    /// One 16-bit linear sample coded.
    pub fn encode(self, s: i16) -> u8 {
        match self {
            Self::SignedLinear8 => ((s >> 8) as i8) as u8,
            Self::UnsignedLinear8 => (((s >> 8) as i8) as u8) ^ 0x80,
            Self::Ulaw => ulaw_encode(s),
            Self::Alaw => alaw_encode(s),
        }
    }
}

/// G.711 µ-law expansion.
fn ulaw_decode(b: u8) -> i16 {
    let b = !b;
    let exponent = (b >> 4) & 0x07;
    let mantissa = i32::from(b & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let value = if b & 0x80 != 0 { -magnitude } else { magnitude };
    i16::try_from(value).unwrap_or(if value < 0 { i16::MIN } else { i16::MAX })
}

/// G.711 µ-law compression (bias 0x84, clip at 32635).
fn ulaw_encode(s: i16) -> u8 {
    let sign: u8 = if s < 0 { 0x80 } else { 0 };
    let magnitude = (i32::from(s).abs().min(32635) + 0x84) as u32;
    let exponent = (31 - magnitude.leading_zeros()).saturating_sub(7).min(7);
    let mantissa = ((magnitude >> (exponent + 3)) & 0x0F) as u8;
    !(sign | ((exponent as u8) << 4) | mantissa)
}

/// G.711 A-law expansion.
fn alaw_decode(b: u8) -> i16 {
    let b = b ^ 0x55;
    let exponent = (b >> 4) & 0x07;
    let mantissa = i32::from(b & 0x0F);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    let value = if b & 0x80 != 0 { magnitude } else { -magnitude };
    i16::try_from(value).unwrap_or(if value < 0 { i16::MIN } else { i16::MAX })
}

/// G.711 A-law compression.
fn alaw_encode(s: i16) -> u8 {
    let sign: u8 = if s >= 0 { 0x80 } else { 0 };
    let magnitude = (i32::from(s).abs().min(32767) >> 3) as u32;
    let coded = if magnitude < 32 {
        (magnitude >> 1) as u8
    } else {
        let exponent = (31 - magnitude.leading_zeros()).saturating_sub(4).min(7);
        let mantissa = ((magnitude >> exponent) & 0x0F) as u8;
        ((exponent as u8) << 4) | mantissa
    };
    (sign | coded) ^ 0x55
}

/// DTE samples (`coding` at `rate` samples/s) as the line's 8 kHz linear samples (nearest
/// sample; the simulator does not filter).
pub(crate) fn to_line(bytes: &[u8], coding: SampleCoding, rate: u32) -> Vec<i16> {
    let line_rate = u64::from(VoiceSignal::AUDIO_RATE);
    let rate = u64::from(rate.max(1));
    let count = (bytes.len() as u64 * line_rate / rate) as usize;
    (0..count)
        .map(|k| {
            let i = ((k as u64 * rate / line_rate) as usize).min(bytes.len() - 1);
            coding.decode(bytes[i])
        })
        .collect()
}

/// The line's 8 kHz samples as `coding` at `rate` samples/s.
pub(crate) fn from_line(samples: &[i16], coding: SampleCoding, rate: u32) -> Vec<u8> {
    if samples.is_empty() {
        return Vec::new();
    }
    let line_rate = u64::from(VoiceSignal::AUDIO_RATE);
    let rate = u64::from(rate.max(1));
    let count = (samples.len() as u64 * rate / line_rate) as usize;
    (0..count)
        .map(|k| {
            let i = ((k as u64 * line_rate / rate) as usize).min(samples.len() - 1);
            coding.encode(samples[i])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const ALL: [SampleCoding; 4] = [
        SampleCoding::SignedLinear8,
        SampleCoding::UnsignedLinear8,
        SampleCoding::Ulaw,
        SampleCoding::Alaw,
    ];

    #[test]
    fn silence_decodes_to_nearly_zero_in_every_coding() {
        for coding in ALL {
            assert!(coding.decode(coding.silence()).abs() <= 8, "{coding:?}");
            assert_eq!(coding.encode(0), coding.silence(), "{coding:?}");
        }
    }

    #[test]
    fn every_coded_value_survives_a_round_trip_through_linear() {
        for coding in ALL {
            for b in 0..=255u8 {
                let back = coding.encode(coding.decode(b));
                // µ-law has two zeros (0x7F and 0xFF); both mean silence.
                if coding == SampleCoding::Ulaw && b == 0x7F {
                    assert_eq!(back, 0xFF);
                    continue;
                }
                assert_eq!(back, b, "{coding:?} {b:#04x}");
            }
        }
    }

    #[test]
    fn g711_known_values() {
        // G.711's tables: µ-law 0x00 is the most negative value, 0x80 the most positive.
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x2A), -32256);
    }

    #[test]
    fn rates_convert_by_sample_count() {
        let bytes = vec![0x80u8; 7200];
        assert_eq!(
            to_line(&bytes, SampleCoding::UnsignedLinear8, 7200).len(),
            8000
        );
        assert_eq!(
            from_line(&[0; 8000], SampleCoding::UnsignedLinear8, 11025).len(),
            11025
        );
        assert!(to_line(&[], SampleCoding::Ulaw, 8000).is_empty());
    }
}

//! A fax page as T.4 one-dimensional (Modified Huffman) data, bits in line order with the first
//! bit in the least significant place of each octet, as Class 1 modems pass them (T.31 8.3.3;
//! the "raw" fax files of efax and efix).

/// End of line: eleven zeros and a one (T.4 4.1.2).
const EOL_ZEROS: usize = 11;
/// The white run of 1728 (make-up code) and of 0 (terminating code), T.4 Tables 1 and 2.
const WHITE_1728: &str = "010011011";
const WHITE_0: &str = "00110101";

/// One page of T.4 data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    t4: Vec<u8>,
}

impl Page {
    /// A page from T.4 data as a fax file holds it (efix `-o raw`, efax's received files
    /// without their TIFF wrapping): lines each ended by EOL, the page by RTC.
    pub fn from_t4(t4: Vec<u8>) -> Self {
        Page { t4 }
    }

    /// A page as a receiving modem passed it on: whatever came before the first EOL (the ones a
    /// demodulator gives while its carrier trains: spandsp's do) is dropped, since a page
    /// begins with EOL (T.4 4.1.2); the rest is kept bit for bit, trailing zeros included.
    pub fn from_received(data: &[u8]) -> Self {
        let bit = |i: usize| (data[i / 8] >> (i % 8)) & 1 == 1;
        let total = data.len() * 8;
        let mut zeros = 0usize;
        let mut start = None;
        for i in 0..total {
            if bit(i) {
                if zeros >= EOL_ZEROS {
                    start = Some(i - EOL_ZEROS);
                    break;
                }
                zeros = 0;
            } else {
                zeros += 1;
            }
        }
        let Some(start) = start else {
            return Page { t4: Vec::new() };
        };
        if start % 8 == 0 {
            return Page {
                t4: data[start / 8..].to_vec(),
            };
        }
        let mut bits = Bits::default();
        for i in start..total {
            bits.push(bit(i));
        }
        Page {
            t4: bits.into_bytes(),
        }
    }

    /// A page of `lines` white lines of 1728 picture elements, with its RTC: the smallest valid
    /// page (about 3.5 octets a line).
    pub fn white(lines: usize) -> Self {
        let mut bits = Bits::default();
        bits.eol();
        for _ in 0..lines {
            bits.code(WHITE_1728);
            bits.code(WHITE_0);
            bits.eol();
        }
        for _ in 0..5 {
            bits.eol();
        }
        Page {
            t4: bits.into_bytes(),
        }
    }

    /// The T.4 data.
    pub fn t4(&self) -> &[u8] {
        &self.t4
    }

    /// The coded lines: each line's bits before its EOL, fill and the EOLs themselves left out
    /// (so two transmissions of a page compare equal whatever fill each had). Lines of no bits
    /// (the page's first EOL, the RTC) are left out too.
    pub fn lines(&self) -> Vec<Vec<bool>> {
        segments(&self.t4)
            .into_iter()
            .map(|mut s| {
                // Fill and a last code's own trailing zeros look alike: leave out both.
                while s.last() == Some(&false) {
                    s.pop();
                }
                s
            })
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The page as sent at `bit_rate` to a receiver whose lines take at least `min_scan_ms`:
    /// each line padded with fill (zeros before its EOL, T.4 4.1.3) to last that long. Data
    /// after the last EOL is left out.
    pub fn with_fill(&self, bit_rate: u32, min_scan_ms: u32) -> Vec<u8> {
        let min_bits = (u64::from(bit_rate) * u64::from(min_scan_ms)).div_ceil(1000) as usize;
        let mut bits = Bits::default();
        for segment in segments(&self.t4) {
            for &b in &segment {
                bits.push(b);
            }
            if segment.contains(&true) {
                let line = segment.len() + EOL_ZEROS + 1;
                for _ in line..min_bits {
                    bits.push(false);
                }
            }
            bits.eol();
        }
        bits.into_bytes()
    }
}

/// The bits before each EOL, fill removed.
fn segments(t4: &[u8]) -> Vec<Vec<bool>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut zeros = 0usize;
    for i in 0..t4.len() * 8 {
        let bit = (t4[i / 8] >> (i % 8)) & 1 == 1;
        if bit {
            if zeros >= EOL_ZEROS {
                // An EOL: its eleven zeros go; any before them (fill, or a last code's own
                // trailing zeros) stay with the line.
                current.extend(std::iter::repeat_n(false, zeros - EOL_ZEROS));
                out.push(std::mem::take(&mut current));
            } else {
                current.extend(std::iter::repeat_n(false, zeros));
                current.push(true);
            }
            zeros = 0;
        } else {
            zeros += 1;
        }
    }
    out
}

/// Bits being packed, first bit in the least significant place.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if bit && let Some(last) = self.bytes.last_mut() {
            *last |= 1 << (self.len % 8);
        }
        self.len += 1;
    }

    fn code(&mut self, code: &str) {
        for c in code.bytes() {
            self.push(c == b'1');
        }
    }

    fn eol(&mut self) {
        for _ in 0..EOL_ZEROS {
            self.push(false);
        }
        self.push(true);
    }

    fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_white_page_has_its_lines_and_each_is_one_full_width_run() {
        let page = Page::white(3);
        let lines = page.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), WHITE_1728.len() + WHITE_0.len());
    }

    #[test]
    fn fill_stretches_each_line_to_the_scan_time_and_changes_no_line() {
        let page = Page::white(10);
        let filled = Page::from_t4(page.with_fill(9600, 20));
        assert_eq!(filled.lines(), page.lines());
        // 10 lines of at least 192 bits each, against 29 without fill.
        assert!(filled.t4().len() * 8 >= 10 * 192, "{}", filled.t4().len());
        assert_eq!(page.with_fill(9600, 0).len(), page.t4().len());
    }

    #[test]
    fn ones_before_the_first_eol_are_dropped_at_any_bit_offset() {
        let page = Page::white(4);
        for shift in 0..8 {
            // `shift` + 16 ones, then the page, as a demodulator still training gives it.
            let mut bits = Bits::default();
            for _ in 0..16 + shift {
                bits.push(true);
            }
            for i in 0..page.t4().len() * 8 {
                bits.push((page.t4()[i / 8] >> (i % 8)) & 1 == 1);
            }
            let got = Page::from_received(&bits.into_bytes());
            assert_eq!(got.lines(), page.lines(), "shift {shift}");
            assert_eq!(&got.t4()[..page.t4().len()], page.t4(), "shift {shift}");
        }
        assert!(Page::from_received(&[0xff; 8]).t4().is_empty());
    }

    #[test]
    fn trailing_zeros_after_the_rtc_do_not_make_a_line() {
        let mut t4 = Page::white(2).t4().to_vec();
        t4.extend([0u8; 12]);
        assert_eq!(Page::from_t4(t4).lines().len(), 2);
    }
}

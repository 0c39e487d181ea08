//! Debian's `efax` and `efix` as a test's fax machine and judge: starting efax to send or
//! receive, making a page from text, and reading a fax file's rows.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};

use super::program;

/// The text of the test page.
const TEXT: &str =
    "A page from tsp-sim's fax test.\n\nThe quick brown fox jumps over the lazy dog.\n";

/// `efax` with `args`, its log (`-v`) on stderr.
pub fn efax(efax: &Path, args: &[&str]) -> Child {
    Command::new(efax)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// efix's output for `args` then `file`, failing the test with what efix said.
fn efix(args: &[&str], file: &Path) -> Vec<u8> {
    let out = std::process::Command::new(program("efix", "efax"))
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "efix {args:?} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The test page's text, written to `dir/page.txt`.
fn text(dir: &Path) -> PathBuf {
    let text = dir.join("page.txt");
    std::fs::write(&text, TEXT).unwrap();
    text
}

/// Makes a one-page TIFF-G3 file from text with efix.
pub fn page(dir: &Path) -> PathBuf {
    let tif = dir.join("page.tif");
    std::fs::write(&tif, efix(&["-i", "text", "-o", "tiffg3"], &text(dir))).unwrap();
    tif
}

/// A fax file as rows of pixels (efix to PBM): width, then each row's bytes.
pub fn rows(file: &Path) -> (usize, Vec<Vec<u8>>) {
    pbm_rows(&efix(&["-o", "pbm"], file))
}

/// A raw fax file's rows (efix `-i fax -o pbm`).
pub fn raw_rows(file: &Path) -> (usize, Vec<Vec<u8>>) {
    pbm_rows(&efix(&["-i", "fax", "-o", "pbm"], file))
}

/// The test page's rows as efix renders the text (`-o pbm`), to compare a received fax with.
pub fn text_rows(dir: &Path) -> (usize, Vec<Vec<u8>>) {
    pbm_rows(&efix(&["-i", "text", "-o", "pbm"], &text(dir)))
}

fn pbm_rows(pbm: &[u8]) -> (usize, Vec<Vec<u8>>) {
    let header_end = pbm.iter().position(|&b| b == b'\n').unwrap();
    let header = String::from_utf8_lossy(&pbm[..header_end]).into_owned();
    let fields: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(fields.first(), Some(&"P4"), "a PBM from efix: {header:?}");
    let width: usize = fields[1].parse().unwrap();
    let stride = width.div_ceil(8);
    let body = &pbm[header_end + 1..];
    (width, body.chunks(stride).map(<[u8]>::to_vec).collect())
}

/// The test page as efix codes it for a fax modem (`-o fax`: one-dimensional T.4, first bit in
/// the most significant place), turned around for a Class 1 modem's wire order: the T.4 data
/// a [`tsp_sim::t30::Page`] holds.
pub fn t4_page(dir: &Path) -> Vec<u8> {
    efix(&["-i", "text", "-o", "fax"], &text(dir))
        .iter()
        .map(|b| b.reverse_bits())
        .collect()
}

/// `t4` (a received page, wire order) as efix reads a raw fax file, and its rows.
pub fn t4_rows(t4: &[u8], dir: &Path) -> (usize, Vec<Vec<u8>>) {
    let file = dir.join("got.fax");
    std::fs::write(
        &file,
        t4.iter().map(|b| b.reverse_bits()).collect::<Vec<u8>>(),
    )
    .unwrap();
    raw_rows(&file)
}

/// What a receiving efax must have done: ended with exit code 0 (`status`, from its `wait`)
/// and seen the sender's identity `tsi`. `log` is efax's, `ours` the other side's T.30.
pub fn assert_efax_received(
    status: &Result<std::io::Result<std::process::ExitStatus>, tokio::time::error::Elapsed>,
    log: &str,
    ours: &str,
    tsi: &str,
) {
    assert!(
        matches!(status, Ok(Ok(s)) if s.code() == Some(0)),
        "efax ended with {status:?}:\n{log}\nour T.30:\n{ours}"
    );
    assert!(log.contains(tsi), "efax saw our TSI {tsi:?}:\n{log}");
}

/// efax waiting for a call on `device` (answering on the first ring), the pages to
/// `dir/received.001`…
pub fn receiving_efax(device: &Path, dir: &Path) -> Child {
    let prefix = dir.join("received");
    efax(
        &program("efax", "efax"),
        &[
            "-d",
            device.to_str().unwrap(),
            "-o1",
            "-w",
            "-iS0=1",
            "-l",
            "+1 555 0101",
            "-v",
            "ewinchrt",
            "-r",
            prefix.to_str().unwrap(),
        ],
    )
}

/// The received page's rows against the text page's: every inked row of the page arrives as
/// the same row `offset` rows down (efax puts a 20-row header band on what it sends). A failure
/// says which offsets would have matched (a lost or extra line shifts the rest).
pub fn assert_same_rows(got: (usize, Vec<Vec<u8>>), want: (usize, Vec<Vec<u8>>), offset: usize) {
    assert_eq!(got.0, want.0, "the page's width");
    let inked: Vec<usize> = (0..want.1.len())
        .filter(|&i| want.1[i].iter().any(|&b| b != 0))
        .collect();
    assert!(inked.len() > 20, "the test page has text on it");
    let matches = |o: usize| inked.iter().all(|&i| got.1.get(i + o) == Some(&want.1[i]));
    if !matches(offset) {
        let first_inked = got.1.iter().position(|r| r.iter().any(|&b| b != 0));
        let offsets: Vec<usize> = (0..64).filter(|&o| matches(o)).collect();
        panic!(
            "the page's inked rows are not {offset} rows down in the fax: it has {} rows, \
             the first inked is {first_inked:?}, the page's is {:?}; offsets that match: \
             {offsets:?}",
            got.1.len(),
            inked.first()
        );
    }
}

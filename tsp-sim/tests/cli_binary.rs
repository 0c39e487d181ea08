//! The `tsp-sim` binary: its table, commands on stdin, a modem on its pty, and a clean exit on
//! end of input and on signals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio_serial::SerialPortBuilderExt;

const PATIENCE: Duration = Duration::from_secs(20);

fn tsp_sim(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tsp-sim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Reads stdout lines until one contains `needle`; returns the lines read.
async fn lines_until(lines: &mut Lines<BufReader<ChildStdout>>, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(PATIENCE, lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                let done = line.contains(needle);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            other => {
                panic!("waiting for {needle:?} on tsp-sim's stdout: {other:?}; read {seen:#?}")
            }
        }
    }
}

async fn expect(port: &mut (impl AsyncRead + Unpin), needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        if String::from_utf8_lossy(&seen).contains(needle) {
            return String::from_utf8_lossy(&seen).into_owned();
        }
        match tokio::time::timeout(PATIENCE, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!(
                "waiting for {needle:?} on the pty: {other:?}; read {:?}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
}

async fn exit_status(child: &mut Child) -> std::process::ExitStatus {
    tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("tsp-sim did not exit")
        .unwrap()
}

async fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .await
        .unwrap();
    text
}

/// The table's rows: (modem, pty, link, number, profile).
fn rows(table: &[String]) -> Vec<Vec<String>> {
    table
        .iter()
        .skip(1)
        .filter(|l| !l.starts_with("seed"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

fn link(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("ttySIM{index}"))
}

#[tokio::test]
async fn the_table_lists_ptys_and_links_commands_reach_a_modem_and_end_of_input_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let mut child = tsp_sim(&[
        "--time-scale",
        "0.02",
        "--seed",
        "11",
        "--link-dir",
        dir_arg,
        "--profile",
        "usr5637",
    ]);
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();

    let table = lines_until(&mut out, "seed 11").await;
    assert_eq!(
        table[0].split_whitespace().collect::<Vec<_>>(),
        [
            "modem",
            "pty",
            "link",
            "number",
            "profile",
            "call-waiting",
            "name",
            "caller-id",
            "presentation"
        ]
    );
    let rows = rows(&table);
    assert_eq!(rows.len(), 2, "{table:#?}");
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row[0], index.to_string());
        assert!(row[1].starts_with("/dev/pts/"), "{row:?}");
        assert_eq!(row[2], link(dir.path(), index).to_str().unwrap());
        assert_eq!(
            std::fs::read_link(link(dir.path(), index)).unwrap(),
            Path::new(&row[1])
        );
        assert_eq!(row[3], format!("555010{index}"));
        assert_eq!(row[4], "usr5637");
    }

    // A program on modem 1's pty hears the ring the `ring` command places.
    let mut tty = tokio_serial::new(link(dir.path(), 1).to_string_lossy(), 115_200)
        .open_native_async()
        .unwrap();
    tty.write_all(b"AT#CID=1\r").await.unwrap();
    expect(&mut tty, "OK").await;
    stdin.write_all(b"ring 1 5551234\n").await.unwrap();
    assert_eq!(
        lines_until(&mut out, "ringing").await,
        ["5551234 is ringing modem 1 (5550101)"]
    );
    let ring = expect(&mut tty, "NMBR=5551234").await;
    assert!(ring.contains("RING"), "{ring:?}");
    tty.write_all(b"ATA\r").await.unwrap();
    expect(&mut tty, "CONNECT").await;
    stdin.write_all(b"state\n").await.unwrap();
    let state = lines_until(&mut out, "5551234  ring").await;
    assert!(
        state
            .iter()
            .any(|l| l.contains("5550101  connected  caller 5551234")),
        "{state:#?}"
    );
    stdin.write_all(b"hangup 1\nbogus\n").await.unwrap();
    lines_until(&mut out, "5551234 hung up on modem 1 (5550101)").await;
    expect(&mut tty, "NO CARRIER").await;
    drop(tty);

    drop(stdin); // end of input
    let status = exit_status(&mut child).await;
    let stderr = stderr_of(&mut child).await;
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("error: unknown command \"bogus\""),
        "{stderr}"
    );
    assert!(
        std::fs::symlink_metadata(link(dir.path(), 0)).is_err(),
        "symlinks are removed at exit"
    );
    assert!(
        std::fs::symlink_metadata(link(dir.path(), 1)).is_err(),
        "symlinks are removed at exit"
    );
}

#[tokio::test]
async fn ctrl_c_and_sigterm_stop_it_cleanly() {
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = tsp_sim(&["--modems", "1", "--link-dir", dir.path().to_str().unwrap()]);
        let _stdin = child.stdin.take().unwrap(); // kept open: only the signal may stop it
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        lines_until(&mut out, "seed").await;
        assert!(std::fs::symlink_metadata(link(dir.path(), 0)).is_ok());
        let pid = child.id().unwrap().to_string();
        let kill = std::process::Command::new("sh")
            .args(["-c", "kill -s \"$1\" \"$2\"", "sh", signal, &pid])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = exit_status(&mut child).await;
        let stderr = stderr_of(&mut child).await;
        assert!(status.success(), "SIG{signal}: {status}: {stderr}");
        assert!(stderr.contains("ptys closed"), "SIG{signal}: {stderr}");
        assert!(
            std::fs::symlink_metadata(link(dir.path(), 0)).is_err(),
            "SIG{signal}: the symlink is removed"
        );
    }
}

#[tokio::test]
async fn with_no_commands_closed_stdin_does_not_stop_it_and_sigterm_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = tsp_sim(&[
        "--modems",
        "1",
        "--no-commands",
        "--link-dir",
        dir.path().to_str().unwrap(),
    ]);
    drop(child.stdin.take()); // as in the background: end of input at once
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    lines_until(&mut out, "seed").await;
    // Still serving its modem after end of input.
    let mut port = tokio_serial::new(link(dir.path(), 0).to_string_lossy(), 115_200)
        .open_native_async()
        .unwrap();
    port.write_all(b"AT\r").await.unwrap();
    expect(&mut port, "OK").await;
    let pid = child.id().unwrap().to_string();
    let kill = std::process::Command::new("kill")
        .arg(&pid)
        .status()
        .unwrap();
    assert!(kill.success());
    let status = exit_status(&mut child).await;
    assert!(status.success(), "{status}");
    assert!(std::fs::symlink_metadata(link(dir.path(), 0)).is_err());
}

#[tokio::test]
async fn quit_stops_it_and_a_bad_config_file_is_named_in_the_error() {
    let mut child = tsp_sim(&["--modems", "1"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"help\nquit\n").await.unwrap();
    assert!(exit_status(&mut child).await.success());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.toml");
    std::fs::write(
        &path,
        "[[modem]]\nnumber = \"5550100\"\nprofile = \"hayes\"\n",
    )
    .unwrap();
    let mut child = tsp_sim(&["--config", path.to_str().unwrap()]);
    let status = exit_status(&mut child).await;
    let stderr = stderr_of(&mut child).await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("config {}", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("unknown profile \"hayes\""), "{stderr}");
}

#[tokio::test]
async fn a_config_file_sets_numbers_profiles_names_and_call_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.toml");
    std::fs::write(
        &path,
        "[exchange]\nseed = 3\ntime_scale = 0.5\n\n[[modem]]\nnumber = \"4441000\"\nprofile = \"conexant-usb\"\n\
         call_waiting = true\nname = \"O'BRIEN,J.\"\ncaller_id = \"number\"\npresentation = \"private\"\n",
    )
    .unwrap();
    let mut child = tsp_sim(&["--config", path.to_str().unwrap()]);
    let stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let table = lines_until(&mut out, "seed 3").await;
    let rows = rows(&table);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][3..],
        [
            "4441000",
            "conexant-usb",
            "on",
            "O'BRIEN,J.",
            "number",
            "private"
        ]
    );
    assert!(
        table.last().unwrap().contains("time scale 0.5"),
        "{table:#?}"
    );
    drop(stdin);
    assert!(exit_status(&mut child).await.success());
}

#[test]
fn check_reports_a_good_config_and_names_a_bad_one_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[modem]]\nnumber = \"5550100\"\n\n[[modem]]\nnumber = \"5550101\"\nprofile = \"usr5637\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tsp-sim"))
        .args(["--config", good.to_str().unwrap(), "--check"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(said.contains("good: 2 modem(s): 5550100"), "{said}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[modem]]\nnumber = \"5550100\"\nspeed = 3\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tsp-sim"))
        .args(["--config", bad.to_str().unwrap(), "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("line 3"), "{err}");
}

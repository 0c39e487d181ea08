//! The calling terminal's transmission: phase B after the dial's `CONNECT`, each page, DCN.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use super::dce::Answer;
use super::frame::{Capabilities, Frame, fcf, ident_fif};
use super::{FaxTerminal, Page, Rate, SendReport, T1, T2, T4, T30Error, TCF, TRIES, TURNAROUND};

/// The most receptions `send` tries for the called terminal's DIS: T1 over T2, and some.
const DIS_TRIES: usize = 8;

impl<S: AsyncRead + AsyncWrite + Unpin> FaxTerminal<S> {
    /// Sends `pages`, as the calling terminal, once the dial's `CONNECT` was read (the modem
    /// behaves as after `+FRH=3`, T.31 8.3.1): the called terminal's DIS, then DCS and TCF at
    /// the fastest rate both have (one lower after each FTT), each page with MPS or EOP until
    /// MCF, and DCN. The modem stays off-hook: hang up with [`hang_up`](Self::hang_up) or the
    /// call's drop.
    ///
    /// # Errors
    /// [`T30Error::Protocol`] when no DIS comes or a response never does (three tries);
    /// [`T30Error::Refused`] when every rate fails its training or a page is refused (RTN);
    /// [`T30Error::Modem`] when the modem refuses a command.
    pub async fn send(&mut self, pages: &[Page]) -> Result<SendReport, T30Error> {
        let (dis, csi) = self.await_dis().await?;
        let remote = Capabilities::parse(&dis.fif, false)
            .map_err(|e| T30Error::Protocol(format!("the called terminal's DIS: {e}")))?;
        let mut rate = self.train(&remote).await?;
        let mut sent = 0;
        for (i, page) in pages.iter().enumerate() {
            let more = i + 1 < pages.len();
            self.send_page(page, rate, remote.min_scan_ms).await?;
            let retrain = self
                .post_message(if more { fcf::MPS } else { fcf::EOP }, i + 1)
                .await?;
            sent += 1;
            if retrain && more {
                // RTP: received, but phase B again (DCS, TCF) before the next page (T.30 5.3.6.1.4).
                rate = self.train(&remote).await?;
            }
        }
        self.transmit(&[Frame::new(fcf::DCN | fcf::X, &[], true)])
            .await?;
        Ok(SendReport {
            pages: sent,
            rate,
            remote_ident: csi,
        })
    }

    /// The called terminal's first transmission (NSF, CSI, DIS), repeated until T1 runs out
    /// (or [`DIS_TRIES`] receptions came back empty: a modem that answers at once is not in a
    /// call).
    async fn await_dis(&mut self) -> Result<(Frame, String), T30Error> {
        let deadline = tokio::time::Instant::now() + T1;
        let mut connected = true;
        for _ in 0..DIS_TRIES {
            if tokio::time::Instant::now() >= deadline {
                break;
            }
            if let Some(frames) = self.receive_frames(T2, connected).await? {
                let csi = frames
                    .iter()
                    .find(|f| f.kind() == fcf::CSI)
                    .map(Frame::ident)
                    .unwrap_or_default();
                if let Some(dis) = frames.into_iter().find(|f| f.kind() == fcf::DIS) {
                    return Ok((dis, csi));
                }
            }
            connected = false;
        }
        Err(T30Error::Protocol(format!(
            "no DIS from the called terminal within T1 ({} s)",
            T1.as_secs()
        )))
    }

    /// DCS and TCF until CFR, one rate lower after each FTT.
    async fn train(&mut self, remote: &Capabilities) -> Result<Rate, T30Error> {
        let rates: Vec<Rate> = self
            .options
            .rates
            .iter()
            .copied()
            .filter(|r| remote.rates.contains(r))
            .collect();
        let tsi = Frame::new(fcf::TSI | fcf::X, &ident_fif(&self.options.ident), false);
        for rate in &rates {
            let dcs = Capabilities {
                rates: vec![*rate],
                min_scan_ms: remote.min_scan_ms,
                fine: self.options.fine && remote.fine,
            };
            let dcs = Frame::new(fcf::DCS | fcf::X, &dcs.encode(true), true);
            for _ in 0..TRIES {
                self.transmit(&[tsi.clone(), dcs.clone()]).await?;
                self.send_tcf(*rate).await?;
                match self.response().await? {
                    Some(fcf::CFR) => {
                        self.note(format!("trained at {rate}"));
                        return Ok(*rate);
                    }
                    Some(fcf::FTT) => break,
                    Some(fcf::DCN) => {
                        return Err(T30Error::Protocol(
                            "the called terminal ended the call (DCN) after DCS".into(),
                        ));
                    }
                    _ => {}
                }
            }
        }
        let offered: Vec<String> = rates.iter().map(ToString::to_string).collect();
        Err(T30Error::Refused(format!(
            "the training failed at every rate both terminals have ({})",
            offered.join(", ")
        )))
    }

    async fn send_tcf(&mut self, rate: Rate) -> Result<(), T30Error> {
        self.expect(TURNAROUND, T2, Answer::Ok, "turning around")
            .await?;
        let command = format!("AT+FTM={}", rate.t31_code(true));
        self.expect(&command, T2, Answer::Connect, "starting the training")
            .await?;
        let len = (u128::from(rate.bit_rate()) * TCF.as_millis() / 8000) as usize;
        self.note(format!("→ TCF: {len} zero octets at {rate}"));
        self.dce.write_shielded(&vec![0u8; len], true).await?;
        match self.dce.answer(TCF + T2, "the training's end").await? {
            Answer::Ok => Ok(()),
            _ => Err(self.modem_error(&command, "sending TCF")),
        }
    }

    async fn send_page(
        &mut self,
        page: &Page,
        rate: Rate,
        min_scan_ms: u32,
    ) -> Result<(), T30Error> {
        self.expect(TURNAROUND, T2, Answer::Ok, "turning around")
            .await?;
        let command = format!("AT+FTM={}", rate.t31_code(false));
        self.expect(&command, T2, Answer::Connect, "starting the page")
            .await?;
        let data = page.with_fill(rate.bit_rate(), min_scan_ms);
        let air = Duration::from_millis(data.len() as u64 * 8000 / u64::from(rate.bit_rate()));
        self.note(format!(
            "→ page: {} octets, {} lines",
            data.len(),
            page.lines().len()
        ));
        self.dce.write_shielded(&data, true).await?;
        match self.dce.answer(air + T2 + T2, "the page's end").await? {
            Answer::Ok => Ok(()),
            _ => Err(self.modem_error(&command, "sending the page")),
        }
    }

    /// MPS or EOP until MCF or RTP (three tries): true for RTP (retrain before the next page).
    async fn post_message(&mut self, command: u8, page: usize) -> Result<bool, T30Error> {
        for _ in 0..TRIES {
            self.transmit(&[Frame::new(command | fcf::X, &[], true)])
                .await?;
            match self.response().await? {
                Some(fcf::MCF) => return Ok(false),
                Some(fcf::RTP) => return Ok(true),
                Some(fcf::RTN) => {
                    return Err(T30Error::Refused(format!(
                        "the called terminal refused page {page} (RTN)"
                    )));
                }
                Some(fcf::PIN | fcf::PIP) => {
                    return Err(T30Error::Refused(format!(
                        "the called terminal asked for an operator after page {page} (PIN/PIP)"
                    )));
                }
                _ => {}
            }
        }
        Err(T30Error::Protocol(format!(
            "no response to {} after page {page} ({TRIES} tries)",
            super::frame::name(command)
        )))
    }

    /// The called terminal's response: the kind of its last frame, `None` if none came in T4.
    async fn response(&mut self) -> Result<Option<u8>, T30Error> {
        Ok(self
            .receive_frames(T4, false)
            .await?
            .and_then(|frames| frames.last().map(Frame::kind)))
    }
}

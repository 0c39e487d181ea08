//! The called terminal's reception: DIS after the answer's `CONNECT`, training, pages, DCN.

use tokio::io::{AsyncRead, AsyncWrite};

use super::dce::Answer;
use super::frame::{Capabilities, Frame, fcf, ident_fif};
use super::{FaxTerminal, Page, Rate, Received, T2, T4, T30Error, TCF, TRIES};

/// The share of TCF's 1.5 s that must arrive as one run of zeros for the training to pass.
const TCF_PASS: f64 = 0.66;

impl<S: AsyncRead + AsyncWrite + Unpin> FaxTerminal<S> {
    /// Receives a fax, as the called terminal, once the answer's `CONNECT` was read (the modem
    /// behaves as after `+FTH=3`, T.31 8.3.1): CSI and DIS, the caller's DCS and TCF (CFR when
    /// at least two thirds of it arrived as zeros, else FTT), each page with MCF, until EOP and
    /// DCN. The modem stays off-hook.
    ///
    /// # Errors
    /// [`T30Error::Protocol`] when the caller's DCS never comes (three DIS) or a page's
    /// post-message command does not; [`T30Error::Modem`] when the modem refuses a command.
    pub async fn receive(&mut self) -> Result<Received, T30Error> {
        let csi = Frame::new(fcf::CSI, &ident_fif(&self.options.ident), false);
        let dis = Capabilities {
            rates: self.options.rates.clone(),
            min_scan_ms: self.options.min_scan_ms,
            fine: self.options.fine,
        };
        let dis = Frame::new(fcf::DIS, &dis.encode(false), true);
        let (mut rate, tsi) = self.await_dcs(&[csi, dis]).await?;
        // Each rate the caller tries, three times at most.
        let mut trainings = 0;
        loop {
            trainings += 1;
            if trainings > TRIES * Rate::ALL.len() {
                return Err(T30Error::Refused(
                    "the caller's training never passed".into(),
                ));
            }
            let trained = self.receive_tcf(rate).await?;
            let reply = if trained { fcf::CFR } else { fcf::FTT };
            self.transmit(&[Frame::new(reply, &[], true)]).await?;
            if trained {
                self.note(format!("trained at {rate}"));
                break;
            }
            let frames = self
                .receive_frames(T2, false)
                .await?
                .ok_or_else(|| T30Error::Protocol("no new DCS from the caller after FTT".into()))?;
            if frames.iter().any(|f| f.kind() == fcf::DCN) {
                return Err(T30Error::Protocol(
                    "the caller ended the call (DCN) after FTT".into(),
                ));
            }
            if let Some(r) = dcs_rate(&frames) {
                rate = r;
            }
        }
        let mut pages = Vec::new();
        loop {
            let page = self.receive_page(rate).await?;
            pages.push(page);
            let command = self.post_message_command(pages.len()).await?;
            self.transmit(&[Frame::new(fcf::MCF, &[], true)]).await?;
            match command {
                fcf::MPS => continue,
                fcf::EOM => {
                    return Err(T30Error::Protocol(
                        "the caller sent EOM (back to phase B), which this terminal does not do"
                            .into(),
                    ));
                }
                _ => break,
            }
        }
        // DCN; a caller that hangs up without one (or a stream that closes) loses nothing.
        let _ = self.receive_frames(T2, false).await;
        Ok(Received {
            pages,
            rate,
            remote_ident: tsi,
        })
    }

    /// Sends CSI and DIS until the caller's DCS comes (three tries).
    async fn await_dcs(&mut self, first: &[Frame]) -> Result<(Rate, String), T30Error> {
        self.send_frames(first).await?;
        for attempt in 0..TRIES {
            if attempt > 0 {
                self.transmit(first).await?;
            }
            let Some(frames) = self.receive_frames(T4 + T4, false).await? else {
                continue;
            };
            if frames.iter().any(|f| f.kind() == fcf::DCN) {
                return Err(T30Error::Protocol("the caller ended the call (DCN)".into()));
            }
            let tsi = frames
                .iter()
                .find(|f| f.kind() == fcf::TSI)
                .map(Frame::ident)
                .unwrap_or_default();
            if let Some(rate) = dcs_rate(&frames) {
                return Ok((rate, tsi));
            }
        }
        Err(T30Error::Protocol(format!(
            "no DCS from the caller after {TRIES} DIS"
        )))
    }

    /// Receives TCF at `rate`: true when enough of it was zeros.
    async fn receive_tcf(&mut self, rate: Rate) -> Result<bool, T30Error> {
        let Some(data) = self
            .receive_data(rate.t31_code(true), "the training")
            .await?
        else {
            return Ok(false);
        };
        let longest = data.split(|&b| b != 0).map(<[u8]>::len).max().unwrap_or(0);
        let expected = f64::from(rate.bit_rate()) * TCF.as_secs_f64() / 8.0;
        self.note(format!(
            "← TCF: {} octets, {longest} zeros in a row of {expected:.0}",
            data.len()
        ));
        Ok(longest as f64 >= expected * TCF_PASS)
    }

    async fn receive_page(&mut self, rate: Rate) -> Result<Page, T30Error> {
        match self.receive_data(rate.t31_code(false), "the page").await? {
            Some(data) => {
                let page = Page::from_received(&data);
                self.note(format!(
                    "← page: {} octets, {} lines",
                    page.t4().len(),
                    page.lines().len()
                ));
                Ok(page)
            }
            None => Err(T30Error::Protocol(format!(
                "no page carrier ({rate}) after CFR"
            ))),
        }
    }

    /// `+FRM=<code>` and its data up to the carrier's end; `None` when no such carrier came.
    async fn receive_data(&mut self, code: u8, what: &str) -> Result<Option<Vec<u8>>, T30Error> {
        let command = format!("AT+FRM={code}");
        match self.dce.command(&command, T2).await {
            Ok(Answer::Connect) => {}
            Ok(_) => return Ok(None),
            Err(T30Error::Timeout(_)) => {
                self.dce.write(b"\x18").await?;
                let _ = self.dce.answer(T2, "the abandoned +FRM's OK").await;
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        let data = self.dce.shielded(T2, false, what).await?;
        // NO CARRIER when the carrier ends (T.31 8.3.4); OK from some modems.
        let _ = self.dce.answer(T2, "the carrier's end").await?;
        Ok(Some(data))
    }

    /// The caller's command after a page: MPS, EOP or EOM.
    async fn post_message_command(&mut self, page: usize) -> Result<u8, T30Error> {
        for _ in 0..TRIES {
            if let Some(frames) = self.receive_frames(T2, false).await?
                && let Some(kind) = frames
                    .iter()
                    .map(Frame::kind)
                    .find(|k| matches!(*k, fcf::MPS | fcf::EOP | fcf::EOM))
            {
                return Ok(kind);
            }
        }
        Err(T30Error::Protocol(format!(
            "no MPS or EOP from the caller after page {page}"
        )))
    }
}

/// The rate a transmission's DCS chooses.
fn dcs_rate(frames: &[Frame]) -> Option<Rate> {
    let dcs = frames.iter().find(|f| f.kind() == fcf::DCS)?;
    Capabilities::parse(&dcs.fif, true)
        .ok()?
        .rates
        .first()
        .copied()
}

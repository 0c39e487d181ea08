//! Fax sessions the Unimodem way (tapi.md §7): a G3FAX call puts the modem in Class 1 and the
//! application's own T.30 runs over the call's `comm/datamodem` stream, to and from a fax
//! machine on the far line (a simulated Class 1 modem with its own T.30 terminal).

use tsp_sdk::spi::CallParams;
use tsp_sdk::{CallState, MediaModes};
use tsp_sim::t30::{FaxTerminal, Options, Page, Received, T30Error};

use crate::case::{Case, Need};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;
use crate::world::OUR_NUMBER;

/// The page both directions send: 120 white lines (about 420 octets, 0.4 s at 9600 bit/s).
const LINES: usize = 120;

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::required(
            "fax/page_reaches_a_fax_machine/1",
            "on a CONNECTED G3FAX call the application's T.30 over get_id(\"comm/datamodem\") sends a page to a fax machine, which receives it line for line; drop then ends the call in IDLE",
            "TSPI_lineMakeCall, LINEMEDIAMODE_G3FAX, TSPI_lineGetID, TSPI_lineDrop; tapi.md §7; ITU T.30 over T.31 (hayes.md §9)",
            &[Need::G3Fax, Need::DataStream, Need::Class1Fax],
            crate::case_fn!(page_reaches_a_fax_machine),
        ),
        Case::required(
            "fax/answered_call_receives_a_page/1",
            "a fax machine's call is OFFERING as G3FAX on a line detecting G3FAX; once answered and CONNECTED the application's T.30 over get_id(\"comm/datamodem\") receives its page line for line",
            "TSPI_lineSetDefaultMediaDetection, TSPI_lineAnswer, TSPI_lineGetID; tapi.md §7; ITU T.30 over T.31 (hayes.md §9)",
            &[Need::G3Fax, Need::DataStream, Need::Answer, Need::Class1Fax],
            crate::case_fn!(answered_call_receives_a_page),
        ),
    ]
}

/// On a CONNECTED G3FAX call the application's T.30 over `get_id("comm/datamodem")` sends a
/// page to a fax machine, which receives it line for line; drop then ends the call in IDLE.
///
/// Case `fax/page_reaches_a_fax_machine/1`; source: TSPI_lineMakeCall, LINEMEDIAMODE_G3FAX,
/// TSPI_lineGetID, TSPI_lineDrop; tapi.md §7; ITU T.30 over T.31.
pub async fn page_reaches_a_fax_machine(ctx: &mut Ctx) -> Result<(), Failure> {
    let mut machine = FaxTerminal::new(ctx.far_modem()?, Options::new(FAR_NUMBER));
    machine
        .set_up()
        .await
        .map_err(|e| ctx.fail(format!("the far fax machine's set-up: {e}")))?;
    let far = tokio::spawn(async move {
        let got = async {
            machine.answer_when_rung().await?;
            machine.receive().await
        }
        .await;
        (got, machine.log().join("\n"))
    });
    ctx.open().await?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::g3_fax())
        .await?;
    ctx.state(call, CallState::Connected).await?;
    let stream = ctx.data_stream(call).await?;
    let mut app = FaxTerminal::new(stream, Options::new(OUR_NUMBER));
    let page = Page::white(LINES);
    let sent = app.send(std::slice::from_ref(&page)).await;
    let app_log = app.log().join("\n");
    let (received, far_log) = far
        .await
        .map_err(|e| ctx.fail(format!("the far fax machine's task: {e}")))?;
    let sent = sent.map_err(|e| session_failure(ctx, "sending", &e, &app_log, &far_log))?;
    ctx.check(sent.pages == 1, || {
        format!("{} pages confirmed", sent.pages)
    })?;
    let received = received
        .map_err(|e| session_failure(ctx, "the far end receiving", &e, &far_log, &app_log))?;
    same_page(ctx, &received, &page)?;
    ctx.check(received.remote_ident == OUR_NUMBER, || {
        format!("the far end saw TSI {:?}", received.remote_ident)
    })?;
    drop(app);
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}

/// A fax machine's call is OFFERING as G3FAX on a line detecting G3FAX; once answered and
/// CONNECTED the application's T.30 over `get_id("comm/datamodem")` receives its page line for
/// line.
///
/// Case `fax/answered_call_receives_a_page/1`; source: TSPI_lineSetDefaultMediaDetection,
/// TSPI_lineAnswer, TSPI_lineGetID; tapi.md §7; ITU T.30 over T.31.
pub async fn answered_call_receives_a_page(ctx: &mut Ctx) -> Result<(), Failure> {
    let mut machine = FaxTerminal::new(ctx.far_modem()?, Options::new(FAR_NUMBER));
    ctx.open_detecting(MediaModes::G3FAX).await?;
    machine
        .set_up()
        .await
        .map_err(|e| ctx.fail(format!("the far fax machine's set-up: {e}")))?;
    let page = Page::white(LINES);
    let sending = page.clone();
    let far = tokio::spawn(async move {
        let got = async {
            machine.dial(OUR_NUMBER).await?;
            machine.send(std::slice::from_ref(&sending)).await
        }
        .await;
        let _ = machine.hang_up().await;
        (got, machine.log().join("\n"))
    });
    let call = ctx.answer_offered(MediaModes::G3FAX).await?;
    let stream = ctx.data_stream(call).await?;
    let mut app = FaxTerminal::new(stream, Options::new(OUR_NUMBER));
    let received = app.receive().await;
    let app_log = app.log().join("\n");
    let (sent, far_log) = far
        .await
        .map_err(|e| ctx.fail(format!("the far fax machine's task: {e}")))?;
    let received =
        received.map_err(|e| session_failure(ctx, "receiving", &e, &app_log, &far_log))?;
    same_page(ctx, &received, &page)?;
    sent.map_err(|e| session_failure(ctx, "the far end sending", &e, &far_log, &app_log))?;
    ctx.check(received.remote_ident == FAR_NUMBER, || {
        format!("the application saw TSI {:?}", received.remote_ident)
    })?;
    drop(app);
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}

fn same_page(ctx: &Ctx, received: &Received, sent: &Page) -> Result<(), Failure> {
    ctx.check(received.pages.len() == 1, || {
        format!("{} pages arrived, one was sent", received.pages.len())
    })?;
    let got = received.pages[0].lines();
    ctx.check(got == sent.lines(), || {
        format!(
            "the page arrived with {} lines, {} were sent, or different ones",
            got.len(),
            sent.lines().len()
        )
    })
}

fn session_failure(ctx: &Ctx, doing: &str, error: &T30Error, log: &str, other: &str) -> Failure {
    ctx.fail(format!(
        "{doing}: {error}\nthis side's T.30:\n{log}\nthe other side's:\n{other}"
    ))
}

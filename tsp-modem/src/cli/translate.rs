//! `translate`: TAPI's address translation, shown.

use tsp_sdk::dial::{Location, TranslateOptions, translate};

use super::CliError;
use super::args::TranslateArgs;

/// Prints the dialable and displayable strings for the number.
pub(super) fn run(args: &TranslateArgs, base: Location) -> Result<(), CliError> {
    let location = args.location.apply(base);
    let options = if args.secure {
        TranslateOptions::CANCEL_CALL_WAITING
    } else {
        TranslateOptions::empty()
    };
    if args.secure && location.cancel_call_waiting.is_empty() {
        return Err(CliError::usage(
            "--secure needs a cancel-call-waiting code: add --cancel-call-waiting \"*70,\"",
        ));
    }
    let out = translate(&args.number, &location, options)
        .map_err(|e| CliError::step("translate", &args.number, e))?;
    println!("dialable:    {}", out.dialable);
    println!("displayable: {}", out.displayable);
    println!("results:     {:?}", out.results);
    Ok(())
}

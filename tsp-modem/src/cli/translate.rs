//! `translate`: TAPI's address translation, shown.

use tsp_sdk::dial::{Location, TranslateOptions, translate};

use serde::Serialize;

use super::CliError;
use super::args::TranslateArgs;
use super::output::{Output, shorten};

/// `tsp-modem translate --json`.
#[derive(Debug, Serialize)]
struct TranslateReport<'a> {
    /// The number as given.
    number: &'a str,
    /// What to dial (`LINETRANSLATEOUTPUT` dialable string).
    dialable: &'a str,
    /// For people (displayable string).
    displayable: &'a str,
    /// The destination's country code (0 for dialable input).
    dest_country: u32,
    /// The `LINETRANSLATERESULT_*` flags, by name.
    results: Vec<&'a str>,
    /// The same, in words.
    results_words: String,
}

/// Prints the dialable and displayable strings for the number.
pub(super) fn run(args: &TranslateArgs, base: Location, out: Output) -> Result<(), CliError> {
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
    let translated = translate(&args.number, &location, options)
        .map_err(|e| CliError::step("translate", &shorten(&args.number), e))?;
    if out.json {
        let names: Vec<&str> = translated.results.iter_names().map(|(n, _)| n).collect();
        return out.json_line(&TranslateReport {
            number: &args.number,
            dialable: &translated.dialable,
            displayable: &translated.displayable,
            dest_country: translated.dest_country,
            results: names,
            results_words: translated.results.describe(),
        });
    }
    println!("dialable:    {}", translated.dialable);
    println!("displayable: {}", translated.displayable);
    println!("results:     {}", translated.results.describe());
    Ok(())
}

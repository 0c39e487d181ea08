//! `config check`, `completions` and `man`: what an operator installs and starts from.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::CliError;
use super::args::Cli;
use super::output::Output;
use crate::provider::config_check::{Severity, check};

/// `config check FILE`: prints each problem as `FILE:LINE:COLUMN: error: …` (or one JSON object
/// per problem); an error makes it fail with exit code 2.
pub(super) fn config_check(file: &Path, out: Output) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Config(format!("{}: {e}", file.display())))?;
    let problems = check(&text);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    for p in &problems {
        if out.json {
            out.json_line(p)?;
        } else {
            let severity = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            println!(
                "{}:{}:{}: {severity}: {}",
                file.display(),
                p.line,
                p.column,
                p.message
            );
        }
    }
    if errors > 0 {
        return Err(CliError::Config(format!(
            "{}: {errors} error(s), {} warning(s)",
            file.display(),
            problems.len() - errors
        )));
    }
    if !out.json {
        println!(
            "{}: good ({} warning(s))",
            file.display(),
            problems.len() - errors
        );
    }
    Ok(())
}

/// `completions SHELL`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "tsp-modem", &mut std::io::stdout());
    Ok(())
}

/// `man [--dir DIR]`.
pub(super) fn man(dir: Option<&Path>) -> Result<(), CliError> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .map_err(|e| CliError::step("render the man page", "stdout", e))?;
        let _ = std::io::stdout().write_all(&page);
        return Ok(());
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::step("create", &dir.display().to_string(), e))?;
    let mut pages = vec![("tsp-modem".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("tsp-modem-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut text = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut text)
            .map_err(|e| CliError::step("render", &name, e))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::step("write", &path.display().to_string(), e))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

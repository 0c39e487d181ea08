//! `status`: what a server tracks, as tables for people or JSON for scripts.

use comfy_table::{Attribute, Cell, ContentArrangement, Table, presets};
use tsp_sdk::host::Snapshot;
use tsp_sdk::rpc::Client;

use super::CliError;
use super::args::StatusArgs;
use super::output::{Output, colour_on};

pub(super) async fn run(args: &StatusArgs, out: Output) -> Result<(), CliError> {
    let path = args.server.path();
    let shown = path.display().to_string();
    let client = Client::connect(&path).await?;
    let snapshot = client
        .snapshot()
        .await
        .map_err(|e| CliError::step("snapshot", &shown, e))?;
    if out.json {
        out.json_line(&snapshot)?;
    } else {
        print!("{}", render(&snapshot));
    }
    Ok(())
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| {
            let cell = Cell::new(h);
            if colour_on(&std::io::stdout()) {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
    t
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(" ")
    }
}

fn section(out: &mut String, title: &str, t: &Table) {
    out.push_str(title);
    out.push('\n');
    if t.row_count() == 0 {
        out.push_str("  (none)\n\n");
    } else {
        // comfy-table pads every cell, the last column too: no line ends in blanks.
        for line in t.to_string().lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
}

/// The snapshot as tables.
pub(super) fn render(s: &Snapshot) -> String {
    let mut out = String::new();
    if s.reinit_pending {
        out.push_str(
            "REINIT pending: new applications are refused until every one has shut down\n\n",
        );
    }
    let mut lines = table(&[
        "device",
        "line",
        "provider",
        "open",
        "opened by",
        "media",
        "calls",
        "provider saw",
    ]);
    for l in &s.lines {
        let opens: Vec<String> = l
            .opens
            .iter()
            .map(|o| format!("{} ({})", o.app_name, o.privileges.join("|").to_lowercase()))
            .collect();
        let ops: Vec<String> = l
            .provider_operations
            .iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect();
        let open = if l.removed {
            "removed"
        } else if l.open {
            "yes"
        } else {
            "no"
        };
        lines.add_row(vec![
            l.device.to_string(),
            l.name.clone(),
            l.provider.clone(),
            open.into(),
            if opens.is_empty() {
                "-".into()
            } else {
                opens.join(", ")
            },
            list(&l.media_modes),
            l.calls.to_string(),
            if ops.is_empty() {
                "-".into()
            } else {
                ops.join(", ")
            },
        ]);
    }
    section(&mut out, "LINES", &lines);
    let mut apps = table(&[
        "app",
        "name",
        "pid",
        "uid",
        "lines",
        "calls",
        "pending",
        "queued",
        "lost",
        "recipient",
    ]);
    for a in &s.apps {
        let opt = |v: Option<u32>| v.map_or("-".to_owned(), |v| v.to_string());
        apps.add_row(vec![
            a.app.to_string(),
            a.name.clone(),
            opt(a.pid),
            opt(a.uid),
            a.lines.len().to_string(),
            a.calls.len().to_string(),
            a.pending_requests.len().to_string(),
            a.queued_events.to_string(),
            a.events_lost.to_string(),
            if a.request_recipient { "yes" } else { "no" }.into(),
        ]);
    }
    section(&mut out, "APPLICATIONS", &apps);
    let mut calls = table(&[
        "device",
        "call",
        "state",
        "media",
        "placed by",
        "owners",
        "monitors",
    ]);
    for c in &s.calls {
        let names = |h: &[tsp_sdk::host::HolderView]| -> String {
            if h.is_empty() {
                "-".into()
            } else {
                h.iter()
                    .map(|h| h.app_name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let mut state = c.state.clone();
        if c.dropped_by_host {
            state.push_str(" (dropped by the host)");
        }
        calls.add_row(vec![
            c.device.to_string(),
            c.call.to_string(),
            state,
            list(&c.media_modes),
            c.origin_app.clone().unwrap_or_else(|| "(incoming)".into()),
            names(&c.owners),
            names(&c.monitors),
        ]);
    }
    section(&mut out, "CALLS", &calls);
    let mut pending = table(&["request", "app", "operation", "device"]);
    for r in &s.pending_requests {
        pending.add_row(vec![
            r.request.to_string(),
            r.app_name.clone(),
            r.operation.clone(),
            r.device.to_string(),
        ]);
    }
    section(&mut out, "PENDING REQUESTS", &pending);
    let mut recipients = table(&["priority", "app", "modes"]);
    for r in &s.request_recipients {
        let priority = if r.priority == 0 {
            "unlisted".to_owned()
        } else {
            r.priority.to_string()
        };
        recipients.add_row(vec![priority, r.app_name.clone(), list(&r.modes)]);
    }
    section(&mut out, "REQUEST RECIPIENTS", &recipients);
    if !s.assisted_queue.is_empty() {
        let mut queue = table(&["destination", "asked by", "called party", "comment"]);
        for q in &s.assisted_queue {
            queue.add_row(vec![
                q.dest.clone(),
                q.app_name.clone(),
                q.called_party.clone(),
                q.comment.clone(),
            ]);
        }
        section(&mut out, "QUEUED REQUESTS", &queue);
    }
    out
}

//! A two-server capture (`--mapping-url`, `--formal-url`): the same workload captured from
//! a server with CUDA/HIP graphs off (the *mapping* server: every kernel launched by its
//! op, so its Python location is known) and from one with the real serving flags (the
//! *formal* server), then the mapping + formal triage of the two
//! ([`crate::triage::triage_pair`]).
//!
//! Before anything is made, both servers are identified and their graph settings read
//! where they report them ([`crate::graphs`]); a swapped or identical pair is refused with
//! the flags to change, an unknown side is a warning. One capture folder holds `mapping/`
//! and `formal/` (each with its `server_args.json` and stage folders), one `capture.json`
//! and the `report.json`. The mapping server is captured first; `/stop_profile` follows
//! every successful `/start_profile` on either server ([`super::stage`]).

use std::path::Path;

use serde::Serialize;

use super::{CaptureError, Outcome, Session, StageRecord, discover};
use crate::cancel::Cancel;
use crate::graphs::{self, Graphs};
use crate::http::{Client, Exchange};
use crate::options::CaptureOptions;
use crate::progress::{Event, Sink};

/// One server of the pair, identified.
struct Server {
    role: &'static str,
    opts: CaptureOptions,
    client: Client,
    server: discover::Server,
    graphs: Graphs,
}

/// What `capture.json` says of one side.
#[derive(Serialize)]
struct SideRecord<'a> {
    url: &'a str,
    framework: &'static str,
    framework_source: &'a str,
    model: Option<&'a str>,
    graphs: &'a Graphs,
    /// Files are relative to the side's folder.
    stages: &'a [StageRecord],
    requests: Vec<Exchange>,
}

/// `capture.json` of a pair.
#[derive(Serialize)]
struct Record<'a> {
    relay: &'static str,
    options: &'a CaptureOptions,
    mode: &'static str,
    mapping: Option<SideRecord<'a>>,
    formal: Option<SideRecord<'a>>,
    warnings: &'a [String],
    outcome: &'a str,
    message: Option<&'a str>,
}

fn identify(opts: &CaptureOptions, role: &'static str, url: &str) -> Result<Server, CaptureError> {
    let side = CaptureOptions { url: url.to_owned(), mapping_url: None, formal_url: None, ..opts.clone() };
    let client = Client::new(&side.base_url());
    let server = discover::discover(&client, side.framework)
        .map_err(|e| CaptureError::new(format!("the {role} server: {e}")))?;
    super::stage::check_preconditions(server.kind, &side, &client)
        .map_err(|e| CaptureError::new(format!("the {role} server: {e}")))?;
    let graphs = graphs::detect(server.kind, &server.server_args, &client);
    Ok(Server { role, opts: side, client, server, graphs })
}

fn side(s: &Server) -> graphs::Side<'_> {
    graphs::Side { url: &s.opts.url, kind: s.server.kind, graphs: &s.graphs }
}

/// Checks the pair: the graph settings, the frameworks and the models.
fn check(m: &Server, f: &Server) -> Result<Vec<String>, CaptureError> {
    let mut warnings = graphs::check_pair(side(m), side(f)).map_err(CaptureError::new)?;
    if m.server.kind != f.server.kind {
        return Err(CaptureError::new(format!(
            "refused: the mapping server runs {} and the formal server {}: both must serve the same model with \
             the same framework (only the graph setting differs)",
            m.server.kind.label(),
            f.server.kind.label()
        )));
    }
    if m.server.model_label != f.server.model_label {
        warnings.push(format!(
            "the mapping server serves {} and the formal server {}: mapping matches kernels by name, so both \
             should serve the same model",
            m.server.model_label.as_deref().unwrap_or("an unnamed model"),
            f.server.model_label.as_deref().unwrap_or("an unnamed model")
        ));
    }
    Ok(warnings)
}

/// Runs a two-server capture into a new folder under `out`.
///
/// # Errors
/// A refused pair (before anything is made), or anything that stops either capture.
pub fn run(
    opts: &CaptureOptions,
    out: &Path,
    cancel: &Cancel,
    sink: Sink<'_>,
) -> Result<Outcome, CaptureError> {
    let Some((mapping_url, formal_url)) = opts.pair() else {
        return Err(CaptureError::new("a two-server capture needs --mapping-url and --formal-url"));
    };
    let m = identify(opts, "mapping", mapping_url)?;
    let f = identify(opts, "formal", formal_url)?;
    let warnings = check(&m, &f)?;
    let out = super::out_dir(out)?;
    let dir = crate::layout::new_capture_dir(&out, &format!("{}-pair", f.server.kind.id())).map_err(|e| {
        CaptureError::new(format!("cannot create a capture folder in {}: {e}", out.display()))
    })?;
    for w in warnings.iter().chain([&format!(
        "two-server capture: mapping {} ({}), formal {} ({})",
        m.opts.url, m.graphs.source, f.opts.url, f.graphs.source
    )]) {
        sink(Event::Warning { message: w.clone() });
    }
    let mut all_warnings = warnings;
    let mut sessions: Vec<Session<'_>> = Vec::new();
    let mut result = Ok(());
    for side in [&m, &f] {
        let (session, r) = capture_side(side, &dir, cancel, sink);
        sessions.extend(session);
        if let Err(e) = r {
            result = Err(e);
            break;
        }
    }
    for s in &sessions {
        all_warnings.extend(s.warnings.iter().cloned());
    }
    let result = result.and_then(|()| finish(&dir, &sessions, &f, sink));
    let (outcome, message) = match &result {
        Ok(_) => ("done", None),
        Err(e) if e.stop.is_some() => ("interrupted", Some(e.message.as_str())),
        Err(e) => ("failed", Some(e.message.as_str())),
    };
    write_record(
        &dir,
        opts,
        [(&m, sessions.first()), (&f, sessions.get(1))],
        &all_warnings,
        outcome,
        message,
    );
    match result {
        Ok(mut o) => {
            o.warnings = all_warnings;
            sink(Event::Done { dir: dir.display().to_string(), report: "report.json".to_owned() });
            Ok(o)
        }
        Err(mut e) => {
            e.dir = Some(dir);
            Err(e)
        }
    }
}

/// Captures one side into `dir/<role>/`: its session (once one was opened) and how the
/// capture ended.
fn capture_side<'a>(
    side: &'a Server,
    dir: &Path,
    cancel: &'a Cancel,
    sink: Sink<'a>,
) -> (Option<Session<'a>>, Result<(), CaptureError>) {
    let sub = dir.join(side.role);
    let fail = |message: String| Err(CaptureError { message, dir: None, stop: None });
    if let Err(e) = std::fs::create_dir_all(&sub) {
        return (None, fail(format!("cannot create {}: {e}", sub.display())));
    }
    let mut s = match super::open_session(&side.opts, side.client.clone(), &side.server, sub, cancel, sink) {
        Ok(s) => s,
        Err(m) => return (None, fail(m)),
    };
    // Graph-capture traces only matter where graphs replay: the formal side.
    if side.role == "formal" {
        super::collect_capture_traces(&mut s, &side.graphs);
    }
    let r = super::capture_stages(&mut s).map_err(|mut e| {
        e.message = format!("the {} server ({}): {}", side.role, side.opts.url, e.message);
        e
    });
    (Some(s), r)
}

/// The mapping + formal triage of both sides, written as `report.json`.
fn finish(dir: &Path, sessions: &[Session<'_>], f: &Server, sink: Sink<'_>) -> Result<Outcome, CaptureError> {
    let (Some(ms), Some(fs)) = (sessions.first(), sessions.get(1)) else {
        return Err(CaptureError::new("both servers must be captured before the triage"));
    };
    let server_args =
        report::engine::analysis::framework::ServerArgs::parse(&f.server.server_args.to_string());
    let settings = crate::triage::Settings {
        kind: f.server.kind,
        server_args: server_args.as_ref(),
        server_log: f.opts.server_log.as_deref(),
        all_ranks: f.opts.all_ranks,
        min_share: f.opts.min_share,
    };
    let t = crate::triage::triage_pair(dir, &super::captured(ms), &super::captured(fs), &settings)
        .map_err(|m| CaptureError { message: m, dir: Some(dir.to_path_buf()), stop: None })?;
    sink(Event::Triage { files: t.traces.clone() });
    for w in &t.warnings {
        sink(Event::Warning { message: w.clone() });
    }
    super::write_report(dir, &t.report)?;
    Ok(Outcome {
        dir: dir.to_path_buf(),
        markdown: report::markdown::render(&t.report),
        report: t.report,
        traces: t.traces,
        warnings: Vec::new(),
    })
}

fn side_record<'a>(s: &'a Session<'_>, srv: &'a Server) -> Option<SideRecord<'a>> {
    Some(SideRecord {
        url: &srv.opts.url,
        framework: srv.server.kind.id(),
        framework_source: &srv.server.kind_source,
        model: srv.server.model_label.as_deref(),
        graphs: &srv.graphs,
        stages: &s.stages,
        requests: s.client.exchanges(),
    })
}

fn write_record(
    dir: &Path,
    opts: &CaptureOptions,
    sides: [(&Server, Option<&Session<'_>>); 2],
    warnings: &[String],
    outcome: &str,
    message: Option<&str>,
) {
    let [(m, ms), (f, fs)] = sides;
    let record = Record {
        relay: concat!("tracetriage-relay ", env!("CARGO_PKG_VERSION")),
        options: opts,
        mode: "mapping-formal",
        mapping: ms.and_then(|s| side_record(s, m)),
        formal: fs.and_then(|s| side_record(s, f)),
        warnings,
        outcome,
        message,
    };
    let text = serde_json::to_string_pretty(&record).unwrap_or_else(|_| "{}".to_owned());
    // Best effort: a failed write must not hide the capture's own error.
    let _ = std::fs::write(dir.join("capture.json"), format!("{text}\n"));
}

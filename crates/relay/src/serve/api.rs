//! The API routes under `/api/v1` (documented in docs/relay-api.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use report::live::CaptureFile;
use report::live::CaptureFiles;
use report::live::End;
use report::live::FrameworkInfo;
use report::live::Info;
use report::live::JobList;
use report::live::PROTOCOL_HEADER;
use report::live::StageKind;
use report::live::Started;
use report::live::Status;
use tiny_http::{Method, Request};

use super::jobs::{self, Job, JobState};
use super::web::{self, json_error};
use super::{API, Incoming, PROTOCOL, State};
use crate::cancel::Cancel;
use crate::layout;
use crate::options::{CaptureOptions, Workload};

/// Longest long-poll wait.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Keep-alive comment interval of event streams.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Dispatches an authorised API request.
pub fn route(state: &State, req: Request, inc: &Incoming) {
    let cors = inc.cors.as_deref();
    let Some(rest) = inc.path.strip_prefix(API) else {
        let _ = req.respond(json_error(
            404,
            &format!("unknown API path {}; this relay speaks protocol {PROTOCOL} under {API}/", inc.path),
            cors,
        ));
        return;
    };
    let parts: Vec<&str> = rest.trim_start_matches('/').splitn(4, '/').collect();
    match (&inc.method, parts.as_slice()) {
        (Method::Get, ["info"]) => {
            let _ = req.respond(web::json(200, &info(state), cors));
        }
        (Method::Get, ["captures"]) => {
            let list = JobList { captures: jobs_list(state).iter().map(|j| j.summary()).collect() };
            let _ = req.respond(web::json(200, &list, cors));
        }
        (Method::Post, ["captures"]) => start(state, req, inc),
        (method, ["captures", id, tail @ ..]) => {
            let Some(job) = find(state, id) else {
                let _ = req.respond(json_error(404, &format!("no capture {id}"), cors));
                return;
            };
            match (method, tail) {
                (Method::Get, []) => status(req, inc, &job),
                (Method::Get, ["events"]) => events(req, inc, &job),
                (Method::Post, ["cancel"]) => {
                    job.cancel.cancel();
                    let _ = req.respond(web::json(202, &job.summary(), cors));
                }
                (Method::Get, ["files"]) => files(state, req, inc, &job),
                (Method::Get, ["files", rel]) => file(state, req, inc, &job, rel),
                (Method::Get, ["report"]) => file(state, req, inc, &job, "report.json"),
                _ => {
                    let _ = req.respond(json_error(404, &format!("unknown API path {}", inc.path), cors));
                }
            }
        }
        _ => {
            let _ = req.respond(json_error(
                404,
                &format!("unknown API path {} for {}", inc.path, inc.method),
                cors,
            ));
        }
    }
}

fn info(state: &State) -> Info<CaptureOptions> {
    let framework = |id: &str, label: &str, path: Option<&str>| FrameworkInfo {
        id: id.to_owned(),
        label: label.to_owned(),
        needs_server_trace_path: path.is_some(),
        server_trace_path: path.map(str::to_owned),
    };
    Info {
        protocol: PROTOCOL,
        relay: concat!("tracetriage-relay ", env!("CARGO_PKG_VERSION")).to_owned(),
        capture_folder: state.out.display().to_string(),
        busy: jobs_list(state).iter().any(|j| j.state() == JobState::Running),
        frameworks: vec![
            framework("auto", "Detect", None),
            framework("sglang", "SGLang", None),
            framework(
                "vllm",
                "vLLM",
                Some("the server's torch_profiler_dir (from --profiler-config), as this machine sees it"),
            ),
            framework(
                "trtllm",
                "TensorRT-LLM",
                Some("the file named by TLLM_TORCH_PROFILE_TRACE, as this machine sees it"),
            ),
            framework("tokenspeed", "TokenSpeed", None),
        ],
        workloads: Workload::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_owned())
            .collect(),
        defaults: CaptureOptions::default(),
    }
}

fn jobs_list(state: &State) -> Vec<Arc<Job>> {
    state.jobs.lock().map(|j| j.clone()).unwrap_or_default()
}

fn find(state: &State, id: &str) -> Option<Arc<Job>> {
    jobs_list(state).into_iter().find(|j| j.id == id)
}

fn start(state: &State, req: Request, inc: &Incoming) {
    let cors = inc.cors.as_deref();
    let opts: CaptureOptions = match serde_json::from_slice(&inc.body) {
        Ok(o) => o,
        Err(e) => {
            let _ = req.respond(json_error(400, &format!("bad capture options: {e}"), cors));
            return;
        }
    };
    if let Err(e) = opts.validate() {
        let _ = req.respond(json_error(400, &e, cors));
        return;
    }
    let job = {
        let Ok(mut list) = state.jobs.lock() else {
            let _ = req.respond(json_error(500, "internal error", cors));
            return;
        };
        if let Some(running) = list.iter().find(|j| j.state() == JobState::Running) {
            let _ = req.respond(json_error(
                409,
                &format!("capture {} is still running; one capture at a time", running.id),
                cors,
            ));
            return;
        }
        let job = Arc::new(Job::new(jobs::random_hex(6), opts));
        list.push(Arc::clone(&job));
        job
    };
    let out = state.out.clone();
    let worker = Arc::clone(&job);
    std::thread::spawn(move || run_job(&worker, &out));
    let id = &job.id;
    let body = Started {
        id: id.clone(),
        state: JobState::Running,
        status: format!("{API}/captures/{id}"),
        events: format!("{API}/captures/{id}/events"),
    };
    let _ = req.respond(web::json(202, &body, cors));
}

fn run_job(job: &Arc<Job>, out: &Path) {
    let sink_job = Arc::clone(job);
    let sink = move |e| sink_job.push(e);
    let cancel: &Cancel = &job.cancel;
    // A panic must not leave the job "running" forever (the capture's stop guard has
    // already sent /stop_profile while unwinding).
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::capture::run(&job.options, out, cancel, &sink)
    }));
    match result {
        Ok(r) => job.finish(r.map(|o| o.dir).map_err(|e| (e.message, e.dir, e.stop))),
        Err(_) => job.finish(Err((
            "internal error in the relay (a bug); /stop_profile was sent if the profiler was armed, and \
             nothing was deleted"
                .to_owned(),
            None,
            None,
        ))),
    }
}

fn since(inc: &Incoming) -> usize {
    inc.param("since").and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn status(req: Request, inc: &Incoming, job: &Job) {
    let from = since(inc);
    if let Some(ms) = inc.param("wait_ms").and_then(|s| s.parse::<u64>().ok()) {
        job.wait(from, Duration::from_millis(ms).min(MAX_WAIT));
    }
    let (state, dir, events, next) = job.snapshot(from);
    let body = Status {
        id: job.id.clone(),
        state,
        options: &job.options,
        dir: dir.map(|d| d.display().to_string()),
        events,
        next,
        report: (state == JobState::Done).then(|| format!("{API}/captures/{}/report", job.id)),
    };
    let _ = req.respond(web::json(200, &body, inc.cors.as_deref()));
}

/// Server-sent events: one `progress` event per capture event, then `end`.
fn events(req: Request, inc: &Incoming, job: &Job) {
    let mut next = since(inc);
    let mut head = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n",
    );
    head.push_str(&format!("{PROTOCOL_HEADER}: {PROTOCOL}\r\nX-Content-Type-Options: nosniff\r\n"));
    if let Some(o) = &inc.cors {
        head.push_str(&format!("Access-Control-Allow-Origin: {o}\r\nVary: Origin\r\n"));
    }
    head.push_str("\r\n");
    // The stream ends with the connection (`Connection: close`): tiny_http would keep it
    // open for a next request, so it is shut down here once `end` is written.
    let closer = req.closer();
    let close = || {
        if let Some(c) = &closer {
            c.close();
        }
    };
    let mut w = req.into_writer();
    if w.write_all(head.as_bytes()).and_then(|()| w.flush()).is_err() {
        close();
        return;
    }
    loop {
        job.wait(next, HEARTBEAT);
        let (st, _, events, n) = job.snapshot(next);
        let mut chunk = String::new();
        for e in &events {
            let data = serde_json::to_string(e).unwrap_or_else(|_| "{}".to_owned());
            chunk.push_str(&format!("id: {}\nevent: progress\ndata: {data}\n\n", e.seq));
        }
        next = n;
        let ended = st != JobState::Running;
        if ended {
            let end = serde_json::to_string(&End { state: st }).unwrap_or_else(|_| "{}".to_owned());
            chunk.push_str(&format!("event: end\ndata: {end}\n\n"));
        } else if events.is_empty() {
            chunk.push_str(": keep-alive\n\n");
        }
        if w.write_all(chunk.as_bytes()).and_then(|()| w.flush()).is_err() || ended {
            close();
            return;
        }
    }
}

/// The job's folder, checked to be inside the capture folder.
fn job_dir(state: &State, job: &Job) -> Option<PathBuf> {
    let (_, dir, _, _) = job.snapshot(usize::MAX);
    let dir = dir?.canonicalize().ok()?;
    dir.starts_with(&state.out).then_some(dir)
}

fn files(state: &State, req: Request, inc: &Incoming, job: &Job) {
    let cors = inc.cors.as_deref();
    let Some(dir) = job_dir(state, job) else {
        let body = CaptureFiles { dir: None, state: job.state(), files: Vec::new() };
        let _ = req.respond(web::json(200, &body, cors));
        return;
    };
    let found = native::walk::Walk::new(3).no_links().lenient().files(&dir).unwrap_or_default();
    let mut files: Vec<CaptureFile> = found
        .iter()
        .map(|p| {
            let rel = layout::relative(&dir, p);
            let stage = [StageKind::Prefill, StageKind::Decode]
                .into_iter()
                // `prefill/…`, or `mapping/prefill/…` in a two-server capture.
                .find(|s| rel.split('/').take(2).any(|c| c == s.id()));
            CaptureFile {
                bytes: std::fs::metadata(p).map_or(0, |m| m.len()),
                trace: native::discover::is_candidate(p),
                stage,
                url: format!("{API}/captures/{}/files/{}", job.id, super::percent_encode_path(&rel)),
                path: rel,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let body = CaptureFiles { dir: Some(dir.display().to_string()), state: job.state(), files };
    let _ = req.respond(web::json(200, &body, cors));
}

fn file(state: &State, req: Request, inc: &Incoming, job: &Job, rel: &str) {
    let cors = inc.cors.as_deref();
    let Some(dir) = job_dir(state, job) else {
        let _ = req.respond(json_error(404, "this capture has no folder yet", cors));
        return;
    };
    let Some(rel) = super::percent_decode(rel, false) else {
        let _ = req.respond(json_error(400, "bad path encoding", cors));
        return;
    };
    match layout::safe_join(&dir, &rel) {
        Some(p) if p.starts_with(&state.out) => web::send_file(req, &p, cors, true),
        _ => {
            let _ = req.respond(json_error(
                404,
                &format!("no file {rel:?} in this capture (paths are relative to its folder; no '..')"),
                cors,
            ));
        }
    }
}

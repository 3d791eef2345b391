//! One stage capture: warm-up, the guard's plan, `/start_profile`, the profiled
//! requests, `/stop_profile` (always, through [`StopGuard`]), the flush wait, and moving
//! the server's files into the capture folder.
//!
//! Prefill: `num_steps` requests of `prefill_input_len` tokens and `prefill_output_len`
//! output tokens, one after another while armed; the request count bounds the profiled
//! steps. Decode: one streamed request of `decode_output_len` tokens is started first; the
//! profiler is armed once two tokens have arrived (the request is decoding), and stopped
//! after `num_steps + 1` more tokens (SGLang also stops itself after `num_steps + 1`
//! forwards); then the request is closed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::cancel::Stop;
use crate::capture::{CaptureError, Session, StageRecord};
use crate::flush::{self, FlushError, Target, WaitOptions, Watcher};
use crate::framework::Kind;
use crate::guard::{self, Decision};
use crate::http::{Client, Failure, HttpError, Reply, StreamEvent};
use crate::options::{CaptureOptions, StageKind};
use crate::probe::{self, Measured, ProbeError};
use crate::progress::Event;

/// Tokens a decode request must have produced before the profiler is armed.
const LEAD_TOKENS: u32 = 2;
/// Timeout of `/start_profile`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Timeout of `/stop_profile` after Ctrl-C or a cancellation.
const STOP_TIMEOUT_WHEN_STOPPING: Duration = Duration::from_secs(10);

/// Whether the URL's host is this machine.
#[must_use]
pub fn is_loopback(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let host_port = rest.split('/').next().unwrap_or("");
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// Checks what a framework needs before anything is sent to it.
///
/// # Errors
/// What is missing and how to provide it.
pub fn check_preconditions(kind: Kind, opts: &CaptureOptions, _client: &Client) -> Result<(), String> {
    match kind {
        Kind::Sglang | Kind::Tokenspeed => Ok(()),
        Kind::Vllm => {
            let Some(p) = &opts.server_trace_path else {
                return Err("vLLM writes its traces into its own torch_profiler_dir: start the server with \
                     --profiler-config '{\"profiler\": \"torch\", \"torch_profiler_dir\": \"/shared/traces\"}' \
                     (vLLM 0.10 and older: VLLM_TORCH_PROFILER_DIR=/shared/traces) and pass that folder, as \
                     this machine sees it, with --server-trace-path"
                    .to_owned());
            };
            if !p.is_dir() {
                return Err(format!(
                    "--server-trace-path {} is not a folder on this machine: it must be the vLLM server's \
                     torch_profiler_dir (from --profiler-config), shared with this machine",
                    p.display()
                ));
            }
            Ok(())
        }
        Kind::Trtllm => {
            let Some(p) = &opts.server_trace_path else {
                return Err("TensorRT-LLM writes one trace file, at TLLM_TORCH_PROFILE_TRACE: start trtllm-serve \
                     with TLLM_PROFILE_START_STOP=<start>-<stop> and TLLM_TORCH_PROFILE_TRACE=/shared/traces/trace.json \
                     and pass that file path, as this machine sees it, with --server-trace-path"
                    .to_owned());
            };
            if p.is_dir() {
                return Err(format!(
                    "--server-trace-path {} is a folder; TLLM_TORCH_PROFILE_TRACE names a file, e.g. {}",
                    p.display(),
                    p.join("trace.json").display()
                ));
            }
            match p.parent() {
                Some(d) if d.as_os_str().is_empty() || d.is_dir() => Ok(()),
                _ => Err(format!(
                    "the folder of --server-trace-path {} does not exist on this machine; it must be where \
                     the server's TLLM_TORCH_PROFILE_TRACE file is written, shared with this machine",
                    p.display()
                )),
            }
        }
    }
}

/// Sends `/stop_profile` once; if it was never sent (an early return, a panic), dropping
/// the guard sends it.
pub struct StopGuard {
    client: Client,
    sent: bool,
}

impl StopGuard {
    fn new(client: Client) -> StopGuard {
        StopGuard { client, sent: false }
    }

    fn send(&mut self, timeout: Duration) -> Result<Reply, HttpError> {
        self.sent = true;
        self.client.post("/stop_profile", None, timeout)
    }
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        if !self.sent {
            self.sent = true;
            let _ = self.client.post("/stop_profile", None, STOP_TIMEOUT_WHEN_STOPPING);
        }
    }
}

/// Why a request did not give a measurement.
enum ReqError {
    Stop(Stop),
    Probe(ProbeError),
    /// The server's log says the diffusers backend ran (the diffusion backend gate).
    Gate(report::gate::Refusal),
}

impl ReqError {
    fn text(&self) -> String {
        match self {
            ReqError::Stop(s) => stop_word(*s).to_owned(),
            ReqError::Probe(p) => p.to_string(),
            ReqError::Gate(r) => r.to_string(),
        }
    }

    fn stop(&self) -> Option<Stop> {
        match self {
            ReqError::Stop(s) => Some(*s),
            ReqError::Probe(_) | ReqError::Gate(_) => None,
        }
    }
}

/// The diffusion backend gate on the server's log, now (`at_once`) or at most every
/// 100 ms.
fn gate(s: &mut Session<'_>, at_once: bool) -> Result<(), ReqError> {
    let Some(w) = s.log_watch.as_mut() else { return Ok(()) };
    let refusal = if at_once { w.poll() } else { w.check() };
    refusal.map_or(Ok(()), |r| Err(ReqError::Gate(r)))
}

fn stop_word(s: Stop) -> &'static str {
    match s {
        Stop::Interrupted => "interrupted (Ctrl-C)",
        Stop::Cancelled => "cancelled",
        Stop::Lost => "a helper thread failed",
    }
}

/// Runs one stage; its record is kept in the session whatever happens.
///
/// # Errors
/// See [`CaptureError`].
pub fn run(s: &mut Session<'_>, stage: StageKind) -> Result<(), CaptureError> {
    let mut rec = StageRecord { stage: Some(stage), ..StageRecord::default() };
    let r = run_inner(s, stage, &mut rec);
    s.stages.push(rec);
    r
}

fn stage_dir(s: &Session<'_>, stage: StageKind) -> PathBuf {
    s.dir.join(stage.id())
}

fn target(s: &Session<'_>, stage: StageKind) -> Target {
    match (s.kind, &s.opts.server_trace_path) {
        (Kind::Vllm, Some(p)) => Target::Dir(p.clone()),
        (Kind::Trtllm, Some(p)) => Target::File(p.clone()),
        _ => Target::Dir(stage_dir(s, stage)),
    }
}

/// Where the server writes, in words.
fn destination(s: &Session<'_>, stage: StageKind) -> String {
    match target(s, stage) {
        Target::Dir(d) => d.display().to_string(),
        Target::File(f) => f.display().to_string(),
    }
}

fn run_inner(s: &mut Session<'_>, stage: StageKind, rec: &mut StageRecord) -> Result<(), CaptureError> {
    let dir = stage_dir(s, stage);
    std::fs::create_dir_all(&dir)
        .map_err(|e| CaptureError::new(format!("cannot create {}: {e}", dir.display())))?;
    let mut watcher = Watcher::new(target(s, stage));
    let (step_s, step_source, words) = warm_up(s, stage, rec)?;
    let step_word = match stage {
        StageKind::Prefill => "requests",
        StageKind::Decode => "decode steps",
    };
    let decision = guard::decide(s.opts.num_steps, step_s, &step_source, &s.rate, s.opts.max_trace_mb);
    let (est, refused) = match decision {
        Decision::Go(e) => (e, false),
        Decision::Refuse(e) => (e, true),
    };
    rec.bound = match stage {
        StageKind::Prefill => format!(
            "{} requests of {} output token(s) each, sent one after another while armed",
            est.steps, s.opts.prefill_output_len
        ),
        StageKind::Decode => s.kind.decode_bound(est.steps),
    };
    let text = if refused {
        format!("{}; REFUSED: even one step is over the budget", est.text(step_word))
    } else {
        format!("{}; steps bounded {}{}", est.text(step_word), rec.bound, s.plan_note)
    };
    s.emit(Event::Plan {
        stage,
        steps: est.steps,
        asked: est.asked,
        estimate_mb: est.json_bytes / 1e6,
        flush_s: est.flush_s,
        text,
    });
    rec.estimate = Some(est.clone());
    if refused {
        return Err(CaptureError::new(format!(
            "refused: the {} capture is estimated at {:.1} MB of JSON for a single step, over the {:.0} MB \
             budget ({}). Nothing was armed. Raise --max-trace-mb, or make a step cheaper (a shorter \
             --prefill-input-len).",
            stage.id(),
            est.json_bytes / 1e6,
            s.opts.max_trace_mb,
            est.text(step_word)
        )));
    }
    let flush_timeout = Duration::from_secs_f64(guard::flush_timeout_s(s.opts.flush_timeout_s, est.flush_s));
    match stage {
        StageKind::Prefill => prefill(s, stage, est.steps, words, rec, flush_timeout)?,
        StageKind::Decode => decode(s, stage, est.steps, words, rec, flush_timeout)?,
    }
    flush_and_collect(s, stage, &mut watcher, rec, flush_timeout)
}

fn request(s: &mut Session<'_>, prompt: String, max_tokens: u32) -> Result<Measured, ReqError> {
    gate(s, true)?;
    let client = s.client.clone();
    let model = s.model.clone();
    let timeout = s.request_timeout();
    if let Some(d) = s.dialect {
        let r = s.cancel.run(move || probe::send(&client, d, &model, &prompt, max_tokens, timeout));
        return r.map_err(ReqError::Stop)?.map_err(ReqError::Probe);
    }
    let native = s.kind.native_generate();
    let r = s.cancel.run(move || probe::negotiate(&client, native, &model, &prompt, max_tokens, timeout));
    let (d, m) = r.map_err(ReqError::Stop)?.map_err(ReqError::Probe)?;
    s.dialect = Some(d);
    Ok(m)
}

fn before_arm(stage: StageKind, e: &ReqError) -> CaptureError {
    let message = match e {
        ReqError::Gate(r) => {
            format!("{r} (seen in the log during the {} warm-up; nothing was armed)", stage.id())
        }
        _ => format!("{} warm-up failed before the profiler was armed: {}", stage.id(), e.text()),
    };
    CaptureError { message, dir: None, stop: e.stop() }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn warm_up(
    s: &mut Session<'_>,
    stage: StageKind,
    rec: &mut StageRecord,
) -> Result<(f64, String, u32), CaptureError> {
    let total = s.opts.warmup_steps;
    match stage {
        StageKind::Prefill => {
            let target = s.opts.prefill_input_len;
            let mut words = target;
            let mut lat = Vec::new();
            for i in 0..total {
                let prompt = s.prompts.next(words);
                let m = request(s, prompt, s.opts.prefill_output_len).map_err(|e| before_arm(stage, &e))?;
                if i == 0 {
                    rec.prompt_tokens = m.prompt_tokens;
                    if let Some(t) = m.prompt_tokens {
                        words = probe::calibrate(target, words, t);
                    }
                }
                lat.push(m.seconds);
                s.emit(Event::WarmUp { stage, done: i + 1, total });
            }
            rec.prompt_words = words;
            if lat.is_empty() {
                return Ok((1.0, "assumed, no warm-up".to_owned(), words));
            }
            let n = lat.len();
            // The first request may include one-time costs; leave it out when there are more.
            let step = if n > 1 { median(lat.get_mut(1..).unwrap_or(&mut [])) } else { median(&mut lat) };
            Ok((step, format!("median of {} warm-up requests", n.saturating_sub(1).max(1)), words))
        }
        StageKind::Decode => {
            let mut words = s.opts.decode_input_len;
            if total == 0 {
                if s.dialect.is_none() {
                    // Find the request dialect before the streamed request needs it.
                    let prompt = s.prompts.next(words);
                    request(s, prompt, 1).map_err(|e| before_arm(stage, &e))?;
                }
                rec.prompt_words = words;
                return Ok((0.1, "assumed, no warm-up".to_owned(), words));
            }
            let prompt = s.prompts.next(words);
            let m = request(s, prompt, total).map_err(|e| before_arm(stage, &e))?;
            s.emit(Event::WarmUp { stage, done: 1, total: 1 });
            rec.prompt_tokens = m.prompt_tokens;
            if let Some(t) = m.prompt_tokens
                && s.opts.decode_input_len > 2
            {
                words = probe::calibrate(s.opts.decode_input_len, words, t);
            }
            rec.prompt_words = words;
            let tokens = m.completion_tokens.filter(|&t| t > 0).unwrap_or(u64::from(total));
            Ok((
                m.seconds / tokens as f64,
                format!("warm-up request: {:.0} ms for {tokens} tokens", m.seconds * 1e3),
                words,
            ))
        }
    }
}

fn arm(s: &mut Session<'_>, stage: StageKind, steps: u32) -> Result<StopGuard, CaptureError> {
    let dir = stage_dir(s, stage);
    let body = s.kind.start_body(&dir, &s.opts.prefix, stage, steps);
    match s.client.post("/start_profile", body.as_ref(), START_TIMEOUT) {
        Ok(r) if r.ok() => {
            s.emit(Event::Armed { stage });
            Ok(StopGuard::new(s.client.clone()))
        }
        Ok(r) => Err(CaptureError::new(format!(
            "{} refused POST /start_profile with {}: {}. {}. Nothing was captured.",
            s.kind.label(),
            r.status,
            r.snippet(),
            s.kind.start_hint(r.status)
        ))),
        Err(e) if e.failure == Failure::Unreachable => Err(CaptureError::new(format!(
            "the server stopped answering before the profiler was armed: {e}. Nothing was captured."
        ))),
        Err(e) => {
            // The profiler may have started; stop it.
            let stop = s.client.post("/stop_profile", None, STOP_TIMEOUT_WHEN_STOPPING);
            Err(CaptureError::new(format!(
                "POST /start_profile got no answer ({e}); /stop_profile was sent in case it started ({}).",
                stop_text(&stop)
            )))
        }
    }
}

fn stop_text(r: &Result<Reply, HttpError>) -> String {
    match r {
        Ok(r) if r.ok() => format!("answered {}", r.status),
        Ok(r) => format!("answered {}: {}", r.status, r.snippet()),
        Err(e) => format!("not delivered: {e}"),
    }
}

/// Sends `/stop_profile` and reports it.
fn stop_now(
    s: &mut Session<'_>,
    stage: StageKind,
    guard: &mut StopGuard,
    rec: &mut StageRecord,
    timeout: Duration,
) -> Result<Reply, HttpError> {
    let timeout = if s.cancel.check().is_some() { STOP_TIMEOUT_WHEN_STOPPING } else { timeout };
    let r = guard.send(timeout);
    rec.stop_status = r.as_ref().ok().map(|r| r.status);
    let note = match &r {
        Ok(r) if r.ok() => String::new(),
        Ok(r) if s.kind == Kind::Sglang => format!(
            "SGLang answers so when its profiler already stopped by itself after num_steps: {}",
            r.snippet()
        ),
        Ok(r) => format!("{}; waiting for the trace anyway", r.snippet()),
        Err(e) => format!("not delivered: {e}"),
    };
    if let Ok(r) = &r
        && !r.ok()
        && s.kind != Kind::Sglang
    {
        let message = format!("{} answered /stop_profile with {}: {}", s.kind.label(), r.status, r.snippet());
        s.emit(Event::Warning { message });
    }
    s.emit(Event::Stopped { stage, status: rec.stop_status, note });
    r
}

/// The error for a failure while armed (after `/stop_profile` was sent).
fn after_arm(
    s: &Session<'_>,
    stage: StageKind,
    e: &ReqError,
    stop: &Result<Reply, HttpError>,
) -> CaptureError {
    let dest = destination(s, stage);
    let what = match e {
        ReqError::Gate(r) => format!("{r} (seen in the log while profiling the {} stage)", stage.id()),
        ReqError::Stop(st) => format!("{} while profiling the {} stage", stop_word(*st), stage.id()),
        ReqError::Probe(ProbeError::Http(h)) if h.failure != Failure::Timeout => {
            format!("the server stopped answering during the {} capture ({h})", stage.id())
        }
        ReqError::Probe(p) => format!("a {} probe failed: {p}", stage.id()),
    };
    let kept = list_files(&target(s, stage));
    CaptureError {
        message: format!(
            "{what}; /stop_profile {}. Nothing was deleted: whatever the server flushed stays in {dest} \
             ({kept}).",
            stop_text(stop)
        ),
        dir: None,
        stop: e.stop(),
    }
}

/// The trace files at a target right now, in words.
fn list_files(t: &Target) -> String {
    let files = match t {
        Target::File(f) => vec![f.clone()],
        Target::Dir(d) => native::walk::Walk::new(0).lenient().files(d).unwrap_or_default(),
    };
    let v: Vec<String> = files
        .iter()
        .filter(|p| native::discover::is_trace_file(p))
        .filter_map(|p| {
            let m = std::fs::metadata(p).ok().filter(std::fs::Metadata::is_file)?;
            Some(format!("{} {}", p.display(), report::format::bytes(m.len())))
        })
        .collect();
    if v.is_empty() { "no trace file there yet".to_owned() } else { v.join(", ") }
}

fn prefill(
    s: &mut Session<'_>,
    stage: StageKind,
    steps: u32,
    words: u32,
    rec: &mut StageRecord,
    stop_timeout: Duration,
) -> Result<(), CaptureError> {
    let mut guard = arm(s, stage, steps)?;
    let armed_at = Instant::now();
    let mut failure = None;
    for i in 0..steps {
        let prompt = s.prompts.next(words);
        match request(s, prompt, s.opts.prefill_output_len) {
            Ok(_) => {
                rec.probed = i + 1;
                s.emit(Event::Probes { stage, done: i + 1, total: steps, unit: "requests".to_owned() });
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let stop = stop_now(s, stage, &mut guard, rec, stop_timeout);
    rec.armed_s = armed_at.elapsed().as_secs_f64();
    match failure {
        Some(e) => Err(after_arm(s, stage, &e, &stop)),
        None => Ok(()),
    }
}

fn decode(
    s: &mut Session<'_>,
    stage: StageKind,
    steps: u32,
    words: u32,
    rec: &mut StageRecord,
    stop_timeout: Duration,
) -> Result<(), CaptureError> {
    let dialect = s.dialect.unwrap_or(probe::Dialect::Completions);
    let prompt = s.prompts.next(words);
    let rx =
        probe::stream(&s.client, dialect, &s.model, &prompt, s.opts.decode_output_len, s.request_timeout());
    let deadline = Instant::now() + s.request_timeout();
    // Wait until the request is decoding.
    let mut lead = 0;
    while lead < LEAD_TOKENS {
        match next_event(s, &rx, deadline) {
            Ok(StreamEvent::Chunk) => lead += 1,
            Ok(StreamEvent::End) => {
                return Err(CaptureError::new(format!(
                    "the decode request ended after {lead} token(s), before the profiler could be armed; \
                     nothing was captured (does the server honour max_tokens / ignore_eos?)"
                )));
            }
            Ok(StreamEvent::Failed(m)) => return Err(CaptureError::new(m)),
            Err(e) => return Err(before_arm(stage, &e)),
        }
    }
    let mut guard = arm(s, stage, steps)?;
    let armed_at = Instant::now();
    let target = steps + 1;
    let mut got = 0;
    let mut failure = None;
    let mut ended_early = false;
    while got < target {
        match next_event(s, &rx, deadline) {
            Ok(StreamEvent::Chunk) => {
                got += 1;
                rec.probed = got;
                if got <= steps {
                    s.emit(Event::Probes { stage, done: got, total: steps, unit: "decode steps".to_owned() });
                }
            }
            Ok(StreamEvent::End) => {
                ended_early = true;
                break;
            }
            Ok(StreamEvent::Failed(m)) => {
                failure = Some(ReqError::Probe(ProbeError::Http(HttpError {
                    failure: Failure::Broken,
                    message: m,
                })));
                break;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let stop = stop_now(s, stage, &mut guard, rec, stop_timeout);
    rec.armed_s = armed_at.elapsed().as_secs_f64();
    // Closing the stream makes the server abort the rest of the request.
    drop(rx);
    if ended_early {
        s.emit(Event::Warning {
            message: format!("the decode request ended after {got} of {target} tokens while armed"),
        });
    }
    match failure {
        Some(e) => Err(after_arm(s, stage, &e, &stop)),
        None => Ok(()),
    }
}

fn next_event(
    s: &mut Session<'_>,
    rx: &std::sync::mpsc::Receiver<Result<StreamEvent, ProbeError>>,
    deadline: Instant,
) -> Result<StreamEvent, ReqError> {
    loop {
        if let Some(stop) = s.cancel.check() {
            return Err(ReqError::Stop(stop));
        }
        gate(s, false)?;
        if Instant::now() >= deadline {
            return Err(ReqError::Probe(ProbeError::Http(HttpError {
                failure: Failure::Timeout,
                message: format!(
                    "the streamed decode request produced no token for {:.0} s",
                    s.opts.request_timeout_s
                ),
            })));
        }
        match rx.recv_timeout(crate::cancel::POLL) {
            Ok(Ok(ev)) => return Ok(ev),
            Ok(Err(e)) => return Err(ReqError::Probe(e)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(StreamEvent::End),
        }
    }
}

fn flush_and_collect(
    s: &mut Session<'_>,
    stage: StageKind,
    watcher: &mut Watcher,
    rec: &mut StageRecord,
    timeout: Duration,
) -> Result<(), CaptureError> {
    let opts = WaitOptions {
        timeout,
        settle: Duration::from_millis(s.opts.settle_ms),
        poll: Duration::from_millis(s.opts.poll_ms),
        expected: s.expected_files,
    };
    // One line when the set of files or of complete files changes, else at most one a second
    // while bytes arrive.
    let mut last: Option<((usize, usize), u64, Instant)> = None;
    let sink = s.sink;
    let result = watcher.wait(&opts, s.cancel, &mut |files| {
        let counts = (files.len(), files.iter().filter(|f| f.complete).count());
        let bytes = files.iter().map(|f| f.bytes).sum::<u64>();
        let due = match last {
            None => true,
            Some((c, b, at)) => c != counts || (b != bytes && at.elapsed() >= Duration::from_secs(1)),
        };
        if due {
            last = Some((counts, bytes, Instant::now()));
            sink(Event::Flushing { stage, files: counts.0, bytes, complete: counts.1 });
        }
    });
    let dest = destination(s, stage);
    let flushed = match result {
        Ok(f) => f,
        Err(FlushError::Timeout { waited, files }) => {
            return Err(CaptureError::new(format!(
                "the {} trace was not completely flushed within {:.0} s: {}. Nothing was deleted: what the \
                 server wrote stays in {dest}. A server that died while writing leaves the file so; a large \
                 trace or a slow disk needs a longer --flush-timeout.",
                stage.id(),
                waited.as_secs_f64(),
                flush::describe(&files)
            )));
        }
        Err(FlushError::Stopped(stop, files)) => {
            return Err(CaptureError {
                message: format!(
                    "{} while waiting for the {} trace ({}); /stop_profile had been sent. Nothing was \
                     deleted: the server keeps writing into {dest}.",
                    stop_word(stop),
                    stage.id(),
                    flush::describe(&files)
                ),
                dir: None,
                stop: Some(stop),
            });
        }
    };
    let dir = stage_dir(s, stage);
    let mut rels = Vec::new();
    for f in &flushed.files {
        let path = if s.kind.takes_output_dir() {
            f.path.clone()
        } else {
            crate::layout::move_into(&f.path, &dir).map_err(|e| {
                CaptureError::new(format!(
                    "cannot move {} into {}: {e}; the trace stays where the server wrote it",
                    f.path.display(),
                    dir.display()
                ))
            })?
        };
        rels.push(s.rel(&path));
    }
    rec.json_bytes = flushed.files.iter().map(|f| f.text_bytes).max().unwrap_or(0);
    rec.files = rels.clone();
    s.emit(Event::Collected { stage, files: rels });
    for w in flushed.warnings {
        s.emit(Event::Warning { message: w });
    }
    Ok(())
}

//! `tracetriage-relay probe`: is this server ready to be captured? (the seed's
//! `probe_llm_server.py`). One check per line, each passing or failing with its reason:
//!
//! 1. **up**: the server answers HTTP at all (`GET /v1/models`);
//! 2. **server**: which framework and model ([`crate::capture::discover`]);
//! 3. **generate**: a short greedy request returns non-empty text;
//! 4. **latency**: time to first token and per-token latency over a few streamed requests
//!    (medians; a "token" is one streamed chunk, as servers stream one token per chunk
//!    unless told otherwise);
//! 5. **profiler**: the profiler endpoints exist, found without starting a profile:
//!    FastAPI's `GET /openapi.json` lists the routes (vLLM, SGLang, TensorRT-LLM serve it
//!    unless docs are disabled); otherwise `OPTIONS /stop_profile`, which the router
//!    answers without running the route: 405 when the route exists (it takes only GET or
//!    POST), 404 when it does not (not `HEAD`: Starlette runs a GET route for it).
//!    Neither profiler route is ever run, so the probe can neither leave the server
//!    profiling nor stop a profile someone else is taking (a `GET /stop_profile` would
//!    have, on SGLang, whose route also takes GET).

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::capture::discover;
use crate::framework::Kind;
use crate::http::{Client, StreamEvent};
use crate::options::FrameworkChoice;
use crate::probe::{self, Dialect, ProbeError};

/// Output formats of `probe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per check.
    Text,
    /// The [`Probe`] as JSON.
    Json,
}

/// The options of `tracetriage-relay probe`.
#[derive(Clone, Debug, clap::Args)]
pub struct ProbeOptions {
    /// Base URL of the inference server, e.g. http://127.0.0.1:30000.
    #[arg(long)]
    pub url: String,
    /// Serving framework (auto asks the server).
    #[arg(long, value_enum, default_value_t = FrameworkChoice::Auto)]
    pub framework: FrameworkChoice,
    /// Streamed requests timed for the latency check.
    #[arg(long, default_value_t = 3)]
    pub requests: u32,
    /// Output tokens of each request.
    #[arg(long, default_value_t = 32)]
    pub max_tokens: u32,
    /// Timeout of one request (seconds).
    #[arg(long = "request-timeout", value_name = "SECONDS", default_value_t = 60.0)]
    pub request_timeout_s: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// One check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// `up`, `server`, `generate`, `latency`, `profiler`.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was seen, or why it failed.
    pub detail: String,
}

/// The probe's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    /// The server.
    pub url: String,
    /// Its framework, when known.
    pub framework: Option<&'static str>,
    /// Its model, when known.
    pub model: Option<String>,
    /// Median time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Median time per further token, ms.
    pub per_token_ms: Option<f64>,
    /// The checks, in order.
    pub checks: Vec<Check>,
    /// Whether every check passed.
    pub ok: bool,
}

impl Probe {
    /// One line per check: `ok   name: detail` or `FAIL name: detail`.
    #[must_use]
    pub fn lines(&self) -> String {
        let mut s = String::new();
        for c in &self.checks {
            s.push_str(&format!("{} {}: {}\n", if c.ok { "ok  " } else { "FAIL" }, c.name, c.detail));
        }
        s
    }
}

const CHECKS: [&str; 5] = ["up", "server", "generate", "latency", "profiler"];

fn pass(name: &'static str, detail: String) -> Check {
    Check { name, ok: true, detail }
}

fn fail(name: &'static str, detail: String) -> Check {
    Check { name, ok: false, detail }
}

/// Probes the server.
#[must_use]
pub fn probe(opts: &ProbeOptions) -> Probe {
    let base = opts.url.trim().trim_end_matches('/').to_owned();
    let client = Client::new(&base);
    let timeout = Duration::from_secs_f64(opts.request_timeout_s.max(0.1));
    let mut p = Probe {
        url: base.clone(),
        framework: None,
        model: None,
        ttft_ms: None,
        per_token_ms: None,
        checks: Vec::new(),
        ok: false,
    };
    let skip = |p: &mut Probe, why: &str| {
        for name in CHECKS.iter().skip(p.checks.len()) {
            p.checks.push(fail(name, format!("not run: {why}")));
        }
    };
    if !base.starts_with("http://") {
        p.checks.push(fail("up", format!("{base}: the server URL must start with http://")));
        skip(&mut p, "no usable URL");
        return p;
    }
    match client.get("/v1/models", timeout) {
        Ok(r) => p.checks.push(pass("up", format!("GET /v1/models answered {}", r.status))),
        Err(e) => {
            p.checks.push(fail("up", format!("the server does not answer: {e}")));
            skip(&mut p, "the server is not up");
            return p;
        }
    }
    let server = match discover::discover(&client, opts.framework) {
        Ok(s) => s,
        Err(e) => {
            p.checks.push(fail("server", e));
            skip(&mut p, "the framework is not known");
            return p;
        }
    };
    p.framework = Some(server.kind.id());
    p.model = server.model_label.clone();
    p.checks.push(pass(
        "server",
        format!(
            "{} ({}), model {}",
            server.kind.label(),
            server.kind_source,
            server.model_label.as_deref().unwrap_or("(unnamed)")
        ),
    ));
    let (check, dialect) = generate(&client, &server, timeout);
    p.checks.push(check);
    let (check, ttft, per_token) = latency(&client, &server, dialect, opts, timeout);
    p.ttft_ms = ttft;
    p.per_token_ms = per_token;
    p.checks.push(check);
    p.checks.push(profiler(&client, server.kind, timeout));
    p.ok = p.checks.iter().all(|c| c.ok);
    p
}

/// The generated text of an answer: SGLang's `text`, OpenAI's `choices[0].text` or
/// `choices[0].message.content`.
fn text_of(v: &Value) -> Option<String> {
    let v = if let Value::Array(a) = v { a.first()? } else { v };
    let choice = v.get("choices").and_then(|c| c.get(0));
    v.get("text")
        .or_else(|| choice.and_then(|c| c.get("text")))
        .or_else(|| choice.and_then(|c| c.get("message")).and_then(|m| m.get("content")))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

const PROMPT: &str = "The capital of France is";
const GREEDY_TOKENS: u32 = 16;

/// A short greedy request; its text must not be empty. Returns the dialect that worked.
fn generate(client: &Client, server: &discover::Server, timeout: Duration) -> (Check, Dialect) {
    let dialects: &[Dialect] = if server.kind.native_generate() {
        &[Dialect::Generate]
    } else {
        &[Dialect::Completions, Dialect::Chat]
    };
    let mut last = String::new();
    for &d in dialects {
        let body = probe::body(d, &server.model, PROMPT, GREEDY_TOKENS, false);
        match client.post(d.path(), Some(&body), timeout) {
            Ok(r) if r.ok() => {
                let text = r.json().as_ref().and_then(text_of).unwrap_or_default();
                let check = if text.trim().is_empty() {
                    fail(
                        "generate",
                        format!(
                            "POST {} (greedy, {GREEDY_TOKENS} tokens) returned empty text: the model produced \
                             nothing (check the model, its tokenizer and the server log)",
                            d.path()
                        ),
                    )
                } else {
                    let shown: String = text.trim().chars().take(40).collect();
                    pass("generate", format!("POST {} returned {:?}", d.path(), shown))
                };
                return (check, d);
            }
            Ok(r) if matches!(r.status, 400 | 404 | 405 | 422 | 501) && d == Dialect::Completions => {
                last = format!("POST {} answered {}: {}", d.path(), r.status, r.snippet());
            }
            Ok(r) => {
                return (
                    fail("generate", format!("POST {} answered {}: {}", d.path(), r.status, r.snippet())),
                    d,
                );
            }
            Err(e) => return (fail("generate", format!("POST {}: {e}", d.path())), d),
        }
    }
    (fail("generate", last), Dialect::Chat)
}

fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// One streamed request: (time to first chunk, time per further chunk, chunks).
fn timed_stream(
    client: &Client,
    server: &discover::Server,
    dialect: Dialect,
    tokens: u32,
    timeout: Duration,
) -> Result<(f64, Option<f64>, u32), String> {
    let started = Instant::now();
    let rx = probe::stream(client, dialect, &server.model, PROMPT, tokens, timeout);
    let (mut first, mut last, mut chunks) = (None, None, 0u32);
    loop {
        match rx.recv_timeout(timeout) {
            Ok(Ok(StreamEvent::Chunk)) => {
                let t = started.elapsed().as_secs_f64();
                first.get_or_insert(t);
                last = Some(t);
                chunks += 1;
            }
            Ok(Ok(StreamEvent::End)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Ok(Ok(StreamEvent::Failed(m))) => return Err(m),
            Ok(Err(ProbeError::Http(e))) => return Err(e.to_string()),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!("no token for {:.0} s", timeout.as_secs_f64()));
            }
        }
    }
    let Some(first) = first else { return Err("the stream ended without a token".to_owned()) };
    let per = last.filter(|_| chunks > 1).map(|l| (l - first) / f64::from(chunks - 1));
    Ok((first, per, chunks))
}

/// Time to first token and per-token latency over `opts.requests` streamed requests.
fn latency(
    client: &Client,
    server: &discover::Server,
    dialect: Dialect,
    opts: &ProbeOptions,
    timeout: Duration,
) -> (Check, Option<f64>, Option<f64>) {
    let (mut ttft, mut per) = (Vec::new(), Vec::new());
    let n = opts.requests.max(1);
    for i in 0..n {
        match timed_stream(client, server, dialect, opts.max_tokens.max(2), timeout) {
            Ok((first, p, chunks)) => {
                ttft.push(first * 1e3);
                match p {
                    Some(p) => per.push(p * 1e3),
                    None => {
                        let why = format!(
                            "streamed request {} of {n} gave {chunks} token(s), too few to time",
                            i + 1
                        );
                        return (fail("latency", why), median(&mut ttft), None);
                    }
                }
            }
            Err(e) => {
                return (fail("latency", format!("streamed request {} of {n}: {e}", i + 1)), None, None);
            }
        }
    }
    let (t, p) = (median(&mut ttft), median(&mut per));
    let detail = format!(
        "time to first token {:.1} ms, {:.2} ms per token (medians of {n} streamed requests of {} tokens, {})",
        t.unwrap_or(0.0),
        p.unwrap_or(0.0),
        opts.max_tokens.max(2),
        dialect.path()
    );
    (pass("latency", detail), t, p)
}

/// Whether `/start_profile` and `/stop_profile` exist, without starting a profile.
fn profiler(client: &Client, kind: Kind, timeout: Duration) -> Check {
    let schema = client.get("/openapi.json", timeout).ok().filter(|r| r.ok()).and_then(|r| r.json());
    if let Some(paths) = schema.as_ref().and_then(|v| v.get("paths")).filter(|p| p.is_object()) {
        let missing: Vec<&str> =
            ["/start_profile", "/stop_profile"].into_iter().filter(|p| paths.get(*p).is_none()).collect();
        return if missing.is_empty() {
            pass(
                "profiler",
                "/start_profile and /stop_profile are listed in /openapi.json (nothing was started)".into(),
            )
        } else {
            fail(
                "profiler",
                format!("{} not listed in /openapi.json: {}", missing.join(" and "), kind.start_hint(404)),
            )
        };
    }
    match client.options("/stop_profile", timeout) {
        Ok(r) if matches!(r.status, 404) => {
            fail("profiler", format!("OPTIONS /stop_profile answered 404: {}", kind.start_hint(404)))
        }
        Ok(r) => pass(
            "profiler",
            format!("OPTIONS /stop_profile answered {}: the endpoint exists (nothing was run)", r.status),
        ),
        Err(e) => fail("profiler", format!("OPTIONS /stop_profile: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_from_each_api() {
        assert_eq!(text_of(&json!({"text": " Paris"})).as_deref(), Some(" Paris"));
        assert_eq!(text_of(&json!([{"text": "x"}])).as_deref(), Some("x"));
        assert_eq!(text_of(&json!({"choices": [{"text": "y"}]})).as_deref(), Some("y"));
        assert_eq!(text_of(&json!({"choices": [{"message": {"content": "z"}}]})).as_deref(), Some("z"));
        assert_eq!(text_of(&json!({"choices": []})), None);
    }

    #[test]
    fn lines_mark_each_check() {
        let p = Probe {
            url: "http://h:1".into(),
            framework: None,
            model: None,
            ttft_ms: None,
            per_token_ms: None,
            checks: vec![pass("up", "fine".into()), fail("server", "why".into())],
            ok: false,
        };
        assert_eq!(p.lines(), "ok   up: fine\nFAIL server: why\n");
    }
}

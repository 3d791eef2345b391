//! Fake inference servers, one per framework, built from the real HTTP APIs (anchor spec
//! §14 and the servers' code):
//!
//! - **SGLang**: `GET /server_info`, `GET /v1/models` (`owned_by: sglang`), `POST /generate`
//!   (streamed or not; `meta_info.prompt_tokens`), `POST /start_profile` with
//!   `output_dir`, string-valued `num_steps` (stop after the forward counter reaches start +
//!   num_steps, checked when a forward begins), `profile_prefix`; `POST /stop_profile`
//!   answers 500 when no profile runs (as SGLang's tokenizer manager raises). Traces are
//!   written to `<output_dir>/<prefix>-<id>-TP-<rank>.trace.json.gz`.
//! - **vLLM**: OpenAI API (`owned_by: vllm`); the profiler endpoints exist only with a
//!   profiler configured (else 404 `{"detail":"Not Found"}`), take no body, and traces go to
//!   the server's own folder as `rank<r>.<ns>.pt.trace.json.gz` plus a front-end
//!   `*.async_llm.*` trace.
//! - **TensorRT-LLM**: OpenAI API (`owned_by: tensorrt_llm`); endpoints only with the
//!   profiling environment; one plain-JSON trace at a fixed path, rewritten every time.
//! - **TokenSpeed**: OpenAI API (`owned_by: tokenspeed`), no `/server_info`; `/start_profile`
//!   needs `output_dir` and `profile_id`; files `<output_dir>/<profile_id>-TP-<r>.trace.json.gz`.
//!
//! Each writes a real trace from `shared/traces` after a delay, in pieces, to exercise the
//! relay's flush wait. Every request is logged. Optional behaviour (issue 25): the CUDA
//! graph setting reported where the framework reports it (`graphs`: SGLang `/server_info`
//! `disable_cuda_graph`/`disable_piecewise_cuda_graph`, vLLM `/server_info` as in dev
//! mode), empty generated text (`empty_text`), a line appended to a server log when a
//! profile starts (`log`); vLLM lists its routes at `/openapi.json`, and a POST-only
//! profiler route answers `GET` with 405 (SGLang's takes `GET` too); an existing profiler
//! route answers `OPTIONS` with 405 without running.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sglang,
    Vllm,
    Trtllm,
    Tokenspeed,
}

/// How the fake behaves.
#[derive(Clone, Debug)]
pub struct Config {
    pub kind: Kind,
    pub model: String,
    /// Ranks writing traces.
    pub tp: usize,
    /// Profiler endpoints enabled (vLLM `--profiler-config`, TRT-LLM environment).
    pub profiler: bool,
    /// vLLM's `torch_profiler_dir` / TRT-LLM's `TLLM_TORCH_PROFILE_TRACE`.
    pub server_path: Option<PathBuf>,
    /// Force `/start_profile` to answer this status.
    pub start_status: Option<u16>,
    /// Trace sources per stage and rank: `(prefill, decode)`.
    pub sources: Vec<(PathBuf, PathBuf)>,
    /// Write plain JSON (inflated) instead of the gzip bytes.
    pub plain: bool,
    pub write_delay: Duration,
    pub pieces: usize,
    pub piece_delay: Duration,
    /// Write only the first half of each trace, then stop (a flush that never completes).
    pub truncate: bool,
    /// Die (stop listening, drop connections) right after answering `/start_profile`.
    pub die_after_start: bool,
    /// Time per generated token.
    pub token_delay: Duration,
    /// Extra time per non-streamed request.
    pub request_delay: Duration,
    /// CUDA graphs on or off, reported where the framework reports it (SGLang
    /// `/server_info`, vLLM `/server_info` as with `VLLM_SERVER_DEV_MODE=1`); `None`: not
    /// reported.
    pub graphs: Option<bool>,
    /// Generate empty text.
    pub empty_text: bool,
    /// The server's log, and a line appended to it when a profile starts.
    pub log: Option<(PathBuf, String)>,
}

impl Config {
    pub fn new(kind: Kind, sources: Vec<(PathBuf, PathBuf)>) -> Config {
        Config {
            kind,
            model: match kind {
                Kind::Sglang => "Qwen/Qwen3-30B-A3B".into(),
                Kind::Vllm => "openai/gpt-oss-120b".into(),
                Kind::Trtllm => "Qwen/Qwen1.5-0.5B-Chat".into(),
                Kind::Tokenspeed => "Qwen/Qwen3-8B".into(),
            },
            tp: sources.len(),
            profiler: true,
            server_path: None,
            start_status: None,
            sources,
            plain: false,
            write_delay: Duration::from_millis(60),
            pieces: 6,
            piece_delay: Duration::from_millis(25),
            truncate: false,
            die_after_start: false,
            token_delay: Duration::from_millis(3),
            request_delay: Duration::from_millis(1),
            graphs: None,
            empty_text: false,
            log: None,
        }
    }
}

/// One logged request.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub body: String,
}

impl Req {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct Profile {
    output_dir: Option<PathBuf>,
    name: String,
    target: Option<u64>,
    /// A streamed (decode) request was running when the profile started: write the
    /// decode trace.
    decode: bool,
}

#[derive(Default)]
struct State {
    forward_ct: u64,
    profile: Option<Profile>,
    exports: u64,
    streams: u32,
}

/// A running fake server.
pub struct Fake {
    pub port: u16,
    pub url: String,
    pub cfg: Arc<Config>,
    log: Arc<Mutex<Vec<Req>>>,
    dead: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    writers: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

impl Fake {
    pub fn start(cfg: Config) -> Fake {
        Fake::start_on(cfg, 0)
    }

    /// Starts on `port` (0: a free one).
    pub fn start_on(cfg: Config, port: u16) -> Fake {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = Fake {
            port,
            url: format!("http://127.0.0.1:{port}"),
            cfg: Arc::new(cfg),
            log: Arc::default(),
            dead: Arc::default(),
            state: Arc::default(),
            writers: Arc::default(),
        };
        let ctx = fake.ctx();
        std::thread::spawn(move || {
            while !ctx.dead.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let ctx = ctx.clone();
                        std::thread::spawn(move || ctx.serve(stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            // The listener is dropped here: new connections are refused.
        });
        fake
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            cfg: Arc::clone(&self.cfg),
            log: Arc::clone(&self.log),
            dead: Arc::clone(&self.dead),
            state: Arc::clone(&self.state),
            writers: Arc::clone(&self.writers),
        }
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }

    /// `METHOD path` of every request.
    pub fn calls(&self) -> Vec<String> {
        self.log().iter().map(|r| format!("{} {}", r.method, r.path)).collect()
    }

    /// Waits for the trace writers to finish.
    pub fn join_writers(&self) {
        let hs: Vec<_> = std::mem::take(&mut *self.writers.lock().unwrap());
        for h in hs {
            h.join().unwrap();
        }
    }

    /// Stops the server.
    pub fn kill(&self) {
        self.dead.store(true, Ordering::SeqCst);
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Clone)]
struct Ctx {
    cfg: Arc<Config>,
    log: Arc<Mutex<Vec<Req>>>,
    dead: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    writers: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

fn respond(s: &mut TcpStream, status: u16, content_type: &str, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let _ = write!(
        s,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.flush();
}

fn words(prompt: &str) -> u64 {
    prompt.split_whitespace().count() as u64
}

impl Ctx {
    fn serve(&self, stream: TcpStream) {
        stream.set_nonblocking(false).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.is_empty() {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).is_err() {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        if self.dead.load(Ordering::SeqCst) {
            return; // dropped without an answer
        }
        self.log.lock().unwrap().push(Req { method: method.clone(), path: path.clone(), body: body.clone() });
        let mut s = stream;
        self.route(&mut s, &method, &path, &body);
    }

    fn route(&self, s: &mut TcpStream, method: &str, path: &str, body: &str) {
        let k = self.cfg.kind;
        match (method, path, k) {
            ("GET", "/server_info", Kind::Sglang) => {
                let mut info = json!({
                    "model_path": self.cfg.model, "tp_size": self.cfg.tp, "pp_size": 1,
                    "attention_backend": "fa3", "chunked_prefill_size": 8192,
                    "schedule_policy": "fcfs", "version": "0.5.4",
                });
                if let Some(g) = self.cfg.graphs {
                    info["disable_cuda_graph"] = json!(!g);
                    info["disable_piecewise_cuda_graph"] = json!(!g);
                }
                respond(s, 200, "application/json", &info.to_string());
            }
            ("GET", p, Kind::Vllm) if p.starts_with("/server_info") && self.cfg.graphs.is_some() => {
                let eager = !self.cfg.graphs.unwrap_or(false);
                let info = json!({"vllm_config": {"model_config": {"model": self.cfg.model, "enforce_eager": eager}}, "vllm_env": {}});
                respond(s, 200, "application/json", &info.to_string());
            }
            ("GET", "/openapi.json", Kind::Vllm) => {
                let mut paths = json!({"/v1/models": {"get": {}}, "/v1/completions": {"post": {}}});
                if self.cfg.profiler {
                    paths["/start_profile"] = json!({"post": {}});
                    paths["/stop_profile"] = json!({"post": {}});
                }
                respond(s, 200, "application/json", &json!({"openapi": "3.1.0", "paths": paths}).to_string());
            }
            ("GET", "/stop_profile", Kind::Sglang) => self.stop_profile(s),
            ("GET", "/start_profile" | "/stop_profile", Kind::Vllm | Kind::Trtllm) if self.cfg.profiler => {
                respond(s, 405, "application/json", r#"{"detail":"Method Not Allowed"}"#)
            }
            // Starlette's router: a route that exists answers another method with 405
            // (SGLang's profiler routes always exist).
            ("OPTIONS", "/start_profile" | "/stop_profile", _) if k == Kind::Sglang || self.cfg.profiler => {
                respond(s, 405, "application/json", r#"{"detail":"Method Not Allowed"}"#)
            }
            ("GET", "/v1/models", _) => {
                let owned = match k {
                    Kind::Sglang => "sglang",
                    Kind::Vllm => "vllm",
                    Kind::Trtllm => "tensorrt_llm",
                    Kind::Tokenspeed => "tokenspeed",
                };
                let m = json!({"object": "list", "data": [{"id": self.cfg.model, "object": "model", "owned_by": owned, "max_model_len": 4096}]});
                respond(s, 200, "application/json", &m.to_string());
            }
            ("GET", "/version", Kind::Vllm | Kind::Trtllm) => {
                respond(s, 200, "application/json", r#"{"version":"fake"}"#)
            }
            ("POST", "/generate", Kind::Sglang) => self.generate(s, body),
            (
                "POST",
                "/v1/completions" | "/v1/chat/completions",
                Kind::Vllm | Kind::Trtllm | Kind::Tokenspeed,
            ) => self.openai(s, path, body),
            ("POST", "/start_profile", _) => self.start_profile(s, body),
            ("POST", "/stop_profile", _) => self.stop_profile(s),
            _ => respond(s, 404, "application/json", r#"{"detail":"Not Found"}"#),
        }
    }

    /// One forward (SGLang checks the stop condition when a forward begins).
    fn forward(&self) {
        let mut st = self.state.lock().unwrap();
        st.forward_ct += 1;
        let ct = st.forward_ct;
        let auto_stop = st.profile.as_ref().and_then(|p| p.target).is_some_and(|t| t <= ct);
        if auto_stop {
            let p = st.profile.take().unwrap();
            drop(st);
            self.export(p);
        }
    }

    /// Streams `n` chunks in `write`'s format; stops when the client is gone.
    fn stream(&self, s: &mut TcpStream, n: u64, chunk: impl Fn(u64) -> Value) {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
        self.state.lock().unwrap().streams += 1;
        for i in 0..n {
            std::thread::sleep(self.cfg.token_delay);
            self.forward();
            if write!(s, "data: {}\n\n", chunk(i)).and_then(|()| s.flush()).is_err() {
                break; // client gone: the request is aborted
            }
            if i + 1 == n {
                let _ = write!(s, "data: [DONE]\n\n");
            }
        }
        self.state.lock().unwrap().streams -= 1;
    }

    fn generate(&self, s: &mut TcpStream, body: &str) {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(text) = v.get("text").and_then(Value::as_str) else {
            return respond(s, 400, "application/json", r#"{"error":"text is required"}"#);
        };
        let n = v["sampling_params"]["max_new_tokens"].as_u64().unwrap_or(128);
        let prompt_tokens = words(text) + 2;
        let word = if self.cfg.empty_text { "" } else { " profile" };
        if v["stream"].as_bool() == Some(true) {
            return self.stream(s, n, |i| {
                json!({"text": word.repeat(i as usize + 1),
                       "meta_info": {"prompt_tokens": prompt_tokens, "completion_tokens": i + 1}})
            });
        }
        std::thread::sleep(self.cfg.request_delay + self.cfg.token_delay * n as u32);
        for _ in 0..n {
            self.forward();
        }
        let out = json!({"text": word.repeat(n as usize), "meta_info": {"prompt_tokens": prompt_tokens, "completion_tokens": n, "finish_reason": {"type": "length"}}});
        respond(s, 200, "application/json", &out.to_string());
    }

    fn openai(&self, s: &mut TcpStream, path: &str, body: &str) {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        if v["model"].as_str() != Some(self.cfg.model.as_str()) {
            let e = json!({"object": "error", "message": format!("The model `{}` does not exist.", v["model"]), "code": 404});
            return respond(s, 404, "application/json", &e.to_string());
        }
        let prompt = if path == "/v1/completions" {
            v["prompt"].as_str().unwrap_or("").to_owned()
        } else {
            v["messages"][0]["content"].as_str().unwrap_or("").to_owned()
        };
        let n = v["max_tokens"].as_u64().unwrap_or(16);
        let prompt_tokens = words(&prompt) + 1;
        if v["stream"].as_bool() == Some(true) {
            return self.stream(s, n, |_| {
                json!({"id": "cmpl-1", "object": "text_completion",
                       "choices": [{"index": 0, "text": " profile", "finish_reason": null}]})
            });
        }
        std::thread::sleep(self.cfg.request_delay + self.cfg.token_delay * n as u32);
        for _ in 0..n {
            self.forward();
        }
        let word = if self.cfg.empty_text { "" } else { " profile" };
        let out = json!({
            "id": "cmpl-1", "object": "text_completion", "model": self.cfg.model,
            "choices": [{"index": 0, "text": word.repeat(n as usize), "finish_reason": "length"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": n, "total_tokens": prompt_tokens + n},
        });
        respond(s, 200, "application/json", &out.to_string());
    }

    fn start_profile(&self, s: &mut TcpStream, body: &str) {
        let k = self.cfg.kind;
        if !self.cfg.profiler && matches!(k, Kind::Vllm | Kind::Trtllm) {
            return respond(s, 404, "application/json", r#"{"detail":"Not Found"}"#);
        }
        if let Some(code) = self.cfg.start_status {
            return match code {
                404 => respond(s, 404, "application/json", r#"{"detail":"Not Found"}"#),
                c => respond(s, c, "text/plain", "Internal Server Error"),
            };
        }
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let mut p = Profile::default();
        match k {
            Kind::Sglang => {
                p.output_dir = v["output_dir"].as_str().map(PathBuf::from);
                let steps = v["num_steps"]
                    .as_str()
                    .and_then(|x| x.parse::<u64>().ok())
                    .or_else(|| v["num_steps"].as_u64());
                let prefix = v["profile_prefix"].as_str().unwrap_or("");
                let id = format!(
                    "{:.5}",
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64()
                );
                p.name = if prefix.is_empty() { id } else { format!("{prefix}-{id}") };
                let ct = self.state.lock().unwrap().forward_ct;
                p.target = steps.map(|n| ct + n);
            }
            Kind::Tokenspeed => {
                let (Some(dir), Some(id)) = (v["output_dir"].as_str(), v["profile_id"].as_str()) else {
                    return respond(
                        s,
                        400,
                        "application/json",
                        r#"{"error":"output_dir and profile_id are required"}"#,
                    );
                };
                p.output_dir = Some(PathBuf::from(dir));
                p.name = id.to_owned();
            }
            Kind::Vllm | Kind::Trtllm => {
                if !body.is_empty() {
                    return respond(s, 400, "application/json", r#"{"error":"unexpected body"}"#);
                }
            }
        }
        {
            let mut st = self.state.lock().unwrap();
            if st.profile.is_some() {
                drop(st);
                return respond(s, 500, "text/plain", "Internal Server Error");
            }
            p.decode = st.streams > 0;
            st.profile = Some(p);
        }
        if let Some((log, line)) = &self.cfg.log {
            let mut f = std::fs::OpenOptions::new().append(true).create(true).open(log).unwrap();
            writeln!(f, "{line}").unwrap();
        }
        match k {
            Kind::Sglang => respond(s, 200, "text/plain", "Start profiling.\n"),
            _ => respond(s, 200, "text/plain", ""),
        }
        if self.cfg.die_after_start {
            self.dead.store(true, Ordering::SeqCst);
        }
    }

    fn stop_profile(&self, s: &mut TcpStream) {
        if !self.cfg.profiler && matches!(self.cfg.kind, Kind::Vllm | Kind::Trtllm) {
            return respond(s, 404, "application/json", r#"{"detail":"Not Found"}"#);
        }
        let p = self.state.lock().unwrap().profile.take();
        match p {
            None => respond(s, 500, "text/plain", "Internal Server Error"),
            Some(p) => {
                self.export(p);
                let msg = if self.cfg.kind == Kind::Sglang {
                    "Stop profiling. This will take some time.\n"
                } else {
                    ""
                };
                respond(s, 200, "text/plain", msg);
            }
        }
    }

    /// Starts writing the traces in the background (slowly, in pieces).
    fn export(&self, p: Profile) {
        let decode = p.decode;
        let n = {
            let mut st = self.state.lock().unwrap();
            st.exports += 1;
            st.exports
        };
        let ns = 1_776_865_979_877_683_213u64 + n;
        let mut jobs: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (rank, (pre, dec)) in self.cfg.sources.iter().enumerate() {
            let src = if decode { dec.clone() } else { pre.clone() };
            let dst = match self.cfg.kind {
                Kind::Sglang | Kind::Tokenspeed => {
                    p.output_dir.clone().unwrap().join(format!("{}-TP-{rank}.trace.json.gz", p.name))
                }
                Kind::Vllm => {
                    self.cfg.server_path.clone().unwrap().join(format!("rank{rank}.{ns}.pt.trace.json.gz"))
                }
                Kind::Trtllm => self.cfg.server_path.clone().unwrap(),
            };
            jobs.push((src, dst));
        }
        if self.cfg.kind == Kind::Vllm {
            // The API-server process's own trace: Python frames only.
            let front = self
                .cfg
                .server_path
                .clone()
                .unwrap()
                .join(format!("fakehost_4242.async_llm.{ns}.pt.trace.json.gz"));
            std::fs::write(front, gz(br#"{"traceEvents": []}"#)).unwrap();
        }
        let cfg = Arc::clone(&self.cfg);
        let h = std::thread::spawn(move || {
            std::thread::sleep(cfg.write_delay);
            for (src, dst) in jobs {
                let mut data = std::fs::read(&src).unwrap();
                if cfg.plain {
                    data = gunzip(&data);
                }
                if let Some(d) = dst.parent() {
                    std::fs::create_dir_all(d).unwrap();
                }
                let total = if cfg.truncate { data.len() / 2 } else { data.len() };
                let mut f = std::fs::File::create(&dst).unwrap();
                let piece = data.len().div_ceil(cfg.pieces.max(1));
                let mut written = 0;
                while written < total {
                    let end = (written + piece).min(total);
                    f.write_all(&data[written..end]).unwrap();
                    f.flush().unwrap();
                    written = end;
                    std::thread::sleep(cfg.piece_delay);
                }
            }
        });
        self.writers.lock().unwrap().push(h);
    }
}

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

/// Whether `a` holds exactly the bytes of `b` (or of `b` inflated, for plain fakes).
pub fn same_bytes(a: &Path, b: &Path) -> bool {
    std::fs::read(a).unwrap() == std::fs::read(b).unwrap()
}

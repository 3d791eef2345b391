//! `tracetriage-relay serve`: the local HTTP API the browser page uses to run captures
//! (docs/relay-api.md), optionally serving the built app too.
//!
//! Access rules, checked on every request in this order:
//! 1. **Host**: when bound to loopback, the `Host` header must name this relay
//!    (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`): a DNS-rebinding page cannot
//!    reach the API under another name. Otherwise 403.
//! 2. **Origin (CORS)**: a request carrying `Origin` is refused (403, no CORS headers)
//!    unless the origin is the relay's own (only when it serves the app) or one given with
//!    `--allow-origin`. Allowed origins get `Access-Control-Allow-Origin` for exactly
//!    themselves; preflights (`OPTIONS`) are answered for them only.
//! 3. **Token**: every `/api/` request needs the token (header `Authorization: Bearer T`
//!    or `X-Relay-Token: T`, or query `token=T` for `EventSource`). Otherwise 401.
//!
//! Files are served only from inside the capture folder (and the app folder), through
//! [`crate::layout::safe_join`].

pub mod api;
pub mod jobs;
mod web;

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tiny_http::{Method, Request, Response, Server};

use jobs::{Job, JobState};

pub use report::live::API;
pub use report::live::PROTOCOL;
/// Largest request body accepted.
const MAX_BODY: u64 = 64 * 1024;
/// Most requests handled at once.
const MAX_HANDLERS: usize = 64;
/// Handler slots only requests carrying the token may take: a flood of requests
/// without it (or for the app's files) never starves the API.
const RESERVED_FOR_AUTHORISED: usize = 8;
/// A connection whose peer sends nothing for this long (within a request's header or
/// body, or between requests) is closed.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection whose peer takes nothing of an answer for this long is closed.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest a request body may take to arrive, however slowly it trickles.
const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// How to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind.
    pub host: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Allow a non-loopback address.
    pub allow_remote: bool,
    /// The built app to serve at `/`.
    pub app: Option<PathBuf>,
    /// Extra origins allowed to call the API.
    pub allow_origins: Vec<String>,
    /// The capture folder.
    pub out: PathBuf,
    /// The access token (random when `None`).
    pub token: Option<String>,
}

/// What a running relay tells its user.
#[derive(Clone, Debug)]
pub struct Ready {
    /// The bound address.
    pub addr: SocketAddr,
    /// The URL to open (with the token).
    pub url: String,
    /// The token.
    pub token: String,
    /// Warnings (non-loopback binding).
    pub warnings: Vec<String>,
}

/// Shared state of the server.
pub struct State {
    token: String,
    out: PathBuf,
    app: Option<PathBuf>,
    origins: Vec<String>,
    hosts: Option<Vec<String>>,
    jobs: Mutex<Vec<Arc<Job>>>,
    handlers: AtomicUsize,
}

fn normalise_origin(o: &str) -> String {
    o.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Runs the server until Ctrl-C; `on_ready` is called once it listens.
///
/// # Errors
/// Bad configuration, or the address cannot be bound.
pub fn run(config: Config, on_ready: impl FnOnce(&Ready)) -> Result<(), String> {
    let loopback = config.host.is_loopback();
    if !loopback && !config.allow_remote {
        return Err(format!(
            "{} is not a loopback address: the relay can start captures on your servers and read their \
             traces, so it listens on 127.0.0.1 unless --allow-remote is given",
            config.host
        ));
    }
    let token = match config.token {
        Some(t) if t.len() >= 16 && t.chars().all(|c| c.is_ascii_alphanumeric()) => t,
        Some(_) => return Err("--token must be at least 16 letters or digits".to_owned()),
        None => jobs::token()?,
    };
    std::fs::create_dir_all(&config.out)
        .map_err(|e| format!("cannot create the capture folder {}: {e}", config.out.display()))?;
    let out = config.out.canonicalize().map_err(|e| format!("{}: {e}", config.out.display()))?;
    let app = match &config.app {
        Some(a) => {
            let a = a.canonicalize().map_err(|e| format!("--app {}: {e}", a.display()))?;
            if !a.join("index.html").is_file() {
                return Err(format!(
                    "--app {}: no index.html there (build the app with `trunk build --release`)",
                    a.display()
                ));
            }
            Some(a)
        }
        None => None,
    };
    let server =
        Server::http_with_timeouts(SocketAddr::new(config.host, config.port), READ_TIMEOUT, WRITE_TIMEOUT)
            .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let addr = server.server_addr().to_ip().ok_or_else(|| "the server has no IP address".to_owned())?;
    let hosts = loopback.then(|| {
        let p = addr.port();
        vec![format!("127.0.0.1:{p}"), format!("localhost:{p}"), format!("[::1]:{p}"), addr.to_string()]
    });
    let mut warnings = Vec::new();
    if !loopback {
        warnings.push(format!(
            "listening on {addr}, reachable from other machines: anyone with the token can start captures \
             and download traces; prefer 127.0.0.1 with an SSH tunnel"
        ));
    }
    let shown =
        if addr.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), addr.port()) } else { addr };
    let url = format!("http://{shown}/?token={token}");
    let state = Arc::new(State {
        token: token.clone(),
        out,
        app,
        origins: config.allow_origins.iter().map(|o| normalise_origin(o)).collect(),
        hosts,
        jobs: Mutex::new(Vec::new()),
        handlers: AtomicUsize::new(0),
    });
    on_ready(&Ready { addr, url, token, warnings });
    loop {
        if crate::cancel::interrupted() {
            shutdown(&state);
            return Ok(());
        }
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(req)) => {
                let limit = if authorised(&state, &req) {
                    MAX_HANDLERS
                } else {
                    MAX_HANDLERS - RESERVED_FOR_AUTHORISED
                };
                if state.handlers.load(Ordering::SeqCst) >= limit {
                    // Answered here, so without reading (or draining) its body.
                    refuse(req, Response::from_string("busy").with_status_code(503));
                    continue;
                }
                state.handlers.fetch_add(1, Ordering::SeqCst);
                let st = Arc::clone(&state);
                std::thread::spawn(move || {
                    handle(&st, req);
                    st.handlers.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Ok(None) => {}
            Err(e) => return Err(format!("the server stopped: {e}")),
        }
    }
}

/// Ctrl-C: every running capture stops (each sends `/stop_profile`); wait for them.
fn shutdown(state: &State) {
    let jobs: Vec<Arc<Job>> = state.jobs.lock().map(|j| j.clone()).unwrap_or_default();
    for j in &jobs {
        j.cancel.cancel();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && jobs.iter().any(|j| j.state() == JobState::Running) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A request's parts the handlers need.
pub struct Incoming {
    /// Method.
    pub method: Method,
    /// Path, without the query.
    pub path: String,
    /// Query pairs (percent-decoded).
    pub query: Vec<(String, String)>,
    /// `Origin`, when allowed (for the CORS headers of the answer).
    pub cors: Option<String>,
    /// Body (POST).
    pub body: Vec<u8>,
}

impl Incoming {
    /// A query value.
    #[must_use]
    pub fn param(&self, k: &str) -> Option<&str> {
        self.query.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

fn header<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

/// Decodes `%XX` escapes (and `+` as space in queries); `None` for a bad escape or
/// non-UTF-8 result.
#[must_use]
pub fn percent_decode(s: &str, plus_space: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a relative path for a URL: each segment's bytes other than
/// letters, digits and `-._~` become `%XX`; the `/` between segments stay.
#[must_use]
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((percent_decode(k, true)?, percent_decode(v, true)?))
        })
        .collect()
}

/// The token the request carries (header `Authorization: Bearer T`, `X-Relay-Token: T`,
/// or query `token=T`), if any.
fn given_token(req: &Request, query: &[(String, String)]) -> Option<String> {
    header(req, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| header(req, "X-Relay-Token"))
        .map(str::to_owned)
        .or_else(|| query.iter().find(|(k, _)| k == "token").map(|(_, v)| v.clone()))
}

/// Whether the request carries the right token (read from its header only).
fn authorised(state: &State, req: &Request) -> bool {
    let query = req.url().split_once('?').map(|(_, q)| parse_query(q)).unwrap_or_default();
    given_token(req, &query).is_some_and(|g| same(g.trim(), &state.token))
}

/// Answers a request that is not going to be served, without reading its body: the
/// connection stops reading (no drain of what the client still sends, however slowly)
/// and closes after the answer.
fn refuse<R: Read>(req: Request, response: Response<R>) {
    if let Some(c) = req.closer() {
        c.close_read();
    }
    let _ = req.respond(response);
}

/// Reads a request body of at most [`MAX_BODY`] bytes within [`BODY_DEADLINE`];
/// `Err` holds the status and message to answer with.
fn read_body(req: &mut Request) -> Result<Vec<u8>, (u16, &'static str)> {
    let start = Instant::now();
    let mut body = Vec::new();
    let mut buf = [0u8; 8192];
    let reader = req.as_reader();
    loop {
        if start.elapsed() > BODY_DEADLINE {
            return Err((408, "the request body did not arrive in time"));
        }
        match reader.read(&mut buf) {
            Ok(0) => return Ok(body),
            Ok(n) => {
                body.extend_from_slice(buf.get(..n).unwrap_or_default());
                if body.len() as u64 > MAX_BODY {
                    return Err((413, "request body over 64 KiB"));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err((400, "cannot read the request body")),
        }
    }
}

/// Constant-time comparison (the token must not leak through timing).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn handle(state: &State, mut req: Request) {
    let url = req.url().to_owned();
    let (raw_path, raw_query) = url.split_once('?').unwrap_or((&url, ""));
    let query = parse_query(raw_query);
    let host = header(&req, "Host").unwrap_or("").to_ascii_lowercase();
    if let Some(hosts) = &state.hosts
        && !hosts.contains(&host)
    {
        refuse(req, web::json_error(403, "this relay answers only to its own address (Host header)", None));
        return;
    }
    let origin = header(&req, "Origin").map(normalise_origin);
    let cors = match &origin {
        None => None,
        Some(o) => {
            let own = state.app.is_some() && *o == format!("http://{host}");
            if own || state.origins.contains(o) {
                Some(o.clone())
            } else {
                refuse(
                    req,
                    web::json_error(
                        403,
                        &format!("origin {o} is not allowed (start the relay with --allow-origin {o})"),
                        None,
                    ),
                );
                return;
            }
        }
    };
    let method = req.method().clone();
    let is_api = raw_path == API || raw_path.starts_with(&format!("{API}/")) || raw_path.starts_with("/api/");
    if method == Method::Options {
        let _ = req.respond(web::preflight(cors.as_deref()));
        return;
    }
    if is_api {
        if !given_token(&req, &query).is_some_and(|g| same(g.trim(), &state.token)) {
            let r = web::json_error(
                401,
                "missing or wrong token (give the token printed by `tracetriage-relay serve`)",
                cors.as_deref(),
            )
            .with_header(web::hdr("WWW-Authenticate", "Bearer"));
            refuse(req, r);
            return;
        }
    } else if method != Method::Get && method != Method::Head {
        refuse(req, web::json_error(405, "the app's files are read with GET", cors.as_deref()));
        return;
    }
    let mut body = Vec::new();
    if method == Method::Post {
        match read_body(&mut req) {
            Ok(b) => body = b,
            Err((status, message)) => {
                refuse(req, web::json_error(status, message, cors.as_deref()));
                return;
            }
        }
    }
    let inc = Incoming { method, path: raw_path.to_owned(), query, cors, body };
    if is_api {
        api::route(state, req, &inc);
    } else {
        web::static_file(state, req, &inc);
    }
}

//! The HTTP client side: requests to the inference server, each logged (method, path,
//! status, time) for `capture.json`, and errors that say what failed in plain words.

use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

/// One request the relay sent, as written to `capture.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exchange {
    /// `GET` or `POST`.
    pub method: String,
    /// Path on the server, e.g. `/start_profile`.
    pub path: String,
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Milliseconds until the answer's headers (or the failure).
    pub ms: u64,
    /// What went wrong, when no answer came.
    pub error: Option<String>,
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Nothing listens there (connection refused, host not found).
    Unreachable,
    /// No answer within the timeout.
    Timeout,
    /// The connection broke or the answer was not HTTP.
    Broken,
}

/// A request without an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// The kind of failure.
    pub failure: Failure,
    /// `POST http://host:port/path: connection refused`.
    pub message: String,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

/// An answer: status and body text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Body as text (lossy UTF-8).
    pub body: String,
}

impl Reply {
    /// Whether the status is 2xx.
    #[must_use]
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, if it is.
    #[must_use]
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The first 300 characters of the body on one line, for messages.
    #[must_use]
    pub fn snippet(&self) -> String {
        let one: String = self.body.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut s: String = one.chars().take(300).collect();
        if one.chars().count() > 300 {
            s.push('…');
        }
        if s.is_empty() { "(empty body)".to_owned() } else { s }
    }
}

/// A client for one server.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    log: Arc<Mutex<Vec<Exchange>>>,
}

/// Events of a streamed (server-sent events) answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEvent {
    /// One `data:` event other than `[DONE]`: one more generated chunk.
    Chunk,
    /// The stream ended.
    End,
    /// The stream broke.
    Failed(String),
}

impl Client {
    /// A client for `base` (e.g. `http://127.0.0.1:30000`, without trailing slash).
    #[must_use]
    pub fn new(base: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("tracetriage-relay/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(Duration::from_secs(10)))
            .build();
        Client { agent: config.into(), base: base.to_owned(), log: Arc::new(Mutex::new(Vec::new())) }
    }

    /// The base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Every request sent so far.
    #[must_use]
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record(&self, e: Exchange) {
        if let Ok(mut l) = self.log.lock() {
            l.push(e);
        }
    }

    fn describe(&self, method: &str, path: &str, e: &ureq::Error) -> HttpError {
        let url = format!("{method} {}{path}", self.base);
        let (failure, what) = match e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                (Failure::Unreachable, "connection refused (nothing listens there)".to_owned())
            }
            ureq::Error::ConnectionFailed => (Failure::Unreachable, "connection failed".to_owned()),
            ureq::Error::HostNotFound => (Failure::Unreachable, "host not found".to_owned()),
            ureq::Error::Timeout(t) => (Failure::Timeout, format!("no answer in time ({t})")),
            ureq::Error::Io(io) => (Failure::Broken, format!("connection broken: {io}")),
            other => (Failure::Broken, other.to_string()),
        };
        HttpError { failure, message: format!("{url}: {what}") }
    }

    fn finish(
        &self,
        method: &str,
        path: &str,
        started: Instant,
        result: Result<http_types::Response, ureq::Error>,
    ) -> Result<Reply, HttpError> {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(64 << 20)
                    .lossy_utf8(true)
                    .read_to_string()
                    .map_err(|e| self.describe(method, path, &e));
                self.record(Exchange {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    status: Some(status),
                    ms,
                    error: body.as_ref().err().map(ToString::to_string),
                });
                Ok(Reply { status, body: body? })
            }
            Err(e) => {
                let err = self.describe(method, path, &e);
                self.record(Exchange {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    status: None,
                    ms,
                    error: Some(err.message.clone()),
                });
                Err(err)
            }
        }
    }

    /// `GET path`.
    ///
    /// # Errors
    /// When no answer came.
    pub fn get(&self, path: &str, timeout: Duration) -> Result<Reply, HttpError> {
        self.without_body("GET", path, self.agent.get(format!("{}{path}", self.base)), timeout)
    }

    /// `OPTIONS path` (no CORS headers, so no CORS middleware answers it: the router does,
    /// 405 for a route that exists with other methods, 404 for none, without running the
    /// route's handler).
    ///
    /// # Errors
    /// When no answer came.
    pub fn options(&self, path: &str, timeout: Duration) -> Result<Reply, HttpError> {
        self.without_body("OPTIONS", path, self.agent.options(format!("{}{path}", self.base)), timeout)
    }

    /// Sends `request` (`method path`, no body) and records the exchange.
    fn without_body(
        &self,
        method: &str,
        path: &str,
        request: ureq::RequestBuilder<ureq::typestate::WithoutBody>,
        timeout: Duration,
    ) -> Result<Reply, HttpError> {
        let started = Instant::now();
        let r = request.config().timeout_global(Some(timeout)).build().call();
        self.finish(method, path, started, r)
    }

    /// `POST path` with a JSON body, or an empty body when `body` is `None`.
    ///
    /// # Errors
    /// When no answer came.
    pub fn post(&self, path: &str, body: Option<&Value>, timeout: Duration) -> Result<Reply, HttpError> {
        let started = Instant::now();
        let req =
            self.agent.post(format!("{}{path}", self.base)).config().timeout_global(Some(timeout)).build();
        let r = match body {
            Some(v) => req.header("Content-Type", "application/json").send(v.to_string()),
            None => req.send_empty(),
        };
        self.finish("POST", path, started, r)
    }

    /// `POST path` with a JSON body asking for a streamed answer. Returns the status and
    /// body of a non-2xx answer as `Err(Ok(reply))`; otherwise calls `on_event` for every
    /// server-sent event until the stream ends or `on_event` returns `false` (which closes
    /// the connection, so the server aborts the request).
    ///
    /// # Errors
    /// `Err(Err(_))` when no answer came, `Err(Ok(reply))` for a non-2xx answer.
    pub fn post_stream(
        &self,
        path: &str,
        body: &Value,
        timeout: Duration,
        mut on_event: impl FnMut(StreamEvent) -> bool,
    ) -> Result<(), Result<Reply, HttpError>> {
        let started = Instant::now();
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .send(body.to_string());
        let resp = match r {
            Ok(resp) if resp.status().is_success() => resp,
            other => return Err(self.finish("POST", path, started, other)),
        };
        self.record(Exchange {
            method: "POST".to_owned(),
            path: path.to_owned(),
            status: Some(resp.status().as_u16()),
            ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error: None,
        });
        let reader = BufReader::new(resp.into_body().into_reader());
        for line in reader.lines() {
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    on_event(StreamEvent::Failed(format!("POST {}{path}: stream broken: {e}", self.base)));
                    return Ok(());
                }
            };
            let Some(data) = line.strip_prefix("data:") else { continue };
            let data = data.trim();
            if data == "[DONE]" {
                break;
            }
            if !data.is_empty() && !on_event(StreamEvent::Chunk) {
                return Ok(());
            }
        }
        on_event(StreamEvent::End);
        Ok(())
    }
}

/// The `http` crate's response type as ureq returns it.
mod http_types {
    /// A response with ureq's body.
    pub type Response = ureq::http::Response<ureq::Body>;
}

//! `capture` through a running `tracetriage-relay serve` (docs/relay-api.md): start a
//! capture (`POST /api/v1/captures`) or read one's state (`GET /api/v1/captures/ID`), over
//! plain HTTP/1.1 to the relay (it listens on 127.0.0.1).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use super::params::CaptureQuery;
use super::tools::Answer;

/// Where the relay is and its token.
#[derive(Clone, Debug)]
pub struct Relay {
    /// `http://HOST:PORT`.
    pub url: String,
    /// The token `tracetriage-relay serve` printed.
    pub token: String,
}

/// The error when no relay is configured.
pub const NOT_CONFIGURED: &str = "no relay configured. Fix: start `tracetriage-relay serve --out DIR` \
    next to the inference server, then start this server as `tracetriage mcp --relay http://127.0.0.1:PORT \
    --relay-token TOKEN` (or set TRACETRIAGE_RELAY and TRACETRIAGE_RELAY_TOKEN)";

/// `capture`: starts a capture, or reports on one.
pub fn capture(relay: Option<&Relay>, q: &CaptureQuery) -> Result<Answer, String> {
    let relay = relay.ok_or_else(|| NOT_CONFIGURED.to_owned())?;
    let api = report::live::API;
    let value = match (&q.job, &q.url) {
        (Some(job), _) => {
            let wait = q.wait_s.unwrap_or(0).min(300) * 1000;
            relay.call("GET", &format!("{api}/captures/{job}?wait_ms={wait}"), None)?
        }
        (None, Some(url)) => {
            let body = json!({
                "url": url, "framework": q.framework, "workload": q.workload, "num_steps": q.num_steps,
            });
            relay.call("POST", &format!("{api}/captures"), Some(&body))?
        }
        (None, None) => {
            return Err(
                "give `url` (the inference server, to start a capture) or `job` (a capture's id)".to_owned()
            );
        }
    };
    let text = format!(
        "capture {} — state {}. Call `capture` with `job` to follow it; when done, `triage` the folder it wrote.",
        value["id"].as_str().unwrap_or("?"),
        value["state"].as_str().unwrap_or("?")
    );
    Ok(Answer { structured: value, text })
}

impl Relay {
    /// One request; the answer's JSON, or the relay's error message.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let unreachable = |e: std::io::Error| {
            format!(
                "relay at {} not reachable: {e}. Fix: check that `tracetriage-relay serve` runs there",
                self.url
            )
        };
        let host = self.url.trim_start_matches("http://").trim_end_matches('/');
        if self.url.starts_with("https://") {
            return Err(
                "the relay is reached over plain http (it listens on 127.0.0.1): give http://HOST:PORT"
                    .to_owned(),
            );
        }
        let mut stream = TcpStream::connect(host).map_err(unreachable)?;
        stream.set_read_timeout(Some(Duration::from_secs(330))).map_err(unreachable)?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.token,
            body.len()
        );
        stream.write_all(request.as_bytes()).map_err(unreachable)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).map_err(unreachable)?;
        let answer = String::from_utf8_lossy(&answer);
        let (head, json) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head.split_whitespace().nth(1).unwrap_or("?");
        let value: Value = serde_json::from_str(json.trim()).unwrap_or_else(|_| json!({ "body": json }));
        if status.starts_with('2') {
            Ok(value)
        } else {
            Err(format!(
                "relay answered {status}: {}",
                value["error"].as_str().map_or_else(|| value.to_string(), str::to_owned)
            ))
        }
    }
}

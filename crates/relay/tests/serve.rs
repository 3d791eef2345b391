//! `tracetriage-relay serve`: the browser API. Access rules (token, CORS, Host), a capture
//! run through the API against a fake SGLang server, progress by polling and by
//! server-sent events, downloads, path traversal, cancellation.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types, missing_docs)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::fake::{Config, Fake, Kind};
use common::{Answer, Tmp, request, trace};
use serde_json::{Value, json};

const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";

/// A relay started by a test (killed on drop).
struct Relay {
    child: Child,
    port: u16,
    token: String,
}

impl Relay {
    fn start(extra: &[&str], out: &Path) -> Relay {
        let mut child = common::relay()
            .args(["serve", "--port", "0", "--out", out.to_str().unwrap()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let l = lines.next().expect("the relay printed its URL").unwrap();
            if let Some(u) = l.trim().strip_prefix("http://") {
                break u.to_owned();
            }
        };
        // 127.0.0.1:PORT/?token=T
        let (addr, token) = url.split_once("/?token=").unwrap();
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        assert_eq!(token.len(), 48, "a 24-byte random token");
        Relay { child, port, token: token.to_owned() }
    }

    fn get(&self, path: &str) -> Answer {
        let auth = format!("Bearer {}", self.token);
        request(self.port, "GET", path, &[("Authorization", &auth)], b"")
    }

    fn post(&self, path: &str, body: &Value) -> Answer {
        let auth = format!("Bearer {}", self.token);
        request(
            self.port,
            "POST",
            path,
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    /// Polls a capture until it is no longer running.
    fn wait_done(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut since = 0;
        let mut events: Vec<Value> = Vec::new();
        loop {
            let a = self.get(&format!("/api/v1/captures/{id}?since={since}&wait_ms=2000"));
            assert_eq!(a.status, 200, "{}", a.text());
            let v = a.json();
            events.extend(v["events"].as_array().unwrap().iter().cloned());
            since = v["next"].as_u64().unwrap() as usize;
            if v["state"] != "running" {
                let mut v = v;
                v["events"] = Value::Array(events);
                return v;
            }
            assert!(Instant::now() < deadline, "capture did not finish");
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fake_sglang(slow: bool) -> Fake {
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    if slow {
        cfg.request_delay = Duration::from_millis(300);
    }
    Fake::start(cfg)
}

fn options(url: &str) -> Value {
    json!({
        "url": url, "workload": "decode", "warmup_steps": 2, "settle_ms": 150, "poll_ms": 20,
        "request_timeout_s": 20, "flush_timeout_s": 20,
    })
}

#[test]
fn every_call_needs_the_token_and_an_allowed_origin() {
    let out = Tmp::new("serve-access");
    let r = Relay::start(&["--allow-origin", "http://app.example:8080/"], out.path());
    let p = r.port;
    // No token, a wrong token.
    let a = request(p, "GET", "/api/v1/info", &[], b"");
    assert_eq!(a.status, 401);
    assert_eq!(a.header("WWW-Authenticate"), Some("Bearer"));
    assert!(a.json()["error"].as_str().unwrap().contains("token"));
    let wrong = format!("Bearer {}", "0".repeat(48));
    assert_eq!(request(p, "GET", "/api/v1/info", &[("Authorization", &wrong)], b"").status, 401);
    assert_eq!(request(p, "GET", "/api/v1/captures", &[("X-Relay-Token", "nope")], b"").status, 401);
    assert_eq!(request(p, "POST", "/api/v1/captures", &[], b"{}").status, 401);
    // The token: header, X-Relay-Token, or query.
    let a = r.get("/api/v1/info");
    assert_eq!(a.status, 200);
    assert_eq!(a.header("X-Tracetriage-Relay-Protocol"), Some("1"));
    let info = a.json();
    assert_eq!(info["protocol"], 1);
    assert_eq!(info["defaults"]["prefill_input_len"], 4090);
    assert_eq!(info["frameworks"].as_array().unwrap().len(), 5);
    assert_eq!(request(p, "GET", "/api/v1/info", &[("X-Relay-Token", &r.token)], b"").status, 200);
    assert_eq!(request(p, "GET", &format!("/api/v1/info?token={}", r.token), &[], b"").status, 200);
    // CORS: another origin is refused (with the right token), without CORS headers.
    let auth = format!("Bearer {}", r.token);
    let a = request(
        p,
        "GET",
        "/api/v1/info",
        &[("Authorization", &auth), ("Origin", "http://evil.example")],
        b"",
    );
    assert_eq!(a.status, 403);
    assert_eq!(a.header("Access-Control-Allow-Origin"), None);
    let a = request(
        p,
        "OPTIONS",
        "/api/v1/captures",
        &[("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert_eq!(a.status, 403);
    // The relay's own origin is not the app's when it serves no app.
    let own = format!("http://127.0.0.1:{p}");
    assert_eq!(
        request(p, "GET", "/api/v1/info", &[("Authorization", &auth), ("Origin", &own)], b"").status,
        403
    );
    // The allowed origin gets exactly itself back, and a preflight.
    let a = request(
        p,
        "GET",
        "/api/v1/info",
        &[("Authorization", &auth), ("Origin", "http://app.example:8080")],
        b"",
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.header("Access-Control-Allow-Origin"), Some("http://app.example:8080"));
    let a = request(
        p,
        "OPTIONS",
        "/api/v1/captures",
        &[("Origin", "http://app.example:8080"), ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert_eq!(a.status, 204);
    assert_eq!(a.header("Access-Control-Allow-Origin"), Some("http://app.example:8080"));
    assert!(a.header("Access-Control-Allow-Headers").unwrap().contains("Authorization"));
    // DNS rebinding: another Host name is refused.
    let a = request(
        p,
        "GET",
        "/api/v1/info",
        &[("Authorization", &auth), ("Host", &format!("evil.example:{p}"))],
        b"",
    );
    assert_eq!(a.status, 403);
    // Versioned paths.
    let a = r.get("/api/v2/info");
    assert_eq!(a.status, 404);
    assert!(a.text().contains("protocol 1"), "{}", a.text());
    // Bad options are refused with the reason.
    let a = r.post("/api/v1/captures", &json!({"url": "https://x"}));
    assert_eq!(a.status, 400);
    assert!(a.json()["error"].as_str().unwrap().contains("plain HTTP"));
    let a = r.post("/api/v1/captures", &json!({"url": "http://x", "bogus": 1}));
    assert_eq!(a.status, 400);
}

#[test]
fn a_capture_through_the_api_with_downloads() {
    testkit::needs_corpus!();
    let fake = fake_sglang(false);
    let out = Tmp::new("serve-capture");
    // Something beside the captures that must never be served.
    std::fs::write(out.path().join("secret.txt"), b"secret").unwrap();
    let r = Relay::start(&[], out.path());
    let a = r.post("/api/v1/captures", &options(&fake.url));
    assert_eq!(a.status, 202, "{}", a.text());
    let id = a.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(a.json()["status"], format!("/api/v1/captures/{id}"));
    let done = r.wait_done(&id);
    fake.join_writers();
    assert_eq!(done["state"], "done", "{done}");
    let kinds: Vec<&str> =
        done["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    let order = [
        "discovered",
        "warm_up",
        "plan",
        "armed",
        "probes",
        "stopped",
        "flushing",
        "collected",
        "triage",
        "done",
    ];
    let mut at = 0;
    for k in order {
        let found = kinds[at..]
            .iter()
            .position(|x| *x == k)
            .unwrap_or_else(|| panic!("{k} missing after {at}: {kinds:?}"));
        at += found;
    }
    let seqs: Vec<u64> =
        done["events"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    assert!(done["report"].as_str().unwrap().ends_with("/report"));

    // Files of the capture, and their bytes.
    let files = r.get(&format!("/api/v1/captures/{id}/files")).json();
    let list = files["files"].as_array().unwrap();
    let t = list.iter().find(|f| f["trace"] == true).unwrap();
    assert_eq!(t["stage"], "decode");
    let url = t["url"].as_str().unwrap();
    let a = r.get(url);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("Content-Type"), Some("application/gzip"));
    assert!(
        a.header("Content-Disposition").unwrap().starts_with("attachment; filename=\"tracetriage-decode-")
    );
    assert_eq!(a.body, std::fs::read(trace(MI300X)).unwrap());
    let report = r.get(&format!("/api/v1/captures/{id}/report"));
    assert_eq!(report.status, 200);
    let dir = common::capture_dir_named(out.path(), "sglang-");
    assert_eq!(report.body, std::fs::read(dir.join("report.json")).unwrap());

    // Nothing outside the capture folder, however the path is spelled.
    #[cfg(unix)]
    std::os::unix::fs::symlink(out.path().join("secret.txt"), dir.join("link.json")).unwrap();
    for bad in [
        "../secret.txt",
        "..%2Fsecret.txt",
        "%2e%2e/secret.txt",
        "decode/../../secret.txt",
        "%2Fetc%2Fpasswd",
        "/etc/passwd",
        "..\\secret.txt",
        "link.json",
        "decode",
    ] {
        let a = r.get(&format!("/api/v1/captures/{id}/files/{bad}"));
        assert_eq!(a.status, 404, "{bad}: {}", a.text());
        assert!(!a.text().contains("secret\""), "{bad}");
    }
    assert_eq!(r.get("/api/v1/captures/nope/files/report.json").status, 404);
    // The capture folder itself is intact: nothing was deleted.
    assert!(dir.join("server_args.json").is_file() && dir.join("capture.json").is_file());
}

#[test]
fn progress_streams_as_server_sent_events() {
    testkit::needs_corpus!();
    let fake = fake_sglang(false);
    let out = Tmp::new("serve-sse");
    let r = Relay::start(&[], out.path());
    let id = r.post("/api/v1/captures", &options(&fake.url)).json()["id"].as_str().unwrap().to_owned();
    // EventSource cannot send headers: the token rides in the query.
    let a = request(r.port, "GET", &format!("/api/v1/captures/{id}/events?token={}", r.token), &[], b"");
    fake.join_writers();
    assert_eq!(a.status, 200);
    assert_eq!(a.header("Content-Type"), Some("text/event-stream"));
    let text = a.text();
    assert!(text.contains("event: progress\ndata: {\"seq\":0"), "{text}");
    assert!(text.contains("\"kind\":\"armed\""), "{text}");
    assert!(text.contains("\"kind\":\"flushing\""), "{text}");
    assert!(text.trim_end().ends_with("event: end\ndata: {\"state\":\"done\"}"), "{text}");
}

#[test]
fn one_capture_at_a_time_and_cancel_sends_stop_profile() {
    testkit::needs_corpus!();
    let fake = fake_sglang(true);
    let out = Tmp::new("serve-cancel");
    let r = Relay::start(&[], out.path());
    let mut opts = options(&fake.url);
    opts["workload"] = json!("prefill");
    opts["warmup_steps"] = json!(0);
    opts["prefill_input_len"] = json!(8);
    opts["max_trace_mb"] = json!(100000);
    let id = r.post("/api/v1/captures", &opts).json()["id"].as_str().unwrap().to_owned();
    let a = r.post("/api/v1/captures", &opts);
    assert_eq!(a.status, 409, "{}", a.text());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fake.calls().iter().any(|c| c == "POST /start_profile") {
        assert!(Instant::now() < deadline, "{:?}", fake.calls());
        std::thread::sleep(Duration::from_millis(10));
    }
    let a = r.post(&format!("/api/v1/captures/{id}/cancel"), &json!({}));
    assert_eq!(a.status, 202);
    let done = r.wait_done(&id);
    assert_eq!(done["state"], "cancelled", "{done}");
    let last = done["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "failed");
    assert!(last["message"].as_str().unwrap().contains("cancelled while profiling"), "{last}");
    let calls = fake.calls();
    let start = calls.iter().position(|c| c == "POST /start_profile").unwrap();
    assert!(calls[start..].contains(&"POST /stop_profile".to_owned()), "{calls:?}");
    // A new capture may start now.
    let list = r.get("/api/v1/captures").json();
    assert_eq!(list["captures"][0]["state"], "cancelled");
}

#[test]
fn serves_the_app_and_allows_its_own_origin() {
    let out = Tmp::new("serve-app");
    let app = Tmp::new("serve-app-dist");
    std::fs::write(app.path().join("index.html"), b"<!doctype html><title>tt</title>").unwrap();
    std::fs::write(app.path().join("app.wasm"), b"\0asm").unwrap();
    std::fs::write(out.path().join("private.json"), b"{}").unwrap();
    let r = Relay::start(&["--app", app.path().to_str().unwrap()], out.path());
    let p = r.port;
    let a = request(p, "GET", "/", &[], b"");
    assert_eq!((a.status, a.text().as_str()), (200, "<!doctype html><title>tt</title>"));
    let a = request(p, "GET", "/app.wasm", &[], b"");
    assert_eq!(a.header("Content-Type"), Some("application/wasm"));
    for bad in ["/../Cargo.toml", "/%2e%2e/Cargo.toml", "/nope.js"] {
        assert_eq!(request(p, "GET", bad, &[], b"").status, 404, "{bad}");
    }
    let auth = format!("Bearer {}", r.token);
    let own = format!("http://127.0.0.1:{p}");
    let a = request(p, "GET", "/api/v1/info", &[("Authorization", &auth), ("Origin", &own)], b"");
    assert_eq!(a.status, 200);
    assert_eq!(a.header("Access-Control-Allow-Origin"), Some(own.as_str()));
}

/// A browser loading the page opens several connections at once and keeps them alive.
/// Every one must be answered while the others stay open (tiny_http's thread pool used to
/// queue one behind the open ones: vendor/tiny_http/PATCHED.md).
#[test]
fn a_burst_of_kept_alive_connections_is_answered() {
    use std::io::{Read, Write};
    let out = Tmp::new("serve-burst");
    let app = Tmp::new("serve-burst-dist");
    std::fs::write(app.path().join("index.html"), b"<!doctype html><title>tt</title>").unwrap();
    let r = Relay::start(&["--app", app.path().to_str().unwrap()], out.path());
    for round in 0..50 {
        // Connect all first (the server accepts them in a burst), then ask on each; the
        // connections stay open (keep-alive) until every answer is in.
        let mut conns: Vec<std::net::TcpStream> =
            (0..12).map(|_| std::net::TcpStream::connect(("127.0.0.1", r.port)).unwrap()).collect();
        let ask = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", r.port);
        for c in &mut conns {
            c.write_all(ask.as_bytes()).unwrap();
        }
        for (i, c) in conns.iter_mut().enumerate() {
            c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(b"<title>tt</title>") {
                match c.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) => panic!("round {round}, connection {i}: no answer ({e})"),
                }
            }
            assert!(got.starts_with(b"HTTP/1.1 200"), "round {round}, connection {i}");
        }
    }
}

#[test]
fn a_non_loopback_address_needs_the_explicit_flag() {
    let out = Tmp::new("serve-remote");
    let o = common::relay()
        .args(["serve", "--host", "0.0.0.0", "--port", "0", "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(err.contains("not a loopback address") && err.contains("--allow-remote"), "{err}");
}

/// Reads from a connection until the peer closes it; `None` when it stays open past
/// `within` (the read times out).
fn read_until_closed(c: &mut std::net::TcpStream, within: Duration) -> Option<Vec<u8>> {
    use std::io::Read;
    c.set_read_timeout(Some(within)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return Some(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(got),
            Err(_) => return None,
        }
    }
}

/// Issue 27: 200 connections that send their request slowly (POST bodies a byte at a
/// time, to the API without the token and to the app's paths, and headers that never
/// end) must not stall the relay: each unauthorised POST is refused before its body is
/// read, and an authorised request still answers within a second.
#[test]
fn slow_connections_without_the_token_cannot_stall_the_relay() {
    use std::io::Write;
    let out = Tmp::new("serve-slow");
    let r = Relay::start(&[], out.path());
    let host = format!("127.0.0.1:{}", r.port);
    let mut slow: Vec<std::net::TcpStream> = Vec::new();
    for i in 0..200 {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", r.port)).unwrap();
        let head = match i % 4 {
            0 | 1 => format!(
                "POST /api/v1/captures HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
                 Content-Length: 60000\r\n\r\n{{"
            ),
            2 => format!("POST /index.html HTTP/1.1\r\nHost: {host}\r\nContent-Length: 60000\r\n\r\n{{"),
            _ => format!("GET /api/v1/info HTTP/1.1\r\nHost: {host}\r\nX-Pad: "),
        };
        c.write_all(head.as_bytes()).unwrap();
        slow.push(c);
    }
    // The slow clients go on trickling a byte a second while the relay is asked.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trickle = {
        let stop = std::sync::Arc::clone(&stop);
        let mut conns: Vec<std::net::TcpStream> = slow.iter().map(|c| c.try_clone().unwrap()).collect();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                for c in &mut conns {
                    let _ = c.write_all(b" ");
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    for round in 0..5 {
        let t = Instant::now();
        let a = r.get("/api/v1/info");
        let took = t.elapsed();
        assert_eq!(a.status, 200, "round {round}: {}", a.text());
        assert!(took < Duration::from_secs(1), "round {round}: the authorised request took {took:?}");
    }
    // Each unauthorised POST got its answer without the relay waiting for the body: its
    // refusal (401 at the API, 405 for the app's paths), or 503 when it came while the
    // slots open to requests without the token were all taken by the burst.
    for (i, c) in slow.iter_mut().enumerate().filter(|(i, _)| i % 4 != 3) {
        let got = read_until_closed(c, Duration::from_secs(5))
            .unwrap_or_else(|| panic!("slow client {i}: the connection stayed open"));
        let want: &[u8] = if i % 4 == 2 { b"HTTP/1.1 405" } else { b"HTTP/1.1 401" };
        assert!(
            got.starts_with(want) || got.starts_with(b"HTTP/1.1 503"),
            "slow client {i}: {}",
            String::from_utf8_lossy(&got)
        );
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    trickle.join().unwrap();
}

/// Issue 27: the event stream closes after `event: end` also when the client keeps the
/// connection alive (as `EventSource` does); file listings percent-encode their URLs.
#[test]
fn the_event_stream_closes_after_end_and_listings_encode_urls() {
    use std::io::Write;
    testkit::needs_corpus!();
    let fake = fake_sglang(false);
    let out = Tmp::new("serve-sse-close");
    let r = Relay::start(&[], out.path());
    let id = r.post("/api/v1/captures", &options(&fake.url)).json()["id"].as_str().unwrap().to_owned();
    let mut c = std::net::TcpStream::connect(("127.0.0.1", r.port)).unwrap();
    let ask = format!(
        "GET /api/v1/captures/{id}/events?token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
        r.token, r.port
    );
    c.write_all(ask.as_bytes()).unwrap();
    let got =
        read_until_closed(&mut c, Duration::from_secs(60)).expect("the stream ends with the connection");
    fake.join_writers();
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.trim_end().ends_with("event: end\ndata: {\"state\":\"done\"}"), "{text}");

    let dir = common::capture_dir_named(out.path(), "sglang-");
    let name = "a b#c%d?.txt";
    std::fs::write(dir.join("decode").join(name), b"odd name").unwrap();
    let files = r.get(&format!("/api/v1/captures/{id}/files")).json();
    let entry = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == format!("decode/{name}"))
        .unwrap_or_else(|| panic!("{files}"));
    let url = entry["url"].as_str().unwrap();
    assert!(url.ends_with("/files/decode/a%20b%23c%25d%3F.txt"), "{url}");
    let a = r.get(url);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.body, b"odd name");
}

/// A two-server capture through the API: `mapping_url` and `formal_url` instead of `url`;
/// the files list both sides with their stages, and the report is the mapping + formal one.
#[test]
fn a_two_server_capture_through_the_api() {
    testkit::needs_corpus!();
    let start = |graphs: bool| {
        let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
        cfg.graphs = Some(graphs);
        Fake::start(cfg)
    };
    let (mapping, formal) = (start(false), start(true));
    let out = Tmp::new("serve-pair");
    let r = Relay::start(&[], out.path());
    let mut opts = options("");
    opts.as_object_mut().unwrap().remove("url");
    opts["mapping_url"] = json!(mapping.url);
    opts["formal_url"] = json!(formal.url);
    let a = r.post("/api/v1/captures", &opts);
    assert_eq!(a.status, 202, "{}", a.text());
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let done = r.wait_done(&id);
    mapping.join_writers();
    formal.join_writers();
    assert_eq!(done["state"], "done", "{done}");
    let files = r.get(&format!("/api/v1/captures/{id}/files")).json();
    let traces: Vec<(String, String)> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["trace"] == true)
        .map(|f| (f["path"].as_str().unwrap().split('/').next().unwrap().to_owned(), f["stage"].to_string()))
        .collect();
    assert!(traces.contains(&("mapping".into(), "\"decode\"".into())), "{traces:?}");
    assert!(traces.contains(&("formal".into(), "\"decode\"".into())), "{traces:?}");
    let report = r.get(&format!("/api/v1/captures/{id}/report")).json();
    assert_eq!(report["mode"], "mapping-formal");
    // Both URLs and the single one together are refused.
    opts["url"] = json!(mapping.url);
    let a = r.post("/api/v1/captures", &opts);
    assert_eq!(a.status, 400, "{}", a.text());
    assert!(a.text().contains("not both"), "{}", a.text());
}

//! `tracetriage mcp` as an MCP client sees it: newline-delimited JSON-RPC over the
//! binary's stdio — initialize, tools/list, every tool on a corpus trace (answers checked
//! against the CLI's `--format json`), the `sources` resource, and bad input (malformed
//! JSON, unknown tools, bad arguments, bad paths) that must never end the server.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&[])
    }

    fn start_with(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tracetriage"))
            .arg("mcp")
            .args(args)
            .env_remove("TRACETRIAGE_RELAY")
            .env_remove("TRACETRIAGE_RELAY_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client { child, stdin, stdout, next: 0 };
        let init = c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "tracetriage", "{init}");
        c.send_line(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        c
    }

    fn send_line(&mut self, line: &str) {
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and reads lines until the response with its id (notifications and
    /// other lines are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send_line(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string());
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "the server closed its stdout while answering {method}");
            let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
            if v["id"] == id {
                return v;
            }
        }
    }

    fn call(&mut self, tool: &str, args: Value) -> Value {
        let v = self.request("tools/call", json!({"name": tool, "arguments": args}));
        v["result"].clone()
    }

    fn ok(&mut self, tool: &str, args: Value) -> Value {
        let r = self.call(tool, args);
        assert_ne!(r["isError"], true, "{tool}: {r}");
        assert!(r["content"][0]["text"].as_str().is_some_and(|t| !t.is_empty()), "{tool}: no text: {r}");
        r["structuredContent"].clone()
    }

    fn error_text(&mut self, tool: &str, args: Value) -> String {
        let r = self.call(tool, args);
        assert_eq!(r["isError"], true, "{tool} should fail: {r}");
        r["content"][0]["text"].as_str().unwrap().to_owned()
    }

    fn alive(&mut self) {
        let v = self.request("tools/list", json!({}));
        assert!(v["result"]["tools"].as_array().is_some_and(|t| !t.is_empty()), "{v}");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trace(name: &str) -> String {
    testkit::traces_dir().join(name).display().to_string()
}

fn cli_json(args: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_tracetriage")).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

const SMALL: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const VLLM: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";

#[test]
fn lists_every_tool_with_a_schema() {
    let mut c = Client::start();
    let v = c.request("tools/list", json!({}));
    let tools = v["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "capture", "diff", "explain", "fuse", "inspect", "kernels", "layers", "overlap", "roofline",
            "triage", "verdict"
        ]
    );
    let kernels = tools.iter().find(|t| t["name"] == "kernels").unwrap();
    let props = &kernels["inputSchema"]["properties"];
    for key in ["path", "stage", "limit", "min_share", "category", "name", "id", "framework", "rank"] {
        assert!(props.get(key).is_some(), "kernels schema lacks {key}: {props}");
    }
    let r = c.request("resources/list", json!({}));
    assert_eq!(r["result"]["resources"][0]["uri"], "tracetriage://sources", "{r}");
}

#[test]
fn tools_agree_with_the_cli_json_and_rows_are_citable() {
    testkit::needs_corpus!();
    let path = trace(VLLM);
    let cli = cli_json(&["triage", "--format", "json", &path]);
    let mut c = Client::start();
    let t = c.ok("triage", json!({"path": path}));
    assert_eq!(t["stages"].as_array().unwrap().len(), cli["stages"].as_array().unwrap().len());
    let stage0 = &cli["stages"][0];
    assert_eq!(t["stages"][0]["verdict"], stage0["verdict"]["text"]);
    assert_eq!(t["stages"][0]["summary"], stage0["summary"]);
    // The kernel rows are the CLI's, ids included (sites cut to 3).
    let k = c.ok("kernels", json!({"path": path, "limit": 4}));
    let rows = k["stages"][0]["kernels"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4.min(stage0["kernels"]["rows"].as_array().unwrap().len()));
    for (ours, theirs) in rows.iter().zip(stage0["kernels"]["rows"].as_array().unwrap()) {
        assert_eq!(ours["row_id"], theirs["row_id"]);
        assert!(ours["row_id"].as_str().unwrap().contains("/kernel/"), "{ours}");
        assert_eq!(ours["gpu_ns"], theirs["gpu_ns"]);
        assert_eq!(ours["sites"][0], theirs["sites"][0]);
    }
    let all = stage0["kernels"]["rows"].as_array().unwrap().len();
    if all > 4 {
        assert_eq!(k["stages"][0]["kernels"]["left_out"], all - 4);
    }
    // A row cited by id, then explained.
    let id = stage0["kernels"]["rows"][0]["row_id"].as_str().unwrap();
    let one = c.ok("kernels", json!({"path": path, "id": id}));
    assert_eq!(one["stages"][0]["kernels"]["rows"][0]["row_id"], id);
    assert_eq!(one["stages"][0]["kernels"]["matched"], 1);
    let e = c.ok("explain", json!({"path": path, "id": id}));
    assert_eq!(e["row"]["row_id"], id);
    assert_eq!(e["kind"], "kernel");
    // Every table row of the CLI's JSON has a unique id.
    let mut ids: Vec<String> = Vec::new();
    for s in cli["stages"].as_array().unwrap() {
        for table in [&s["kernels"]["rows"], &s["overlap"]["rows"], &s["fuse"]["rows"], &s["fix_first"]] {
            for r in table.as_array().unwrap() {
                ids.push(r["row_id"].as_str().unwrap().to_owned());
            }
        }
    }
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "row ids repeat");
    // The other tables.
    let v = c.ok("verdict", json!({"path": path}));
    assert_eq!(
        v["stages"][0]["fix_first"].as_array().unwrap().len(),
        stage0["fix_first"].as_array().unwrap().len()
    );
    let o = c.ok("overlap", json!({"path": path, "limit": 3}));
    assert_eq!(o["stages"][0]["rows"][0], stage0["overlap"]["rows"][0]);
    let f = c.ok("fuse", json!({"path": path}));
    assert!(f["stages"][0]["rows"].is_array());
    let r = c.ok("roofline", json!({"path": path}));
    assert_eq!(r["stages"][0]["coverage"], stage0["roofline"]);
    let i = c.ok("inspect", json!({"path": path}));
    assert_eq!(i["events"], cli_json(&["inspect", "--format", "json", &path])["events"]);
    let l = c.ok("layers", json!({"path": path, "limit": 3}));
    assert!(l["passes"].as_array().is_some_and(|p| p.len() <= 3), "{l}");
    let d = c.ok("diff", json!({"a": path, "b": trace(SMALL)}));
    assert_eq!(d["schema"], "tracetriage.diff");
    // One load for all of them: the sources resource shows the trace reused.
    let s = c.request("resources/read", json!({"uri": "tracetriage://sources"}));
    let text = s["result"]["contents"][0]["text"].as_str().unwrap();
    let sources: Value = serde_json::from_str(text).unwrap();
    let ours = sources["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"].as_str().unwrap().ends_with(VLLM))
        .unwrap();
    assert!(ours["hits"].as_u64().unwrap() >= 1, "{sources}");
}

#[test]
fn bad_input_gives_errors_that_say_the_fix_and_the_server_survives() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("page.json");
    std::fs::write(&html, "<!DOCTYPE html><html></html>").unwrap();
    let html = html.display().to_string();
    let missing = dir.path().join("missing.trace.json").display().to_string();
    let mut c = Client::start();
    c.send_line("this is not json {");
    c.alive();
    c.send_line(r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":"#);
    c.alive();
    let unknown = c.request("tools/call", json!({"name": "no_such_tool", "arguments": {}}));
    assert!(unknown["error"].is_object() || unknown["result"]["isError"] == true, "{unknown}");
    c.alive();
    let e = c.error_text("triage", json!({"path": missing}));
    assert!(e.contains("no such file") && e.contains("Fix:"), "{e}");
    let e = c.error_text("kernels", json!({"path": html}));
    assert!(e.contains("not a trace") && e.contains("Fix:"), "{e}");
    let e = c.error_text("triage", json!({"path": 42}));
    assert!(!e.is_empty());
    let e = c.error_text("triage", json!({"path": html, "framework": "pytorch-lightning"}));
    assert!(e.contains("unknown framework") && e.contains("Fix:"), "{e}");
    let e = c.error_text("capture", json!({"url": "http://127.0.0.1:30000"}));
    assert!(e.contains("no relay configured") && e.contains("--relay"), "{e}");
    let e = c.error_text("diff", json!({"a": missing, "b": missing}));
    assert!(e.starts_with("A ("), "{e}");
    c.alive();
}

#[test]
fn corpus_errors_name_the_fix() {
    testkit::needs_corpus!();
    let path = trace(SMALL);
    let mut c = Client::start();
    let e = c.error_text("kernels", json!({"path": path, "stage": "prefill"}));
    assert!(e.contains("no stage") && e.contains("decode"), "{e}");
    let e = c.error_text("explain", json!({"path": path, "id": "decode/kernel/no such kernel"}));
    assert!(e.contains("no row") && e.contains("Fix:"), "{e}");
    let e = c.error_text("triage", json!({"path": path, "capture": ["/no/such/capture_traces"]}));
    assert!(e.contains("capture trace missing") && e.contains("Fix:"), "{e}");
    // A graph-replayed trace without capture traces: a warning naming the fix, not an error.
    let r = c.call("triage", json!({"path": path}));
    assert_ne!(r["isError"], true);
    let text = r["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("warning:") && text.contains("Fix:"), "{text}");
    // A truncated trace: analysed, with a warning that names the cut and the fix.
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.trace.json.gz");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let r = c.call("verdict", json!({"path": cut.display().to_string()}));
    assert_ne!(r["isError"], true, "{r}");
    let text = r["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("truncated") && text.contains("Fix:"), "{text}");
    assert!(r["structuredContent"]["warnings"].as_array().is_some_and(|w| !w.is_empty()), "{r}");
    c.alive();
}

/// A stand-in for `tracetriage-relay serve`'s API (docs/relay-api.md): each connection's
/// request line and `Authorization` header are recorded; a capture started with the right
/// token is `running`, then `done` when asked again; a wrong token gets the relay's 401.
fn fake_relay(token: &'static str) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = vec![0u8; 65536];
            let n = s.read(&mut buf).unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            let line = text.lines().next().unwrap_or("").to_owned();
            let authorised =
                text.lines().any(|l| l.eq_ignore_ascii_case(&format!("authorization: bearer {token}")));
            log.lock().unwrap().push(format!("{line} | {}", text.split("\r\n\r\n").nth(1).unwrap_or("")));
            let (status, body) = if !authorised {
                ("401 Unauthorized", json!({"error": "missing or wrong token", "protocol": 1}))
            } else if line.starts_with("POST /api/v1/captures ") {
                ("202 Accepted", json!({"id": "c1", "state": "running", "status": "/api/v1/captures/c1"}))
            } else if line.starts_with("GET /api/v1/captures/c1?") {
                ("200 OK", json!({"id": "c1", "state": "done", "events": [], "next": 0}))
            } else {
                ("404 Not Found", json!({"error": "no such capture", "protocol": 1}))
            };
            let body = body.to_string();
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

#[test]
fn capture_goes_through_the_configured_relay() {
    let (port, seen) = fake_relay("sixteen-letters-token");
    let relay = format!("http://127.0.0.1:{port}");
    let mut c = Client::start_with(&["--relay", &relay, "--relay-token", "sixteen-letters-token"]);
    let started =
        c.ok("capture", json!({"url": "http://10.0.0.7:30000", "workload": "decode", "num_steps": 3}));
    assert_eq!(started["id"], "c1", "{started}");
    assert_eq!(started["state"], "running", "{started}");
    let done = c.ok("capture", json!({"job": "c1"}));
    assert_eq!(done["state"], "done", "{done}");
    let e = c.error_text("capture", json!({"job": "nope"}));
    assert!(e.contains("relay answered 404") && e.contains("no such capture"), "{e}");
    let e = c.error_text("capture", json!({}));
    assert!(e.contains("give `url`"), "{e}");
    let log = seen.lock().unwrap().clone();
    assert!(log[0].starts_with("POST /api/v1/captures HTTP/1.1 | "), "{log:?}");
    let body: Value = serde_json::from_str(log[0].split(" | ").nth(1).unwrap()).unwrap();
    assert_eq!(body["url"], "http://10.0.0.7:30000");
    assert_eq!(body["workload"], "decode");
    assert_eq!(body["num_steps"], 3);
    assert!(log[1].starts_with("GET /api/v1/captures/c1?wait_ms=0 "), "{log:?}");
    drop(c);

    // A wrong token: the relay's refusal comes back as the tool's error.
    let mut c = Client::start_with(&["--relay", &relay, "--relay-token", "another-wrong-token"]);
    let e = c.error_text("capture", json!({"job": "c1"}));
    assert!(e.contains("relay answered 401") && e.contains("wrong token"), "{e}");
    // No relay listening there: says so, and the server goes on.
    drop(c);
    let mut c =
        Client::start_with(&["--relay", "http://127.0.0.1:9", "--relay-token", "sixteen-letters-token"]);
    let e = c.error_text("capture", json!({"job": "c1"}));
    assert!(e.contains("not reachable") && e.contains("Fix:"), "{e}");
    c.alive();
}

//! Test helpers: paths to the real traces, a temporary folder, running the relay binary,
//! and a tiny raw HTTP client (full control over Host and Origin headers).
#![allow(dead_code)]

pub mod fake;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// `../shared/traces` beside the repository (`TRACETRIAGE_TRACES` overrides).
pub fn traces() -> PathBuf {
    testkit::traces_dir()
}

/// One of the real traces.
pub fn trace(name: &str) -> PathBuf {
    let p = traces().join(name);
    assert!(p.is_file(), "missing test trace {}", p.display());
    p
}

/// A fresh temporary folder, removed on drop.
pub struct Tmp(pub PathBuf);

impl Tmp {
    pub fn new(tag: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!(
            "relay-it-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Tmp(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The relay binary.
pub fn relay() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracetriage-relay"))
}

/// Fast timing knobs for captures against fakes.
pub const FAST: &[&str] = &["--settle-ms", "150", "--poll-ms", "20", "--request-timeout", "20"];

/// Runs `capture` with `args` plus [`FAST`].
pub fn capture(args: &[&str]) -> Output {
    let mut c = relay();
    c.arg("capture").args(args).args(FAST);
    c.output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The single capture folder made under `out`.
pub fn capture_dir(out: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> =
        std::fs::read_dir(out).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(dirs.len(), 1, "one capture folder expected in {}: {dirs:?}", out.display());
    dirs.into_iter().next().unwrap()
}

/// The capture folder under `out` whose name starts with `prefix`.
pub fn capture_dir_named(out: &Path, prefix: &str) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.into_iter().next().unwrap()
}

/// Files under `dir` (relative, sorted).
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Triage of the captured files done here, independently of the relay, with the options the
/// relay uses: the report the relay must have written.
pub fn expected_report(dir: &Path, rels: &[&str], framework: &str) -> report::Report {
    let traces: Vec<report::trace::Trace> =
        rels.iter().map(|r| report::trace::load(&std::fs::read(dir.join(r)).unwrap()).unwrap()).collect();
    let inputs = report::engine::triage::Input::zip(rels, &traces);
    let args = std::fs::read_to_string(dir.join("server_args.json")).unwrap();
    let options = report::engine::triage::Options {
        framework: report::engine::analysis::framework::Framework::parse(framework).unwrap(),
        min_share_pct: 1.0,
        server_args: report::engine::analysis::framework::ServerArgs::parse(&args),
        ..report::engine::triage::Options::default()
    };
    report::triage::triage_with(&inputs, &options, report::engine::Catalog::builtin())
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request over a fresh connection (`Connection: close`) and reads the answer.
/// `headers` are sent as given (a `Host` header replaces the default).
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut body = Vec::new();
    let chunked =
        headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).unwrap();
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        r.read_to_end(&mut body).unwrap();
    }
    Answer { status, headers, body }
}

//! Response helpers (JSON, errors, CORS and protocol headers) and the static app files.

use std::io::Cursor;

use tiny_http::{Header, Method, Request, Response};

use report::live::ApiError;
use report::live::PROTOCOL_HEADER;

use super::{Incoming, PROTOCOL, State};
use crate::layout;

/// A header; control and non-ASCII characters are dropped from the value.
///
/// # Panics
/// Never for the ASCII names used here.
#[must_use]
pub fn hdr(name: &str, value: &str) -> Header {
    let v: String = value.chars().filter(|c| c.is_ascii() && !c.is_ascii_control()).collect();
    #[allow(clippy::expect_used)]
    Header::from_bytes(name.as_bytes(), v.as_bytes()).expect("an ASCII header")
}

/// Headers every answer carries.
pub fn common<R: std::io::Read>(mut r: Response<R>, cors: Option<&str>) -> Response<R> {
    r.add_header(hdr(PROTOCOL_HEADER, &PROTOCOL.to_string()));
    r.add_header(hdr("Cache-Control", "no-store"));
    r.add_header(hdr("X-Content-Type-Options", "nosniff"));
    if let Some(o) = cors {
        r.add_header(hdr("Access-Control-Allow-Origin", o));
        r.add_header(hdr("Vary", "Origin"));
        r.add_header(hdr(
            "Access-Control-Expose-Headers",
            &format!("{PROTOCOL_HEADER}, Content-Disposition, Content-Length"),
        ));
    }
    r
}

/// A JSON answer (one of the protocol's types, [`report::live`]).
pub fn json(status: u16, value: &impl serde::Serialize, cors: Option<&str>) -> Response<Cursor<Vec<u8>>> {
    let (status, body) = match serde_json::to_vec(value) {
        Ok(body) => (status, body),
        Err(e) => (500, error_body(&format!("internal error: the answer could not be written ({e})"))),
    };
    let r = Response::from_data(body)
        .with_status_code(status)
        .with_header(hdr("Content-Type", "application/json"));
    common(r, cors)
}

/// A JSON error `{"error": message, "protocol": 1}` ([`ApiError`]).
pub fn json_error(status: u16, message: &str, cors: Option<&str>) -> Response<Cursor<Vec<u8>>> {
    json(status, &ApiError { error: message.to_owned(), protocol: PROTOCOL }, cors)
}

fn error_body(message: &str) -> Vec<u8> {
    serde_json::to_vec(&ApiError { error: message.to_owned(), protocol: PROTOCOL }).unwrap_or_default()
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(cors: Option<&str>) -> Response<Cursor<Vec<u8>>> {
    let mut r = common(Response::from_data(Vec::new()).with_status_code(204), cors);
    if cors.is_some() {
        r.add_header(hdr("Access-Control-Allow-Methods", "GET, POST, OPTIONS"));
        r.add_header(hdr("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Relay-Token"));
        r.add_header(hdr("Access-Control-Max-Age", "600"));
    }
    r
}

/// Content type by file name.
#[must_use]
pub fn content_type(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    let ext = n.rsplit('.').next().unwrap_or("");
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "gz" => "application/gzip",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Sends a file (already resolved safely).
pub fn send_file(req: Request, path: &std::path::Path, cors: Option<&str>, download: bool) {
    let Ok(file) = std::fs::File::open(path) else {
        let _ = req.respond(json_error(404, "no such file", cors));
        return;
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut r = common(Response::from_file(file), cors).with_header(hdr("Content-Type", content_type(&name)));
    if download {
        let safe: String = name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\').collect();
        r.add_header(hdr("Content-Disposition", &format!("attachment; filename=\"{safe}\"")));
    }
    let _ = req.respond(r);
}

/// `GET /` and the app's files (with `--app`), else a short pointer to the API.
pub fn static_file(state: &State, req: Request, inc: &Incoming) {
    if inc.method != Method::Get && inc.method != Method::Head {
        let _ = req.respond(json_error(405, "only GET here", inc.cors.as_deref()));
        return;
    }
    let Some(app) = &state.app else {
        if inc.path == "/" {
            let text = format!(
                "tracetriage-relay: API version {PROTOCOL} at {}/ (docs/relay-api.md); start with --app dist/ to \
                 serve the browser page here.\n",
                super::API
            );
            let r = common(Response::from_string(text), inc.cors.as_deref())
                .with_header(hdr("Content-Type", "text/plain; charset=utf-8"));
            let _ = req.respond(r);
        } else {
            let _ = req.respond(json_error(404, "not found", inc.cors.as_deref()));
        }
        return;
    };
    let rel = inc.path.trim_start_matches('/');
    let rel = if rel.is_empty() {
        "index.html".to_owned()
    } else {
        super::percent_decode(rel, false).unwrap_or_default()
    };
    match layout::safe_join(app, &rel) {
        Some(p) => send_file(req, &p, inc.cors.as_deref(), false),
        None => {
            let _ = req.respond(json_error(404, "not found", inc.cors.as_deref()));
        }
    }
}

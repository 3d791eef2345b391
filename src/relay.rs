//! The relay client: the page drives `tracetriage-relay serve` (docs/relay-api.md) to
//! capture a trace from a running server, follows its progress, downloads the captured
//! traces and triages them here as if they had been dropped.

use js_sys::Array;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::io::Chosen;

/// The protocol this page speaks.
pub const PROTOCOL: u64 = 1;

/// Where the relay is and how to talk to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    /// Origin, e.g. `http://127.0.0.1:8671`.
    pub base: String,
    /// The token printed by `tracetriage-relay serve`.
    pub token: String,
}

impl Relay {
    /// The relay that served this page (its URL carries `?token=`), if any.
    #[must_use]
    pub fn from_page() -> Option<Relay> {
        let location = web_sys::window()?.location();
        let search = location.search().ok()?;
        let token = query_param(&search, "token")?;
        Some(Relay { base: location.origin().ok()?, token })
    }

    /// Parses the URL `tracetriage-relay serve` printed (`http://127.0.0.1:8671/?token=…`).
    ///
    /// # Errors
    /// When it is not such a URL.
    pub fn from_url(url: &str) -> Result<Relay, String> {
        let parsed = web_sys::Url::new(url.trim()).map_err(|_| "that is not a URL".to_owned())?;
        let token = query_param(&parsed.search(), "token")
            .ok_or("the URL has no ?token=… (copy the whole line tracetriage-relay printed)")?;
        Ok(Relay { base: parsed.origin(), token })
    }

    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<Value, String> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new().map_err(|_| "internal error")?;
        headers.set("Authorization", &format!("Bearer {}", self.token)).map_err(|_| "internal error")?;
        if let Some(b) = body {
            headers.set("Content-Type", "application/json").map_err(|_| "internal error")?;
            init.set_body(&JsValue::from_str(b));
        }
        init.set_headers(&headers);
        let url = format!("{}{path}", self.base);
        let window = web_sys::window().ok_or("no window")?;
        let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init)).await.map_err(|_| {
            format!(
                "could not reach the relay at {} (is it running, and does it allow this page's origin?)",
                self.base
            )
        })?;
        let response: web_sys::Response = response.dyn_into().map_err(|_| "internal error")?;
        let text = JsFuture::from(response.text().map_err(|_| "internal error")?)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !response.ok() {
            let why = value
                .get("error")
                .and_then(Value::as_str)
                .map_or_else(|| format!("HTTP {}", response.status()), str::to_owned);
            return Err(format!("the relay refused: {why}"));
        }
        Ok(value)
    }

    /// `GET /api/v1/info`.
    ///
    /// # Errors
    /// When the relay cannot be reached or speaks another protocol.
    pub async fn info(&self) -> Result<Value, String> {
        let info = self.call("GET", "/api/v1/info", None).await?;
        match info.get("protocol").and_then(Value::as_u64) {
            Some(PROTOCOL) => Ok(info),
            other => Err(format!("this relay speaks protocol {other:?}; this page speaks {PROTOCOL}")),
        }
    }

    /// `POST /api/v1/captures`; returns the capture id.
    ///
    /// # Errors
    /// What the relay said.
    pub async fn start(&self, options: &Value) -> Result<String, String> {
        let answer = self.call("POST", "/api/v1/captures", Some(&options.to_string())).await?;
        answer
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "the relay gave no capture id".into())
    }

    /// Long-polls a capture from event `since`.
    ///
    /// # Errors
    /// When the relay cannot be reached.
    pub async fn poll(&self, id: &str, since: u64) -> Result<Value, String> {
        self.call("GET", &format!("/api/v1/captures/{id}?since={since}&wait_ms=20000"), None).await
    }

    /// Asks a capture to stop.
    pub async fn cancel(&self, id: &str) {
        let _ = self.call("POST", &format!("/api/v1/captures/{id}/cancel"), Some("{}")).await;
    }

    /// Downloads a finished capture's traces (and `server_args.json`) as files.
    ///
    /// # Errors
    /// When a file cannot be fetched.
    pub async fn traces(&self, id: &str) -> Result<Vec<Chosen>, String> {
        let list = self.call("GET", &format!("/api/v1/captures/{id}/files"), None).await?;
        let mut out = Vec::new();
        for f in list.get("files").and_then(Value::as_array).into_iter().flatten() {
            let path = f.get("path").and_then(Value::as_str).unwrap_or_default();
            let wanted =
                f.get("trace").and_then(Value::as_bool) == Some(true) || path.ends_with("server_args.json");
            let Some(url) = f.get("url").and_then(Value::as_str).filter(|_| wanted) else { continue };
            out.push(Chosen { file: self.fetch_file(url, path).await?, path: path.to_owned() });
        }
        if !out.iter().any(|c| !c.path.ends_with("server_args.json")) {
            return Err("the capture finished but holds no trace".into());
        }
        Ok(out)
    }

    async fn fetch_file(&self, url: &str, path: &str) -> Result<web_sys::File, String> {
        let init = web_sys::RequestInit::new();
        let headers = web_sys::Headers::new().map_err(|_| "internal error")?;
        headers.set("Authorization", &format!("Bearer {}", self.token)).map_err(|_| "internal error")?;
        init.set_headers(&headers);
        let window = web_sys::window().ok_or("no window")?;
        let response = JsFuture::from(window.fetch_with_str_and_init(&format!("{}{url}", self.base), &init))
            .await
            .map_err(|_| format!("could not download {path}"))?;
        let response: web_sys::Response = response.dyn_into().map_err(|_| "internal error")?;
        if !response.ok() {
            return Err(format!("could not download {path} (HTTP {})", response.status()));
        }
        let blob = JsFuture::from(response.blob().map_err(|_| "internal error")?)
            .await
            .map_err(|_| format!("could not download {path}"))?;
        let name = path.rsplit('/').next().unwrap_or(path);
        web_sys::File::new_with_blob_sequence(&Array::of1(&blob), name)
            .map_err(|_| format!("could not read {path}"))
    }
}

fn query_param(search: &str, key: &str) -> Option<String> {
    let params = web_sys::UrlSearchParams::new_with_str(search).ok()?;
    params.get(key).filter(|v| !v.is_empty())
}

/// One line of progress for an event, in words.
#[must_use]
pub fn describe(event: &Value) -> String {
    let s = |k: &str| event.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let n = |k: &str| event.get(k).and_then(Value::as_u64).unwrap_or_default();
    let stage = s("stage");
    match s("kind").as_str() {
        "discovered" => format!("Found {} serving {}.", s("framework"), s("model")),
        "warm_up" => format!("{stage}: warm-up {}/{}", n("done"), n("total")),
        "plan" => format!("{stage}: {}", s("text")),
        "armed" => format!("{stage}: profiler armed"),
        "probes" => format!("{stage}: {} {}/{}", s("unit"), n("done"), n("total")),
        "stopped" => format!("{stage}: profiler stopped {}", s("note")),
        "flushing" => format!(
            "{stage}: the server is writing the trace ({} file(s), {}{})",
            n("files"),
            report::format::bytes(n("bytes")),
            if event.get("complete").and_then(Value::as_bool) == Some(true) { ", complete" } else { "" }
        ),
        "collected" => format!("{stage}: traces collected"),
        "triage" => "Triaging the captured traces…".to_owned(),
        "warning" => format!("Warning: {}", s("message")),
        "done" => "Capture done.".to_owned(),
        "failed" => format!("Failed: {}", s("message")),
        other => other.to_owned(),
    }
}

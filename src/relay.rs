//! The relay client: the page drives `tracetriage-relay serve` (docs/relay-api.md) to
//! capture a trace from a running server, follows its progress, downloads the captured
//! traces and triages them here as if they had been dropped. Requests and answers are the
//! protocol's types ([`report::live`]), the same the relay writes.

use js_sys::Array;
use report::live::ApiError;
use report::live::CaptureFiles;
use report::live::CaptureRequest;
use report::live::Info;
use report::live::PROTOCOL;
use report::live::Started;
use report::live::Status;
use report::live::Versioned;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::io::Chosen;

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

    /// One API call: the answer's text, or what the relay refused and why ([`ApiError`]).
    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<String, String> {
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
        if !response.ok() {
            let why = serde_json::from_str::<ApiError>(&text)
                .map_or_else(|_| format!("HTTP {}", response.status()), |e| e.error);
            return Err(format!("the relay refused: {why}"));
        }
        Ok(text)
    }

    /// `GET /api/v1/info`.
    ///
    /// # Errors
    /// When the relay cannot be reached or speaks another protocol.
    pub async fn info(&self) -> Result<Info<CaptureRequest>, String> {
        let text = self.call("GET", "/api/v1/info", None).await?;
        match read::<Versioned>(&text)?.protocol {
            Some(PROTOCOL) => read(&text),
            Some(other) => Err(format!("this relay speaks protocol {other}; this page speaks {PROTOCOL}")),
            None => Err(format!("this relay does not say its protocol; this page speaks {PROTOCOL}")),
        }
    }

    /// `POST /api/v1/captures`; returns the capture id.
    ///
    /// # Errors
    /// What the relay said.
    pub async fn start(&self, request: &CaptureRequest) -> Result<String, String> {
        let body = serde_json::to_string(request).map_err(|e| format!("internal error: {e}"))?;
        let answer: Started = read(&self.call("POST", "/api/v1/captures", Some(&body)).await?)?;
        Ok(answer.id)
    }

    /// Long-polls a capture from event `since`.
    ///
    /// # Errors
    /// When the relay cannot be reached.
    pub async fn poll(&self, id: &str, since: usize) -> Result<Status<CaptureRequest>, String> {
        read(&self.call("GET", &format!("/api/v1/captures/{id}?since={since}&wait_ms=20000"), None).await?)
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
        let list: CaptureFiles =
            read(&self.call("GET", &format!("/api/v1/captures/{id}/files"), None).await?)?;
        let mut out = Vec::new();
        let wanted = |f: &&report::live::CaptureFile| {
            f.trace
                || f.path.ends_with("server_args.json")
                || report::engine::discover::is_capture_path(&f.path)
        };
        for f in list.files.iter().filter(wanted) {
            out.push(Chosen { file: self.fetch_file(&f.url, &f.path).await?, path: f.path.clone() });
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

/// An answer of the relay as the protocol's type ([`report::live`]).
fn read<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("the relay answered something this page does not understand ({e})"))
}

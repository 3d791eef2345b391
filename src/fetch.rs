//! Traces opened by URL (`#src=<url>`, the landing page's URL field, a dashboard run's
//! "open trace" link): each URL is fetched with CORS, its body read chunk by chunk with
//! progress and a working Cancel, and the chunks become a `File` like a dropped one, so
//! [`AppState::open`] treats them exactly as dropped files (ranks, stages, captures).
//! Nothing from a URL is inserted as HTML.

use js_sys::{Array, Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::io::{self, Chosen};
use crate::protocol::Progress;
use crate::state::{AppState, Status};

/// The `Progress::phase` of a download.
pub const DOWNLOADING: &str = "downloading";

/// Progress is shown at most this often while downloading, ms.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// The download in flight, if any, and the URLs of the traces shown (kept in the
/// fragment so a reload opens them again).
#[derive(Default)]
pub struct Remote {
    /// Aborts the download in flight.
    pub abort: Option<web_sys::AbortController>,
    /// The URLs the loaded traces came from (empty for dropped files).
    pub sources: Vec<String>,
    /// The URLs being downloaded (a Back that fires both `popstate` and `hashchange` must
    /// not start the same download twice).
    pub pending: Vec<String>,
}

/// A downloaded body's size so far and in all (`None` without `Content-Length`).
type OnProgress<'a> = &'a dyn Fn(u64, Option<u64>);

impl AppState {
    /// Downloads the traces at `urls` (absolute, or relative to the page) and opens them
    /// together as dropped files are; the fragment becomes `#src=…` (with the view's
    /// `tab`/`q`), so a reload opens them again. Cancel ([`AppState::cancel`]) aborts.
    pub fn open_urls(self, urls: Vec<String>) {
        if urls.is_empty() {
            return;
        }
        self.abort_download();
        let Ok(controller) = web_sys::AbortController::new() else {
            return self.status.set(Status::Failed("this browser cannot download traces".into()));
        };
        let signal = controller.signal();
        let asked = urls.clone();
        self.remote.update_value(|r| {
            r.abort = Some(controller);
            r.pending = asked;
        });
        io::set_fragment(&crate::url_state::current().with_src(&urls).render());
        self.started_at.set(io::now_ms());
        let first = urls.first().map(|u| name_from_url(u)).unwrap_or_default();
        self.status.set(Status::Loading(Progress {
            phase: DOWNLOADING.into(),
            name: first,
            ..Progress::default()
        }));
        leptos::task::spawn_local(async move {
            let mut chosen = Vec::new();
            let files = urls.len();
            for (i, url) in urls.iter().enumerate() {
                let aborted = signal.clone();
                let show = move |read: u64, total: Option<u64>| {
                    if aborted.aborted() {
                        return;
                    }
                    let name = name_from_url(url);
                    let total = total.unwrap_or(0);
                    let p = Progress {
                        phase: DOWNLOADING.into(),
                        file: i,
                        files,
                        name,
                        bytes_read: read,
                        bytes_total: total,
                        all_read: read,
                        all_total: total,
                        ..Progress::default()
                    };
                    self.status.set(Status::Loading(p));
                };
                match download(url, &signal, &show).await {
                    Ok(c) => chosen.push(c),
                    Err(_) if signal.aborted() => return,
                    Err(e) => {
                        self.remote.update_value(|r| {
                            r.abort = None;
                            r.pending.clear();
                        });
                        return self.status.set(Status::Failed(e));
                    }
                }
            }
            if signal.aborted() {
                return;
            }
            self.remote.update_value(|r| {
                r.abort = None;
                r.pending.clear();
            });
            self.open(chosen);
            // `open` forgot the sources of the previous traces: these are the new ones.
            self.remote.update_value(|r| r.sources = urls);
        });
    }

    /// Aborts the download in flight, if any.
    pub fn abort_download(self) {
        if let Some(c) = self
            .remote
            .try_update_value(|r| {
                r.pending.clear();
                r.abort.take()
            })
            .flatten()
        {
            c.abort();
        }
    }
}

/// `url` resolved against the page, if it is an `http(s)` URL.
fn resolve(url: &str) -> Result<String, String> {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let parsed = web_sys::Url::new_with_base(url.trim(), &base)
        .map_err(|_| format!("Cannot open {url}: it is not a URL."))?;
    match parsed.protocol().as_str() {
        "http:" | "https:" => Ok(parsed.href()),
        other => {
            Err(format!("Cannot open {url}: only http:// and https:// addresses can be opened, not {other}"))
        }
    }
}

/// Downloads one trace as a `File` named after the URL (or its `Content-Disposition`).
///
/// # Errors
/// A sentence naming the URL: not http(s), refused by CORS or unreachable, an HTTP error
/// status, a broken connection, or an empty body.
async fn download(
    url: &str,
    signal: &web_sys::AbortSignal,
    on_progress: OnProgress<'_>,
) -> Result<Chosen, String> {
    let href = resolve(url)?;
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_signal(Some(signal));
    let unreachable = || {
        format!(
            "Could not download {href}: the server did not allow this page to read it (no CORS header) or \
             could not be reached."
        )
    };
    let response =
        JsFuture::from(window.fetch_with_str_and_init(&href, &init)).await.map_err(|_| unreachable())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| unreachable())?;
    if !response.ok() {
        let status = response.status();
        let text = response.status_text();
        let reason = if text.is_empty() { reason_phrase(status).to_owned() } else { text };
        return Err(format!("Could not download {href}: the server answered HTTP {status} {reason}."));
    }
    let headers = response.headers();
    // With `Content-Encoding` (which another origin's answer does not show), Content-Length
    // counts the compressed bytes, not the inflated ones read: `read_body` drops it once
    // more was read.
    let total = headers.get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
    let encoded = headers.get("content-encoding").ok().flatten().is_some_and(|e| e != "identity");
    let total = total.filter(|_| !encoded);
    let (chunks, read) = read_body(&response, &href, total, on_progress).await?;
    if read == 0 {
        return Err(format!("Could not download {href}: the server sent an empty file."));
    }
    let disposition = headers.get("content-disposition").ok().flatten();
    let name = disposition.as_deref().and_then(disposition_name).unwrap_or_else(|| name_from_url(&href));
    let file = web_sys::File::new_with_u8_array_sequence(&chunks, &name)
        .map_err(|_| format!("Could not keep {href} in memory."))?;
    Ok(Chosen { file, path: name })
}

/// The body's chunks (kept as JavaScript arrays: the trace never passes through this
/// module's memory) and their size, reporting progress.
async fn read_body(
    response: &web_sys::Response,
    href: &str,
    total: Option<u64>,
    on_progress: OnProgress<'_>,
) -> Result<(Array, u64), String> {
    let broken = |read: u64| format!("Could not download {href}: the connection broke after {read} bytes.");
    let chunks = Array::new();
    let Some(body) = response.body() else { return Ok((chunks, 0)) };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut read = 0u64;
    let mut shown = f64::NEG_INFINITY;
    on_progress(0, total);
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|_| broken(read))?;
        let done = Reflect::get(&step, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool());
        if done != Some(false) {
            break;
        }
        let value = Reflect::get(&step, &JsValue::from_str("value")).map_err(|_| broken(read))?;
        let Ok(chunk) = value.dyn_into::<Uint8Array>() else { return Err(broken(read)) };
        read += u64::from(chunk.length());
        chunks.push(&chunk);
        // More than announced: the announced size was of the encoded body.
        let total = total.filter(|&t| read <= t);
        let now = io::now_ms();
        if now - shown >= PROGRESS_EVERY_MS {
            shown = now;
            on_progress(read, total);
        }
    }
    on_progress(read, total.filter(|&t| read <= t));
    Ok((chunks, read))
}

/// The reason phrase of common HTTP statuses (HTTP/2 answers carry none).
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The file name a URL names: its path's last segment, percent-decoded (`trace.json`
/// when it has none).
#[must_use]
pub fn name_from_url(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or_default();
    let after_scheme = no_query.split_once("://").map_or(no_query, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, p)| p);
    let last = path.rsplit('/').next().unwrap_or_default();
    let name = report::fragment::percent_decode(last);
    let name = name.trim().replace(['/', '\\'], "_");
    if name.is_empty() { "trace.json".to_owned() } else { name }
}

/// The `filename` of a `Content-Disposition` header, if it names one.
#[must_use]
pub fn disposition_name(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';').map(str::trim) {
        let Some((key, value)) = part.split_once('=') else { continue };
        let value = value.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            // RFC 5987: `filename*=UTF-8''name%20x.json` wins over `filename=`.
            "filename*" => {
                let encoded = value.split_once("''").map_or(value, |(_, v)| v);
                return last_segment(&report::fragment::percent_decode(encoded));
            }
            "filename" => plain = Some(value.to_owned()),
            _ => {}
        }
    }
    plain.as_deref().and_then(last_segment)
}

/// The last segment of a name that may hold a path (a file name, never folders: those
/// would change how stages and ranks are found), if not empty.
fn last_segment(name: &str) -> Option<String> {
    Some(name.rsplit(['/', '\\']).next().unwrap_or_default().trim().to_owned()).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{disposition_name, name_from_url};

    #[test]
    fn the_file_is_named_after_the_url_path() {
        assert_eq!(
            name_from_url("https://h.example/a/sglang%20run-TP-0.trace.json.gz?sig=x#y"),
            "sglang run-TP-0.trace.json.gz"
        );
        assert_eq!(name_from_url("http://127.0.0.1:8/t/x.json"), "x.json");
        assert_eq!(name_from_url("https://h.example/"), "trace.json");
        assert_eq!(name_from_url("https://h.example"), "trace.json");
        assert_eq!(name_from_url("https://h/a%2Fb.json"), "a_b.json", "no folder from an escaped slash");
    }

    #[test]
    fn content_disposition_names_the_file() {
        assert_eq!(
            disposition_name(r#"attachment; filename="r-TP-1.json.gz""#).as_deref(),
            Some("r-TP-1.json.gz")
        );
        assert_eq!(
            disposition_name("attachment; filename=a.json; filename*=UTF-8''%C3%BC.json").as_deref(),
            Some("ü.json")
        );
        assert_eq!(disposition_name("inline"), None);
        assert_eq!(disposition_name(r#"attachment; filename="../../x.json""#).as_deref(), Some("x.json"));
        assert_eq!(
            disposition_name("attachment; filename*=UTF-8''decode%2Fx-TP-0.json").as_deref(),
            Some("x-TP-0.json"),
            "an encoded name is a file name too, never folders"
        );
    }
}

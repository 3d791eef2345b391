//! Reading one `File` into the engine's streaming loader, inside the engine worker.
//!
//! Gzip files are inflated in a second worker ([`super::inflater`], the engine's own
//! decoder), so inflating and parsing run side by side: the engine worker only parses. The
//! inflater's text is used only when the stream ended cleanly (every member whole, its
//! checksums right); otherwise (damaged or truncated) the file is read again through the
//! loader's own inflater, whose diagnostics say what was wrong. Plain JSON is read in 4 MiB
//! slices, the next one requested while the engine parses the current one. Neither path
//! holds the whole file or makes a JS string of it.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::inbox::Linked;
use super::scope::{Pacer, Replies};
use crate::protocol::Progress;

/// Slice size read from a `File` at a time.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;
/// Bytes of a slice handed to the engine at a time, between progress checks (128 KiB of
/// gzip is about 2 MB of JSON, a few milliseconds of parsing).
const PIECE: usize = 128 * 1024;
/// Longest wait for the inflater's next buffer before the file is read again with the
/// loader's own inflater (a stalled inflater must not hold the load up for ever).
const INFLATER_PATIENCE_MS: i32 = 15_000;

/// Progress of a multi-file load, posted to the page as its [`Pacer`] allows.
pub(super) struct Meter {
    /// What the page is told.
    pub progress: Progress,
    /// Paces the messages.
    pub pacer: Pacer,
    /// Where they go.
    pub replies: Replies,
    /// Bytes of the earlier files.
    pub files_before: u64,
    /// JSON text of the earlier files.
    pub text_before: u64,
    /// Events of the earlier files.
    pub events_before: u64,
}

impl Meter {
    /// Starts file `index` of the load, shown as `name`.
    pub(super) fn begin(&mut self, index: usize, name: &str, file: &web_sys::File) {
        self.progress.file = index;
        self.progress.name = name.to_owned();
        self.progress.bytes_total = file.size() as u64;
        self.progress.bytes_read = 0;
    }

    /// Counts `file` as read, with its trace's text and events (`None`: it could not be
    /// read, and only its bytes count).
    pub(super) fn done(&mut self, file: &web_sys::File, trace: Option<&report::trace::Trace>) {
        self.files_before += file.size() as u64;
        if let Some(trace) = trace {
            self.text_before += trace.json_bytes;
            self.events_before += trace.counts.total;
        }
    }

    /// Records `bytes_read` of the current file and the loader's counters; posts when due.
    fn update(&mut self, loader: &report::trace::Loader, bytes_read: u64) {
        let p = loader.progress();
        self.progress.bytes_read = bytes_read;
        self.progress.bytes_text = self.text_before + p.bytes_text;
        self.progress.events = self.events_before + p.events;
        self.progress.all_read = self.files_before + bytes_read;
        if self.pacer.due(false) {
            self.replies.progress(&mut self.progress);
        }
    }
}

/// Reads `file` into a trace. Errors are page-ready messages naming the file.
pub(super) async fn read_file(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<report::trace::Trace, String> {
    if let Some(trace) = read_inflated(file, name, meter).await? {
        return Ok(trace);
    }
    read_own(file, name, meter).await
}

fn unreadable(name: &str) -> String {
    format!("{name}: the browser could not read the file")
}

/// Bytes `from..to` of the file.
async fn bytes(file: &web_sys::File, name: &str, from: f64, to: f64) -> Result<Vec<u8>, String> {
    let blob = file.slice_with_f64_and_f64(from, to).map_err(|_| unreadable(name))?;
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|_| unreadable(name))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The gzip path through the inflater worker. `Ok(None)`: not gzip, or the inflater could
/// not be started or found the stream damaged; read the file with the engine's own inflater.
async fn read_inflated(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<Option<report::trace::Trace>, String> {
    let size = file.size();
    // The smallest gzip member is 18 bytes.
    if size < 18.0 || bytes(file, name, 0.0, 2.0).await? != [0x1f, 0x8b] {
        return Ok(None);
    }
    let Some(inflater) = Inflater::start(file).await else { return Ok(None) };
    let mut loader = report::trace::Loader::for_inflated_gzip();
    let mut text = Vec::new();
    let mut read = 0u64;
    loop {
        let Some(message) = inflater.next().await else { return Ok(None) };
        let field = |key: &str| Reflect::get(&message, &JsValue::from_str(key)).ok();
        let now_read = field("read").and_then(|v| v.as_f64()).map_or(read, |r| r as u64);
        loader.add_compressed_bytes(now_read.saturating_sub(read));
        read = read.max(now_read);
        if let Some(buffer) = field("text").filter(|v| v.is_instance_of::<js_sys::ArrayBuffer>()) {
            let view = Uint8Array::new(&buffer);
            text.resize(view.length() as usize, 0);
            view.copy_to(&mut text);
            if inflater.give_back(&buffer).is_none() {
                return Ok(None);
            }
            loader.push(&text).map_err(|e| format!("{name}: {e}"))?;
            meter.update(&loader, read);
        } else if field("done").is_some_and(|v| v.is_truthy()) {
            break;
        } else {
            return Ok(None);
        }
    }
    drop(inflater);
    meter.update(&loader, size as u64);
    loader.finish().map(Some).map_err(|e| format!("{name}: {e}"))
}

/// The inflater worker for one file ([`super::inflater`]); terminated when dropped.
///
/// Flow control by credits: the inflater may send a buffer for each credit. It starts with
/// [`CREDITS`] and gets one more per buffer taken (the buffer itself, given back to be
/// filled again), so buffers wait in this worker's queue instead of a request going out and
/// its answer coming back between two buffers (that round trip, when the inflater was busy,
/// cost more than a third of the read time of a 1 GiB trace).
struct Inflater {
    link: Linked,
}

/// Buffers the inflater may send before it is asked for more.
const CREDITS: usize = 4;

impl Inflater {
    /// Starts an inflater for `file` once it listens; `None` when it cannot start.
    async fn start(file: &web_sys::File) -> Option<Inflater> {
        let link = Linked::new(super::spawn::engine_worker(Some("inflate")).ok()?);
        let inflater = Inflater { link };
        // Messages sent before it listens would be lost.
        let ready = inflater.next().await?;
        if ready.as_string().as_deref() != Some("ready") {
            return None;
        }
        inflater.link.worker.post_message(file).ok()?;
        for _ in 0..CREDITS {
            inflater.link.worker.post_message(&JsValue::from_str("next")).ok()?;
        }
        Some(inflater)
    }

    /// Hands a text buffer back once its bytes are copied out: one more credit, and the
    /// inflater fills the same memory again instead of allocating a new MiB.
    fn give_back(&self, buffer: &JsValue) -> Option<()> {
        self.link.worker.post_message_with_transfer(buffer, &Array::of1(buffer)).ok()
    }

    /// The next message; `None` when the worker failed or sent nothing for
    /// [`INFLATER_PATIENCE_MS`].
    async fn next(&self) -> Option<JsValue> {
        self.link.next(Some(INFLATER_PATIENCE_MS)).await
    }
}

/// The engine's own path: 4 MiB slices into [`report::trace::Loader::new`], which sniffs gzip.
async fn read_own(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<report::trace::Trace, String> {
    let size = file.size();
    let mut loader = report::trace::Loader::new();
    let mut buf: Vec<u8> = Vec::new();
    // The next slice is requested before the current one is parsed, so the browser
    // reads the file while the engine works.
    let read = |from: f64| -> Result<(f64, JsFuture), String> {
        let end = (from + SLICE).min(size);
        let blob = file.slice_with_f64_and_f64(from, end).map_err(|_| unreadable(name))?;
        Ok((end, JsFuture::from(blob.array_buffer())))
    };
    let mut pending = if size > 0.0 { Some(read(0.0)?) } else { None };
    while let Some((end, future)) = pending.take() {
        let buffer = future.await.map_err(|_| unreadable(name))?;
        if end < size {
            pending = Some(read(end)?);
        }
        let bytes = Uint8Array::new(&buffer);
        buf.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buf);
        // A gzip slice inflates to ~15× its size: feed it in pieces so the progress bar
        // moves several times a second whatever the compression ratio.
        let slice_start = end - buf.len() as f64;
        let mut fed = 0usize;
        for piece in buf.chunks(PIECE) {
            loader.push(piece).map_err(|e| format!("{name}: {e}"))?;
            fed += piece.len();
            meter.update(&loader, (slice_start + fed as f64) as u64);
        }
    }
    loader.finish().map_err(|e| format!("{name}: {e}"))
}

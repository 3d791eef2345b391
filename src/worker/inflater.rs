//! The inflater worker: inflates one gzip file for the engine worker that parses it, so
//! inflating and parsing run side by side on two cores.
//!
//! It is this same WebAssembly module, started by [`super::spawn::engine_worker`] with
//! `?inflate`, and inflates with the engine's own decoder ([`report::trace::GzipText`],
//! zlib-rs), which in WebAssembly takes well under half the time of the browser's
//! `DecompressionStream` (whose stream machinery cost more than zlib itself).
//!
//! Protocol. The inflater says `"ready"` once it listens. The engine worker then sends the
//! `File`, then one credit per buffer wanted: `"next"`, or a text buffer given back
//! (transferred) to be filled again. Each credit is answered, in order, with one of
//! - `{text: ArrayBuffer, read}`: the next `BATCH` bytes of text (the last one shorter),
//!   `read` being the compressed bytes consumed so far;
//! - `{done: true, read}`: the stream ended cleanly (every member whole, checksums right);
//! - `{error: "why"}`: not gzip, damaged, cut short, or the file could not be read. The
//!   text sent before must then be thrown away.
//!
//! Between credits it works ahead: it reads the file `READ_AHEAD` slices ahead and
//! inflates until it holds a buffer nobody asked for yet.

use std::collections::VecDeque;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::inbox::{Inbox, Shared};
use super::scope::scope;

/// Bytes of text per buffer sent.
pub(super) const BATCH: usize = 1 << 20;
/// Compressed bytes inflated per step (a few hundred KB of text for a trace).
pub(super) const PIECE: usize = 16 * 1024;
/// Compressed bytes read from the file at a time.
const SLICE: f64 = 1024.0 * 1024.0;
/// File slices requested ahead of the one being inflated.
const READ_AHEAD: usize = 3;

/// Whether this worker was started as an inflater (`?inflate`).
pub(super) fn is_inflater() -> bool {
    super::spawn::switches().iter().any(|kv| kv == "inflate")
}

/// Listens for the file and credits, says `"ready"`, and inflates.
pub(super) fn start() {
    let Some(scope) = scope() else { return };
    let inbox = Inbox::shared();
    let on_message = {
        let inbox = inbox.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            Inbox::push(&inbox, ev.data());
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(first) = Inbox::next(&inbox, None).await else { return };
        let mut out = Outbox { inbox, credits: 0, spare: Vec::new() };
        let last = match first.dyn_into::<web_sys::File>() {
            Ok(file) => inflate(&file, &mut out)
                .await
                .and_then(|read| message(&[("done", JsValue::TRUE), ("read", read.into())])),
            Err(_) => Err("the inflater was sent no file".to_owned()),
        };
        let last = last.or_else(|why| message(&[("error", JsValue::from_str(&why))]));
        if let Ok(last) = last {
            out.send(&last, None).await;
        }
    });
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Inflates `file`, sending its text; the compressed bytes read.
async fn inflate(file: &web_sys::File, out: &mut Outbox) -> Result<f64, String> {
    let size = file.size();
    let unreadable = || "the browser could not read the file".to_owned();
    let mut reads: VecDeque<JsFuture> = VecDeque::new();
    let mut next_from = 0.0;
    let mut top_up = |reads: &mut VecDeque<JsFuture>| -> Result<(), String> {
        while reads.len() <= READ_AHEAD && next_from < size {
            let to = (next_from + SLICE).min(size);
            let blob = file.slice_with_f64_and_f64(next_from, to).map_err(|_| unreadable())?;
            reads.push_back(JsFuture::from(blob.array_buffer()));
            next_from = to;
        }
        Ok(())
    };
    top_up(&mut reads)?;
    let mut gz = report::trace::GzipText::new();
    let mut text: Vec<u8> = Vec::with_capacity(2 * BATCH);
    let mut chunk: Vec<u8> = Vec::new();
    let mut read = 0.0;
    while let Some(pending) = reads.pop_front() {
        let buffer = pending.await.map_err(|_| unreadable())?;
        top_up(&mut reads)?;
        let view = Uint8Array::new(&buffer);
        chunk.resize(view.length() as usize, 0);
        view.copy_to(&mut chunk);
        for piece in chunk.chunks(PIECE) {
            gz.push(piece, &mut text).map_err(|e| e.to_string())?;
            read += piece.len() as f64;
            if gz.is_damaged() {
                return Err("the gzip stream is damaged".to_owned());
            }
            let mut sent = 0;
            while let Some(batch) = text.get(sent..sent + BATCH) {
                out.send_text(batch, read).await?;
                sent += BATCH;
            }
            text.drain(..sent);
        }
    }
    if !gz.is_clean() {
        return Err("the gzip stream is cut short".to_owned());
    }
    if !text.is_empty() {
        out.send_text(&text, read).await?;
    }
    Ok(read)
}

/// A plain object with these fields.
pub(super) fn message(fields: &[(&str, JsValue)]) -> Result<JsValue, String> {
    let object = Object::new();
    for (key, value) in fields {
        Reflect::set(&object, &JsValue::from_str(key), value).map_err(|_| "could not build a message")?;
    }
    Ok(object.into())
}

/// Sends answers as credits allow, and keeps the buffers given back for reuse.
struct Outbox {
    inbox: Shared,
    credits: usize,
    /// Buffers of [`BATCH`] bytes given back, to be filled again.
    spare: Vec<ArrayBuffer>,
}

impl Outbox {
    /// Counts a credit message (`"next"` or a buffer given back).
    fn credit(&mut self, message: JsValue) {
        if let Some(buffer) = message.dyn_ref::<ArrayBuffer>()
            && buffer.byte_length() as usize == BATCH
        {
            self.spare.push(buffer.clone());
        }
        self.credits += 1;
    }

    /// Sends `message` (transferring `buffer`) once a credit is at hand.
    async fn send(&mut self, message: &JsValue, buffer: Option<&ArrayBuffer>) -> bool {
        while let Some(m) = Inbox::try_next(&self.inbox) {
            self.credit(m);
        }
        while self.credits == 0 {
            let Some(m) = Inbox::next(&self.inbox, None).await else { return false };
            self.credit(m);
        }
        let Some(scope) = scope() else { return false };
        let sent = match buffer {
            Some(b) => scope.post_message_with_transfer(message, &Array::of1(b)),
            None => scope.post_message(message),
        };
        self.credits -= 1;
        sent.is_ok()
    }

    /// Sends `text` as one buffer.
    async fn send_text(&mut self, text: &[u8], read: f64) -> Result<(), String> {
        let reuse = if text.len() == BATCH { self.spare.pop() } else { None };
        let buffer = match reuse {
            Some(b) => b,
            None => ArrayBuffer::new(u32::try_from(text.len()).map_err(|_| "a text buffer is too large")?),
        };
        Uint8Array::new(&buffer).copy_from(text);
        let m = message(&[("text", buffer.clone().into()), ("read", read.into())])?;
        if self.send(&m, Some(&buffer)).await { Ok(()) } else { Err("the engine worker is gone".to_owned()) }
    }
}

//! The engine worker's message loop: reads each request's envelope and attached files,
//! runs its handler, and posts the answer (or the error) with the request's id.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::scope::{Replies, scope};
use super::{analyse, children, layers, timeline};
use crate::protocol::{Envelope, EnvelopeId, FromWorker, ToWorker};

/// Installs the message handler and says `ready`.
pub(super) fn listen() {
    let Some(scope) = scope() else { return };
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        wasm_bindgen_futures::spawn_local(async move {
            let (replies, request) = match read(&data) {
                Ok(read) => read,
                Err((replies, message)) => return replies.send(FromWorker::Error { message }),
            };
            let files: Array = Reflect::get(&data, &JsValue::from_str("files"))
                .ok()
                .and_then(|v| v.dyn_into().ok())
                .unwrap_or_default();
            match handle(request, &files, replies).await {
                Ok(Some(answer)) => replies.send(answer),
                Ok(None) => {}
                Err(message) => replies.send(FromWorker::Error { message }),
            }
        });
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    Replies::unaddressed().send(FromWorker::Ready);
}

/// The request in a message, and where its replies go; when it cannot be read, the error
/// and (if its id could be read) where it goes.
fn read(data: &JsValue) -> Result<(Replies, ToWorker), (Replies, String)> {
    let malformed = |why: String| format!("the page sent a malformed request{why}");
    let text = Reflect::get(data, &JsValue::from_str("request"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| (Replies::unaddressed(), malformed(String::new())))?;
    match serde_json::from_str::<Envelope>(&text) {
        Ok(Envelope { id, request }) => Ok((Replies::to(id), request)),
        Err(e) => {
            let replies = serde_json::from_str::<EnvelopeId>(&text)
                .map_or_else(|_| Replies::unaddressed(), |e| Replies::to(e.id));
            Err((replies, malformed(format!(": {e}"))))
        }
    }
}

/// Runs one request; its answer (`None`: already posted in its own form).
async fn handle(request: ToWorker, files: &Array, replies: Replies) -> Result<Option<FromWorker>, String> {
    let answer = match request {
        ToWorker::Triage(r) => FromWorker::Report(analyse::triage(r, files, replies).await?),
        ToWorker::TriageRoles(r) => FromWorker::Report(analyse::triage_roles(r, files, replies).await?),
        ToWorker::Retriage(r) => FromWorker::Report(analyse::retriage(&r)?),
        ToWorker::Ranks(r) => FromWorker::Ranks(analyse::ranks(r, files, replies).await?),
        ToWorker::Diff(r) => FromWorker::Diff(analyse::diff(r, files, replies).await?),
        ToWorker::Encode(r) => {
            children::encode(r, files, replies).await?;
            return Ok(None);
        }
        ToWorker::Timeline(r) => FromWorker::Timeline(timeline::draw(&r)?),
        ToWorker::Hover(r) => FromWorker::Hover(timeline::hover(&r)),
        ToWorker::Layers(r) => FromWorker::Layers(layers::analyse(&r)?),
        ToWorker::Spots(r) => FromWorker::Spots(timeline::spots(&r)?),
    };
    Ok(Some(answer))
}

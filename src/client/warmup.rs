//! The warm-up worker's page side (the worker is [`crate::worker`]'s `warmup`): while the
//! landing view waits for the user, a worker loads and triages the bundled sample a few
//! times so V8 has optimised the engine's hot code before a real trace arrives (a 1 GiB
//! trace then triages faster; see README "Performance").
//!
//! The client starts it once per page, when the landing view is first shown
//! ([`super::warm_up`]), and never lets it compete with real work: any request to the
//! engine worker ([`super::ask`]) terminates it. `?cold` in the page's URL turns it off
//! (benchmarks compare both). Its state is on the root element for tests and benchmarks:
//! `data-warmup` = `running`, `done`, `stopped` (terminated before it finished) or
//! `failed`, and `data-warmup-error` says why it failed.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Starts the warm-up worker; `on_end(how)` runs when it says it is done or fails.
pub(super) fn spawn(on_end: fn(&str)) -> Option<web_sys::Worker> {
    let Ok(worker) = crate::worker::spawn::engine_worker(Some("warm")) else {
        mark("failed", Some("the browser could not start the warm-up worker"));
        return None;
    };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        if ev.data().as_string().as_deref() == Some("warm") {
            on_end("done");
        } else {
            let why = js_sys::Reflect::get(&ev.data(), &JsValue::from_str("error"))
                .ok()
                .and_then(|v| v.as_string());
            mark("failed", Some(why.as_deref().unwrap_or("an unexpected message")));
            on_end("failed");
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
        ev.prevent_default();
        mark("failed", Some(&ev.message()));
        on_end("failed");
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    mark("running", None);
    Some(worker)
}

/// Whether the page was opened with `?cold`.
pub(super) fn cold() -> bool {
    crate::io::page_param("cold").is_some()
}

/// Records the warm-up's state (and why it failed) on the root element.
pub(super) fn mark(state: &str, why: Option<&str>) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
        return;
    };
    if root.get_attribute("data-warmup").as_deref() == Some("failed") {
        return;
    }
    let _ = root.set_attribute("data-warmup", state);
    if let Some(why) = why {
        let _ = root.set_attribute("data-warmup-error", why);
    }
}

//! Open in Perfetto: opens the Perfetto UI in a new window scrolled to a time window and
//! hands it the trace file this tab already holds, with Perfetto's documented
//! `postMessage` protocol (open the UI, post `PING` until it answers `PONG`, then post
//! `{perfetto: {buffer, title, fileName}}` with the buffer transferred). The window goes
//! in the UI's start-up route (`#!/?visStart=…&visEnd=…`, see [`report::perfetto`]), which
//! the UI applies to the trace it is sent. Nothing is uploaded anywhere else.
//!
//! The UI's address: the page's `?perfetto=URL` query parameter (http or https), else the
//! build-time `TRACETRIAGE_PERFETTO_URL`, else <https://ui.perfetto.dev>.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect};
use leptos::prelude::*;
use report::engine::timeline::Window;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::AppState;

/// How often `PING` is posted until the UI answers, ms.
const PING_MS: i32 = 250;

/// How long the UI has to answer, ms.
const ANSWER_MS: i32 = 30_000;

/// The line under the report saying how the last Open in Perfetto went (provided by the
/// report view).
#[derive(Clone, Copy)]
pub struct PerfettoNote(pub RwSignal<String>);

/// The Perfetto UI's address, read once (the page rewrites its URL later).
static UI_BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The Perfetto UI's address (see the module's documentation), read from the page's URL
/// on the first call (the app calls it at start, before the URL changes).
pub fn ui_base() -> String {
    UI_BASE.get_or_init(read_ui_base).clone()
}

/// The address from the page's query, the build or the default.
fn read_ui_base() -> String {
    let from_page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|href| web_sys::Url::new(&href).ok())
        .and_then(|url| url.search_params().get("perfetto"));
    [from_page, option_env!("TRACETRIAGE_PERFETTO_URL").map(str::to_owned)]
        .into_iter()
        .flatten()
        .find(|u| web_sys::Url::new(u).is_ok_and(|url| matches!(url.protocol().as_str(), "http:" | "https:")))
        .unwrap_or_else(|| report::perfetto::DEFAULT_UI.to_owned())
}

/// Opens the UI on `window` and sends it `file`; says how it went in `note`. Must run
/// inside the click handler (the popup is opened synchronously, or browsers block it).
pub fn open(file: web_sys::File, name: &str, what: &str, window: Window, note: RwSignal<String>) {
    let base = ui_base();
    let Some(origin) = web_sys::Url::new(&base).ok().map(|u| u.origin()) else {
        note.set(format!("The Perfetto UI address {base} is not a URL."));
        return;
    };
    if !trusted(&origin) && !confirm_origin(&origin, name) {
        note.set(format!("Nothing was sent: the Perfetto UI address {base} was not confirmed."));
        return;
    }
    let url = report::perfetto::deep_link(&base, window);
    let popup = web_sys::window().and_then(|w| w.open_with_url_and_target(&url, "_blank").ok().flatten());
    let Some(popup) = popup else {
        note.set(
            "The browser blocked the Perfetto window: allow pop-ups for this page and try again.".to_owned(),
        );
        return;
    };
    let title = format!("{name} · {what}");
    let (name, what) = (name.to_owned(), what.to_owned());
    note.set(format!("Opening {name} in the Perfetto UI at {base}…"));
    leptos::task::spawn_local(async move {
        let buffer = match JsFuture::from(file.array_buffer()).await {
            Ok(b) => b,
            Err(_) => return note.set(format!("{name} could not be read again.")),
        };
        if !wait_for_pong(&popup, &origin).await {
            return note.set(format!(
                "The Perfetto UI at {base} did not answer (it needs {PING_MS} ms pings answered within {} s).",
                ANSWER_MS / 1000
            ));
        }
        match post(&popup, &origin, buffer, &title, &name) {
            Ok(()) => note.set(format!("Sent {name} to the Perfetto UI ({what}).")),
            Err(_) => note.set(format!("The Perfetto UI at {base} could not be sent the trace.")),
        }
    });
}

/// Whether the trace may go to `origin` without asking: the public UI, the build's UI,
/// this page's own origin, or this machine (a UI served locally).
fn trusted(origin: &str) -> bool {
    let of = |u: &str| web_sys::Url::new(u).ok().map(|u| u.origin());
    let page = web_sys::window().and_then(|w| w.location().origin().ok());
    let host = web_sys::Url::new(origin).ok().map(|u| u.hostname()).unwrap_or_default();
    [of(report::perfetto::DEFAULT_UI), option_env!("TRACETRIAGE_PERFETTO_URL").and_then(of), page]
        .into_iter()
        .flatten()
        .any(|o| o == origin)
        || matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// Asks the reader before sending `name` to a UI whose address came from the page's link
/// (`?perfetto=`): a link must not decide alone where a local trace goes.
fn confirm_origin(origin: &str, name: &str) -> bool {
    let question = format!(
        "Send {name} to the Perfetto UI at {origin}? This address comes from the page's link (?perfetto=), not from tracetriage."
    );
    web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false)
}

/// Posts the trace: `{perfetto: {buffer, title, fileName}}`, the buffer transferred.
fn post(
    popup: &web_sys::Window,
    origin: &str,
    buffer: JsValue,
    title: &str,
    name: &str,
) -> Result<(), JsValue> {
    let inner = Object::new();
    Reflect::set(&inner, &"buffer".into(), &buffer)?;
    Reflect::set(&inner, &"title".into(), &title.into())?;
    Reflect::set(&inner, &"fileName".into(), &name.into())?;
    let message = Object::new();
    Reflect::set(&message, &"perfetto".into(), &inner)?;
    let transfer = Array::of1(&buffer.unchecked_into::<ArrayBuffer>());
    popup.post_message_with_transfer(&message, origin, &transfer)
}

/// Posts `PING` to `popup` every [`PING_MS`] until it answers `PONG` (true), is closed or
/// [`ANSWER_MS`] pass (false).
async fn wait_for_pong(popup: &web_sys::Window, origin: &str) -> bool {
    let Some(me) = web_sys::window() else { return false };
    let resolver: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let slot = Rc::clone(&resolver);
    let answered = Promise::new(&mut |resolve, _| *slot.borrow_mut() = Some(resolve));
    let settle = Rc::new(move |ok: bool| {
        if let Some(f) = resolver.borrow_mut().take() {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_bool(ok));
        }
    });
    let (from, expected) = (popup.clone(), origin.to_owned());
    let on_pong = Rc::clone(&settle);
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let mine = ev.source().is_some_and(|s| Object::is(&s, from.as_ref()));
        if mine && ev.origin() == expected && ev.data().as_string().as_deref() == Some("PONG") {
            on_pong(true);
        }
    });
    let (to, target) = (popup.clone(), origin.to_owned());
    let on_closed = Rc::clone(&settle);
    let ping = Closure::<dyn FnMut()>::new(move || {
        if to.closed().unwrap_or(true) {
            return on_closed(false);
        }
        let _ = to.post_message(&JsValue::from_str("PING"), &target);
    });
    let give_up = Closure::<dyn FnMut()>::new(move || settle(false));
    let listener: &js_sys::Function = on_message.as_ref().unchecked_ref();
    let _ = me.add_event_listener_with_callback("message", listener);
    let interval = me
        .set_interval_with_callback_and_timeout_and_arguments_0(ping.as_ref().unchecked_ref(), PING_MS)
        .ok();
    let timeout = me
        .set_timeout_with_callback_and_timeout_and_arguments_0(give_up.as_ref().unchecked_ref(), ANSWER_MS)
        .ok();
    let ok = JsFuture::from(answered).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let _ = me.remove_event_listener_with_callback("message", listener);
    if let Some(h) = interval {
        me.clear_interval_with_handle(h);
    }
    if let Some(h) = timeout {
        me.clear_timeout_with_handle(h);
    }
    ok
}

/// An "Open in Perfetto" button for input `input`'s file showing `window` (disabled while
/// it is `None`). Its `data-window` attribute is `START-END` (trace ns).
#[component]
pub fn PerfettoButton(
    /// Index of the input trace (the report's inputs order).
    input: usize,
    /// What the window shows (`stage decode`, `step 3`, a kernel), for the UI's title.
    #[prop(into)]
    what: Signal<String>,
    /// The window to show.
    #[prop(into)]
    window: Signal<Option<Window>>,
    /// The button's text (a compact one shows a glyph from the CSS instead, so that a row's
    /// text stays the table's).
    #[prop(optional, into)]
    text: Option<String>,
    /// The button's id.
    #[prop(optional, into)]
    id: Option<String>,
    /// A compact button (table rows).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let note = use_context::<PerfettoNote>().map_or_else(|| RwSignal::new(String::new()), |n| n.0);
    let click = move |ev: web_sys::MouseEvent| {
        ev.stop_propagation();
        let Some(w) = window.get_untracked() else { return };
        let Some(chosen) = state.traces.with_untracked(|t| t.get(input).cloned()) else {
            return note.set("The trace is no longer held by this tab: open it again.".to_owned());
        };
        let name = report::engine::discover::file_name(&chosen.path).to_owned();
        open(chosen.file, &name, &what.get_untracked(), w, note);
    };
    let data = move || window.get().map(|w| format!("{}-{}", w.start_ns, w.end_ns));
    let title = move || format!("Open the trace in the Perfetto UI at {} ({})", ui_base(), what.get());
    view! {
        <button
            class="tt-button tt-perfetto"
            class:tt-perfetto-row=compact
            id=id
            data-window=data
            title=title
            aria-label=compact.then_some("Open in Perfetto")
            disabled=move || window.get().is_none()
            on:click=click
        >
            {text.unwrap_or_else(|| "Open in Perfetto".to_owned())}
        </button>
    }
}

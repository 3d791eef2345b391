//! Keyboard use of the page: `/` focuses the row filter, `j`/`k` move a highlighted current
//! row (`tt-row-cur`) down/up in the table last used (clicked or focused; at first the shown
//! stage's kernel table) and scroll it into view, `Enter` activates that row (as a click
//! does), `Escape` closes the key list, or clears and leaves the filter, or drops the
//! highlight, and `?` opens the key list.
//!
//! One set of window listeners, registered by [`KeyHelp`], which the app mounts once.
//! Tables are found in the page by their `tt-table` class and rows by their position, so
//! any `TableView` takes part without wiring. No key but `Escape` acts while focus is in a
//! text field, and none acts with Ctrl, Alt or Meta held.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// The keys and what they do, as the key list shows them.
const KEYS: [(&str, &str); 5] = [
    ("/", "Focus the row filter"),
    ("j / k", "Highlight the next / previous row of the table last used (at first the kernel table)"),
    ("Enter", "Open the highlighted row, as a click does"),
    ("Escape", "Clear and leave the filter, drop the highlight, close this list"),
    ("?", "Show this list"),
];

/// The class of the highlighted current row.
const CURRENT: &str = "tt-row-cur";

/// Registers the page's key handling and draws the key list (`?`) when it is open.
#[component]
pub fn KeyHelp() -> impl IntoView {
    let open = RwSignal::new(false);
    // The id of the table last clicked or focused.
    let last: RwSignal<Option<String>> = RwSignal::new(None);
    let keys = window_event_listener(ev::keydown, move |e| on_key(&e, open, last));
    let clicks = window_event_listener_untyped("click", move |e| remember_table(&e, last));
    let focus = window_event_listener_untyped("focusin", move |e| remember_table(&e, last));
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
        focus.remove();
    });
    view! {
        <Show when=move || open.get()>
            <div class="tt-keys-backdrop" on:click=move |_| open.set(false)>
                <div class="tt-keys" id="keys-help" role="dialog" aria-modal="true" aria-labelledby="keys-title">
                    <h3 id="keys-title">"Keyboard"</h3>
                    <dl>{key_rows()}</dl>
                    <p class="tt-muted tt-small">"Escape or a click closes this list."</p>
                </div>
            </div>
        </Show>
    }
}

/// The key list's lines.
fn key_rows() -> impl IntoView {
    KEYS.iter().map(|&(k, what)| view! { <dt><kbd>{k}</kbd></dt><dd>{what}</dd> }).collect_view()
}

/// One key press.
fn on_key(e: &web_sys::KeyboardEvent, open: RwSignal<bool>, last: RwSignal<Option<String>>) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
        return;
    }
    let key = e.key();
    let active = document().active_element();
    let typing = active.as_ref().is_some_and(is_text_field);
    let handled = match key.as_str() {
        "Escape" => escape(open, active.as_ref(), typing),
        _ if typing => false,
        "?" => {
            open.set(true);
            true
        }
        "/" => focus_filter(),
        "j" => move_row(last, true),
        "k" => move_row(last, false),
        // A focused button, link or summary takes Enter itself.
        "Enter" if !active.as_ref().is_some_and(is_control) => activate_row(last),
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}

/// Whether `el` takes typed text (an input other than a button-like one, a text area, a
/// select, an editable element).
fn is_text_field(el: &Element) -> bool {
    match el.tag_name().to_ascii_uppercase().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => {
            let kind = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            !matches!(
                kind.as_str(),
                "button" | "checkbox" | "radio" | "submit" | "reset" | "file" | "range" | "color"
            )
        }
        _ => el.dyn_ref::<HtmlElement>().is_some_and(HtmlElement::is_content_editable),
    }
}

/// Whether `el` acts on Enter itself.
fn is_control(el: &Element) -> bool {
    matches!(
        el.tag_name().to_ascii_uppercase().as_str(),
        "BUTTON" | "A" | "SUMMARY" | "INPUT" | "SELECT" | "TEXTAREA"
    )
}

/// Remembers the table an event happened in as the one last used.
fn remember_table(e: &web_sys::Event, last: RwSignal<Option<String>>) {
    let table = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|el| el.closest("table.tt-table").ok().flatten());
    if let Some(id) = table.map(|t| t.id()).filter(|id| !id.is_empty()) {
        last.set(Some(id));
    }
}

/// `Escape`: closes the key list; else clears the filter (when focus is in it) and leaves
/// the field; else drops the row highlight.
fn escape(open: RwSignal<bool>, active: Option<&Element>, typing: bool) -> bool {
    if open.get_untracked() {
        open.set(false);
        return true;
    }
    if typing {
        if let Some(input) = active.and_then(|a| a.dyn_ref::<HtmlInputElement>())
            && input.id() == "filter"
            && !input.value().is_empty()
        {
            input.set_value("");
            // The filter's own `input` handler updates the report's filter.
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(ev) = web_sys::Event::new_with_event_init_dict("input", &init) {
                let _ = input.dispatch_event(&ev);
            }
        }
        if let Some(el) = active.and_then(|a| a.dyn_ref::<HtmlElement>()) {
            let _ = el.blur();
        }
        return true;
    }
    clear_current().is_some()
}

/// Focuses (and selects) the row filter, if the page has one.
fn focus_filter() -> bool {
    let Some(input) =
        document().get_element_by_id("filter").and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
    else {
        return false;
    };
    let _ = input.focus();
    input.select();
    true
}

/// The table the row keys act on: the one last used, if it is still shown, else the shown
/// stage's kernel table, else the first table of the page.
fn current_table(last: RwSignal<Option<String>>) -> Option<Element> {
    let doc = document();
    let shown = |t: &Element| t.client_height() > 0;
    last.get_untracked()
        .and_then(|id| doc.get_element_by_id(&id))
        .filter(shown)
        .or_else(|| doc.query_selector("table.tt-table[id^='kernels-']").ok().flatten().filter(shown))
        .or_else(|| doc.query_selector("table.tt-table").ok().flatten().filter(shown))
}

/// Removes the row highlight; returns the row that had it.
fn clear_current() -> Option<Element> {
    let row = document().query_selector(&format!("tr.{CURRENT}")).ok().flatten()?;
    let _ = row.class_list().remove_1(CURRENT);
    Some(row)
}

/// Moves the highlight one row down (`down`) or up in the current table (the first row
/// when none is highlighted there) and scrolls it into view.
fn move_row(last: RwSignal<Option<String>>, down: bool) -> bool {
    let Some(table) = current_table(last) else { return false };
    let previous = clear_current().filter(|row| table.contains(Some(row)));
    let next = match &previous {
        Some(row) if down => row.next_element_sibling().or_else(|| Some(row.clone())),
        Some(row) => row.previous_element_sibling().or_else(|| Some(row.clone())),
        None => table.query_selector("tbody tr").ok().flatten(),
    };
    // The "no row" line of an empty table is not a row.
    let Some(next) = next.filter(|row| row.query_selector(".tt-empty").ok().flatten().is_none()) else {
        return false;
    };
    let _ = next.class_list().add_1(CURRENT);
    last.set(Some(table.id()));
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    next.scroll_into_view_with_scroll_into_view_options(&options);
    true
}

/// Activates the highlighted row of the current table, as a click on it would.
fn activate_row(last: RwSignal<Option<String>>) -> bool {
    let row = current_table(last)
        .and_then(|t| t.query_selector(&format!("tbody tr.{CURRENT}")).ok().flatten())
        .and_then(|row| row.dyn_into::<HtmlElement>().ok());
    match row {
        Some(row) => {
            row.click();
            true
        }
        None => false,
    }
}

//! The view in the URL and the page's title: the fragment's `src=` (traces opened by URL),
//! `tab=` (the stage shown) and `q=` (the filter) beside what it opens
//! ([`report::fragment`]), so a reload and the browser's Back return to the same view; a
//! change of the fragment's `src=` (a dashboard's "open trace" link, an edited address)
//! opens those traces. `document.title` names the trace and the stage.

use std::sync::Arc;

use leptos::prelude::*;
use report::fragment::Fragment;
use wasm_bindgen::prelude::*;

use crate::components::dashboard;
use crate::io;
use crate::state::{AppState, Status};

/// The page's name, at the end of every title.
const APP: &str = "tracetriage";

/// The value of `tab=` for the Layers tab.
const LAYERS: &str = "layers";

/// The current fragment, parsed.
#[must_use]
pub fn current() -> Fragment {
    report::fragment::parse(&io::fragment().unwrap_or_default())
}

/// The fragment once traces are loaded: their URLs (`sources`; none for dropped files)
/// and the current view's `tab`/`q`, without a link head.
#[must_use]
pub fn after_load(sources: &[String]) -> String {
    current().with_src(sources).render()
}

/// The fragment of the shared link `head` (`r1.…`), keeping the current `tab`/`q`.
#[must_use]
pub fn with_head(head: &str) -> String {
    current().with_head(head).render()
}

/// Adds a history entry with `fragment` (Back returns to the entry before).
fn push(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// Sets `document.title`.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// `path`'s file name.
fn file_name(path: &str) -> &str {
    report::engine::discover::file_name(path)
}

/// The trace a report was made of: its file name, or the first one's and how many more.
#[must_use]
pub fn trace_name(paths: &[&str]) -> String {
    match paths {
        [] => "report".to_owned(),
        [one] => file_name(one).to_owned(),
        [first, rest @ ..] => format!("{} + {} more", file_name(first), rest.len()),
    }
}

/// The title of a status; `None` for a report, whose view names its stage.
#[must_use]
pub fn status_title(status: &Status) -> Option<String> {
    Some(match status {
        Status::Idle => APP.to_owned(),
        Status::Loading(p) if p.phase == crate::fetch::DOWNLOADING => {
            format!("Downloading {}… — {APP}", p.name)
        }
        Status::Loading(p) if p.name.is_empty() => format!("Reading… — {APP}"),
        Status::Loading(p) => format!("Reading {}… — {APP}", p.name),
        Status::Failed(_) => format!("Error — {APP}"),
        Status::Ready(..) => return None,
        Status::Ranks(r, ..) => {
            let first = r.inputs.first().map(|i| file_name(&i.path)).unwrap_or("traces");
            format!("{} ranks of {first} — {APP}", r.inputs.len())
        }
        Status::Compare(_) => format!("Comparison — {APP}"),
        Status::Dashboard => format!("Dashboard — {APP}"),
    })
}

/// Whether a fragment head is a shared report or diff link (`r1.…`, `d1.…`).
#[must_use]
pub fn is_link(head: &str) -> bool {
    let head = head.trim_start_matches('#');
    head.starts_with(report::share::PREFIX) || head.starts_with(report::share::DIFF_PREFIX)
}

/// Keeps the title in step with the page's status, and follows changes of the fragment
/// made outside the page: a new `src=` opens its traces; a new shared link (pasted into
/// the address bar of an open tab) replaces the report shown; on a dashboard page, a
/// fragment without one returns to the dashboard.
pub fn follow(state: AppState) {
    Effect::new(move |_| {
        if let Some(title) = status_title(&state.status.get()) {
            set_title(&title);
        }
    });
    let route = move || {
        let f = current();
        if is_link(&f.head) {
            // Another link than the one shown (or made by the page's Share button).
            if state.link.with_value(|l| *l != f.head) {
                state.cancel();
                state.open_link();
            }
            return;
        }
        if !f.src.is_empty() {
            if state.remote.with_value(|r| r.sources != f.src && r.pending != f.src) {
                state.open_urls(f.src);
            }
        } else if (f.head.is_empty() || f.head.starts_with("dashboard"))
            && dashboard::wanted()
            && !matches!(state.status.get_untracked(), Status::Dashboard)
        {
            state.cancel();
            state.status.set(Status::Dashboard);
        }
    };
    // Back and Forward fire `popstate` (and `hashchange` when the fragment differs); both
    // may come for one step, and `route` does nothing the second time (the download asked
    // by the first is pending).
    let a = window_event_listener(leptos::ev::hashchange, move |_| route());
    let b = window_event_listener(leptos::ev::popstate, move |_| route());
    on_cleanup(move || {
        a.remove();
        b.remove();
    });
}

/// Keeps a report view's stage tab (`selected`; `layers_tab` is the Layers tab's index,
/// offered when `live`) and `filter` in the fragment: read at start and on Back/Forward,
/// a tab change adds a history entry, a filter edit replaces the current one. The title
/// names the stage and the trace. With `in_url` false (a run shown inside the dashboard,
/// whose fragment is the dashboard's), only the title is kept.
pub fn bind_report(
    report: &report::Report,
    selected: RwSignal<usize>,
    filter: RwSignal<String>,
    layers_tab: usize,
    live: bool,
    in_url: bool,
) {
    let labels: Arc<Vec<String>> = Arc::new(report.stages.iter().map(|s| s.label.clone()).collect());
    let paths: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    let name = trace_name(&paths);
    let l = Arc::clone(&labels);
    let index_of = move |tab: Option<&str>| match tab {
        Some(LAYERS) if live => layers_tab,
        Some(t) => l.iter().position(|x| x == t).unwrap_or(0),
        None => 0,
    };
    let label_of = move |i: usize| {
        if i == layers_tab { LAYERS.to_owned() } else { labels.get(i).cloned().unwrap_or_default() }
    };
    let apply = {
        let index_of = index_of.clone();
        move || {
            let f = current();
            let i = index_of(f.tab.as_deref());
            if selected.get_untracked() != i {
                selected.set(i);
            }
            let q = f.q.unwrap_or_default();
            if filter.get_untracked() != q {
                filter.set(q);
            }
        }
    };
    Effect::new(move |_| {
        let i = selected.get();
        let label = label_of(i);
        let shown = if label == LAYERS { "Layers" } else { label.as_str() };
        set_title(&format!("{shown} · {name} — {APP}"));
        if !in_url {
            return;
        }
        let mut f = current();
        if index_of(f.tab.as_deref()) != i {
            f.tab = Some(label);
            push(&f.render());
        }
    });
    if !in_url {
        return;
    }
    apply();
    Effect::new(move |_| {
        let q = filter.get();
        let mut f = current();
        if f.q.as_deref().unwrap_or_default() != q {
            f.q = Some(q);
            io::set_fragment(&f.render());
        }
    });
    let on_pop = apply.clone();
    let a = window_event_listener(leptos::ev::popstate, move |_| on_pop());
    let b = window_event_listener(leptos::ev::hashchange, move |_| apply());
    on_cleanup(move || {
        a.remove();
        b.remove();
    });
}

#[cfg(test)]
mod tests {
    use super::trace_name;

    #[test]
    fn the_title_names_the_trace_files() {
        assert_eq!(trace_name(&["run/x-TP-0.trace.json.gz"]), "x-TP-0.trace.json.gz");
        assert_eq!(trace_name(&["a/p.json", "a/d.json", "a/e.json"]), "p.json + 2 more");
        assert_eq!(trace_name(&[]), "report");
    }
}

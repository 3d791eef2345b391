//! Everything the page does with the outside world apart from the engine worker (which
//! is [`crate::client`]'s): files from the picker and from drag-and-drop (folders walked
//! like the CLI's discovery), the bundled sample, the clipboard, downloads and the URL
//! fragment.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The bundled sample trace (an excerpt of an MIT-licensed vLLM trace).
pub const SAMPLE_URL: &str = "./sample/vllm-b200-gpt-oss-excerpt.pt.trace.json.gz";

/// The value of `name` in the page's query string (`?cold` gives `Some("")`); `None` when it
/// is absent or there is no page. Switches for tests and benchmarks (`?workers=`,
/// `?memory=`, `?cold`).
#[must_use]
pub fn page_param(name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get(name))
}

/// A file chosen by the user, with the path it should be shown under.
#[derive(Clone)]
pub struct Chosen {
    /// The file.
    pub file: web_sys::File,
    /// Its relative path (inside a dropped folder) or name.
    pub path: String,
}

/// Reads a chosen file as text.
pub async fn file_text(file: &web_sys::File) -> Option<String> {
    read_text(file).await
}

/// Files from an `<input type=file>` (with `webkitRelativePath` for folder pickers).
#[must_use]
pub fn from_input(input: &web_sys::HtmlInputElement) -> Vec<Chosen> {
    let Some(list) = input.files() else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|file| {
            let rel = Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                .ok()
                .and_then(|v| v.as_string());
            let path = rel.filter(|p| !p.is_empty()).unwrap_or_else(|| file.name());
            Chosen { file, path }
        })
        .collect()
}

/// Files and folders dropped on the page: folders are walked (all levels).
pub async fn from_drop(transfer: &web_sys::DataTransfer) -> Vec<Chosen> {
    let mut out = Vec::new();
    let mut entries = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        if let Some(item) = items.get(i)
            && let Ok(Some(entry)) = item.webkit_get_as_entry()
        {
            entries.push(entry);
        }
    }
    if entries.is_empty() {
        // Browsers without the entries API: plain files.
        if let Some(list) = transfer.files() {
            for i in 0..list.length() {
                if let Some(file) = list.get(i) {
                    let path = file.name();
                    out.push(Chosen { file, path });
                }
            }
        }
        return out;
    }
    while let Some(entry) = entries.pop() {
        let path = entry.full_path().trim_start_matches('/').to_owned();
        if entry.is_directory() {
            let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
            entries.extend(read_directory(&dir).await);
        } else if entry.is_file() {
            let fe: web_sys::FileSystemFileEntry = entry.unchecked_into();
            if let Some(file) = entry_file(&fe).await {
                out.push(Chosen { file, path });
            }
        }
    }
    report::engine::order::sort_by(&mut out, |a, b| a.path.cmp(&b.path));
    out
}

async fn read_directory(dir: &web_sys::FileSystemDirectoryEntry) -> Vec<web_sys::FileSystemEntry> {
    let reader = dir.create_reader();
    let mut all = Vec::new();
    // readEntries returns at most ~100 entries per call; call until it returns none.
    loop {
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            let ok = Closure::once_into_js(move |entries: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &entries);
            });
            let err = Closure::once_into_js(move |e: JsValue| {
                let _ = reject.call1(&JsValue::NULL, &e);
            });
            let _ = reader.read_entries_with_callback_and_callback(ok.unchecked_ref(), err.unchecked_ref());
        });
        let Ok(batch) = JsFuture::from(promise).await else { break };
        let batch: Array = batch.dyn_into().unwrap_or_default();
        if batch.length() == 0 {
            break;
        }
        all.extend(batch.iter().filter_map(|e| e.dyn_into::<web_sys::FileSystemEntry>().ok()));
    }
    all
}

async fn entry_file(entry: &web_sys::FileSystemFileEntry) -> Option<web_sys::File> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |file: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &file);
        });
        let err = Closure::once_into_js(move |e: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        entry.file_with_callback_and_callback(ok.unchecked_ref(), err.unchecked_ref());
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

/// The traces among a set of chosen files, and what was chosen beside them.
pub struct Selection {
    /// The trace files, in the order the engine reads them.
    pub traces: Vec<Chosen>,
    /// Graph-capture traces chosen with them (in a `capture_traces/` or
    /// `graph_capture_profile/` folder, or named `cuda_graph_capture-…`), sorted by path:
    /// read for the Python sources of graph-replayed kernels, never triaged themselves.
    pub captures: Vec<Chosen>,
    /// `server_args.json` text, if one was chosen.
    pub server_args: Option<String>,
    /// A model `config.json` (for the layers tab): `(path, text)`.
    pub model_config: Option<(String, String)>,
    /// Server logs chosen with the traces, for the diffusion backend gate
    /// ([`report::gate`]): the `server.log` files if any, else every `*.log`.
    pub server_logs: Vec<report::gate::ServerLog>,
    /// Rank-reduction files (`.ttr`, from `tracetriage reduce`) chosen with them, in the
    /// order chosen: for the all-ranks view only.
    pub reductions: Vec<Chosen>,
}

/// What a chosen file is, from its path alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `server_args.json`: the server's arguments, beside the traces.
    ServerArgs,
    /// `config.json`: a model config, for the layers tab.
    ModelConfig,
    /// `*.log`: a server log, read for the diffusion backend gate.
    ServerLog,
    /// A graph-capture trace ([`report::engine::discover::is_capture_path`]), if its first
    /// bytes say it is a trace.
    Capture,
    /// `*.ttr`: a rank-reduction file ([`report::ranks::reduction`]), for the all-ranks view.
    Reduction,
    /// Anything else: a trace if its name and first bytes say so (or if it is alone).
    Other,
}

/// What the chosen file at `path` is.
#[must_use]
pub fn kind_of(path: &str) -> Kind {
    let name = report::engine::discover::file_name(path).to_ascii_lowercase();
    if name == "server_args.json" {
        Kind::ServerArgs
    } else if name == "config.json" {
        Kind::ModelConfig
    } else if name.ends_with(".log") {
        Kind::ServerLog
    } else if name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext == report::ranks::reduction::REDUCTION_EXTENSION)
    {
        Kind::Reduction
    } else if report::engine::discover::is_capture_path(path) {
        Kind::Capture
    } else {
        Kind::Other
    }
}

/// Chosen files by [`Kind`]: indexes into the chosen paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sorted {
    /// The last `server_args.json`.
    pub server_args: Option<usize>,
    /// The last `config.json`.
    pub model_config: Option<usize>,
    /// The capture traces, by path.
    pub captures: Vec<usize>,
    /// The server logs to read, by path: the `server.log` files if any were chosen (the
    /// log a folder prefers, as the CLI's discovery does), else every `*.log`.
    pub server_logs: Vec<usize>,
    /// The rank-reduction files, in the order chosen.
    pub reductions: Vec<usize>,
    /// Every other file, in the order chosen, but those in a dropped folder that holds
    /// rank-reduction files: as for the CLI's `--all-ranks`, such a folder stands for its
    /// `.ttr` files.
    pub others: Vec<usize>,
}

impl Sorted {
    /// Sorts chosen `paths` by [`kind_of`].
    #[must_use]
    pub fn of(paths: &[&str]) -> Sorted {
        let mut sorted = Sorted::default();
        for (i, path) in paths.iter().enumerate() {
            match kind_of(path) {
                Kind::ServerArgs => sorted.server_args = Some(i),
                Kind::ModelConfig => sorted.model_config = Some(i),
                Kind::Capture => sorted.captures.push(i),
                Kind::ServerLog => sorted.server_logs.push(i),
                Kind::Reduction => sorted.reductions.push(i),
                Kind::Other => sorted.others.push(i),
            }
        }
        let folder = |i: &usize| paths.get(*i).and_then(|p| p.split_once('/')).map(|(top, _)| top);
        let reduced: Vec<&str> = sorted.reductions.iter().filter_map(folder).collect();
        sorted.others.retain(|i| folder(i).is_none_or(|top| !reduced.contains(&top)));
        report::engine::order::sort_by(&mut sorted.captures, |&a, &b| paths.get(a).cmp(&paths.get(b)));
        let named = |i: &usize| {
            paths.get(*i).is_some_and(|p| {
                report::engine::discover::file_name(p).eq_ignore_ascii_case(report::gate::SERVER_LOG)
            })
        };
        if sorted.server_logs.iter().any(named) {
            sorted.server_logs.retain(named);
        }
        report::engine::order::sort_by(&mut sorted.server_logs, |&a, &b| paths.get(a).cmp(&paths.get(b)));
        sorted
    }

    /// The one file to load whatever its name (the loader says if it is not a trace): the
    /// only file chosen besides the side files and capture traces. `None` when there are
    /// several (discovery's name rules and the content sniff pick the traces) or none.
    #[must_use]
    pub fn lone(&self) -> Option<usize> {
        match self.others.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// Keeps the trace files of a set of chosen files, as the CLI's discovery does for a
/// directory (name rules, a sniff of each candidate's first bytes, rank 0 by default,
/// stage order), with the graph-capture traces, `server_args.json` and `config.json` if
/// they were chosen.
pub async fn select_traces(chosen: Vec<Chosen>) -> Result<Selection, String> {
    let picked = select_traces_of(chosen, report::engine::discover::Ranks::Default).await?;
    if picked.traces.is_empty() {
        return Err("rank-reduction files (.ttr) open the all-ranks view only: drop them on the page".into());
    }
    Ok(picked)
}

/// As [`select_traces`], keeping the ranks `ranks` selects (every rank for the all-ranks
/// view), with the rank-reduction files chosen (then the traces may be none).
pub async fn select_traces_of(
    chosen: Vec<Chosen>,
    ranks: report::engine::discover::Ranks,
) -> Result<Selection, String> {
    let sorted = Sorted::of(&chosen.iter().map(|c| c.path.as_str()).collect::<Vec<_>>());
    let file = |i: Option<usize>| i.and_then(|i| chosen.get(i));
    let server_args = match file(sorted.server_args) {
        Some(c) => read_text(&c.file).await,
        None => None,
    };
    // A model config beside the traces: the layers tab uses it.
    let model_config = match file(sorted.model_config) {
        Some(c) => read_text(&c.file).await.map(|t| (c.path.clone(), t)),
        None => None,
    };
    let mut server_logs = Vec::new();
    for c in sorted.server_logs.iter().filter_map(|&i| chosen.get(i)) {
        // A log that cannot be read is left out (the CLI warns; the page has the traces).
        if let Some(text) = read_text(&c.file).await {
            server_logs.push(report::gate::ServerLog { name: c.path.clone(), text });
        }
    }
    let mut captures = Vec::new();
    for c in sorted.captures.iter().filter_map(|&i| chosen.get(i)) {
        if sniff(&c.file).await {
            captures.push(c.clone());
        }
    }
    let reductions: Vec<Chosen> = sorted.reductions.iter().filter_map(|&i| chosen.get(i).cloned()).collect();
    if let Some(one) = file(sorted.lone()) {
        // One file: load it whatever its name; the loader says if it is not a trace.
        let traces = vec![one.clone()];
        return Ok(Selection { traces, captures, server_args, model_config, server_logs, reductions });
    }
    let mut traces = Vec::new();
    for c in sorted.others.iter().filter_map(|&i| chosen.get(i)) {
        if report::engine::discover::candidate_name(&c.path) && sniff(&c.file).await {
            traces.push(c.clone());
        }
    }
    if traces.is_empty() && !reductions.is_empty() {
        return Ok(Selection { traces, captures, server_args, model_config, server_logs, reductions });
    }
    if traces.is_empty() {
        return Err(if captures.is_empty() {
            "none of the chosen files is a trace (looked for *.json and *.json.gz holding traceEvents)".into()
        } else {
            "only graph-capture traces were chosen (in capture_traces/ or graph_capture_profile/, or named \
             cuda_graph_capture-…); choose the run's traces with them"
                .into()
        });
    }
    let paths: Vec<&str> = traces.iter().map(|c| c.path.as_str()).collect();
    let picked = report::engine::discover::select(&paths, ranks).map_err(|e| e.to_string())?;
    let traces = picked.into_iter().filter_map(|i| traces.get(i).cloned()).collect();
    Ok(Selection { traces, captures, server_args, model_config, server_logs, reductions })
}

/// Distinct ranks among the chosen files, from their names (as the CLI's discovery reads
/// them); files without a rank in the name count as one.
#[must_use]
pub fn distinct_ranks(files: &[Chosen]) -> usize {
    let mut ranks: Vec<Option<i64>> =
        files.iter().map(|f| report::engine::discover::rank_of(&f.path)).collect();
    report::engine::order::sort_by(&mut ranks, Ord::cmp);
    ranks.dedup();
    ranks.len()
}

async fn sniff(file: &web_sys::File) -> bool {
    let Ok(blob) = file.slice_with_f64_and_f64(0.0, 64.0 * 1024.0) else { return false };
    let Ok(buffer) = JsFuture::from(blob.array_buffer()).await else { return false };
    let head = js_sys::Uint8Array::new(&buffer).to_vec();
    let text =
        if head.starts_with(&[0x1f, 0x8b]) { report::trace::inflate_prefix(&head, 64 * 1024) } else { head };
    report::engine::discover::sniff_text(&text)
}

async fn read_text(file: &web_sys::File) -> Option<String> {
    JsFuture::from(file.text()).await.ok()?.as_string()
}

/// Fetches the bundled sample trace as a `File`.
pub async fn sample() -> Result<Chosen, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(SAMPLE_URL))
        .await
        .map_err(|_| "could not fetch the sample trace")?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "could not fetch the sample trace")?;
    if !response.ok() {
        return Err(format!("could not fetch the sample trace (HTTP {})", response.status()));
    }
    let blob = JsFuture::from(response.blob().map_err(|_| "could not read the sample trace")?)
        .await
        .map_err(|_| "could not read the sample trace")?;
    let parts = Array::of1(&blob);
    let name = SAMPLE_URL.rsplit('/').next().unwrap_or("sample.trace.json.gz");
    let file =
        web_sys::File::new_with_blob_sequence(&parts, name).map_err(|_| "could not read the sample trace")?;
    Ok(Chosen { file, path: name.to_owned() })
}

/// Copies text to the clipboard.
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    JsFuture::from(window.navigator().clipboard().write_text(text)).await.is_ok()
}

/// Offers `text` as a file download.
pub fn download(name: &str, text: &str, mime: &str) {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The current URL fragment (with `#`), if any.
#[must_use]
pub fn fragment() -> Option<String> {
    web_sys::window().and_then(|w| w.location().hash().ok()).filter(|h| h.len() > 1)
}

/// A link to this page with `fragment` (without `#`).
#[must_use]
pub fn link_with_fragment(fragment: &str) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return format!("#{fragment}") };
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_owned();
    format!("{base}#{fragment}")
}

/// Replaces the fragment without adding a history entry (the query string, such as
/// `?perfetto=` or `?workers=`, is kept).
pub fn set_fragment(fragment: &str) {
    if let Some(w) = web_sys::window()
        && let Ok(history) = w.history()
    {
        let url = if fragment.is_empty() {
            let location = w.location();
            format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default())
        } else {
            format!("#{fragment}")
        };
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Milliseconds since page load.
#[must_use]
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[cfg(test)]
mod tests {
    use super::{Kind, Sorted, kind_of};

    #[test]
    fn capture_traces_are_told_from_traces_by_folder_or_name() {
        assert_eq!(
            kind_of("prof/capture_traces/graph_capture_rank_0.1773709679453551615.pt.trace.json.gz"),
            Kind::Capture
        );
        assert_eq!(kind_of("run/graph_capture_profile/bs_8-TP-0.json.gz"), Kind::Capture);
        assert_eq!(kind_of("cuda_graph_capture-ModelRunner-TP-0.json.gz"), Kind::Capture);
        assert_eq!(kind_of("prof/graph_execution.json.gz"), Kind::Other);
        assert_eq!(kind_of("prof/capture_traces/notes.txt"), Kind::Other);
        assert_eq!(kind_of("prof/Server_Args.json"), Kind::ServerArgs);
        assert_eq!(kind_of("model/config.json"), Kind::ModelConfig);
        assert_eq!(kind_of("run/server.log"), Kind::ServerLog);
        assert_eq!(kind_of("run/Launch.LOG"), Kind::ServerLog);
        assert_eq!(kind_of("run/log.txt"), Kind::Other);
        assert_eq!(kind_of("red/x-TP-0.trace.ttr"), Kind::Reduction);
        assert_eq!(kind_of("X-TP-1.TTR"), Kind::Reduction);
        assert_eq!(kind_of("x-TP-1.ttr.json"), Kind::Other);
    }

    #[test]
    fn a_folder_with_reduction_files_stands_for_them_as_in_the_cli() {
        // A folder holding `.ttr` files: its traces are left out; loose traces are kept.
        let paths =
            ["red/b.ttr", "red/a-TP-0.trace.json.gz", "x-TP-1.trace.json.gz", "c.ttr", "tr/x-TP-2.json"];
        let sorted = Sorted::of(&paths);
        assert_eq!(sorted.reductions, [0, 3]);
        assert_eq!(sorted.others, [2, 4]);
        // Loose `.ttr` files beside loose traces: both.
        let sorted = Sorted::of(&["a.ttr", "x-TP-1.trace.json.gz", "x-TP-2.trace.json.gz"]);
        assert_eq!((sorted.reductions.as_slice(), sorted.others.as_slice()), (&[0][..], &[1, 2][..]));
        // `.ttr` files alone: nothing to sniff, no lone trace.
        let sorted = Sorted::of(&["a.ttr"]);
        assert_eq!((sorted.reductions.as_slice(), sorted.lone()), (&[0][..], None));
    }

    #[test]
    fn dropped_logs_are_kept_apart_and_server_log_is_preferred() {
        let sorted = Sorted::of(&["run/x-TP-0.trace.json.gz", "run/worker.log", "run/a.log"]);
        assert_eq!((sorted.server_logs.as_slice(), sorted.lone()), (&[2, 1][..], Some(0)));
        let sorted = Sorted::of(&["run/worker.log", "run/x.trace.json", "run/Server.log", "up/server.log"]);
        assert_eq!(sorted.server_logs, [2, 3], "server.log files only, by path");
    }

    #[test]
    fn a_dropped_profile_folder_keeps_its_capture_traces_apart() {
        let paths = [
            "prof/server_args.json",
            "prof/graph_execution.json.gz",
            "prof/capture_traces/graph_capture_rank_1.2.pt.trace.json.gz",
            "prof/capture_traces/graph_capture_rank_0.1.pt.trace.json.gz",
        ];
        let sorted = Sorted::of(&paths);
        assert_eq!(sorted.server_args, Some(0));
        assert_eq!(sorted.captures, [3, 2], "sorted by path");
        assert_eq!(sorted.others, [1]);
        assert_eq!(sorted.lone(), Some(1), "the one execution trace is loaded whatever its name");
    }

    #[test]
    fn a_lone_file_is_loaded_whatever_its_name_unless_it_is_a_capture() {
        assert_eq!(Sorted::of(&["odd-name.gz"]).lone(), Some(0));
        assert_eq!(Sorted::of(&["cuda_graph_capture-ModelRunner-TP-0.json.gz"]).lone(), None);
        let loose = Sorted::of(&["x-TP-0.trace.json.gz", "cuda_graph_capture-ModelRunner-TP-0.json.gz"]);
        assert_eq!((loose.lone(), loose.captures.as_slice()), (Some(0), &[1][..]));
        let two = Sorted::of(&["a/x-TP-0.trace.json.gz", "a/x-TP-1.trace.json.gz", "a/config.json"]);
        assert_eq!((two.lone(), two.others.len(), two.model_config), (None, 2, Some(2)));
    }
}

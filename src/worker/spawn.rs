//! Starting engine workers. The page and its workers run one WebAssembly module (shipping
//! a second binary for the worker would double the download): a worker is a module worker
//! running `engine-worker.js`, which imports wasm-bindgen's glue and instantiates the
//! module this context already compiled. Its start function (`main.rs`) sees that there is
//! no window and, instead of mounting the app, runs [`super::start`], which runs the
//! inflater when the worker was started with `?inflate` and the engine loop otherwise.

use wasm_bindgen::prelude::*;

/// The boot script (copied next to `index.html` by trunk), relative to the page, and so
/// also relative to a worker's own script.
const BOOT_URL: &str = "./engine-worker.js";

#[wasm_bindgen]
extern "C" {
    /// `import.meta` of the wasm-bindgen glue module.
    type ImportMeta;

    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;

    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
}

/// Starts an engine worker; `query` (e.g. `workers=1`) is appended to its script URL, where
/// the worker reads its switches ([`switches`]). The worker says it is ready once it
/// listens (an engine worker with `FromWorker::Ready`, an inflater with `"ready"`).
///
/// # Errors
/// When the browser cannot start a module worker or refuses to hand it the module.
pub fn engine_worker(query: Option<&str>) -> Result<web_sys::Worker, JsValue> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let url = match query {
        Some(q) => format!("{BOOT_URL}?{q}"),
        None => BOOT_URL.to_owned(),
    };
    let worker = web_sys::Worker::new_with_options(&url, &options)?;
    let glue = IMPORT_META.with(ImportMeta::url);
    let boot = js_sys::Array::of2(&JsValue::from_str(&glue), &wasm_bindgen::module());
    if let Err(e) = worker.post_message(&boot) {
        worker.terminate();
        return Err(e);
    }
    Ok(worker)
}

/// This worker's switches: the `&`-separated parts of its script URL's query (`child`,
/// `inflate`, `workers=2`); none outside a worker.
pub fn switches() -> Vec<String> {
    super::scope::scope()
        .map(|s| s.location().search().trim_start_matches('?').split('&').map(str::to_owned).collect())
        .unwrap_or_default()
}

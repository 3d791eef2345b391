// The engine worker's boot script (see src/worker/spawn.rs). The page and its workers run one
// WebAssembly module: the first message carries the URL of wasm-bindgen's glue and the
// module the page already compiled, so the worker neither downloads nor compiles it again.
// The glue's start function then sees that it runs in a worker and starts the engine loop
// (or, with `?inflate` in this script's URL, the inflater).
self.onmessage = (event) => {
  self.onmessage = null;
  const [glue, module] = event.data;
  import(glue)
    .then((bindings) => bindings.default({ module_or_path: module }))
    // Rethrown in a task, so the page's `error` handler hears about it.
    .catch((err) => setTimeout(() => { throw err; }));
};

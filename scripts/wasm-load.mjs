// Feeds a trace to the wasm build of the engine's loader (examples/wasm_load.rs) in 4 MiB
// slices, as the app's worker does, and prints MB/s of JSON text and the triage time.
// Usage: node scripts/wasm-load.mjs PKG_DIR TRACE [REPEAT]
import { createRequire } from 'node:module';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import path from 'node:path';

const [pkg, trace, repeat = '1'] = process.argv.slice(2);
if (!pkg || !trace) {
  console.error('usage: node scripts/wasm-load.mjs PKG_DIR TRACE [REPEAT]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { WasmLoader } = require(path.resolve(pkg, 'wasm_load.js'));
const SLICE = 4 * 1024 * 1024;
const buf = Buffer.alloc(SLICE);
for (let r = 0; r < Number(repeat); r++) {
  const fd = openSync(trace, 'r');
  const size = fstatSync(fd).size;
  const loader = new WasmLoader();
  const t0 = performance.now();
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buf, 0, SLICE, at);
    if (n <= 0) break;
    at += n;
    if (!loader.push(buf.subarray(0, n))) {
      console.error('not a trace');
      process.exit(1);
    }
  }
  closeSync(fd);
  const text = loader.bytes_text();
  const events = loader.finish();
  const s = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const report = loader.triage();
  const triage = performance.now() - t1;
  loader.free();
  console.log(
    `${path.basename(trace)}: ${(text / 1e6).toFixed(1)} MB JSON, ${events} events, ` +
      `load ${s.toFixed(2)} s = ${(text / 1e6 / s).toFixed(0)} MB/s, triage ${triage.toFixed(0)} ms ` +
      `(${(report / 1e3).toFixed(0)} kB of report JSON)`,
  );
}

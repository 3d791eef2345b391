// The shipped wasm stays small (issue 22: ≤ 1.5 MiB gzip -9): checked on every run, since
// the size is deterministic for a build. The figure is printed for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT } from './helpers.mjs';

/** The limit, bytes of gzip -9. */
const LIMIT = 1.5 * 1048576;

test('shipped wasm, gzip -9, is at most 1.5 MiB', () => {
  const dist = path.join(ROOT, 'dist');
  const modules = fs.readdirSync(dist).filter((f) => f.endsWith('.wasm'));
  assert.ok(modules.length >= 1, 'dist/ holds the built wasm (run trunk build --release first)');
  let total = 0;
  for (const f of modules) {
    const gz = zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
    console.log(`BENCH wasm ${f} gzip=${gz}`);
    total += gz;
  }
  console.log(`BENCH wasm_total_gzip=${total}`);
  assert.ok(total <= LIMIT, `wasm is ${total} bytes of gzip, over ${LIMIT}`);
});

// The warm-up (src/client/warmup.rs, src/worker/warmup.rs): while the landing view waits,
// a worker triages the bundled sample so V8 optimises the engine before a real trace
// arrives. It must finish on an idle page, be stopped by the first real request (never
// competing with it), stay off with `?cold`, and change no number of the report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, stop, page, pageKernelRows, fail, ROOT } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const FIXTURE = path.join(ROOT, 'tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz');
const warmup = (p) => p.evaluate(() => document.documentElement.getAttribute('data-warmup'));

async function triage(p) {
  await p.setInputFiles('#file', FIXTURE);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  return pageKernelRows(p);
}

test('an idle landing page warms up, and the report after it equals a cold page\'s', async () => {
  const p = await page(ctx);
  await p.waitForSelector('html[data-warmup="done"]', { state: 'attached', timeout: 60000 });
  assert.equal(await p.evaluate(() => document.documentElement.getAttribute('data-warmup-error')), null);
  const warm = await triage(p);
  // Still "done": the finished warm-up is not touched by the request.
  assert.equal(await warmup(p), 'done');

  const c = await page(ctx, { query: '?cold' });
  assert.equal(await warmup(c), null, '?cold starts no warm-up');
  const cold = await triage(c);
  assert.ok(cold.length > 0);
  assert.deepEqual(warm, cold, 'the same kernel rows with and without the warm-up');
  fail(p);
  fail(c);
});

test('a file chosen while the warm-up runs stops it and triages', async () => {
  const p = await page(ctx);
  // The landing view starts it as it mounts; four triages of the sample take most of a
  // second, so it is still running when the file is chosen right away.
  assert.equal(await warmup(p), 'running');
  const rows = await triage(p);
  assert.ok(rows.length > 0);
  assert.equal(await warmup(p), 'stopped');
  fail(p);
});

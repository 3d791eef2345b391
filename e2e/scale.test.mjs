// A trace too large for the tab (issue 23, item 3): the engine estimates the model from the
// first megabytes of JSON and, when it would not fit the worker's memory budget, stops
// early with a sentence and offers a time window that would; taking it loads only the
// window. Here the budget is made tiny with the page's `?memory=` (MiB) so that the 32.9 MB
// SGLang trace stands in for an 8 GiB one. (The 8 GiB run itself is in bench.test.mjs.)
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, stop, page, fail, needsCorpus, pageKernelRows, TRACES } from './helpers.mjs';

const TP0 = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz');
const { corpus } = needsCorpus(test, [TP0]);
let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

corpus('a trace over the memory budget is refused early with a time window offered; the window loads', async () => {
  const p = await page(ctx);
  await p.goto(`${ctx.base}?memory=4`);
  await p.waitForSelector('#drop');
  await p.setInputFiles('#file', TP0);
  await p.waitForSelector('#error', { timeout: 60000 });
  const message = await p.textContent('#error .tt-error-message');
  assert.match(message, /too large for this tab/);
  assert.match(message, /estimated from its first \d+ MB/);
  assert.match(message, /Load a time window instead: its first [\d.]+ s/);
  assert.ok(!message.includes('\u0001'), 'the offer marker is not shown');
  await p.click('#load-window');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  // The window's kernel table is not the whole trace's: only the window was kept.
  const whole = await page(ctx);
  await whole.setInputFiles('#file', TP0);
  await whole.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  const windowRows = await pageKernelRows(p);
  assert.ok(windowRows.length >= 1);
  assert.notDeepEqual(windowRows, await pageKernelRows(whole));
  fail(p);
  fail(whole);
});

// Open in Perfetto against a local stand-in of the Perfetto UI (another origin, served by a
// tiny server started here): the page opens the stand-in with the window in its route
// (`#!/?visStart=…&visEnd=…`), pings until it answers PONG (it answers only after a delay,
// so pinging must repeat), then posts the trace file's bytes with a title. The stand-in
// records what it got; the test compares the bytes (SHA-256) with the file on disk and
// the window with the one the button offered (a stage's busiest step, a step picked on the
// timeline, a kernel row's step).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS } from './helpers.mjs';

const LORA = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz');

// Answers PING with PONG once 600 ms have passed since it loaded; records the trace it is
// sent in `window.received`.
const STAND_IN = `<!doctype html><meta charset="utf-8"><title>Perfetto stand-in</title>
<p id="status">waiting</p>
<script>
const loaded = Date.now();
window.pings = 0;
window.received = null;
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
window.addEventListener('message', async (ev) => {
  if (ev.data === 'PING') {
    window.pings += 1;
    if (Date.now() - loaded > 600) ev.source.postMessage('PONG', ev.origin);
    return;
  }
  const p = ev.data && ev.data.perfetto;
  if (!p) return;
  const isArrayBuffer = p.buffer instanceof ArrayBuffer;
  const sha256 = hex(await crypto.subtle.digest('SHA-256', p.buffer));
  window.received = { byteLength: p.buffer.byteLength, sha256, isArrayBuffer, title: p.title,
    fileName: p.fileName, hash: location.hash, pings: window.pings, from: ev.origin };
  document.getElementById('status').textContent = 'received ' + p.buffer.byteLength + ' bytes';
});
</script>`;

let ctx;
let standIn;
let uiUrl;
before(async () => {
  ctx = await start();
  standIn = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(STAND_IN);
  });
  await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  uiUrl = `http://127.0.0.1:${standIn.address().port}/ui.html`;
});
after(async () => {
  await stop(ctx);
  standIn.close();
});

const SHA = crypto.createHash('sha256').update(fs.readFileSync(LORA)).digest('hex');

/** Clicks `selector` and returns what the stand-in received and the button's window. */
async function openFrom(p, selector) {
  const button = await p.waitForSelector(`${selector}:not([disabled])`, { timeout: 60000 });
  const offered = await button.getAttribute('data-window');
  const [popup] = await Promise.all([p.waitForEvent('popup'), button.click()]);
  await popup.waitForFunction(() => window.received, null, { timeout: 40000 });
  const received = await popup.evaluate(() => window.received);
  await popup.close();
  return { offered, received };
}

/** The `START-END` window of a stand-in's route. */
function routeWindow(hash) {
  const m = hash.match(/^#!\/\?visStart=(\d+)&visEnd=(\d+)$/);
  assert.ok(m, `the window is in the route: ${hash}`);
  return `${m[1]}-${m[2]}`;
}

function assertTrace(received, p) {
  assert.equal(received.byteLength, fs.statSync(LORA).size, 'the whole file');
  assert.equal(received.sha256, SHA, 'the exact bytes of the file');
  assert.ok(received.isArrayBuffer, 'an ArrayBuffer');
  assert.equal(received.fileName, path.basename(LORA));
  assert.ok(received.title.startsWith(path.basename(LORA)), received.title);
  assert.ok(received.pings >= 2, `pinged until the answer (${received.pings})`);
  assert.equal(received.from, new URL(p.url()).origin, 'posted by the page');
}

test('Open in Perfetto sends the exact trace bytes and the selected window', async () => {
  const p = await page(ctx);
  await p.goto(`${ctx.base}?perfetto=${encodeURIComponent(uiUrl)}`);
  await p.waitForSelector('#drop', { timeout: 60000 });
  await p.setInputFiles('#file', LORA);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });

  // The stage's busiest step.
  const busiest = await openFrom(p, '#perfetto-busiest');
  assertTrace(busiest.received, p);
  assert.equal(routeWindow(busiest.received.hash), busiest.offered);
  assert.match(busiest.received.title, /busiest step/);
  assert.match(await p.textContent('#perfetto-message'), /^Sent .* to the Perfetto UI/);

  // A step picked on the timeline: the window is that step's.
  const steps = await p.$$eval('#tl-step option', (o) => o.map((x) => x.value).filter((v) => v));
  assert.ok(steps.length >= 2, `steps listed (${steps.length})`);
  await p.selectOption('#tl-step', steps[1]);
  const step = await openFrom(p, '#tl-perfetto-step');
  assert.equal(step.offered, steps[1]);
  assert.equal(routeWindow(step.received.hash), steps[1]);
  assert.match(step.received.title, /step 2$/);
  assertTrace(step.received, p);

  // The first kernel row: the step of its longest launch, one of the timeline's steps.
  const row = await openFrom(p, '#kernels-0 tbody tr:first-child .tt-perfetto-row');
  assert.ok(steps.includes(row.offered), `${row.offered} is a step`);
  assert.equal(routeWindow(row.received.hash), row.offered);
  assert.match(row.received.title, /kernel /);
  assertTrace(row.received, p);
  await p.screenshot({ path: path.join(ARTIFACTS, 'perfetto-buttons.png') });
  fail(p);
});

test('a report from a shared link has no Open in Perfetto buttons', async () => {
  const p = await page(ctx);
  await p.setInputFiles('#file', LORA);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  assert.ok(await p.$('#perfetto-stage'), 'buttons beside a trace triaged here');
  await p.click('#share');
  await p.waitForSelector('#share-link');
  const link = await p.inputValue('#share-link');
  // A fresh tab opened on the link (not a fragment change of a loaded page).
  const q = await ctx.browser.newPage();
  q.problems = [];
  q.on('pageerror', (e) => q.problems.push(`pageerror: ${e.message}`));
  q.on('console', (m) => { if (m.type() === 'error') q.problems.push(`console: ${m.text()}`); });
  await q.goto(link);
  await q.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  assert.equal(await q.$('#perfetto-stage'), null);
  assert.equal(await q.$('.tt-perfetto-row'), null);
  fail(p);
  fail(q);
});

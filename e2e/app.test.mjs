// End-to-end tests of the browser app in headless Debian Chromium (playwright-core).
// Run by scripts/test.sh after `trunk build --release` and `cargo build --release -p cli`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, stop, page, cliKernelTables, pageKernelRows, fail, TRACES, ARTIFACTS, CLI } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const CORPUS = [
  'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz',
  'vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz',
  'kineto_resnet50_v100_legacy_schema.pt.trace.json.gz',
];

async function stageCount(p) {
  return p.$$eval('.tt-tab', (tabs) => tabs.length);
}

/** Every stage's kernel rows on the page equal the CLI's markdown rows (first six columns). */
async function assertSameAsCli(p, file) {
  const cli = cliKernelTables(file);
  const labels = Object.keys(cli);
  assert.equal(await stageCount(p), labels.length, 'one tab per stage');
  for (let i = 0; i < labels.length; i++) {
    await p.click(`.tt-tab >> nth=${i}`);
    await p.waitForSelector(`#kernels-${i}`);
    const rows = await pageKernelRows(p, i);
    const want = cli[labels[i]].map((r) => r.slice(0, 6));
    assert.deepEqual(rows.map((r) => r.slice(0, 6)), want, `${path.basename(file)} ${labels[i]}: kernel rows`);
    // Locations and CPU ops too.
    assert.deepEqual(rows.map((r) => r.slice(6, 8)), cli[labels[i]].map((r) => r.slice(6, 8)), 'sites');
  }
}

test('the sample opens in one click and renders a full report', async () => {
  const p = await page(ctx);
  await p.screenshot({ path: path.join(ARTIFACTS, 'landing.png') });
  await p.click('#sample');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 30000 });
  const header = await p.textContent('#header');
  assert.match(header, /vLLM/);
  assert.match(header, /NVIDIA B200/);
  assert.ok((await pageKernelRows(p)).length >= 10);
  await p.screenshot({ path: path.join(ARTIFACTS, 'sample-report.png'), fullPage: true });
  fail(p);
});

for (const name of CORPUS) {
  test(`file input: ${name} matches the CLI`, async () => {
    const p = await page(ctx);
    const file = path.join(TRACES, name);
    await p.setInputFiles('#file', file);
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
    await assertSameAsCli(p, file);
    await p.screenshot({ path: path.join(ARTIFACTS, `report-${name.split('.')[0]}.png`), fullPage: false });
    fail(p);
  });
}

test('drag and drop a trace', async () => {
  const p = await page(ctx);
  const name = 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz';
  const dt = await p.evaluateHandle(async (url) => {
    const bytes = await (await fetch(url)).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], url.split('/').pop()));
    return dt;
  }, `${ctx.base}traces/${name}`);
  await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 30000 });
  await assertSameAsCli(p, path.join(TRACES, name));
  fail(p);
});

test('sorting, filtering and folded names', async () => {
  const p = await page(ctx);
  await p.setInputFiles('#file', path.join(TRACES, CORPUS[0]));
  await p.waitForSelector('#kernels-0 tbody tr');
  const before = await pageKernelRows(p);
  // Sort by launches (5th column) ascending then descending.
  await p.click('#kernels-0 th >> nth=4');
  const sorted = (await pageKernelRows(p)).map((r) => Number(r[4].replace(/,/g, '')));
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'numeric column sorts descending first');
  await p.fill('#filter', 'moe');
  const filtered = await pageKernelRows(p);
  assert.ok(filtered.length > 0 && filtered.length < before.length);
  assert.ok(filtered.every((r) => r.join(' ').toLowerCase().includes('moe')));
  // Long names are folded with the full name on hover.
  await p.fill('#filter', '');
  const folded = await p.$$eval('#kernels-0 .tt-name', (els) => els.filter((e) => e.textContent.endsWith('…')).map((e) => e.getAttribute('title')));
  assert.ok(folded.length > 0 && folded.every((t) => t.length > 90));
  fail(p);
});

test('share link renders the same numbers without the trace', async () => {
  const p = await page(ctx);
  await p.setInputFiles('#file', path.join(TRACES, CORPUS[1]));
  await p.waitForSelector('#kernels-0 tbody tr');
  const rows = await pageKernelRows(p);
  await p.click('#share');
  await p.waitForSelector('#share-link');
  const link = await p.inputValue('#share-link');
  assert.ok(link.includes('#r1.'), link);
  assert.ok(link.length < 8 * 1024, `link is ${link.length} bytes`);
  const q = await ctx.browser.newPage();
  q.problems = [];
  q.on('pageerror', (e) => q.problems.push(e.message));
  await q.goto(link);
  await q.waitForSelector('#kernels-0 tbody tr');
  assert.match(await q.textContent('#origin'), /shared link/);
  assert.deepEqual((await pageKernelRows(q)).map((r) => r.slice(0, 6)), rows.map((r) => r.slice(0, 6)));
  await q.screenshot({ path: path.join(ARTIFACTS, 'shared-link.png') });
  fail(q);
  // A malformed link shows a clear error.
  const bad = await ctx.browser.newPage();
  await bad.goto(`${ctx.base}#r1.not-a-report`);
  await bad.waitForSelector('#error');
  assert.match(await bad.textContent('#error'), /damaged|does not hold/);
  fail(p);
});

test('a kernel named like HTML renders as text, from a file and from a link', async () => {
  const p = await page(ctx);
  const evil = '<img src=x onerror=alert(1)>';
  const trace = JSON.stringify({ traceEvents: [
    { ph: 'X', cat: 'cuda_runtime', name: 'cudaLaunchKernel', pid: 1, tid: 1, ts: 1, dur: 1, args: { correlation: 1 } },
    { ph: 'X', cat: 'kernel', name: evil, pid: 0, tid: 7, ts: 2, dur: 5, args: { correlation: 1, stream: 7 } },
  ] });
  await p.setInputFiles('#file', { name: 'evil.trace.json', mimeType: 'application/json', buffer: Buffer.from(trace) });
  await p.waitForSelector('#kernels-0 tbody tr');
  assert.equal((await pageKernelRows(p))[0][0], evil);
  assert.equal(await p.$$eval('#report img', (els) => els.length), 0, 'no element was injected');
  await p.click('#share');
  await p.waitForSelector('#share-link');
  const q = await ctx.browser.newPage();
  q.problems = [];
  q.on('dialog', async (d) => { q.problems.push(d.message()); await d.dismiss(); });
  await q.goto(await p.inputValue('#share-link'));
  await q.waitForSelector('#kernels-0 tbody tr');
  assert.equal((await pageKernelRows(q))[0][0], evil);
  assert.equal(await q.$$eval('#report img', (els) => els.length), 0);
  assert.deepEqual(q.problems, []);
  fail(p);
});

test('bad inputs show an error message, never a blank page', async () => {
  const cases = [
    ['empty.trace.json', Buffer.alloc(0), /empty/],
    ['random.trace.json.gz', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), /not a trace|gzip/],
    ['page.json', Buffer.from('<!DOCTYPE html><html><body>404</body></html>'), /HTML page/],
  ];
  for (const [name, buffer, pattern] of cases) {
    const p = await page(ctx);
    await p.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer });
    await p.waitForSelector('#error', { timeout: 20000 });
    assert.match(await p.textContent('#error'), pattern, name);
    assert.ok(await p.isVisible('#drop'), 'the drop zone stays usable');
    await p.screenshot({ path: path.join(ARTIFACTS, `error-${name}.png`) });
    fail(p);
  }
});

test('exports: markdown equals the CLI, JSON parses', async () => {
  const p = await page(ctx);
  const ctxPerm = p.context();
  await ctxPerm.grantPermissions(['clipboard-read', 'clipboard-write']);
  const file = path.join(TRACES, CORPUS[0]);
  await p.setInputFiles('#file', file);
  await p.waitForSelector('#kernels-0 tbody tr');
  await p.click('#copy-md');
  await p.waitForFunction(() => document.querySelector('#message').textContent.includes('copied'));
  const md = await p.evaluate(() => navigator.clipboard.readText());
  const { execFileSync } = await import('node:child_process');
  const cli = execFileSync(CLI, ['triage', file], { encoding: 'utf8' });
  // The input path differs (the page knows only the file name); everything else is equal.
  const strip = (s) => s.split('\n').filter((l) => !l.startsWith('Input traces:')).join('\n');
  assert.equal(strip(md), strip(cli));
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('#download-json')]);
  const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(json.schema, 'tracetriage.report');
  fail(p);
});

test('damaged and multi-member gzip files read exactly as the CLI reads them', async () => {
  // The page inflates gzip with the browser's DecompressionStream beside the engine and
  // falls back to the engine's own inflater when that stream is not a single clean
  // member; either way the report (diagnostics included) must equal the CLI's.
  const zlib = await import('node:zlib');
  const { execFileSync } = await import('node:child_process');
  const text = zlib.gunzipSync(fs.readFileSync(path.join(TRACES, CORPUS[0])));
  const half = Math.floor(text.length / 2);
  const whole = zlib.gzipSync(text);
  const files = {
    'cut.trace.json.gz': whole.subarray(0, Math.floor(whole.length * 0.6)),
    'two-members.trace.json.gz': Buffer.concat([zlib.gzipSync(text.subarray(0, half)), zlib.gzipSync(text.subarray(half))]),
    'trailing.trace.json.gz': Buffer.concat([whole, Buffer.from('not gzip at all, just junk after the stream')]),
    'clean.trace.json.gz': whole,
  };
  const dir = fs.mkdtempSync(path.join(ARTIFACTS, 'gzip-'));
  const p = await page(ctx);
  await p.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const strip = (s) => s.split('\n').filter((l) => !l.startsWith('Input traces:')).join('\n');
  for (const [name, bytes] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    if (name !== 'cut.trace.json.gz') await p.goto(ctx.base); // a fresh page: no earlier 'copied'
    await p.waitForSelector('#drop');
    await p.setInputFiles('#file', file);
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
    await p.click('#copy-md');
    await p.waitForFunction(() => document.querySelector('#message').textContent.includes('copied'));
    const md = await p.evaluate(() => navigator.clipboard.readText());
    const cli = execFileSync(CLI, ['triage', file], { encoding: 'utf8' });
    assert.equal(strip(md), strip(cli), name);
    if (name !== 'clean.trace.json.gz') assert.match(cli, /truncat|trailing|gzip|cut/i, `${name}: the CLI names the damage`);
  }
  fail(p);
});

test('opening the next trace while the last view still waits for answers never breaks the page', async () => {
  // The report view asks the worker for its timeline; "New trace" right away disposes the
  // view before that answer arrives. The late answer must be dropped, not panic the page.
  const p = await page(ctx);
  const file = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz');
  for (let i = 0; i < 6; i++) {
    await p.setInputFiles('#file', file);
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
    await p.click('#new-trace');
    await p.waitForSelector('#drop');
  }
  fail(p);
});

test('a dropped folder is walked like the CLI discovery: its ranks open the all-ranks view', async () => {
  const dir = fs.mkdtempSync(path.join(ARTIFACTS, 'capture-'));
  for (const r of [0, 1]) {
    const name = `sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-${r}.trace.json.gz`;
    // Copies: a directory upload does not follow symlinks.
    fs.copyFileSync(path.join(TRACES, name), path.join(dir, name));
  }
  fs.writeFileSync(path.join(dir, 'notes.json'), '{"not": "a trace"}');
  fs.writeFileSync(path.join(dir, 'server_args.json'), '{"model_path": "Qwen/Qwen3-30B-A3B-Instruct-2507", "tp_size": 4}');
  const p = await page(ctx);
  await p.setInputFiles('#folder', dir);
  // Two ranks: the all-ranks view (as `tracetriage triage --all-ranks DIR`); notes.json is
  // not a trace and server_args.json gives the model.
  await p.waitForSelector('#skew-0 tbody tr', { timeout: 60000 });
  const header = await p.textContent('#ranks-header');
  assert.match(header, /2 \(0, 1\) of world size 4/);
  assert.match(header, /TP-0\.trace\.json\.gz/);
  assert.match(header, /TP-1\.trace\.json\.gz/);
  assert.doesNotMatch(header, /notes\.json/);
  assert.match(header, /Qwen\/Qwen3-30B-A3B-Instruct-2507/, 'server_args.json from the folder');
  assert.equal(await p.$$eval('[id^="skew-"]', (t) => t.length), 2, 'extend/prefill and decode');
  fs.rmSync(dir, { recursive: true, force: true });
  fail(p);
});

// Hostile and damaged input on the page (issue 27): a crafted oversized report link is
// refused at once with a sentence about the report link; a second link pasted into an open
// tab replaces the report; long tables are drawn in steps; a cut trace says so at the top;
// a dashboard site works from a subfolder of a static host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from './server.mjs';
import { start, stop, page, fail, needsCorpus, TRACES, ROOT, CLI } from './helpers.mjs';

const SMALL = 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz';
const VLLM = 'vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

/** The CLI's report JSON of a file. */
function reportOf(file) {
  return JSON.parse(execFileSync(CLI, ['triage', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 256 << 20 }));
}

/** A `#r1.` link of a report document (what the app's encoder makes, without its shrinking). */
function linkOf(report) {
  return 'r1.' + zlib.deflateRawSync(Buffer.from(JSON.stringify(report))).toString('base64url');
}

/** The report with its first stage's kernel rows repeated to `n` (names numbered). */
function withRows(report, n) {
  const r = structuredClone(report);
  const rows = r.stages[0].kernels.rows;
  r.stages[0].kernels.rows = Array.from({ length: n }, (_, i) => ({ ...rows[i % rows.length], name: `k${i}_${rows[i % rows.length].name}` }));
  return r;
}

test('an oversized crafted report link is refused quickly, as a report link', async (t) => {
  needsCorpus(t, [SMALL].map((n) => path.join(TRACES, n)));
  const base = reportOf(path.join(TRACES, SMALL));
  for (const rows of [21000, 2500]) {
    const p = await page(ctx);
    const link = linkOf(withRows(base, rows));
    const started = Date.now();
    await p.goto(`${ctx.base}#${link}`);
    await p.waitForSelector('#error', { timeout: 10000 });
    const took = Date.now() - started;
    const text = await p.textContent('#error');
    assert.match(text, /Could not open this report link/, text);
    assert.match(text, /larger than tracetriage makes them/, text);
    assert.doesNotMatch(text, /this trace/, text);
    assert.ok(took < 5000, `refused in ${took} ms (${link.length} bytes, ${rows} rows)`);
    assert.equal(await p.locator('#kernels-0').count(), 0);
    fail(p);
    await p.close();
  }
});

test('a second link pasted into an open tab replaces the report', async (t) => {
  needsCorpus(t, [SMALL, VLLM].map((n) => path.join(TRACES, n)));
  const p = await page(ctx);
  await p.goto(`${ctx.base}#${linkOf(reportOf(path.join(TRACES, SMALL)))}`);
  await p.waitForSelector('#kernels-0 tbody tr');
  assert.match(await p.textContent('#header'), /sglang_mi300x/);
  const second = linkOf(reportOf(path.join(TRACES, VLLM)));
  await p.evaluate((h) => { location.hash = h; }, second);
  await p.waitForFunction(() => /vllm_b200/.test(document.querySelector('#header')?.textContent || ''), null, { timeout: 10000 });
  assert.doesNotMatch(await p.textContent('#header'), /sglang_mi300x/);
  // A damaged third link replaces it with the link's error.
  await p.evaluate(() => { location.hash = '#r1.AAAA'; });
  await p.waitForSelector('#error');
  assert.match(await p.textContent('#error'), /Could not open this report link/);
  fail(p);
});

test('a long table is drawn in steps', async (t) => {
  needsCorpus(t, [SMALL].map((n) => path.join(TRACES, n)));
  const p = await page(ctx);
  const r = withRows(reportOf(path.join(TRACES, SMALL)), 450);
  r.min_share_pct = 0;
  await p.goto(`${ctx.base}#${linkOf(r)}`);
  await p.waitForSelector('#kernels-0 tbody tr');
  const count = () => p.locator('#kernels-0 tbody tr').count();
  assert.equal(await count(), 200);
  const more = p.locator('#kernels-0 ~ .tt-more-rows, .tt-table-wrap:has(#kernels-0) .tt-more-rows');
  await more.first().click();
  assert.equal(await count(), 400);
  await more.first().click();
  assert.equal(await count(), 450);
  assert.equal(await more.count(), 0);
  fail(p);
});

test('a cut trace says so at the top of the report', async (t) => {
  needsCorpus(t, [VLLM].map((n) => path.join(TRACES, n)));
  const text = zlib.gunzipSync(fs.readFileSync(path.join(TRACES, VLLM)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-cut-'));
  const cut = path.join(dir, 'cut.trace.json');
  fs.writeFileSync(cut, text.subarray(0, Math.floor(text.length / 2)));
  const p = await page(ctx);
  await p.setInputFiles('#file', cut);
  await p.waitForSelector('#truncated', { timeout: 60000 });
  const banner = await p.textContent('#truncated');
  assert.match(banner, /^This trace ends early at byte [\d,]+: the GPU events after it are missing\.$/);
  // Above everything else of the report.
  const first = await p.$eval('#report', (r) => r.firstElementChild.id);
  assert.equal(first, 'truncated');
  fs.rmSync(dir, { recursive: true });
  fail(p);
});

test('a dashboard site works from a subfolder', async (t) => {
  needsCorpus(t, [SMALL].map((n) => path.join(TRACES, n)));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-sub-'));
  const site = path.join(root, 'team', 'runs');
  execFileSync(CLI, ['dashboard', path.join(TRACES, SMALL), '-o', site, '--app', path.join(ROOT, 'dist')], { stdio: 'pipe' });
  const html = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(href|src)="\/[^/]/, 'no absolute asset URL');
  const server = await serve(root, TRACES);
  const notFound = [];
  const p = await ctx.browser.newPage();
  p.problems = [];
  p.on('pageerror', (e) => p.problems.push(`pageerror: ${e.message}`));
  p.on('response', (r) => { if (r.status() === 404) notFound.push(r.url()); });
  await p.goto(`http://127.0.0.1:${server.address().port}/team/runs/`);
  await p.waitForSelector('#dash-runs tbody tr[data-id]', { timeout: 60000 });
  assert.deepEqual(notFound, []);
  fail(p);
  server.close();
  fs.rmSync(root, { recursive: true });
});

/** Gzip of `{"traceEvents": [` + `mib` MiB of spaces around `middle` + `]}`, streamed. */
async function gzipOfSpaces(mib, middle) {
  const gz = zlib.createGzip({ level: 6 });
  const out = [];
  gz.on('data', (c) => out.push(c));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const spaces = Buffer.alloc(1 << 20, 0x20);
  const put = async (b) => { if (!gz.write(b)) await new Promise((r) => gz.once('drain', r)); };
  await put(Buffer.from('{"traceEvents": ['));
  for (let i = 0; i < mib / 2; i++) await put(spaces);
  await put(Buffer.from(middle));
  for (let i = 0; i < mib / 2; i++) await put(spaces);
  gz.end(']}');
  await done;
  return Buffer.concat(out);
}

test('a small gzip of a trace padded with 512 MiB of whitespace loads in little engine memory', async () => {
  // Item 1 of issue 27: the loader kept the whitespace it had not parsed yet, so a 2 GB
  // run of spaces (a 2 MB .gz) killed the engine in the tab. Whitespace is consumed as it
  // streams now: the engine's memory follows the one event kept, not the input.
  const kernel = '{"ph":"X","cat":"kernel","name":"padded_gemm","pid":0,"tid":7,"ts":50,"dur":5,"args":{"device":0,"stream":7,"correlation":1}}';
  const buffer = await gzipOfSpaces(512, kernel);
  assert.ok(buffer.length < 4 << 20, `${buffer.length} bytes of gzip`);
  const p = await page(ctx);
  await p.setInputFiles('#file', { name: 'spaces.trace.json.gz', mimeType: 'application/gzip', buffer });
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  assert.match(await p.textContent('#kernels-0 tbody tr'), /padded_gemm/);
  const origin = await p.textContent('#origin');
  const m = origin.match(/of JSON.*engine memory ([\d.]+) (MB|GB)/);
  assert.ok(m, origin);
  const memory = Number(m[1]) * (m[2] === 'GB' ? 1e9 : 1e6);
  assert.ok(memory < 128 * 1048576, `engine memory ${origin} for 512 MiB of whitespace`);
  fail(p);
});

// Traces opened by URL (issue 22, items 3 and 4): `#src=` and the landing page's URL field
// fetch a trace from another origin (with CORS, streamed with progress and Cancel) into the
// same reader as a dropped file; failures say what happened; the tab and the filter live in
// the fragment (reload, Back); the title names the trace and the stage; every state keeps
// the one header. The trace servers are started here, on their own ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { start, stop, page, cliKernelTables, pageKernelRows, fail, TRACES } from './helpers.mjs';

const VLLM = 'vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz';
const SMALL = 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz';
const TP0 = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz';
const TP1 = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz';

/** A trace server: the corpus under /, an HTML page at /page.html, and /slow/<name>, which
 * trickles the file's bytes (1 KiB every 100 ms). `cors` adds the header that lets another
 * origin read the answers. `closed` counts slow downloads the client broke off. */
function traceServer({ cors }) {
  const state = { closed: 0, requests: [] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    state.requests.push(url.pathname);
    const headers = cors ? { 'access-control-allow-origin': '*' } : {};
    if (url.pathname === '/page.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      res.end('<!doctype html><title>Not a trace</title><p>Hello</p>');
      return;
    }
    const slow = url.pathname.startsWith('/slow/');
    // `/enc/<name>`: the .gz bytes sent with `Content-Encoding: gzip` (the browser inflates).
    const enc = url.pathname.startsWith('/enc/');
    const name = decodeURIComponent(url.pathname.slice(slow ? 6 : enc ? 5 : 1));
    const file = path.join(TRACES, path.basename(name));
    if (!name || !fs.existsSync(file)) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('no such trace');
      return;
    }
    const data = fs.readFileSync(file);
    const type = enc ? { 'content-type': 'application/json', 'content-encoding': 'gzip' } : { 'content-type': 'application/gzip' };
    res.writeHead(200, { ...headers, ...type, 'content-length': data.length });
    if (!slow) {
      res.end(data);
      return;
    }
    let at = 0;
    const timer = setInterval(() => {
      if (at >= data.length) { clearInterval(timer); res.end(); return; }
      res.write(data.subarray(at, at + 1024));
      at += 1024;
    }, 100);
    res.on('close', () => {
      clearInterval(timer);
      if (at < data.length) state.closed += 1;
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, state, base: `http://127.0.0.1:${server.address().port}/` });
  }));
}

let ctx;
let open;
let closed;
before(async () => {
  ctx = await start();
  open = await traceServer({ cors: true });
  closed = await traceServer({ cors: false });
});
after(async () => {
  open.server.close();
  closed.server.close();
  await stop(ctx);
});

/** A page opened at `fragment`, recording whether the download progress was shown. */
async function at(fragment, { wait = true } = {}) {
  const p = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  p.problems = [];
  p.on('console', (m) => { if (m.type() === 'error') p.problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => p.problems.push(`pageerror: ${e.message}`));
  await p.addInitScript(() => {
    window.sawDownload = false;
    new MutationObserver(() => {
      const phase = document.querySelector('#progress .tt-progress-phase');
      if (phase && phase.textContent.startsWith('Downloading')) window.sawDownload = true;
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await p.goto(`${ctx.base}#${fragment}`);
  if (wait) await p.waitForSelector('#kernels-0 tbody tr, #error, #skew-0 tbody tr', { timeout: 120000 });
  return p;
}

const src = (url) => `src=${encodeURIComponent(url)}`;

/** Drops the browser's own console lines about `url` that a test expects (a refused or
 * failed request logs them whatever the page does). */
function expectBrowserErrors(p, patterns) {
  p.problems = p.problems.filter((m) => !patterns.some((re) => re.test(m)));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function oneHeader(p) {
  assert.equal(await p.locator('header.tt-top').count(), 1, 'one page header');
}

test('#src= with CORS opens the report: the same kernel tables as the CLI, progress shown', async () => {
  const url = `${open.base}${VLLM}`;
  const p = await at(src(url));
  assert.equal(await p.locator('#error').count(), 0, 'no error');
  assert.ok(await p.evaluate(() => window.sawDownload), 'the download progress was shown');
  const cli = cliKernelTables(path.join(TRACES, VLLM));
  const labels = Object.keys(cli);
  assert.equal(await p.locator('.tt-tab').count(), labels.length);
  for (let i = 0; i < labels.length; i++) {
    await p.click(`.tt-tab >> nth=${i}`);
    await p.waitForSelector(`#kernels-${i}`);
    const rows = await pageKernelRows(p, i);
    assert.deepEqual(rows.map((r) => r.slice(0, 8)), cli[labels[i]].map((r) => r.slice(0, 8)), labels[i]);
  }
  assert.match(await p.textContent('#origin'), /Triaged in this tab/);
  // The fragment still names the trace: a reload opens it again.
  const hash = await p.evaluate(() => decodeURIComponent(location.hash));
  assert.ok(hash.includes(`src=${url}`), hash);
  await oneHeader(p);
  fail(p);
});

test('a trace sent with Content-Encoding: gzip reads as the same trace', async () => {
  const p = await at(src(`${open.base}enc/${SMALL}`));
  assert.equal(await p.locator('#error').count(), 0, `no error: ${await p.locator('#error').allTextContents()}`);
  const cli = cliKernelTables(path.join(TRACES, SMALL));
  const rows = await pageKernelRows(p, 0);
  assert.deepEqual(rows.map((r) => r.slice(0, 8)), Object.values(cli)[0].map((r) => r.slice(0, 8)));
  fail(p);
});

test('a trace of a server without CORS: the error names CORS', async () => {
  const url = `${closed.base}${SMALL}`;
  const p = await at(src(url));
  const message = await p.textContent('#error');
  assert.match(message, /no CORS header/);
  assert.ok(message.includes(url), message);
  assert.equal(await p.title(), 'Error — tracetriage');
  await oneHeader(p);
  assert.equal(await p.locator('#drop').count(), 1, 'the landing view is offered below');
  expectBrowserErrors(p, [
    new RegExp(`^console: Access to fetch at '${escape(url)}' from origin '${escape(ctx.base.slice(0, -1))}' has been blocked by CORS policy`),
    /^console: Failed to load resource: net::ERR_FAILED$/,
  ]);
  fail(p);
});

test('a 404 says so; a page that is not a trace says so, naming the file', async () => {
  const missing = `${open.base}missing-TP-0.trace.json.gz`;
  const p = await at(src(missing));
  const message = await p.textContent('#error');
  assert.match(message, /HTTP 404 Not Found/);
  assert.ok(message.includes(missing), message);
  expectBrowserErrors(p, [/^console: Failed to load resource: the server responded with a status of 404 \(Not Found\)$/]);
  fail(p);

  const f = await at(src('file:///etc/hostname'));
  assert.match(await f.textContent('#error'), /only http:\/\/ and https:\/\/ addresses can be opened, not file:/);
  fail(f);

  const q = await at(src(`${open.base}page.html`));
  const text = await q.textContent('#error');
  assert.match(text, /page\.html/, text);
  assert.match(text, /not a (Kineto |PyTorch |)trace|traceEvents|JSON/i, text);
  fail(q);
});

test('two src= of one capture open the all-ranks view', async () => {
  const p = await at(`${src(`${open.base}${TP0}`)}&${src(`${open.base}${TP1}`)}`);
  await p.waitForSelector('#skew-0 tbody tr', { timeout: 120000 });
  assert.equal(await p.locator('#error').count(), 0);
  assert.match(await p.title(), /^2 ranks of .*TP-0.*— tracetriage$/);
  await oneHeader(p);
  fail(p);
});

test('Cancel during a slow download returns to the landing view and stops the download', async () => {
  const p = await at(src(`${open.base}slow/${SMALL}`), { wait: false });
  await p.waitForSelector('#progress');
  await p.waitForFunction(() => /downloaded/.test(document.querySelector('#progress-detail')?.textContent ?? ''));
  assert.match(await p.textContent('#progress .tt-progress-phase'), new RegExp(`Downloading ${escape(SMALL)}`));
  assert.match(await p.title(), /^Downloading .*… — tracetriage$/);
  await oneHeader(p);
  await p.click('#cancel');
  await p.waitForSelector('#drop');
  assert.equal(await p.locator('#progress').count(), 0);
  assert.equal(await p.locator('#error').count(), 0, 'a cancel is not an error');
  assert.equal(await p.title(), 'tracetriage');
  for (let i = 0; i < 50 && open.state.closed === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(open.state.closed, 1, 'the server saw the download broken off');
  fail(p);
});

test('the tab and the filter live in the URL: reload keeps them, Back returns to the tab before', async () => {
  const url = `${open.base}${TP0}`;
  const p = await at(src(url));
  const tabs = await p.$$eval('.tt-tab .tt-tab-label', (t) => t.map((x) => x.textContent));
  assert.ok(tabs.length >= 2, `${tabs}`);
  assert.equal(await p.title(), `${tabs[0]} · ${TP0} — tracetriage`);
  await p.click('.tt-tab >> nth=1');
  await p.waitForSelector('#kernels-1 tbody tr');
  // A word of the stage's first kernel as the filter.
  const word = (await pageKernelRows(p, 1))[0][0].match(/[A-Za-z_]{4,}/)[0];
  await p.fill('#filter', word);
  await p.waitForFunction((w) => location.hash.includes(`q=${w}`), word);
  assert.equal(await p.title(), `${tabs[1]} · ${TP0} — tracetriage`);
  const hash = await p.evaluate(() => location.hash);
  assert.ok(hash.includes(`tab=${encodeURIComponent(tabs[1]).replace(/%2F/g, '/')}`), hash);
  await p.reload();
  await p.waitForSelector('#kernels-1 tbody tr', { timeout: 120000 });
  assert.equal(await p.inputValue('#filter'), word);
  assert.match(await p.textContent('.tt-tab-on'), new RegExp(escape(tabs[1])));
  const rows = await pageKernelRows(p, 1);
  assert.ok(rows.length > 0 && rows.every((r) => r.join(' ').toLowerCase().includes(word.toLowerCase())), `the filter applies: ${JSON.stringify(rows).slice(0, 600)}`);
  await p.goBack();
  await p.waitForSelector('#kernels-0');
  assert.match(await p.textContent('.tt-tab-on'), new RegExp(escape(tabs[0])));
  assert.equal(await p.title(), `${tabs[0]} · ${TP0} — tracetriage`);
  fail(p);
});

test('the landing page\'s field opens a URL; a shared link keeps the tab after a reload', async () => {
  const p = await page(ctx);
  assert.equal(await p.title(), 'tracetriage');
  await oneHeader(p);
  await p.fill('#url', `${open.base}${SMALL}`);
  await p.click('#open-url');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  assert.ok((await pageKernelRows(p)).length > 0);
  assert.ok(await p.evaluate(() => location.hash.startsWith('#src=')));
  await p.fill('#filter', 'gemm');
  await p.click('#share');
  await p.waitForFunction(() => location.hash.startsWith('#r1.'));
  const hash = await p.evaluate(() => location.hash);
  assert.ok(hash.endsWith('&q=gemm'), hash.slice(-40));
  await p.reload();
  await p.waitForSelector('#kernels-0');
  assert.match(await p.textContent('#origin'), /shared link/);
  assert.equal(await p.inputValue('#filter'), 'gemm');
  await oneHeader(p);
  fail(p);
});

// The roofline section of a stage in headless Chromium, against the release CLI: a dropped
// H100 trace shows the same roofline coverage line as `tracetriage triage --roofline`, a
// chart with one point per kernel row with figures (rows with FLOPs on the log-log chart,
// pure copies in the bandwidth panel beside it), hover facts that equal the CLI's cells and
// JSON figures, a click that filters the kernel table to the kernel, and the kernel
// table's roofline columns equal to the CLI's `--roofline` markdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, pageKernelRows, fail, TRACES, ARTIFACTS, CLI, needsCorpus, unescapeMd } from './helpers.mjs';

const NAME = 'hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz';
const FILE = path.join(TRACES, NAME);

// Skipped when the corpus is absent, unless it is required.
const { present, corpus } = needsCorpus(test, [FILE]);

let ctx;
before(async () => { if (present) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

// The page triages with the CLI's default share cutoff (1%, `MIN_SHARE_PCT` in src/state.rs).
const MIN_SHARE = '1';

function cli(args) {
  return execFileSync(CLI, ['triage', FILE, '--min-share', MIN_SHARE, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The `--roofline` markdown: the first stage's roofline line and kernel rows (cells). */
function cliRoofline() {
  const lines = unescapeMd(cli(['--roofline'])).split('\n');
  const coverage = lines.find((l) => l.startsWith('Roofline: '));
  const rows = [];
  let stages = 0;
  let inKernels = false;
  for (const line of lines) {
    if (line === 'Kernel Table') { inKernels = true; continue; }
    if (line === 'Overlap Opportunity Table') break;
    if (!inKernels) continue;
    if (line.startsWith('##### ')) { stages += 1; continue; }
    if (stages <= 1 && line.startsWith('| ') && !line.startsWith('| Kernel') && !line.startsWith('| ---')) {
      // Trimmed as the page's cells are read (`format::si` leaves a space after a small
      // number without prefix or unit: `0 `).
      rows.push(line.slice(2, -2).split(' | ').map((c) => c.trim()));
    }
  }
  return { coverage, rows };
}

/** Drops the trace on the landing page's drop zone. */
async function drop(p) {
  const dt = await p.evaluateHandle(async (url) => {
    const bytes = await (await fetch(url)).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], url.split('/').pop()));
    return dt;
  }, `${ctx.base}traces/${NAME}`);
  await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  await p.waitForSelector('#roofline-chart svg circle', { timeout: 10000 });
}

/** The drawn points: centre (viewport px) and SVG centre of each filled circle. */
async function points(p) {
  await p.$eval('#roofline', (e) => e.scrollIntoView());
  return p.$$eval('#roofline-chart svg circle', (cs) => cs
    .filter((c) => c.getAttribute('fill') !== 'none')
    .map((c) => {
      const b = c.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2, cx: Number(c.getAttribute('cx')), cy: Number(c.getAttribute('cy')), r: Number(c.getAttribute('r')) };
    }));
}

/** Hovers (x, y) and returns the tip: { name, facts: { label: text } }. */
async function hover(p, x, y) {
  await p.mouse.move(1, 1);
  await p.waitForSelector('#roofline-tip', { state: 'detached', timeout: 5000 });
  await p.mouse.move(x, y);
  await p.waitForSelector('#roofline-tip-name', { timeout: 5000 });
  return p.evaluate(() => ({
    name: document.querySelector('#roofline-tip-name').textContent,
    facts: Object.fromEntries([...document.querySelectorAll('#roofline-facts dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  }));
}

/** `text` is `value` written with three significant digits (or as a percentage). */
function near(text, value, what) {
  const shown = Number.parseFloat(text);
  assert.ok(Number.isFinite(shown), `${what}: ${text}`);
  const tolerance = Math.max(Math.abs(value) * 0.006, 0.0006);
  assert.ok(Math.abs(shown - value) <= tolerance, `${what}: ${text} for ${value}`);
}

corpus('roofline: coverage line, one point per row with figures, hover facts, click to filter, table columns', async () => {
  const json = JSON.parse(cli(['--format', 'json']));
  const md = cliRoofline();
  const rows = json.stages[0].kernels.rows;
  const withFlops = rows.filter((r) => r.achieved_tflops !== null);
  const copies = rows.filter((r) => r.achieved_tflops === null && r.flops === 0 && r.achieved_tbps > 0);
  assert.ok(withFlops.length >= 5, 'the trace has rows with figures');
  const byName = new Map(rows.map((r, i) => [r.name, { row: r, cells: md.rows[i] }]));

  const p = await page(ctx);
  await drop(p);

  // The coverage line, word for word.
  assert.ok(md.coverage, 'the CLI writes a roofline line');
  assert.equal(await p.textContent('#roofline-coverage'), md.coverage);

  // One point per row with FLOPs, plus one per pure copy in the bandwidth panel.
  const drawn = await points(p);
  assert.equal(drawn.length, withFlops.length + copies.length, 'one point per kernel row with figures');

  // Hover every point: each shows a row with figures, with the CLI's cells and JSON figures.
  const seen = new Map();
  for (const pt of drawn) {
    const tip = await hover(p, pt.x, pt.y);
    const want = byName.get(tip.name);
    assert.ok(want, `the hovered kernel is a row of the stage: ${tip.name}`);
    const { row, cells } = want;
    assert.equal(tip.facts.Category, row.category);
    assert.equal(tip.facts.Bound, row.bound);
    assert.equal(tip.facts['FLOP/B'], cells[10]);
    assert.equal(tip.facts['TFLOP/s'], cells[11]);
    assert.equal(tip.facts['TB/s'], cells[12]);
    assert.equal(tip.facts.Roof, cells[13]);
    assert.equal(tip.facts.Bound, cells[14]);
    near(tip.facts['TB/s'], row.achieved_tbps, 'TB/s');
    near(tip.facts.Roof, row.roof_fraction * 100, 'roof %');
    if (row.headroom_ns === null) assert.equal(tip.facts.Headroom, '-');
    else {
      assert.match(tip.facts.Headroom, /^\d+\.\d\d ms$/);
      assert.ok(Math.abs(Number.parseFloat(tip.facts.Headroom) - row.headroom_ns / 1e6) <= 0.0051, `headroom ${tip.facts.Headroom}`);
    }
    if (row.achieved_tflops === null) {
      assert.ok(copies.includes(row), `a point without TFLOP/s is a copy: ${row.name}`);
      assert.equal(tip.facts['TFLOP/s'], '-');
    } else {
      near(tip.facts['TFLOP/s'], row.achieved_tflops, 'TFLOP/s');
      near(tip.facts['FLOP/B'], row.intensity, 'FLOP/B');
    }
    seen.set(`${pt.cx},${pt.cy}`, tip.name);
  }
  // Points whose centres are apart (not within 2 px of another's) each name a different row.
  const apart = drawn.filter((a) => drawn.every((b) => a === b || Math.hypot(a.cx - b.cx, a.cy - b.cy) > 2));
  const names = apart.map((a) => seen.get(`${a.cx},${a.cy}`));
  assert.equal(new Set(names).size, names.length, 'separate points are separate rows');
  assert.ok(apart.length >= drawn.length - 4, 'most points are apart');

  // Higher intensity is further right, more TFLOP/s higher up: the GEMM is top right.
  const gemm = withFlops.reduce((a, b) => (b.achieved_tflops > a.achieved_tflops ? b : a));
  const top = drawn.reduce((a, b) => (b.cy < a.cy ? b : a));
  assert.equal(seen.get(`${top.cx},${top.cy}`), gemm.name, 'the fastest kernel is the highest point');

  // The tip as a user sees it, for the screenshot.
  await hover(p, top.x, top.y);
  const shot = await p.$('#roofline');
  await shot.screenshot({ path: path.join(ARTIFACTS, 'roofline.png') });

  // The kernel table's roofline columns equal the CLI's --roofline cells.
  const pageRows = await pageKernelRows(p, 0);
  assert.equal(pageRows.length, md.rows.length);
  const first = Math.min(10, md.rows.length);
  assert.deepEqual(pageRows.slice(0, first).map((r) => r.slice(8, 15)), md.rows.slice(0, first).map((r) => r.slice(8, 15)), 'roofline columns');
  assert.deepEqual(pageRows.map((r) => r.slice(0, 6)), md.rows.map((r) => r.slice(0, 6)), 'the rest of the row');
  const headers = await p.$$eval('#kernels-0 thead th', (ths) => ths.map((th) => th.firstChild.textContent));
  assert.deepEqual(headers.slice(8), ['FLOPs', 'Bytes', 'FLOP/B', 'TFLOP/s', 'TB/s', 'Roof', 'Bound']);

  // The headroom table lists the rows with headroom, most first.
  const headroom = await p.$$eval('#headroom-0 tbody tr', (trs) => trs.map((tr) => tr.querySelector('.tt-name')?.getAttribute('title')));
  const byHeadroom = rows.filter((r) => r.headroom_ns !== null).sort((a, b) => b.headroom_ns - a.headroom_ns || b.gpu_ns - a.gpu_ns || (a.name < b.name ? -1 : 1));
  assert.deepEqual(headroom, byHeadroom.map((r) => r.name));

  // A click on a point filters the kernel table to its kernel.
  await p.mouse.click(top.x, top.y);
  assert.equal(await p.inputValue('#filter'), gemm.name);
  const filtered = await pageKernelRows(p, 0);
  assert.ok(filtered.length >= 1 && filtered.length < pageRows.length, `${filtered.length} rows`);
  assert.equal(filtered[0][0], gemm.name);
  assert.ok(filtered.every((r) => r.join(' ').includes(gemm.name)));
  fail(p);
});

corpus('roofline: a shared link draws the same chart without the trace', async () => {
  const p = await page(ctx);
  await drop(p);
  const drawn = await points(p);
  await p.click('#share');
  await p.waitForSelector('#share-link');
  const q = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  q.problems = [];
  q.on('pageerror', (e) => q.problems.push(e.message));
  await q.goto(await p.inputValue('#share-link'));
  await q.waitForSelector('#roofline-chart svg circle', { timeout: 30000 });
  assert.equal(await q.textContent('#roofline-coverage'), await p.textContent('#roofline-coverage'));
  assert.deepEqual((await points(q)).map((c) => [c.cx, c.cy, c.r]), drawn.map((c) => [c.cx, c.cy, c.r]));
  assert.deepEqual(q.problems, []);
  fail(p);
});

// Report tables that fit, and keyboard use, in headless Chromium. For three real corpus
// traces (the 54 MB HTA trace, a two-stage SGLang trace, a vLLM trace) at 1280×800 and
// 1920×1080: on every stage tab, no horizontal page overflow and no table wider than its
// container; overlap rows stay short while their long cells are folded, and expanding a
// folded cell shows its whole text; at 760×900 the rows are cards. Then the keys: `/`
// focuses the filter, `j`/`k` move the highlighted row, `Enter` opens it, `Escape` clears
// the filter and closes the key list that `?` opens. Full-page screenshots go to
// e2e/artifacts/layout-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS, needsCorpus } from './helpers.mjs';

const HTA = 'hta_v100_2rank_ddp_rank1_large.trace.json.gz';
const SGLANG = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz';
const VLLM = 'vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz';
const WIDTHS = [[1280, 800], [1920, 1080]];
// A folded overlap row is at most this tall (a two-line clamp plus its fold control).
const FOLDED_ROW_PX = 120;

// Skipped when the corpus is absent, unless it is required.
const { present, corpus } = needsCorpus(test, [HTA, SGLANG, VLLM].map((n) => path.join(TRACES, n)));

let ctx;
before(async () => { if (present) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

async function open(name, [width, height]) {
  const p = await page(ctx, { width, height });
  await p.setInputFiles('#file', path.join(TRACES, name));
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  return p;
}

/** How wide the page and each shown table are, against the window and their container. */
function widths(p) {
  return p.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
    tables: [...document.querySelectorAll('table.tt-table')]
      .filter((t) => t.offsetParent !== null)
      .map((t) => ({ id: t.id, width: t.scrollWidth, room: t.parentElement.clientWidth })),
  }));
}

/** Heights of the overlap table's rows on tab `i`. */
function overlapRowHeights(p, i) {
  return p.$$eval(`#overlap-${i} tbody tr`, (rows) => rows.map((r) => r.getBoundingClientRect().height));
}

/** Every stage tab fits the window: no page overflow, no table wider than its container,
 * overlap rows short while folded. */
async function assertFits(p, label) {
  const tabs = await p.$$eval('.tt-tab', (t) => t.length);
  assert.ok(tabs >= 1, `${label}: stage tabs`);
  for (let i = 0; i < tabs; i++) {
    await p.click(`.tt-tab >> nth=${i}`);
    await p.waitForSelector(`#kernels-${i}`);
    const w = await widths(p);
    assert.ok(w.page <= w.window, `${label} tab ${i}: page ${w.page} px wide in a ${w.window} px window`);
    assert.ok(w.tables.length >= 3, `${label} tab ${i}: tables shown`);
    for (const t of w.tables) {
      assert.ok(t.width <= t.room + 1, `${label} tab ${i}: #${t.id} is ${t.width} px wide in ${t.room} px`);
    }
    const heights = await overlapRowHeights(p, i);
    for (const [n, h] of heights.entries()) {
      assert.ok(h <= FOLDED_ROW_PX, `${label} tab ${i}: overlap row ${n} is ${Math.round(h)} px tall`);
    }
  }
  await p.click('.tt-tab >> nth=0');
}

for (const name of [HTA, SGLANG, VLLM]) {
  corpus(`${name}: tables fit at 1280 and 1920 px, and are cards at 760 px`, async () => {
    const p = await open(name, WIDTHS[0]);
    const short = name.split('.')[0];
    for (const [width, height] of WIDTHS) {
      await p.setViewportSize({ width, height });
      await assertFits(p, `${short} at ${width}`);
      await p.screenshot({ path: path.join(ARTIFACTS, `layout-${short}-${width}.png`), fullPage: true });
    }
    await p.setViewportSize({ width: 760, height: 900 });
    const narrow = await p.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      rows: [...document.querySelectorAll('#kernels-0 tbody tr, #overlap-0 tbody tr')].map((tr) => getComputedStyle(tr).display),
      labels: [...document.querySelectorAll('#kernels-0 tbody tr:first-child td')].map((td) => [td.dataset.label, getComputedStyle(td, '::before').content]),
      headings: [...document.querySelectorAll('#kernels-0 thead th')].map((th) => th.textContent.replace(/[▲▼]/g, '').trim()),
    }));
    assert.ok(narrow.page <= narrow.window, `${short} at 760: page ${narrow.page} px wide`);
    assert.ok(narrow.rows.length > 0 && narrow.rows.every((d) => d === 'block' || d === 'grid'), `rows as cards: ${narrow.rows}`);
    // Each card line is labelled with its column heading.
    assert.deepEqual(narrow.labels.map(([l]) => l), narrow.headings);
    for (const [l, before] of narrow.labels) assert.equal(before, JSON.stringify(l));
    await p.screenshot({ path: path.join(ARTIFACTS, `layout-${short}-760.png`), fullPage: true });
    fail(p);
  });
}

corpus('a folded cell expands in place to its whole text', async () => {
  const p = await open(SGLANG, WIDTHS[0]);
  const cell = '#overlap-0 td.tt-fold:has(> div + div)';
  await p.waitForSelector(cell);
  const read = () => p.$eval(cell, (td) => ({
    lines: [...td.querySelectorAll(':scope > div')].map((d) => d.textContent),
    shown: td.innerText,
    height: td.getBoundingClientRect().height,
    label: td.querySelector('.tt-more').getAttribute('aria-expanded'),
  }));
  const folded = await read();
  assert.ok(folded.lines.length >= 2);
  assert.equal(folded.label, 'false');
  assert.ok(!folded.shown.includes(folded.lines[1]), 'the second line is hidden while folded');
  await p.click(`${cell} .tt-more`);
  const open_ = await read();
  assert.equal(open_.label, 'true');
  for (const line of open_.lines) assert.ok(open_.shown.includes(line), `shown when expanded: ${line}`);
  assert.ok(open_.height > folded.height);
  // The fold control is not a click on the row (which would open a catalog entry).
  assert.equal(await p.$('#catalog-panel'), null);
  await p.click(`${cell} .tt-more`);
  assert.equal((await read()).label, 'false');
  fail(p);
});

corpus('keys: / focuses the filter, j and k move the row, Enter opens it, ? lists the keys', async () => {
  const p = await open(VLLM, WIDTHS[0]);
  const current = (id) => p.$$eval(`#${id} tbody tr`, (rows) => rows.flatMap((r, n) => (r.classList.contains('tt-row-cur') ? [n] : [])));
  // `/` focuses the filter; keys typed there are text, and Escape clears the filter and leaves it.
  await p.keyboard.press('/');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'filter');
  const all = await p.$$eval('#kernels-0 tbody tr', (r) => r.length);
  await p.keyboard.type('jk');
  assert.equal(await p.inputValue('#filter'), 'jk');
  assert.deepEqual(await current('kernels-0'), []);
  await p.keyboard.press('Escape');
  assert.equal(await p.inputValue('#filter'), '');
  assert.notEqual(await p.evaluate(() => document.activeElement.id), 'filter');
  assert.equal(await p.$$eval('#kernels-0 tbody tr', (r) => r.length), all);
  // j, j, k: the kernel table's first row is the current one.
  await p.keyboard.press('j');
  assert.deepEqual(await current('kernels-0'), [0]);
  await p.keyboard.press('j');
  assert.deepEqual(await current('kernels-0'), [1]);
  await p.keyboard.press('k');
  assert.deepEqual(await current('kernels-0'), [0]);
  assert.equal(await p.$$eval('tr.tt-row-cur', (r) => r.length), 1);
  // A click in the fuse table makes it the one the keys act on; Enter opens its row's entry.
  await p.click('#fuse-0 thead th >> nth=0');
  await p.keyboard.press('j');
  assert.deepEqual(await current('fuse-0'), [0]);
  assert.deepEqual(await current('kernels-0'), []);
  await p.keyboard.press('Enter');
  await p.waitForSelector('#catalog-panel', { timeout: 5000 });
  await p.click('#catalog-close');
  // `?` opens the key list; Escape closes it, and so does a click.
  await p.keyboard.press('?');
  await p.waitForSelector('#keys-help');
  assert.match(await p.textContent('#keys-help'), /Focus the row filter/);
  await p.screenshot({ path: path.join(ARTIFACTS, 'layout-keys.png') });
  await p.keyboard.press('Escape');
  await p.waitForSelector('#keys-help', { state: 'detached' });
  await p.keyboard.press('?');
  await p.waitForSelector('#keys-help');
  await p.mouse.click(5, 5);
  await p.waitForSelector('#keys-help', { state: 'detached' });
  fail(p);
});

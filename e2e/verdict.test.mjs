// The verdict in headless Chromium against the release CLI: for corpus traces, the trace
// health above the stage tabs and, per stage, the verdict card's line equal the CLI's
// (`triage --format json`: `health[]`, `stages[i].verdict.text`); its fix-first table
// equals the CLI markdown's and names the JSON's `fix_first[]`; a click on a finding
// highlights and scrolls to the overlap, fuse or kernel row it comes from (a kernel row
// through the kernel filter); the category chart has one bar segment per category of
// `stages[i].verdict.categories`. The compare view shows A's and B's verdicts side by side,
// as `tracetriage diff A B --format json` writes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS, CLI, needsCorpus, unescapeMd } from './helpers.mjs';

// Two stages, trace health, findings from the overlap and fuse tables.
const TP0 = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz';
const TP1 = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz';
// One stage with roofline figures: findings from the kernel table (kernels below their roof).
const H100 = 'hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz';

// Skipped when the corpus is absent, unless it is required.
const { present, corpus } = needsCorpus(test, [TP0, TP1, H100].map((n) => path.join(TRACES, n)));

let ctx;
before(async () => { if (present) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

function run(args) {
  return execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The CLI markdown's trace-health lines (without `- `) and each stage's fix-first rows. */
function cliVerdicts(md) {
  const health = [];
  const fixes = [];
  let section = null;
  for (const line of md.split('\n')) {
    if (line === 'Trace Health') { section = 'health'; continue; }
    if (line === 'Verdict') { section = 'verdict'; continue; }
    if (line === 'Kernel Table') break;
    if (section === 'health' && line.startsWith('- ')) health.push(line.slice(2));
    if (section !== 'verdict') continue;
    if (line.startsWith('Fix first (')) { fixes.push([]); continue; }
    if (line.startsWith('| ') && !line.startsWith('| # |') && !line.startsWith('| ---')) {
      fixes[fixes.length - 1].push(line.slice(2, -2).split(' | ').map((c) => c.replaceAll('\\|', '|')));
    }
  }
  return { health, fixes };
}

/** Cell texts of a table's body rows (multi-line cells joined with `<br>`, as in markdown). */
async function tableRows(p, id) {
  return p.$$eval(`#${id} tbody tr`, (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td) =>
    [...td.childNodes].map((n) => n.textContent.trim()).filter((t) => t).join('<br>'))));
}

async function open(p, name) {
  await p.setInputFiles('#file', path.join(TRACES, name));
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 90000 });
}

/** The row a finding points at, if the report lists it. */
function listed(stage, row) {
  if (row.table === 'overlap') return stage.overlap.rows.some((r) => r.kernel === row.key);
  if (row.table === 'fuse') return stage.fuse.rows.some((r) => r.id === row.key);
  return stage.kernels.rows.some((r) => r.name === row.key);
}

/** Clicks fix-first row `n` of stage `i` and checks the row it points at. */
async function jump(p, i, n, fix, stage) {
  const table = `${fix.row.table}-${i}`;
  await p.click(`#fix-${i} tbody tr >> nth=${n}`);
  if (!listed(stage, fix.row)) {
    await p.waitForSelector(`#fix-missing-${i}`, { timeout: 5000 });
    return;
  }
  await p.waitForSelector(`#${table} tbody tr.tt-row-hit`, { timeout: 5000 });
  // Give a smooth scroll (none is asked for) time to settle.
  await p.waitForTimeout(100);
  const hit = await p.evaluate((id) => {
    const rows = [...document.querySelectorAll(`#${id} tbody tr.tt-row-hit`)];
    const others = [...document.querySelectorAll('tr.tt-row-hit')].filter((tr) => !tr.closest(`#${id}`));
    const b = rows[0].getBoundingClientRect();
    return { count: rows.length, others: others.length, key: rows[0].dataset.key, top: b.top, bottom: b.bottom, height: window.innerHeight };
  }, table);
  assert.equal(hit.count, 1, `one highlighted row in #${table}`);
  assert.equal(hit.others, 0, 'no highlighted row elsewhere');
  assert.equal(hit.key, fix.row.key, `#${table}: the finding's row`);
  assert.ok(hit.top >= 0 && hit.bottom <= hit.height, `#${table} row scrolled into view: ${hit.top}..${hit.bottom} of ${hit.height}`);
  const filter = await p.inputValue('#filter');
  // A kernel row is reached through the kernel filter, as a roofline click does; an
  // overlap or fuse row with the filter cleared.
  assert.equal(filter, fix.row.table === 'kernels' ? fix.row.key : '', 'the filter');
  assert.equal(await p.$eval(`#fix-missing-${i}`, () => true).catch(() => false), false, 'no "not listed" line');
}

/** Checks stage `i` of the open report against the CLI's JSON and markdown. */
async function checkStage(p, i, stage, fixCells) {
  const v = stage.verdict;
  assert.ok(v.computed && v.text, `${stage.label}: the CLI wrote a verdict`);
  assert.equal(await p.textContent(`#verdict-text-${i}`), v.text, `${stage.label}: verdict line`);

  // The fix-first table: the CLI markdown's cells, naming each JSON finding.
  const rows = await tableRows(p, `fix-${i}`);
  if (stage.fix_first.length === 0) {
    assert.equal(rows.length, 1, 'the empty table says so');
  } else {
    assert.deepEqual(rows, fixCells, `${stage.label}: fix-first table`);
    assert.equal(rows.length, stage.fix_first.length);
    stage.fix_first.forEach((f, n) => {
      assert.ok(f.text.startsWith(`${rows[n][1]}: up to `), `finding ${n + 1}: ${f.text} / ${rows[n][1]}`);
    });
  }

  // The category chart: one segment (rect) per category, its label and share in the legend.
  await p.waitForSelector(`#categories-${i} svg`, { timeout: 10000 });
  const chart = await p.$eval(`#categories-${i} svg`, (svg) => ({
    rects: svg.querySelectorAll('rect').length,
    fills: [...svg.querySelectorAll('rect')].map((r) => r.getAttribute('fill')),
    texts: [...svg.querySelectorAll('text')].map((t) => t.textContent.trim()),
    widths: [...svg.querySelectorAll('rect')].map((r) => Number(r.getAttribute('width'))),
  }));
  assert.equal(chart.rects, v.categories.length, `${stage.label}: one bar segment per category`);
  v.categories.forEach((c, n) => {
    const label = `${c.category} ${c.share_pct.toFixed(1)}%`;
    assert.ok(chart.texts.some((t) => t.startsWith(`${label} · `)), `legend: ${label}`);
    assert.ok(chart.widths[n] >= 1, 'every segment is drawn');
  });
  // Widths follow the shares: the first (largest) category's segment is the widest, up to
  // a pixel of rounding.
  assert.ok(v.categories.length > 0, `${stage.label}: categories`);
  assert.ok(chart.widths[0] >= Math.max(...chart.widths) - 1, 'most GPU time first, widest');

  // Each finding jumps to its row.
  for (let n = 0; n < stage.fix_first.length; n++) {
    await p.$eval(`#verdict-${i}`, (e) => e.scrollIntoView());
    await jump(p, i, n, stage.fix_first[n], stage);
  }
}

corpus('verdict card: health, verdict line, fix-first table, category chart and jumps equal the CLI', async () => {
  for (const name of [TP0, H100]) {
    const file = path.join(TRACES, name);
    const json = JSON.parse(run(['triage', file, '--format', 'json']));
    const md = cliVerdicts(unescapeMd(run(['triage', file])));
    const p = await page(ctx);
    await open(p, name);

    // Trace health, once, above the tabs: the CLI's lines and the JSON's text and fix.
    if (json.health.length === 0) {
      assert.equal(await p.$('#trace-health'), null, `${name}: no health section`);
    } else {
      const lines = await p.$$eval('#trace-health li', (li) => li.map((l) => l.textContent));
      assert.deepEqual(lines, md.health, `${name}: health lines`);
      assert.deepEqual(lines, json.health.map((h) => `${h.text}. Fix: ${h.fix}.`));
      const before = await p.evaluate(() => {
        const health = document.querySelector('#trace-health');
        const tabs = document.querySelector('.tt-tabs');
        return Boolean(health.compareDocumentPosition(tabs) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      assert.ok(before, 'the health section is above the stage tabs');
    }

    assert.equal(await p.$$eval('.tt-tab', (t) => t.length), json.stages.length, 'one tab per stage');
    for (let i = 0; i < json.stages.length; i++) {
      await p.click(`.tt-tab >> nth=${i}`);
      await p.waitForSelector(`#verdict-text-${i}`);
      await p.fill('#filter', '');
      await checkStage(p, i, json.stages[i], md.fixes[i]);
    }
    await p.click('.tt-tab >> nth=0');
    await p.fill('#filter', '');
    await p.$eval('#verdict-0', (e) => e.scrollIntoView());
    await p.screenshot({ path: path.join(ARTIFACTS, `verdict-${name.split('.')[0]}.png`) });
    fail(p);
  }
});

corpus('every finding kind is covered: overlap, fuse and kernel rows', () => {
  const tables = new Set();
  for (const name of [TP0, H100]) {
    const json = JSON.parse(run(['triage', path.join(TRACES, name), '--format', 'json']));
    json.stages.forEach((s) => s.fix_first.forEach((f) => tables.add(f.row.table)));
  }
  assert.deepEqual([...tables].sort(), ['fuse', 'kernels', 'overlap'], 'the test traces point at all three tables');
});

corpus('compare view: both verdicts side by side, as `tracetriage diff` writes them', async () => {
  const [a, b] = [TP0, TP1].map((n) => path.join(TRACES, n));
  const diff = JSON.parse(run(['diff', a, b, '--format', 'json']));
  assert.ok(diff.stages.length >= 1);
  const p = await page(ctx);
  await p.setInputFiles('#compare-a', a);
  await p.setInputFiles('#compare-b', b);
  await p.click('#compare-go');
  await p.waitForSelector('#compare-view', { timeout: 120000 });
  for (let i = 0; i < diff.stages.length; i++) {
    const s = diff.stages[i];
    for (const [side, v] of [['a', s.a_verdict], ['b', s.b_verdict]]) {
      assert.ok(v.text, `${s.label} ${side}: the CLI's diff carries the verdict`);
      const shown = await p.$eval(`#verdict-${side}-${i}`, (e) => ({
        text: e.querySelector('.tt-verdict-line').textContent,
        fixes: [...e.querySelectorAll('.tt-fix-list li')].map((li) => li.textContent),
      }));
      assert.equal(shown.text, v.text, `${s.label} ${side}: verdict`);
      assert.deepEqual(shown.fixes, v.fix_first, `${s.label} ${side}: fix-first list`);
    }
    // Side by side: B's verdict right of A's.
    const [ba, bb] = await Promise.all(['a', 'b'].map((side) => p.$eval(`#verdict-${side}-${i}`, (e) => e.getBoundingClientRect().toJSON())));
    assert.ok(bb.left > ba.left && Math.abs(bb.top - ba.top) < 1, 'A and B side by side');
  }
  // The verdict of each side is its report's (same stage labels and stages as A's and B's triage).
  const ja = JSON.parse(run(['triage', a, '--format', 'json', '--min-share', '0']));
  assert.equal(diff.stages[0].a_verdict.text, ja.stages.find((s) => s.label === diff.stages[0].a_label).verdict.text);
  await p.$eval('#verdicts-0', (e) => e.scrollIntoView());
  await p.screenshot({ path: path.join(ARTIFACTS, 'verdict-compare.png') });
  fail(p);
});

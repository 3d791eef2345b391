// The all-ranks view in the browser: the four ranks of the GB300 TP-4 capture dropped at
// once open the per-rank and collective skew tables, with the same cells as the CLI's
// `triage --all-ranks` markdown and the same numbers as its JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS, CLI, ranksCliTables, pageTableRows } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const NAMES = [0, 1, 2, 3].map((r) => `sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-${r}.trace.json.gz`);

test('dropping the four rank files at once opens the all-ranks view', async () => {
  const p = await page(ctx);
  // Two files at a time: by default a 2-core machine reads them in one worker.
  await p.goto(`${ctx.base}?workers=2`);
  await p.waitForSelector('#drop');
  // The engine worker reads the files in child engine workers (same script, `?child`),
  // each gzip file inflated by its own inflater worker (same script, `?inflate`).
  const workers = [];
  p.on('worker', (w) => workers.push(w.url()));
  const dt = await p.evaluateHandle(async (urls) => {
    const dt = new DataTransfer();
    for (const url of urls) {
      const bytes = await (await fetch(url)).arrayBuffer();
      dt.items.add(new File([bytes], url.split('/').pop()));
    }
    return dt;
  }, NAMES.map((n) => `${ctx.base}traces/${n}`));
  await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await p.waitForSelector('#skew-0 tbody tr', { timeout: 120000 });
  const header = await p.textContent('#ranks-header');
  assert.match(header, /4 \(0, 1, 2, 3\) of world size 4/);
  const engines = workers.filter((u) => u.includes('engine-worker.js') && !u.endsWith('?inflate'));
  assert.ok(engines.length >= 3, `the engine worker and at least two children read the ranks: ${workers.join(', ')}`);
  assert.ok(workers.filter((u) => u.endsWith('?inflate')).length >= 4, `an inflater per gzip file: ${workers.join(', ')}`);

  const files = NAMES.map((n) => path.join(TRACES, n));
  const md = execFileSync(CLI, ['triage', '--all-ranks', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const json = JSON.parse(execFileSync(CLI, ['triage', '--all-ranks', '--format', 'json', ...files],
    { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const skew = ranksCliTables(md, 'Collective Skew Table');
  const perRank = ranksCliTables(md, 'Per-Rank Table');
  const labels = Object.keys(skew);
  assert.deepEqual(labels, json.stages.map((s) => s.label));
  for (let i = 0; i < labels.length; i++) {
    const rows = await pageTableRows(p, `skew-${i}`);
    assert.deepEqual(rows, skew[labels[i]], `${labels[i]}: skew table`);
    assert.deepEqual(await pageTableRows(p, `ranks-${i}`), perRank[labels[i]], `${labels[i]}: per-rank table`);
    // The numbers are the JSON's: matched collectives and the last-arriving rank per family.
    json.stages[i].collectives.forEach((c, k) => {
      assert.equal(rows[k][3].split('<br>')[0], c.matched.toLocaleString('en-US'));
      assert.ok(rows[k][8].startsWith(`rank ${c.last_rank} (`), `${rows[k][8]} names rank ${c.last_rank}`);
    });
  }
  await p.screenshot({ path: path.join(ARTIFACTS, 'ranks.png'), fullPage: true });
  fail(p);
});

test('a #d1. diff link from the CLI opens the compare view with the CLI numbers', async () => {
  const [a, b] = NAMES.slice(0, 2).map((n) => path.join(TRACES, n));
  const link = execFileSync(CLI, ['diff', '--format', 'link', a, b], { encoding: 'utf8' }).trim();
  assert.ok(link.startsWith('#d1.'));
  const md = execFileSync(CLI, ['diff', a, b], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // The CLI's first stage summary table.
  const lines = md.split('\n');
  const at = lines.indexOf('Stage summary');
  const want = [];
  for (const line of lines.slice(at + 3)) {
    if (!line.startsWith('| ')) break;
    want.push(line.slice(2, -2).split(' | '));
  }
  const p = await page(ctx);
  // A fragment change alone does not reload the app: open the link as a fresh load.
  await p.goto(`${ctx.base}${link}`);
  await p.reload();
  await p.waitForSelector('#diff-summary-0 tbody tr', { timeout: 30000 });
  assert.match(await p.textContent('#diff-header'), /TP-1/);
  assert.deepEqual(await pageTableRows(p, 'diff-summary-0'), want);
  // Both verdicts of every stage, side by side, as the CLI's diff JSON carries them.
  const json = JSON.parse(execFileSync(CLI, ['diff', '--format', 'json', a, b], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  for (const [i, s] of json.stages.entries()) {
    for (const [side, v] of [['a', s.a_verdict], ['b', s.b_verdict]]) {
      assert.ok(v.text, `${s.label}: ${side}'s verdict`);
      assert.equal(await p.textContent(`#verdict-${side}-${i} .tt-verdict-line`), v.text, `${s.label}: ${side}'s verdict`);
    }
  }
  await p.screenshot({ path: path.join(ARTIFACTS, 'compare.png'), fullPage: false });
  fail(p);
});

test('comparing two runs picked as A and B shows the CLI diff', async () => {
  const [a, b] = NAMES.slice(0, 2).map((n) => path.join(TRACES, n));
  const md = execFileSync(CLI, ['diff', a, b], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = md.split('\n');
  // Every stage's summary and kernel tables (stage headings in order).
  const want = {};
  let stage = -1;
  let table = null;
  let skip = 0;
  for (const line of lines) {
    if (line.startsWith('##### ')) { stage += 1; continue; }
    if (line === 'Stage summary') { table = `diff-summary-${stage}`; skip = 2; continue; }
    if (line === 'Families') { table = `diff-families-${stage}`; skip = 2; continue; }
    if (!table) continue;
    if (!line.startsWith('| ')) { if (want[table]) table = null; continue; }
    if (skip > 0) { skip -= 1; continue; }
    (want[table] ||= []).push(line.slice(2, -2).split(' | '));
  }
  assert.ok(want['diff-summary-1'] && want['diff-families-1'], 'two stages parsed');
  const p = await page(ctx);
  await p.setInputFiles('#compare-a', a);
  await p.setInputFiles('#compare-b', b);
  await p.click('#compare-go');
  await p.waitForSelector('#diff-summary-0 tbody tr', { timeout: 120000 });
  for (const [id, rows] of Object.entries(want)) {
    const got = await pageTableRows(p, id);
    if (id.startsWith('diff-families')) {
      // Family keys are folded names: compare the numbers.
      assert.deepEqual(got.map((r) => r.slice(1)), rows.map((r) => r.slice(1)), id);
    } else {
      assert.deepEqual(got, rows, id);
    }
  }
  fail(p);
});

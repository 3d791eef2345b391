// End-to-end test of the fuse table's state badges: on a corpus trace, every fuse row of
// every stage shows the state the CLI prints for it (markdown State column, JSON `state`),
// with its legend, and "missing only" keeps exactly the missing rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, fail, needsCorpus, CLI, TRACES, ARTIFACTS } from './helpers.mjs';

const TP0 = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz');
const { corpus } = needsCorpus(test, [TP0]);

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

/** The CLI's fuse rows per stage: [{ id, pattern, words, state }] in the markdown's order. */
function cliFuseRows(file) {
  const md = execFileSync(CLI, ['triage', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const json = JSON.parse(execFileSync(CLI, ['triage', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 256 << 20 }));
  const words = {};
  let stage = null;
  let inFuse = false;
  for (const line of md.split('\n')) {
    if (line === 'Fuse Opportunity Table') { inFuse = true; continue; }
    if (!inFuse) continue;
    if (line.startsWith('##### ')) { stage = line.slice(6); continue; }
    if (line.startsWith('| ') && !line.startsWith('| Pattern') && !line.startsWith('| ---')) {
      const cells = line.slice(2, -2).split(' | ');
      (words[stage] ||= []).push({ pattern: cells[0], words: cells[1] });
    }
  }
  return json.stages.map((s) => {
    const rows = (words[s.label] || []).filter((r) => s.fuse.rows.some((x) => x.pattern === r.pattern));
    return rows.map((r) => {
      const row = s.fuse.rows.find((x) => x.pattern === r.pattern);
      return { id: row.id, pattern: r.pattern, words: r.words, state: row.state };
    });
  });
}

corpus('fuse badges: every row shows the CLI state, with a legend and a "missing only" filter', async () => {
  const expected = cliFuseRows(TP0);
  const all = expected.flat();
  assert.ok(all.some((r) => r.state === 'missing') && all.some((r) => r.state === 'in_use'), JSON.stringify(all));
  const p = await page(ctx);
  await p.setInputFiles('#file', TP0);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 90000 });
  const tabs = await p.$$('.tt-tab');
  assert.equal(tabs.length, expected.length, 'one tab per CLI stage');
  for (const [i, want] of expected.entries()) {
    await tabs[i].click();
    await p.waitForSelector(`#fuse-${i} tbody tr`, { timeout: 30000 });
    const got = await p.$$eval(`#fuse-${i} tbody tr`, (rows) => rows.map((tr) => {
      const badge = tr.querySelector('.tt-badge');
      return { id: tr.dataset.key, words: badge && badge.textContent, tone: badge && [...badge.classList].find((c) => c.startsWith('tt-badge-')) };
    }));
    // Same rows, same order (missing first), the badge's words are the CLI's State cell,
    // its colour class the JSON state.
    assert.deepEqual(got, want.map((r) => ({ id: r.id, words: r.words, tone: `tt-badge-${r.state}` })), `stage ${i}`);
    const legend = await p.textContent(`#fuse-legend-${i}`);
    for (const word of ['missing', 'partly', 'upstream', 'in flight', 'in use']) assert.ok(legend.includes(word), `legend has ${word}`);
    const legendTones = await p.$$eval(`#fuse-legend-${i} .tt-badge`, (b) => b.map((x) => x.className));
    assert.equal(legendTones.length, 5);
    // "missing only" keeps exactly the missing rows; unticked, every row is back.
    await p.check(`#fuse-missing-only-${i}`);
    const missing = want.filter((r) => r.state === 'missing').map((r) => r.id);
    await p.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} tbody tr[data-key]`).length === n, [`#fuse-${i}`, missing.length]);
    const kept = await p.$$eval(`#fuse-${i} tbody tr[data-key]`, (rows) => rows.map((tr) => tr.dataset.key));
    assert.deepEqual(kept, missing, `stage ${i}: missing only`);
    if (i === 0) {
      await p.$eval(`#fuse-${i}`, (e) => e.scrollIntoView({ block: 'center' }));
      await p.screenshot({ path: path.join(ARTIFACTS, 'fuse-missing-only.png') });
    }
    await p.uncheck(`#fuse-missing-only-${i}`);
    await p.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} tbody tr[data-key]`).length === n, [`#fuse-${i}`, want.length]);
  }
  await p.$eval('[id^="fuse-legend-"]', (e) => e.scrollIntoView({ block: 'start' }));
  await p.screenshot({ path: path.join(ARTIFACTS, 'fuse-badges.png') });
  fail(p);
});

const LORA = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz');
const { corpus: corpusDiff } = needsCorpus(test, [LORA, TP0]);

corpusDiff('compare view: each fuse pattern\'s state on both sides and its change, as `tracetriage diff` writes them', async () => {
  const args = ['--stage', 'decode', LORA, TP0];
  const link = execFileSync(CLI, ['diff', '--format', 'link', ...args], { encoding: 'utf8' }).trim();
  const md = execFileSync(CLI, ['diff', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = md.split('\n');
  const at = lines.indexOf('Fuse patterns');
  assert.ok(at > 0, 'the CLI diff has a fuse section');
  const want = [];
  for (const line of lines.slice(at + 3)) {
    if (!line.startsWith('| ')) break;
    want.push(line.slice(2, -2).split(' | '));
  }
  assert.ok(want.some((r) => r[3].includes('→')), `a pattern changed state: ${JSON.stringify(want)}`);
  const p = await page(ctx);
  await p.goto(`${ctx.base}${link}`);
  await p.reload();
  await p.waitForSelector('#diff-fuse-0 tbody tr', { timeout: 30000 });
  const got = await p.$$eval('#diff-fuse-0 tbody tr', (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.deepEqual(got, want);
  // The two state cells are badges.
  const badges = await p.$$eval('#diff-fuse-0 tbody tr:first-child .tt-badge', (b) => b.map((x) => x.textContent));
  assert.deepEqual(badges, want[0].slice(1, 3).filter((t) => t !== 'not listed'));
  await p.$eval('#diff-fuse-0', (e) => e.scrollIntoView({ block: 'center' }));
  await p.screenshot({ path: path.join(ARTIFACTS, 'fuse-diff.png') });
  fail(p);
});

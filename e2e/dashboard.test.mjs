// End-to-end test of the team dashboard: the release CLI builds a static site from seven
// corpus traces (`tracetriage dashboard … --app dist`), a plain static server serves it,
// and headless Chromium lists the runs, filters them, opens one run's report, compares
// two runs of one model, draws the trend chart, and names the files it had to skip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { fail, TRACES, ROOT, CLI } from './helpers.mjs';

// Small corpus traces (fast to triage). The two GB300 SGLang runs are both Qwen3-30B-A3B:
// each goes in a capture folder with the `server_args.json` SGLang writes, which names the
// model, so the dashboard can compare them.
const PLAIN = [
  'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz',
  'deepseek-v3_train_h800_ep64_rank0.trace.json.gz',
  'hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz',
  'vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz',
  'kineto_resnet50_v100_legacy_schema.pt.trace.json.gz',
];
const QWEN = [
  'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz',
  'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz',
];
const NAMES = [...PLAIN, ...QWEN];
const MODEL = 'Qwen/Qwen3-30B-A3B-Instruct-2507';

let ctx;
let site;
let entries;

before(async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-dash-'));
  const captures = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-dash-in-'));
  const folders = QWEN.map((n, i) => {
    const dir = path.join(captures, `capture-${i}`);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(TRACES, n), path.join(dir, n));
    fs.writeFileSync(path.join(dir, 'server_args.json'), JSON.stringify({ model_path: MODEL, tp_size: 4 }));
    return dir;
  });
  const inputs = [...PLAIN.map((n) => path.join(TRACES, n)), ...folders];
  // The traces are served beside the site under /traces/: each run of one trace links it.
  execFileSync(CLI, ['dashboard', ...inputs, '-o', site, '--app', path.join(ROOT, 'dist'), '--title', 'Corpus runs',
    '--trace-url-base', 'traces'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  fs.rmSync(captures, { recursive: true, force: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'reports', 'index.json'), 'utf8'));
  entries = manifest.entries;
  const server = await serve(site, TRACES);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx = { server, browser, base: `http://127.0.0.1:${server.address().port}/` };
});

after(async () => {
  if (ctx) {
    await ctx.browser.close();
    ctx.server.close();
  }
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

async function open() {
  const p = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  p.problems = [];
  p.on('console', (m) => { if (m.type() === 'error') p.problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => p.problems.push(`pageerror: ${e.message}`));
  await p.goto(ctx.base);
  await p.waitForSelector('#dash-runs tbody tr[data-id]', { timeout: 60000 });
  return p;
}

async function oneHeader(p) {
  assert.equal(await p.locator('header.tt-top').count(), 1, 'one page header');
}

const rowIds = (p) => p.$$eval('#dash-runs tbody tr[data-id]', (rows) => rows.map((r) => r.dataset.id));

test('the site lists every run with its figures, and filters', async () => {
  assert.equal(entries.length, NAMES.length);
  const p = await open();
  assert.equal(await p.textContent('#dash-title'), 'Corpus runs');
  assert.deepEqual((await rowIds(p)).sort(), entries.map((e) => e.id).sort());
  const headers = await p.$$eval('#dash-runs thead th', (th) => th.map((h) => h.textContent.replace(/[▲▼]/g, '').trim()));
  for (const h of ['Model', 'Framework', 'GPU', 'Stages', 'Verdict', 'Date (UTC)', 'Top kernel family', 'GPU utilization', 'Attribution']) {
    assert.ok(headers.includes(h), `column ${h}: ${headers}`);
  }
  // The vLLM run's row shows its GPU and utilization as the CLI's report says.
  const vllm = entries.find((e) => e.framework === 'vllm');
  const row = await p.textContent(`#dash-runs tr[data-id="${vllm.id}"]`);
  assert.match(row, /NVIDIA B200/);
  assert.match(row, /13\.7%/);
  // … and each stage's verdict headline, the CLI report's line up to its figures.
  for (const s of vllm.stages) {
    assert.ok(s.verdict, `stage ${s.label} has a verdict in the manifest`);
    assert.ok(row.includes(s.verdict.split(' — ')[0]), `${s.verdict} in ${row}`);
  }
  // Text filter.
  await p.fill('#dash-filter', 'vllm');
  assert.deepEqual(await rowIds(p), [vllm.id]);
  await p.fill('#dash-filter', 'gpu:gb300');
  assert.equal((await rowIds(p)).length, 2);
  await p.fill('#dash-filter', '');
  // Framework select.
  await p.selectOption('#dash-framework', 'sglang');
  const sglang = entries.filter((e) => e.framework === 'sglang').map((e) => e.id).sort();
  assert.deepEqual((await rowIds(p)).sort(), sglang);
  assert.match(await p.textContent('#dash-count'), new RegExp(`^${sglang.length} of ${NAMES.length} runs`));
  await p.selectOption('#dash-framework', '');
  // Sort by utilization, largest first, then smallest first.
  await p.click('#dash-runs th[data-col="utilization"]');
  const byUtil = [...entries].sort((a, b) => b.utilization_pct - a.utilization_pct).map((e) => e.id);
  assert.deepEqual(await rowIds(p), byUtil);
  await p.click('#dash-runs th[data-col="utilization"]');
  assert.deepEqual(await rowIds(p), [...byUtil].reverse());
  // The trend chart follows the figure chosen.
  assert.ok(await p.$('#trend-chart svg'));
  await p.selectOption('#trend-figure', 'coverage');
  await p.waitForFunction(() => document.querySelector('#trend-chart svg').textContent.includes('Python attribution'));
  fail(p);
});

test('a click opens the run\'s full report; back returns to the list', async () => {
  const p = await open();
  const mi = entries.find((e) => e.label.startsWith('sglang_mi300x'));
  await p.click(`#dash-runs tr[data-id="${mi.id}"] td:nth-child(3)`);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 30000 });
  assert.match(await p.textContent('#origin'), /team dashboard/);
  assert.match(await p.textContent('#header'), /AMD Instinct MI300X/);
  // The report file's kernel rows, as the page shows them.
  const report = JSON.parse(fs.readFileSync(path.join(site, 'reports', mi.report), 'utf8'));
  const shown = await p.$$eval('#kernels-0 tbody tr', (rows) => rows.length);
  assert.equal(shown, report.stages[0].kernels.rows.length);
  await p.click('#dash-back');
  await p.waitForSelector('#dash-runs tbody tr[data-id]');
  fail(p);
});

test('a run with a trace_url links its trace: the link opens the triage of the trace; Back returns', async () => {
  const p = await open();
  await oneHeader(p);
  assert.equal(await p.title(), 'Dashboard — tracetriage');
  const mi = entries.find((e) => e.label.startsWith('sglang_mi300x'));
  assert.equal(mi.trace_url, `traces/${mi.label}.trace.json.gz`);
  const link = p.locator(`#dash-runs tr[data-id="${mi.id}"] a.tt-open-trace`);
  assert.equal(await link.getAttribute('href'), `#src=${mi.trace_url}`);
  assert.equal(await p.locator('#dash-runs a.tt-open-trace').count(), entries.filter((e) => e.trace_url).length);
  await link.click();
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  assert.match(await p.textContent('#origin'), /Triaged in this tab/);
  assert.match(await p.title(), /sglang_mi300x.* — tracetriage$/);
  await oneHeader(p);
  // The same kernel rows as the run's report file.
  const report = JSON.parse(fs.readFileSync(path.join(site, 'reports', mi.report), 'utf8'));
  const shown = await p.$$eval('#kernels-0 tbody tr', (rows) => rows.length);
  assert.equal(shown, report.stages[0].kernels.rows.length);
  await p.goBack();
  await p.waitForSelector('#dash-runs tbody tr[data-id]');
  fail(p);
});

test('two runs of one model compared side by side with deltas', async () => {
  const p = await open();
  const qwen = entries.filter((e) => e.label.startsWith('sglang_gb300'));
  assert.equal(qwen.length, 2);
  assert.deepEqual(qwen.map((e) => e.model), [MODEL, MODEL], 'both runs name one model');
  // Runs of different models cannot be compared.
  const other = entries.find((e) => e.framework === 'vllm');
  await p.check(`#dash-runs tr[data-id="${qwen[0].id}"] input`);
  await p.check(`#dash-runs tr[data-id="${other.id}"] input`);
  assert.equal(await p.isDisabled('#dash-compare'), true);
  assert.match(await p.textContent('#dash-compare-note'), /different models/);
  await p.click('#dash-clear');
  await p.check(`#dash-runs tr[data-id="${qwen[0].id}"] input`);
  await p.check(`#dash-runs tr[data-id="${qwen[1].id}"] input`);
  assert.equal(await p.isDisabled('#dash-compare'), false);
  await p.click('#dash-compare');
  await p.waitForSelector('#dash-compare-view', { timeout: 30000 });
  const header = await p.textContent('#cmp-header');
  for (const e of qwen) assert.ok(header.includes(e.label), `${e.label} in ${header}`);
  // The decode stage, which both runs have: families and categories with B − A changes.
  const decode = await p.$('section.tt-compare-stage[data-stage="decode"]');
  assert.ok(decode, 'a decode comparison');
  // Both runs' verdicts of the stage side by side, as their report files write them.
  const verdicts = await decode.$$eval('.tt-verdict-pair .tt-verdict-line', (l) => l.map((x) => x.textContent));
  const written = qwen.map((e) => JSON.parse(fs.readFileSync(path.join(site, 'reports', e.report), 'utf8'))
    .stages.find((st) => st.label === 'decode').verdict.text);
  assert.ok(written.every((t) => t.startsWith('decode: ')), `${written}`);
  assert.deepEqual([...verdicts].sort(), [...written].sort(), 'A and B verdicts');
  const families = await decode.$$eval('table[id^="cmp-families"] tbody tr', (rows) => rows.length);
  assert.ok(families > 0);
  const heads = await decode.$$eval('table[id^="cmp-categories"] th', (th) => th.map((h) => h.textContent));
  assert.ok(heads.some((h) => /Δ|change|B − A/i.test(h)), `delta column in ${heads}`);
  await p.click('#dash-back');
  await p.waitForSelector('#dash-runs tbody tr[data-id]');
  fail(p);
});

test('newer and broken files are skipped and named; the rest still works', async () => {
  const index = path.join(site, 'reports', 'index.json');
  const saved = fs.readFileSync(index, 'utf8');
  const manifest = JSON.parse(saved);
  const newer = { ...manifest.entries[0], id: 'from-the-future', report: 'from-the-future.json', report_version: 99 };
  manifest.entries.push(newer, 42);
  fs.writeFileSync(index, JSON.stringify(manifest));
  const victim = manifest.entries[1];
  const victimFile = path.join(site, 'reports', victim.report);
  const savedReport = fs.readFileSync(victimFile, 'utf8');
  fs.writeFileSync(victimFile, savedReport.slice(0, savedReport.length / 2));
  try {
    const p = await open();
    assert.equal((await rowIds(p)).length, NAMES.length, 'every good run is listed');
    const warn = await p.textContent('#dash-warnings');
    assert.match(warn, /from-the-future.*newer report version 99/);
    assert.match(warn, /entry 9.*not an object/);
    await p.click(`#dash-runs tr[data-id="${victim.id}"] td:nth-child(2)`);
    await p.waitForFunction((id) => (document.querySelector('#dash-warnings')?.textContent || '').includes(`Skipped ${id}`), victim.id);
    assert.match(await p.textContent('#dash-warnings'), /broken report/);
    assert.equal((await rowIds(p)).length, NAMES.length, 'still listed after the failed open');
    fail(p);
  } finally {
    fs.writeFileSync(index, saved);
    fs.writeFileSync(victimFile, savedReport);
  }
});

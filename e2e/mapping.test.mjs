// Two-trace mode in the browser (issue 7): two traces get roles (mapping / formal) in the
// landing page's role picker, the worker runs the mapping-formal triage, and the page shows
// the mode, both trace sets and the coverage line — with the same numbers as
// `tracetriage triage --mapping … --formal …` (markdown tables and JSON coverage).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, pageKernelRows, parseCliMarkdown, fail, TRACES, ARTIFACTS, CLI } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const MAPPING = 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz';
const FORMAL = 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz';

function cli(format) {
  return execFileSync(CLI, ['triage', '--mapping', path.join(TRACES, MAPPING), '--formal', path.join(TRACES, FORMAL),
    '--format', format], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The CLI's markdown: kernel rows of the first stage, its coverage line, the stages. */
function cliMarkdown() {
  return parseCliMarkdown(cli('md'));
}

test('two traces with roles: mapping-formal report equals the CLI', async () => {
  const p = await page(ctx);
  await p.click('#two-trace summary');
  await p.setInputFiles('#roles-file', [path.join(TRACES, FORMAL), path.join(TRACES, MAPPING)]);
  await p.waitForFunction(() => document.querySelectorAll('#roles-list li').length === 2);
  // Give each file its role by name.
  const names = await p.$$eval('#roles-list .tt-role-name', (els) => els.map((e) => e.textContent));
  for (let i = 0; i < names.length; i++) {
    const role = names[i] === MAPPING ? 'mapping' : 'formal';
    await p.selectOption(`#roles-list li:nth-child(${i + 1}) select`, role);
  }
  assert.match(await p.textContent('#roles-summary'), /1 mapping, 1 formal/);
  await p.screenshot({ path: path.join(ARTIFACTS, 'roles.png') });
  await p.click('#roles-triage');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });

  const header = await p.textContent('#header');
  assert.match(header, /mapping-formal/);
  assert.match(header, new RegExp(`Mapping traces.*${MAPPING.replace(/\./g, '\\.')}`));
  assert.match(header, new RegExp(`Formal traces.*${FORMAL.replace(/\./g, '\\.')}`));

  const want = cliMarkdown();
  assert.equal(await p.$$eval('.tt-tab', (t) => t.length), want.stages, 'one tab per formal stage');
  const rows = await pageKernelRows(p, 0);
  assert.deepEqual(rows.map((r) => r.slice(0, 6)), want.rows.map((r) => r.slice(0, 6)), 'kernel rows');
  assert.deepEqual(rows.map((r) => r.slice(6, 8)), want.rows.map((r) => r.slice(6, 8)), 'mapped sites');
  const coverage = await p.textContent('#stage-coverage');
  assert.equal(coverage, want.coverage);

  // The coverage figures of the CLI's JSON, as the page states them.
  const json = JSON.parse(cli('json'));
  assert.equal(json.mode, 'mapping-formal');
  const c = json.stages[0].coverage;
  assert.ok(c.mapping_ns > 0, 'some kernels are attributed through the mapping trace');
  const pct = (ns) => `${(100 * ns / c.total_ns).toFixed(1)}%`;
  assert.ok(coverage.includes(`through mapping ${pct(c.mapping_ns)}`), coverage);
  assert.ok(coverage.includes(`unattributed ${pct(c.unattributed_ns)}`), coverage);
  assert.ok(coverage.includes(`direct ${pct(c.direct_ns)}`), coverage);
  await p.screenshot({ path: path.join(ARTIFACTS, 'mapping-formal.png') });
  fail(p);
});

// Graph-capture traces in the browser: a vLLM profile folder (an execution trace and its
// `capture_traces/`) chosen as a folder gives graph-replayed kernels the Python line that
// launched them at capture ("[capture]"), with the same header, kernel rows and coverage
// line as `tracetriage triage DIR` (which finds the capture folder itself). A capture trace
// named `cuda_graph_capture-…` dropped beside loose trace files counts as one too, and one
// that cannot be read is named in a warning while the triage goes on without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, pageKernelRows, parseCliMarkdown, fail, TRACES, ARTIFACTS, CLI, needsCorpus } from './helpers.mjs';

const PARENT = path.join(TRACES, 'capture');
const RUN = 'vllm_gptoss_mi300x_piecewise';
const EXECUTION = `${RUN}/graph_execution.json.gz`;
const CAPTURE = `${RUN}/capture_traces/graph_capture_rank_0.1773709679453551615.pt.trace.json.gz`;

// Skipped when the corpus is absent, unless it is required.
const { present, corpus } = needsCorpus(test, [EXECUTION, CAPTURE].map((f) => path.join(PARENT, f)));

let ctx;
before(async () => { if (present) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

/** The CLI's markdown (run from the folder above the run, so paths read as on the page). */
function cliMarkdown(args) {
  return parseCliMarkdown(execFileSync(CLI, ['triage', ...args], { cwd: PARENT, encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** The kernel table's columns up to the CPU op (the page adds the roofline columns, which
 * the CLI's markdown shows only with --roofline; e2e/roofline.test.mjs compares those). */
const siteColumns = (rows) => rows.map((r) => r.slice(0, 8));

/** The page's header: { label: value }. */
async function pageHeader(p) {
  return p.$$eval('#header dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
}

/** Records every progress line the page shows (install before choosing files). */
async function recordProgress(p) {
  await p.evaluate(() => {
    window.seenProgress = [];
    new MutationObserver(() => {
      const e = document.querySelector('.tt-progress-phase');
      if (e && window.seenProgress.at(-1) !== e.textContent) window.seenProgress.push(e.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** Drops loose files (no folder paths): `[name, url or text]` pairs. */
async function dropLoose(p, files) {
  const dt = await p.evaluateHandle(async (files) => {
    const dt = new DataTransfer();
    for (const [name, url, text] of files) {
      const bytes = url ? await (await fetch(url)).arrayBuffer() : new TextEncoder().encode(text);
      dt.items.add(new File([bytes], name));
    }
    return dt;
  }, files);
  await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
}

corpus('a profile folder with capture_traces/: graph-replayed kernels get their capture-time source, as in the CLI', async () => {
  const p = await page(ctx);
  await recordProgress(p);
  await p.setInputFiles('#folder', path.join(PARENT, RUN));
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });

  // The capture trace was read (and named while it was), but it is no input trace or rank.
  const seen = await p.evaluate(() => window.seenProgress);
  assert.ok(seen.some((s) => s.includes(CAPTURE)), `progress named the capture trace: ${seen.join(' | ')}`);
  assert.equal(await p.$('#ranks-header'), null, 'not the all-ranks view');
  const header = await pageHeader(p);
  assert.equal(header['Input traces'], EXECUTION);
  assert.ok(header['Capture traces'].startsWith(`${CAPTURE} (rank 0:`), header['Capture traces']);

  const want = cliMarkdown([RUN]);
  for (const label of ['Mode', 'Framework', 'Input traces', 'Capture traces', 'GPU']) {
    assert.equal(header[label], want.header[label], `header: ${label}`);
  }
  assert.equal(await p.$$eval('.tt-tab', (t) => t.length), want.stages, 'one tab per stage');
  const rows = await pageKernelRows(p, 0);
  assert.deepEqual(siteColumns(rows), want.rows, 'kernel rows, sites and CPU ops');
  assert.ok(rows.some((r) => /triton_kernel_fused_experts \[capture\]/.test(r[6])), 'a [capture] location');
  const coverage = await p.textContent('#stage-coverage');
  assert.equal(coverage, want.coverage);
  assert.match(coverage, /through capture [1-9]/);
  assert.match(coverage, /Capture traces aligned/);

  // The coverage figures of the CLI's JSON, as the page states them.
  const json = JSON.parse(execFileSync(CLI, ['triage', RUN, '--format', 'json'], { cwd: PARENT, encoding: 'utf8', maxBuffer: 64 << 20 }));
  assert.deepEqual(json.inputs.map((i) => i.path), [EXECUTION]);
  assert.deepEqual(json.captures.map((c) => c.path), [CAPTURE]);
  const c = json.stages[0].coverage;
  const pct = (ns) => `${(100 * ns / c.total_ns).toFixed(1)}%`;
  assert.ok(c.capture_ns > 0, 'some kernels are attributed through the capture trace');
  assert.ok(coverage.includes(`through capture ${pct(c.capture_ns)}`), coverage);
  assert.ok(coverage.includes(`direct ${pct(c.direct_ns)}`), coverage);
  assert.equal(await p.$('#load-warnings'), null, 'no warning');
  await p.screenshot({ path: path.join(ARTIFACTS, 'capture.png') });
  fail(p);
});

corpus('loose files: a cuda_graph_capture-… file is a capture trace; one that cannot be read is a warning', async () => {
  const p = await page(ctx);
  const url = (f) => `${ctx.base}traces/capture/${f}`;
  const loose = 'cuda_graph_capture-ModelRunner-TP-0.json.gz';
  await dropLoose(p, [['graph_execution.json.gz', url(EXECUTION)], [loose, url(CAPTURE)]]);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  let header = await pageHeader(p);
  assert.equal(header['Input traces'], 'graph_execution.json.gz');
  assert.ok(header['Capture traces'].startsWith(`${loose} (rank 0:`), header['Capture traces']);
  const want = cliMarkdown([EXECUTION, '--capture', CAPTURE]);
  assert.deepEqual(siteColumns(await pageKernelRows(p, 0)), want.rows, 'kernel rows as with --capture');
  assert.equal(await p.textContent('#stage-coverage'), want.coverage);
  fail(p);

  // A capture trace whose first bytes look like a trace but that holds no events: the
  // triage goes on without it (as `tracetriage triage --no-capture`) and says so.
  const q = await page(ctx);
  const broken = 'cuda_graph_capture-ModelRunner-TP-1.json';
  await dropLoose(q, [['graph_execution.json.gz', url(EXECUTION)], [broken, null, '{"schemaVersion": 1}']]);
  await q.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  const warning = await q.textContent('#load-warnings');
  assert.match(warning, new RegExp(`Capture trace not used: ${broken.replace(/\./g, '\\.')}: `), warning);
  header = await pageHeader(q);
  assert.equal(header['Capture traces'], undefined, 'no capture trace in the report');
  const without = cliMarkdown([EXECUTION, '--no-capture']);
  assert.deepEqual(siteColumns(await pageKernelRows(q, 0)), without.rows, 'kernel rows as with --no-capture');
  assert.equal(await q.textContent('#stage-coverage'), without.coverage);
  assert.doesNotMatch(without.coverage, /through capture/);
  await q.screenshot({ path: path.join(ARTIFACTS, 'capture-warning.png') });
  fail(q);

  // Only capture traces: nothing to triage, and the page says why.
  const r = await page(ctx);
  await dropLoose(r, [[loose, url(CAPTURE)]]);
  await r.waitForSelector('.tt-error, #error', { timeout: 60000 });
  assert.match(await r.textContent('body'), /only graph-capture traces were chosen/);
  fail(r);
});

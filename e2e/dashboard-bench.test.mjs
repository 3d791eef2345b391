// Dashboard benchmark (run with BENCH=1; skipped otherwise): the page shows 1,000 generated
// runs (`#dashboard-synthetic=1000`, report::dashboard::synthetic) — manifest read, run list
// and trend chart drawn and painted — in under a second. The page measures itself (from
// the manifest's text to the first task after the next frame) and writes the figures on
// #dash-timing; figures go to stdout and to README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, stop } from './helpers.mjs';

const run = process.env.BENCH ? test : test.skip;
const RUNS = Number(process.env.RUNS || 1000);
let ctx;
before(async () => { if (process.env.BENCH) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

run(`${RUNS} generated runs: manifest read + list drawn in under a second`, async () => {
  const p = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  const totals = [];
  for (let i = 0; i < 6; i++) {
    const t0 = Date.now();
    await p.goto(`${ctx.base}?r=${i}#dashboard-synthetic=${RUNS}`);
    await p.waitForSelector('#dash-timing[data-render-ms]', { timeout: 60000 });
    const wall = Date.now() - t0;
    const { parse, render } = await p.$eval('#dash-timing', (el) => ({
      parse: Number(el.dataset.parseMs), render: Number(el.dataset.renderMs),
    }));
    assert.equal(await p.$$eval('#dash-runs tbody tr[data-id]', (r) => r.length), RUNS);
    assert.ok(await p.$('#trend-chart svg'));
    if (i > 0) totals.push({ parse, render, total: parse + render, wall }); // the first load warms caches
  }
  totals.sort((a, b) => a.total - b.total);
  const med = totals[Math.floor(totals.length / 2)];
  console.log(`dashboard of ${RUNS} generated runs: median manifest read ${med.parse.toFixed(1)} ms + list drawn ${med.render.toFixed(0)} ms = ${med.total.toFixed(0)} ms (best ${totals[0].total.toFixed(0)} ms; page load incl. wasm ${med.wall} ms)`);
  // Filtering the 1,000 rows.
  const t1 = Date.now();
  await p.fill('#dash-filter', 'mixtral');
  await p.waitForFunction((n) => document.querySelectorAll('#dash-runs tbody tr[data-id]').length < n, RUNS);
  console.log(`filter of ${RUNS} runs: ${Date.now() - t1} ms (including the test driver's round trips)`);
  assert.deepEqual(problems, []);
  assert.ok(med.total < 1000, `median ${med.total} ms`);
});

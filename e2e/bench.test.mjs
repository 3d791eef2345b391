// Browser benchmarks (run with BENCH=1; skipped otherwise): time to tables for the 32.9 MB
// SGLang trace on a warm page, throughput and wasm memory on a 1 GiB trace with the
// progress bar moving. Figures go to stdout and to README. (The shipped wasm size is checked
// on every run by size.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ROOT } from './helpers.mjs';

const run = process.env.BENCH ? test : test.skip;
let ctx;
before(async () => { if (process.env.BENCH) ctx = await start(); });
after(async () => { if (ctx) await stop(ctx); });

async function openAndWait(p, file) {
  const t0 = Date.now();
  await p.setInputFiles('#file', file);
  try {
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  } catch (e) {
    const body = await p.textContent('body').catch(() => '?');
    throw new Error(`${path.basename(file)}: no tables after 120 s; page says: ${body.slice(0, 400)}; problems: ${p.problems.join(' | ')}`);
  }
  return Date.now() - t0;
}

run('32.9 MB SGLang trace: file chosen → tables rendered, warm page', async () => {
  const p = await page(ctx);
  const file = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz');
  await openAndWait(p, file); // warm-up: worker and wasm started
  const times = [];
  for (let i = 0; i < 5; i++) {
    await p.click('#new-trace');
    await p.waitForSelector('#drop');
    times.push(await openAndWait(p, file));
  }
  times.sort((a, b) => a - b);
  console.log(`BENCH tp0_time_to_tables_ms best=${times[0]} median=${times[2]} all=${times.join(',')}`);
  assert.ok(times[2] <= 500, `median ${times[2]} ms`);
  fail(p);
});

run('1 GiB trace: throughput, wasm memory, progress', async () => {
  const big = process.env.BENCH_BIG || path.join(ROOT, 'target/bench/sglang-1gib.trace.json.gz');
  assert.ok(fs.existsSync(big), `make it with scripts/bench-load.sh (${big})`);
  // A user takes a moment to pick a file: the page's warm-up (src/client/warmup.rs) finishes
  // first. BENCH_COLD=1 opens the page with `?cold` (no warm-up) and picks the file at once.
  const cold = Boolean(process.env.BENCH_COLD);
  const p = await page(ctx, { query: cold ? '?cold' : '' });
  if (!cold) {
    const t0 = Date.now();
    await p.waitForSelector('html[data-warmup="done"]', { timeout: 60000 });
    console.log(`BENCH warmup_ms=${Date.now() - t0} (after the landing view showed)`);
  }
  await p.evaluate(() => {
    window.__updates = [];
    new MutationObserver(() => {
      const el = document.querySelector('#progress-detail');
      if (el) window.__updates.push([performance.now(), el.textContent]);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const ms = await openAndWait(p, big);
  const origin = await p.textContent('#origin');
  const updates = await p.evaluate(() => window.__updates);
  const m = origin.match(/in (\d+) ms \(([\d.]+) (MB|GB) of JSON.*engine memory ([\d.]+) (MB|GB)/);
  assert.ok(m, origin);
  const bytes = Number(m[2]) * (m[3] === 'GB' ? 1e9 : 1e6);
  const memory = Number(m[4]) * (m[5] === 'GB' ? 1e9 : 1e6);
  const total = Number(m[1]);
  const times = updates.map((u) => u[0]);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  const distinct = new Set(updates.map((u) => u[1])).size;
  console.log(`BENCH big_total_ms=${total} wall_ms=${ms} mb_per_s=${(bytes / 1e6 / (total / 1e3)).toFixed(0)} wasm_memory_mb=${(memory / 1048576).toFixed(0)} progress_updates=${distinct} max_gap_ms=${gap.toFixed(0)} origin=${JSON.stringify(origin)}`);
  assert.ok(bytes / (total / 1e3) >= 200e6, 'at least 200 MB/s');
  assert.ok(memory <= 512 * 1048576, 'wasm memory at most 512 MiB');
  assert.ok(distinct >= (total / 1000) * 4 * 0.8, `progress moved ${distinct} times in ${total} ms`);
  fail(p);
});

run('four rank files: together (child workers) vs one at a time vs four single loads', async () => {
  const files = [0, 1, 2, 3].map((r) => path.join(TRACES, `sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-${r}.trace.json.gz`));
  // Each figure: a fresh, warm page (its worker started), then files chosen → tables shown.
  const timed = async (query, chosen, selector) => {
    const p = await page(ctx);
    await p.goto(`${ctx.base}${query}`);
    await p.waitForSelector('#drop');
    await p.setInputFiles('#file', files[0]);
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 }); // warm-up
    await p.goto(`${ctx.base}${query}`);
    await p.waitForSelector('#drop');
    await p.waitForTimeout(500);
    const t0 = Date.now();
    await p.setInputFiles('#file', chosen);
    await p.waitForSelector(selector, { timeout: 600000 });
    const ms = Date.now() - t0;
    fail(p);
    await p.close();
    return ms;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const together = [], children = [], singles = [];
  for (let i = 0; i < 3; i++) {
    together.push(await timed('', files, '#skew-0 tbody tr'));
    children.push(await timed('?workers=2', files, '#skew-0 tbody tr'));
    let sum = 0;
    for (const f of files) sum += await timed('', f, '#kernels-0 tbody tr');
    singles.push(sum);
  }
  console.log(`BENCH ranks_together_ms=${median(together)} ranks_two_children_ms=${median(children)} four_single_loads_ms=${median(singles)} all=${together}/${children}/${singles}`);
  assert.ok(median(together) < median(singles), 'loading the four ranks together beats four single loads');
});

// Issue 23, item 3: an 8 GiB trace (`scale-trace --mb 8192`; BENCH_HUGE=FILE picks
// another). It loads whole when its model is estimated to fit the worker's budget; else the
// page refuses early and the bench takes the offered time window. Either way: time, wasm
// memory, progress updates and the longest gap between them.
run('8 GiB trace: loads whole or refuses early and loads a window; memory, progress', async () => {
  const huge = process.env.BENCH_HUGE || path.join(ROOT, 'target/bench/sglang-8gib.trace.json.gz');
  assert.ok(fs.existsSync(huge), `make it with ../shared/tools/scale-trace --mb 8192 (${huge})`);
  const p = await page(ctx);
  const watch = () => p.evaluate(() => {
    window.__updates = [];
    new MutationObserver(() => {
      const el = document.querySelector('#progress-detail');
      if (el) window.__updates.push([performance.now(), el.textContent]);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const progress = async () => {
    const updates = await p.evaluate(() => window.__updates);
    let gap = 0;
    for (let i = 1; i < updates.length; i++) gap = Math.max(gap, updates[i][0] - updates[i - 1][0]);
    return { updates: new Set(updates.map((u) => u[1])).size, gap: gap.toFixed(0) };
  };
  await watch();
  let t0 = Date.now();
  await p.setInputFiles('#file', huge);
  const outcome = await Promise.race([
    p.waitForSelector('#kernels-0 tbody tr', { timeout: 1800000 }).then(() => 'whole'),
    p.waitForSelector('#error', { timeout: 1800000 }).then(() => 'refused'),
  ]);
  let ms = Date.now() - t0;
  let pr = await progress();
  if (outcome === 'refused') {
    const message = await p.textContent('#error .tt-error-message');
    console.log(`BENCH huge_refused_ms=${ms} progress_updates=${pr.updates} max_gap_ms=${pr.gap} message=${JSON.stringify(message)}`);
    assert.ok(await p.$('#load-window'), `a window is offered: ${message}`);
    await watch();
    t0 = Date.now();
    await p.click('#load-window');
    await p.waitForSelector('#kernels-0 tbody tr', { timeout: 1800000 });
    ms = Date.now() - t0;
    pr = await progress();
  }
  const origin = await p.textContent('#origin');
  const m = origin.match(/in (\d+) ms \(([\d.]+) (MB|GB) of JSON.*engine memory ([\d.]+) (MB|GB)/);
  assert.ok(m, origin);
  const memory = Number(m[4]) * (m[5] === 'GB' ? 1e9 : 1e6);
  console.log(`BENCH huge_${outcome === 'whole' ? 'whole' : 'window'}_ms=${ms} wasm_memory_mib=${(memory / 1048576).toFixed(0)} progress_updates=${pr.updates} max_gap_ms=${pr.gap} origin=${JSON.stringify(origin)}`);
  assert.ok(memory <= 2048 * 1048576, 'wasm memory at most 2 GiB');
  assert.ok(pr.updates >= (ms / 1000) * 4 * 0.8, `progress moved ${pr.updates} times in ${ms} ms`);
  fail(p);
});

// End-to-end tests of the report's interactive parts in headless Chromium: the overlap
// timeline (drawn by the engine in the worker), the catalog side panel behind fuse and
// overlap rows, and an extra catalog file applied to the report on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const LORA = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz');

async function open(p, file) {
  await p.setInputFiles('#file', file);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
}

/** Moves the mouse over lane bars of the drawing until the hover card appears. */
async function hoverSomeKernel(p) {
  // The stage's verdict card sits above the timeline: bring the drawing into view first.
  await p.$eval('#tl-canvas', (e) => e.scrollIntoView({ block: 'center' }));
  const boxes = await p.$$eval('#tl-canvas svg rect', (rects) => rects
    .map((r) => r.getBoundingClientRect())
    .filter((b) => b.width >= 2 && b.height >= 6 && b.height <= 40)
    .sort((a, b) => b.width - a.width)
    .slice(0, 40)
    .map((b) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 })));
  assert.ok(boxes.length > 0, 'the drawing has lane bars');
  for (const { x, y } of boxes) {
    await p.mouse.move(x, y);
    try {
      await p.waitForSelector('#tl-tip', { timeout: 1500 });
      return;
    } catch { /* shading or a gap: try the next bar */ }
  }
  assert.fail('no bar of the drawing gave a hover card');
}

test('timeline: drawn per stage, hover facts, zoom to a step, wheel zoom', async () => {
  const p = await page(ctx);
  await open(p, LORA);
  await p.waitForSelector('#tl-canvas svg', { timeout: 30000 });
  const rects = await p.$$eval('#tl-canvas svg rect', (r) => r.length);
  assert.ok(rects > 20, `the drawing has kernels (${rects} rects)`);
  // Lane labels name streams.
  assert.match(await p.textContent('#tl-canvas svg'), /stream/);
  const before = await p.textContent('#tl-window');
  assert.match(before, /ms after the trace start/);

  await hoverSomeKernel(p);
  const tip = await p.textContent('#tl-tip');
  // Category · duration · lane, then the Python site (or that it is unresolved).
  assert.match(tip, /(attention|gemm|moe|communication|norm|rope|activation|quantization|sampling|memory|elementwise|reduction|conv|embedding|ssm|metadata|other)[^·]*·\s*[\d.]+\s*(ns|µs|ms)/, tip);
  await p.screenshot({ path: path.join(ARTIFACTS, 'timeline-hover.png') });
  await p.mouse.move(5, 5);
  await p.waitForSelector('#tl-tip', { state: 'detached' });

  // Zoom to the whole stage, then to one step: the window shrinks to that step.
  await p.click('#tl-stage');
  await p.waitForFunction((b) => document.querySelector('#tl-window').textContent !== b, before);
  const whole = await p.textContent('#tl-window');
  const options = await p.$$eval('#tl-step option', (o) => o.map((x) => x.value).filter((v) => v));
  assert.ok(options.length >= 2, `steps listed (${options.length})`);
  const [a, b] = options[1].split('-').map(Number);
  await p.selectOption('#tl-step', options[1]);
  await p.waitForFunction((w) => document.querySelector('#tl-window').textContent !== w, whole);
  const shown = await p.textContent('#tl-window');
  const m = shown.match(/^([\d.]+) – ([\d.]+) ms/);
  assert.ok(m, shown);
  assert.ok(Math.abs((Number(m[2]) - Number(m[1])) * 1e6 - (b - a)) < 2e3, `${shown} is the step (${b - a} ns)`);
  await p.screenshot({ path: path.join(ARTIFACTS, 'timeline-step.png') });

  // Wheel over the drawing zooms in around the pointer.
  await p.$eval('#tl-canvas', (e) => e.scrollIntoView({ block: 'center' }));
  const box = await p.$eval('#tl-canvas', (e) => { const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  await p.mouse.move(box.x, box.y);
  await p.mouse.wheel(0, -200);
  await p.waitForFunction((w) => document.querySelector('#tl-window').textContent !== w, shown);
  const zoomed = (await p.textContent('#tl-window')).match(/^([\d.]+) – ([\d.]+) ms/);
  assert.ok(Number(zoomed[2]) - Number(zoomed[1]) < Number(m[2]) - Number(m[1]), 'the window got shorter');
  fail(p);
});

test('catalog panel: a fuse row opens its catalog entry', async () => {
  const p = await page(ctx);
  await open(p, LORA);
  const rows = await p.$$('#fuse-0 tbody tr');
  assert.ok(rows.length > 0, 'the decode stage has fuse rows');
  const family = (await rows[0].$eval('td', (td) => td.textContent.trim()));
  await rows[0].click();
  await p.waitForSelector('#catalog-panel');
  const panel = await p.textContent('#catalog-panel');
  assert.ok(panel.includes(family), `the panel shows ${family}: ${panel.slice(0, 200)}`);
  assert.match(panel, /Signals/);
  assert.match(panel, /Source paths|Pull requests/);
  await p.screenshot({ path: path.join(ARTIFACTS, 'catalog-panel.png') });
  await p.click('#catalog-close');
  await p.waitForSelector('#catalog-panel', { state: 'detached' });
  fail(p);
});

test('an extra catalog file: a bad one says where, a good one adds its pattern to the report', async () => {
  const p = await page(ctx);
  await open(p, LORA);
  const fuseText = async () => (await p.$$eval('[id^="fuse-"] tbody tr', (rows) => rows.map((r) => r.textContent))).join('\n');
  assert.doesNotMatch(await fuseText(), /Team: fused LoRA expand/);

  await p.setInputFiles('#catalog-file', { name: 'bad.toml', mimeType: 'text/plain', buffer: Buffer.from('x = [') });
  await p.waitForFunction(() => (document.querySelector('#catalog-message')?.textContent ?? '').length > 0);
  assert.match(await p.textContent('#catalog-message'), /bad\.toml: line 1, column 6/);

  const good = `
[[pattern]]
id = "team-fused-lora-expand"
name = "Team: fused LoRA expand"
framework = "sglang"
origin = "inflight"
pr = "example/team#42"
rationale = "Our fused LoRA shrink+expand kernel."
paths = ["python/sglang/srt/lora/triton_ops/"]
fused.kernel = ["_chunked_lora_expand_kernel"]
`;
  await p.setInputFiles('#catalog-file', { name: 'team.toml', mimeType: 'text/plain', buffer: Buffer.from(good) });
  await p.waitForFunction(() => /team\.toml in use/.test((document.querySelector('#catalog-message')?.textContent ?? '')));
  await p.waitForFunction(() => [...document.querySelectorAll('[id^="fuse-"] tbody tr')].some((r) => r.textContent.includes('Team: fused LoRA expand')), null, { timeout: 30000 });
  const row = (await fuseText()).split('\n').find((r) => r.includes('Team: fused LoRA expand'));
  assert.match(row, /Confirmed/);
  assert.match(row, /_chunked_lora_expand_kernel/);
  // Its catalog entry comes from the user's file.
  const rowEl = await p.$('[id^="fuse-"] tbody tr:has-text("Team: fused LoRA expand")');
  await rowEl.click();
  await p.waitForSelector('#catalog-panel');
  assert.match(await p.textContent('#catalog-panel'), /team-fused-lora-expand/);
  assert.match(await p.textContent('#catalog-panel'), /python\/sglang\/srt\/lora\/triton_ops\//);
  fail(p);
});

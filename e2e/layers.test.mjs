// The Layers tab (issue 9): forward passes and layers found by the engine in the worker,
// the layer heat map (plotters SVG), a click on a layer (its kernels, and the overlap
// timeline zoomed to it), a config.json chosen beside the trace — with the same numbers
// as `tracetriage layers --format json`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { start, stop, page, fail, TRACES, ARTIFACTS, CLI } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const LORA = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz');

function cliLayers(...args) {
  return JSON.parse(execFileSync(CLI, ['layers', LORA, '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const cellTexts = (p, id) => p.$$eval(`#${id} tbody tr`, (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));

test('layers tab: passes, heat map and a layer click match the CLI', async () => {
  const p = await page(ctx);
  await p.setInputFiles('#file', LORA);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  await p.click('#tab-layers');
  await p.waitForSelector('#layers-heatmap svg', { timeout: 60000 });

  const want = cliLayers();
  // The all-passes summary: one row per pass, layer counts as the CLI's JSON (48 each).
  const passes = await cellTexts(p, 'layers-passes');
  assert.equal(passes.length, want.passes.length, 'passes');
  assert.ok(want.passes.every((x) => x.layers === 48), 'the CLI finds 48 layers per pass');
  const header = await p.$$eval('#layers-passes thead th', (th) => th.map((t) => t.textContent.trim()));
  const layersCol = header.findIndex((h) => /^Layers/.test(h));
  assert.ok(layersCol >= 0, `a Layers column in ${header}`);
  assert.deepEqual(passes.map((r) => Number(r[layersCol])), want.passes.map((x) => x.layers));

  // The pass's layer table: one row per layer, kernel counts as the CLI's.
  const layers = await cellTexts(p, 'layers-table');
  assert.equal(layers.length, want.pass.layers.length);
  // The heat map: one cell per layer and group, layer numbers on the axis.
  const cells = await p.$$eval('#layers-heatmap svg rect', (r) => r.length);
  assert.ok(cells >= want.pass.layers.length, `${cells} rects for ${want.pass.layers.length} layers`);
  await p.screenshot({ path: path.join(ARTIFACTS, 'layers-tab.png'), fullPage: true });

  // Click the column of layer 5 (the heat map maps x to a layer as the engine lays it out).
  await p.$eval('#layers-heatmap', (d) => d.scrollIntoView({ block: 'center' }));
  const box = await p.$eval('#layers-heatmap', (d) => { const b = d.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; });
  const left = Math.min(box.w / 5, 110);
  const right = 6;
  const cell = (Math.round(box.w) - right - Math.round(left)) / want.pass.layers.length;
  await p.mouse.click(box.x + Math.round(left) + cell * 5.5, box.y + box.h / 2);
  await p.waitForSelector('#layer-title', { timeout: 30000 });
  const title = await p.textContent('#layer-title');
  const m = title.match(/^Layer (\d+) of pass (\d+)/);
  assert.ok(m, title);
  assert.equal(Number(m[1]), 5, title);
  const detail = cliLayers('--pass', m[2], '--layer', m[1]);
  const kernels = await cellTexts(p, 'layer-kernels');
  assert.equal(kernels.length, detail.layer.kernels.length, 'the layer\'s kernels');
  assert.equal(detail.layer.kernels.length, want.pass.layers[5].kernels);
  // The timeline zooms to the layer: the window shown is the layer's wall time.
  await p.waitForFunction(() => /ms after the trace start/.test(document.querySelector('#tl-window')?.textContent || ''));
  await p.waitForFunction((wall) => {
    const t = document.querySelector('#tl-window').textContent.match(/([\d.]+) – ([\d.]+) ms/);
    return t && Math.abs((Number(t[2]) - Number(t[1])) * 1e6 - wall) < 2000;
  }, detail.layer.wall_ns, { timeout: 30000 });
  await p.screenshot({ path: path.join(ARTIFACTS, 'layers-click.png'), fullPage: true });
  fail(p);
});

test('layers tab: a config.json dropped beside the trace (or chosen in the tab) sets layer types and the model summary', async () => {
  const config = JSON.stringify({
    architectures: ['Qwen3MoeForCausalLM'], model_type: 'qwen3_moe', num_hidden_layers: 48,
    hidden_size: 2048, num_attention_heads: 32, num_key_value_heads: 4, num_experts: 128, num_experts_per_tok: 8,
  });
  const fs = await import('node:fs');
  const file = path.join(ARTIFACTS, 'qwen3-config.json');
  fs.writeFileSync(file, config);
  const want = cliLayers('--config', file);
  assert.equal(want.config_layers, 48);
  assert.ok(want.model.length > 0, 'the CLI lists a model summary');

  const p = await page(ctx);
  // The trace and its config.json chosen together, as they sit in a model folder.
  await p.setInputFiles('#file', [
    { name: path.basename(LORA), mimeType: 'application/gzip', buffer: fs.readFileSync(LORA) },
    { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(config) },
  ]);
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  await p.click('#tab-layers');
  await p.waitForSelector('#layers-heatmap svg', { timeout: 60000 });
  assert.match(await p.textContent('#layers-config-name'), /config\.json/);
  // The header gains a `config.json: 48 layers` line once the worker has used the file.
  await p.waitForFunction(() => [...document.querySelectorAll('#layers-header dt')]
    .some((dt) => dt.textContent === 'config.json' && dt.nextElementSibling.textContent === '48 layers'), null, { timeout: 30000 });
  const model = await p.$$eval('#layers-model dd', (dd) => dd.map((d) => d.textContent));
  assert.deepEqual(model, want.model.map((f) => f.value));
  const types = await cellTexts(p, 'layers-table');
  assert.deepEqual(types.map((r) => r[1]), want.pass.layers.map((l) => l.type), 'layer types from config.json');

  // Another config chosen in the tab: a layer count the trace disagrees with is noted.
  await p.setInputFiles('#layers-config', { name: 'other-config.json', mimeType: 'application/json', buffer: Buffer.from('{"num_hidden_layers": 32}') });
  await p.waitForFunction(() => /config\.json says 32 layers/.test(document.querySelector('#layers-notes').textContent), null, { timeout: 30000 });
  fail(p);
});

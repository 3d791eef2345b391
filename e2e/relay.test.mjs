// Live capture from the page: a fake SGLang server (the relay's own test fake, built as
// the `fake_server` example) and `tracetriage-relay serve --app dist/` started here; the
// page served by the relay runs a capture and renders the report of the captured traces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, TRACES, ARTIFACTS } from './helpers.mjs';

const BIN = process.env.TRACETRIAGE_BIN_DIR || path.join(ROOT, 'target', 'release');
let fake, relay, browser, out, mappingFake, formalFake;

function firstLine(child, pattern) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      const m = buf.match(pattern);
      if (m) resolve(m[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${buf}`)));
    setTimeout(() => reject(new Error(`no match for ${pattern} in: ${buf}`)), 20000);
  });
}

before(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-capture-'));
  fake = spawn(path.join(BIN, 'examples', 'fake_server'), ['sglang',
    path.join(TRACES, 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz'),
    path.join(TRACES, 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz')]);
  const fakeUrl = await firstLine(fake, /http:\/\/127\.0\.0\.1:\d+(?=\s)/);
  // A two-server pair: the same model with CUDA graphs off (mapping) and on (formal).
  const pairFake = (graphs) => spawn(path.join(BIN, 'examples', 'fake_server'), ['sglang',
    path.join(TRACES, 'hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz'),
    path.join(TRACES, 'sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz'), `graphs=${graphs}`]);
  mappingFake = pairFake('off');
  formalFake = pairFake('on');
  const mappingUrl = await firstLine(mappingFake, /http:\/\/127\.0\.0\.1:\d+(?=\s)/);
  const formalUrl = await firstLine(formalFake, /http:\/\/127\.0\.0\.1:\d+(?=\s)/);
  relay = spawn(path.join(BIN, 'tracetriage-relay'), ['serve', '--out', out, '--app', path.join(ROOT, 'dist'), '--port', '0']);
  const relayUrl = await firstLine(relay, /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+(?=\s)/);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  Object.assign(globalThis, { fakeUrl, relayUrl, mappingUrl, formalUrl });
});

after(async () => {
  await browser?.close();
  relay?.kill();
  fake?.kill();
  mappingFake?.kill();
  formalFake?.kill();
  fs.rmSync(out, { recursive: true, force: true });
});

test('capture through the relay and triage in the page', async () => {
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await p.goto(globalThis.relayUrl);
  await p.waitForSelector('#drop', { timeout: 60000 });
  await p.waitForSelector('#capture[open]');
  assert.equal(await p.$('#relay-url'), null, 'the relay that served the page is used directly');
  await p.fill('#server-url', globalThis.fakeUrl);
  await p.selectOption('#framework', 'sglang');
  await p.fill('#steps', '2');
  await p.fill('#warmup', '2');
  await p.fill('#decode-len', '48');
  await p.click('#capture-start');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  const header = await p.textContent('#header');
  assert.match(header, /SGLang/);
  assert.match(header, /prefill\//, 'the captured prefill trace');
  assert.match(header, /decode\//, 'the captured decode trace');
  const tabs = await p.$$eval('.tt-tab .tt-tab-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(tabs, ['extend/prefill', 'decode']);
  await p.screenshot({ path: path.join(ARTIFACTS, 'relay-capture.png') });
  // The relay kept the capture on disk.
  const dirs = fs.readdirSync(out);
  assert.equal(dirs.length, 1);
  assert.ok(fs.existsSync(path.join(out, dirs[0], 'report.json')));
  assert.deepEqual(problems, []);
});

test('a bad token is refused with a clear message', async () => {
  const p = await browser.newPage();
  const bad = globalThis.relayUrl.replace(/token=[0-9a-f]+/, 'token=0000000000000000000000000000');
  await p.goto(bad);
  await p.fill('#server-url', globalThis.fakeUrl);
  await p.click('#capture-start');
  await p.waitForSelector('#capture-error');
  assert.match(await p.textContent('#capture-error'), /refused/);
});

test('a two-server capture (graphs off / on) opens as a mapping + formal triage', async () => {
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await p.goto(globalThis.relayUrl);
  await p.waitForSelector('#capture[open]', { timeout: 60000 });
  await p.fill('#mapping-url', globalThis.mappingUrl);
  await p.fill('#formal-url', globalThis.formalUrl);
  await p.fill('#steps', '2');
  await p.fill('#warmup', '2');
  await p.fill('#decode-len', '48');
  await p.click('#capture-start');
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 120000 });
  const header = await p.textContent('#header');
  assert.match(header, /mapping\//, 'the mapping server\'s traces');
  assert.match(header, /formal\//, 'the formal server\'s traces');
  await p.screenshot({ path: path.join(ARTIFACTS, 'relay-capture-pair.png') });
  const pair = fs.readdirSync(out).filter((d) => /^sglang-pair-/.test(d));
  assert.equal(pair.length, 1);
  const record = JSON.parse(fs.readFileSync(path.join(out, pair[0], 'capture.json'), 'utf8'));
  assert.equal(record.mode, 'mapping-formal');
  assert.equal(record.mapping.graphs.setting, 'off');
  assert.equal(record.formal.graphs.setting, 'on');
  assert.deepEqual(problems, []);
});

// Answers and errors reach the request that asked (issue 18): the page used to hand an
// error to whichever request it had sent last, so a timeline hover sent while another
// request was in flight swallowed that request's error and the page waited for ever.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, stop, fail, TRACES } from './helpers.mjs';

let ctx;
before(async () => { ctx = await start(); });
after(async () => { await stop(ctx); });

const LORA = path.join(TRACES, 'sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz');

// Runs in the page before its own scripts: records the kind of every request the page
// posts to its engine worker (`window.sent`), lets a test change a request of a given kind
// before it goes (`window.beforePost = { kind, change(request) }`) and act right after it
// went (`window.afterPost = { kind, run() }`), and offers `window.hoverTimeline()`: a mouse
// move over the drawn timeline, which sends a hover request.
function instrument() {
  window.sent = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    let kind = null;
    if (message && typeof message.request === 'string') {
      const r = JSON.parse(message.request);
      kind = r.kind ?? r.request?.kind ?? null;
      if (window.beforePost && window.beforePost.kind === kind) {
        message.request = JSON.stringify(window.beforePost.change(r));
      }
      window.sent.push(kind);
    }
    const result = post.call(this, message, ...rest);
    if (kind && window.afterPost && window.afterPost.kind === kind) {
      const hook = window.afterPost;
      window.afterPost = null;
      hook.run();
    }
    return result;
  };
  window.hoverTimeline = () => {
    const canvas = document.querySelector('#tl-canvas');
    const box = canvas.getBoundingClientRect();
    const at = { bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + 90 };
    canvas.dispatchEvent(new MouseEvent('mousemove', at));
  };
}

async function open(file) {
  const p = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  p.problems = [];
  p.on('console', (m) => { if (m.type() === 'error') p.problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => p.problems.push(`pageerror: ${e.message}`));
  await p.addInitScript(instrument);
  await p.goto(ctx.base);
  await p.waitForSelector('#drop', { timeout: 60000 });
  if (file) {
    await p.setInputFiles('#file', file);
  } else {
    await p.click('#sample');
  }
  await p.waitForSelector('#kernels-0 tbody tr', { timeout: 60000 });
  return p;
}

/** Waits until a timeline is drawn (hovering needs the window it shows). */
async function timelineDrawn(p) {
  await p.waitForFunction(() => /ms after the trace start/.test(document.querySelector('#tl-window')?.textContent || ''), null, { timeout: 60000 });
}

test('a failed layers request shows its error although a hover was sent after it', async () => {
  const p = await open(LORA);
  await p.click('#tab-layers');
  await p.waitForSelector('#layers-heatmap svg', { timeout: 60000 });
  await timelineDrawn(p);
  // In one task: ask for a profile that does not exist, then hover the timeline; both
  // requests are in flight when the worker answers the first with an error.
  await p.evaluate(() => {
    const select = document.querySelector('#layers-profile');
    const option = document.createElement('option');
    option.value = 'no-such-profile';
    select.append(option);
    select.value = 'no-such-profile';
    window.sent.length = 0;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    window.hoverTimeline();
  });
  assert.deepEqual(await p.evaluate(() => window.sent), ['layers', 'hover'], 'the hover was sent after the layers request');
  await p.waitForSelector('#layers-error', { timeout: 30000 });
  assert.match(await p.textContent('#layers-error'), /unknown profile "no-such-profile"/);
  fail(p);
});

test('a failed triage shows its error although a timeline hover was sent during it', async () => {
  const p = await open(null);
  await timelineDrawn(p);
  // The page checks an extra catalog before it triages again; the worker is made to read
  // a broken one, so the retriage fails. Right after the retriage is posted, while the
  // report (and its timeline) is still on screen, the timeline is hovered.
  await p.evaluate(() => {
    window.beforePost = {
      kind: 'retriage',
      change: (r) => {
        (r.request ?? r).catalog = { name: 'broken.toml', text: 'x = [' };
        return r;
      },
    };
    window.afterPost = { kind: 'retriage', run: () => window.hoverTimeline() };
  });
  await p.setInputFiles('#catalog-file', { name: 'team.toml', mimeType: 'text/plain', buffer: Buffer.from('') });
  await p.waitForSelector('#error', { timeout: 30000 });
  assert.match(await p.textContent('#error'), /broken\.toml: line 1/);
  const sent = await p.evaluate(() => window.sent);
  assert.deepEqual(sent.slice(sent.indexOf('retriage')), ['retriage', 'hover'], 'a hover was sent during the triage');
  fail(p);
});

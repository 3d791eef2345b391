// Rank-reduction files (`.ttr`, from `tracetriage reduce`) in the browser: picked alone, as
// a folder, or mixed with traces, they open the all-ranks view with the same tables and
// numbers as the CLI's `triage --all-ranks` of the same files; one `.ttr` alone gives the
// CLI's one-rank report; a damaged or newer `.ttr` is the reader's error naming the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { start, stop, page, fail, needsCorpus, TRACES, ARTIFACTS, CLI, ranksCliTables, pageTableRows } from './helpers.mjs';

const NAMES = [0, 1, 2, 3].map((r) => `sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-${r}.trace.json.gz`);
const TRACE_FILES = NAMES.map((n) => path.join(TRACES, n));
const { corpus } = needsCorpus(test, TRACE_FILES);

let ctx;
let dir;
let red;
let ttrs;
before(async () => {
  ctx = await start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-ttr-'));
  red = path.join(dir, 'red');
  if (TRACE_FILES.every((f) => fs.existsSync(f))) {
    execFileSync(CLI, ['reduce', ...TRACE_FILES, '--out-dir', red]);
    ttrs = NAMES.map((n) => path.join(red, n.replace('.trace.json.gz', '.trace.ttr')));
  }
});
after(async () => {
  await stop(ctx);
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Asserts the page's all-ranks view shows the CLI's report of `files`. */
async function sameAsCli(p, files, what) {
  const md = cli(['triage', '--all-ranks', ...files]);
  const json = JSON.parse(cli(['triage', '--all-ranks', '--format', 'json', ...files]));
  const skew = ranksCliTables(md, 'Collective Skew Table');
  const perRank = ranksCliTables(md, 'Per-Rank Table');
  const labels = Object.keys(skew);
  assert.ok(labels.length > 0, `${what}: the CLI's report has stages`);
  assert.deepEqual(labels, json.stages.map((s) => s.label));
  assert.equal(await p.$$eval('[id^="skew-"]', (t) => t.length), labels.length, `${what}: one skew table per stage`);
  for (let i = 0; i < labels.length; i++) {
    const rows = await pageTableRows(p, `skew-${i}`);
    assert.deepEqual(rows, skew[labels[i]], `${what}, ${labels[i]}: skew table`);
    assert.deepEqual(await pageTableRows(p, `ranks-${i}`), perRank[labels[i]], `${what}, ${labels[i]}: per-rank table`);
    json.stages[i].collectives.forEach((c, k) => {
      assert.equal(rows[k][3].split('<br>')[0], c.matched.toLocaleString('en-US'), `${what}: matched`);
      assert.ok(rows[k][8].startsWith(`rank ${c.last_rank} (`), `${what}: ${rows[k][8]} names rank ${c.last_rank}`);
    });
  }
  return json;
}

corpus('the four ranks as .ttr files, picked or as a folder, give the CLI all-ranks report', async () => {
  const p = await page(ctx);
  await p.setInputFiles('#file', ttrs);
  await p.waitForSelector('#skew-0 tbody tr', { timeout: 60000 });
  assert.match(await p.textContent('#ranks-header'), /4 \(0, 1, 2, 3\) of world size 4/);
  const fromTtr = await sameAsCli(p, ttrs, '.ttr files');
  // The same report as from the traces themselves.
  const fromTraces = JSON.parse(cli(['triage', '--all-ranks', '--format', 'json', ...TRACE_FILES]));
  assert.deepEqual(fromTtr.stages, fromTraces.stages, 'the CLI: .ttr files and traces agree');
  await p.screenshot({ path: path.join(ARTIFACTS, 'ranks-ttr.png'), fullPage: false });
  fail(p);

  // The folder they are in, through the folder picker.
  const q = await page(ctx);
  await q.setInputFiles('#folder', red);
  await q.waitForSelector('#skew-0 tbody tr', { timeout: 60000 });
  await sameAsCli(q, [red], 'a folder of .ttr files');
  fail(q);
});

corpus('traces mixed with .ttr files: traces reduced in children, all compared', async () => {
  const p = await page(ctx);
  // Two trace files, so the engine worker reduces them in two child workers.
  await p.goto(`${ctx.base}?workers=2`);
  await p.waitForSelector('#drop');
  const workers = [];
  p.on('worker', (w) => workers.push(w.url()));
  const mixed = [TRACE_FILES[0], ttrs[1], TRACE_FILES[2], ttrs[3]];
  await p.setInputFiles('#file', mixed);
  await p.waitForSelector('#skew-0 tbody tr', { timeout: 120000 });
  assert.match(await p.textContent('#ranks-header'), /4 \(0, 1, 2, 3\) of world size 4/);
  const children = workers.filter((u) => u.includes('engine-worker.js') && u.includes('child'));
  assert.ok(children.length >= 2, `two child workers reduced the traces: ${workers.join(', ')}`);
  await sameAsCli(p, mixed, 'traces and .ttr files');
  fail(p);
});

corpus('one .ttr dropped alone gives what the CLI gives for it: one rank, nothing to compare', async () => {
  const p = await page(ctx);
  // Dropped on the page this time (the drop zone's own path, not the file picker's).
  const dt = await p.evaluateHandle(([name, b64]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    return dt;
  }, [path.basename(ttrs[2]), fs.readFileSync(ttrs[2]).toString('base64')]);
  await p.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await p.waitForSelector('#ranks-header', { timeout: 60000 });
  const json = JSON.parse(cli(['triage', '--all-ranks', '--format', 'json', ttrs[2]]));
  assert.equal(json.inputs.length, 1);
  assert.match(await p.textContent('#ranks-header'), /1 \(2\) of world size 4/);
  const notes = await p.$$eval('#ranks-notes li', (li) => li.map((l) => l.textContent));
  assert.ok(json.notes.length > 0, 'the CLI notes the single rank');
  assert.deepEqual(notes, json.notes.map((n) => n.text ?? n), 'the notes are the CLI\'s');
  assert.ok(notes.some((n) => /Only one rank/.test(n)), notes.join('\n'));
  fail(p);
});

corpus('a damaged or newer .ttr is the reader\'s error, naming the file', async () => {
  const good = fs.readFileSync(ttrs[0]);
  const json = zlib.gunzipSync(good).toString('utf8');
  const newer = json.replace('"version":1', '"version":2');
  assert.notEqual(newer, json);
  const cases = [
    ['cut-TP-0.trace.ttr', good.subarray(0, good.length >> 1)],
    ['newer-TP-0.trace.ttr', zlib.gzipSync(Buffer.from(newer))],
    ['other-TP-0.trace.ttr', zlib.gzipSync(Buffer.from('{"schema":"tracetriage.report","version":1}'))],
  ];
  for (const [name, buffer] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, buffer);
    // The CLI's one error line: `tracetriage: PATH: CAUSE`.
    const run = spawnSync(CLI, ['triage', '--all-ranks', file, ttrs[1]], { encoding: 'utf8' });
    assert.notEqual(run.status, 0, `${name}: the CLI refuses it`);
    const line = run.stderr.trim().split('\n').find((l) => l.includes(file)) ?? '';
    const cause = line.slice(line.indexOf(file) + file.length + 2);
    assert.ok(cause.length > 10, `${name}: the CLI's cause: ${run.stderr}`);
    const p = await page(ctx);
    await p.setInputFiles('#file', [file, ttrs[1]]);
    await p.waitForSelector('#error', { timeout: 60000 });
    const shown = await p.textContent('#error');
    assert.ok(shown.includes(`${name}: ${cause}`), `${name}: the page says ${shown}, the CLI ${cause}`);
    assert.ok(await p.isVisible('#drop'), 'the drop zone stays usable');
    fail(p);
  }
});

corpus('a rank cut short is said first, as the CLI says it, from a trace or its .ttr file', async () => {
  // Rank 1's trace cut in the middle, beside rank 0's whole trace.
  const text = zlib.gunzipSync(fs.readFileSync(TRACE_FILES[1]));
  const cutTrace = path.join(dir, 'cut', NAMES[1].replace('.json.gz', '.json'));
  fs.mkdirSync(path.dirname(cutTrace), { recursive: true });
  fs.writeFileSync(cutTrace, text.subarray(0, Math.floor(text.length / 2)));
  execFileSync(CLI, ['reduce', cutTrace, '--out-dir', path.join(dir, 'cut')], { stdio: 'pipe' });
  const cutTtr = cutTrace.replace('.trace.json', '.trace.ttr');
  for (const files of [[TRACE_FILES[0], cutTrace], [ttrs[0], cutTtr]]) {
    const md = cli(['triage', '--all-ranks', ...files]);
    const first = md.split('\n')[0];
    assert.match(first, /^\*\*Warning: sglang_\S+-TP-1\.trace\.json ends early at byte [\d,]+: .*rank 1's figures/, first);
    const p = await page(ctx);
    await p.setInputFiles('#file', files);
    await p.waitForSelector('#ranks-header', { timeout: 60000 });
    const banners = await p.$$eval('#ranks-truncated p', (ps) => ps.map((x) => x.textContent));
    assert.deepEqual(banners, [first.slice('**Warning: '.length, -2)], path.basename(files[1]));
    fail(p);
  }
});

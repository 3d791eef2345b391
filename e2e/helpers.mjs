// Shared pieces of the browser tests: launching Debian's Chromium through playwright-core,
// collecting console errors, and reading the CLI's markdown for comparison.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TRACES = path.resolve(ROOT, '../shared/traces');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
export const CLI = process.env.TRACETRIAGE_CLI || path.join(ROOT, 'target', 'release', 'tracetriage');

fs.mkdirSync(ARTIFACTS, { recursive: true });

/**
 * Whether every file of `files` (absolute paths) exists: like the Rust corpus tests, a test
 * needing them is skipped when one is absent, unless `TRACETRIAGE_REQUIRE_CORPUS` is set,
 * when a missing file is an error. Gives `{ present, corpus }`: `corpus` is `test` or
 * `test.skip`, to declare the tests with.
 */
export function needsCorpus(test, files) {
  const missing = files.filter((f) => !fs.existsSync(f));
  const required = !['', '0', undefined].includes(process.env.TRACETRIAGE_REQUIRE_CORPUS);
  if (missing.length > 0 && required) {
    throw new Error(`TRACETRIAGE_REQUIRE_CORPUS is set but ${missing.join(', ')} is missing`);
  }
  const present = missing.length === 0;
  return { present, corpus: present ? test : test.skip };
}

export async function start() {
  const server = await serve(path.join(ROOT, 'dist'), TRACES);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(process.env.CHROMIUM_ARGS ? process.env.CHROMIUM_ARGS.split(' ') : [])],
  });
  return { server, base, browser };
}

export async function stop({ server, browser }) {
  await browser.close();
  server.close();
}

/** A new page that records console errors, page errors and dialogs. */
export async function page(ctx, { width = 1400, height = 1000, query = '' } = {}) {
  const p = await ctx.browser.newPage({ viewport: { width, height } });
  p.problems = [];
  p.on('console', (m) => { if (m.type() === 'error') p.problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => p.problems.push(`pageerror: ${e.message}`));
  p.on('dialog', async (d) => { p.problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  await p.goto(`${ctx.base}${query}`);
  await p.waitForSelector('#drop', { timeout: 60000 });
  return p;
}

/** Markdown text with the CLI's character references (`&lt;` `&gt;` `&amp;`, which keep
 * raw HTML from names inert) read back, as the page shows it. */
export function unescapeMd(text) {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The CLI's markdown kernel tables: { stageLabel: [[cells...], ...] }. */
export function cliKernelTables(file) {
  const md = execFileSync(CLI, ['triage', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const tables = {};
  let stage = 'all';
  let inKernels = false;
  for (const line of md.split('\n')) {
    if (line === 'Kernel Table') { inKernels = true; continue; }
    if (line === 'Overlap Opportunity Table') break;
    if (!inKernels) continue;
    if (line.startsWith('##### ')) { stage = unescapeMd(line.slice(6)); continue; }
    if (line.startsWith('| ') && !line.startsWith('| Kernel') && !line.startsWith('| ---')) {
      const cells = line.slice(2, -2).split(' | ').map(unescapeMd);
      (tables[stage] ||= []).push(cells);
    }
  }
  return tables;
}

/** Reads the CLI's markdown report `md`: its header lines ({ label: value }), the first
 * stage's kernel rows (cells), the first coverage line, and the number of stages. */
export function parseCliMarkdown(md) {
  const header = {};
  const rows = [];
  let inKernels = false;
  let stages = 0;
  for (const line of md.split('\n')) {
    if (line === 'Kernel Table') { inKernels = true; continue; }
    if (line === 'Overlap Opportunity Table') break;
    if (!inKernels) {
      const m = line.match(/^([A-Z][A-Za-z ]+): (.*)$/);
      if (m) header[m[1]] = unescapeMd(m[2]);
      continue;
    }
    if (line.startsWith('##### ')) { stages += 1; continue; }
    if (stages === 1 && line.startsWith('| ') && !line.startsWith('| Kernel') && !line.startsWith('| ---')) {
      rows.push(line.slice(2, -2).split(' | ').map(unescapeMd));
    }
  }
  const coverage = md.split('\n').find((l) => l.startsWith('Python attribution of GPU time:'));
  return { header, rows, coverage, stages };
}

/** The page's kernel table of the selected stage: rows of cell texts (full kernel names). */
export async function pageKernelRows(p, index = 0) {
  return p.$$eval(`#kernels-${index} tbody tr`, (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td, i) => {
    if (i === 0) {
      const name = td.querySelector('.tt-name');
      const notes = [...td.querySelectorAll('.tt-name-note')].map((n) => n.textContent.trim());
      return name ? [name.getAttribute('title'), ...notes].join('<br>') : td.textContent.trim();
    }
    return [...td.childNodes].map((n) => n.textContent.trim()).filter((t) => t).join('<br>');
  })));
}

/** The rows of one titled table section of the CLI's all-ranks markdown, per stage. */
export function ranksCliTables(text, title) {
  const md = unescapeMd(text);
  const tables = {};
  let stage = 'all';
  let inside = false;
  for (const line of md.split('\n')) {
    if (line === title) { inside = true; continue; }
    if (inside && /^[A-Z][A-Za-z-]+ [A-Za-z ]*Table$/.test(line)) break;
    if (!inside) continue;
    if (line.startsWith('##### ')) { stage = line.slice(6); continue; }
    if (line.startsWith('| ') && !line.startsWith('| ---') && !/^\| (Collective|Rank) \|/.test(line)) {
      (tables[stage] ||= []).push(line.slice(2, -2).split(' | '));
    }
  }
  return tables;
}

/** The cell texts of the rows of the page's table `#id` (all-ranks view). */
export async function pageTableRows(p, id) {
  return p.$$eval(`#${id} tbody tr`, (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map(
    (td) => [...td.childNodes].map((n) => n.textContent.trim()).filter((t) => t).join('<br>'))));
}

export function fail(p) {
  if (p.problems.length) throw new Error(`browser problems:\n${p.problems.join('\n')}`);
}

// A tiny static server for the end-to-end tests: serves dist/ (the built app) and, under
// /traces/, the shared trace corpus, on 127.0.0.1 with the right MIME types.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.png': 'image/png',
};

export function serve(root, traces) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let base = root;
    let rel = decodeURIComponent(url.pathname);
    if (rel.startsWith('/traces/')) {
      base = traces;
      rel = rel.slice('/traces'.length);
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, '.' + rel);
    if (!file.startsWith(path.resolve(base))) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

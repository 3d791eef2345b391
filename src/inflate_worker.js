// The inflater: a tiny plain-JS worker the engine worker starts for each gzip file. It
// inflates the file with the browser's native DecompressionStream, beside the engine
// that parses the text, and hands the text over in 1 MiB transferred buffers.
//
// Protocol (messages from the engine worker): first the File, then one credit per buffer
// wanted: "next", or a text buffer given back (transferred) to be filled again. Each credit
// is answered, in order, with one of
//   {text: ArrayBuffer, read: compressed bytes read so far}
//   {done: true, read: file size}
//   {error: "why"}          (not gzip, damaged, or no DecompressionStream here)
// At most AHEAD buffers are inflated ahead of the requests, bounding memory.
'use strict';
const BATCH = 1 << 20;
const AHEAD = 6;
const READ_AHEAD = 32;
let reader = null;
let read = 0;
let ready = [];
let wanted = 0;
let ended = false;
let pumping = false;
let batch = new Uint8Array(BATCH);
// Buffers given back by the engine worker, to be filled again.
const spare = [];
let fill = 0;

function deliver() {
  while (wanted > 0 && ready.length > 0) {
    const m = ready.shift();
    wanted -= 1;
    if (m.text) postMessage(m, [m.text]);
    else postMessage(m);
  }
  pump();
}

function flush() {
  if (fill === 0) return;
  const text = fill === BATCH ? batch.buffer : batch.slice(0, fill).buffer;
  ready.push({ text, read });
  const again = spare.pop();
  batch = again ? new Uint8Array(again) : new Uint8Array(BATCH);
  fill = 0;
}

async function pump() {
  if (pumping || ended || !reader) return;
  pumping = true;
  try {
    while (!ended && ready.length < AHEAD) {
      const { value, done } = await reader.read();
      if (done) {
        flush();
        ready.push({ done: true, read });
        ended = true;
        break;
      }
      let off = 0;
      while (off < value.length) {
        const n = Math.min(BATCH - fill, value.length - off);
        batch.set(value.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === BATCH) flush();
      }
      if (wanted > 0 && ready.length > 0) deliver();
    }
  } catch (e) {
    ready = [{ error: String(e && e.message ? e.message : e) }];
    ended = true;
  }
  pumping = false;
  if (wanted > 0 && ready.length > 0) deliver();
}

onmessage = (e) => {
  if (e.data === 'next' || e.data instanceof ArrayBuffer) {
    if (e.data instanceof ArrayBuffer && e.data.byteLength === BATCH) spare.push(e.data);
    wanted += 1;
    deliver();
    return;
  }
  try {
    // Counts the compressed bytes, and reads ahead of the inflater (up to READ_AHEAD
    // chunks of the file each side): without it every inflated MiB waited for the next
    // compressed chunk to come from the browser's file reader.
    const counted = new TransformStream({
      transform(chunk, c) {
        read += chunk.byteLength;
        c.enqueue(chunk);
      },
    }, { highWaterMark: READ_AHEAD }, { highWaterMark: READ_AHEAD });
    reader = e.data.stream().pipeThrough(counted).pipeThrough(new DecompressionStream('gzip')).getReader();
  } catch (err) {
    ready = [{ error: String(err && err.message ? err.message : err) }];
    ended = true;
  }
  deliver();
};

// The page side of the playground engine: one module Web Worker (worker.js) per page, started on
// first use, and a promise per run. Used by the playground page and the "試す" buttons.

const here = new URL(".", import.meta.url);
// assets/javascripts/playground/ → assets/playground/ (the files tools/playground/assets.py writes)
export const assetsBase = new URL("../../playground/", here).href;

let worker = null;
let nextId = 0;
const pending = new Map();

function start() {
  worker = new Worker(new URL("worker.js", here), { type: "module" });
  worker.onmessage = (event) => {
    const { id } = event.data;
    const waiting = pending.get(id);
    if (!waiting) return;
    pending.delete(id);
    waiting(event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const waiting of pending.values()) waiting({ ok: false, error: event.message || "worker error" });
    pending.clear();
    worker = null;
  };
}

// run(["route", "a.yaml", "--request", "GET http://x/", "--format", "json"], {"a.yaml": "..."})
// → {ok: true, result: {exit, stdout, stderr}, timings: {boot_ms, run_ms}} | {ok: false, error}
export function run(argv, files) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, base: assetsBase, argv, files });
  });
}

// The page side of the playground engine: one module Web Worker (worker.js) per page, started on
// first use, and a promise per run. Used by the playground page and the "試す" buttons.
//
// A run that takes longer than the time limit is stopped by terminating the worker: the Python
// fallback regex engine (config/regex, Python `re` behind an RE2-syntax translator) can backtrack
// exponentially, and a busy WebAssembly worker cannot be interrupted in any other way. The worker
// is started again at once, so the next run only pays Pyodide's start from the HTTP cache.

const here = new URL(".", import.meta.url);
// assets/javascripts/playground/ → assets/playground/ (the files tools/playground/assets.py writes)
export const assetsBase = new URL("../../playground/", here).href;

// The limit counts from the moment the worker starts the command, not from boot: Pyodide's cold
// start takes seconds and is not the reader's input misbehaving. Later runs take ~0.1 s.
export const DEFAULT_TIMEOUT_MS = 10_000;
const settings = { timeoutMs: DEFAULT_TIMEOUT_MS };
export const stats = { restarts: 0 };

let worker = null;
let nextId = 0;
const pending = new Map(); // id → {resolve, timer}

export function configure({ timeoutMs } = {}) {
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) settings.timeoutMs = timeoutMs;
  return { ...settings };
}

export function timeoutMessage(ms) {
  return (
    `実行が ${ms / 1000} 秒を超えたため止めました。正規表現がバックトラックしているおそれがあります` +
    "（ブラウザーのエンジンは google-re2 ではなく Python の re で正規表現を評価します）。エンジンを再起動しました。"
  );
}

function settle(id, answer) {
  const waiting = pending.get(id);
  if (!waiting) return;
  clearTimeout(waiting.timer);
  pending.delete(id);
  waiting.resolve(answer);
}

// Every run still waiting on this worker ends with `answer(id)`, and the worker is dropped.
function abandon(answer) {
  for (const id of [...pending.keys()]) settle(id, answer(id));
  worker = null;
}

function restart(timedOut, ms) {
  worker.terminate();
  stats.restarts += 1;
  abandon((id) =>
    id === timedOut
      ? { ok: false, timeout: true, error: timeoutMessage(ms) }
      : { ok: false, error: "別の実行が時間切れになり、エンジンを再起動したため中断しました。" },
  );
  warm();
}

function start() {
  worker = new Worker(new URL("worker.js", here), { type: "module" });
  const current = worker;
  worker.onmessage = (event) => {
    const { id, started } = event.data;
    if (started) {
      const waiting = pending.get(id);
      const ms = settings.timeoutMs;
      if (waiting) waiting.timer = setTimeout(() => current === worker && restart(id, ms), ms);
      return;
    }
    settle(id, event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (current === worker) abandon(() => ({ ok: false, error: event.message || "worker error" }));
  };
}

// Boot the engine now, before the first run is asked for (the playground page calls it as it
// opens, while it still reads the page's session and builds the form): Pyodide's start is most of
// the first run's time.
export function warm() {
  if (!worker) start();
  worker.postMessage({ boot: true, base: assetsBase });
}

// run(["route", "a.yaml", "--request", "GET http://x/", "--format", "json"], {"a.yaml": "..."})
// → {ok: true, result: {exit, stdout, stderr}, timings: {boot_ms, run_ms}} | {ok: false, error, timeout?}
export function run(argv, files) {
  return ask({ argv, files });
}

// diagram({name: text}, routeOutcome) → {ok: true, result: {diagram: "flowchart LR ..." | null}} | {ok: false, ...}
export function diagram(files, outcome) {
  return ask({ call: "diagram", files, outcome });
}

function ask(message) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { resolve, timer: null });
    worker.postMessage({ id, base: assetsBase, ...message });
  });
}


// The playground's engine: Pyodide plus the project's own wheel, in a module Web Worker so that
// the page stays responsive. Every file comes from the site (manifest.json, written by
// tools/playground/assets.py); nothing is fetched from anywhere else.
//
// Messages in:  {id, base, argv, files}   base: URL of assets/playground/ (with a trailing slash)
//               {boot: true, base}         start Pyodide now; no answer (a run's answer says how it went)
//               {id, base, call: "diagram", files, outcome}   the outcome's diagram (engine.diagram_json)
// Messages out: {id, started: true}   the command starts now (boot is over): engine.js's time limit
//               {id, ok: true, result: {exit, stdout, stderr}, timings: {boot_ms, run_ms}}
//               {id, ok: false, error}

import { bootEngine, gunzipping } from "./boot.js";

const plainFetch = self.fetch.bind(self);
let engine = null;
let bootMs = null;
const phases = {}; // boot phases in ms, for benchmarks/playground.py

// The rest zip (boot.js) is fetched in the middle of an import, which cannot wait for a promise:
// a synchronous request, which a worker may make.
function readSync(url) {
  const request = new XMLHttpRequest();
  request.open("GET", url, false);
  request.responseType = "arraybuffer";
  request.send();
  if (request.status !== 200) throw new Error(`${url}: HTTP ${request.status}`);
  return new Uint8Array(request.response);
}

async function read(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function boot(base) {
  const started = performance.now();
  let lapped = started;
  const lap = (name) => {
    const now = performance.now();
    phases[`${name}_ms`] = now - lapped;
    lapped = now;
  };
  const manifest = await (await fetch(new URL("manifest.json", base))).json();
  const indexURL = new URL(manifest.pyodide, base).href;
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const url = (name) => new URL(name, base).href;
  self.fetch = gunzipping(plainFetch, new Set((manifest.gzip || []).map(url)));
  const { module } = await bootEngine(manifest, { loadPyodide, indexURL, url, read, readSync, lap });
  bootMs = performance.now() - started;
  return { run: module.run_json, diagram: module.diagram_json };
}

self.onmessage = async (event) => {
  const { id, base, argv, files, boot: early, call, outcome } = event.data;
  if (early) {
    engine ??= boot(base);
    engine.catch(() => (engine = null)); // the first run boots again and reports the error
    return;
  }
  try {
    engine ??= boot(base);
    const entry = await engine;
    self.postMessage({ id, started: true });
    const started = performance.now();
    const result = JSON.parse(call === "diagram" ? entry.diagram(JSON.stringify({ files, outcome })) : entry.run(JSON.stringify({ argv, files })));
    self.postMessage({ id, ok: true, result, timings: { boot_ms: bootMs, run_ms: performance.now() - started, phases } });
  } catch (error) {
    engine = null;
    self.postMessage({ id, ok: false, error: String(error && error.message ? error.message : error) });
  }
};

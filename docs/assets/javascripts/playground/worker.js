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

let engine = null;
let bootMs = null;
const phases = {}; // boot phases in ms, for benchmarks/playground.py

async function boot(base) {
  const started = performance.now();
  const manifest = await (await fetch(new URL("manifest.json", base))).json();
  const indexURL = new URL(manifest.pyodide, base).href;
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL, fullStdLib: false });
  phases.runtime_ms = performance.now() - started;
  await pyodide.loadPackage(manifest.wheels.map((wheel) => new URL(wheel, base).href), {
    messageCallback: () => {},
  });
  phases.wheels_ms = performance.now() - started - phases.runtime_ms;
  const module = pyodide.pyimport("istio_notebook.playground.engine");
  module.preload(); // what the commands import lazily: not inside the first run's time limit
  bootMs = performance.now() - started;
  phases.import_ms = bootMs - phases.runtime_ms - phases.wheels_ms;
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

// The playground worker's boot and first runs (docs/assets/javascripts/playground/worker.js does
// the same steps) in Pyodide under Node, timed as CPU time of this process as well as wall time:
// the same V8 and WebAssembly as Chromium, without the browser, and a figure that a loaded machine
// changes much less than wall time. benchmarks/playground_boot.py runs it and prints the figures.
// Usage: node playground_boot.mjs ASSETS_DIR REQUESTS_JSON   (REQUESTS_JSON: [{argv, files}, ...])
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [assetsDir, requestsFile] = process.argv.slice(2);
const base = resolve(assetsDir) + "/";
const manifest = JSON.parse(readFileSync(base + "manifest.json", "utf-8"));
const requests = JSON.parse(readFileSync(requestsFile, "utf-8"));
const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1000; };
const phases = [];
let [cpuAt, wallAt] = [cpu(), performance.now()];
const lap = (name) => {
  const [c, w] = [cpu(), performance.now()];
  phases.push({ name, cpu_ms: Math.round(c - cpuAt), wall_ms: Math.round(w - wallAt) });
  [cpuAt, wallAt] = [c, w];
};
const indexURL = base + manifest.pyodide;
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL, fullStdLib: false });
lap("runtime");
await pyodide.loadPackage(manifest.wheels.map((wheel) => base + wheel), { messageCallback: () => {} });
lap("wheels");
const engine = pyodide.pyimport("istio_notebook.playground.engine");
engine.preload();
lap("import");
requests.forEach((request, index) => {
  const answer = JSON.parse(engine.run_json(JSON.stringify(request)));
  if (answer.exit === 2) throw new Error(`request ${index}: ${answer.stderr}`);
  lap(`run ${index + 1}: ${request.argv[0]}`);
});
console.log(JSON.stringify(phases));

// The playground worker's boot and first runs (docs/assets/javascripts/playground/boot.js, as
// worker.js runs it) in Pyodide under Node, timed as CPU time of this process as well as wall time:
// the same V8 and WebAssembly as Chromium, without the browser, and a figure that a loaded machine
// changes much less than wall time. benchmarks/playground_boot.py runs it and prints the figures.
// Usage: node playground_boot.mjs ASSETS_DIR REQUESTS_JSON   (REQUESTS_JSON: [{argv, files}, ...])
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [assetsDir, requestsFile] = process.argv.slice(2);
const { bootInNode } = await import(pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), "../tools/playground/node_boot.mjs")).href);
const requests = JSON.parse(readFileSync(requestsFile, "utf-8"));
const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1000; };
const phases = [];
let [cpuAt, wallAt] = [cpu(), performance.now()];
const lap = (name) => {
  const [c, w] = [cpu(), performance.now()];
  phases.push({ name, cpu_ms: Math.round(c - cpuAt), wall_ms: Math.round(w - wallAt) });
  [cpuAt, wallAt] = [c, w];
};
const { pyodide, module: engine } = await bootInNode(assetsDir, { lap });
requests.forEach((request, index) => {
  const answer = JSON.parse(engine.run_json(JSON.stringify(request)));
  if (answer.exit === 2) throw new Error(`request ${index}: ${answer.stderr}`);
  lap(`run ${index + 1}: ${request.argv[0]}`);
});
// Whether a run needed the rest zip (istio_notebook.playground.rest): the first runs should not.
const rest = pyodide.runPython("import sys; any(getattr(f, 'fetched', False) for f in sys.meta_path)");
console.log(JSON.stringify({ phases, rest_fetched: rest }));

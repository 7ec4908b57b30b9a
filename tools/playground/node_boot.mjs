// The playground worker's boot (docs/assets/javascripts/playground/boot.js) under Node, from a
// built assets/playground/ folder: the same Pyodide, the same files and steps as the browser.
// Used by trace.mjs (assets.py) and benchmarks/playground_boot.mjs.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const { bootEngine } = await import(pathToFileURL(resolve(HERE, "../../docs/assets/javascripts/playground/boot.js")).href);

// {pyodide, module, manifest}; lap and beforeImport as boot.js says. manifest.json can be replaced
// (trace.mjs boots from the whole zips, before assets.py splits them).
export async function bootInNode(assetsDir, { lap, manifest, beforeImport } = {}) {
  const base = resolve(assetsDir) + "/";
  manifest ??= JSON.parse(readFileSync(base + "manifest.json", "utf-8"));
  const indexURL = base + manifest.pyodide;
  const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
  const readSync = (path) => new Uint8Array(readFileSync(path));
  const io = { loadPyodide, indexURL, url: (name) => base + name, read: async (path) => readSync(path), readSync, lap, beforeImport };
  const { pyodide, module } = await bootEngine(manifest, io);
  return { pyodide, module, manifest };
}

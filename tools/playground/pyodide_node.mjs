// Runs a Python script in the vendored Pyodide under Node: the browser's interpreter (same
// CPython build, same bytecode) without a browser. The folder HOST_DIR is mounted at /host.
// Used by assets.py (precompile.py) and by the tests and benchmarks of the playground.
// Usage: node pyodide_node.mjs PYODIDE_DIR HOST_DIR SCRIPT.py [ARG...]   (sys.argv = [SCRIPT, ARG...])
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, hostDir, script, ...args] = process.argv.slice(2);
const indexURL = resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL, fullStdLib: false });
pyodide.mountNodeFS("/host", resolve(hostDir));
pyodide.runPython(`import sys; sys.argv = ${JSON.stringify([basename(script), ...args])}`);
try {
  pyodide.runPython(readFileSync(script, "utf-8"), { filename: basename(script) });
} catch (error) {
  console.error(String(error.message || error));
  process.exit(1);
}

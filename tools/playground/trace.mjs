// What the playground's first runs import (assets.py splits its zips by it): boots the worker's
// way (node_boot.mjs) from MANIFEST_JSON, runs each request of REQUESTS_JSON as a first "試す"
// would, and prints the file of every module then imported, one a line: the modules in sys.modules
// and every file the path finder found, for an import that failed after finding its module
// (PyYAML's "from .cyaml import *" finds yaml/cyaml.py, whose C part is missing) counts too.
// Usage: node trace.mjs ASSETS_DIR MANIFEST_JSON REQUESTS_JSON
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [assetsDir, manifestFile, requestsFile] = process.argv.slice(2);
const { bootInNode } = await import(pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), "node_boot.mjs")).href);
const manifest = JSON.parse(readFileSync(manifestFile, "utf-8"));
// Every file the path finder finds from the engine's import on (what Pyodide's boot imported is in sys.modules).
const RECORD = `
import importlib.machinery, sys
FOUND = set()
class Recording(importlib.machinery.PathFinder):  # a PathFinder still (importlib.metadata asks it for distributions)
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        spec = super().find_spec(name, path, target)
        if spec is not None and spec.origin:
            FOUND.add(spec.origin)
        return spec
sys.meta_path[sys.meta_path.index(importlib.machinery.PathFinder)] = Recording
import istio_notebook.playground.rest  # boot.js installs it when there is a rest zip
`;
const { pyodide, module: engine } = await bootInNode(assetsDir, { manifest, beforeImport: (py) => py.runPython(RECORD) });
for (const request of JSON.parse(readFileSync(requestsFile, "utf-8"))) {
  const answer = JSON.parse(engine.run_json(JSON.stringify(request)));
  if (answer.exit === 2) {
    console.error(`trace: ${request.argv.join(" ")}: ${answer.stderr}`);
    process.exit(1);
  }
  if (request.argv[0] === "route" && answer.exit === 0) {
    engine.diagram_json(JSON.stringify({ files: request.files, outcome: JSON.parse(answer.stdout) })); // page.js draws it
  }
}
console.log(pyodide.runPython("'\\n'.join(sorted(FOUND | {getattr(m, '__file__', None) or '' for m in list(sys.modules.values())} - {''}))"));

// The playground engine's boot, one home for the browser (worker.js) and Node (the benchmarks and
// tools/playground/trace.mjs, which records what it imports). manifest.json (written by
// tools/playground/assets.py) names the files:
//   Pyodide's runtime (its python_stdlib.zip holds the stdlib modules the first run imports),
//   wheels   binary wheels, unpacked by loadPackage (pydantic-core: a WebAssembly extension),
//   engine   one zip of the pure-Python packages (the project, pydantic, PyYAML, ...) as bytecode,
//            imported in place from sys.path (zipimport: nothing unpacked),
//   rest     every module of both that the first run does not import, fetched by
//            istio_notebook.playground.rest only when a run imports one (often never).
//
// io: {loadPyodide, indexURL, url(name) → what io.read/loadPackage take, read(url) → Promise of
// bytes, readSync(url) → bytes, lap(name)?, beforeImport(pyodide)? (trace.mjs: from here on it
// records what is imported)}. Returns the engine module (playground/engine.py).

// A fetch that takes each URL of `gzipped` from its gzip twin (URL + ".gz", written by assets.py)
// and decompresses it as it arrives: Pyodide's WebAssembly is 9.6 MB, its gzip 3.5 MB, whether or
// not the site's host compresses. The Content-Type is what Pyodide needs (instantiateStreaming).
export function gunzipping(fetch, gzipped) {
  const TYPES = { wasm: "application/wasm", json: "application/json" };
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!gzipped.has(url)) return fetch(input, init);
    const response = await fetch(url + ".gz");
    if (!response.ok) return response;
    const type = TYPES[url.split(".").pop()] || "application/octet-stream";
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip")), { headers: { "Content-Type": type } });
  };
}

export async function bootEngine(manifest, io) {
  const lap = io.lap || (() => {});
  const pyodide = await io.loadPyodide({ indexURL: io.indexURL, fullStdLib: false });
  lap("runtime");
  const [engine] = await Promise.all([
    io.read(io.url(manifest.engine.file)),
    pyodide.loadPackage(manifest.wheels.map(io.url), { messageCallback: () => {} }),
  ]);
  pyodide.FS.writeFile(manifest.engine.path, engine);
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(manifest.engine.path)})`);
  if (manifest.rest) {
    const rest = pyodide.pyimport("istio_notebook.playground.rest");
    rest.install(pyodide.toPy(manifest.rest.names), manifest.rest.path, () => io.readSync(io.url(manifest.rest.file)));
  }
  lap("wheels");
  if (io.beforeImport) io.beforeImport(pyodide);
  const module = pyodide.pyimport("istio_notebook.playground.engine");
  module.preload(); // what the commands import lazily: not inside the first run's time limit
  lap("import");
  return { pyodide, module };
}

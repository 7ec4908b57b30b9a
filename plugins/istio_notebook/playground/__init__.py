"""The in-browser playground's Python side: a thin shell over the command line (cli/), as
mkdocs/ and labs/ are. The Web Worker (docs/assets/javascripts/playground/) loads this package
from the project's wheel in Pyodide and calls :func:`istio_notebook.playground.engine.run_json`."""

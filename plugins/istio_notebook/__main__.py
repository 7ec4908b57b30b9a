from istio_notebook.cli import console

console()

"""Checking and rendering of a page's examples as a Python-Markdown extension (any builder).

``markdown_extensions: [istio_notebook.markdown]`` plus the ``yaml``/``check`` custom fences of
``pymdownx.superfences`` (``istio_notebook.markdown.fences``); see ``extension`` and
docs/contributing/builders.md. Imports neither MkDocs nor Zensical.
"""


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point name
    from istio_notebook.markdown.extension import IstioNotebookExtension

    return IstioNotebookExtension(**kwargs)

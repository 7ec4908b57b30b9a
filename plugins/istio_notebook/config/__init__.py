"""Configuration input: YAML → resources with positions; kinds; typed models."""

from istio_notebook.config.loader import LoadResult, load_file, load_markdown, load_paths, load_text
from istio_notebook.config.mesh import Mesh
from istio_notebook.config.resource import Resource
from istio_notebook.config.yaml_reader import Origin

__all__ = ["LoadResult", "Mesh", "Origin", "Resource", "load_file", "load_markdown", "load_paths", "load_text"]

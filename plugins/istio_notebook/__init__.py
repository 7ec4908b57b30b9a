"""Istio Notebook: validator, routing simulator, Envoy replay and MkDocs plugin for checked Istio examples."""

__version__ = "0.1.0"

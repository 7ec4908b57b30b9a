"""Analyzers of Kubernetes Services."""

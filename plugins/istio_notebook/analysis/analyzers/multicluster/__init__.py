"""Analyzers of multi-cluster configuration."""

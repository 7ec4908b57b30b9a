"""Analyzers of EnvoyFilters."""

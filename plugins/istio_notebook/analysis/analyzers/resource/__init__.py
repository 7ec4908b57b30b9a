"""Analyzers over resources of any kind."""

"""Analyzers of ServiceEntries."""

"""Analyzers of Gateways."""

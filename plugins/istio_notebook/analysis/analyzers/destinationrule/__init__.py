"""Analyzers of DestinationRules."""

"""Analyzers of Telemetry resources."""

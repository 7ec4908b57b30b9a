"""Analyzers of VirtualServices."""

"""Analyzers of sidecar injection and ambient enrolment."""

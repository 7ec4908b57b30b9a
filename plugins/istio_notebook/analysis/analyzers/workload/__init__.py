"""Analyzers of workload selectors (Sidecar, security and telemetry policies, EnvoyFilter)."""

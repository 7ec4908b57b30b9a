"""envoy package."""

"""Analyzers of AuthorizationPolicies."""

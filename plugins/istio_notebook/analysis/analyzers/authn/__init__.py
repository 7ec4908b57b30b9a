"""Analyzers of request authentication (istioctl authn/)."""

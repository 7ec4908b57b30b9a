"""Deprecated fields (istioctl deprecation/)."""

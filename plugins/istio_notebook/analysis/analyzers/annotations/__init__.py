"""Analyzers of Istio annotations on Kubernetes resources."""

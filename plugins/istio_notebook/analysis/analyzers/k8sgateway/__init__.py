"""Analyzers of the Gateway API installation (istioctl k8sgateway/)."""

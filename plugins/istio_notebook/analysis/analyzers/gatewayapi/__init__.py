"""Gateway API analyzers: status conditions istiod would write, and istioctl's k8sgateway checks."""

"""Analyzers of admission webhooks (istioctl webhook/, externalcontrolplane/)."""

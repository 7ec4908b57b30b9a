"""Status conditions in dumped resources (istioctl conditions/)."""

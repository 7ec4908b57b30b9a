"""Authorization: AuthorizationPolicy, PeerAuthentication and RequestAuthentication for one request.

Public API: ``Workload``, ``Source``, ``authorize(mesh, request, to, source, lang) -> AuthzDecision``.
"""

from istio_notebook.authz.evaluate import AuthzDecision, authorize
from istio_notebook.authz.model import Source, Workload

__all__ = ["AuthzDecision", "Source", "Workload", "authorize"]

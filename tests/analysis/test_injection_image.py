"""IST0158's finding names exactly the mismatched Pods of the namespace (istio/istio 1.30.3
injection/injection-image.go: the pod names, sorted, as Go prints a []string)."""

from __future__ import annotations

from pathlib import Path

from istio_notebook.analysis import run_analyzers
from istio_notebook.analysis.analyzers import by_name
from istio_notebook.config import Mesh, load_paths

FIXTURE = Path(__file__).parent / "testdata" / "injection_proxy_image.yaml"


def test_image_mismatch_names_only_pods_whose_proxy_image_and_variant_differ():
    mesh = Mesh(load_paths([str(FIXTURE)]).resources)
    [found] = run_analyzers(mesh, [by_name()["injection.ImageAnalyzer"]])
    # shop-slim (ProxyConfig distroless), shop-debug (annotation debug), shop-pinned (proxyImage
    # annotation) and the canary namespace (proxy.image with a "/" taken whole) are not named.
    assert "(pod names: [shop-old])" in found.message

"""The mistakes issue 16 lists under "Why": each is caught through ``check`` with istioctl's code
and level (istio/istio 1.30.3 pkg/config/analysis/msg/messages.yaml), as a new user would meet them.

- a VirtualService naming a gateway the input does not hold: IST0101 Error (and IST0132 Warning),
  virtualservice/gateways.go, judged with no Gateway in the input at all;
- two Gateways sharing one certificate on the same port: IST0138 Warning (gateway/certificate.go);
- an unknown ``*.istio.io`` annotation: IST0108 Warning (annotations/annotations.go);
- a Namespace with workloads but no injection or ambient label: IST0102 Info (injection/injection.go);
- a known Istio kind under another API group: an Error naming the apiVersion that serves it
  (INB1015; kubectl refuses it with "no matches for kind").
"""

from __future__ import annotations

import textwrap

import pytest

from istio_notebook.cli.check import check_paths

CASES = [
    (
        "VirtualService bound to a gateway that is not in the input",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: default}
        spec:
          hosts: [web.example.com]
          gateways: [missing-gateway]
          http: [{route: [{destination: {host: web}}]}]
        """,
        {("IST0101", "Error"), ("IST0132", "Warning")},
    ),
    (
        "two Gateways with one certificate on one port",
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: a, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [a.example.com], tls: {mode: SIMPLE, credentialName: shared}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: b, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [b.example.com], tls: {mode: SIMPLE, credentialName: shared}}]
        """,
        {("IST0138", "Warning")},
    ),
    (
        "unknown istio.io annotation",
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: default
          annotations: {networking.istio.io/exportTwo: "."}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80}]
        """,
        {("IST0108", "Warning")},
    ),
    (
        "namespace with a workload and no injection label",
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: cart, namespace: shop}
        spec:
          selector: {matchLabels: {app: cart}}
          template:
            metadata: {labels: {app: cart}}
            spec: {containers: [{name: cart, image: cart:1}]}
        """,
        {("IST0102", "Info")},
    ),
    (
        "PeerAuthentication under install.istio.io",
        """
        apiVersion: install.istio.io/v1alpha1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """,
        {("INB1015", "Error")},
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_why_mistakes_are_caught_with_istioctls_code_and_level(tmp_path, case, text, expected):
    path = tmp_path / "input.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    found = {(d.code, d.level.value) for d in check_paths([path])}
    assert found == expected, case


def test_the_wrong_group_error_names_the_serving_api_version(tmp_path):
    path = tmp_path / "input.yaml"
    path.write_text(textwrap.dedent(CASES[-1][1]), encoding="utf-8")
    [found] = check_paths([path])
    assert "security.istio.io/v1" in found.message

"""One Service and one VirtualService around a single http rule: the mesh of the Envoy-acceptance
and Envoy-error tests. The rule's first line is line 13 of the file; with ``route`` (the
default) line 13 routes to the Service and the rule's own fields start on line 14."""

from __future__ import annotations

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: default}\nspec:\n  ports: [{name: http, port: 9080}]\n---\n"
VIRTUAL_SERVICE = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\nspec:\n  hosts: [reviews]\n  http:\n"


def mesh_file(tmp_path, rule: str, route: bool = True):
    path = tmp_path / "in.yaml"
    body = f"  - route: [{{destination: {{host: reviews}}}}]\n    {rule}\n" if route else f"  - {rule}\n"
    path.write_text(SERVICE + VIRTUAL_SERVICE + body)
    return path

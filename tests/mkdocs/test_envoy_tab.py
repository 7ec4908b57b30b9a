"""The "Envoy" tab of YAML examples: what a VirtualService, DestinationRule, Gateway became in the
Envoy configuration of the relevant proxy (issue 5, point 2: the Istio → Envoy mapping, live).

Names follow istiod (pilot/pkg/networking/core/httproute.go, pilot/pkg/networking/util/util.go):
sidecar route configurations are named by port (``9080``), gateway ones ``http.<port>``,
listeners ``0.0.0.0_<port>``, clusters ``outbound|port|subset|host``.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from golden_render import render

from istio_notebook.envoy import translate
from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.run import run_page
from istio_notebook.markdown import codec
from istio_notebook.markdown.checker import PreparedPage, prepare

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"

SIDECAR_PAGE = (GOLDEN / "verified.md").read_text(encoding="utf-8")  # a VirtualService, then a DestinationRule

GATEWAY_PAGE = """---
fixtures: [reviews, istio-ingressgateway]
---
# gateway

```yaml
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: shop
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: [shop.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
spec:
  hosts: [shop.example.com]
  gateways: [shop]
  http:
  - route:
    - destination: {host: reviews, port: {number: 9080}}
```
"""


@pytest.fixture()
def fixtures(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures"
    directory.mkdir()
    shutil.copy(GOLDEN / "fixtures" / "reviews.yaml", directory)
    shutil.copy(ROOT / "docs" / "fixtures" / "istio-ingressgateway.yaml", directory)
    return directory


def envoy_panels(html: str) -> list[str]:
    """The Envoy tabs of a rendered page, in page order: each panel's inner HTML, up to its own closing div."""
    opening = '<div class="inb-envoy" data-search-exclude>'
    panels = []
    for start in [m.end() for m in re.finditer(re.escape(opening), html)]:
        depth, at = 1, start
        for tag in re.finditer(r"<(/?)div\b", html[start:]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                at = start + tag.start()
                break
        panels.append(html[start:at])
    return panels


def caption(panel: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'<p class="inb-envoy__caption[^"]*">(.*?)</p>', panel, re.S).group(1))


def test_virtual_service_tab_shows_its_routes_in_the_sidecar_route_configuration(fixtures):
    html = render(SIDECAR_PAGE, "page.md", fixtures)
    assert '<label for="__inb_1_3">Envoy</label>' in html  # YAML | 図 | Envoy | 診断
    vs = envoy_panels(html)[0]
    assert caption(vs).startswith("名前空間 default のサイドカーの Envoy 設定")
    assert "ルート設定 9080 の仮想ホスト reviews.default.svc.cluster.local:9080 のルート 2 本" in caption(vs)
    # The routes themselves, in Istio's order: jason → v2 first, then the default → v1.
    v2, v1 = vs.index("outbound|9080|v2|reviews.default.svc.cluster.local"), vs.index("outbound|9080|v1|reviews.default.svc.cluster.local")
    assert v2 < v1


def test_destination_rule_tab_names_its_clusters(fixtures):
    dr = envoy_panels(render(SIDECAR_PAGE, "page.md", fixtures))[1]
    for subset in ("", "v1", "v2"):
        assert f"outbound|9080|{subset}|reviews.default.svc.cluster.local" in caption(dr)
    assert "route_configs" not in dr


def test_gateway_tab_shows_listener_and_route_config_name_and_bound_virtual_service_its_routes(fixtures):
    (panel,) = envoy_panels(render(GATEWAY_PAGE, "page.md", fixtures))  # one example, one tab, a part per resource
    gateway, vs = panel.split('<p class="inb-envoy__caption">')[1:]
    assert caption('<p class="inb-envoy__caption">' + gateway) == (
        "ゲートウェイ default/shop の Envoy 設定で、この Gateway はリスナー 0.0.0.0_8080（ルート設定 http.8080）になります。"
    )
    assert "virtual-service/shop" not in gateway  # the routes belong to the VirtualService's part
    vs_caption = caption('<p class="inb-envoy__caption">' + vs)
    assert vs_caption.startswith("ゲートウェイ default/shop の") and "ルート設定 http.8080 の仮想ホスト shop.example.com:8080" in vs_caption
    assert "outbound|9080||reviews.default.svc.cluster.local" in vs


WRONG_AND_UNCHECKED = """---
fixtures: [reviews]
---
```yaml expect="IST0101"
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: nowhere
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: nope}
```

```yaml unchecked="kubectl output"
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
```
"""


def test_no_envoy_tab_for_deliberately_wrong_or_unchecked_examples(fixtures):
    html = render(WRONG_AND_UNCHECKED, "page.md", fixtures)
    assert "inb-badge--expected-error" in html and "inb-badge--unchecked" in html
    assert envoy_panels(html) == []


def test_each_proxy_is_translated_once_per_scenario_and_the_result_survives_the_cache(fixtures, monkeypatch):
    calls = []
    real = translate.envoy_config
    monkeypatch.setattr(translate, "envoy_config", lambda mesh, proxy: calls.append(proxy) or real(mesh, proxy))
    report = run_page(read_page(SIDECAR_PAGE, "page.md"), FixtureStore(fixtures, display_root=fixtures.parent))
    prepared = prepare(report)
    assert len(calls) == 1  # the VirtualService and the DestinationRule share the default sidecar's configuration
    assert prepared.envoy and all(e.text for excerpts in prepared.envoy.values() for e in excerpts)
    # The build cache keeps it as JSON data (markdown/cache.py) and gives back the same excerpts.
    assert codec.decode(PreparedPage, json.loads(json.dumps(codec.encode(prepared)))).envoy == prepared.envoy


def test_a_translation_failure_names_page_and_line_and_leaves_a_note_in_the_tab(fixtures, monkeypatch):
    def broken(mesh, proxy):
        raise KeyError("boom")

    monkeypatch.setattr(translate, "envoy_config", broken)
    html = render(SIDECAR_PAGE, "page.md", fixtures)
    assert "Envoy 設定の抜粋は生成できませんでした" in envoy_panels(html)[0]
    assert "inb-badge--verified" in html  # the example itself still renders
    prepared = prepare(run_page(read_page(SIDECAR_PAGE, "page.md"), FixtureStore(fixtures, display_root=fixtures.parent)))
    failures = prepared.failures()
    # What fails the build: the plugin logs it as a warning (tests/mkdocs/test_plugin_serve_mode.py), the extension alone raises it.
    assert any(f.startswith("page.md:6: cannot produce the Envoy excerpt of VirtualService default/reviews: KeyError") for f in failures), failures


def test_attributed_excerpts_are_parallel_views_with_istio_defaults_folded(fixtures):
    # envoy/translate_sources.py attributes the VirtualService's routes, the Gateway's HTTP listener
    # and the DestinationRule's clusters; each part carries its line pairs for parallel.js.
    vs, dr = envoy_panels(render(SIDECAR_PAGE, "page.md", fixtures))
    (gateway_page,) = envoy_panels(render(GATEWAY_PAGE, "page.md", fixtures))
    for panel in (vs, dr, gateway_page):
        assert 'class="inb-envoy__map" data-inb-pairs="[[' in panel
        assert '<details class="inb-envoy__defaults"><summary>Istio の既定値' in panel
    # The default retry policy is Istio's: folded away, not among the lines the example produced.
    shown, folded = vs.split('<details class="inb-envoy__defaults">')
    assert "retry_host_predicate" not in shown and "retry_host_predicate" in folded
    assert "end-user" in shown  # the header match the example wrote


TCP_PAGE = """---
fixtures: [reviews]
---
```yaml
apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: default}
spec:
  selector: {app: tcp-echo}
  ports:
  - {name: tcp, port: 9000}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: tcp-echo
spec:
  hosts: [tcp-echo]
  tcp:
  - route:
    - destination: {host: tcp-echo, port: {number: 9000}}
```
"""


def test_a_tcp_virtual_service_tab_shows_the_filter_chain_its_rule_became(fixtures):
    # tcp rules are filter chains with a tcp_proxy on the port's listener (tcp.go, listener_builder.go);
    # the chain carries the VirtualService in its istio metadata, as routes do (translate_l4.chain_json).
    (panel,) = envoy_panels(render(TCP_PAGE, "page.md", fixtures))
    assert caption(panel) == "名前空間 default のサイドカーの Envoy 設定で、この VirtualService はリスナー 0.0.0.0_9000 のフィルターチェーン 1 本になります。"
    assert "envoy.filters.network.tcp_proxy" in panel and "cluster: outbound|9000||tcp-echo.default.svc.cluster.local" in panel
    assert "route_configs" not in panel

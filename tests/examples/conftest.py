"""A tiny project (docs/fixtures + a page) for running examples with the real analyzers and simulator."""

from pathlib import Path

import pytest

from istio_notebook.examples.fixtures import FixtureStore

FIXTURE = """\
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
spec:
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
  namespace: default
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: reviews, image: reviews:v1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v2
  namespace: default
spec:
  selector: {matchLabels: {app: reviews, version: v2}}
  template:
    metadata: {labels: {app: reviews, version: v2}}
    spec: {containers: [{name: reviews, image: reviews:v2}]}
"""

DR = """\
```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
```
"""

DR_V1_ONLY = DR.replace("  - name: v2\n    labels: {version: v2}\n", "")

VS = """\
```yaml title="vs.yaml"
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "fixtures").mkdir(parents=True)
    (tmp_path / "docs" / "fixtures" / "reviews.yaml").write_text(FIXTURE)
    return tmp_path


@pytest.fixture
def store(project: Path) -> FixtureStore:
    return FixtureStore(project / "docs" / "fixtures", display_root=project)

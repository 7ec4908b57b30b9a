"""Texts of a tiny project (a fixture file, page fences) for running examples with the real analyzers and simulator.

A module with its own name (not ``conftest``): every test folder has a conftest, and
``from conftest import ...`` picks whichever one was imported first.
"""

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

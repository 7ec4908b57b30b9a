"""Labs: runnable versions of the documented behaviour, offline (sim, envoy) or on kind + Istio.

Public API:
- ``Catalog.load(root)``: the labs under ``root/labs`` (``Lab`` records) and their problems.
- ``load_scenario(lab, fixtures_dir)``: the lab's mesh (fixtures + manifests) and checks.
- ``run_labs(catalog, labs, backend, root=...)``: ``LabReport`` per lab (``sim``, ``envoy``, ``kind``).
- ``render_page(lab, root)`` / ``write_pages(catalog, root)``: the lab pages under docs/labs/.
"""

from istio_notebook.labs.catalog import Catalog, Lab, load_lab
from istio_notebook.labs.results import CheckReport, LabReport
from istio_notebook.labs.scenario import LabScenario, load_scenario

__all__ = ["Catalog", "CheckReport", "Lab", "LabReport", "LabScenario", "load_lab", "load_scenario"]

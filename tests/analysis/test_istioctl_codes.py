"""Coverage of istioctl's codes: every code of istioctl 1.30's messages.yaml has one status here.

The pinned list (diagnostics/istioctl_codes.yaml) holds the code, name and level of each entry of
istio/istio pkg/config/analysis/msg/messages.yaml at tag 1.30.3 (67 codes). A code is either
implemented (by modules that a table case shows reporting it), not applicable offline (with the
reason), or pending (judgeable from files, not built yet): that list may only shrink.
"""

from __future__ import annotations

from pathlib import Path

from istio_notebook.analysis.analyzers import by_name
from istio_notebook.diagnostics.catalogue import CATALOGUE
from istio_notebook.diagnostics.coverage import ISTIOCTL_CODES, ISTIOCTL_VERSION, Status

from test_analyzers import CASES

TESTS = Path(__file__).parent
# The number of file-judgeable codes still missing; lower it when you implement one, never raise it.
MAX_PENDING = 0


def test_the_pin_is_istioctl_1_30_with_all_its_codes():
    codes = [c.code for c in ISTIOCTL_CODES]
    assert ISTIOCTL_VERSION.startswith("1.30.")
    assert len(codes) == len(set(codes)) == 67
    assert all(c.level in ("Error", "Warning", "Info") for c in ISTIOCTL_CODES)


def test_every_code_not_implemented_says_why():
    for entry in ISTIOCTL_CODES:
        if entry.status is Status.IMPLEMENTED:
            assert entry.modules, entry.code
        else:
            assert len(entry.reason) > 20, f"{entry.code}: give the reason"


def test_pending_codes_only_shrink():
    pending = [c.code for c in ISTIOCTL_CODES if c.status is Status.PENDING]
    assert len(pending) <= MAX_PENDING, pending


def test_implemented_codes_are_in_the_catalogue_with_istioctls_name_and_level():
    for entry in ISTIOCTL_CODES:
        if entry.status is Status.IMPLEMENTED:
            message = CATALOGUE[entry.code]
            assert (message.name, message.level.value, message.source) == (entry.name, entry.level, "istioctl")


def test_every_istioctl_code_of_the_catalogue_is_pinned_as_implemented():
    implemented = {c.code for c in ISTIOCTL_CODES if c.status is Status.IMPLEMENTED}
    assert {m.code for m in CATALOGUE.values() if m.source == "istioctl"} == implemented


def _table_codes_by_module() -> dict[str, set[str]]:
    analyzers = by_name()
    found: dict[str, set[str]] = {}
    for _, _, analyzer, expected in CASES:
        module = analyzers[analyzer].__name__.removeprefix("istio_notebook.")
        found.setdefault(module, set()).update(code for code, _, _ in expected)
    return found


def test_every_implementing_analyzer_is_shown_reporting_the_code_in_the_table():
    table = _table_codes_by_module()
    analyzer_modules = {a.__name__.removeprefix("istio_notebook.") for a in by_name().values()}
    for entry in ISTIOCTL_CODES:
        for module in entry.modules:
            if module in analyzer_modules:
                assert entry.code in table.get(module, set()), f"{entry.code}: no table case shows {module} reporting it"


def test_codes_reported_outside_analyzers_have_their_own_tests():
    # IST0001 (analysis.run_analyzers) and IST0106/IST0133 (analysis.validation) are not analyzers.
    analyzer_modules = {a.__name__.removeprefix("istio_notebook.") for a in by_name().values()}
    texts = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py") if p.name != Path(__file__).name)
    for entry in ISTIOCTL_CODES:
        if any(m not in analyzer_modules for m in entry.modules):
            assert f'"{entry.code}"' in texts, f"{entry.code}: no test in tests/analysis names it"

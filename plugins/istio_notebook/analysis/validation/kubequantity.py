"""Kubernetes resource quantities (``100m``, ``1.5Gi``, ``2e3``) as apimachinery's
``resource.ParseQuantity`` (k8s.io/apimachinery pkg/api/resource/quantity.go) accepts them.

:func:`quantity_error` returns None for an accepted quantity, else the error's text. The scan
follows ``parseQuantityString``: optional sign, digits, optional ``.`` and digits (``1.`` and
even ``.`` pass), then a suffix of ``eEinumkKMGTP`` letters, an optional sign and digits. The
suffix must be a binary (Ki..Ei) or decimal (n, u, m, "", k, M, G, T, P, E) one, or ``e``/``E``
and an int64 exponent. Not modelled: the rare ``unable to parse numeric part of quantity`` that
the slow path gives a number without digits and a fraction-taking suffix (``.n``).
"""

from __future__ import annotations

import re

REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_WRONG = f"quantities must match the regular expression '{REGEX}'"
SUFFIX = "unable to parse quantity's suffix"

_SCAN = re.compile(r"[+-]?[0-9]*(?:\.[0-9]*)?(?P<suffix>[eEinumkKMGTP]*(?:[-+]?[0-9]*))\Z", re.ASCII)
_SUFFIXES = frozenset({"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "", "k", "M", "G", "T", "P", "E"})
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+\Z", re.ASCII)
_INT64_MAX = 2**63 - 1


def _suffix_known(suffix: str) -> bool:
    if suffix in _SUFFIXES:
        return True
    # An exponent goes through strconv.ParseInt(suffix[1:], 10, 64).
    return _EXPONENT.match(suffix) is not None and -_INT64_MAX - 1 <= int(suffix[1:]) <= _INT64_MAX


def quantity_error(text: str) -> str | None:
    if not text:
        return FORMAT_WRONG
    scanned = _SCAN.match(text)
    if scanned is None:
        return FORMAT_WRONG
    if not _suffix_known(scanned["suffix"]):
        return SUFFIX
    return None

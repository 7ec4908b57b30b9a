"""Labels and label selectors: the one home for reading, parsing and matching them.

Istio has two rules for an empty selector (istio/istio pkg/config/labels/instance.go), and each
kind uses one of them:

==========================================================  ===========================  ==========
selector                                                    Istio's function             empty means
==========================================================  ===========================  ==========
AuthorizationPolicy, PeerAuthentication,                    ``Instance.SubsetOf``        every
RequestAuthentication, Telemetry ``selector.matchLabels``   (model/policyattachment.go)  workload
Sidecar ``workloadSelector.labels`` (when present)          ``SubsetOf`` (push_context)  every
Gateway ``selector``                                        ``SubsetOf`` (push_context)  every
ServiceEntry ``workloadSelector.labels``                    ``krt.FilterLabel``          every
DestinationRule subset ``labels``, VirtualService           ``SubsetOf``                 every
``sourceLabels``
Kubernetes Service ``spec.selector``                        ``Instance.Match``           nothing
                                                            (kube/controller/util.go)
==========================================================  ===========================  ==========

:func:`selects` is ``SubsetOf``, :func:`service_selects` is ``Match``. Whether a selector is
*present* (an absent ``workloadSelector`` makes a Sidecar namespace-wide) is the caller's
question; these functions only compare label maps.
"""

from __future__ import annotations

from typing import Any


class LabelError(ValueError):
    """A ``k=v`` list or workload reference that cannot be parsed; the message is one line."""


def label_map(value: Any) -> dict[str, str]:
    """A label map as Kubernetes reads it (keys and values strings, null as ""); {} when not a map."""
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Istio's ``labels.Instance.SubsetOf``: every pair of ``selector`` is in ``labels``; empty selects all."""
    return all(labels.get(k) == v for k, v in selector.items())


def service_selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Istio's ``labels.Instance.Match`` (a Service selecting pods): as :func:`selects`, but empty selects none."""
    return bool(selector) and selects(selector, labels)


def parse_labels(text: str, what: str = "labels") -> dict[str, str]:
    """``app=reviews,version=v2`` → a label map; raises :class:`LabelError` naming ``what``.

    Items are separated by commas and stripped; empty items are skipped. Every item needs ``=``
    and a non-empty key; keys and values hold no spaces; a key given twice is refused.
    """
    labels: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key or any(c.isspace() for c in key) or any(c.isspace() for c in value):
            raise LabelError(f"{what} want key=value, got {item!r}")
        if key in labels:
            raise LabelError(f"{what}: {key!r} given twice")
        labels[key] = value
    return labels


def parse_workload(text: str, what: str, *, default_namespace: str | None = None) -> tuple[str, dict[str, str]]:
    """``ns``, ``ns/k=v,...`` → (namespace, labels). With ``default_namespace``, ``k=v,...`` alone is
    accepted in that namespace; without it the namespace is required. Raises :class:`LabelError`."""
    text = (text or "").strip()
    namespace, slash, rest = text.partition("/")
    if not slash and "=" in text and default_namespace is not None:
        namespace, rest = default_namespace, text
    namespace = namespace.strip()
    if not namespace or "=" in namespace or "," in namespace or any(c.isspace() for c in namespace):
        raise LabelError(f"{what} wants NS[/key=value,...], got {text!r}")
    return namespace, parse_labels(rest, f"{what} labels")


def format_labels(labels: dict[str, str]) -> str:
    """Kubernetes' ``labels.SelectorFromSet(...).String()``: sorted ``k=v`` joined by commas."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """A Kubernetes ``metav1.LabelSelector`` (matchLabels and matchExpressions) against ``labels``.

    As apimachinery's ``LabelSelectorAsSelector(...).Matches``: a missing selector (None) and an
    empty one match everything; ``NotIn`` matches an absent key; a selector that does not parse
    (an unknown operator, In/NotIn without values, Exists with values) matches nothing.
    """
    if selector is None:
        return True
    if not isinstance(selector, dict):
        return False
    if not selects(label_map(selector.get("matchLabels")), labels):
        return False
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return False
    return all(isinstance(e, dict) and _requirement_matches(e, labels) for e in expressions)


def _requirement_matches(requirement: dict, labels: dict[str, str]) -> bool:
    key, operator = requirement.get("key"), requirement.get("operator")
    raw = requirement.get("values") or []
    values = [str(v) for v in raw] if isinstance(raw, list) else []
    if not isinstance(key, str) or operator not in _SELECTOR_OPERATORS or (operator in ("In", "NotIn")) != bool(values):
        return False
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    return (key in labels) == (operator == "Exists")

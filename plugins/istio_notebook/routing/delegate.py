"""VirtualService delegation: a delegate's match narrowed by its root's (one level)."""

from __future__ import annotations


def merge_match(root: dict | None, delegate: dict | None) -> dict | None:
    """A delegate match narrowed by a root match, or None when it is not within the root's.

    (pilot/pkg/model/virtualservice.go mergeHTTPMatchRequest / hasConflict.)
    """
    if root is None:
        return delegate
    if delegate is None:
        return dict(root)
    out = dict(root)
    ru, du = root.get("uri"), delegate.get("uri")
    if isinstance(ru, dict) and isinstance(du, dict):
        if "prefix" in ru and isinstance(ru["prefix"], str):
            value = du.get("prefix", du.get("exact"))
            if "regex" in du or not isinstance(value, str) or not value.startswith(ru["prefix"]):
                return None
        elif ru != du:
            return None
        out["uri"] = du
    elif isinstance(du, dict):
        out["uri"] = du
    for key in ("headers", "withoutHeaders", "queryParams", "sourceLabels"):
        r, d = root.get(key), delegate.get(key)
        if isinstance(d, dict):
            merged = dict(r) if isinstance(r, dict) else {}
            for k, v in d.items():
                if k in merged and merged[k] != v:
                    return None
                merged[k] = v
            out[key] = merged
    for key in ("method", "authority", "scheme", "port", "sourceNamespace", "gateways", "ignoreUriCase"):
        if key in delegate:
            if key in root and root[key] != delegate[key]:
                return None
            out[key] = delegate[key]
    if "name" in delegate:
        out["name"] = delegate["name"]
    return out

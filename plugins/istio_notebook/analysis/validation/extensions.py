"""WasmPlugin and TrafficExtension: ValidateWasmPlugin / ValidateTrafficExtension in istio/istio 1.30
pkg/config/validation/validation.go. Each helper there returns its first error only, so each check
here stops at its first finding."""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, Path, fields, items, present
from istio_notebook.analysis.validation.gourl import GoURLError, strict_parse_url_scheme
from istio_notebook.analysis.validation.selectors import check_selection

_SCHEMES = ("", "file", "http", "https", "oci")
_LUA_LIMIT = 65536


def check_wasm_plugin(spec: dict, found: Findings) -> None:
    check_selection(spec, found)
    _check_module(spec, ("spec",), found, name_text="pluginName field must be less than 255 characters long")
    _check_match(spec, found)


def check_traffic_extension(spec: dict, found: Findings) -> None:
    wasm, lua = present(spec, "wasm"), present(spec, "lua")
    if wasm == lua:
        found.error(("spec",), "exactly one of wasm or lua must be set")
    check_selection(spec, found)
    if lua:
        code = fields(spec["lua"]).get("inlineCode") or ""
        if not code:
            found.error(("spec", "lua", "inlineCode"), "lua.inlineCode cannot be empty")
        elif len(code.encode()) > _LUA_LIMIT:
            found.error(("spec", "lua", "inlineCode"), "lua.inlineCode exceeds maximum size of 64KB")
    if wasm:
        _check_module(fields(spec["wasm"]), ("spec", "wasm"), found, name_text="pluginName field must be less than 256 characters long")
    _check_match(spec, found)


def _check_module(module: dict, at: Path, found: Findings, name_text: str) -> None:
    """url, sha256, imagePullSecret, pluginName and vmConfig of a Wasm module (both kinds)."""
    _check_url(module.get("url") or "", at + ("url",), found)
    digest = module.get("sha256") or ""
    if digest and len(digest) != 64:
        found.error(at + ("sha256",), "sha256 field must be 64 characters long")
    elif digest and not set(digest) <= set("0123456789abcdef"):
        found.error(at + ("sha256",), "sha256 field must match [a-f0-9]{64} pattern")
    if len(module.get("imagePullSecret") or "") > 253:
        found.error(at + ("imagePullSecret",), "imagePullSecret field must be less than 253 characters long")
    if len(module.get("pluginName") or "") > 256:
        found.error(at + ("pluginName",), name_text)
    _check_vm_env(items(fields(module.get("vmConfig")).get("env")), at + ("vmConfig", "env"), found)


def _check_url(url: str, at: Path, found: Findings) -> None:
    if not url:
        found.error(at, "url field needs to be set")
        return
    try:
        scheme = strict_parse_url_scheme(url)
    except GoURLError as why:
        found.error(at, str(why))
        return
    if scheme not in _SCHEMES:
        found.error(at, f"url contains unsupported scheme: {scheme}")


def _check_vm_env(env: list, at: Path, found: Findings) -> None:
    names: set[str] = set()
    for index, entry in enumerate(env):
        entry = fields(entry)
        name = entry.get("name") or ""
        where = at + (index,)
        if not name:
            message = "spec.vmConfig.env invalid"
        elif len(name) > 256:
            message = "env.name field must be less than 255 characters long"
        elif name in names:
            message = "duplicate env"
        elif (entry.get("valueFrom") or "INLINE") != "INLINE" and entry.get("value"):
            message = "value may only be set when valueFrom is INLINE"
        else:
            names.add(name)
            continue
        found.error(where, message)
        return


def _check_match(spec: dict, found: Findings) -> None:
    for index, selector in enumerate(items(spec.get("match"))):
        for port_index, port in enumerate(items(fields(selector).get("ports"))):
            number = fields(port).get("number") or 0
            if not 0 < number <= 65535:
                found.error(
                    ("spec", "match", index, "ports", port_index, "number"),
                    f"spec.Match[{index}].Ports[{port_index}] is out of range: {number}",
                )
                return

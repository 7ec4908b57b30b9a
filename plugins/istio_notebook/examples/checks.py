"""```check fences → :class:`Check` records (curl, nc or openssl line, context lines, expectation lines).

Syntax errors do not raise: each becomes an INB3xxx diagnostic with file:line on the check it
belongs to, so a broken check is still an item that fails, naming its line.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from urllib.parse import urlsplit

from istio_notebook.config import Origin
from istio_notebook.config.labels import parse_workload
from istio_notebook.diagnostics import Diagnostic, report
from istio_notebook.examples.connections import parse_nc, parse_openssl, tool_of
from istio_notebook.examples.expectations import parse_clause, strip_arrow
from istio_notebook.examples.model import DEFAULT_SCENARIO, Check, CheckContext, Expectation, Request

_FLAGS_IGNORED = {"-s", "-S", "-sS", "-i", "-v", "-k", "-L", "--silent", "--show-error", "--include", "--insecure", "--location"}
_DATA_OPTIONS = {"-d", "--data", "--data-raw", "--data-binary"}
_CONTEXT_KEYS = ("from", "via", "to", "source-principal", "source-namespace", "source-ip", "claim", "mtls")


def parse_curl(line: str) -> Request:
    """``curl [-X METHOD] [-H 'Name: value']... [--data ...] URL`` → Request; ValueError says why not."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        raise ValueError(f"cannot split the line: {error}") from None
    if not words or words[0] != "curl":
        raise ValueError("a check starts with a curl line: curl [-X METHOD] [-H 'Name: value']... URL")
    method, headers, data, urls = None, [], None, []
    i = 1
    while i < len(words):
        word = words[i]
        takes_value = word in ("-X", "--request", "-H", "--header") or word in _DATA_OPTIONS
        if takes_value and i + 1 >= len(words):
            raise ValueError(f"{word} needs a value")
        if word in ("-X", "--request"):
            method = words[i + 1].upper()
        elif word in ("-H", "--header"):
            header = words[i + 1]
            if ":" not in header or not header.split(":", 1)[0].strip():
                raise ValueError(f"header {header!r} is not 'Name: value'")
            headers.append(header)
        elif word in _DATA_OPTIONS:
            data = words[i + 1]
        elif word in _FLAGS_IGNORED:
            i += 1
            continue
        elif word.startswith("-"):
            raise ValueError(f"unsupported curl option {word}")
        else:
            urls.append(word)
            i += 1
            continue
        i += 2
    if len(urls) != 1:
        raise ValueError("exactly one URL is needed" if not urls else f"several URLs: {' '.join(urls)}")
    url = urls[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    return Request(method=method or ("POST" if data is not None else "GET"), url=url, headers=headers, data=data)


_PARSERS = {"curl": parse_curl, "nc": parse_nc, "openssl": parse_openssl}


def _validate_selector(value: str, *, needs_labels: bool, name: str) -> None:
    if not value.partition("/")[0] or " " in value:
        raise ValueError(f"{name} is NAMESPACE/key=value,... (e.g. default/app=productpage)")
    # `from` may give labels alone (namespace default), as the route command's --from does.
    _, labels = parse_workload(value, name, default_namespace="default" if name == "from" else None)
    if needs_labels and not labels:
        raise ValueError(f"{name} needs labels after the namespace, e.g. foo/app=httpbin")


def _validate_gateway(value: str) -> None:
    namespace, _, gateway = value.partition("/")
    if not namespace or not gateway or "/" in gateway:
        raise ValueError("via is NAMESPACE/GATEWAY (e.g. istio-system/bookinfo-gateway)")


def context_from_options(options: dict[str, str]) -> CheckContext:
    """A fence's ``from=`` / ``via=`` / ``to=`` options; ValueError names the bad one."""
    context = CheckContext()
    for key in ("from", "via", "to"):
        if key in options:
            context = apply_context(context, key, options[key])
    return context


def apply_context(context: CheckContext, key: str, value: str) -> CheckContext:
    value = value.strip()
    if not value:
        raise ValueError(f"{key} needs a value")
    if key == "from":
        _validate_selector(value, needs_labels=False, name="from")
        return replace(context, from_=value, via=None)
    if key == "via":
        _validate_gateway(value)
        return replace(context, via=value, from_=None)
    if key == "to":
        _validate_selector(value, needs_labels=False, name="to")
        return replace(context, to=value)
    if key == "source-principal":
        return replace(context, source_principal=value)
    if key == "source-namespace":
        return replace(context, source_namespace=value)
    if key == "source-ip":
        return replace(context, source_ip=value)
    if key == "mtls":
        if value not in ("on", "off"):
            raise ValueError("@mtls is on or off")
        return replace(context, mtls=value == "on")
    if key == "claim":
        name, sep, claim = value.partition("=")
        if not sep or not name:
            raise ValueError("@claim is key=value")
        return replace(context, claims={**context.claims, name.strip(): claim.strip()})
    raise ValueError(f"unknown context line @{key} (known: {', '.join('@' + k for k in _CONTEXT_KEYS)})")


def _groups(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Blank-line separated groups of (0-based line, text); backslash continuations joined."""
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(lines):
        text = raw.rstrip()
        if pending is not None:
            text = pending[1] + " " + text.strip()
            number = pending[0]
            pending = None
        if text.endswith("\\"):
            pending = (number, text[:-1].rstrip())
            continue
        if not text.strip():
            if current:
                groups.append(current)
            current = []
            continue
        current.append((number, text.strip()))
    if pending is not None:
        current.append(pending)
    if current:
        groups.append(current)
    return groups


def parse_checks(
    text: str,
    origin: Origin,
    *,
    context: CheckContext | None = None,
    scenario: str = DEFAULT_SCENARIO,
) -> list[Check]:
    """The checks of a ```check fence body; ``origin`` maps body lines to file lines."""
    checks: list[Check] = []
    for group in _groups(text.split("\n")):
        check = _parse_group(group, origin, context or CheckContext(), scenario)
        if check is not None:
            checks.append(check)
    return checks


WIDE = 0x2E80  # from CJK radicals on: kana, kanji, full-width punctuation and forms
WIDE_PUNCTUATION = "、。，．・：；（「『【"  # Japanese takes no space after these


def join_title(lines: list[str]) -> str:
    """A check's comment lines as one title: a space between lines, none inside a Japanese sentence
    (two wide characters meet, or the line ends with Japanese punctuation), as Japanese wraps without spaces."""
    title = ""
    for line in filter(None, lines):
        joined = title and ((ord(title[-1]) >= WIDE and ord(line[0]) >= WIDE) or title[-1] in WIDE_PUNCTUATION)
        title += ("" if joined or not title else " ") + line
    return title


def _parse_group(group: list[tuple[int, str]], origin: Origin, context: CheckContext, scenario: str) -> Check | None:
    title_lines: list[str] = []
    problems: list[Diagnostic] = []
    request: Request | None = None
    request_line = None
    expectations: list[Expectation] = []
    for number, line in group:
        position = origin.at(number)
        if line.startswith("#"):
            if request_line is None:
                title_lines.append(line.lstrip("#").strip())
            continue
        clause_text = strip_arrow(line)
        if clause_text is not None:
            if request_line is None:
                problems.append(report("INB3010", position, detail="an expectation comes before any curl request"))
            try:
                name, args = parse_clause(clause_text)
                expectations.append(Expectation(line=position.line, text=clause_text, clause=name, args=args))
            except ValueError as error:
                problems.append(report("INB3012", position, text=clause_text, detail=str(error)))
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            try:
                context = apply_context(context, key, value)
            except ValueError as error:
                problems.append(report("INB3013", position, text=line, detail=str(error)))
            continue
        tool = tool_of(line)
        if tool is not None:
            if request_line is not None:
                problems.append(report("INB3010", position, detail="a second request line; separate checks with a blank line"))
                continue
            request_line = position.line
            try:
                request = _PARSERS[tool](line)
            except ValueError as error:
                problems.append(report("INB3010", position, detail=str(error)))
            continue
        problems.append(report("INB3014", position, text=line))
    if request_line is None and not expectations and not problems:
        return None  # a paragraph of comments
    first_line = origin.at(group[0][0]).line
    line = request_line or first_line
    if request_line is not None and not expectations and not any(d.code == "INB3012" for d in problems):
        problems.append(report("INB3011", origin.at(group[-1][0])))
    return Check(
        file=origin.file,
        line=line,
        title=join_title(title_lines),
        request=request,
        context=context,
        scenario=scenario,
        expectations=expectations,
        diagnostics=problems,
    )

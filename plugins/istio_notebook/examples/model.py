"""The plain records of the examples package: what discovery finds and what running produces.

``str(item)`` of every example and check is ``path:line`` (the pytest id, the place named in
build messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from istio_notebook.diagnostics import Diagnostic

DEFAULT_SCENARIO = ""

ExampleMode = Literal["scenario", "expect", "fragment", "unchecked"]


@dataclass(frozen=True)
class FragmentTarget:
    kind: str  # "VirtualService"
    path: tuple[str | int, ...]  # ("spec", "http", 0); 0 stands for "one list item"
    text: str  # as written: "VirtualService:spec.http[]"


@dataclass
class YamlExample:
    """One ```yaml fence."""

    file: str
    line: int  # the opening fence's line
    body: str
    body_line: int
    indent: int
    options: dict[str, str]
    mode: ExampleMode = "scenario"
    scenario: str = DEFAULT_SCENARIO  # joined scenario, or the context scenario of an `expect` block
    expect: tuple[str, ...] = ()
    fragment: FragmentTarget | None = None
    reason: str = ""  # the unchecked reason
    problems: list[Diagnostic] = field(default_factory=list)  # option errors found by discovery

    @property
    def end_line(self) -> int:
        return self.body_line + max(self.body.count("\n") - 1, 0)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Request:
    """A check's request, as the curl line states it."""

    method: str
    url: str  # http(s)://, or tcp:// (an nc line) and tls:// (an openssl s_client line)
    headers: list[str]  # "Name: value"
    data: str | None = None
    sni: str | None = None  # tls://: the server name the client sends
    tool: str = "curl"  # curl | nc | openssl (examples/connections.py)
    alpn: str | None = None  # tls://: openssl's -alpn value ("" when the line has none); None: not a TLS line

    @property
    def is_connection(self) -> bool:
        return self.tool != "curl"

    @property
    def request_line(self) -> str:
        return self.url if self.is_connection else f"{self.method} {self.url}"

    def __str__(self) -> str:
        host, _, port = self.url.partition("://")[2].rpartition(":")
        if self.tool == "nc":
            return f"nc {host.strip('[]')} {port}"
        if self.tool == "openssl":
            servername = f" -servername {self.sni}" if self.sni else ""
            alpn = f" -alpn {self.alpn}" if self.alpn else ""
            return f"openssl s_client -connect {host}:{port}{servername}{alpn}"
        parts = ["curl"]
        if self.method != ("POST" if self.data is not None else "GET"):
            parts += ["-X", self.method]
        parts += [f"-H '{h}'" for h in self.headers]
        if self.data is not None:
            parts += ["--data", repr(self.data)]
        parts.append(self.url)
        return " ".join(parts)


@dataclass
class CheckContext:
    """Who sends the request and who receives it (fence options, overridden per check)."""

    from_: str | None = None  # "NS[/k=v,...]"
    via: str | None = None  # "NS/GATEWAY"
    to: str | None = None  # "NS/k=v,..." (authz target)
    source_principal: str | None = None
    source_namespace: str | None = None
    source_ip: str | None = None
    mtls: bool | None = None
    claims: dict[str, str] = field(default_factory=dict)


@dataclass
class Expectation:
    """One ``→ ...`` line: a clause name and its parsed arguments."""

    line: int
    text: str  # the clause as written, without the arrow
    clause: str  # "destination", "status", "redirect", ...
    args: dict


@dataclass
class Check:
    """One check inside a ```check fence."""

    file: str
    line: int  # the request line
    title: str
    request: Request | None
    context: CheckContext
    scenario: str
    expectations: list[Expectation]
    diagnostics: list[Diagnostic] = field(default_factory=list)  # syntax errors (INB3xxx)

    @property
    def is_authz(self) -> bool:
        return any(e.clause == "authz" for e in self.expectations)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class CheckBlock:
    """One ```check fence."""

    file: str
    line: int
    body: str
    body_line: int
    indent: int
    options: dict[str, str]
    scenario: str
    checks: list[Check]
    problems: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class CheckResult:
    check: Check
    passed: bool
    differences: list[str]
    outcome: dict  # {"route": {...}} and/or {"authz": {...}} as the backend answered
    actual: dict[int, str] = field(default_factory=dict)  # expectation line → what actually holds, in clause syntax
    failing: list[int] = field(default_factory=list)  # lines of the expectations that do not hold
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sentence: str = ""  # the outcome in one Japanese sentence (examples/sentence.py); "" when nothing answered


ExampleStatus = Literal["verified", "error", "expected-error", "unchecked"]


@dataclass
class ExampleResult:
    example: YamlExample
    status: ExampleStatus
    diagnostics: list[Diagnostic]  # what the example produced (all levels)
    failures: list[Diagnostic]  # what makes it fail (empty when it passes)

    @property
    def passed(self) -> bool:
        return not self.failures

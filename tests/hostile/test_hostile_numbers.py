"""Numbers from hostile input (issue 13, point 1): never an internal error, never quadratic.

Each probe ends as a one-line finding at its line (IST0106 where the schema refuses the value,
INB1016 for .nan/.inf, INB1001 for a broken explicit tag), never a traceback. Sources for the
rules are in config/yaml_scalars.py (go-yaml v2 as Kubernetes reads YAML), config/models/base.py
(Go's time.ParseDuration, Envoy's duration limit replayed on Envoy 1.40.0) and config/decimal.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from istio_notebook.cli.check import check_paths
from istio_notebook.config import Origin, load_text
from istio_notebook.config.yaml_reader import read_documents

HUGE = "9" * 5000  # more digits than Python converts (sys.get_int_max_str_digits() is 4300)


def vs(http: str) -> str:
    return (
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\n"
        f"spec:\n  hosts: [reviews]\n  http:\n  - {http}\n    route: [{{destination: {{host: reviews}}}}]\n"
    )


def findings(tmp_path, text: str, name: str = "in.yaml") -> list[tuple[str, int, str]]:
    path = tmp_path / name
    path.write_text(text)
    return [(d.code, d.line, d.message) for d in check_paths([path]) if d.level.value != "Info"]


def test_an_integer_of_5000_digits_is_a_schema_error_at_its_line(tmp_path):
    service = f"apiVersion: v1\nkind: Service\nmetadata: {{name: a}}\nspec:\n  ports:\n  - port: {HUGE}\n"
    [(code, line, message)] = findings(tmp_path, service)
    assert (code, line) == ("IST0106", 6)
    assert message.startswith("Schema validation error: spec.ports[0].port: expected an integer, got '999")


def test_one_file_with_a_huge_integer_does_not_abort_a_directory(tmp_path):
    (tmp_path / "a.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata: {{x: {HUGE}}}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 0}]}\n")
    result = subprocess.run([sys.executable, "-m", "istio_notebook", "check", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert f"{tmp_path / 'b.yaml'}:4) Schema validation error: spec.ports[0].port: port number 0" in result.stdout


def test_a_huge_integer_in_a_markdown_fence_and_in_front_matter(tmp_path):
    page = f"---\nfixtures: [{HUGE}]\n---\n\n```yaml\napiVersion: v1\nkind: Service\nmetadata: {{name: a}}\nspec:\n  ports: [{{port: {HUGE}}}]\n```\n"
    found = findings(tmp_path, page, "page.md")
    # In front matter the number stays text (as go-yaml keeps it): a fixture name that does not exist.
    assert [(code, line) for code, line, _ in found] == [("INB3006", 1), ("IST0106", 10)]


@pytest.mark.parametrize("text", ["1" + ":59" * 400_000, "190:20:30", "-1:30"])
def test_base_60_integers_stay_text_as_kubernetes_reads_them(text):
    # go-yaml v2 (sigs.k8s.io/yaml) does not resolve YAML 1.1 base 60: the value is a string.
    # PyYAML's own constructor takes time quadratic in the length (1.2 MB: 29 s).
    [doc], problems = read_documents(f"data: {{x: {text}}}\n", Origin("f"))
    assert problems == [] and doc.data["data"]["x"] == text


def test_a_base_60_float_with_many_parts_stays_text():
    text = "1" + ":59" * 2000 + ".5"  # PyYAML: OverflowError
    [doc], problems = read_documents(f"data: {{x: {text}}}\n", Origin("f"))
    assert problems == [] and doc.data["data"]["x"] == text


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.Inf", "+.INF"])
def test_nan_and_infinity_refuse_the_document_at_their_line(value):
    result = load_text(vs(f"fault: {{abort: {{httpStatus: 500, percentage: {{value: {value}}}}}}}"), Origin("f.yaml"))
    assert result.resources == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("INB1016", 7)
    assert diagnostic.message == f"{value} is not a finite number; Kubernetes cannot convert it to JSON, so the document is refused"


def test_a_float_beyond_float64_stays_text_and_the_schema_refuses_it(tmp_path):
    [(code, line, message)] = findings(tmp_path, vs("fault: {abort: {httpStatus: 500, percentage: {value: 1.0e+400}}}"))
    assert (code, line) == ("IST0106", 7)
    assert "percentage.value: expected a number, got '1.0e+400'" in message


def test_an_explicit_int_tag_on_text_is_a_yaml_error():
    [diagnostic] = load_text("apiVersion: v1\nkind: Service\nmetadata: {name: !!int abc}\n", Origin("f")).diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.message) == ("INB1001", 3, "YAML syntax error: 'abc' is not a valid int")


@pytest.mark.parametrize(
    ("http", "detail"),
    [
        # Go's time.ParseDuration overflows int64 nanoseconds (golang/protobuf jsonpb reads Istio's durations with it).
        ("fault: {delay: {fixedDelay: 10000000h, percentage: {value: 1}}}", "fault.delay.fixedDelay: invalid duration '10000000h': out of range: Istio reads"),
        ("timeout: 99999999999999999999s", "timeout: invalid duration '99999999999999999999s': out of range: Istio reads"),
        ("timeout: " + "1" * 5000 + "s", "timeout: invalid duration '111"),
        # Within Go's range but refused by Envoy (replayed on Envoy 1.40.0: 9223372036s refused, 9223372035.999999999s accepted).
        ("timeout: 9223372036s", "timeout: invalid duration '9223372036s': out of range: Envoy refuses durations of 9223372036s or more"),
    ],
)
def test_durations_istio_or_envoy_cannot_hold_are_schema_errors(tmp_path, http, detail):
    [(code, line, message)] = findings(tmp_path, vs(http))
    assert (code, line) == ("IST0106", 7)
    assert detail in message


def test_the_longest_duration_envoy_accepts_passes(tmp_path):
    assert findings(tmp_path, vs("timeout: 9223372035.999s")) == []


@pytest.mark.parametrize("port", ["²", "٣", HUGE, "x"])
def test_authorization_policy_ports_that_are_not_ascii_numbers_are_bad_ports(tmp_path, port):
    # Istio: strconv.ParseUint(port, 10, 32) in security.ValidatePorts takes ASCII digits only;
    # "²".isdigit() is true in Python and int("²") raises: that was an internal error.
    policy = (
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: default}\n"
        f"spec:\n  rules:\n  - to:\n    - operation:\n        ports: ['{port}']\n"
    )
    [(code, line, message)] = findings(tmp_path, policy)
    assert (code, line) == ("IST0106", 8)
    assert message.endswith(f"bad port ({port})")


def test_peer_authentication_port_keys_that_are_not_ascii_numbers(tmp_path):
    policy = (
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: default}\n"
        "spec:\n  selector: {matchLabels: {app: a}}\n  portLevelMtls:\n    '²': {mode: STRICT}\n"
    )
    assert any(code == "IST0106" for code, _, _ in findings(tmp_path, policy))

"""Discovery of examples and checks in Markdown: fence options, modes, option errors (docs/contributing/syntax.md)."""

from istio_notebook.examples.find import find_examples, parse_fragment_target, read_page
from istio_notebook.examples.model import CheckBlock, YamlExample
from istio_notebook.examples.options import add_option, parse_info

VS = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n"


def fence(info: str, body: str = VS, ticks: str = "```") -> str:
    return f"{ticks}{info}\n{body}{ticks}\n"


def test_info_string_options_in_superfences_style():
    assert parse_info('yaml title="vs.yaml" expect="IST0101,IST0130"') == ("yaml", {"title": "vs.yaml", "expect": "IST0101,IST0130"})
    assert parse_info("{.yaml scenario=canary}") == ("yaml", {"scenario": "canary"})
    assert parse_info("check from='default/app=productpage'") == ("check", {"from": "default/app=productpage"})


def test_add_option_keeps_the_line_and_the_brace_form():
    assert add_option('```yaml title="a"', "inb_item", "3") == '```yaml title="a" inb_item="3"'
    assert add_option("```{.yaml}", "inb_item", "0") == '```{.yaml inb_item="0"}'


def test_items_carry_the_opening_fence_line_as_their_id():
    text = "# t\n\n" + fence("yaml") + "\ntext\n\n" + fence("check", "curl http://r/\n→ r\n")
    items = find_examples(text, "docs/p.md")
    assert [str(i) for i in items] == ["docs/p.md:3", "docs/p.md:14"]
    assert isinstance(items[0], YamlExample) and isinstance(items[1], CheckBlock)
    assert items[0].body_line == 4 and items[0].mode == "scenario"


def test_modes_from_options():
    text = fence('yaml scenario="canary"') + fence('yaml expect="IST0101"') + fence('yaml fragment="VirtualService:spec.http[]"', "route: []\n") + fence('yaml unchecked="shell output"', "a b c\n")
    examples = find_examples(text, "p.md")
    assert [(e.mode, e.scenario) for e in examples] == [("scenario", "canary"), ("expect", ""), ("fragment", ""), ("unchecked", "")]
    assert examples[1].expect == ("IST0101",)
    assert examples[2].fragment.path == ("spec", "http", 0)
    assert examples[3].reason == "shell output"
    assert all(not e.problems for e in examples)


def test_option_errors_name_the_fence_line():
    text = fence('yaml unchecked="x" expect="IST0101"') + fence('yaml unchecked=""') + fence('yaml expect="IST9999"') + fence('yaml fragment="Nope:spec"')
    examples = find_examples(text, "p.md")
    assert [[d.code for d in e.problems] for e in examples] == [["INB3001"], ["INB3003"], ["INB3004"], ["INB3002"]]
    assert [e.problems[0].line for e in examples] == [e.line for e in examples]


def test_fences_nested_in_a_markdown_fence_are_not_examples():
    text = "````markdown\n" + fence("yaml") + "````\n" + fence("yaml")
    assert [e.line for e in find_examples(text, "p.md")] == [11]


def test_fragment_target_paths():
    assert parse_fragment_target("DestinationRule:spec.trafficPolicy").path == ("spec", "trafficPolicy")
    assert parse_fragment_target("Gateway:spec.servers[]").path == ("spec", "servers", 0)
    for bad in ("VirtualService", "VirtualService:", "VirtualService:spec..http", "Unknown:spec"):
        try:
            parse_fragment_target(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_front_matter_fixtures_and_scenarios():
    text = "---\nfixtures: [bookinfo]\nscenarios:\n  canary:\n    fixtures: [httpbin]\n---\n" + fence('yaml scenario="canary"')
    page = read_page(text, "p.md")
    assert page.fixtures == ["bookinfo"]
    assert page.fixtures_of("canary") == ["bookinfo", "httpbin"]
    assert page.fixtures_of("") == ["bookinfo"]
    assert page.examples[0].line == 7


def test_bad_front_matter_and_unknown_scenario_are_reported():
    page = read_page("---\nfixtures: {a: 1}\n---\n" + fence('check scenario="nope"', "curl http://r/\n→ r\n"), "p.md")
    assert [d.code for d in page.problems] == ["INB3007"]
    assert [d.code for d in page.check_blocks[0].problems] == ["INB3015"]


def test_an_unclosed_fence_is_reported_not_silently_dropped():
    # A fence that runs to the end of the page renders as code and would check nothing as written.
    text = "# t\n\n```yaml\nkind: X\n\n```check\ncurl http://reviews:9080/\n→ reviews v1\n"
    items = find_examples(text, "p.md")
    assert [type(i) for i in items] == [YamlExample]  # the check fence is swallowed by the open yaml fence
    assert [(d.code, d.line) for d in items[0].problems] == [("INB3009", 3)]

    closed = find_examples("```check\ncurl http://reviews:9080/\n→ reviews v1\n```\n", "p.md")
    assert closed[0].problems == []

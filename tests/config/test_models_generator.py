"""The maintainer tool that turns istio/api protos into model modules: its proto reader.

The generated modules are checked in; this pins the reader on the proto constructs istio/api
uses (nested messages and enums, oneofs, maps, REQUIRED options, comments that look like code).
"""

from __future__ import annotations

from istio_notebook.config.models.generate import camel, parse

PROTO = """
syntax = "proto3";
// A comment with /* inside, and an option { brace }.
package istio.example.v1;
option go_package = "istio.io/api/example/v1";

message Route {
  option (istio.tools.cue) = { x: "y" };
  string name = 1 [(google.api.field_behavior) = REQUIRED];
  repeated Match match = 2;
  map<string, string> source_labels = 3;
  map<uint32, Mode> port_level = 4;
  oneof target {
    string exact = 5;
    string prefix = 6 [deprecated = true];
  }
  message Match {
    /* block comment */
    uint32 port = 1;
  }
  enum Mode {
    UNSET = 0;
    STRICT = 1 [deprecated = true];
  }
  reserved 7, 8;
}
"""


def test_reader_keeps_fields_labels_maps_oneofs_and_required() -> None:
    package, messages, enums = parse(PROTO)
    assert package == "istio.example.v1" and enums == []
    (route,) = messages
    fields = {f["name"]: f for f in route.fields}
    assert list(fields) == ["name", "match", "source_labels", "port_level", "exact", "prefix"]
    assert "REQUIRED" in fields["name"]["opts"]
    assert fields["match"]["label"] == "repeated"
    assert fields["source_labels"]["type"] == ("map", "string", "string")
    assert fields["port_level"]["type"] == ("map", "uint32", "Mode")
    assert route.oneofs == {"target": ["exact", "prefix"]}
    assert [m.full for m in route.nested] == ["istio.example.v1.Route.Match"]
    assert [e.values for e in route.enums] == [["UNSET", "STRICT"]]


def test_json_names_are_lower_camel_case_as_protobuf_json_writes_them() -> None:
    assert camel("source_labels") == "sourceLabels"
    assert camel("http2_max_requests") == "http2MaxRequests"
    assert camel("h2_upgrade_policy") == "h2UpgradePolicy"
    assert camel("name") == "name"

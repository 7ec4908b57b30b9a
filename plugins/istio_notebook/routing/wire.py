"""What a request looks like on the wire to Envoy's HTTP/1.1 codec, and what the codec refuses.

`route` sends a request line and headers, never a body. Two kinds of header need care:
- Framing headers that announce a body (``content-length: N`` with N > 0, ``transfer-encoding:
  chunked``): Envoy forwards the headers and then waits for the body that never comes (the replay
  stalled for its 30 s client timeout; a real client would wait for Envoy's stream idle timeout).
  Such a request cannot be sent as asked, so it is refused before either engine runs
  (``unsent_body``; Request.parse turns the message into a usage error).
- Everything Envoy's codec itself answers: see ``codec_refusal``.

Replayed on Envoy 1.40.0 (raw bytes on a socket to a sidecar listener), Envoy's own
``%RESPONSE_CODE_DETAILS%`` in brackets.
"""

from __future__ import annotations

from collections.abc import Sequence


def _values(lines: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [value.strip(" \t") for key, value in lines if key == name]


def unsent_body(lines: Sequence[tuple[str, str]]) -> str | None:
    """Why the request cannot be sent without a body, or None.

    Only well-formed framing counts here: a malformed one (``content-length: abc``, two lengths,
    length and chunked together, another transfer coding) is answered by Envoy's codec at once
    (400 or 501, ``codec_refusal``), which is the request's real outcome."""
    lengths, codings = _values(lines, "content-length"), _values(lines, "transfer-encoding")
    if len(lengths) == 1 and not codings and lengths[0].isascii() and lengths[0].isdigit() and int(lengths[0]) > 0:
        return (f"content-length: {lengths[0]} announces a body, and route sends none: Envoy would wait for it "
                "(leave the header out, or send content-length: 0)")
    if len(codings) == 1 and not lengths and codings[0].lower() == "chunked":
        return ("transfer-encoding: chunked announces a body, and route sends none: Envoy would wait for it "
                "(leave the header out)")
    return None

"""The ``%VARIABLE%`` grammar of a header value Istio lets through (pkg/config/validation
header_value_validator.go at 1.30.3, itself a port of Envoy's router/header_parser.cc): ``%%`` is a
literal percent, ``%NAME%`` or ``%NAME(args)%`` a variable, JSON-ish string arrays as arguments.
Whether NAME is a variable Envoy knows is not checked (istiod does not either).
"""

from __future__ import annotations

from enum import Enum, auto


class _State(Enum):
    LITERAL = auto()
    NAME = auto()  # inside %NAME...
    ARRAY = auto()  # after "(": expecting "[" (or a bare argument)
    STRING = auto()  # inside an argument string
    STRING_START = auto()  # expecting the opening quote of an argument
    DELIMITER = auto()  # after an argument: "," or "]"
    ARGS_END = auto()  # after "]": expecting ")"
    VARIABLE_END = auto()  # after ")": expecting "%"


def _literal(value: str, pos: int) -> tuple[_State, int, str | None]:
    if value[pos] != "%":
        return _State.LITERAL, pos, None
    if pos + 1 >= len(value):
        return _State.LITERAL, pos, "Un-escaped %"
    if value[pos + 1] == "%":
        return _State.LITERAL, pos + 1, None
    return _State.NAME, pos, None


def _step(state: _State, char: str) -> tuple[_State, str | None]:
    """The next state after ``char`` in every state but LITERAL and STRING (which look ahead)."""
    space = char == " "
    if state is _State.NAME:
        return {"%": _State.LITERAL, "(": _State.ARRAY}.get(char, _State.NAME), None
    if state is _State.ARRAY:
        return (_State.STRING_START if char == "[" else _State.ARRAY if space else _State.STRING), None
    if state is _State.DELIMITER:
        if char in ",]":
            return (_State.STRING_START if char == "," else _State.ARGS_END), None
        return state, None if space else "Expecting ',', ']', or whitespace"
    if state is _State.STRING_START:
        return (_State.STRING if char == '"' else state), None if space or char == '"' else "Expecting '\"'"
    if state is _State.ARGS_END:
        return (_State.VARIABLE_END if char == ")" else state), None if space or char == ")" else (
            "Expecting ')' or whitespace after '{}', but found '{}'")
    return (_State.LITERAL if char == "%" else state), None if space or char == "%" else (
        "Expecting '%' or whitespace after")


def header_value_syntax_error(value: str) -> str | None:
    """Istio's reason for refusing ``value``'s %-expressions, or None."""
    state, pos = _State.LITERAL, 0
    while pos < len(value):
        char = value[pos]
        if state is _State.LITERAL:
            state, pos, error = _literal(value, pos)
        elif state is _State.STRING:
            if char == "\\" and pos + 1 >= len(value):
                error = "Un-terminated backslash in JSON string"
            else:
                error = None
                pos += char == "\\"
                state = {")": _State.VARIABLE_END, '"': _State.DELIMITER}.get(char, state) if char != "\\" else state
        else:
            state, error = _step(state, char)
        if error:
            return f"invalid header configuration. {error}"
        pos += 1
    if state is not _State.LITERAL:
        return f"invalid header configuration. Un-terminated variable expression '{value}'"
    return None

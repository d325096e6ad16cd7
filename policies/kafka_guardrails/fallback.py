"""KAFKA-NET-003: a generic detector for forms nobody has written yet.

It reads any resource of any provider whose type no form reads, without knowing its schema: it
walks the properties looking for an inbound-looking structure that pairs a public source (a
public CIDR, `*`, `Internet`, `any`, or no source at all where the structure says it is inbound)
with a port or range that covers a guarded port (9092, "9000-9999", "9092/9092", "9092:9093",
"all", from/to pairs). Egress, denials, disabled rules and private sources never count.

Its verdict is a lead, not a proof, so it is advisory unless the policy config (or `--strict`)
makes it mandatory; the exact forms in the registry keep their own rules and never reach it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Optional

from . import cidr
from .model import ADVISORY
from .ports import port_text
from .registry import UNIVERSAL
from .rules import Issue, rule
from .settings import Settings
from .values import is_unknown

_NON_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def norm(key: str) -> str:
    """`from_port`, `fromPort`, `FromPort`, `from-port` -> `fromport`: spelling-agnostic keys."""
    return _NON_ALNUM.sub("", key.lower())


_OUTBOUND_WORDS = ("egress", "outbound")
_INBOUND_WORDS = ("ingress", "inbound")
_DIRECTION_KEYS = frozenset({"direction", "trafficdirection", "ruletype", "type", "flow", "traffictype"})
_INBOUND_VALUES = frozenset({"in", "ingress", "inbound", "incoming"})
_OUTBOUND_VALUES = frozenset({"out", "egress", "outbound", "outgoing"})
_ACTION_KEYS = frozenset({"action", "access", "policy", "ruleaction", "effect", "verdict", "mode"})
# actions that let nothing through by themselves (goto_next hands the decision to the next policy level)
_DENY_VALUES = frozenset({"deny", "drop", "reject", "block", "denied", "refuse", "goto_next"})
_PROTOCOL_KEYS = frozenset({"protocol", "ipprotocol", "proto", "iptype"})
_NOT_TCP = frozenset({"udp", "17", "icmp", "1", "icmpv6", "58", "gre", "47", "esp", "50", "ah", "51"})
_PUBLIC_WORDS = frozenset({"*", "internet", "any", "all", "0.0.0.0", "everyone", "world", "anywhere"})
_SOURCE_PARTS = ("source", "src", "cidr", "remote", "subnet", "ipfilter", "iprange", "allowedip", "whitelist",
                 "allowlist", "ipprefix", "addressprefix", "clientip", "trusted", "allowedaddress", "fromip",
                 "peer", "ipblock", "authorizednetwork", "ipallowlist")
_PAIRS = (("fromport", "toport"), ("portrangemin", "portrangemax"), ("minport", "maxport"),
          ("startport", "endport"), ("portfrom", "portto"), ("beginport", "endport"), ("portmin", "portmax"),
          ("lowport", "highport"), ("destinationportfrom", "destinationportto"))
_PAIRED = frozenset(k for pair in _PAIRS for k in pair)


def _is_source_key(key: str) -> bool:
    return ("port" not in key and not key.startswith(("destination", "dst", "dest", "target", "to"))
            and any(part in key for part in _SOURCE_PARTS))


def _is_port_key(key: str) -> bool:
    return ("port" in key and not key.startswith(("source", "src")) and "sourceport" not in key
            and "srcport" not in key and "count" not in key and "name" not in key and "protocol" not in key)


def _span(value: Any) -> Optional[tuple[int, int]]:
    """A port spec as any firewall writes it -> (low, high); None when it is not one (never assumed:
    the detector only reports what it can read)."""
    if isinstance(value, bool) or value is None or is_unknown(value) or (isinstance(value, str) and not value.strip()):
        return None
    if value in (-1, "-1"):
        return (0, 65535)
    if not isinstance(value, (int, float, str)):
        return None
    found = port_text(value)
    return None if found.assumed or found.unknown else (found.low, found.high)


def _spans(value: Any) -> list[tuple[int, int]]:
    if isinstance(value, list):
        return [s for item in value for s in _spans(item)]
    if isinstance(value, dict):  # e.g. {"port": 9092} or {"from": 9000, "to": 9999}
        keys = {norm(k): v for k, v in value.items() if isinstance(k, str)}
        low, high = keys.get("from", keys.get("start", keys.get("min"))), keys.get("to", keys.get("end", keys.get("max")))
        if low is not None and high is not None:
            pair = (_span(low), _span(high))
            return [(pair[0][0], pair[1][1])] if pair[0] and pair[1] else []
        return [s for k, v in keys.items() if "port" in k for s in _spans(v)]
    found = _span(value)
    return [found] if found else []


def _public(value: Any, settings: Settings) -> list[str]:
    """The public sources a value names (CIDRs broad and global enough, or words meaning everyone)."""
    if isinstance(value, list):
        return [s for item in value for s in _public(item, settings)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if isinstance(k, str) and _is_source_key(norm(k)) or k in ("value",)
                for s in _public(v, settings)]
    if not isinstance(value, str) or is_unknown(value):
        return []
    text = value.strip()
    if text.lower() in _PUBLIC_WORDS:
        return [text]
    net = cidr.classify(text)
    if not net:
        return []
    return [text] if cidr.reach([net], settings.ipv4_public_prefix, settings.ipv6_public_prefix).public else []


@dataclass(frozen=True)
class Hit:
    path: str
    ports: tuple[int, ...]
    sources: tuple[str, ...]
    absent_source: bool = False


_SCOPED_PAIRS = (("min", "max"), ("from", "to"), ("start", "end"), ("low", "high"), ("first", "last"))


@dataclass(frozen=True)
class _Context:
    port_scope: bool = False  # inside a key naming ports (`tcpOptions`, `portRange`): min/max are ports
    inbound: bool = False
    spans: tuple[tuple[int, int], ...] = ()
    sources: tuple[str, ...] = ()
    has_source: bool = False


def _scalar(value: Any) -> Any:
    """HCL as checkov reads it wraps every attribute in a one-element list: unwrap scalars."""
    while isinstance(value, list) and len(value) == 1 and not isinstance(value[0], (dict, list)):
        value = value[0]
    return value


def _text(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else str(value).lower() if isinstance(value, int) else ""


def detect(props: Any, settings: Settings) -> list[Hit]:
    """Every inbound-looking structure of `props` that opens a guarded port to a public source."""
    hits: dict[str, Hit] = {}
    for hit in _walk(props, "", _Context(), settings):
        hits.setdefault(hit.path, hit)
    return list(hits.values())


def _walk(node: Any, path: str, ctx: _Context, settings: Settings) -> Iterator[Hit]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]", ctx, settings)
        return
    if not isinstance(node, dict):
        return
    keys = {norm(k): (k, _scalar(v)) for k, v in node.items() if isinstance(k, str) and not k.startswith("__")}
    # what this structure says of itself
    explicit_in = False
    for key, (_, value) in keys.items():
        text = _text(value)
        if key in _DIRECTION_KEYS or key.endswith("direction"):
            if text in _OUTBOUND_VALUES:
                return
            if text in _INBOUND_VALUES:
                explicit_in = True
        if key in _ACTION_KEYS and text in _DENY_VALUES:
            return
        if key in ("disabled", "disable") and value is True or key == "enabled" and value is False:
            return
        if key in _PROTOCOL_KEYS and text in _NOT_TCP:
            return
    spans = list(ctx.spans)
    pairs = _PAIRS + _SCOPED_PAIRS if ctx.port_scope else _PAIRS
    paired = _PAIRED | {k for pair in _SCOPED_PAIRS for k in pair} if ctx.port_scope else _PAIRED
    for low_key, high_key in pairs:
        if low_key in keys or high_key in keys:
            low = _span(keys[low_key][1]) if low_key in keys else None
            high = _span(keys[high_key][1]) if high_key in keys else None
            if low and high:
                spans.append((low[0], high[1]))
            elif low or high:
                spans.append(low or high)  # type: ignore[arg-type]  # one of them is set
    own_ports = False
    sources: list[str] = list(ctx.sources)
    has_source = ctx.has_source
    for key, (_, value) in keys.items():
        if key in paired:
            own_ports = True
            continue
        if ctx.port_scope and key not in paired and not isinstance(value, (dict, list)) and _span(value) \
                and not _is_source_key(key) and key not in _PROTOCOL_KEYS:
            spans.append(_span(value))  # type: ignore[arg-type]  # inside a ports map, values are ports
            own_ports = True
        elif _is_port_key(key) and not isinstance(value, dict):
            found = _spans(value)
            if found:
                spans.extend(found)
                own_ports = True
        elif _is_source_key(key):
            has_source = True
            sources.extend(_public(value, settings))
    inbound = ctx.inbound or explicit_in or has_source
    covered = _covered(spans, settings)
    if covered and inbound:
        if sources and (own_ports or len(sources) > len(ctx.sources)):
            yield Hit(path or "<resource>", covered, tuple(dict.fromkeys(sources)))
        elif explicit_in and own_ports and not has_source:
            yield Hit(path or "<resource>", covered, ("<no source: everyone>",), absent_source=True)
    for key, (raw, value) in keys.items():
        if any(word in key for word in _OUTBOUND_WORDS):
            continue
        if isinstance(value, (dict, list)):
            scoped = ("port" in key or key in ("tcpoptions", "tcp")) and not _is_source_key(key) \
                and not key.startswith(("source", "src"))
            nested = _Context(scoped, inbound or any(w in key for w in _INBOUND_WORDS), tuple(spans),
                              tuple(sources), has_source)
            yield from _walk(value, f"{path}.{raw}" if path else raw, nested, settings)


def _covered(spans: list[tuple[int, int]], settings: Settings) -> tuple[int, ...]:
    return tuple(p for p in settings.ports if any(low <= p <= high for low, high in spans))


# --- the rule --------------------------------------------------------------------------------------

def _props(resource: Any, props: Any) -> Any:
    return props


UNIVERSAL["fallback"] = _props


@rule("KAFKA-NET-003", "kafka-unrecognised-exposure",
      "No unrecognised form may open a Kafka or ZooKeeper port to the internet", ADVISORY,
      "Admit only named private clients on Kafka/ZooKeeper ports. The form is not one the engine reads "
      "exactly, so this verdict comes from its generic detector: make it mandatory in the policy config "
      "(or `secure-kafka check --strict`) to block on it.",
      model="fallback")
def unrecognised(resource: Any, props: Any, settings: Settings) -> list[Issue]:
    from .coverage import UNJUDGED, assess

    if assess(resource, settings.harmless).state != UNJUDGED:
        return []
    out = []
    for hit in detect(props, settings):
        ports = ", ".join(map(str, hit.ports))
        who = "everyone (the structure is inbound and names no source)" if hit.absent_source else \
            ", ".join(hit.sources)
        out.append(Issue(
            f"{resource.type} {hit.path}: an inbound-looking structure admits {who} to Kafka/ZooKeeper port(s) "
            f"{ports}. The engine has no exact form for this type, so its generic detector reports it.",
            (resource,), "", hit.path, hit.ports, hit.sources))
    return out

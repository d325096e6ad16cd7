"""The simple firewalls: Lightsail instance public ports, DigitalOcean firewalls and Hetzner Cloud
firewalls. Each has its own spelling of port ranges ("9000-9999", "all", "any") and its own
default for a rule without sources (Lightsail: everyone)."""
from __future__ import annotations

from typing import Any, Callable, Optional

from ..model import Resource
from ..net import Entry, Net, not_known, sources_at, world
from ..ports import Span, assumed, kafka_protocol, port_text, protocol, protocol_span, span
from ..registry import form
from ..values import MISSING, UNKNOWN, as_text, blocks, items, known, mapping

FIX = "Open Kafka ports only to named private client addresses, or keep them closed on public interfaces."


def _rules(listed: Any, read: Callable[[str, dict[str, Any]], Optional[Entry]]) -> Net:
    """A firewall's rule list: a rule not known yet is reported as such, each other one is `read` (None for a
    rule that cannot carry Kafka)."""
    entries = []
    for path, rule in listed:
        rule = known(rule)
        entry = not_known(path) if rule is UNKNOWN else read(path, mapping(rule))
        if entry is not None:
            entries.append(entry)
    return Net(entries, "", ())


def _lightsail_port(path: str, info: dict[str, Any]) -> Entry:
    proto = protocol(known(info.get("protocol")))
    ports = span(proto, known(info.get("fromPort")), known(info.get("toPort")))
    named = proto if isinstance(proto, str) else "tcp"
    sources = sources_at(info, path, "cidrs", "ipv6Cidrs")
    aliases = tuple(f"alias={a}" for a in items(info.get("cidrListAliases")))
    if sources or aliases:
        return Entry(path, ports, tuple(sources), aliases, proto=named)
    return Entry(path, ports, **world("Lightsail opens a public port to every address when no cidrs are given"),
                 proto=named)


def lightsail(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return _rules(blocks(props, "portInfos") or blocks(mapping(props.get("networking")), "ports"), _lightsail_port)


def _ports(rule: dict[str, Any], key: str) -> Span:
    """The rule's ports under a protocol read fail-closed (unknown: not known yet; unreadable: every port)."""
    raw = rule.get(key)
    return protocol_span(kafka_protocol(rule.get("protocol")), rule.get("protocol"),
                         lambda: port_text(known(raw)) if raw not in (None, MISSING) else assumed(f"no {key} is given"))


def _digitalocean_rule(path: str, rule: dict[str, Any]) -> Optional[Entry]:
    if kafka_protocol(rule.get("protocol")) is None:
        return None
    refs = tuple(f"{k}={v}" for k in ("sourceTags", "sourceDropletIds", "sourceLoadBalancerUids",
                                       "sourceKubernetesIds") for v in items(rule.get(k)))
    return Entry(path, _ports(rule, "portRange"), tuple(sources_at(rule, path, "sourceAddresses")), refs)


def digitalocean(resource: Resource, props: Any) -> Net:
    return _rules(blocks(mapping(props), "inboundRules"), _digitalocean_rule)


def _hetzner_rule(path: str, rule: dict[str, Any]) -> Optional[Entry]:
    direction = known(rule.get("direction"))
    if direction is UNKNOWN:
        return not_known(f"{path}.direction")
    if (as_text(direction) or "in").lower() != "in" or kafka_protocol(rule.get("protocol")) is None:
        return None
    return Entry(path, _ports(rule, "port"), tuple(sources_at(rule, path, "sourceIps")))


def hetzner(resource: Resource, props: Any) -> Net:
    return _rules(blocks(mapping(props), "rules"), _hetzner_rule)


def revoke_lightsail(resource: Resource, entry: Entry, offending: Any) -> str:
    name = as_text(mapping(resource._canonical).get("instanceName")) or "<instance>"
    return (f"aws lightsail close-instance-public-ports --instance-name {name} "
            f"--port-info fromPort={entry.span.low},toPort={entry.span.high},protocol={entry.proto}")


def revoke_digitalocean(resource: Resource, entry: Entry, offending: Any) -> str:
    ports = f"{entry.span.low}" if entry.span.low == entry.span.high else f"{entry.span.low}-{entry.span.high}"
    sources = ",".join(f"address:{s}" for s in offending)
    return f"doctl compute firewall remove-rules <firewall-id> --inbound-rules \"protocol:tcp,ports:{ports},{sources}\""


def revoke_hetzner(resource: Resource, entry: Entry, offending: Any) -> str:
    name = as_text(mapping(resource._canonical).get("name")) or "<firewall>"
    ports = f"{entry.span.low}" if entry.span.low == entry.span.high else f"{entry.span.low}-{entry.span.high}"
    sources = " ".join(f"--source-ips {s}" for s in offending)
    return f"hcloud firewall delete-rule {name} --direction in --protocol tcp --port {ports} {sources}"


form(key="aws.lightsail-public-ports", family="Other clouds' firewalls",
     summary="Lightsail public ports (`portInfos`; no cidrs means everyone), instance networking ports",
     pulumi=("aws:lightsail/instancePublicPorts:InstancePublicPorts", "aws-native:lightsail:Instance"),
     terraform=("aws_lightsail_instance_public_ports",), cloudformation=("AWS::Lightsail::Instance",),
     models={"net": lightsail}, fix=FIX, revoke=revoke_lightsail, renames={"portInfo": "portInfos"})
form(key="digitalocean.firewall", family="Other clouds' firewalls",
     summary="DigitalOcean firewall inbound rules (`portRange` \"9092\", \"8000-9999\", \"all\"; `sourceAddresses`)",
     pulumi=("digitalocean:index/firewall:Firewall",), terraform=("digitalocean_firewall",),
     models={"net": digitalocean}, fix=FIX, revoke=revoke_digitalocean, renames={"inboundRule": "inboundRules"})
form(key="hcloud.firewall", family="Other clouds' firewalls",
     summary="Hetzner Cloud firewall rules (direction in, `port` \"9092\", \"80-85\", \"any\"; `sourceIps`)",
     pulumi=("hcloud:index/firewall:Firewall",), terraform=("hcloud_firewall",),
     models={"net": hetzner}, fix=FIX, revoke=revoke_hetzner, renames={"rule": "rules"})

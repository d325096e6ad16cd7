"""The simple firewalls: Lightsail instance public ports, DigitalOcean firewalls and Hetzner Cloud
firewalls. Each has its own spelling of port ranges ("9000-9999", "all", "any") and its own
default for a rule without sources (Lightsail: everyone)."""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..net import Entry, Net, not_known, sources_at, world
from ..ports import assumed, port_text, protocol, span
from ..registry import form
from ..values import MISSING, UNKNOWN, as_text, blocks, items, known, mapping

FIX = "Open Kafka ports only to named private client addresses, or keep them closed on public interfaces."


def lightsail(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries = []
    listed = blocks(props, "portInfos") or blocks(mapping(props.get("networking")), "ports")
    for path, info in listed:
        info = known(info)
        if info is UNKNOWN:
            entries.append(not_known(path))
            continue
        info = mapping(info)
        proto = protocol(known(info.get("protocol")))
        ports = span(proto, known(info.get("fromPort")), known(info.get("toPort")))
        sources = sources_at(info, path, "cidrs", "ipv6Cidrs")
        aliases = [a for a in items(info.get("cidrListAliases"))]
        if sources or aliases:
            entries.append(Entry(path, ports, tuple(sources), tuple(f"alias={a}" for a in aliases),
                                 proto=proto if isinstance(proto, str) else "tcp"))
        else:
            entries.append(Entry(path, ports, **world("Lightsail opens a public port to every address when no "
                                                      "cidrs are given"), proto=proto if isinstance(proto, str) else "tcp"))
    return Net(entries, "", ())


def digitalocean(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries = []
    for path, rule in blocks(props, "inboundRules"):
        rule = known(rule)
        if rule is UNKNOWN:
            entries.append(not_known(path))
            continue
        rule = mapping(rule)
        if (as_text(known(rule.get("protocol"))) or "").lower() != "tcp":
            continue
        ports = port_text(known(rule.get("portRange"))) if rule.get("portRange") not in (None, MISSING) else \
            assumed("no port range is given")
        refs = tuple(f"{k}={v}" for k in ("sourceTags", "sourceDropletIds", "sourceLoadBalancerUids",
                                           "sourceKubernetesIds") for v in items(rule.get(k)))
        entries.append(Entry(path, ports, tuple(sources_at(rule, path, "sourceAddresses")), refs))
    return Net(entries, "", ())


def hetzner(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries = []
    for path, rule in blocks(props, "rules"):
        rule = known(rule)
        if rule is UNKNOWN:
            entries.append(not_known(path))
            continue
        rule = mapping(rule)
        if (as_text(known(rule.get("direction"))) or "in").lower() != "in":
            continue
        if (as_text(known(rule.get("protocol"))) or "").lower() != "tcp":
            continue
        ports = port_text(known(rule.get("port"))) if rule.get("port") not in (None, MISSING) else \
            assumed("no port is given")
        entries.append(Entry(path, ports, tuple(sources_at(rule, path, "sourceIps"))))
    return Net(entries, "", ())


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

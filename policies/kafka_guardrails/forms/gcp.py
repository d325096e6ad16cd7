"""Google Cloud firewalls used from Pulumi or Terraform: VPC firewall rules and (network,
regional, hierarchical) firewall policy rules. GCP reads an ingress rule with no source at all as
0.0.0.0/0, so a missing source range is world-open."""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..net import Entry, Net, not_known, sources_at
from ..ports import EVERY, UNKNOWN_SPAN, assumed, port_text, protocol
from ..registry import form
from ..values import MISSING, UNKNOWN, as_bool, as_text, is_unknown, items, known, mapping

FIX = "Give the rule source ranges of named private clients (or source tags / service accounts), never none."
NO_SOURCE = "the rule names no source at all, which GCP reads as 0.0.0.0/0"


def _spans(proto: Any, ports: Any) -> list[Any]:
    kind = protocol(proto)
    if kind is UNKNOWN:
        return [UNKNOWN_SPAN]
    if kind is None:
        return [assumed(f"the protocol {proto!r} cannot be read")]
    if kind not in ("tcp", "all"):
        return []
    listed = [p for p in items(ports)]
    if ports in (None, MISSING) or not listed:
        return [EVERY]
    return [port_text(p) for p in listed]


def _entries(base: str, allows: Any, proto_key: str, sources: list[Any], implicit: bool, note: str,
             refs: tuple[Any, ...] = ()) -> list[Entry]:
    out = []
    if allows is UNKNOWN:
        return [Entry(base, UNKNOWN_SPAN, tuple(sources), implicit_world=implicit, note=note)]
    for index, allow in enumerate(allows if isinstance(allows, list) else [allows] if isinstance(allows, dict) else []):
        allow = mapping(allow)
        for span in _spans(known(allow.get(proto_key)), known(allow.get("ports"))):
            out.append(Entry(f"{base}[{index}]", span, tuple(sources), refs, implicit_world=implicit, note=note,
                             proto="all" if protocol(allow.get(proto_key)) == "all" else "tcp"))
    return out


def firewall(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    direction = as_text(known(props.get("direction"))) or "INGRESS"
    disabled = as_bool(known(props.get("disabled")))
    if direction.upper() != "INGRESS" or disabled is True:
        return Net([], "", ())
    sources = sources_at(props, "", "sourceRanges")
    tags = [t for key in ("sourceTags", "sourceServiceAccounts") for t in items(props.get(key))]
    implicit, note = False, ""
    if not sources and not tags:
        sources, implicit, note = [("sourceRanges", "0.0.0.0/0")], True, NO_SOURCE
    if disabled is UNKNOWN:
        sources = [("disabled", UNKNOWN)]
    return Net(_entries("allows", known(props.get("allows")), "protocol", sources, implicit, note,
                        tuple(f"tag={t}" for t in tags)), "", ())


def policy_rule(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    direction = as_text(known(props.get("direction"))) or "INGRESS"
    action = as_text(known(props.get("action"))) or ""
    if direction.upper() != "INGRESS" or as_bool(known(props.get("disabled"))) is True:
        return Net([], "", ())
    for key in ("action", "match"):
        if is_unknown(props.get(key)):
            return Net([not_known(key)], "", ())
    # apply_security_profile_group also lets the traffic through (after inspection)
    if action.lower() not in ("allow", "apply_security_profile_group"):
        return Net([], "", ())
    match = mapping(props.get("match"))
    sources = sources_at(match, "match", "srcIpRanges")
    public_selectors = [f"{key}={v}" for key in ("srcRegionCodes", "srcFqdns", "srcThreatIntelligences")
                        for v in items(match.get(key))]
    private_selectors = [v for key in ("srcSecureTags", "srcAddressGroups") for v in items(match.get(key))]
    implicit, note = False, ""
    if public_selectors:
        sources = sources + [("match", "0.0.0.0/0")]
        note = f"its source selectors ({', '.join(public_selectors)}) are internet addresses"
    elif not sources and not private_selectors:
        sources, implicit, note = [("match", "0.0.0.0/0")], True, NO_SOURCE
    return Net(_entries("match.layer4Configs", known(match.get("layer4Configs")), "ipProtocol", sources,
                        implicit, note), "", ())


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    name = as_text(mapping(resource._canonical).get("name")) or "<rule>"
    if resource.type in ("gcp:compute/firewall:Firewall", "google_compute_firewall"):
        return f"gcloud compute firewall-rules update {name} --disabled"
    return f"gcloud compute network-firewall-policies rules update <priority> --firewall-policy=<policy> --disabled   # {name}"


form(key="gcp.firewall", family="Other clouds' firewalls",
     summary="GCP VPC firewall: INGRESS, not disabled; `allow` protocol/ports; no source at all is 0.0.0.0/0",
     pulumi=("gcp:compute/firewall:Firewall",), terraform=("google_compute_firewall",),
     models={"net": firewall}, fix=FIX, revoke=revoke, renames={"allow": "allows", "deny": "denies"})
form(key="gcp.firewall-policy-rule", family="Other clouds' firewalls",
     summary="GCP firewall policy rules (network, regional, hierarchical): allow + INGRESS, `match` sources "
             "and layer-4 configs",
     pulumi=("gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule",
             "gcp:compute/regionNetworkFirewallPolicyRule:RegionNetworkFirewallPolicyRule",
             "gcp:compute/firewallPolicyRule:FirewallPolicyRule"),
     terraform=("google_compute_network_firewall_policy_rule", "google_compute_region_network_firewall_policy_rule",
                "google_compute_firewall_policy_rule"),
     models={"net": policy_rule}, fix=FIX, revoke=revoke)

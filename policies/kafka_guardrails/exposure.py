"""KAFKA-NET-001: no Kafka or ZooKeeper port reachable from the internet."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable, Optional, Sequence

from . import cidr
from .forms import (K8S_SERVICE, NATIVE_INGRESS, SEPARATE_RULES, VPC_INGRESS, Permission,
                    permissions, target_group)
from .model import ADVISORY, MANDATORY, Finding, Resource
from .settings import Settings
from .values import is_unknown, scalar

RULE_ID = "KAFKA-NET-001"
TITLE = "No Kafka or ZooKeeper port may be reachable from the internet"
REMEDIATION = ("Admit only named clients: restrict the source to known private client CIDRs or "
               "to a client security group, and keep Kafka Services ClusterIP or internal.")


def _ports(ports: Iterable[int]) -> str:
    return ", ".join(str(p) for p in ports)


def _group_id(resource: Resource) -> str:
    props = resource.props if isinstance(resource.props, dict) else {}
    for key in ("id", "securityGroupId", "groupId"):
        value = scalar(props, key)
        if isinstance(value, str) and value and not is_unknown(value):
            return value
    return "<security-group-id>"


def _revoke(resource: Resource, perm: Permission, offending: Sequence[str]) -> str:
    """The command that takes the exposure away now, before the code fix lands."""
    if resource.type in K8S_SERVICE:
        name = resource.name or "<service>"
        return (f"kubectl patch service {name} -p '{{\"spec\":{{\"type\":\"ClusterIP\"}}}}' "
                "(or add an internal load-balancer annotation and private loadBalancerSourceRanges)")
    group = _group_id(resource)
    if resource.type in VPC_INGRESS or resource.type in NATIVE_INGRESS:
        rule_id = scalar(resource.props, "securityGroupRuleId") if isinstance(resource.props, dict) else None
        if isinstance(rule_id, str) and rule_id.startswith("sgr-"):
            return (f"aws ec2 revoke-security-group-ingress --group-id {group} "
                    f"--security-group-rule-ids {rule_id}")
    proto = "-1" if perm.proto == "all" else "tcp"
    ranges = []
    v4 = [s for s in offending if ":" not in s]
    v6 = [s for s in offending if ":" in s]
    if v4:
        ranges.append("IpRanges=[" + ",".join(f"{{CidrIp={s}}}" for s in v4) + "]")
    if v6:
        ranges.append("Ipv6Ranges=[" + ",".join(f"{{CidrIpv6={s}}}" for s in v6) + "]")
    ports = "" if proto == "-1" else f"FromPort={perm.span.low},ToPort={perm.span.high},"
    return (f"aws ec2 revoke-security-group-ingress --group-id {group} --ip-permissions "
            f"'IpProtocol={proto},{ports}{','.join(ranges)}'")


def _level(settings: Settings, unknown: bool) -> str:
    return ADVISORY if unknown and settings.preview else MANDATORY


def _offending(texts: Sequence[str], reach: cidr.Reach) -> list[str]:
    version = 6 if ":" in reach.widest else 4
    nets = [(cidr.parse(t), t) for t in texts]
    return [t for n, t in nets if n.version == version and cidr.touches_internet(n)]


def _span_text(perm: Permission) -> str:
    span = perm.span
    if span.only:
        return ("port " if len(span.only) == 1 else "ports ") + _ports(span.only)
    if span.high - span.low >= 65535:
        return "all ports"
    return f"port {span.low}" if span.low == span.high else f"ports {span.low}-{span.high}"


def judge_permission(resource: Resource, perm: Permission, settings: Settings) -> list[Finding]:
    covered = perm.span.covers(settings.ports)
    if not covered:
        return []
    texts: list[str] = []
    bad: list[tuple[str, Any]] = []
    unknown_paths: list[str] = []
    for path, raw in perm.cidrs:
        if is_unknown(raw):
            unknown_paths.append(path or "<entry>")
        elif isinstance(raw, str) and cidr.parse(raw) is not None:
            texts.append(raw.strip())
        else:
            bad.append((path, raw))
    findings: list[Finding] = []
    reach = cidr.reach_texts(tuple(texts), settings.ipv4_public_prefix, settings.ipv6_public_prefix)
    if not (reach.public or bad or unknown_paths):
        return findings
    where = f"{resource.type} {perm.path}".strip() if perm.path else resource.type
    ports_text = _span_text(perm)
    if reach.public:
        offending = _offending(texts, reach)
        detail = [f"{where} admits {', '.join(offending)} to {ports_text} "
                  f"(Kafka/ZooKeeper port(s) {_ports(covered)}): {reach.reason}."]
        if perm.implicit_world:
            detail.append("No loadBalancerSourceRanges are set, so the load balancer admits everyone.")
        if perm.note:
            detail.append(perm.note[0].upper() + perm.note[1:] + ".")
        if perm.refs:
            detail.append(f"The other sources ({', '.join(perm.refs)}) do not excuse a world-open CIDR.")
        if perm.span.assumed:
            detail.append(f"All ports are assumed because {perm.span.assumed}.")
        unknown = perm.span.unknown
        if unknown:
            detail.append("The port range is not known yet; it may not include Kafka ports.")
        findings.append(Finding(
            RULE_ID, resource.label, " ".join(detail),
            f"{REMEDIATION} To revoke now: {_revoke(resource, perm, offending)}",
            _level(settings, unknown), perm.path, covered, tuple(offending), unknown))
    for path, raw in bad:
        findings.append(Finding(
            RULE_ID, resource.label,
            f"{where}: source {raw!r} at {path or 'the entry'} is not a valid CIDR, so it cannot be "
            f"shown to be private; it is counted as exposing {ports_text}.",
            "Write the source as a CIDR such as 10.0.0.0/16 or reference a client security group.",
            MANDATORY, path, covered, (repr(raw),)))
    if unknown_paths and not reach.public:
        findings.append(Finding(
            RULE_ID, resource.label,
            f"{where}: the source(s) at {', '.join(unknown_paths)} are not known yet, so exposure of "
            f"Kafka/ZooKeeper port(s) {_ports(covered)} cannot be ruled out.",
            "Re-run the check when the values are known (pulumi up runs it again).",
            _level(settings, True), unknown_paths[0], covered, (), True))
    return findings


def judge(resource: Resource, settings: Settings) -> list[Finding]:
    """All KAFKA-NET-001 findings for one resource."""
    findings: list[Finding] = []
    perms = permissions(resource.type, resource.props)
    for perm in perms:
        findings.extend(judge_permission(resource, perm, settings))
    if sum(1 for p in perms if p.cidrs and p.span.covers(settings.ports)) > 1:
        combined = _judge_union([(resource, p) for p in perms], settings, per_resource=False)
        if combined is not None:
            findings.append(combined)
    return findings


# --- the stack check: rules that only together open a group to the world -------------

class _Groups:
    """Union-find over the names a security group goes by (URN, id, a rule's target)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def _names(resource: Resource) -> list[str]:
    names = [f"urn:{resource.label}"]
    props = resource.props if isinstance(resource.props, dict) else {}
    value = scalar(props, "id")
    if isinstance(value, str) and value and not is_unknown(value):
        names.append(f"id:{value}")
    return names


def _targets(resource: Resource) -> list[str]:
    out: list[str] = []
    value = target_group(resource.type, resource.props)
    if isinstance(value, str) and value and not is_unknown(value):
        out.append(f"id:{value}")
    for key in ("securityGroupId", "groupId"):
        for urn in resource.property_dependencies.get(key, ()):
            out.append(f"urn:{urn}")
    return out


def judge_stack(resources: Sequence[Resource], settings: Settings) -> list[Finding]:
    """Union, per security group and port, what separate resources admit; report groups that
    only the combination opens to the internet (single resources are reported on their own)."""
    groups = _Groups()
    owners: dict[str, str] = {}
    members: list[tuple[Resource, list[Permission], str]] = []
    for resource in resources:
        if resource.type in K8S_SERVICE:
            continue
        names = _names(resource)
        for name in names[1:]:
            groups.join(names[0], name)
        if resource.type in SEPARATE_RULES:
            for target in _targets(resource):
                groups.join(names[0], target)
        else:
            owners[names[0]] = resource.label
        perms = permissions(resource.type, resource.props)
        if perms:
            members.append((resource, perms, names[0]))
    group_owner = {groups.find(name): label for name, label in owners.items()}

    by_group: dict[str, list[tuple[Resource, Permission]]] = defaultdict(list)
    for resource, perms, name in members:
        for perm in perms:
            by_group[groups.find(name)].append((resource, perm))

    findings: list[Finding] = []
    for root, entries in by_group.items():
        if len({r.label for r, _ in entries}) < 2:
            continue
        finding = _judge_union(entries, settings, per_resource=True)
        if finding is not None:
            if root in group_owner:
                finding = replace(finding, resource=group_owner[root])
            findings.append(finding)
    return findings


def _judge_union(entries: list[tuple[Resource, Permission]], settings: Settings,
                 per_resource: bool) -> Optional[Finding]:
    """Report ports that the union opens while no single unit does. A unit is one resource
    in the stack check, one ingress entry inside a single resource."""
    bounds = (settings.ipv4_public_prefix, settings.ipv6_public_prefix)
    rows = []
    for index, (resource, perm) in enumerate(entries):
        if perm.span.unknown:
            continue
        covered = perm.span.covers(settings.ports)
        texts = tuple(raw.strip() for _, raw in perm.cidrs if isinstance(raw, str) and not is_unknown(raw))
        if covered and texts:
            unit = resource.label if per_resource else index
            label = resource.label if per_resource else perm.path or "<entry>"
            rows.append((unit, set(covered), texts, label))
    if len({row[0] for row in rows}) < 2:
        return None
    # Exposure is monotone in the sources: if all of them together are not public, no per-port
    # subset is either, and the port-by-port work below can be skipped.
    if not cidr.reach_texts(tuple(sorted({t for row in rows for t in row[2]})), *bounds).public:
        return None
    exposed_ports: list[int] = []
    contributors: set[str] = set()
    offending: set[str] = set()
    reason = ""
    for port in settings.ports:
        units: dict[Any, list[str]] = defaultdict(list)
        labels: dict[str, str] = {}
        for unit, covered, texts, label in rows:
            if port in covered:
                units[unit].extend(texts)
                for text in texts:
                    labels.setdefault(text, label)
        if len(units) < 2:
            continue
        if any(cidr.reach_texts(tuple(sorted(set(t))), *bounds).public for t in units.values()):
            continue
        every = tuple(sorted({t for texts in units.values() for t in texts}))
        reach = cidr.reach_texts(every, *bounds)
        if reach.public:
            exposed_ports.append(port)
            reason = reason or reach.reason
            version = 6 if ":" in reach.widest else 4
            for text in every:
                net = cidr.parse(text)
                if net is not None and net.version == version:
                    offending.add(text)
                    contributors.add(labels[text])
    if not exposed_ports:
        return None
    anchor = sorted(contributors)[0]
    for resource, _ in entries:
        if resource.type not in SEPARATE_RULES:
            anchor = resource.label
            break
    what = "resources" if per_resource else "ingress entries"
    return Finding(
        RULE_ID, anchor,
        f"Together, the {what} {', '.join(sorted(contributors))} admit "
        f"{', '.join(sorted(offending))} to Kafka/ZooKeeper port(s) {_ports(exposed_ports)} of "
        f"one security group: {reason}. No single one is world-open, but their union is.",
        f"{REMEDIATION} Revoke the rules listed, then re-add only known client ranges.",
        MANDATORY, "", tuple(exposed_ports), tuple(sorted(offending)))

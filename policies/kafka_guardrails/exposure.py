"""KAFKA-NET-001/002: no Kafka or ZooKeeper port reachable from the internet, in any form.

Every form reduces to `net.Entry` records; this module judges them — one resource at a time,
the entries of one resource together, and the paths the family joins find across a stack.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Optional, Sequence

from . import cidr
from .dialects import form_of
from .model import ADVISORY, MANDATORY, Resource
from .net import Entry, Net, Verdict, named_refs, verdict
from .rules import Issue, rule
from .settings import Settings
from .stack import Path, Stack
from .values import UNKNOWN, Param, Ref

RULE_ID = "KAFKA-NET-001"
TITLE = "No Kafka or ZooKeeper port may be reachable from the internet"
FIX = ("Admit only named clients: restrict the source to known private client CIDRs or to a client "
       "security group, and keep Kafka behind internal load balancers and ClusterIP Services.")


def ports_text(ports: Iterable[int]) -> str:
    return ", ".join(str(p) for p in ports)


def revoke_text(resource: Resource, entry: Entry, offending: Sequence[str]) -> str:
    form = form_of(resource)
    if form is None:
        return ""
    parts = []
    if form.revoke is not None:
        command = form.revoke(resource, entry, offending)
        if command:
            parts.append(f"To revoke now: {command}")
    if form.fix:
        parts.append(form.fix)
    return " ".join(parts)


def entry_issues(resource: Resource, entry: Entry, found: Verdict) -> list[Issue]:
    where = f"{resource.type} {entry.path}".strip() if entry.path else resource.type
    span_text = entry.span.text()
    kafka = f"Kafka/ZooKeeper port(s) {ports_text(found.covered)}"
    if entry.kafka:
        kafka = f"the Kafka listener on port(s) {ports_text(found.covered)}"
    out: list[Issue] = []
    if found.reach.public:
        offending = found.offending
        detail = [f"{where} admits {', '.join(offending)} to {span_text} ({kafka}): {found.reach.reason}."]
        if entry.implicit_world:
            detail.append("Nothing restricts its sources, so it admits everyone.")
        if entry.note:
            detail.append(entry.note[0].upper() + entry.note[1:].rstrip(".") + ".")
        refs = named_refs(entry)
        if refs:
            detail.append(f"The other sources ({', '.join(map(str, refs))}) do not excuse a world-open one.")
        if entry.span.assumed:
            detail.append(f"All ports are assumed because {entry.span.assumed}.")
        if entry.span.unknown:
            detail.append("The port range is not known yet; it may not include Kafka ports.")
        out.append(Issue(" ".join(detail), (resource,), revoke_text(resource, entry, offending),
                         entry.path, found.covered, tuple(offending), entry.span.unknown))
    for path, raw in found.bad:
        out.append(Issue(
            f"{where}: source {raw!r} at {path or 'the entry'} is not a valid CIDR, so it cannot be shown "
            f"to be private; it is counted as exposing {span_text} ({kafka}).",
            (resource,), "Write the source as a CIDR such as 10.0.0.0/16 or reference a client security group.",
            path, found.covered, (repr(raw),)))
    if found.unknown_paths and not found.reach.public:
        out.append(Issue(
            f"{where}: the source(s) at {', '.join(found.unknown_paths)} are not known yet, so exposure of "
            f"{kafka} cannot be ruled out.",
            (resource,), "Re-run the check when the values are known (pulumi up runs it again).",
            found.unknown_paths[0], found.covered, (), True))
    return out


@rule(RULE_ID, "kafka-no-public-port", TITLE, MANDATORY, FIX, model="net")
def no_public_port(resource: Resource, net: Net, settings: Settings) -> list[Issue]:
    out: list[Issue] = []
    candidates = 0
    ports = settings.ports
    for entry in net.entries:
        covered = entry.span.covers(ports)
        if not covered and not entry.kafka:
            continue
        found = verdict(entry, settings, covered=covered)
        if found is not None:
            out.extend(entry_issues(resource, entry, found))
        elif covered and entry.sources:
            candidates += 1  # an entry with internet sources on a guarded port that is not public alone
    if candidates > 1:  # entries that only together open a port
        union = union_issue([(resource, e) for e in net.entries], settings, per_resource=False)
        if union is not None:
            out.append(union)
    return out


def _union(rows: list[tuple[Any, set[int], list[Any], str, Resource]], settings: Settings) -> Optional[tuple[
        list[int], dict[str, Resource], set[str], str]]:
    """The guarded ports that two or more units open together while none does alone, with who and why."""
    bounds = (settings.ipv4_public_prefix, settings.ipv6_public_prefix)
    if len({row[0] for row in rows}) < 2:
        return None
    # Exposure is monotone in the sources: if all of them together are not public, no subset is.
    if not cidr.reach([n for row in rows for n in row[2]], *bounds).public:
        return None
    exposed: list[int] = []
    contributors: dict[str, Resource] = {}
    offending: set[str] = set()
    reason = ""
    for port in settings.ports:
        units: dict[Any, list[Any]] = defaultdict(list)
        labels: dict[str, tuple[str, Resource]] = {}
        for unit, row_ports, nets, label, resource in rows:
            if port in row_ports:
                units[unit].extend(nets)
                for net in nets:
                    labels.setdefault(net.text, (label, resource))
        if len(units) < 2 or any(cidr.reach(n, *bounds).public for n in units.values()):
            continue
        every = [n for nets in units.values() for n in nets]
        found = cidr.reach(every, *bounds)
        if found.public:
            exposed.append(port)
            reason = reason or found.reason
            for net in every:
                if net.version == found.version:
                    offending.add(net.text)
                    label, resource = labels[net.text]
                    contributors[label] = resource
    return (exposed, contributors, offending, reason) if exposed else None


def union_issue(entries: list[tuple[Resource, Entry]], settings: Settings, per_resource: bool,
                anchor: Optional[Resource] = None) -> Optional[Issue]:
    """Ports that the union of several units opens while no single unit does. A unit is one
    resource in the stack join, one entry inside a single resource. An entry whose ports are not
    known yet may cover every guarded port: a union that is public only with it is not known yet."""
    rows: list[tuple[Any, set[int], list[Any], str, Resource]] = []
    pending: list[tuple[Any, set[int], list[Any], str, Resource]] = []
    for index, (resource, entry) in enumerate(entries):
        covered = entry.span.covers(settings.ports)
        if not covered:
            continue
        # Only sources that touch the internet can make a union public.
        nets = [n for n in (cidr.classify(str(raw)) for _, raw in entry.sources
                            if isinstance(raw, str) and not isinstance(raw, Ref)) if n]
        if nets:
            unit = resource.label if per_resource else index
            label = resource.label if per_resource else entry.path or "<entry>"
            (pending if entry.span.unknown else rows).append((unit, set(covered), nets, label, resource))
    found = _union(rows, settings)
    unknown = False
    if found is None and pending:
        found, unknown = _union(rows + pending, settings), True
    if found is None:
        return None
    exposed, contributors, offending, reason = found
    what = "resources" if per_resource else "ingress entries"
    joined = tuple(dict.fromkeys([*(r for r in ([anchor] if anchor else [])), *contributors.values()]))
    union = "their union is" if not unknown else \
        "their union is if the ports not known yet of " + ", ".join(sorted({row[3] for row in pending})) + " cover them"
    return Issue(
        f"Together, the {what} {', '.join(sorted(contributors))} admit {', '.join(sorted(offending))} to "
        f"Kafka/ZooKeeper port(s) {ports_text(exposed)} of one security group: {reason}. No single one "
        f"is world-open, but {union}.",
        joined, "Revoke the rules listed, then re-add only known client ranges.", "", tuple(exposed),
        tuple(sorted(offending)), unknown)


def path_issue(path: Path) -> Issue:
    return Issue(path.message, path.resources, path.fix, "", path.ports, path.sources, path.unknown)


@rule(RULE_ID, "kafka-no-public-port-combined",
      "Resources may not together open a Kafka or ZooKeeper port to the internet",
      MANDATORY, FIX, model="net", stack=True)
def combined(stack: Stack, settings: Settings) -> list[Issue]:
    return [path_issue(p) for p in stack.paths(settings) if not p.unseen]


@rule("KAFKA-NET-002", "kafka-exposure-unseen",
      "A path to a Kafka port runs through a resource outside the stack, so it cannot be judged",
      ADVISORY, "Bring the resource into the stack, or make the path internal where it starts.",
      model="net", stack=True)
def unseen(stack: Stack, settings: Settings) -> list[Issue]:
    return [path_issue(p) for p in stack.paths(settings) if p.unseen]


@rule("KAFKA-NET-004", "kafka-overridable-source",
      "A source on a Kafka or ZooKeeper port that a deployment parameter can widen is reported",
      ADVISORY, "Restrict the parameter with AllowedValues (private client ranges only), or write the "
                "client range into the template instead of taking it as a parameter.", model="net",
      dialect="cloudformation")
def overridable(resource: Resource, net: Net, settings: Settings) -> list[Issue]:
    """A template parameter's default is judged by KAFKA-NET-001; this says that the value at deploy
    time may be another, unless AllowedValues keep it private."""
    out: list[Issue] = []
    for entry in net.entries:
        covered = entry.span.covers(settings.ports)
        if not covered:
            continue
        for path, raw in entry.sources:
            if not isinstance(raw, Param):
                continue
            allowed = [cidr.classify(v) for v in raw.allowed]
            if raw.allowed and all(a is False for a in allowed):
                continue  # every value the template allows is private
            limit = "its AllowedValues include a public range" if raw.allowed else "nothing restricts it"
            out.append(Issue(
                f"{resource.type} {path}: the source comes from the template parameter {raw.parameter} (judged by "
                f"its default {raw}); a deployment may pass another value and {limit}, on Kafka/ZooKeeper "
                f"port(s) {ports_text(covered)}.", (resource,), "", path, covered, (raw.parameter,)))
    return out


@rule("KAFKA-NET-005", "kafka-managed-service-public",
      "A managed Kafka service should not be reachable from the internet", ADVISORY,
      "Use the service's private networking (a project VPC / private network, PrivateLink or peering) and "
      "admit only client ranges.", model="managed-kafka")
def managed_public(resource: Resource, managed: Any, settings: Settings) -> list[Issue]:
    if managed.public is UNKNOWN:
        return [Issue(f"{managed.service}: {managed.why}, so whether its brokers are public cannot be judged.",
                      (resource,), unknown=True)]
    if managed.public is not True:
        return []
    nets = [n for n in (cidr.classify(s) for s in managed.sources) if n]
    if managed.sources and not cidr.reach(nets, settings.ipv4_public_prefix, settings.ipv6_public_prefix).public:
        return []
    return [Issue(f"{managed.service}: {managed.why}. Its brokers authenticate every client (SASL or TLS), but the "
                  "port is on the internet, so a leaked credential is all an attacker needs.", (resource,),
                  sources=managed.sources)]

"""Kubernetes links not known yet. The Kubernetes joins follow names, namespaces, labels,
selectors, references and ports from a way in (a Gateway, a route, a proxy, a public Service) to
the pods behind it; one of those not known yet (a preview, a value computed from another resource)
breaks the chain, and a chain that breaks finds no path. So in a stack that has both a way in and
Kafka to reach, a part the joins read that is not known yet is reported (not known yet: advisory in
a preview, mandatory at `up` and in `check`) unless a path through the resource was found anyway.
"""
from __future__ import annotations

from typing import Any, Optional

from ..dialects import canonical
from ..stack import Path, Stack, join
from ..values import MISSING, as_int, is_unknown
from .k8s_service import info
from .k8s_workload import is_kafka

# Roles whose resources only route traffic: every part of their metadata, spec and data is read.
ROUTING = ("gateway", "gateway-route", "istio-gateway", "proxy-route", "tcp-services", "maybe-tcp-services",
           "passthrough", "service-patch")
WHOLE = (("metadata",), ("spec",), ("data",))
SERVICE = (("metadata", "name"), ("metadata", "namespace"), ("metadata", "labels"), ("spec", "selector"),
           ("spec", "ports"), ("spec", "type"))
WORKLOAD = (("metadata", "namespace"), ("metadata", "labels"), ("spec", "template", "metadata"),
            ("spec", "jobTemplate", "spec", "template", "metadata"), ("spec", "selector"))


def first_unknown(value: Any, where: str) -> Optional[str]:
    """The first place inside `value` not known yet (depth first), or None."""
    if is_unknown(value):
        return where
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_unknown(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unknown(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def unknown_part(props: Any, parts: tuple[tuple[str, ...], ...]) -> Optional[str]:
    """The first of `parts` (key paths) of a resource's properties that is, or holds, a value not known yet."""
    for part in parts:
        value, walked = props, []
        for key in part:
            if is_unknown(value):
                break
            value = value.get(key, MISSING) if isinstance(value, dict) else MISSING
            walked.append(key)
            if value is MISSING:
                break
        if value is MISSING:
            continue
        found = first_unknown(value, ".".join(walked))
        if found is not None:
            return found or "all of it"
    return None


def _has_a_way_in(stack: Stack) -> bool:
    if any(stack.role(role) for role in ROUTING):
        return True
    for resource, net in stack.role("service"):
        data = info(resource, net)
        if data is not None and (data.exposures or data.kind == "<unknown>"):
            return True
    return False


def _has_kafka(stack: Stack, settings: Any) -> bool:
    if stack.role("strimzi-kafka") or any(is_kafka(net.data, settings.ports) or _container_ports_unknown(net.data)
                                          for _, net in stack.role("workload")):
        return True  # a container port not known yet may be Kafka's
    for resource, net in stack.role("service"):
        data = info(resource, net)
        if data is not None and any(as_int(p.port) in settings.ports or as_int(p.target) in settings.ports
                                    or is_unknown(p.port) or is_unknown(p.target) for p in data.ports):
            return True  # a port not known yet may be Kafka's
    for _, net in stack.role("maybe-tcp-services"):
        if any(external in settings.ports or port in settings.ports for external, _, _, port in net.data[2]):
            return True
    return False


def _container_ports_unknown(workload: Any) -> Optional[str]:
    """Container ports are what a Service's named targetPort resolves to."""
    for path, container in workload.containers:
        found = first_unknown(container.get("ports"), f"{path}.ports")
        if found is not None:
            return found
    return None


@join("kubernetes-links-not-known-yet", late=True)
def links_not_known_yet(stack: Stack, settings: Any, found: list[Path]) -> list[Path]:
    if not (_has_a_way_in(stack) and _has_kafka(stack, settings)):
        return []
    on_a_path = {id(resource) for path in found for resource in path.resources}
    out: list[Path] = []
    for role, parts in [*((role, WHOLE) for role in ROUTING), ("service", SERVICE), ("workload", WORKLOAD)]:
        for resource, net in stack.role(role):
            if id(resource) in on_a_path:
                continue
            where = unknown_part(canonical(resource), parts)
            if where is None and role == "workload":
                where = _container_ports_unknown(net.data)
            if where is not None:
                out.append(Path((resource,), f"{resource.label}: {where} is not known yet, and the stack's Kubernetes "
                                "joins follow it from a way in (a Gateway, a route, a proxy, a public Service) to the "
                                "pods behind it; whether it carries traffic to Kafka/ZooKeeper cannot be judged until "
                                "it is known.", unknown=True))
    return out

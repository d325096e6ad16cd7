"""Kubernetes hardening rules for Kafka and ZooKeeper workloads (KAFKA-K8S-*), over the workload
model of forms/k8s_workload.py.

Settings that are absent are judged by what Kubernetes does when they are absent: no
runAsNonRoot and no runAsUser means the image's user, which may be root, so it fails. A patch
is judged only on what it sets (the live object keeps the rest).
"""
from __future__ import annotations

from typing import Any

from .dialects import model
from .forms.k8s_workload import Workload, is_kafka
from .model import ADVISORY, MANDATORY, Resource
from .rules import Issue, rule
from .settings import Settings
from .stack import Stack
from .values import MISSING, UNKNOWN, as_bool, as_int, get, is_unknown, mapping

def _effective(context: dict[str, Any], pod_context: dict[str, Any], name: str) -> Any:
    value = context.get(name)
    if value is None:
        value = pod_context.get(name)
    return MISSING if value is None else value


@rule("KAFKA-K8S-001", "k8s-kafka-workload-hardened",
      "Kafka/ZooKeeper pods run unprivileged, as non-root, with a read-only root filesystem", MANDATORY,
      "Set securityContext: runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, "
      "privileged: false, capabilities.drop: [ALL].", model="workload")
def workload_hardening(resource: Resource, workload: Workload, settings: Settings) -> list[Issue]:
    if workload.pod is UNKNOWN or not is_kafka(workload, settings.ports):
        return []
    pod = mapping(workload.pod)
    pod_context = mapping(pod.get("securityContext"))
    problems = []
    for where, container in workload.containers:
        context = mapping(container.get("securityContext"))
        if as_bool(context.get("privileged")) is True:
            problems.append(f"{where} runs privileged")
        if as_bool(context.get("allowPrivilegeEscalation")) is True:
            problems.append(f"{where} allows privilege escalation")
        raw_user = _effective(context, pod_context, "runAsUser")
        user = None if raw_user is MISSING else as_int(raw_user)
        if user == 0:
            problems.append(f"{where} runs as root (runAsUser: 0)")
        elif workload.partial:
            if as_bool(_effective(context, pod_context, "runAsNonRoot")) is False:
                problems.append(f"{where} sets runAsNonRoot: false")
            if as_bool(context.get("readOnlyRootFilesystem")) is False:
                problems.append(f"{where} sets a writable root filesystem")
            continue
        elif user is None and as_bool(_effective(context, pod_context, "runAsNonRoot")) is not True:
            problems.append(f"{where} may run as root (neither runAsNonRoot: true nor a non-zero runAsUser)")
        if as_bool(context.get("readOnlyRootFilesystem")) is not True:
            problems.append(f"{where} has a writable root filesystem")
    if not problems:
        return []
    return [Issue("Kafka/ZooKeeper workload: " + "; ".join(problems) + ".")]


@rule("KAFKA-K8S-002", "k8s-kafka-resource-limits", "Kafka/ZooKeeper containers have CPU and memory limits",
      ADVISORY, "Set resources.requests and resources.limits for cpu and memory.", model="workload")
def resource_limits(resource: Resource, workload: Workload, settings: Settings) -> list[Issue]:
    if workload.partial or not is_kafka(workload, settings.ports):
        return []
    missing = []
    for where, container in workload.containers:
        limits = mapping(get(container, "resources", "limits"))
        lacking = [k for k in ("cpu", "memory") if k not in limits]
        if lacking:
            missing.append(f"{where} has no {' or '.join(lacking)} limit")
    if not missing:
        return []
    return [Issue("; ".join(missing) + ": one broker can starve its node.")]


@rule("KAFKA-K8S-003", "k8s-kafka-network-policy", "Namespaces running Kafka have a NetworkPolicy", ADVISORY,
      "Add a default-deny NetworkPolicy and allow only brokers, ZooKeeper and named clients.",
      model="workload", stack=True, also=("netpol",))
def network_policies(stack: Stack, settings: Settings) -> list[Issue]:
    covered = {ns for ns in (model(r, "netpol") for r in stack) if ns is not None}
    if UNKNOWN in covered or any(is_unknown(ns) for ns in covered):
        return []
    out = []
    for resource in stack:
        workload = model(resource, "workload")
        if workload is None or workload.partial or not is_kafka(workload, settings.ports):
            continue
        ns = workload.namespace
        if not is_unknown(ns) and ns not in covered:
            out.append(Issue(f"namespace {ns!r} runs Kafka/ZooKeeper but has no NetworkPolicy: every pod in the "
                             "cluster can reach the brokers and ZooKeeper.", (resource,)))
    return out


"""Kubernetes hardening rules for Kafka and ZooKeeper workloads (KAFKA-K8S-*).

A workload is "Kafka" when an image, a container port or an app label says so. Settings that
are absent are judged by what Kubernetes does when they are absent: no runAsNonRoot and no
runAsUser means the image's user, which may be root, so it fails.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

from .model import ADVISORY, MANDATORY, Finding, Resource
from .settings import Settings
from .values import MISSING, UNKNOWN, as_bool, as_int, as_mapping, field, is_unknown, unwrap, walk

POD_PATHS = {  # where the pod spec sits, by kind
    "Pod": ("spec",), "StatefulSet": ("spec", "template", "spec"), "Deployment": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
PULUMI_KINDS = {"kubernetes:core/v1:Pod": "Pod", "kubernetes:apps/v1:StatefulSet": "StatefulSet",
                "kubernetes:apps/v1:Deployment": "Deployment", "kubernetes:apps/v1:DaemonSet": "DaemonSet",
                "kubernetes:apps/v1:ReplicaSet": "ReplicaSet", "kubernetes:batch/v1:Job": "Job",
                "kubernetes:batch/v1:CronJob": "CronJob"}
WORKLOAD_TYPES = frozenset(PULUMI_KINDS) | frozenset(POD_PATHS)
POLICY_TYPES = frozenset({"kubernetes:networking.k8s.io/v1:NetworkPolicy", "NetworkPolicy",
                          "kubernetes:cilium.io/v2:CiliumNetworkPolicy", "CiliumNetworkPolicy"})
_KAFKA_IMAGE = re.compile(r"(^|[/_-])(kafka|zookeeper|cp-kafka|cp-zookeeper)([:@_-]|$)")
_KAFKA_LABEL = re.compile(r"kafka|zookeeper")
LABEL_KEYS = ("app", "app.kubernetes.io/name", "app.kubernetes.io/component", "strimzi.io/kind")


def pod_spec(resource: Resource) -> Any:
    kind = PULUMI_KINDS.get(resource.type, resource.type)
    return walk(resource.props, *POD_PATHS[kind])


def containers(spec: Any) -> Iterator[tuple[str, dict]]:
    for group in ("initContainers", "containers"):
        listed = field(as_mapping(spec) or {}, group)
        if isinstance(listed, list):
            for index, container in enumerate(listed):
                if isinstance(container, dict):
                    yield f"{group}[{index}]", container


def is_kafka(resource: Resource, settings: Settings) -> bool:
    spec = pod_spec(resource)
    for _, container in containers(spec):
        image = str(container.get("image", ""))
        repo = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        if _KAFKA_IMAGE.search(repo) or _KAFKA_IMAGE.search(image.split(":")[0]):
            return True
        for port in container.get("ports") or []:
            if isinstance(port, dict) and as_int(port.get("containerPort")) in settings.ports:
                return True
    for labels in (walk(resource.props, "metadata", "labels"),
                   walk(resource.props, *POD_PATHS[PULUMI_KINDS.get(resource.type, resource.type)][:-1],
                         "metadata", "labels")):
        block = as_mapping(labels) or {}
        if any(_KAFKA_LABEL.search(str(block.get(k, "")).lower()) for k in LABEL_KEYS):
            return True
    return False


def _effective(container: dict, pod: dict, name: str) -> Any:
    for context in (as_mapping(container.get("securityContext")), as_mapping(pod.get("securityContext"))):
        value = field(context or {}, name)
        if value is not MISSING and value is not None:
            return unwrap(value)
    return MISSING


def _finding(rule_id: str, resource: Resource, level: str, message: str, fix: str) -> Finding:
    return Finding(rule_id, resource.label, message, fix, level)


def workload_hardening(resource: Resource, settings: Settings) -> list[Finding]:
    """KAFKA-K8S-001: privileged, root, or a writable root filesystem."""
    if not is_kafka(resource, settings):
        return []
    spec = pod_spec(resource)
    if spec is UNKNOWN:
        return []
    pod = as_mapping(spec) or {}
    problems = []
    for where, container in containers(spec):
        context = as_mapping(container.get("securityContext")) or {}
        if as_bool(field(context, "privileged")) is True:
            problems.append(f"{where} runs privileged")
        if as_bool(field(context, "allowPrivilegeEscalation")) is True:
            problems.append(f"{where} allows privilege escalation")
        raw_user = _effective(container, pod, "runAsUser")
        user = None if raw_user is MISSING else as_int(raw_user)
        if user == 0:
            problems.append(f"{where} runs as root (runAsUser: 0)")
        elif user is None and as_bool(_effective(container, pod, "runAsNonRoot")) is not True:
            problems.append(f"{where} may run as root (neither runAsNonRoot: true nor a non-zero runAsUser)")
        if as_bool(field(context, "readOnlyRootFilesystem")) is not True:
            problems.append(f"{where} has a writable root filesystem")
    if not problems:
        return []
    return [_finding("KAFKA-K8S-001", resource, MANDATORY, "Kafka/ZooKeeper workload: " + "; ".join(problems) + ".",
                     "Set securityContext: runAsNonRoot: true, readOnlyRootFilesystem: true, "
                     "allowPrivilegeEscalation: false, privileged: false, capabilities.drop: [ALL].")]


def resource_limits(resource: Resource, settings: Settings) -> list[Finding]:
    """KAFKA-K8S-002: every container should have CPU and memory limits."""
    if not is_kafka(resource, settings):
        return []
    missing = []
    for where, container in containers(pod_spec(resource)):
        limits = as_mapping(walk(container, "resources", "limits")) or {}
        lacking = [k for k in ("cpu", "memory") if k not in limits]
        if lacking:
            missing.append(f"{where} has no {' or '.join(lacking)} limit")
    if not missing:
        return []
    return [_finding("KAFKA-K8S-002", resource, ADVISORY, "; ".join(missing) + ": one broker can starve its node.",
                     "Set resources.requests and resources.limits for cpu and memory.")]


def namespace_of(resource: Resource) -> Any:
    value = walk(resource.props, "metadata", "namespace")
    return "default" if value is MISSING else value


def network_policies(resources: Sequence[Resource], settings: Settings) -> list[Finding]:
    """KAFKA-K8S-003 (stack): a namespace that runs Kafka but has no NetworkPolicy at all."""
    covered = {namespace_of(r) for r in resources if r.type in POLICY_TYPES}
    if UNKNOWN in covered:
        return []
    out = []
    for r in resources:
        if r.type in WORKLOAD_TYPES and is_kafka(r, settings):
            ns = namespace_of(r)
            if ns is not UNKNOWN and not is_unknown(ns) and ns not in covered:
                out.append(_finding(
                    "KAFKA-K8S-003", r, ADVISORY,
                    f"namespace {ns!r} runs Kafka/ZooKeeper but has no NetworkPolicy: every pod in the cluster "
                    "can reach the brokers and ZooKeeper.",
                    "Add a default-deny NetworkPolicy and allow only brokers, ZooKeeper and named clients."))
    return out

"""Kubernetes workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, their
server-side-apply Patch forms and the Terraform provider's resources).

One extraction feeds two models: `workload` (the pod spec the KAFKA-K8S hardening rules read)
and `net` (node-level exposure: `hostNetwork: true` puts every container port on the node's
addresses, a `hostPort` opens one there — the same standard as a NodePort; plus the named
container ports Services resolve in the stack).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..dialects import model
from ..model import Resource
from ..net import Entry, Net, world
from ..ports import EVERY, exactly, unreadable_port
from ..registry import Extractor, form
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, get, is_unknown, known, mapping
from .kafka_release import workload as releases

POD_PATHS = {
    "Pod": ("spec",), "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
GROUPS = {"Pod": "core/v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
          "ReplicaSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1"}
TERRAFORM = {"Pod": ("kubernetes_pod", "kubernetes_pod_v1"),
             "Deployment": ("kubernetes_deployment", "kubernetes_deployment_v1"),
             "StatefulSet": ("kubernetes_stateful_set", "kubernetes_stateful_set_v1"),
             "DaemonSet": ("kubernetes_daemonset", "kubernetes_daemon_set_v1"), "ReplicaSet": (),
             "Job": ("kubernetes_job", "kubernetes_job_v1"), "CronJob": ("kubernetes_cron_job", "kubernetes_cron_job_v1")}
_KAFKA_IMAGE = re.compile(r"(^|[/_-])(kafka|zookeeper|cp-kafka|cp-zookeeper|cp-server)([:@_-]|$)")
_KAFKA_LABEL = re.compile(r"kafka|zookeeper")
LABEL_KEYS = ("app", "app.kubernetes.io/name", "app.kubernetes.io/component", "strimzi.io/kind")
HOST_NOTE = ("hostNetwork: true puts the pod's ports on the addresses of every node it runs on, the same "
             "reach as a NodePort")
HOST_PORT_NOTE = "a hostPort opens the port on the node's own addresses, the same reach as a NodePort"


@dataclass(slots=True)
class Workload:
    kind: str
    namespace: Any
    name: str
    labels: dict[str, Any]
    pod_labels: Any
    pod: Any                 # the pod spec (canonical), or UNKNOWN
    containers: list[Any]         # [(path, container)]
    partial: bool            # a patch: absent settings keep the live object's values
    named_ports: list[Any]        # [(port name, container port)]
    host_network: Any
    ports: frozenset[Any]         # every container port number it declares
    kafka_marked: bool       # Kafka or ZooKeeper by image or app label (the guarded ports decide the rest)

    def images(self) -> list[str]:
        return [str(c.get("image", "")) for _, c in self.containers]


def is_kafka_image(image: str) -> bool:
    repo = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
    return bool(_KAFKA_IMAGE.search(repo) or _KAFKA_IMAGE.search(image.split(":")[0]))


def is_kafka(workload: Workload, ports: tuple[int, ...] = ()) -> bool:
    """Kafka or ZooKeeper, by image, by a container port that is guarded, or by app label."""
    return workload.kafka_marked or not workload.ports.isdisjoint(ports)


def _marked(containers: list[Any], labels: dict[str, Any], pod_labels: Any) -> bool:
    if any(is_kafka_image(str(c.get("image", ""))) for _, c in containers):
        return True
    for block in (labels, mapping(pod_labels)):
        for key in LABEL_KEYS:
            value = block.get(key)
            if value is not None and _KAFKA_LABEL.search(str(value).lower()):
                return True
    return False


def _containers(pod: Any) -> list[Any]:
    out = []
    pod = mapping(pod)
    for group in ("initContainers", "containers"):
        listed = known(pod.get(group))
        if isinstance(listed, dict):
            listed = [listed]
        if isinstance(listed, list):
            for index, container in enumerate(listed):
                if isinstance(container, dict):
                    out.append((f"{group}[{index}]", container))
    return out


def _unknown_parts(pod: Any) -> list[str]:
    """The parts of a pod spec not known yet that could hold a hostNetwork or a hostPort: the spec itself,
    a container list, a container, its ports, one port."""
    if is_unknown(pod):
        return [""]
    out = []
    pod = mapping(pod)
    for group in ("initContainers", "containers"):
        listed = known(pod.get(group))
        if listed is UNKNOWN:
            out.append(group)
        for index, container in enumerate(listed if isinstance(listed, list) else []):
            where = f"{group}[{index}]"
            container = known(container)
            ports = known(container.get("ports")) if isinstance(container, dict) else None
            if container is UNKNOWN or ports is UNKNOWN:
                out.append(where if container is UNKNOWN else f"{where}.ports")
            out.extend(f"{where}.ports[{i}]" for i, port in enumerate(ports if isinstance(ports, list) else [])
                       if is_unknown(port))
    return out


def workload_of(kind: str, props: Any, partial: bool) -> Workload:
    props = mapping(props)
    meta = mapping(props.get("metadata"))
    path = POD_PATHS[kind]
    pod = get(props, *path)
    template_meta = get(props, *path[:-1], "metadata") if len(path) > 1 else meta
    pod_labels = get(template_meta, "labels") if template_meta not in (MISSING, UNKNOWN) else template_meta
    containers = _containers(pod) if pod is not UNKNOWN else []
    named, numbers = [], []
    for _, container in containers:
        for port in container.get("ports") or ():
            if isinstance(port, dict):
                number = as_int(port.get("containerPort"))
                if type(number) is int:
                    numbers.append(number)
                    if isinstance(port.get("name"), str):
                        named.append((port["name"], number))
    labels = mapping(meta.get("labels"))
    pod_labels = pod_labels if pod_labels is not MISSING else {}
    return Workload(kind, as_text(meta.get("namespace")) or "default", as_text(meta.get("name")) or "",
                    labels, pod_labels, pod if pod is not MISSING else {}, containers, partial, named,
                    get(pod, "hostNetwork") if pod not in (MISSING, UNKNOWN) else pod, frozenset(numbers),
                    _marked(containers, labels, pod_labels))


def _workload(kind: str, partial: bool) -> Extractor:
    def extract(resource: Resource, props: Any) -> Workload:
        return workload_of(kind, props, partial)
    return extract


def _release(resource: Resource, props: Any) -> Any:
    """The Kafka images of the pod template (KAFKA-VER-*), with the workload's acknowledgement."""
    pod: Workload = model(resource, "workload")
    return releases(pod.containers, get(mapping(props), "metadata", "annotations"))


def _net(kind: str, partial: bool) -> Extractor:
    pod_path = ".".join(POD_PATHS[kind])

    def extract(resource: Resource, props: Any) -> Net:
        workload: Workload = model(resource, "workload")
        entries = []
        host = workload.host_network
        if host is MISSING or host is None or host is False:
            host = False
        else:
            host = as_bool(host) if not is_unknown(host) else UNKNOWN
        if host is True:
            declared, odd = [], None
            for path, container in workload.containers:
                for port in container.get("ports") or []:
                    number = as_int(port.get("containerPort")) if isinstance(port, dict) else None
                    odd = odd or (unreadable_port(port.get("containerPort")) if isinstance(port, dict) else None)
                    if isinstance(number, int):
                        declared.append(number)
            if odd is not None:  # a port the API server would refuse: the gate does not guess which was meant
                entries.append(Entry(f"{pod_path}.hostNetwork", odd, **world(HOST_NOTE), detail=("hostNetwork", kind)))
            elif declared:
                entries.append(Entry(f"{pod_path}.hostNetwork", exactly(*declared), **world(HOST_NOTE),
                                     detail=("hostNetwork", kind)))
            elif is_kafka(workload):
                entries.append(Entry(f"{pod_path}.hostNetwork", EVERY, **world(
                    HOST_NOTE + "; its container ports are not declared, so Kafka's may be any"),
                    kafka=False, detail=("hostNetwork", kind)))
            for part in _unknown_parts(workload.pod):  # on the host's network, with containers not known yet
                where = f"{pod_path}.{part}"
                entries.append(Entry(where, EVERY, ((where, UNKNOWN),), detail=("hostNetwork", kind)))
        elif host is UNKNOWN and is_kafka(workload):
            entries.append(Entry(f"{pod_path}.hostNetwork", EVERY, ((f"{pod_path}.hostNetwork", UNKNOWN),),
                                 detail=("hostNetwork", kind)))
        if host is not True:  # with the host's network every port is already judged open
            for part in _unknown_parts(workload.pod):
                where = ".".join(p for p in (pod_path, part) if p)
                entries.append(Entry(where, EVERY, ((where, UNKNOWN),), detail=("hostPort", kind)))
        for path, container in workload.containers:
            for index, port in enumerate(container.get("ports") or ()):
                if type(port) is not dict or port.get("hostPort") is None:
                    continue
                number = as_int(port.get("hostPort"))
                where = f"{pod_path}.{path}.ports[{index}].hostPort"
                odd = unreadable_port(port.get("hostPort")) or \
                    unreadable_port(port.get("containerPort"), absent="a hostPort names no containerPort")
                if number is UNKNOWN:
                    entries.append(Entry(where, EVERY, ((where, UNKNOWN),), detail=("hostPort", kind)))
                elif (as_text(port.get("protocol")) or "").upper() in ("UDP", "SCTP"):
                    continue
                elif odd is not None:  # the API server would refuse it; the gate does not guess the port
                    entries.append(Entry(where, odd, **world(HOST_PORT_NOTE), detail=("hostPort", kind)))
                elif isinstance(number, int):
                    # the node's port forwards to the container's: either being guarded is an exposure
                    inner = as_int(port.get("containerPort"))
                    if inner is UNKNOWN:
                        entries.append(Entry(where, EVERY, ((where.replace("hostPort", "containerPort"), UNKNOWN),),
                                             detail=("hostPort", kind)))
                        continue
                    mapped = isinstance(inner, int) and inner != number
                    note = HOST_PORT_NOTE + (f"; hostPort {number} forwards to containerPort {inner}" if mapped else "")
                    entries.append(Entry(where, exactly(number, inner) if mapped else exactly(number),
                                         **world(note), detail=("hostPort", kind)))
        return Net(entries, "workload", (), {}, workload)
    return extract


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    workload = workload_of(entry.detail[1], resource._canonical, False)
    path = "/" + "/".join(POD_PATHS[entry.detail[1]])
    if entry.detail[0] == "hostNetwork":
        op = f'[{{"op":"replace","path":"{path}/hostNetwork","value":false}}]'
    else:
        op = "<a JSON patch removing the hostPort>"
    return (f"kubectl -n {workload.namespace} patch {entry.detail[1].lower()} {workload.name or '<name>'} "
            f"--type=json -p '{op}'")


FIX = ("Serve Kafka through a ClusterIP Service (or an internal load balancer): drop hostNetwork and "
       "hostPort from the pod template.")


def _renames(kind: str) -> dict[str, Any]:
    base = ".".join(POD_PATHS[kind])
    out = {f"{base}.container": "containers", f"{base}.initContainer": "initContainers"}
    for group in ("containers", "initContainers"):
        out[f"{base}.{group}.port"] = "ports"
    return out


for _kind, _group in GROUPS.items():
    form(key=f"k8s.{_kind.lower()}", family="Kubernetes workloads",
         summary="pod template: hostNetwork with Kafka/ZooKeeper or container ports, hostPort; "
                 "named container ports; securityContext and limits (KAFKA-K8S-*)",
         pulumi=(f"kubernetes:{_group}:{_kind}",), terraform=TERRAFORM[_kind],
         models={"workload": _workload(_kind, False), "net": _net(_kind, False), "kafka-version": _release},
         fix=FIX, revoke=revoke,
         renames=_renames(_kind), maps=frozenset({"limits", "requests"}))
    form(key=f"k8s.{_kind.lower()}-patch", family="Kubernetes workloads",
         summary="server-side-apply patch of the same: what it sets is judged",
         pulumi=(f"kubernetes:{_group}:{_kind}Patch",),
         models={"workload": _workload(_kind, True), "net": _net(_kind, True), "kafka-version": _release},
         fix=FIX, revoke=revoke)

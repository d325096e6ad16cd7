"""Operators' Kafka custom resources, judged as written: the operator creates the Services,
Routes and Ingresses only after the preview, so the CR is the last place to stop them.

Strimzi `Kafka` (kafka.strimzi.io v1beta2 and v1): listeners of type loadbalancer, nodeport,
route and ingress are external; a load balancer is internal only when its bootstrap and every
per-broker service are annotated internal, or limited to private source ranges.
Confluent for Kubernetes `Kafka` (platform.confluent.io/v1beta1): the external listener and
custom listeners with `externalAccess`.
"""
from __future__ import annotations

from typing import Any, Optional

from ..model import Resource
from ..net import Entry, Net, world
from ..ports import EVERY, exactly
from ..registry import form
from ..values import MISSING, UNKNOWN, as_int, as_text, get, is_unknown, known, mapping
from .k8s_service import internal, lb_sources

NOTES = {
    "nodeport": "a nodeport listener opens node ports on every node; source ranges do not apply to them",
    "route": "a route listener is served by the OpenShift router on port 443 with TLS passthrough",
    "ingress": "an ingress listener is served by the ingress controller on port 443 with TLS passthrough",
    "staticforportbasedrouting": "static port-based routing exposes the brokers through the ingress controller",
    "staticforhostbasedrouting": "static host-based routing exposes the brokers through the ingress controller",
    "tlsroute": "a tlsroute listener (Strimzi 1.1+) is served through a Gateway API TLSRoute with TLS passthrough on "
                "the gateway's public listener",
}


def _merged(*blocks: Any) -> Any:
    out: dict[str, Any] = {}
    for block in blocks:
        if is_unknown(block):
            return UNKNOWN
        out.update(mapping(block))
    return out


def _load_balancer(path: str, port: Any, annotation_sets: list[Any], ranges: Any) -> Entry:
    """A listener exposed through load balancers, kept in only when every one of them is internal."""
    verdicts = [internal(a) for a in annotation_sets]
    number = as_int(port)
    span = exactly(number) if isinstance(number, int) else EVERY
    if UNKNOWN in verdicts or is_unknown(ranges):
        return Entry(path, span, ((path, UNKNOWN),), kafka=True)
    if all(v is True for v in verdicts):
        return Entry(path, span, (), kafka=True)
    sources, implicit = lb_sources(ranges, {}, f"{path}.configuration")
    note = "no loadBalancerSourceRanges are set, so its load balancers admit everyone" if implicit else ""
    return Entry(path, span, tuple(sources), implicit_world=implicit, note=note, kafka=True)


def _overrides_cover(kafka: dict[str, Any], brokers: list[Any]) -> bool:
    """True when per-broker overrides name every broker. With `replicas` (ZooKeeper-era layout) the node
    ids are 0..replicas-1; with KafkaNodePools they come from the pools (`strimzi.io/next-node-ids`),
    which the Kafka resource cannot show, so the per-pod template's annotations always count."""
    replicas = as_int(kafka.get("replicas"))
    if not isinstance(replicas, int):
        return False
    named = {as_int(mapping(b).get("broker")) for b in brokers}
    return set(range(replicas)) <= named


def strimzi(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    kafka = get(props, "spec", "kafka")
    if kafka is UNKNOWN:
        return Net([Entry("spec.kafka", EVERY, (("spec.kafka", UNKNOWN),), kafka=True)], "", ())
    kafka = mapping(kafka)
    template = mapping(kafka.get("template"))
    listeners = known(kafka.get("listeners"))
    if isinstance(listeners, dict):  # the pre-v1beta2 layout: {plain, tls, external: {type}}
        listeners = [dict(mapping(v), name=k, port=9094 if k == "external" else None,
                          type=mapping(v).get("type", "internal") if k == "external" else "internal")
                     for k, v in listeners.items()]
    entries = []
    if listeners is UNKNOWN:
        return Net([Entry("spec.kafka.listeners", EVERY, (("spec.kafka.listeners", UNKNOWN),), kafka=True)],
                   "", ())
    for index, listener in enumerate(listeners if isinstance(listeners, list) else []):
        listener = known(listener)
        path = f"spec.kafka.listeners[{index}]"
        if listener is UNKNOWN:
            entries.append(Entry(path, EVERY, ((path, UNKNOWN),), kafka=True))
            continue
        listener = mapping(listener)
        kind = known(listener.get("type"))
        port = listener.get("port")
        if is_unknown(kind):
            entries.append(Entry(path, exactly(as_int(port)) if isinstance(as_int(port), int) else EVERY,
                                 ((f"{path}.type", UNKNOWN),), kafka=True))
            continue
        kind = (as_text(kind) or "internal").lower()
        config = mapping(listener.get("configuration"))
        number = as_int(port)
        span = exactly(number) if isinstance(number, int) else EVERY
        if kind == "loadbalancer":
            per_pod = get(template, "perPodService", "metadata", "annotations")
            per_pod = {} if per_pod is MISSING else per_pod
            bootstrap = _merged(get(template, "externalBootstrapService", "metadata", "annotations") or {},
                                get(config, "bootstrap", "annotations") or {})
            brokers = known(config.get("brokers")) or []
            brokers = brokers if isinstance(brokers, list) else []
            sets = [bootstrap] + [_merged(per_pod, get(b, "annotations") or {}) for b in brokers]
            if not _overrides_cover(kafka, brokers):
                sets.append(per_pod)  # brokers without an override get only the per-pod template's annotations
            entries.append(_load_balancer(path, port, sets, known(config.get("loadBalancerSourceRanges"))))
        elif kind in NOTES:
            entries.append(Entry(path, span, **world(NOTES[kind]), kafka=True))
    return Net(entries, "", ())


def confluent(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    listeners = get(props, "spec", "listeners")
    if listeners is UNKNOWN:
        return Net([Entry("spec.listeners", EVERY, (("spec.listeners", UNKNOWN),), kafka=True)], "", ())
    listeners = mapping(listeners)
    found: list[tuple[str, dict[str, Any], Optional[int]]] = []
    if "external" in listeners:
        found.append(("spec.listeners.external", mapping(listeners["external"]), 9092))
    for index, custom in enumerate(known(listeners.get("custom")) or []):
        found.append((f"spec.listeners.custom[{index}]", mapping(custom), None))
    entries = []
    for path, listener, default_port in found:
        access = known(listener.get("externalAccess"))
        if access in (None, MISSING):
            continue
        port = listener.get("port", default_port)
        number = as_int(port)
        span = exactly(number) if isinstance(number, int) else EVERY
        if access is UNKNOWN:
            entries.append(Entry(path, span, ((f"{path}.externalAccess", UNKNOWN),), kafka=True))
            continue
        kind = known(access.get("type"))
        if is_unknown(kind):
            entries.append(Entry(path, span, ((f"{path}.externalAccess.type", UNKNOWN),), kafka=True))
            continue
        kind = (as_text(kind) or "").lower()
        if kind == "loadbalancer":
            lb = mapping(access.get("loadBalancer"))
            entries.append(_load_balancer(path, port, [known(lb.get("annotations")) or {}],
                                          known(lb.get("loadBalancerSourceRanges"))))
        elif kind in NOTES or kind == "nodeport":
            entries.append(Entry(path, span, **world(NOTES.get(kind, NOTES["nodeport"])), kafka=True))
    return Net(entries, "", ())


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    meta = mapping(mapping(resource._canonical).get("metadata"))
    namespace, name = meta.get("namespace") or "default", meta.get("name") or "<kafka>"
    return (f"kubectl -n {namespace} edit kafka {name}   # set {entry.path}.type to internal "
            "(or annotate its load balancers internal with private source ranges)")


FIX = ("Keep the operator's listeners internal (Strimzi type internal/cluster-ip; no externalAccess), or "
       "use load balancers annotated internal with private loadBalancerSourceRanges.")

form(key="k8s.strimzi-kafka", family="Kafka operators",
     summary="Strimzi `Kafka` listeners of type loadbalancer (bootstrap and per-broker annotations, "
             "source ranges), nodeport, route, ingress",
     pulumi=("kubernetes:kafka.strimzi.io/v1beta2:Kafka", "kubernetes:kafka.strimzi.io/v1:Kafka",
             "kubernetes:kafka.strimzi.io/v1beta1:Kafka"),
     models={"net": strimzi}, fix=FIX, revoke=revoke)
form(key="k8s.confluent-kafka", family="Kafka operators",
     summary="Confluent for Kubernetes `Kafka`: external and custom listeners' `externalAccess` "
             "(loadBalancer, nodePort, route, static routing)",
     pulumi=("kubernetes:platform.confluent.io/v1beta1:Kafka",), models={"net": confluent}, fix=FIX, revoke=revoke)

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
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_int, as_text, get, is_unknown, items, known, mapping
from .k8s_service import internal, lb_sources
from .kafka_logging import strimzi as strimzi_logging
from .kafka_release import strimzi as strimzi_release

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
    pending: list[dict[str, Any]] = []
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
                named = {as_int(mapping(b).get("broker")) for b in brokers}
                if _pools(props) and brokers and internal(per_pod) is False and \
                        all(internal(a) is True for a in sets) and not known(config.get("loadBalancerSourceRanges")):
                    # only the pools can say whether every broker id is overridden: the stack join decides
                    pending.append({"path": path, "port": as_int(port), "named": named})
                    continue
                sets.append(per_pod)  # brokers without an override get only the per-pod template's annotations
            entries.append(_load_balancer(path, port, sets, known(config.get("loadBalancerSourceRanges"))))
        elif kind in NOTES:
            entries.append(Entry(path, span, **world(NOTES[kind]), kafka=True))
    meta = mapping(props.get("metadata"))
    data = {"namespace": as_text(meta.get("namespace")) or "default", "name": as_text(meta.get("name")) or "",
            "pending": pending}
    return Net(entries, "strimzi-kafka" if pending else "", (), {}, data)


def _pools(props: dict[str, Any]) -> bool:
    """Node ids come from KafkaNodePools (Strimzi 1.x, or the node-pools annotation) rather than `replicas`."""
    annotations = mapping(get(props, "metadata", "annotations"))
    return (as_text(annotations.get("strimzi.io/node-pools")) or "").lower() == "enabled" or \
        get(props, "spec", "kafka", "replicas") is MISSING


def node_ids(annotation: Any, replicas: Any) -> Any:
    """The ids a pool's brokers take: the first `replicas` of `strimzi.io/next-node-ids` ("[0-2, 10]");
    None when the pool does not pin them (Strimzi then picks free ids, which cannot be seen here)."""
    text, count = as_text(annotation), as_int(replicas)
    if not text or not isinstance(count, int):
        return None
    ids: list[int] = []
    for part in text.strip().strip("[]").split(","):
        low, _, high = part.strip().partition("-")
        if not low.strip().isdigit() or (high and not high.strip().isdigit()):
            return None
        ids.extend(range(int(low), int(high or low) + 1))
    return ids[:count] if len(ids) >= count else None


def node_pool(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    meta = mapping(props.get("metadata"))
    spec = mapping(props.get("spec"))
    roles = {as_text(r) for r in items(known(spec.get("roles")))}
    data = {"namespace": as_text(meta.get("namespace")) or "default",
            "cluster": as_text(mapping(meta.get("labels")).get("strimzi.io/cluster")) or "",
            "broker": "broker" in roles, "replicas": known(spec.get("replicas")),
            "ids": node_ids(mapping(meta.get("annotations")).get("strimzi.io/next-node-ids"), spec.get("replicas"))}
    return Net([], "strimzi-pool", (), {}, data)


def pool_reads(resource: Resource, props: Any) -> Optional[str]:
    template = get(mapping(props), "spec", "template")
    if isinstance(template, dict) and {"perPodService", "perPodRoute", "perPodIngress"} & set(template):
        return ("a KafkaNodePool with its own perPodService/Route/Ingress template shapes its brokers' external "
                "services, which the engine does not merge into the Kafka resource's listeners")
    return None


@join("strimzi-node-pools")
def strimzi_node_pools(stack: Stack, settings: Any) -> list[Path]:
    """A listener whose per-broker overrides keep brokers internal is safe only when the pools' broker ids
    are all among them."""
    out: list[Path] = []
    for kafka, net in stack.role("strimzi-kafka"):
        data = net.data
        pools = [(r, n.data) for r, n in stack.role("strimzi-pool")
                 if n.data["namespace"] == data["namespace"] and n.data["cluster"] == data["name"] and n.data["broker"]]
        for pending in data["pending"]:
            port = pending["port"]
            ports = (port,) if isinstance(port, int) else ()
            where = f"{kafka.label} {pending['path']}"
            if not pools:
                out.append(Path((kafka,), f"{where}: per-broker overrides keep brokers {sorted(i for i in pending['named'] if i is not None)} "
                                "internal, but the KafkaNodePools that give the brokers their ids are not in the stack, "
                                "so a broker with another id (and a public per-pod service) cannot be ruled out.",
                                ports, unseen=True))
                continue
            for pool, pool_data in pools:
                ids = pool_data["ids"]
                if ids is None:
                    out.append(Path((kafka, pool), f"{where}: the pool {pool.label} does not pin its node ids "
                                    "(strimzi.io/next-node-ids), so its brokers may get ids the per-broker overrides do "
                                    "not name; their per-pod load balancers would then be public.", ports,
                                    ("0.0.0.0/0", "::/0"), FIX))
                    continue
                missing = sorted(set(ids) - pending["named"])
                if missing:
                    out.append(Path((kafka, pool), f"{where}: brokers {missing} of pool {pool.label} have no per-broker "
                                    "override, so their per-pod load balancers take the template's annotations, which do "
                                    "not keep them internal: they are public.", ports, ("0.0.0.0/0", "::/0"), FIX))
    return out


def confluent(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    listeners = get(props, "spec", "listeners")
    if listeners is UNKNOWN:
        return Net([Entry("spec.listeners", EVERY, (("spec.listeners", UNKNOWN),), kafka=True)], "", ())
    listeners = mapping(listeners)
    found: list[tuple[str, dict[str, Any], Optional[int]]] = []
    entries = []
    if "external" in listeners:
        found.append(("spec.listeners.external", listeners["external"], 9092))
    custom = known(listeners.get("custom"))
    if custom is UNKNOWN:
        entries.append(Entry("spec.listeners.custom", EVERY, (("spec.listeners.custom", UNKNOWN),), kafka=True))
    for index, listener in enumerate(custom if isinstance(custom, list) else []):
        found.append((f"spec.listeners.custom[{index}]", listener, None))
    for path, listener, _ in found:
        if is_unknown(listener):
            entries.append(Entry(path, EVERY, ((path, UNKNOWN),), kafka=True))
    found = [(path, mapping(listener), port) for path, listener, port in found if not is_unknown(listener)]
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
             "source ranges), nodeport, route, ingress; inline loggers (KAFKA-LOG-001)",
     pulumi=("kubernetes:kafka.strimzi.io/v1beta2:Kafka", "kubernetes:kafka.strimzi.io/v1:Kafka",
             "kubernetes:kafka.strimzi.io/v1beta1:Kafka"),
     models={"net": strimzi, "kafka-version": strimzi_release, "kafka-logging": strimzi_logging}, fix=FIX,
     revoke=revoke)
form(key="k8s.strimzi-node-pool", family="Kafka operators",
     summary="Strimzi `KafkaNodePool`: broker ids from `strimzi.io/next-node-ids`, joined with the Kafka's per-broker "
             "overrides (a pool with its own per-pod templates is reported unjudged)",
     pulumi=("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", "kubernetes:kafka.strimzi.io/v1beta2:KafkaNodePool"),
     models={"net": node_pool}, fix=FIX, reads=pool_reads)
form(key="k8s.confluent-kafka", family="Kafka operators",
     summary="Confluent for Kubernetes `Kafka`: external and custom listeners' `externalAccess` "
             "(loadBalancer, nodePort, route, static routing)",
     pulumi=("kubernetes:platform.confluent.io/v1beta1:Kafka",), models={"net": confluent}, fix=FIX, revoke=revoke)

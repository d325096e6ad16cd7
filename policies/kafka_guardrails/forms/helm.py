"""Helm releases whose values expose Kafka through well-known charts. Unknown charts are not
guessed at: only Bitnami's `kafka` chart (current `externalAccess.controller/broker.service`
layout and the legacy `externalAccess.service` one, plus the client `service`) and
`ingress-nginx` (`tcp:` behind its public controller Service) are read.

Pulumi `kubernetes:helm.sh/v3:Release` and `v4:Chart` (where its values reach the engine) and
Terraform's `helm_release` (`values` YAML documents and `set` blocks) share one reader.
"""
from __future__ import annotations

from typing import Any, Optional

from ..model import Resource
from ..net import Entry, Net
from ..ports import EVERY, exactly
from ..registry import form
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, get, is_unknown, items, known, mapping
from .k8s_service import internal, lb_sources

FIX = ("Keep the chart's Kafka services ClusterIP (Bitnami: externalAccess.enabled=false, service.type=ClusterIP; "
       "ingress-nginx: no Kafka ports under tcp:), or make every load balancer internal with private "
       "loadBalancerSourceRanges.")


def chart_name(props: dict[str, Any]) -> tuple[str, str]:
    """(chart's last name segment, where it comes from) from the chart reference and repository."""
    chart = as_text(props.get("chart")) or ""
    repo = as_text(get(props, "repositoryOpts", "repo")) or as_text(props.get("repository")) or ""
    name = chart.rstrip("/").rsplit("/", 1)[-1].split(":")[0]
    return name, f"{chart} {repo}".lower()


def _set(values: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.replace("\\.", "\0").split(".")
    node = values
    for part in parts[:-1]:
        node = node.setdefault(part.replace("\0", "."), {})
        if not isinstance(node, dict):
            return
    node[parts[-1].replace("\0", ".")] = value


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def chart_values(props: dict[str, Any]) -> Any:
    """The release's values as one mapping; UNKNOWN when they are not known yet."""
    values = known(props.get("values"))
    if values is UNKNOWN:
        return UNKNOWN
    if isinstance(values, dict):
        merged = dict(values)
    else:  # Terraform: a list of YAML documents
        merged = {}
        for document in items(values):
            if is_unknown(document):
                return UNKNOWN
            if isinstance(document, str):
                import yaml  # only Terraform's helm_release needs a YAML reader
                try:
                    loaded = yaml.safe_load(document)
                except yaml.YAMLError:  # an expression Terraform has not evaluated (yamlencode(...))
                    return UNKNOWN
                if isinstance(loaded, dict):
                    _deep_merge(merged, loaded)
    for block in known(props.get("set")) or []:
        block = mapping(block)
        name, value = as_text(block.get("name")), known(block.get("value"))
        if name:
            _set(merged, name, UNKNOWN if value is UNKNOWN else value)
    return merged


def _service_entry(path: str, service: Any, default_type: str, default_port: int, port_keys: tuple[Any, ...]) -> Optional[Entry]:
    """A chart's service block: exposed when LoadBalancer (not internal) or NodePort."""
    if service is UNKNOWN:
        return Entry(path, exactly(default_port), ((path, UNKNOWN),), kafka=True)
    service = mapping(service)
    kind = known(service.get("type", default_type))
    port = default_port
    for key in port_keys:
        found = as_int(get(service, *key.split(".")))
        if isinstance(found, int):
            port = found
            break
    if kind is UNKNOWN:
        return Entry(path, exactly(port), ((f"{path}.type", UNKNOWN),), kafka=True)
    kind = as_text(kind) or default_type
    if kind == "NodePort":
        return Entry(path, exactly(port), (("", "0.0.0.0/0"), ("", "::/0")), implicit_world=True, kafka=True,
                     note="a NodePort opens the port on every node")
    if kind != "LoadBalancer":
        return None
    annotations = known(service.get("annotations")) or {}
    kept_in = internal(annotations)
    if kept_in is UNKNOWN:
        return Entry(path, exactly(port), ((f"{path}.annotations", UNKNOWN),), kafka=True)
    if kept_in:
        return None
    sources, implicit = lb_sources(known(service.get("loadBalancerSourceRanges")), annotations, path)
    return Entry(path, exactly(port), tuple(sources), implicit_world=implicit, kafka=True,
                 note="no loadBalancerSourceRanges are set, so its load balancer admits everyone" if implicit else "")


def bitnami_kafka(values: dict[str, Any]) -> list[Entry]:
    entries = []
    external = mapping(values.get("externalAccess"))
    enabled = as_bool(known(external.get("enabled")))
    if enabled is UNKNOWN or is_unknown(values.get("externalAccess")):
        entries.append(Entry("values.externalAccess", EVERY, (("values.externalAccess.enabled", UNKNOWN),), kafka=True))
    elif enabled:
        layouts = [(f"values.externalAccess.{role}.service", get(external, role, "service"))
                   for role in ("controller", "broker") if get(external, role, "service") is not MISSING]
        if "service" in external or not layouts:  # the legacy layout (or the current one's defaults)
            layouts.append(("values.externalAccess.service", external.get("service", {})))
        for path, service in layouts:
            entry = _service_entry(path, service, "LoadBalancer", 9094, ("ports.external", "port"))
            if entry is not None:
                entries.append(entry)
    client = values.get("service")
    if client is not None:
        entry = _service_entry("values.service", known(client), "ClusterIP", 9092, ("ports.client", "port"))
        if entry is not None:
            entries.append(entry)
    return entries


def ingress_nginx(values: dict[str, Any]) -> list[Entry]:
    tcp = known(values.get("tcp"))
    if tcp is UNKNOWN:
        return [Entry("values.tcp", EVERY, (("values.tcp", UNKNOWN),))]
    if not isinstance(tcp, dict) or not tcp:
        return []
    service = get(values, "controller", "service")
    if service is UNKNOWN:
        sources, implicit, note = [("values.controller.service", UNKNOWN)], False, ""
    else:
        service = mapping(service)
        if as_bool(known(service.get("enabled", True))) is False or \
                as_bool(known(get(service, "external", "enabled"))) is False:
            return []
        kind = as_text(known(service.get("type"))) or "LoadBalancer"
        if kind == "NodePort":
            sources, implicit, note = [("", "0.0.0.0/0"), ("", "::/0")], True, "a NodePort opens the port on every node"
        elif kind != "LoadBalancer":
            return []
        else:
            kept_in = internal(known(service.get("annotations")) or {})
            if kept_in is True:
                return []
            if kept_in is UNKNOWN:
                sources, implicit, note = [("values.controller.service.annotations", UNKNOWN)], False, ""
            else:
                sources, implicit = lb_sources(known(service.get("loadBalancerSourceRanges")),
                                               known(service.get("annotations")) or {}, "values.controller.service")
                note = "the controller's load balancer has no loadBalancerSourceRanges" if implicit else ""
    entries = []
    for key, target in tcp.items():
        external = as_int(key)
        if is_unknown(target):  # the controller's port is open; where it forwards is not known yet
            entries.append(Entry(f"values.tcp[{key}]", EVERY, ((f"values.tcp[{key}]", UNKNOWN),)))
            continue
        backend = as_text(target) or ""
        port = as_int(backend.partition(":")[2].split(":")[0]) if ":" in backend else None
        numbers = [n for n in (external, port) if isinstance(n, int)]
        if numbers:
            entries.append(Entry(f"values.tcp[{key}]", exactly(*numbers), tuple(sources), implicit_world=implicit,
                                 note=f"ingress-nginx forwards port {key} of its controller Service to {backend}"
                                      + (f"; {note}" if note else "")))
    return entries


def bitnami_zookeeper(values: dict[str, Any]) -> list[Entry]:
    """Bitnami `zookeeper`: the client Service (`service.type`, `service.ports.client`, default 2181)."""
    client = values.get("service")
    if client is None:
        return []
    entry = _service_entry("values.service", known(client), "ClusterIP", 2181, ("ports.client", "port"))
    return [entry] if entry is not None else []


def cp_helm_charts(values: dict[str, Any]) -> list[Entry]:
    """Confluent's `cp-helm-charts`: `cp-kafka.nodeport.enabled` opens one node port per broker from
    `firstListenerPort` (default 31090) to the brokers' external listener."""
    kafka = mapping(values.get("cp-kafka"))
    nodeport = UNKNOWN if is_unknown(values.get("cp-kafka")) else known(kafka.get("nodeport"))
    if nodeport is UNKNOWN:
        return [Entry("values.cp-kafka.nodeport", EVERY, (("values.cp-kafka.nodeport", UNKNOWN),), kafka=True)]
    enabled = as_bool(known(mapping(nodeport).get("enabled")))
    if enabled is UNKNOWN:
        return [Entry("values.cp-kafka.nodeport", EVERY, (("values.cp-kafka.nodeport.enabled", UNKNOWN),), kafka=True)]
    if not enabled:
        return []
    first = as_int(known(mapping(nodeport).get("firstListenerPort", 31090)))
    brokers = as_int(known(kafka.get("brokers", 3)))
    ports = list(range(first, first + brokers)) if isinstance(first, int) and isinstance(brokers, int) else []
    return [Entry("values.cp-kafka.nodeport", exactly(*ports) if ports else EVERY, (("", "0.0.0.0/0"), ("", "::/0")),
                  implicit_world=True, kafka=True, note="cp-kafka's nodeport opens a node port per broker on every node")]


def _bitnami_kafka_with_zookeeper(values: dict[str, Any]) -> list[Entry]:
    entries = bitnami_kafka(values)
    if is_unknown(values.get("zookeeper")):
        return entries + [Entry("values.zookeeper", exactly(2181), (("values.zookeeper", UNKNOWN),))]
    zookeeper = mapping(values.get("zookeeper"))
    enabled = as_bool(known(zookeeper.get("enabled")))
    if enabled in (True, UNKNOWN) and zookeeper.get("service") is not None:
        entry = _service_entry("values.zookeeper.service", known(zookeeper.get("service")), "ClusterIP", 2181,
                               ("ports.client", "port"))
        if entry is not None and enabled is UNKNOWN:  # exposed if the subchart is on, which is not known yet
            entry = Entry(entry.path, entry.span, (("values.zookeeper.enabled", UNKNOWN),))
        if entry is not None:
            entries.append(entry)
    return entries


# chart name -> (where it must come from, its reader). Charts that create no Kafka-facing Service (an
# operator's own chart) are read as such; any other chart is reported unjudged, never guessed at.
CHARTS = {"kafka": ("bitnami", _bitnami_kafka_with_zookeeper), "zookeeper": ("bitnami", bitnami_zookeeper),
          "ingress-nginx": ("", ingress_nginx), "cp-helm-charts": ("confluent", cp_helm_charts),
          "confluent-for-kubernetes": ("confluent", lambda values: []),
          "strimzi-kafka-operator": ("strimzi", lambda values: [])}


def _chart(props: dict[str, Any]) -> Any:
    name, origin = chart_name(props)
    known_chart = CHARTS.get(name)
    if known_chart is None or (known_chart[0] and known_chart[0] not in origin):
        return None
    return known_chart


def reads(resource: Resource, props: Any) -> Optional[str]:
    """None for a chart whose values the engine reads; else why the release is not judged."""
    props = mapping(props)
    if _chart(props) is not None:
        return None
    name, origin = chart_name(props)
    return (f"the Helm chart {name or '<unnamed>'} ({origin.strip() or 'no repository'}) is not one whose values "
            f"kafka-guardrails reads ({', '.join(sorted(CHARTS))}, from their own repositories); its rendered "
            "manifests can be judged instead (helm template ... > rendered.yaml; secure-kafka check rendered.yaml)")


def release(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    known_chart = _chart(props)
    if known_chart is None:
        return Net([], "", ())  # not a chart we know: reported unjudged by the coverage rule
    values = chart_values(props)
    if values is UNKNOWN:
        return Net([Entry("values", EVERY, (("values", UNKNOWN),), kafka=True)], "", ())
    return Net(known_chart[1](values), "", ())


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    props = mapping(resource._canonical)
    name = as_text(props.get("name")) or "<release>"
    namespace = as_text(props.get("namespace")) or "<namespace>"
    if entry.path.startswith("values.tcp"):
        key = entry.path[len("values.tcp["):-1]
        change = f"--set tcp.{key}=null"
    elif entry.path.startswith("values.externalAccess"):
        change = "--set externalAccess.enabled=false"
    else:
        change = "--set service.type=ClusterIP"
    chart = as_text(props.get("chart")) or "<chart>"
    return f"helm upgrade {name} {chart} -n {namespace} --reuse-values {change}"


form(key="helm.release", family="Helm releases",
     summary="values of Bitnami `kafka` (externalAccess in both layouts, service.type, the zookeeper subchart), Bitnami "
             "`zookeeper` (service.type), Confluent `cp-helm-charts` (cp-kafka.nodeport) and `ingress-nginx` (`tcp:`); "
             "other charts are reported unjudged",
     pulumi=("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"), terraform=("helm_release",),
     models={"net": release}, fix=FIX, revoke=revoke, maps=frozenset({"values"}), reads=reads)

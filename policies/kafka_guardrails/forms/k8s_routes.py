"""Raw TCP from the edge of a Kubernetes cluster to Kafka: Gateway API TCP/TLS listeners and
the TCPRoute/TLSRoute that attach to them, ingress-nginx's `tcp-services` ConfigMap behind a
public controller Service, Ingresses with TLS passthrough, and OpenShift passthrough Routes.

A Gateway listener on a guarded port is judged alone; a route, a ConfigMap entry or a named
backend port is followed to its Service (and the workloads it selects) in the stack.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from ..model import Resource
from ..net import WORLD, Entry, Net, not_known, verdict, world
from ..ports import EVERY, exactly, unreadable_port
from ..registry import Extractor, form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, get, is_unknown, known, mapping
from .k8s_service import info, internal
from .k8s_workload import is_kafka
from .kafka_logging import config_map as config_map_logging

GATEWAY_NOTE = "a Gateway listener of protocol {protocol} forwards raw TCP from the gateway's address"
PASSTHROUGH = "nginx.ingress.kubernetes.io/ssl-passthrough"
# Listener protocols that cannot carry Kafka's own protocol; any other (TCP, TLS, a name the Gateway API
# does not know, one not known yet) is judged as raw TCP.
NOT_RAW_TCP = frozenset({"HTTP", "HTTPS", "UDP"})


def _meta(props: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    meta = mapping(props.get("metadata"))
    annotations = known(meta.get("annotations"))
    return (as_text(meta.get("namespace")) or "default", as_text(meta.get("name")) or "",
            annotations if isinstance(annotations, dict) or annotations is UNKNOWN else {})


# --- Gateway API ------------------------------------------------------------------------------

@dataclass(slots=True)
class GatewayData:
    namespace: str
    name: str
    public: Any          # True, False or UNKNOWN
    listeners: list[Any]      # [(name, port, protocol)]


def gateway(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    unknown_spec = [not_known("spec")] if is_unknown(props.get("spec")) else []
    annotations = get(spec, "infrastructure", "annotations")
    kept_in = internal(annotations if annotations is not MISSING else {})
    public = UNKNOWN if kept_in is UNKNOWN else not kept_in
    listeners, entries = [], unknown_spec
    listed = known(spec.get("listeners"))
    if listed is UNKNOWN and public is not False:
        entries.append(not_known("spec.listeners"))
    for index, listener in enumerate(listed if isinstance(listed, list) else []):
        path = f"spec.listeners[{index}]"
        listener = known(listener)
        if listener is UNKNOWN:
            if public is not False:
                entries.append(not_known(path))
            continue
        listener = mapping(listener)
        raw = known(listener.get("protocol"))
        protocol = (as_text(raw) or "").upper()
        port = known(listener.get("port"))
        listeners.append((as_text(listener.get("name")) or "", port, protocol))
        if protocol in NOT_RAW_TCP or public is False:
            continue
        number = as_int(port)
        odd = unreadable_port(port, absent="the listener names no port")
        if UNKNOWN in (number, public, raw):
            entries.append(Entry(path, exactly(number) if isinstance(number, int) else EVERY,
                                 ((path, UNKNOWN),)))
        elif odd is not None:  # the API server would refuse it; the gate does not guess the port
            entries.append(Entry(path, odd, **world(f"a Gateway listener of protocol {protocol} whose port cannot be "
                                                    "read")))
        elif isinstance(number, int):
            note = GATEWAY_NOTE.format(protocol=protocol) if protocol in ("TCP", "TLS") else \
                f"a Gateway listener of protocol {raw!r}, which the Gateway API does not name, is read as raw TCP"
            entries.append(Entry(path, exactly(number), **world(note)))
    return Net(entries, "gateway", (f"k8s:Gateway/{namespace}/{name}",), {},
               GatewayData(namespace, name, public, listeners))


@dataclass(slots=True)
class RouteData:
    kind: str
    namespace: str
    parents: list[Any]        # [(namespace, name, sectionName, port)]
    backends: list[Any]       # [(namespace, name, port)]


def route(kind: str) -> Extractor:
    def extract(resource: Resource, props: Any) -> Net:
        props = mapping(props)
        namespace, _, _ = _meta(props)
        spec = mapping(props.get("spec"))
        parents = []
        for ref in known(spec.get("parentRefs")) or []:
            ref = mapping(ref)
            parents.append((as_text(ref.get("namespace")) or namespace, as_text(ref.get("name")) or "",
                            as_text(ref.get("sectionName")), known(ref.get("port"))))
        backends = []
        for rule in known(spec.get("rules")) or []:
            for ref in known(mapping(rule).get("backendRefs")) or []:
                ref = mapping(ref)
                if (as_text(ref.get("kind")) or "Service") == "Service":
                    backends.append((as_text(ref.get("namespace")) or namespace, as_text(ref.get("name")) or "",
                                     known(ref.get("port"))))
        return Net([], "gateway-route", (), {}, RouteData(kind, namespace, parents, backends))
    return extract


# --- ingress-nginx tcp-services, Ingress passthrough, OpenShift Route ----------------------------

def config_map(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    data = known(props.get("data"))
    if "tcp-services" in name:
        return Net([], "tcp-services", (), {}, (namespace, name, _tcp_mappings(namespace, data)))
    if isinstance(data, dict) and data and all(isinstance(as_int(k), int) for k in data) and \
            is_unknown(get(props, "metadata", "name")):
        # shaped as a tcp-services map (port numbers as keys), under a name not known yet
        return Net([], "maybe-tcp-services", (), {}, (namespace, name, _tcp_mappings(namespace, data)))
    return Net([], "", ())


def _tcp_mappings(namespace: str, data: Any) -> list[Any]:
    """[(external port, Service namespace, Service name, its port or port name)]"""
    mappings = []
    for key, value in mapping(data).items():
        external = as_int(key)
        target = as_text(value) or ""
        backend, _, rest = target.partition(":")
        svc_ns, _, svc = backend.partition("/")
        port = as_int(rest.split(":")[0]) if rest else None
        if svc:
            mappings.append((external, svc_ns, svc, port if port is not None else rest.split(":")[0]))
        else:
            mappings.append((external, namespace, target, None))
    return mappings


def ingress(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, annotations = _meta(props)
    unknown_meta = is_unknown(props.get("metadata"))
    flag = UNKNOWN if annotations is UNKNOWN or unknown_meta else as_bool(mapping(annotations).get(PASSTHROUGH))
    if flag is not True and flag is not UNKNOWN:
        return Net([], "", ())
    spec = mapping(props.get("spec"))
    backends, entries, refs = [], [], []
    # parts of the spec not known yet, down to a backend's service: where the raw stream goes is not known
    unknown = ["spec"] if is_unknown(props.get("spec")) else []
    default = mapping(get(spec, "defaultBackend", "service"))
    if default:
        backends.append(("spec.defaultBackend", default))
    rules = known(spec.get("rules"))
    unknown += ["spec.rules"] if rules is UNKNOWN else []
    for r_index, rule in enumerate(rules if isinstance(rules, list) else []):
        paths = known(get(rule, "http", "paths"))
        unknown += [f"spec.rules[{r_index}]"] if paths is UNKNOWN else []
        for p_index, path in enumerate(paths if isinstance(paths, list) else []):
            where = f"spec.rules[{r_index}].http.paths[{p_index}]"
            service = get(path, "backend", "service")
            if is_unknown(path) or is_unknown(get(path, "backend")) or is_unknown(service):
                unknown.append(where)
            elif mapping(service):
                backends.append((where, mapping(service)))
    entries += [not_known(where) for where in unknown]
    for where, service in backends:
        raw = get(service, "port", "number")
        number = as_int(raw)
        port_name = get(service, "port", "name")
        refs.append((where, as_text(service.get("name")) or "", number if isinstance(number, int) else as_text(port_name)))
        odd = unreadable_port(raw, absent="" if as_text(port_name) else "the backend names no port")
        if flag is UNKNOWN or number is UNKNOWN:
            which = f"metadata.annotations[{PASSTHROUGH}]" if flag is UNKNOWN else f"{where}.backend.service.port"
            entries.append(Entry(where, exactly(number) if isinstance(number, int) else EVERY, ((which, UNKNOWN),)))
        elif odd is not None or isinstance(number, int):
            entries.append(Entry(where, odd or exactly(number), **world(
                "an Ingress with TLS passthrough hands the raw TLS stream from the controller's address to "
                "the backend port"), detail=("ingress", namespace, name)))
    return Net(entries, "passthrough", (), {}, (namespace, refs))


def openshift_route(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    if is_unknown(props.get("spec")):
        return Net([not_known("spec")], "", ())
    spec = mapping(props.get("spec"))
    termination = get(spec, "tls", "termination")
    if is_unknown(termination):
        return Net([Entry("spec.tls.termination", EVERY, (("spec.tls.termination", UNKNOWN),))],
                   "", ())
    if (as_text(termination) or "").lower() != "passthrough":
        return Net([], "", ())
    service = as_text(get(spec, "to", "name")) or ""
    target = get(spec, "port", "targetPort")
    number = as_int(target)
    entries = []
    odd = unreadable_port(target, names=True)
    if number is UNKNOWN:
        entries.append(Entry("spec.port.targetPort", EVERY, (("spec.port.targetPort", UNKNOWN),)))
    elif odd is not None or isinstance(number, int):
        entries.append(Entry("spec.port.targetPort", odd or exactly(number), **world(
            "an OpenShift passthrough Route hands raw TLS from the router's port 443 to the target port"),
            detail=("route", namespace, name)))
    ref = number if isinstance(number, int) else (as_text(target) if target is not MISSING else None)
    return Net(entries, "passthrough", (), {}, (namespace, [("spec.to", service, ref)]))


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    namespace, name, _ = _meta(mapping(resource._canonical))
    kind = resource.type.rsplit(":", 1)[-1].lower()
    return f"kubectl -n {namespace} delete {kind} {name} (then route Kafka through an internal load balancer)"


FIX = ("Do not route Kafka through a public gateway, ingress controller or router: use an internal "
       "load balancer with private source ranges, or an internal gateway.")

form(key="k8s.gateway", family="Kubernetes ingress paths to raw TCP",
     summary="Gateway API: TCP/TLS listeners on a gateway not kept internal by infrastructure annotations",
     pulumi=("kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway"),
     models={"net": gateway}, fix=FIX, revoke=revoke)
form(key="k8s.tcp-route", family="Kubernetes ingress paths to raw TCP",
     summary="TCPRoute/TLSRoute: followed from its parent Gateway listener to its backend Service and pods",
     pulumi=("kubernetes:gateway.networking.k8s.io/v1alpha2:TCPRoute",
             "kubernetes:gateway.networking.k8s.io/v1alpha2:TLSRoute",
             "kubernetes:gateway.networking.k8s.io/v1alpha3:TLSRoute",
             "kubernetes:gateway.networking.k8s.io/v1:TLSRoute"),
     models={"net": route("route")}, fix=FIX)
form(key="k8s.tcp-services", family="Kubernetes ingress paths to raw TCP",
     summary="ingress-nginx `tcp-services` ConfigMap: each exposed port and its backend, behind a public "
             "controller Service in the stack; any ConfigMap's log4j configuration (KAFKA-LOG-001)",
     pulumi=("kubernetes:core/v1:ConfigMap",), terraform=("kubernetes_config_map", "kubernetes_config_map_v1"),
     models={"net": config_map, "kafka-logging": config_map_logging}, fix=FIX)
form(key="k8s.ingress-passthrough", family="Kubernetes ingress paths to raw TCP",
     summary="Ingress with `nginx.ingress.kubernetes.io/ssl-passthrough`: its backend ports",
     pulumi=("kubernetes:networking.k8s.io/v1:Ingress",), terraform=("kubernetes_ingress_v1",),
     models={"net": ingress}, fix=FIX, revoke=revoke,
     renames={"spec.rule": "rules", "spec.rules.http.path": "paths", "spec.defaultBackend": "defaultBackend"})
form(key="k8s.openshift-route", family="Kubernetes ingress paths to raw TCP",
     summary="OpenShift Route with `tls.termination: passthrough`: its target port, or its Service's ports",
     pulumi=("kubernetes:route.openshift.io/v1:Route",), models={"net": openshift_route}, fix=FIX, revoke=revoke)


# --- joins ------------------------------------------------------------------------------------

def backend(stack: Stack, namespace: str, name: str, port: Any) -> tuple[list[int], list[Resource], bool]:
    """Where traffic for Service `namespace/name` on `port` (a number, a port name or None for all)
    lands: the numbers it reaches (Service port, target port, resolved container port), the
    resources followed, and whether the selected pods run Kafka/ZooKeeper."""
    numbers: list[int] = [port] if isinstance(port, int) else []
    joined: list[Resource] = []
    kafka = False
    for service, net in stack.find([f"k8s:Service/{namespace}/{name}"], role="service"):
        joined.append(service)
        data = info(service, net)
        named: dict[str, list[Any]] = {}
        selector = mapping(data.selector)
        for workload, w_net in stack.role("workload"):
            work = w_net.data
            labels = mapping(work.pod_labels)
            if selector and work.namespace == namespace and all(labels.get(k) == v for k, v in selector.items()):
                joined.append(workload)
                kafka = kafka or is_kafka(work)
                for port_name, number in work.named_ports:
                    named.setdefault(port_name, []).append(number)
        for sp in data.ports:
            if port is None or sp.port == port or (isinstance(port, str) and sp.name == port):
                for value in (sp.port, sp.target):
                    number = as_int(value)
                    if isinstance(number, int):
                        numbers.append(number)
                    elif isinstance(value, str):
                        numbers.extend(named.get(value, ()))
    return numbers, joined, kafka


def _kafka_path(anchor: list[Any], numbers: list[int], kafka: bool, settings: Any, what: str,
                sources: Sequence[Any] = WORLD, note: str = "") -> Optional[Path]:
    guarded = tuple(sorted({n for n in numbers if n in settings.ports}))
    if not guarded and kafka and numbers:
        guarded = tuple(sorted(set(numbers)))
    if not guarded:
        return None
    entry = Entry("", exactly(*guarded), tuple(sources), kafka=kafka)
    found = verdict(entry, settings)
    if found is None:
        return None
    if found.reach.public:
        return Path(tuple(anchor), f"{what} reaches Kafka/ZooKeeper port(s) {', '.join(map(str, guarded))}"
                    f"{' on pods running Kafka' if kafka else ''}, open to {', '.join(found.offending)}: "
                    f"{found.reach.reason}.{(' ' + note[0].upper() + note[1:] + '.') if note else ''}",
                    guarded, tuple(found.offending))
    if found.unknown_paths:
        return Path(tuple(anchor), f"{what} reaches Kafka/ZooKeeper port(s) {', '.join(map(str, guarded))}; "
                    "whether it is public is not known yet.", guarded, unknown=True)
    return None


@join("kubernetes-ingress-paths")
def ingress_paths(stack: Stack, settings: Any) -> list[Path]:
    out: list[Path] = []
    for route_resource, net in stack.role("gateway-route"):
        data: RouteData = net.data
        for ns, name, section, port in data.parents:
            for gw_resource, gw_net in stack.find([f"k8s:Gateway/{ns}/{name}"], role="gateway"):
                gw: GatewayData = gw_net.data
                if gw.public is False:
                    continue
                wanted = "TCP" if "TCPRoute" in route_resource.type else "TLS"
                listeners = [l for l in gw.listeners if l[2] == wanted and (section is None or l[0] == section)
                             and (port in (None, MISSING) or as_int(l[1]) == as_int(port))]
                if not listeners:
                    continue
                for b_ns, b_name, b_port in data.backends:
                    numbers, joined, kafka = backend(stack, b_ns, b_name, as_int(b_port) if b_port else None)
                    sources = [("gateway", UNKNOWN)] if gw.public is UNKNOWN else WORLD
                    path = _kafka_path([route_resource, gw_resource, *joined], numbers, kafka, settings,
                                       f"{route_resource.label} attaches to the public Gateway {ns}/{name} "
                                       f"(listener port(s) {', '.join(str(l[1]) for l in listeners)}) and",
                                       sources, GATEWAY_NOTE.format(protocol=wanted))
                    if path:
                        out.append(path)
    for cm_resource, net in stack.role("tcp-services"):
        namespace, name, mappings = net.data
        controllers = [(r, n) for r, n in stack.role("service") if info(r, n).namespace == namespace]
        for external, svc_ns, svc, port in mappings:
            numbers, joined, kafka = backend(stack, svc_ns, svc, port)
            numbers = [*numbers, *( [external] if isinstance(external, int) else [])]
            if not any(n in settings.ports for n in numbers) and not kafka:
                continue
            fronts = [(r, n) for r, n in controllers if any(as_int(p.port) == external for p in n.data.ports)]
            if not fronts:
                out.append(Path((cm_resource, *joined), f"{cm_resource.label} maps port {external} to {svc_ns}/{svc} "
                                f"(Kafka/ZooKeeper), and no Service in namespace {namespace} of the stack lists that "
                                "port, so whether the controller makes it public cannot be seen.",
                                tuple(n for n in numbers if n in settings.ports), unseen=True))
                continue
            for front, front_net in fronts:
                for how, sources, implicit, note in front_net.data.exposures:
                    path = _kafka_path([cm_resource, front, *joined], numbers, kafka, settings,
                                       f"{cm_resource.label} maps port {external} of the controller Service "
                                       f"{front.label} ({how}) to {svc_ns}/{svc}, which", sources, note)
                    if path:
                        out.append(path)
    for resource, net in stack.role("passthrough"):
        namespace, refs = net.data
        for where, service, port in refs:
            if isinstance(port, int) and port in settings.ports:
                continue  # judged on the resource alone
            numbers, joined, kafka = backend(stack, namespace, service, port)
            path = _kafka_path([resource, *joined], numbers, kafka, settings,
                               f"{resource.label} {where} passes TLS through to Service {namespace}/{service}, which")
            if path:
                out.append(path)
    return out

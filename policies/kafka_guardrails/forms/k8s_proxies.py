"""Service meshes and TCP proxies in front of Kafka: Istio `Gateway` + `VirtualService` (tcp and tls
routes), Traefik `IngressRouteTCP`, Kong `TCPIngress`, Contour `HTTPProxy` (`tcpproxy`) and
Emissary/Ambassador `TCPMapping`. Each route is followed to its backend Service (and the pods it
selects) and judged public when the proxy's own Service is: found in the stack by the selector the
Istio Gateway names, or by the labels each proxy's charts put on it. A proxy whose Service is not in
the stack is reported as unseen (KAFKA-NET-002), never passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Resource
from ..net import Net
from ..registry import form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, get, is_unknown, known, mapping
from .k8s_routes import _kafka_path, _meta, backend
from .k8s_service import info

# Labels that mark each proxy's data-plane Service (Helm charts and quick starts of each project).
CONTROLLERS: dict[str, tuple[tuple[str, str], ...]] = {
    "traefik": (("app.kubernetes.io/name", "traefik"), ("app", "traefik")),
    "kong": (("app.kubernetes.io/name", "kong"), ("app", "kong"), ("app", "ingress-kong")),
    "contour": (("app.kubernetes.io/component", "envoy"), ("app", "envoy")),
    "emissary": (("app.kubernetes.io/name", "emissary-ingress"), ("app.kubernetes.io/name", "ambassador"),
                 ("service", "ambassador")),
}


@dataclass(slots=True)
class ProxyRoute:
    proxy: str                     # istio | traefik | kong | contour | emissary
    namespace: str
    name: str
    front: Any                     # ports on the proxy the route listens on (list, or None for any)
    backends: list[Any]            # [(namespace, service, port)]
    gateways: list[Any]            # Istio: [(namespace, name)] the VirtualService binds to
    unknown: tuple[str, ...] = ()  # properties not known yet
    unreadable: tuple[str, ...] = ()  # properties that are not what the CRD says


class _Reader:
    """Reads a route's list-valued properties and remembers any that were not known yet or not a list,
    so the join reports that route instead of passing it."""

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.unreadable: list[str] = []

    def seq(self, value: Any, path: str) -> list[Any]:
        value = known(value)
        if value is UNKNOWN:
            self.unknown.append(path)
        elif value not in (None, MISSING) and not isinstance(value, list):
            self.unreadable.append(path)
        return value if isinstance(value, list) else []


def _service_ref(host: Any, namespace: str) -> tuple[str, str]:
    """`kafka`, `kafka.data`, `kafka.data.svc.cluster.local` -> (namespace, name)."""
    text = as_text(host) or ""
    parts = text.split(".")
    return (parts[1] if len(parts) > 1 else namespace), parts[0]


def istio_gateway(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    servers = []
    read = _Reader()
    for server in read.seq(spec.get("servers"), "spec.servers"):
        server = mapping(server)
        port = mapping(server.get("port"))
        protocol = (as_text(port.get("protocol")) or "").upper()
        mode = (as_text(get(server, "tls", "mode")) or "").upper()
        servers.append((known(port.get("number")), protocol, mode))
    return Net([], "istio-gateway", (f"k8s:IstioGateway/{namespace}/{name}",), {},
               {"namespace": namespace, "name": name, "selector": known(spec.get("selector")), "servers": servers,
                "unknown": tuple(read.unknown), "unreadable": tuple(read.unreadable)})


def istio_virtual_service(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    gateways = []
    read = _Reader()
    for ref in read.seq(spec.get("gateways"), "spec.gateways"):
        text = as_text(ref) or ""
        if text and text != "mesh":
            ns, _, gw = text.rpartition("/")
            gateways.append((ns or namespace, gw))
    front, backends = [], []
    for kind in ("tcp", "tls"):
        for index, route in enumerate(read.seq(spec.get(kind), f"spec.{kind}")):
            route = mapping(route)
            for match in read.seq(route.get("match"), f"spec.{kind}[{index}].match") or [{}]:
                front.append(known(mapping(match).get("port")))
            for dest in read.seq(route.get("route"), f"spec.{kind}[{index}].route"):
                destination = mapping(mapping(dest).get("destination"))
                ns, svc = _service_ref(destination.get("host"), namespace)
                number = as_int(get(destination, "port", "number"))
                backends.append((ns, svc, number if isinstance(number, int) else None))
    return Net([], "proxy-route", (), {}, ProxyRoute("istio", namespace, name, front, backends, gateways,
                                                                     tuple(read.unknown), tuple(read.unreadable)))


def traefik_route(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    backends = []
    read = _Reader()
    for index, route in enumerate(read.seq(spec.get("routes"), "spec.routes")):
        for service in read.seq(mapping(route).get("services"), f"spec.routes[{index}].services"):
            service = mapping(service)
            backends.append((as_text(service.get("namespace")) or namespace, as_text(service.get("name")) or "",
                             known(service.get("port"))))
    return Net([], "proxy-route", (), {}, ProxyRoute("traefik", namespace, name, None, backends, [],
                                                                     tuple(read.unknown), tuple(read.unreadable)))


def kong_tcp_ingress(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    front, backends = [], []
    read = _Reader()
    for rule in read.seq(get(props, "spec", "rules"), "spec.rules"):
        rule = mapping(rule)
        front.append(known(rule.get("port")))
        target = mapping(rule.get("backend"))
        backends.append((namespace, as_text(target.get("serviceName")) or "", known(target.get("servicePort"))))
    return Net([], "proxy-route", (), {}, ProxyRoute("kong", namespace, name, front, backends, [],
                                                                     tuple(read.unknown), tuple(read.unreadable)))


def contour_proxy(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    tcp = mapping(spec.get("tcpproxy"))
    for where, value in (("spec", props.get("spec")), ("spec.tcpproxy", spec.get("tcpproxy"))):
        if is_unknown(value):  # it may yet hold a tcpproxy
            return Net([], "proxy-route", (), {}, ProxyRoute("contour", namespace, name, [UNKNOWN], [], [], (where,)))
    if not tcp:
        return Net([], "", ())
    read = _Reader()
    backends = [(namespace, as_text(mapping(s).get("name")) or "", known(mapping(s).get("port")))
                for s in read.seq(tcp.get("services"), "spec.tcpproxy.services")]
    passthrough = as_bool(get(spec, "virtualhost", "tls", "passthrough"))
    front = [443] if passthrough is not UNKNOWN else [UNKNOWN]
    return Net([], "proxy-route", (), {}, ProxyRoute("contour", namespace, name, front, backends, [],
                                                                     tuple(read.unknown), tuple(read.unreadable)))


def emissary_mapping(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    namespace, name, _ = _meta(props)
    spec = mapping(props.get("spec"))
    target = as_text(spec.get("service")) or ""
    host, _, port = target.rpartition(":") if ":" in target else (target, "", "")
    ns, svc = _service_ref(host.split("://")[-1], namespace)
    return Net([], "proxy-route", (), {}, ProxyRoute("emissary", namespace, name, [known(spec.get("port"))],
                                                     [(ns, svc, as_int(port) if port else None)], []))


def _selects(selector: Any, labels: Any) -> bool:
    selector, labels = mapping(selector), mapping(labels)
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _fronts(stack: Stack, route: ProxyRoute, gateway: Any) -> list[tuple[Resource, Any]]:
    """The proxy's own Services in the stack."""
    out = []
    for service, net in stack.role("service"):
        data = info(service, net)
        selector = mapping(data.selector)
        labels = mapping(get(mapping(service._canonical), "metadata", "labels"))
        if gateway is not None:
            if _selects(gateway["selector"], selector):
                out.append((service, net))
        elif any(selector.get(k) == v or labels.get(k) == v for k, v in CONTROLLERS[route.proxy]):
            out.append((service, net))
    return out


def _judge(stack: Stack, settings: Any, resource: Resource, route: ProxyRoute, anchor: list[Resource],
           gateway: Any, what: str) -> list[Path]:
    out: list[Path] = []
    fronts = _fronts(stack, route, gateway)
    targets = [(backend(stack, ns, svc, as_int(port) if port is not None else None)) for ns, svc, port in route.backends]
    reached = [(numbers, joined, kafka) for numbers, joined, kafka in targets
               if any(n in settings.ports for n in numbers) or kafka]
    if not reached:
        return out
    if not fronts:
        ports = tuple(sorted({n for numbers, _, _ in reached for n in numbers if n in settings.ports}))
        out.append(Path(tuple(anchor), f"{what} routes to Kafka/ZooKeeper (port(s) {', '.join(map(str, ports))}), "
                        f"and the {route.proxy} proxy's own Service is not in the stack, so whether it is public "
                        "cannot be seen.", ports, unseen=True))
        return out
    for front, front_net in fronts:
        for how, sources, implicit, note in info(front, front_net).exposures:
            for numbers, joined, kafka in reached:
                path = _kafka_path([*anchor, front, *joined], numbers, kafka, settings,
                                   f"{what} is served by the {route.proxy} Service {front.label} ({how}) and", sources,
                                   note)
                if path:
                    out.append(path)
    return out


def _unread(resource: Resource, what: str, unknown: tuple[str, ...], unreadable: tuple[str, ...]) -> Any:
    """A route or gateway whose lists could not be read is reported (not known yet, or malformed)."""
    if unreadable:
        return Path((resource,), f"{what}: {', '.join(unreadable)} cannot be read (not a list), so where it sends "
                    "traffic cannot be judged; it is reported rather than passed.")
    if unknown:
        return Path((resource,), f"{what}: {', '.join(unknown)} is not known yet, so it cannot be shown that it "
                    "sends no traffic to Kafka.", unknown=True)
    return None


@join("kubernetes-proxies")
def proxies(stack: Stack, settings: Any) -> list[Path]:
    out: list[Path] = []
    gateways = {(net.data["namespace"], net.data["name"]): (resource, net.data)
                for resource, net in stack.role("istio-gateway")}
    for resource, net in stack.role("proxy-route"):
        route: ProxyRoute = net.data
        what = f"the {route.proxy} route {resource.label}"
        unread = _unread(resource, what, route.unknown, route.unreadable)
        if unread is not None:
            out.append(unread)
            continue
        if route.proxy != "istio":
            out.extend(_judge(stack, settings, resource, route, [resource], None, what))
            continue
        for key in route.gateways:
            found = gateways.get(key)
            if found is None:
                out.append(Path((resource,), f"{what} binds to the Istio Gateway {key[0]}/{key[1]}, which is not in the "
                                "stack, so whether it is public cannot be seen.", unseen=True))
                continue
            gw_resource, gw = found
            unread = _unread(gw_resource, f"the Istio Gateway {key[0]}/{key[1]}", gw["unknown"], gw["unreadable"])
            if unread is not None:
                out.append(unread)
                continue
            wanted = {as_int(p) for p in route.front if p is not None}
            servers = [s for s in gw["servers"] if s[1] in ("TCP", "TLS", "MONGO", "")
                       or s[2] in ("PASSTHROUGH", "AUTO_PASSTHROUGH")]
            if wanted - {None}:
                servers = [s for s in servers if as_int(s[0]) in wanted]
            if servers:
                out.extend(_judge(stack, settings, resource, route, [resource, gw_resource], gw,
                                  f"{what} (via the Istio Gateway {key[0]}/{key[1]})"))
    return out


FIX = ("Do not route Kafka through a public mesh gateway or TCP proxy: keep its Service internal (an internal "
       "load balancer with private source ranges) or route Kafka outside it.")
FAMILY = "Kubernetes ingress paths to raw TCP"
ISTIO = ("v1", "v1beta1", "v1alpha3")
form(key="k8s.istio-gateway", family=FAMILY,
     summary="Istio `Gateway`: TCP/TLS (and passthrough) servers, public when the Service its selector names is",
     pulumi=tuple(f"kubernetes:networking.istio.io/{v}:Gateway" for v in ISTIO), models={"net": istio_gateway},
     fix=FIX)
form(key="k8s.istio-virtual-service", family=FAMILY,
     summary="Istio `VirtualService` `tcp`/`tls` routes: bound gateways, matched ports, destination Services",
     pulumi=tuple(f"kubernetes:networking.istio.io/{v}:VirtualService" for v in ISTIO),
     models={"net": istio_virtual_service}, fix=FIX)
form(key="k8s.traefik-tcp", family=FAMILY,
     summary="Traefik `IngressRouteTCP` (traefik.io and traefik.containo.us): backend Services, behind Traefik's Service",
     pulumi=("kubernetes:traefik.io/v1alpha1:IngressRouteTCP", "kubernetes:traefik.containo.us/v1alpha1:IngressRouteTCP"),
     models={"net": traefik_route}, fix=FIX)
form(key="k8s.kong-tcp", family=FAMILY,
     summary="Kong `TCPIngress`: stream ports and backends, behind Kong's proxy Service",
     pulumi=("kubernetes:configuration.konghq.com/v1beta1:TCPIngress",), models={"net": kong_tcp_ingress}, fix=FIX)
form(key="k8s.contour-tcpproxy", family=FAMILY,
     summary="Contour `HTTPProxy` `tcpproxy` (TLS passthrough on 443): backends, behind Envoy's Service",
     pulumi=("kubernetes:projectcontour.io/v1:HTTPProxy",), models={"net": contour_proxy}, fix=FIX)
form(key="k8s.emissary-tcp", family=FAMILY,
     summary="Emissary/Ambassador `TCPMapping`: its port and `service`, behind the Emissary Service",
     pulumi=("kubernetes:getambassador.io/v3alpha1:TCPMapping", "kubernetes:getambassador.io/v2:TCPMapping"),
     models={"net": emissary_mapping}, fix=FIX)

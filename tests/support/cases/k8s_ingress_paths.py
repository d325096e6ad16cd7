"""Raw TCP from a cluster's edge: Gateway API, ingress-nginx tcp-services, TLS passthrough
Ingresses and OpenShift Routes."""
from . import COMBINED, NONE, UNSEEN, Case, Member, StackCase

GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
TCP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1alpha2:TCPRoute"
TLS_ROUTE = "kubernetes:gateway.networking.k8s.io/v1alpha2:TLSRoute"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
ROUTE = "kubernetes:route.openshift.io/v1:Route"
INTERNAL = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}


def gateway(*listeners: dict, annotations: dict | None = None, namespace: str = "edge") -> dict:
    spec: dict = {"gatewayClassName": "public", "listeners": list(listeners)}
    if annotations:
        spec["infrastructure"] = {"annotations": annotations}
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "edge", "namespace": namespace}, "spec": spec}


def listener(name: str, port: int, protocol: str, mode: str | None = None) -> dict:
    out: dict = {"name": name, "port": port, "protocol": protocol}
    if mode:
        out["tls"] = {"mode": mode}
    return out


def route(kind: str, service: str, port: int, section: str | None = None) -> dict:
    parent: dict = {"name": "edge", "namespace": "edge"}
    if section:
        parent["sectionName"] = section
    version = "v1alpha2"
    return {"apiVersion": f"gateway.networking.k8s.io/{version}", "kind": kind,
            "metadata": {"name": "to-backend", "namespace": "kafka"},
            "spec": {"parentRefs": [parent], "rules": [{"backendRefs": [{"name": service, "port": port}]}]}}


def service(name: str, ports: list, kind: str = "ClusterIP", namespace: str = "kafka", annotations=None) -> dict:
    meta: dict = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta,
            "spec": {"type": kind, "selector": {"app": name}, "ports": ports}}


def ingress(port: dict, passthrough: bool = True) -> dict:
    annotations = {"nginx.ingress.kubernetes.io/ssl-passthrough": "true"} if passthrough else {}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "bootstrap", "namespace": "kafka", "annotations": annotations},
            "spec": {"ingressClassName": "nginx", "rules": [{"host": "kafka.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "kafka", "port": port}}}]}}]}}


def openshift(termination: str, target=None) -> dict:
    spec: dict = {"host": "kafka.apps.example.com", "to": {"kind": "Service", "name": "kafka"},
                  "tls": {"termination": termination}}
    if target is not None:
        spec["port"] = {"targetPort": target}
    return {"apiVersion": "route.openshift.io/v1", "kind": "Route",
            "metadata": {"name": "bootstrap", "namespace": "kafka"}, "spec": spec}


CASES = [
    Case("gateway-tcp-listener-9092", GATEWAY, gateway(listener("kafka", 9092, "TCP")), True),
    Case("gateway-tls-passthrough-9094", GATEWAY, gateway(listener("kafka", 9094, "TLS", "Passthrough")), True, 9094),
    Case("gateway-tcp-listener-internal", GATEWAY, gateway(listener("kafka", 9092, "TCP"), annotations=INTERNAL), False),
    Case("gateway-https-443", GATEWAY, gateway(listener("web", 443, "HTTPS", "Terminate")), False),
    Case("ingress-passthrough-9094", INGRESS, ingress({"number": 9094}), True, 9094),
    Case("ingress-passthrough-web", INGRESS, ingress({"number": 8443}), False),
    Case("ingress-without-passthrough-9094", INGRESS, ingress({"number": 9094}, passthrough=False), False),
    Case("openshift-route-passthrough-9094", ROUTE, openshift("passthrough", 9094), True, 9094),
    Case("openshift-route-edge-to-9094", ROUTE, openshift("edge", 9094), False),
    Case("openshift-route-passthrough-web", ROUTE, openshift("passthrough", 8443), False),
    Case("tcp-services-alone", CONFIG_MAP, {"apiVersion": "v1", "kind": "ConfigMap",
                                            "metadata": {"name": "tcp-services", "namespace": "ingress-nginx"},
                                            "data": {"9092": "kafka/kafka:9092"}}, False),
]

KAFKA_SVC = Member("kafka-svc", SERVICE, service("kafka", [{"name": "tls", "port": 443, "targetPort": 9094},
                                                          {"name": "plain", "port": 9092}]))
TCP_SERVICES = Member("tcp", CONFIG_MAP, {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "ingress-nginx-tcp-services", "namespace": "ingress-nginx"},
                                          "data": {"31092": "kafka/kafka:9092"}})


def controller(annotations=None) -> Member:
    return Member("controller", SERVICE, service("ingress-nginx-controller",
                                                  [{"name": "https", "port": 443}, {"name": "kafka", "port": 31092}],
                                                  "LoadBalancer", "ingress-nginx", annotations))


STACKS = [
    StackCase("tls-route-through-a-public-gateway-to-kafka",
              (Member("edge", GATEWAY, gateway(listener("tls", 443, "TLS", "Passthrough"))),
               Member("to-backend", TLS_ROUTE, route("TLSRoute", "kafka", 443, "tls")), KAFKA_SVC),
              COMBINED, ("to-backend", "edge", "kafka-svc"), 9094),
    StackCase("tcp-route-to-postgres", (Member("edge", GATEWAY, gateway(listener("db", 5432, "TCP"))),
                                        Member("to-backend", TCP_ROUTE, route("TCPRoute", "db", 5432)),
                                        Member("db", SERVICE, service("db", [{"port": 5432}]))), NONE),
    StackCase("tls-route-through-an-internal-gateway",
              (Member("edge", GATEWAY, gateway(listener("tls", 443, "TLS", "Passthrough"), annotations=INTERNAL)),
               Member("to-backend", TLS_ROUTE, route("TLSRoute", "kafka", 443, "tls")), KAFKA_SVC), NONE),
    StackCase("tcp-services-behind-a-public-controller", (TCP_SERVICES, controller()),
              COMBINED, ("tcp", "controller")),
    StackCase("tcp-services-behind-an-internal-controller", (TCP_SERVICES, controller(INTERNAL)), NONE),
    StackCase("tcp-services-without-its-controller", (TCP_SERVICES,), UNSEEN, ("tcp",), checkov=False),
    StackCase("passthrough-ingress-named-port-to-kafka",
              (Member("bootstrap", INGRESS, ingress({"name": "tls"})), KAFKA_SVC),
              COMBINED, ("bootstrap", "kafka-svc"), 9094),
    StackCase("passthrough-route-named-port-to-kafka",
              (Member("bootstrap", ROUTE, openshift("passthrough", "tls")), KAFKA_SVC),
              COMBINED, ("bootstrap", "kafka-svc"), 9094),
    StackCase("passthrough-route-named-port-to-web",
              (Member("bootstrap", ROUTE, openshift("passthrough", "https")),
               Member("kafka-svc", SERVICE, service("kafka", [{"name": "https", "port": 443, "targetPort": 8443}]))),
              NONE),
]

"""Service meshes and TCP proxies in front of Kafka: Istio Gateway + VirtualService, Traefik
IngressRouteTCP, Kong TCPIngress, Contour HTTPProxy tcpproxy, Emissary TCPMapping — each judged
public when the proxy's own Service is, and followed to the Kafka Service behind it."""
from . import COMBINED, NONE, UNSEEN, Member, StackCase
from .k8s_ingress_paths import INTERNAL, KAFKA_SVC, SERVICE, service

ISTIO_GW = "kubernetes:networking.istio.io/v1:Gateway"
ISTIO_VS = "kubernetes:networking.istio.io/v1:VirtualService"
ISTIO_GW_BETA = "kubernetes:networking.istio.io/v1beta1:Gateway"
ISTIO_VS_BETA = "kubernetes:networking.istio.io/v1beta1:VirtualService"
TRAEFIK = "kubernetes:traefik.io/v1alpha1:IngressRouteTCP"
TRAEFIK_OLD = "kubernetes:traefik.containo.us/v1alpha1:IngressRouteTCP"
KONG = "kubernetes:configuration.konghq.com/v1beta1:TCPIngress"
CONTOUR = "kubernetes:projectcontour.io/v1:HTTPProxy"
EMISSARY = "kubernetes:getambassador.io/v3alpha1:TCPMapping"


def front(name: str, selector: dict, kind: str = "LoadBalancer", annotations=None, port: int = 443) -> Member:
    body = service(name, [{"name": "tls", "port": port}], kind, "edge", annotations)
    body["spec"]["selector"] = selector
    body["metadata"]["labels"] = dict(selector)
    return Member("front", SERVICE, body)


def istio_gateway(port=443, protocol="TLS", mode="PASSTHROUGH", api="networking.istio.io/v1") -> dict:
    return {"apiVersion": api, "kind": "Gateway", "metadata": {"name": "edge", "namespace": "edge"},
            "spec": {"selector": {"istio": "ingressgateway"}, "servers": [
                {"port": {"number": port, "name": "kafka", "protocol": protocol}, "hosts": ["*"],
                 "tls": {"mode": mode}}]}}


def virtual_service(host="kafka.kafka.svc.cluster.local", port=9094, kind="tls", match_port=443,
                    api="networking.istio.io/v1") -> dict:
    route = {"match": [{"port": match_port, **({"sniHosts": ["kafka.example.com"]} if kind == "tls" else {})}],
             "route": [{"destination": {"host": host, "port": {"number": port}}}]}
    return {"apiVersion": api, "kind": "VirtualService", "metadata": {"name": "kafka", "namespace": "kafka"},
            "spec": {"hosts": ["kafka.example.com"], "gateways": ["edge/edge"], kind: [route]}}


def traefik(port=9092, api="traefik.io/v1alpha1") -> dict:
    return {"apiVersion": api, "kind": "IngressRouteTCP", "metadata": {"name": "kafka", "namespace": "kafka"},
            "spec": {"entryPoints": ["kafka"], "routes": [{"match": "HostSNI(`*`)",
                                                           "services": [{"name": "kafka", "port": port}]}],
                     "tls": {"passthrough": True}}}


def kong(port=9092) -> dict:
    return {"apiVersion": "configuration.konghq.com/v1beta1", "kind": "TCPIngress",
            "metadata": {"name": "kafka", "namespace": "kafka", "annotations": {"kubernetes.io/ingress.class": "kong"}},
            "spec": {"rules": [{"port": 9000, "backend": {"serviceName": "kafka", "servicePort": port}}]}}


def contour(port=9094, tcp=True) -> dict:
    spec: dict = {"virtualhost": {"fqdn": "kafka.example.com", "tls": {"passthrough": True}}}
    if tcp:
        spec["tcpproxy"] = {"services": [{"name": "kafka", "port": port}]}
    else:
        spec["routes"] = [{"services": [{"name": "kafka", "port": port}]}]
    return {"apiVersion": "projectcontour.io/v1", "kind": "HTTPProxy",
            "metadata": {"name": "kafka", "namespace": "kafka"}, "spec": spec}


def emissary(service_ref="kafka.kafka:9092") -> dict:
    return {"apiVersion": "getambassador.io/v3alpha1", "kind": "TCPMapping",
            "metadata": {"name": "kafka", "namespace": "kafka"}, "spec": {"port": 9092, "service": service_ref}}


DB = Member("kafka-svc", SERVICE, service("kafka", [{"name": "db", "port": 5432}]))
ISTIO_FRONT = front("istio-ingressgateway", {"istio": "ingressgateway"})

STACKS = [
    StackCase("istio-tls-passthrough-to-kafka",
              (Member("edge", ISTIO_GW, istio_gateway()), Member("kafka-vs", ISTIO_VS, virtual_service()),
               ISTIO_FRONT, KAFKA_SVC), COMBINED, ("kafka-vs", "edge", "front", "kafka-svc"), 9094),
    StackCase("istio-v1beta1-tcp-to-kafka",
              (Member("edge", ISTIO_GW_BETA, istio_gateway(31400, "TCP", "", "networking.istio.io/v1beta1")),
               Member("kafka-vs", ISTIO_VS_BETA, virtual_service("kafka", 9092, "tcp", 31400,
                                                                 "networking.istio.io/v1beta1")),
               front("istio-ingressgateway", {"istio": "ingressgateway"}, port=31400), KAFKA_SVC),
              COMBINED, ("kafka-vs", "edge", "front", "kafka-svc")),
    StackCase("istio-behind-an-internal-gateway-service",
              (Member("edge", ISTIO_GW, istio_gateway()), Member("kafka-vs", ISTIO_VS, virtual_service()),
               front("istio-ingressgateway", {"istio": "ingressgateway"}, annotations=INTERNAL), KAFKA_SVC), NONE),
    StackCase("istio-tls-to-a-database",
              (Member("edge", ISTIO_GW, istio_gateway()), Member("kafka-vs", ISTIO_VS, virtual_service(port=5432)),
               ISTIO_FRONT, DB), NONE),
    StackCase("istio-gateway-not-in-the-stack",
              (Member("kafka-vs", ISTIO_VS, virtual_service()), KAFKA_SVC), UNSEEN, ("kafka-vs",), checkov=False),
    StackCase("traefik-tcp-to-kafka",
              (Member("kafka-route", TRAEFIK, traefik()), front("traefik", {"app.kubernetes.io/name": "traefik"}),
               KAFKA_SVC), COMBINED, ("kafka-route", "front", "kafka-svc")),
    StackCase("traefik-containo-us-to-kafka",
              (Member("kafka-route", TRAEFIK_OLD, traefik(api="traefik.containo.us/v1alpha1")),
               front("traefik", {"app.kubernetes.io/name": "traefik"}), KAFKA_SVC),
              COMBINED, ("kafka-route", "front", "kafka-svc")),
    StackCase("traefik-internal", (Member("kafka-route", TRAEFIK, traefik()),
                                   front("traefik", {"app.kubernetes.io/name": "traefik"}, "ClusterIP"), KAFKA_SVC),
              NONE),
    StackCase("traefik-without-its-service", (Member("kafka-route", TRAEFIK, traefik()), KAFKA_SVC), UNSEEN,
              ("kafka-route",), checkov=False),
    StackCase("kong-tcp-to-kafka", (Member("kafka-route", KONG, kong()),
                                    front("kong-proxy", {"app.kubernetes.io/name": "kong"}), KAFKA_SVC),
              COMBINED, ("kafka-route", "front", "kafka-svc")),
    StackCase("kong-tcp-to-a-database", (Member("kafka-route", KONG, kong(5432)),
                                         front("kong-proxy", {"app.kubernetes.io/name": "kong"}), DB), NONE),
    StackCase("contour-tcpproxy-to-kafka", (Member("kafka-route", CONTOUR, contour()),
                                            front("envoy", {"app": "envoy"}), KAFKA_SVC),
              COMBINED, ("kafka-route", "front", "kafka-svc"), 9094),
    StackCase("contour-http-routes-only", (Member("kafka-route", CONTOUR, contour(tcp=False)),
                                           front("envoy", {"app": "envoy"}), KAFKA_SVC), NONE),
    StackCase("emissary-tcp-mapping-to-kafka",
              (Member("kafka-route", EMISSARY, emissary()),
               front("emissary-ingress", {"app.kubernetes.io/name": "emissary-ingress"}), KAFKA_SVC),
              COMBINED, ("kafka-route", "front", "kafka-svc")),
    StackCase("emissary-internal-service",
              (Member("kafka-route", EMISSARY, emissary()),
               front("emissary-ingress", {"app.kubernetes.io/name": "emissary-ingress"}, annotations=INTERNAL),
               KAFKA_SVC), NONE),
]

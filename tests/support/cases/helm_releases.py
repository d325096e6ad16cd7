"""Helm releases of well-known charts whose values expose Kafka; unknown charts are not guessed at."""
from . import Case

RELEASE = "kubernetes:helm.sh/v3:Release"
CHART_V4 = "kubernetes:helm.sh/v4:Chart"
BITNAMI = {"repo": "https://charts.bitnami.com/bitnami"}
INTERNAL = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}


def release(chart: str, values: dict, repo: dict | None = BITNAMI) -> dict:
    out: dict = {"name": "kafka", "namespace": "kafka", "chart": chart, "version": "31.0.0", "values": values}
    if repo:
        out["repositoryOpts"] = repo
    return out


NGINX = {"repo": "https://kubernetes.github.io/ingress-nginx"}

CASES = [
    Case("bitnami-external-access-current-layout", RELEASE, release("kafka", {"externalAccess": {
        "enabled": True, "controller": {"service": {"type": "LoadBalancer", "ports": {"external": 9094}}}}}),
        True, 9094),
    Case("bitnami-external-access-defaults", RELEASE, release("kafka", {"externalAccess": {"enabled": True}}),
         True, 9094),
    Case("bitnami-external-access-legacy-nodeport", RELEASE, release("kafka", {"externalAccess": {
        "enabled": True, "service": {"type": "NodePort", "port": 9094}}}), True, 9094),
    Case("bitnami-client-service-lb", RELEASE, release("kafka", {"service": {"type": "LoadBalancer"}}), True),
    Case("bitnami-oci-chart", RELEASE, release("oci://registry-1.docker.io/bitnamicharts/kafka",
                                               {"externalAccess": {"enabled": True}}, None), True, 9094),
    Case("bitnami-chart-v4", CHART_V4, release("kafka", {"externalAccess": {"enabled": True}}), True, 9094),
    Case("bitnami-external-access-cluster-ip", RELEASE, release("kafka", {"externalAccess": {
        "enabled": True, "controller": {"service": {"type": "ClusterIP"}}}}), False),
    Case("bitnami-external-access-internal-lb", RELEASE, release("kafka", {"externalAccess": {
        "enabled": True, "controller": {"service": {"type": "LoadBalancer", "annotations": INTERNAL}}}}), False),
    Case("bitnami-external-access-private-ranges", RELEASE, release("kafka", {"externalAccess": {
        "enabled": True, "service": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]}}}), False),
    Case("bitnami-defaults", RELEASE, release("kafka", {"replicaCount": 3}), False),
    Case("bitnami-zookeeper-lb", RELEASE, release("zookeeper", {"service": {"type": "LoadBalancer"}}), True, 2181),
    Case("bitnami-zookeeper-cluster-ip", RELEASE, release("zookeeper", {"replicaCount": 3}), False),
    Case("bitnami-kafka-zookeeper-subchart-nodeport", RELEASE, release("kafka", {"zookeeper": {
        "enabled": True, "service": {"type": "NodePort"}}}), True, 2181),
    Case("cp-helm-charts-nodeport", RELEASE, release("cp-helm-charts", {"cp-kafka": {
        "brokers": 3, "nodeport": {"enabled": True, "firstListenerPort": 31090}}},
        {"repo": "https://confluentinc.github.io/cp-helm-charts/"}), True, 31090),
    Case("cp-helm-charts-defaults", RELEASE, release("cp-helm-charts", {"cp-kafka": {"brokers": 3}},
                                                     {"repo": "https://confluentinc.github.io/cp-helm-charts/"}), False),
    Case("confluent-operator-chart", RELEASE, release("confluent-for-kubernetes", {},
                                                      {"repo": "https://packages.confluent.io/helm"}), False),
    Case("ingress-nginx-tcp-to-kafka", RELEASE, release("ingress-nginx", {"tcp": {"9092": "kafka/kafka:9092"}}, NGINX),
         True),
    Case("ingress-nginx-tcp-443-to-kafka-tls", RELEASE,
         release("ingress-nginx", {"tcp": {"443": "kafka/kafka-bootstrap:9094"}}, NGINX), True, 9094),
    Case("ingress-nginx-tcp-internal", RELEASE, release("ingress-nginx", {
        "tcp": {"9092": "kafka/kafka:9092"}, "controller": {"service": {"annotations": INTERNAL}}}, NGINX), False),
    Case("ingress-nginx-tcp-postgres", RELEASE, release("ingress-nginx", {"tcp": {"5432": "db/db:5432"}}, NGINX), False),
]

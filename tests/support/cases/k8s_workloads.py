"""Node-level exposure: hostNetwork with Kafka/ZooKeeper, hostPort on a guarded port, in every
workload kind and its patch form."""
from . import Case

GROUPS = {"Pod": "core/v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
          "ReplicaSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1"}


def workload(kind: str, containers: list, host_network: bool | None = None, labels: dict | None = None) -> dict:
    pod: dict = {"containers": containers}
    if host_network is not None:
        pod["hostNetwork"] = host_network
    labels = labels or {"app": "svc"}
    meta = {"name": "w", "namespace": "data"}
    api = GROUPS[kind].replace("core/", "")
    if kind == "Pod":
        return {"apiVersion": api, "kind": kind, "metadata": {**meta, "labels": labels}, "spec": pod}
    template = {"metadata": {"labels": labels}, "spec": {**pod, "restartPolicy": "Never"} if kind in ("Job", "CronJob") else pod}
    spec = {"template": template} if kind == "Job" else \
        {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else \
        {"selector": {"matchLabels": labels}, "template": template}
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


# Hardened containers, so that only the exposure rule speaks (KAFKA-K8S-* have their own tests).
HARDENED = {"securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                "allowPrivilegeEscalation": False},
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}


def kafka(port: int = 9092, image: str = "apache/kafka:4.4.0", **extra) -> dict:
    return {"name": "kafka", "image": image, "ports": [{"containerPort": port, **extra}], **HARDENED}


def web(port: int = 8080, **extra) -> dict:
    return {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": port, **extra}], **HARDENED}


def token(kind: str, patch: bool = False) -> str:
    return f"kubernetes:{GROUPS[kind]}:{kind}{'Patch' if patch else ''}"


CASES = [
    *(Case(f"{kind.lower()}-host-network-kafka", token(kind), workload(kind, [kafka()], True), True)
      for kind in GROUPS),
    Case("statefulset-host-network-zookeeper", token("StatefulSet"),
         workload("StatefulSet", [kafka(2181, "zookeeper:3.8")], True),
         True, 2181),
    Case("deployment-host-network-kafka-undeclared-ports", token("Deployment"),
         workload("Deployment", [{"name": "kafka", "image": "bitnami/kafka:4.4.0", **HARDENED}], True), True),
    *(Case(f"{kind.lower()}-host-port-9094", token(kind), workload(kind, [web(8443, hostPort=9094)]), True, 9094)
      for kind in ("Pod", "DaemonSet")),
    *(Case(f"{kind.lower()}-patch-host-network-kafka", token(kind, True), workload(kind, [kafka()], True), True,
           checkov=False) for kind in GROUPS),
    Case("deployment-patch-host-port", token("Deployment", True), workload("Deployment", [kafka(9092, hostPort=9092)]),
         True, checkov=False),
    Case("statefulset-kafka-pod-network", token("StatefulSet"), workload("StatefulSet", [kafka()]), False),
    Case("deployment-host-network-web", token("Deployment"), workload("Deployment", [web()], True), False),
    Case("daemonset-host-port-web", token("DaemonSet"), workload("DaemonSet", [web(8080, hostPort=8080)]), False),
    Case("pod-host-network-false", token("Pod"), workload("Pod", [kafka()], False), False),
    Case("pod-host-port-udp", token("Pod"), workload("Pod", [web(9092, hostPort=9092, protocol="UDP")]), False),
    # any node port mapped onto a guarded container port
    *(Case(f"{kind.lower()}-host-port-30092-to-kafka", token(kind), workload(kind, [kafka(9092, hostPort=30092)]),
           True) for kind in ("Pod", "DaemonSet", "StatefulSet")),
    Case("daemonset-host-port-to-zookeeper", token("DaemonSet"), workload("DaemonSet", [kafka(2181, hostPort=12181)]),
         True, 2181),
    Case("pod-host-port-30080-to-web", token("Pod"), workload("Pod", [web(8080, hostPort=30080)]), False),
]

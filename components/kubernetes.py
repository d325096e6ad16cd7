"""KafkaOnKubernetes: 3 ZooKeeper (or 3 KRaft controller) + N Kafka pods, hardened, behind
default-deny network policies.

Manifests are built by pure functions (`manifests`) from typed settings, with the broker and
ZooKeeper files from the same renderers the EC2 nodes and the real-Kafka tests use; the component
only registers them.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_kubernetes as k8s

from kafka_guardrails import Resource, Settings, judge_resource

from . import pki
from .access import TopicGrant, acl_arguments, cilium_kafka_rules, kafka_acls, validate_grants
from . import configtypes
from .errors import ConfigError
from .render import render_properties
from .render.kafka import (LISTENER_PORTS, BrokerSettings, ClientQuota, PemFiles, admin_client_properties,
                           log4j_properties, quota_arguments, server_properties)
from .render.readiness import CONTROLLER_READY_SCRIPT, PROBE_TIMEOUTS, READY_SCRIPT, ready_command
from .render.kraft import (CONTROLLER_ID_BASE, CONTROLLER_PORT, ControllerSettings, KRaftBrokerSettings, Voter,
                           cluster_id, controller_properties, kraft_broker_properties)
from .render.zookeeper import (ELECTION_PORT, QUORUM_PORT, SECURE_CLIENT_PORT, QuorumMember, ZooKeeperSettings,
                               zoo_cfg)
from .validate import (NAME, check_ensemble_size, check_environment, check_int, check_kms_arn, check_now, checked,
                       hold_children)

TLS_PORT, SASL_PORT, ZK_PORT = LISTENER_PORTS["SSL"], LISTENER_PORTS["SASL_SSL"], SECURE_CLIENT_PORT
SERVICE_TYPES = ("ClusterIP", "LoadBalancer", "NodePort")
UID = 10001  # high, so it maps to no host user; the image only needs read access to /opt/kafka
KAFKA_LABELS = {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/part-of": "secure-kafka"}
ZK_LABELS = {"app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/part-of": "secure-kafka"}
ADMIN_LABELS = {"app.kubernetes.io/name": "kafka-admin", "app.kubernetes.io/part-of": "secure-kafka"}
CONTROLLER_LABELS = {"app.kubernetes.io/name": "kafka-controller", "app.kubernetes.io/part-of": "secure-kafka"}
INTERNAL_LB = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
               "service.beta.kubernetes.io/aws-load-balancer-internal": "true"}


@dataclass(frozen=True)
class ContainerResources:
    """Requests and limits of one container, as Kubernetes quantities; limits are always set.

    Attributes:
        cpu_request / cpu_limit: e.g. "500m" / "2" (brokers' defaults).
        memory_request / memory_limit: e.g. "2Gi" / "2Gi"; equal, so that the JVM is never
            OOM-killed for using what it was promised.
    """

    cpu_request: str = "500m"
    memory_request: str = "2Gi"
    cpu_limit: str = "2"
    memory_limit: str = "2Gi"


@dataclass(frozen=True)
class KafkaOnKubernetesArgs:
    """Kafka and ZooKeeper pods on any conformant cluster.

    Attributes:
        cluster: the cluster's name (lowercase, digits, '-'); in certificate subjects.
        namespace: a namespace of its own (not kube-*), labelled Pod Security `restricted` (kafka).
        environment: dev, staging or prod (prod: 3+ brokers, 3+ ZooKeeper pods).
        brokers / zookeepers: 3 and 3 by default (brokers 2-30; ZooKeeper 3 or 5, 1 outside prod).
        metadata_mode: "zookeeper" (default) or "kraft": `controllers` KRaft controller pods (3 or 5;
            1 outside prod) instead of ZooKeeper, TLS with client certificates on 9093, reachable
            only from the brokers and each other; `controller_storage_gib` (10) and
            `controller_resources` size them.
        image: a pinned image with Kafka 3.9 (default apache/kafka:3.9.1); `:latest` is refused.
        listeners: TLS listeners only, SSL (9094, mutual TLS; default) and/or SASL_SSL (9096).
        replication_factor / min_insync_replicas: topic defaults (3 / 2).
        storage_class: the name of an encrypted StorageClass to use (may be an Output of the stack
            that made it); or leave it unset and give eks_kms_key_arn.
        eks_kms_key_arn: on EKS, the customer key for a gp3 StorageClass this component creates;
            may be an Output of another stack (checked when it resolves).
        broker_storage_gib / zookeeper_storage_gib: volume sizes (100 / 10).
        broker_resources / zookeeper_resources: `ContainerResources` (limits always set).
        access: `TopicGrant`s: Kafka ACLs, client certificates (Secrets) and network policies.
        quota: `ClientQuota` for every client.
        cilium / cilium_version: add Cilium Kafka L7 (per-topic) policies; Cilium 1.14-1.19 only
            (1.20 removed Kafka rules and would silently allow the whole port).
        client_service_type: ClusterIP (default); LoadBalancer/NodePort only internal with private
            load_balancer_source_ranges, judged by the guardrail before anything is created.
        ca: `BringYourOwnCa`; default a generated CA. cluster_domain: the DNS suffix (cluster.local).
    """

    cluster: str
    namespace: str = "kafka"
    environment: str = "prod"
    brokers: int = 3
    zookeepers: int = 3
    image: str = "apache/kafka:3.9.1"
    listeners: Sequence[str] = ("SSL",)
    replication_factor: int = 3
    min_insync_replicas: int = 2
    storage_class: Optional["pulumi.Input[str]"] = None
    eks_kms_key_arn: Optional["pulumi.Input[str]"] = None
    broker_storage_gib: int = 100
    zookeeper_storage_gib: int = 10
    broker_resources: ContainerResources = ContainerResources()
    zookeeper_resources: ContainerResources = ContainerResources("250m", "1Gi", "1", "1Gi")
    access: Sequence[TopicGrant] = ()
    quota: ClientQuota = ClientQuota()
    cilium: bool = False
    # Cilium deprecated Kafka L7 rules in 1.19 and removed them in 1.20, whose API server would
    # prune `rules.kafka` and leave a plain port allow: refused there.
    cilium_version: str = "1.19"
    client_service_type: str = "ClusterIP"
    load_balancer_source_ranges: Sequence[str] = ()
    ca: Optional[pki.BringYourOwnCa] = None
    cluster_domain: str = "cluster.local"
    metadata_mode: str = "zookeeper"
    controllers: int = 3
    controller_storage_gib: int = 10
    controller_resources: ContainerResources = ContainerResources("250m", "1Gi", "1", "1Gi")


def validate_k8s_args(args: KafkaOnKubernetesArgs, label: Callable[[str], str] = lambda n: n) -> None:
    configtypes.check_types(args, label)
    if not isinstance(args.cluster, str) or not NAME.match(args.cluster):
        raise ConfigError(label("cluster"), args.cluster, "lowercase letters, digits and '-'")
    if not isinstance(args.namespace, str) or not NAME.match(args.namespace) or args.namespace.startswith("kube-"):
        raise ConfigError(label("namespace"), args.namespace, "a DNS label for a namespace of its own (not kube-*)")
    check_environment(args.environment, label("environment"))
    if args.metadata_mode not in ("zookeeper", "kraft"):
        raise ConfigError(label("metadata_mode"), args.metadata_mode,
                          "zookeeper (ZooKeeper pods) or kraft (KRaft controller pods)")
    if args.metadata_mode == "kraft":
        check_ensemble_size(args.controllers, args.environment, label("controllers"), group="controller quorum")
        if args.zookeepers != 3:
            raise ConfigError(label("zookeepers"), args.zookeepers, "nothing with metadata_mode kraft")
    else:
        check_ensemble_size(args.zookeepers, args.environment, label("zookeepers"))
        if args.controllers != 3:
            raise ConfigError(label("controllers"), args.controllers, "nothing with metadata_mode zookeeper")
    low = 3 if args.environment == "prod" else 2
    check_int(args.brokers, label("brokers"), low, 30, f"an integer {low}-30 in {args.environment}")
    check_int(args.replication_factor, label("replication_factor"), 2, args.brokers,
              f"2 to the broker count ({args.brokers})")
    check_int(args.min_insync_replicas, label("min_insync_replicas"), 2, args.replication_factor,
              f"2 to the replication factor ({args.replication_factor})")
    if isinstance(args.listeners, str) or not args.listeners or any(l not in LISTENER_PORTS for l in args.listeners):
        raise ConfigError(label("listeners"), args.listeners, "TLS listeners only: SSL and/or SASL_SSL")
    if not args.storage_class and not args.eks_kms_key_arn:
        raise ConfigError(label("storage_class"), args.storage_class,
                          "the name of an encrypted StorageClass, or eks_kms_key_arn to create one on EKS")
    if args.storage_class:
        check_now(args.storage_class, check_object_name, label("storage_class"))
    if args.eks_kms_key_arn is not None:
        check_now(args.eks_kms_key_arn, check_kms_arn, label("eks_kms_key_arn"))
    if ":" not in args.image or args.image.endswith(":latest"):
        raise ConfigError(label("image"), args.image, "an image with a pinned tag or digest, e.g. apache/kafka:3.9.1")
    if args.client_service_type not in SERVICE_TYPES:
        raise ConfigError(label("client_service_type"), args.client_service_type, f"one of {', '.join(SERVICE_TYPES)}")
    validate_grants(args.access, label("access"))
    if args.cilium:
        try:
            version = tuple(int(part) for part in str(args.cilium_version).split(".")[:2])
        except ValueError:
            version = ()
        if len(version) != 2 or version >= (1, 20) or version < (1, 14):
            raise ConfigError(label("cilium_version"), args.cilium_version,
                              "a Cilium release with Kafka L7 rules, 1.14-1.19 (1.20 removed them); "
                              "or cilium: false and rely on the broker ACLs")
    if args.client_service_type != "ClusterIP":
        service = client_service(args)
        # Judge twice: as rendered (internal scheme), and as if the scheme were lost, so that the
        # source ranges alone must already keep the internet out.
        bare = {**service, "metadata": {k: v for k, v in service["metadata"].items() if k != "annotations"}}
        findings = [f for probe in (service, bare)
                    for f in judge_resource(Resource("kubernetes:core/v1:Service", probe, name=service["metadata"]["name"]),
                                            Settings(ports=tuple(client_ports(args))))]
        if findings or not args.load_balancer_source_ranges:
            said = findings[0].message if findings else "no loadBalancerSourceRanges were given"
            raise ConfigError(label("client_service_type"), args.client_service_type,
                              "ClusterIP, or an internal load balancer with private loadBalancerSourceRanges; "
                              f"the guardrail says: {said}")


def client_ports(args: KafkaOnKubernetesArgs) -> list[int]:
    return sorted(LISTENER_PORTS[l] for l in set(args.listeners))


def _fqdn(args: KafkaOnKubernetesArgs, host: str, service: str) -> str:
    return f"{host}.{service}.{args.namespace}.svc.{args.cluster_domain}"


def broker_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    bootstrap = [f"kafka.{args.namespace}.svc", f"kafka.{args.namespace}.svc.{args.cluster_domain}"]
    return [[_fqdn(args, f"kafka-{i}", "kafka-headless"), *bootstrap] for i in range(args.brokers)]


def zookeeper_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    return [[_fqdn(args, f"zookeeper-{i}", "zookeeper-headless")] for i in range(args.zookeepers)]


def controller_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    return [[_fqdn(args, f"kafka-controller-{i}", "kafka-controller-headless")] for i in range(args.controllers)]


def voters(args: KafkaOnKubernetesArgs) -> list[Voter]:
    return [Voter(CONTROLLER_ID_BASE + i, hosts[0]) for i, hosts in enumerate(controller_hosts(args))]


def controller_settings(args: KafkaOnKubernetesArgs, index: int) -> ControllerSettings:
    return ControllerSettings(
        node_id=CONTROLLER_ID_BASE + index, cluster=args.cluster, host=controller_hosts(args)[index][0],
        voters=voters(args), log_dirs="/var/lib/kafka/metadata",
        tls=PemFiles(f"/etc/kafka/tls/kafka-controller-{index}.pem", "/etc/kafka/tls/ca.pem"),
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas)


def kraft_broker_settings(args: KafkaOnKubernetesArgs, index: int) -> KRaftBrokerSettings:
    zk = broker_settings(args, index)
    return KRaftBrokerSettings(
        node_id=index, cluster=args.cluster, advertised_host=zk.advertised_host, voters=voters(args),
        log_dirs=zk.log_dirs, tls=zk.tls, sasl_port=zk.sasl_port, replication_factor=args.replication_factor,
        min_insync_replicas=args.min_insync_replicas)


def broker_settings(args: KafkaOnKubernetesArgs, index: int) -> BrokerSettings:
    zk = ",".join(f"{hosts[0]}:{ZK_PORT}" for hosts in zookeeper_hosts(args))
    return BrokerSettings(
        broker_id=index, cluster=args.cluster, advertised_host=broker_hosts(args)[index][0], zookeeper_connect=zk,
        log_dirs="/var/lib/kafka/data", tls=PemFiles(f"/etc/kafka/tls/kafka-{index}.pem", "/etc/kafka/tls/ca.pem"),
        sasl_port=SASL_PORT if "SASL_SSL" in args.listeners else None,
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas)


def zookeeper_settings(args: KafkaOnKubernetesArgs) -> ZooKeeperSettings:
    members = [QuorumMember(i + 1, hosts[0], QUORUM_PORT, ELECTION_PORT) for i, hosts in enumerate(zookeeper_hosts(args))]
    return ZooKeeperSettings(1, members, "/var/lib/zookeeper", PemFiles("/etc/zookeeper/tls/node.pem",
                                                                       "/etc/zookeeper/tls/ca.pem"),
                             ZK_PORT, verify_hostnames=False, quorum_listen_on_all_ips=True)


def config_files(args: KafkaOnKubernetesArgs) -> tuple[dict[str, str], dict[str, str]]:
    """(Kafka ConfigMap data, ZooKeeper ConfigMap data), all text from the shared renderers."""
    log4j = render_properties(log4j_properties("/var/log/kafka"))
    admin_tls = PemFiles("/etc/kafka/tls/kafka-0.pem", "/etc/kafka/tls/ca.pem")
    bootstrap = f"{broker_hosts(args)[0][0]}:{TLS_PORT}"
    commands = [quota_arguments(args.quota, bootstrap, "/etc/kafka/config/admin.properties")]
    commands += [acl_arguments(e, bootstrap, "/etc/kafka/config/admin.properties") for e in kafka_acls(args.access)]
    script = "#!/bin/bash\nset -euo pipefail\n" + "".join(
        f"/opt/kafka/bin/{'kafka-configs.sh' if i == 0 else 'kafka-acls.sh'} {shlex.join(c)}\n"
        for i, c in enumerate(commands))
    kraft = args.metadata_mode == "kraft"
    kafka = {f"server-{i}.properties": render_properties(
        kraft_broker_properties(kraft_broker_settings(args, i), args.brokers) if kraft
        else server_properties(broker_settings(args, i), args.brokers)) for i in range(args.brokers)}
    kafka.update({"log4j.properties": log4j, "admin.properties": render_properties(admin_client_properties(admin_tls)),
                  "access.sh": script, "ready.sh": READY_SCRIPT})
    if kraft:
        quorum = {f"controller-{i}.properties": render_properties(controller_properties(controller_settings(args, i)))
                  for i in range(args.controllers)}
        # each controller's readiness probe asks the quorum with its own certificate, and gives up
        # (not ready) well inside the probe's timeout when no leader answers
        quorum.update({f"admin-{i}.properties": render_properties({
            **admin_client_properties(controller_settings(args, i).tls), **PROBE_TIMEOUTS})
            for i in range(args.controllers)})
        return kafka, {**quorum, "log4j.properties": log4j, "controller-ready.sh": CONTROLLER_READY_SCRIPT}
    zk = {"zoo.cfg": render_properties(zoo_cfg(zookeeper_settings(args))), "log4j.properties": log4j}
    return kafka, zk


def _meta(args: KafkaOnKubernetesArgs, name: str, labels: Optional[Mapping[str, str]] = None,
          **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": args.namespace, "labels": dict(labels or {"app.kubernetes.io/part-of": "secure-kafka"}),
            **extra}


def _container(name: str, image: str, command: str, ports: Sequence[tuple[str, int]], probe_port: int,
               resources: ContainerResources, mounts: Sequence[tuple[str, str, bool]], env: Mapping[str, str],
               ready: Optional[list[str]] = None) -> dict[str, Any]:
    container = {
        "name": name, "image": image, "imagePullPolicy": "Always",
        "command": ["/bin/bash", "-c", command],
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "ports": [{"name": n, "containerPort": p, "protocol": "TCP"} for n, p in ports],
        "resources": {"requests": {"cpu": resources.cpu_request, "memory": resources.memory_request},
                      "limits": {"cpu": resources.cpu_limit, "memory": resources.memory_limit}},
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "privileged": False,
                            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"name": v, "mountPath": path, "readOnly": ro} for v, path, ro in mounts],
    }
    if probe_port:
        container["readinessProbe"] = (
            {"exec": {"command": ready}, "initialDelaySeconds": 20, "periodSeconds": 15, "timeoutSeconds": 60,
             "failureThreshold": 1} if ready else
            {"tcpSocket": {"port": probe_port}, "initialDelaySeconds": 10, "periodSeconds": 10})
        container["livenessProbe"] = {"tcpSocket": {"port": probe_port}, "initialDelaySeconds": 60,
                                      "periodSeconds": 20, "failureThreshold": 6}
    return container


def _pod_spec(account: str, containers: list[Any], volumes: list[Any], labels: Mapping[str, str], spread: bool = True) -> dict[str, Any]:
    spec = {"serviceAccountName": account, "automountServiceAccountToken": False, "enableServiceLinks": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": containers, "volumes": volumes, "terminationGracePeriodSeconds": 120}
    if spread:
        spec["topologySpreadConstraints"] = [
            {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when, "labelSelector": {"matchLabels": dict(labels)}}
            for key, when in (("topology.kubernetes.io/zone", "ScheduleAnyway"), ("kubernetes.io/hostname", "DoNotSchedule"))]
    return spec


def _stateful_set(args: KafkaOnKubernetesArgs, name: str, replicas: int, labels: Mapping[str, str], service: str, container: dict[str, Any], volumes: list[Any],
                  storage_gib: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta(args, name, labels),
            "spec": {"replicas": replicas, "serviceName": service, "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": _pod_spec(name, [container], volumes, labels)},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "storageClassName": storage_class_name(args),
                         "resources": {"requests": {"storage": f"{storage_gib}Gi"}}}}]}}


def check_object_name(value: object, setting: str) -> None:
    """A Kubernetes object name (DNS subdomain, RFC 1123)."""
    if not isinstance(value, str) or len(value) > 253 or not _SUBDOMAIN.match(value):
        raise ConfigError(setting, value, "a Kubernetes object name: lowercase letters, digits, '-' and '.'")


_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def storage_class_name(args: KafkaOnKubernetesArgs) -> "pulumi.Input[str]":
    return args.storage_class or f"{args.cluster}-encrypted"


def client_service(args: KafkaOnKubernetesArgs) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": args.client_service_type, "selector": dict(KAFKA_LABELS),
                            "ports": [{"name": f"tls-{p}", "port": p, "targetPort": p, "protocol": "TCP"}
                                      for p in client_ports(args)]}
    annotations = {}
    if args.client_service_type == "LoadBalancer":
        annotations = dict(INTERNAL_LB)
        spec["loadBalancerSourceRanges"] = list(args.load_balancer_source_ranges)
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": _meta(args, "kafka", KAFKA_LABELS, **({"annotations": annotations} if annotations else {})),
            "spec": spec}


def _headless(args: KafkaOnKubernetesArgs, name: str, labels: Mapping[str, str], ports: Sequence[tuple[str, int]],
              not_ready: bool) -> dict[str, Any]:
    """A headless Service: stable per-pod DNS names for a StatefulSet."""
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(args, name, labels),
            "spec": {"clusterIP": "None", "selector": dict(labels), "publishNotReadyAddresses": not_ready,
                     "ports": [{"name": n, "port": p, "targetPort": p, "protocol": "TCP"} for n, p in ports]}}


def _peer(labels: Mapping[str, str], namespace: Optional[str] = None) -> dict[str, Any]:
    peer: dict[str, Any] = {"podSelector": {"matchLabels": dict(labels)}}
    if namespace:
        peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
    return peer


def _ports(*ports: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"port": p, "protocol": protocol} for p in ports]


def network_policies(args: KafkaOnKubernetesArgs) -> list[dict[str, Any]]:
    """Default deny both ways, then exactly the flows the platform needs."""
    def policy(name: str, selector: Optional[Mapping[str, str]], ingress: Optional[list[Any]] = None,
               egress: Optional[list[Any]] = None) -> dict[str, Any]:
        types = [t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules is not None]
        spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(selector)} if selector else {}, "policyTypes": types}
        if ingress is not None:
            spec["ingress"] = ingress
        if egress is not None:
            spec["egress"] = egress
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(args, name), "spec": spec}

    clients = [{"from": [_peer(g.pod_labels, g.namespace or args.namespace)], "ports": _ports(*client_ports(args))}
               for g in args.access]
    dns = [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": _ports(53, protocol="UDP") + _ports(53)}]
    if args.metadata_mode == "kraft":  # 9093 only between controllers and from brokers; never to brokers
        to_quorum = {"to": [_peer(CONTROLLER_LABELS)], "ports": _ports(CONTROLLER_PORT)}
        quorum = policy("kafka-controllers", CONTROLLER_LABELS,
                        ingress=[{"from": [_peer(KAFKA_LABELS), _peer(CONTROLLER_LABELS)],
                                  "ports": _ports(CONTROLLER_PORT)}], egress=[to_quorum])
    else:
        to_quorum = {"to": [_peer(ZK_LABELS)], "ports": _ports(ZK_PORT)}
        quorum = policy("zookeeper", ZK_LABELS,
                        ingress=[{"from": [_peer(KAFKA_LABELS)], "ports": _ports(ZK_PORT)},
                                 {"from": [_peer(ZK_LABELS)], "ports": _ports(QUORUM_PORT, ELECTION_PORT)}],
                        egress=[{"to": [_peer(ZK_LABELS)], "ports": _ports(QUORUM_PORT, ELECTION_PORT)}])
    out = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(args, "default-deny"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        policy("allow-dns", None, egress=dns),
        policy("kafka-brokers", KAFKA_LABELS,
               ingress=[{"from": [_peer(KAFKA_LABELS), _peer(ADMIN_LABELS)], "ports": _ports(TLS_PORT)}, *clients],
               egress=[{"to": [_peer(KAFKA_LABELS)], "ports": _ports(TLS_PORT)}, to_quorum]),
        quorum,
        policy("kafka-admin", ADMIN_LABELS, egress=[{"to": [_peer(KAFKA_LABELS)], "ports": _ports(TLS_PORT)}]),
    ]
    local = [g for g in args.access if not g.namespace or g.namespace == args.namespace]
    for grant in local:  # clients inside the namespace are also under its default deny
        out.append(policy(f"client-{grant.client}", grant.pod_labels,
                          egress=[{"to": [_peer(KAFKA_LABELS)], "ports": _ports(*client_ports(args))}]))
    return out


def cilium_policies(args: KafkaOnKubernetesArgs) -> list[dict[str, Any]]:
    """Per client identity: which topics it may produce to or consume from (Kafka L7 rules)."""
    out = []
    for grant in args.access:
        ns = grant.namespace or args.namespace
        selector = {**grant.pod_labels, "k8s:io.kubernetes.pod.namespace": ns}
        out.append({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                    "metadata": _meta(args, f"kafka-topics-{grant.client}"),
                    "spec": {"description": f"Kafka topics {grant.client} may use",
                             "endpointSelector": {"matchLabels": dict(KAFKA_LABELS)},
                             "ingress": [{"fromEndpoints": [{"matchLabels": selector}],
                                          "toPorts": [{"ports": [{"port": str(p), "protocol": "TCP"}
                                                                 for p in client_ports(args)],
                                                       "rules": {"kafka": cilium_kafka_rules(grant)}}]}]}})
    return out


def _format_then(config: str, kraft_cluster_id: str) -> str:
    """KRaft nodes format their metadata directory once (kept across restarts), then start."""
    start = f"exec /opt/kafka/bin/kafka-server-start.sh {config}"
    if not kraft_cluster_id:
        return start
    return (f"/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t {shlex.quote(kraft_cluster_id)} "
            f"-c {config} && {start}")


def manifests(args: KafkaOnKubernetesArgs, secrets: Mapping[str, Mapping[str, Any]],
              kraft_cluster_id: str = "") -> list[dict[str, Any]]:
    """Every object of the platform, in apply order. `secrets` maps Secret names to their PEM data;
    `kraft_cluster_id` is the id KRaft nodes are formatted with (metadata_mode kraft)."""
    kraft = args.metadata_mode == "kraft"
    if kraft and not kraft_cluster_id:
        raise ValueError("metadata_mode kraft needs the cluster id its nodes are formatted with")
    kafka_files, zk_files = config_files(args)
    quorum_name, quorum_labels = ("kafka-controller", CONTROLLER_LABELS) if kraft else ("zookeeper", ZK_LABELS)
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": args.namespace, "labels": {
        **{f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")},
        **{f"pod-security.kubernetes.io/{mode}-version": "latest" for mode in ("enforce", "audit", "warn")}}}}
    out: list[dict[str, Any]] = [ns]
    if not args.storage_class:
        out.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                    "metadata": {"name": storage_class_name(args)}, "provisioner": "ebs.csi.aws.com",
                    "parameters": {"type": "gp3", "encrypted": "true", "kmsKeyId": args.eks_kms_key_arn},
                    "reclaimPolicy": "Retain", "allowVolumeExpansion": True,
                    "volumeBindingMode": "WaitForFirstConsumer"})
    for account in ("kafka", quorum_name, "kafka-admin"):
        out.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(args, account),
                    "automountServiceAccountToken": False})
    out += [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(args, "kafka-config", KAFKA_LABELS), "data": kafka_files},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(args, f"{quorum_name}-config", quorum_labels),
             "data": zk_files}]
    for name, data in secrets.items():
        out.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": _meta(args, name),
                    "stringData": data})
    out += network_policies(args)
    if args.cilium:
        out += cilium_policies(args)
    quorum_ports = [("controller", CONTROLLER_PORT)] if kraft else [("client", ZK_PORT), ("quorum", QUORUM_PORT),
                                                                    ("election", ELECTION_PORT)]
    out += [_headless(args, f"{quorum_name}-headless", quorum_labels, quorum_ports, True),
            # not-ready brokers keep their names: a broker catching up must still be reachable by its peers
            _headless(args, "kafka-headless", KAFKA_LABELS, [(f"tls-{p}", p) for p in client_ports(args)], True),
            client_service(args)]
    common = [("tmp", "/tmp", False), ("logs", "/var/log/kafka", False)]
    empty = [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}, {"name": "logs", "emptyDir": {"sizeLimit": "2Gi"}}]
    env = {"LOG_DIR": "/var/log/kafka", "KAFKA_LOG4J_OPTS": "-Dlog4j.configuration=file:/etc/kafka/config/log4j.properties"}
    if kraft:
        quorum_container = _container(
            "kafka-controller", args.image,
            _format_then("/etc/kafka/config/controller-${HOSTNAME##*-}.properties", kraft_cluster_id),
            quorum_ports, CONTROLLER_PORT, args.controller_resources,
            [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), ("data", "/var/lib/kafka", False),
             *common], {**env, "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m"},
            ready=ready_command(f"$(( {CONTROLLER_ID_BASE} + ${{HOSTNAME##*-}} ))", f"$(hostname -f):{CONTROLLER_PORT}",
                                "/etc/kafka/config/admin-${HOSTNAME##*-}.properties",
                                "/etc/kafka/config/controller-ready.sh"))
    else:
        quorum_container = _container(
            "zookeeper", args.image,
            "echo $(( ${HOSTNAME##*-} + 1 )) > /var/lib/zookeeper/myid && "
            "exec /opt/kafka/bin/zookeeper-server-start.sh /etc/zookeeper/config/zoo.cfg",
            quorum_ports, ZK_PORT, args.zookeeper_resources,
            [("config", "/etc/zookeeper/config", True), ("tls", "/etc/zookeeper/tls", True),
             ("data", "/var/lib/zookeeper", False), *common],
            {**env, "KAFKA_LOG4J_OPTS": "-Dlog4j.configuration=file:/etc/zookeeper/config/log4j.properties",
             "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m"})
    kafka_container = _container(
        "kafka", args.image,
        _format_then("/etc/kafka/config/server-${HOSTNAME##*-}.properties", kraft_cluster_id),
        [(f"tls-{p}", p) for p in client_ports(args)], TLS_PORT, args.broker_resources,
        [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), ("data", "/var/lib/kafka", False), *common],
        {**env, "KAFKA_HEAP_OPTS": "-Xms1g -Xmx1g"},
        ready=ready_command("${HOSTNAME##*-}", f"$(hostname -f):{TLS_PORT}", "/etc/kafka/config/admin.properties",
                            "/etc/kafka/config/ready.sh"))
    out += [_stateful_set(args, quorum_name, args.controllers if kraft else args.zookeepers, quorum_labels,
                          f"{quorum_name}-headless", quorum_container,
                          [{"name": "config", "configMap": {"name": f"{quorum_name}-config"}},
                           {"name": "tls", "secret": {"secretName": f"{quorum_name}-tls", "defaultMode": 0o440}},
                           *empty], args.controller_storage_gib if kraft else args.zookeeper_storage_gib),
            _stateful_set(args, "kafka", args.brokers, KAFKA_LABELS, "kafka-headless", kafka_container,
                          [{"name": "config", "configMap": {"name": "kafka-config"}},
                           {"name": "tls", "secret": {"secretName": "kafka-tls", "defaultMode": 0o440}}, *empty],
                          args.broker_storage_gib)]
    for name, labels in (("kafka", KAFKA_LABELS), (quorum_name, quorum_labels)):
        out.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta(args, name, labels),
                    "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(labels)}}})
    admin = _container("access", args.image, "exec /bin/bash /etc/kafka/config/access.sh", [], 0,
                       ContainerResources("100m", "256Mi", "500m", "512Mi"),
                       [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), *common],
                       {**env, "KAFKA_HEAP_OPTS": "-Xms128m -Xmx256m"})
    out.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta(args, "kafka-access", ADMIN_LABELS),
                "spec": {"backoffLimit": 30, "ttlSecondsAfterFinished": 86400,
                         "template": {"metadata": {"labels": dict(ADMIN_LABELS)},
                                      "spec": {**_pod_spec("kafka-admin", [admin],
                                                           [{"name": "config", "configMap": {"name": "kafka-config"}},
                                                            {"name": "tls", "secret": {"secretName": "kafka-tls",
                                                                                       "defaultMode": 0o440}}, *empty],
                                                           ADMIN_LABELS, spread=False),
                                               "restartPolicy": "OnFailure"}}}})
    return out


# Each kind's registration; `n` is the Pulumi name: the component's name, the kind and the object's
# name, so that two clusters in one program never share a URN (the URN holds types, not parents).
REGISTER: dict[str, Callable[[str, dict[str, Any], pulumi.ResourceOptions], pulumi.Resource]] = {
    "Namespace": lambda n, m, o: k8s.core.v1.Namespace(n, metadata=m["metadata"], opts=o),
    "StorageClass": lambda n, m, o: k8s.storage.v1.StorageClass(
        n, metadata=m["metadata"], provisioner=m["provisioner"], parameters=m["parameters"],
        reclaim_policy=m["reclaimPolicy"], allow_volume_expansion=m["allowVolumeExpansion"],
        volume_binding_mode=m["volumeBindingMode"], opts=o),
    "ServiceAccount": lambda n, m, o: k8s.core.v1.ServiceAccount(
        n, metadata=m["metadata"], automount_service_account_token=m["automountServiceAccountToken"], opts=o),
    "ConfigMap": lambda n, m, o: k8s.core.v1.ConfigMap(n, metadata=m["metadata"], data=m["data"], opts=o),
    "Secret": lambda n, m, o: k8s.core.v1.Secret(n, metadata=m["metadata"], type=m["type"],
                                                 string_data=pulumi.Output.secret(m["stringData"]), opts=o),
    "NetworkPolicy": lambda n, m, o: k8s.networking.v1.NetworkPolicy(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "CiliumNetworkPolicy": lambda n, m, o: k8s.apiextensions.CustomResource(
        n, api_version=m["apiVersion"], kind=m["kind"], metadata=m["metadata"], spec=m["spec"], opts=o),
    "Service": lambda n, m, o: k8s.core.v1.Service(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "StatefulSet": lambda n, m, o: k8s.apps.v1.StatefulSet(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "PodDisruptionBudget": lambda n, m, o: k8s.policy.v1.PodDisruptionBudget(
        n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "Job": lambda n, m, o: k8s.batch.v1.Job(n, metadata=m["metadata"], spec=m["spec"], opts=o),
}


def child_name(component: str, manifest: Mapping[str, Any]) -> str:
    return f"{component}-{manifest['kind'].lower()}-{manifest['metadata']['name']}"


class KafkaOnKubernetes(pulumi.ComponentResource):
    """Kafka and ZooKeeper on any conformant cluster (EKS gets an encrypted EBS StorageClass).

    Outputs: `namespace`, `bootstrap_servers` (the in-cluster TLS service, one host:port per
    listener), `ca_cert_pem` (clients' truststore); `resources` maps "Kind/name" to each object.
    """

    namespace: str
    bootstrap_servers: str
    ca_cert_pem: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaOnKubernetesArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_k8s_args(args)
        # Outputs of other stacks are checked when they resolve; nothing is created before that.
        if args.eks_kms_key_arn is not None:
            args = replace(args, eks_kms_key_arn=checked(args.eks_kms_key_arn, check_kms_arn, "eks_kms_key_arn"))
        if args.storage_class:
            args = replace(args, storage_class=checked(args.storage_class, check_object_name, "storage_class"))
        super().__init__("secure-kafka:k8s:Kafka", name, None,
                         hold_children(opts, [args.eks_kms_key_arn, args.storage_class]))
        ca = args.ca or pki.generate_ca(f"{name}-cluster", args.cluster, self)
        kraft = args.metadata_mode == "kraft"
        nodes = [pki.PkiNode(s) for s in pki.broker_certs(args.cluster, broker_hosts(args))]
        if kraft:
            nodes += [pki.PkiNode(s) for s in pki.controller_certs(args.cluster, controller_hosts(args))]
        else:
            # The members share one identity and one certificate naming every member: ZooKeeper
            # reads one keystore path from the shared zoo.cfg.
            nodes += [pki.PkiNode(s) for s in pki.zookeeper_certs(
                args.cluster, [[h for hosts in zookeeper_hosts(args) for h in hosts]])]
        nodes += [pki.PkiNode(pki.client_cert(args.cluster, g.client)) for g in args.access]
        issued = pki.issue_certificates(f"{name}-pki", nodes, ca, self)
        ca_pem = pulumi.Output.from_input(ca.cert_pem)

        def bundle(spec_name: str) -> pulumi.Output[str]:
            key, cert = issued[spec_name]
            return pulumi.Output.secret(pulumi.Output.all(key, cert, ca_pem).apply(lambda v: v[0] + v[1] + v[2]))

        secrets: dict[str, dict[str, Any]] = {
            "kafka-tls": {**{f"kafka-{i}.pem": bundle(f"broker-{i}") for i in range(args.brokers)}, "ca.pem": ca_pem},
        }
        if kraft:
            secrets["kafka-controller-tls"] = {**{f"kafka-controller-{i}.pem": bundle(f"controller-{i}")
                                                  for i in range(args.controllers)}, "ca.pem": ca_pem}
        else:
            secrets["zookeeper-tls"] = {"node.pem": bundle("zookeeper-0"), "ca.pem": ca_pem}
        for grant in args.access:
            secrets[f"client-{grant.client}-tls"] = {"client.pem": bundle(f"client-{grant.client}"), "ca.pem": ca_pem}
        self.resources: dict[str, pulumi.Resource] = {}
        previous: list[pulumi.Resource] = []
        kraft_id = cluster_id(f"{pulumi.get_project()}/{pulumi.get_stack()}/{args.namespace}/{args.cluster}") if kraft else ""
        for manifest in manifests(args, secrets, kraft_id):
            depends = previous[:1] if manifest["kind"] != "Namespace" else []
            resource = REGISTER[manifest["kind"]](child_name(name, manifest), manifest,
                                                  pulumi.ResourceOptions(parent=self, depends_on=depends))
            if manifest["kind"] == "Namespace":
                previous = [resource]
            self.resources[f"{manifest['kind']}/{manifest['metadata']['name']}"] = resource
        self.namespace = args.namespace
        self.bootstrap_servers = ",".join(f"kafka.{args.namespace}.svc:{p}" for p in client_ports(args))
        self.ca_cert_pem = ca_pem
        self.register_outputs({"namespace": self.namespace, "bootstrapServers": self.bootstrap_servers,
                               "caCertPem": ca_pem})

"""The objects of KafkaOnKubernetes, built by pure functions from its typed arguments.

Broker, controller and ZooKeeper files come from the same renderers the EC2 nodes and the real-Kafka
tests use; the component only registers what `manifests` returns, and the tests validate it
against the Kubernetes API schemas and scan it with checkov.
"""
from __future__ import annotations

import base64
import shlex
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

import yaml

from ..model.access import acl_arguments, cilium_kafka_rules, kafka_acls
from ..model.releases import accepted_marks
from ..render import render_properties
from ..render.jvm import jvm_options
from ..render.kafka import (LISTENER_PORTS, SECURITY_STREAM_PREFIX, BrokerSettings, PemFiles, admin_client_properties,
                            log_config, quota_arguments, server_properties)
from ..render.kraft import (CONTROLLER_ID_BASE, CONTROLLER_PORT, ControllerSettings, KRaftBrokerSettings, Voter,
                            controller_properties, kraft_broker_properties)
from ..render.loginpolicy import JAR_NAME, policy_jar
from ..render.oauth import with_oauth
from ..render.readiness import CONTROLLER_READY_SCRIPT, PROBE_TIMEOUTS, READY_SCRIPT, ready_command
from ..render.zookeeper import ELECTION_PORT, QUORUM_PORT, SECURE_CLIENT_PORT, QuorumMember, ZooKeeperSettings, zoo_cfg
from .alerts import FLUENT_BIT_FILE, LOKI_RULE_LABEL, RULES_FILE, fluent_bit_config, loki_rules
from .args import ContainerResources, KafkaOnKubernetesArgs, kafka_image, kafka_release

if TYPE_CHECKING:
    import pulumi

TLS_PORT, SASL_PORT, ZK_PORT = LISTENER_PORTS["SSL"], LISTENER_PORTS["SASL_SSL"], SECURE_CLIENT_PORT
UID = 10001  # high, so it maps to no host user; the image only needs read access to /opt/kafka
KAFKA_LABELS = {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/part-of": "secure-kafka"}
ZK_LABELS = {"app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/part-of": "secure-kafka"}
ADMIN_LABELS = {"app.kubernetes.io/name": "kafka-admin", "app.kubernetes.io/part-of": "secure-kafka"}
CONTROLLER_LABELS = {"app.kubernetes.io/name": "kafka-controller", "app.kubernetes.io/part-of": "secure-kafka"}
OAUTH_CA = "/etc/kafka/config/oauth-ca.pem"  # the OAuth provider's CA, in the brokers' ConfigMap
INTERNAL_LB = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
               "service.beta.kubernetes.io/aws-load-balancer-internal": "true"}


def client_ports(args: KafkaOnKubernetesArgs) -> list[int]:
    return sorted(LISTENER_PORTS[l] for l in set(args.listeners))


def _fqdn(args: KafkaOnKubernetesArgs, host: str, service: str) -> str:
    return f"{host}.{service}.{args.namespace}.svc.{args.cluster_domain}"


def broker_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    bootstrap = [f"kafka.{args.namespace}.svc", f"kafka.{args.namespace}.svc.{args.cluster_domain}"]
    return [[_fqdn(args, f"kafka-{i}", "kafka-headless"), *bootstrap] for i in range(args.broker_count)]


def zookeeper_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    return [[_fqdn(args, f"zookeeper-{i}", "zookeeper-headless")] for i in range(args.zookeeper_count)]


def controller_hosts(args: KafkaOnKubernetesArgs) -> list[list[str]]:
    return [[_fqdn(args, f"kafka-controller-{i}", "kafka-controller-headless")] for i in range(args.controller_count)]


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
    logging = log_config(kafka_release(args), "/var/log/kafka", stream=SECURITY_STREAM_PREFIX)
    log = {logging.file: render_properties(logging.properties)}
    admin_tls = PemFiles("/etc/kafka/tls/kafka-0.pem", "/etc/kafka/tls/ca.pem")
    bootstrap = f"{broker_hosts(args)[0][0]}:{TLS_PORT}"
    commands = [quota_arguments(args.quota, bootstrap, "/etc/kafka/config/admin.properties")]
    commands += [acl_arguments(e, bootstrap, "/etc/kafka/config/admin.properties") for e in kafka_acls(args.access)]
    script = "#!/bin/bash\nset -euo pipefail\n" + "".join(
        f"/opt/kafka/bin/{'kafka-configs.sh' if i == 0 else 'kafka-acls.sh'} {shlex.join(c)}\n"
        for i, c in enumerate(commands))
    kraft = args.metadata_mode == "kraft"
    ca_file = OAUTH_CA if args.oauth is not None and args.oauth.jwks_ca_pem else None
    kafka = {f"server-{i}.properties": render_properties(with_oauth(
        kraft_broker_properties(kraft_broker_settings(args, i), args.broker_count) if kraft
        else server_properties(broker_settings(args, i), args.broker_count), args.oauth, kafka_release(args), ca_file))
        for i in range(args.broker_count)}
    if ca_file and args.oauth is not None:
        kafka[ca_file.rsplit("/", 1)[1]] = str(args.oauth.jwks_ca_pem)
    kafka.update({**log, "admin.properties": render_properties(admin_client_properties(admin_tls)),
                  "access.sh": script, "ready.sh": READY_SCRIPT})
    if kraft:
        quorum = {f"controller-{i}.properties": render_properties(controller_properties(controller_settings(args, i)))
                  for i in range(args.controller_count)}
        # each controller's readiness probe asks the quorum with its own certificate, and gives up
        # (not ready) well inside the probe's timeout when no leader answers
        quorum.update({f"admin-{i}.properties": render_properties({
            **admin_client_properties(controller_settings(args, i).tls), **PROBE_TIMEOUTS})
            for i in range(args.controller_count)})
        return kafka, {**quorum, **log, "controller-ready.sh": CONTROLLER_READY_SCRIPT}
    zk = {"zoo.cfg": render_properties(zoo_cfg(zookeeper_settings(args))), **log}
    return kafka, zk


def _meta(args: KafkaOnKubernetesArgs, name: str, labels: Optional[Mapping[str, str]] = None,
          **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": args.namespace, "labels": dict(labels or {"app.kubernetes.io/part-of": "secure-kafka"}),
            **extra}


def _accepted(args: KafkaOnKubernetesArgs) -> dict[str, Any]:
    """The acceptance annotation of the workloads that run Kafka (none when nothing is accepted)."""
    marks = accepted_marks(args.accept_version_risks, annotation=True)
    return {"annotations": marks} if marks else {}


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
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta(args, name, labels, **_accepted(args)),
            "spec": {"replicas": replicas, "serviceName": service, "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": _pod_spec(name, [container], volumes, labels)},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "storageClassName": storage_class_name(args),
                         "resources": {"requests": {"storage": f"{storage_gib}Gi"}}}}]}}


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
               egress=[{"to": [_peer(KAFKA_LABELS)], "ports": _ports(TLS_PORT)}, to_quorum,
                       # OAuth on: the provider's JWKS, on 443 to the ranges given, nothing else
                       *([{"to": [{"ipBlock": {"cidr": c}} for c in args.https_egress_cidrs], "ports": _ports(443)}]
                         if args.oauth is not None and args.https_egress_cidrs else [])]),
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


def alert_config_maps(args: KafkaOnKubernetesArgs) -> list[dict[str, Any]]:
    """The security stream's alert rules (`alerts`): Loki's unless alarms are off, Fluent Bit's when asked."""
    part_of = {"app.kubernetes.io/part-of": "secure-kafka"}
    out = []
    if args.alarms is not None:
        out.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": _meta(args, "kafka-security-rules", {**part_of, **LOKI_RULE_LABEL}),
                    "data": {RULES_FILE: yaml.safe_dump(loki_rules(args, args.alarms), sort_keys=False)}})
    if args.fluent_bit_log_group and args.fluent_bit_region:
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(args, "kafka-security-fluent-bit"),
                    "data": {FLUENT_BIT_FILE: fluent_bit_config(args, args.fluent_bit_log_group,
                                                                args.fluent_bit_region)}})
    return out


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
             "data": zk_files,
             # KRaft: the controllers' AlterConfigs policy (render.loginpolicy), on their CLASSPATH
             **({"binaryData": {JAR_NAME: base64.b64encode(policy_jar()).decode()}} if kraft else {})}]
    out += alert_config_maps(args)
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
    logging = log_config(kafka_release(args), "/var/log/kafka", stream=SECURITY_STREAM_PREFIX)
    env = {"LOG_DIR": "/var/log/kafka", "KAFKA_LOG4J_OPTS": logging.option("/etc/kafka/config"),
           "KAFKA_OPTS": " ".join(jvm_options(kafka_release(args)))}
    if kraft:
        quorum_container = _container(
            "kafka-controller", kafka_image(args),
            _format_then("/etc/kafka/config/controller-${HOSTNAME##*-}.properties", kraft_cluster_id),
            quorum_ports, CONTROLLER_PORT, args.controller_resources,
            [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), ("data", "/var/lib/kafka", False),
             *common], {**env, "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m", "CLASSPATH": f"/etc/kafka/config/{JAR_NAME}"},
            ready=ready_command(f"$(( {CONTROLLER_ID_BASE} + ${{HOSTNAME##*-}} ))", f"$(hostname -f):{CONTROLLER_PORT}",
                                "/etc/kafka/config/admin-${HOSTNAME##*-}.properties",
                                "/etc/kafka/config/controller-ready.sh"))
    else:
        quorum_container = _container(
            "zookeeper", kafka_image(args),
            "echo $(( ${HOSTNAME##*-} + 1 )) > /var/lib/zookeeper/myid && "
            "exec /opt/kafka/bin/zookeeper-server-start.sh /etc/zookeeper/config/zoo.cfg",
            quorum_ports, ZK_PORT, args.zookeeper_resources,
            [("config", "/etc/zookeeper/config", True), ("tls", "/etc/zookeeper/tls", True),
             ("data", "/var/lib/zookeeper", False), *common],
            {**env, "KAFKA_LOG4J_OPTS": logging.option("/etc/zookeeper/config"),
             "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m"})
    kafka_container = _container(
        "kafka", kafka_image(args),
        _format_then("/etc/kafka/config/server-${HOSTNAME##*-}.properties", kraft_cluster_id),
        [(f"tls-{p}", p) for p in client_ports(args)], TLS_PORT, args.broker_resources,
        [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), ("data", "/var/lib/kafka", False), *common],
        # only the brokers serve OAuth logins: only they may fetch its URLs
        {**env, "KAFKA_HEAP_OPTS": "-Xms1g -Xmx1g", "KAFKA_OPTS": " ".join(jvm_options(kafka_release(args), args.oauth))},
        ready=ready_command("${HOSTNAME##*-}", f"$(hostname -f):{TLS_PORT}", "/etc/kafka/config/admin.properties",
                            "/etc/kafka/config/ready.sh"))
    out += [_stateful_set(args, quorum_name, args.controller_count if kraft else args.zookeeper_count, quorum_labels,
                          f"{quorum_name}-headless", quorum_container,
                          [{"name": "config", "configMap": {"name": f"{quorum_name}-config"}},
                           {"name": "tls", "secret": {"secretName": f"{quorum_name}-tls", "defaultMode": 0o440}},
                           *empty], args.controller_storage_gib if kraft else args.zookeeper_storage_gib),
            _stateful_set(args, "kafka", args.broker_count, KAFKA_LABELS, "kafka-headless", kafka_container,
                          [{"name": "config", "configMap": {"name": "kafka-config"}},
                           {"name": "tls", "secret": {"secretName": "kafka-tls", "defaultMode": 0o440}}, *empty],
                          args.broker_storage_gib)]
    for name, labels in (("kafka", KAFKA_LABELS), (quorum_name, quorum_labels)):
        out.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta(args, name, labels),
                    "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(labels)}}})
    admin = _container("access", kafka_image(args), "exec /bin/bash /etc/kafka/config/access.sh", [], 0,
                       ContainerResources("100m", "256Mi", "500m", "512Mi"),
                       [("config", "/etc/kafka/config", True), ("tls", "/etc/kafka/tls", True), *common],
                       {**env, "KAFKA_HEAP_OPTS": "-Xms128m -Xmx256m"})
    out.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta(args, "kafka-access", ADMIN_LABELS,
                                                                       **_accepted(args)),
                "spec": {"backoffLimit": 30, "ttlSecondsAfterFinished": 86400,
                         "template": {"metadata": {"labels": dict(ADMIN_LABELS)},
                                      "spec": {**_pod_spec("kafka-admin", [admin],
                                                           [{"name": "config", "configMap": {"name": "kafka-config"}},
                                                            {"name": "tls", "secret": {"secretName": "kafka-tls",
                                                                                       "defaultMode": 0o440}}, *empty],
                                                           ADMIN_LABELS, spread=False),
                                               "restartPolicy": "OnFailure"}}}})
    return out

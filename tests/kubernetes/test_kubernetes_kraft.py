"""KafkaOnKubernetes with metadata_mode kraft under mocks: controller pods instead of ZooKeeper,
schema-valid manifests, the controller port reachable only from brokers and controllers, every
node formatted into one cluster id, the pack's verdict, bad input. (Pod Security: test_pod_security.)"""
import shlex
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import assert_refused, assert_schema_valid

from kafka_guardrails.netpol import Cluster, External, Pod
from secure_kafka.gate.k8syaml import kubernetes_manifests
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs
from secure_kafka.kubernetes.component import KafkaOnKubernetes
from secure_kafka.render import parse_properties

ROOT = Path(__file__).resolve().parents[2]
ARGS = KafkaOnKubernetesArgs(cluster="raft", storage_class="gp3-encrypted", metadata_mode="kraft")
LABELS = {"app.kubernetes.io/part-of": "secure-kafka"}
KAFKA = Pod("kafka-0", "kafka", {"app.kubernetes.io/name": "kafka", **LABELS})
CONTROLLER = Pod("kafka-controller-0", "kafka", {"app.kubernetes.io/name": "kafka-controller", **LABELS})
OTHER_CONTROLLER = Pod("kafka-controller-1", "kafka", CONTROLLER.labels)
ADMIN = Pod("kafka-access", "kafka", {"app.kubernetes.io/name": "kafka-admin", **LABELS})
STRANGER = Pod("web", "web", {"app": "web"})


@pytest.fixture(scope="module")
def built():
    run = record(lambda: KafkaOnKubernetes("raft", ARGS))
    return run, kubernetes_manifests(run.resources)


def named(manifests, kind, name):
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


def test_controllers_replace_zookeeper_and_every_manifest_is_schema_valid(built):
    _, manifests = built
    assert not [m for m in manifests if "zookeeper" in m["metadata"]["name"]]
    sets = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "StatefulSet"}
    assert set(sets) == {"kafka", "kafka-controller"} and sets["kafka-controller"]["spec"]["replicas"] == 3
    assert {m["metadata"]["name"] for m in manifests if m["kind"] == "PodDisruptionBudget"} == {"kafka", "kafka-controller"}
    assert len(manifests) >= 20
    assert_schema_valid(manifests)


def test_configs_are_kraft_and_every_node_is_formatted_into_one_cluster(built):
    _, manifests = built
    controllers = named(manifests, "ConfigMap", "kafka-controller-config")["data"]
    brokers = named(manifests, "ConfigMap", "kafka-config")["data"]
    voters = ",".join(f"{1000 + i}@kafka-controller-{i}.kafka-controller-headless.kafka.svc.cluster.local:9093"
                      for i in range(3))
    for i in range(3):
        c = parse_properties(controllers[f"controller-{i}.properties"])
        assert c["process.roles"] == "controller" and c["node.id"] == str(1000 + i)
        assert c["controller.quorum.voters"] == voters and c["listener.security.protocol.map"] == "CONTROLLER:SSL"
        assert c["ssl.client.auth"] == "required" and c["ssl.keystore.location"] == f"/etc/kafka/tls/kafka-controller-{i}.pem"
        b = parse_properties(brokers[f"server-{i}.properties"])
        assert b["process.roles"] == "broker" and b["controller.quorum.voters"] == voters
        assert not [k for k in b if k.startswith("zookeeper.")] and "PLAINTEXT" not in b["listener.security.protocol.map"]
    ids = set()
    for name in ("kafka", "kafka-controller"):
        command = named(manifests, "StatefulSet", name)["spec"]["template"]["spec"]["containers"][0]["command"][-1]
        argv = shlex.split(command.split("&&")[0])
        assert argv[:3] == ["/opt/kafka/bin/kafka-storage.sh", "format", "--ignore-formatted"]
        ids.add(argv[argv.index("-t") + 1])
    assert len(ids) == 1 and len(next(iter(ids))) == 22


def test_a_controller_pod_is_ready_only_as_a_caught_up_voter_asked_with_its_own_certificate(built):
    """Not when its port is bound: the StatefulSet rolls the next controller only once this one
    has rejoined a quorum with a leader and caught up (the rolling gate's quorum rule)."""
    _, manifests = built
    data = named(manifests, "ConfigMap", "kafka-controller-config")["data"]
    [container] = named(manifests, "StatefulSet", "kafka-controller")["spec"]["template"]["spec"]["containers"]
    command = container["readinessProbe"]["exec"]["command"]
    assert command[:2] == ["/bin/bash", "-c"]
    argv = shlex.split(command[2])
    assert argv == ["exec", "/bin/bash", "/etc/kafka/config/controller-ready.sh", "$((", "1000", "+",
                    "${HOSTNAME##*-}", "))", "$(hostname", "-f):9093", "/etc/kafka/config/admin-${HOSTNAME##*-}.properties"]
    assert "controller-ready.sh" in data and "kafka-metadata-quorum.sh" in data["controller-ready.sh"]
    assert container["livenessProbe"]["tcpSocket"]["port"] == 9093  # a lagging controller is not killed
    admins = sorted(k for k in data if k.startswith("admin-"))
    assert admins == [f"admin-{i}.properties" for i in range(3)]
    for i in range(3):
        admin = parse_properties(data[f"admin-{i}.properties"])
        assert admin["ssl.keystore.location"] == f"/etc/kafka/tls/kafka-controller-{i}.pem"
        assert admin["security.protocol"] == "SSL" and admin["ssl.endpoint.identification.algorithm"] == "https"
        assert int(admin["default.api.timeout.ms"]) < 60_000  # the probe's timeoutSeconds


def test_the_controller_port_is_reachable_only_from_brokers_and_controllers(built):
    _, manifests = built
    net = Cluster([m for m in manifests if m["kind"] == "NetworkPolicy"], {"kafka": {}, "web": {}, "kube-system": {}})
    assert net.can_connect(KAFKA, CONTROLLER, 9093) and net.can_connect(CONTROLLER, OTHER_CONTROLLER, 9093)
    assert not net.can_connect(ADMIN, CONTROLLER, 9093) and not net.can_connect(STRANGER, CONTROLLER, 9093)
    assert not net.can_connect(CONTROLLER, KAFKA, 9094)  # controllers never open connections to brokers
    assert not net.can_connect(KAFKA, CONTROLLER, 2182) and not net.can_connect(CONTROLLER, External("8.8.8.8"), 443)
    assert net.can_connect(ADMIN, KAFKA, 9094) and not net.can_connect(STRANGER, KAFKA, 9094)


def test_the_pack_finds_nothing_mandatory(built):
    run, _ = built
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack="k8s", preview=True)
    assert len(verdicts) >= 20 and mandatory_count(verdicts, stack_diags) == 0


def test_controller_certificates_name_their_pods(built):
    run, _ = built
    requests = [r.properties for r in run.resources if r.type == "tls:index/certRequest:CertRequest"
                and "controller" in r.name]
    assert len(requests) == 3
    assert {r["subject"]["commonName"] for r in requests} == {"kafka-controller"}
    assert sorted(d for r in requests for d in r["dnsNames"]) == [
        f"kafka-controller-{i}.kafka-controller-headless.kafka.svc.cluster.local" for i in range(3)]


BAD = [
    ({"metadata_mode": "raft"}, "metadata_mode", "kraft"),
    ({"controller_count": 2}, "controller_count", "odd controller quorum"),
    ({"controller_count": 1}, "controller_count", "at least 3 nodes in prod"),
    ({"zookeeper_count": 5}, "zookeeper_count", "nothing with metadata_mode kraft"),
    ({"metadata_mode": "zookeeper", "controller_count": 5}, "controller_count", "nothing with metadata_mode zookeeper"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: KafkaOnKubernetes("raft", replace(ARGS, **change)), setting, fragment)

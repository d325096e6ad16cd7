"""KafkaOnKubernetes under mocks: schema-valid manifests, checkov, network reachability, bad input."""
import copy
import sys
from dataclasses import replace
from pathlib import Path

import kubernetes_validate
import pytest
from helpers import KUBERNETES_VERSIONS, ZK_MODE, assert_refused, assert_schema_valid
import yaml

from kafka_guardrails.netpol import Cluster, External, Pod
from secure_kafka import ConfigError
from secure_kafka.model.access import TopicGrant
from secure_kafka.stack.config import parse
from secure_kafka.gate import run_program
from secure_kafka.gate.k8syaml import REDACTED, kubernetes_manifests, write_manifests
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs
from secure_kafka.kubernetes.component import KafkaOnKubernetes
from secure_kafka.kubernetes.manifests import broker_settings, config_files, zookeeper_settings
from secure_kafka.render import parse_properties, render_properties
from secure_kafka.render.kafka import PemFiles, server_properties
from secure_kafka.render.zookeeper import zoo_cfg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
ACCEPTED = yaml.safe_load((ROOT / "policies" / "accepted-kubernetes.yaml").read_text())
ARGS = KafkaOnKubernetesArgs(cluster="events", storage_class="gp3-encrypted", cilium=True, access=(
    TopicGrant("empire-hq", produce=("deathstar-plans", "empire-announce")),
    TopicGrant("outpost", consume=("empire-announce",), namespace="outposts")), **ZK_MODE)


@pytest.fixture(scope="module")
def stack():
    run = run_program(ROOT, "k8s")
    return run, kubernetes_manifests(run.resources)


def of_kind(manifests, kind):
    return [m for m in manifests if m["kind"] == kind]


def test_every_manifest_is_valid_against_the_kubernetes_schemas(stack):
    _, manifests = stack
    kinds = {m["kind"] for m in manifests}
    assert {"Namespace", "StatefulSet", "Service", "NetworkPolicy", "PodDisruptionBudget", "ConfigMap", "Secret",
            "ServiceAccount", "StorageClass", "Job", "CiliumNetworkPolicy"} <= kinds
    assert_schema_valid(manifests, KUBERNETES_VERSIONS)  # Cilium's CRD: its shape is checked below
    kafka_rules = 0
    for cnp in of_kind(manifests, "CiliumNetworkPolicy"):
        assert cnp["apiVersion"] == "cilium.io/v2" and set(cnp["spec"]) <= {"description", "endpointSelector", "ingress"}
        for rule in cnp["spec"]["ingress"]:
            for to in rule["toPorts"]:
                assert to["rules"]["kafka"]
                kafka_rules += len(to["rules"]["kafka"])
                assert all(set(r) == {"role", "topic"} and r["role"] in ("produce", "consume")
                           for r in to["rules"]["kafka"])
    assert kafka_rules >= 3  # the stack's grants: produce and consume rules per topic


def test_schema_validation_catches_a_broken_manifest(stack):
    """The validator is not a no-op: the same StatefulSet with a misspelt field fails."""
    _, manifests = stack
    [sts] = [m for m in of_kind(manifests, "StatefulSet") if m["metadata"]["name"] == "kafka"]
    broken = {**sts, "spec": {**sts["spec"], "replica": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


@pytest.mark.checkov
def test_checkov_kubernetes_checks_pass_except_the_listed_ones(stack, tmp_path):
    from checkov_forms import run_checkov

    run, _ = stack
    write_manifests(run.resources, tmp_path / "k8s")
    results = run_checkov(tmp_path / "k8s", "kubernetes", check_ids=None)
    failed = {check for (check, _), verdict in results.items() if verdict == "FAILED"}
    # the k8s stack runs ZooKeeper mode with the 3.9 line's risks accepted: KAFKA-VER-002 says so
    # on exactly the workloads that run Kafka 3.9.2
    assert failed == set(ACCEPTED) | {"CKV_KAFKA_VER_002"}, failed  # nothing else, and no listed skip is stale
    accepted = {r for (c, r), v in results.items() if c == "CKV_KAFKA_VER_002" and v == "FAILED"}
    assert accepted == {"StatefulSet.kafka.kafka", "StatefulSet.kafka.zookeeper", "Job.kafka.kafka-access"}, accepted
    ours = {(c, r) for (c, r), v in results.items() if c.startswith("CKV_KAFKA_K8S") and v == "PASSED"}
    assert {r for _, r in ours} >= {"StatefulSet.kafka.kafka", "StatefulSet.kafka.zookeeper"}
    assert all(isinstance(reason, str) and reason and "\n" not in reason for reason in ACCEPTED.values())


def test_workloads_are_non_root_read_only_limited_and_probed(stack):
    run, manifests = stack
    [ns] = of_kind(manifests, "Namespace")
    assert {ns["metadata"]["labels"][f"pod-security.kubernetes.io/{m}"] for m in ("enforce", "audit", "warn")} == {"restricted"}
    sets = {s["metadata"]["name"]: s for s in of_kind(manifests, "StatefulSet")}
    assert sets["kafka"]["spec"]["replicas"] == 3 and sets["zookeeper"]["spec"]["replicas"] == 3
    pods = [s["spec"]["template"]["spec"] for s in sets.values()] + \
           [j["spec"]["template"]["spec"] for j in of_kind(manifests, "Job")]
    for pod in pods:
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for c in pod["containers"]:
            ctx = c["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True and ctx["allowPrivilegeEscalation"] is False
            assert ctx["privileged"] is False and ctx["capabilities"]["drop"] == ["ALL"] and ctx["runAsUser"] >= 10000
            assert set(c["resources"]["limits"]) == {"cpu", "memory"} and set(c["resources"]["requests"]) == {"cpu", "memory"}
    for name, port in (("kafka", 9094), ("zookeeper", 2182)):
        [c] = sets[name]["spec"]["template"]["spec"]["containers"]
        assert c["livenessProbe"]["tcpSocket"]["port"] == port
        if name == "zookeeper":
            assert c["readinessProbe"]["tcpSocket"]["port"] == port
        else:  # a broker is ready when it is back in every ISR, not when its port is bound
            command = c["readinessProbe"]["exec"]["command"][-1]
            assert command.startswith("exec /bin/bash /etc/kafka/config/ready.sh ${HOSTNAME##*-} ")
        spread = sets[name]["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert {s["topologyKey"] for s in spread} == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        [claim] = sets[name]["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["storageClassName"] == "events-encrypted"
    [sc] = of_kind(manifests, "StorageClass")
    assert sc["parameters"]["encrypted"] == "true" and sc["parameters"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert {p["metadata"]["name"]: p["spec"]["maxUnavailable"] for p in of_kind(manifests, "PodDisruptionBudget")} == {
        "kafka": 1, "zookeeper": 1}
    services = {s["metadata"]["name"]: s for s in of_kind(manifests, "Service")}
    for name, workload in (("kafka-headless", "kafka"), ("zookeeper-headless", "zookeeper")):
        assert services[name]["spec"]["clusterIP"] == "None" and sets[workload]["spec"]["serviceName"] == name
    [client] = [s for s in of_kind(manifests, "Service") if s["metadata"]["name"] == "kafka"]
    assert client["spec"]["type"] == "ClusterIP" and [p["port"] for p in client["spec"]["ports"]] == [9094]
    secrets = [r for r in run.resources if r.type == "kubernetes:core/v1:Secret"]
    assert secrets and all("stringData" in s.secret_inputs for s in secrets)
    assert len(of_kind(manifests, "Secret")) == len(secrets)
    assert all(set(m["stringData"].values()) == {REDACTED} for m in of_kind(manifests, "Secret"))
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack="k8s", preview=True)
    assert mandatory_count(verdicts, stack_diags) == 0
    said = [(v.resource.name, d.policy, d.level) for v in verdicts for d in v.diagnostics]
    # nothing but the accepted version risks of ZooKeeper mode, reported on every workload running 3.9.2
    assert sorted(said) == sorted((name, "kafka-version-risk-accepted", "advisory")
                                  for name in ("events-statefulset-kafka", "events-statefulset-zookeeper",
                                               "events-job-kafka-access")), said
    assert stack_diags == []


def test_configmaps_hold_exactly_what_the_renderers_give_the_real_cluster():
    from harness import e2e_broker_settings

    kafka, zk = config_files(ARGS)
    for i in range(ARGS.broker_count):
        assert kafka[f"server-{i}.properties"] == render_properties(server_properties(broker_settings(ARGS, i), 3))
    assert zk["zoo.cfg"] == render_properties(zoo_cfg(zookeeper_settings(ARGS)))
    # against the real e2e brokers, only addresses, ports, paths and the cluster name differ
    e2e = server_properties(e2e_broker_settings("events", 0, "127.0.0.1:1", Path("/w"), PemFiles("/k", "/t"),
                                                1, None, 3), 3)
    ours, real = parse_properties(kafka["server-0.properties"]), parse_properties(render_properties(e2e))
    differing = {k for k in set(ours) | set(real) if ours.get(k) != real.get(k)}
    assert differing <= {"listeners", "advertised.listeners", "log.dirs", "ssl.keystore.location",
                         "ssl.truststore.location", "zookeeper.ssl.keystore.location",
                         "zookeeper.ssl.truststore.location", "zookeeper.connect"}, differing


def test_zookeeper_configmap_differs_only_in_pod_keys_and_name_checks():
    _, zk = config_files(ARGS)
    # a pod cannot be named by reverse DNS, and its own name may not resolve at start: the three
    # settings below are the only ones where a pod's zoo.cfg differs from an EC2 node's
    pod = parse_properties(zk["zoo.cfg"])
    settings = zookeeper_settings(ARGS)
    ec2 = parse_properties(render_properties(zoo_cfg(replace(settings, verify_hostnames=True,
                                                              quorum_listen_on_all_ips=False))))
    assert {k for k in pod if not k.startswith("server.")} == {k for k in ec2 if not k.startswith("server.")}
    differ = {k for k in pod if pod[k] != ec2[k]}
    assert differ == {"ssl.hostnameVerification", "ssl.quorum.hostnameVerification", "quorumListenOnAllIPs"}


def netpol_cluster(manifests):
    return Cluster(of_kind(manifests, "NetworkPolicy"), {"kafka": {}, "outposts": {}, "web": {}, "kube-system": {}})


KAFKA = Pod("kafka-0", "kafka", {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/part-of": "secure-kafka"})
ZOOKEEPER = Pod("zookeeper-0", "kafka", {"app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/part-of": "secure-kafka"})
HQ = Pod("hq", "kafka", {"app": "empire-hq"})
OUTPOST = Pod("outpost", "outposts", {"app": "outpost"})
STRANGER = Pod("web", "web", {"app": "web"})
IMPOSTOR = Pod("fake", "web", {"app": "outpost"})  # right labels, wrong namespace
DNS = Pod("coredns", "kube-system", {"k8s-app": "kube-dns"})


def test_network_policies_allow_exactly_the_platforms_flows(stack):
    _, manifests = stack
    net = netpol_cluster(manifests)
    assert net.can_connect(HQ, KAFKA, 9094) and net.can_connect(OUTPOST, KAFKA, 9094)
    assert net.can_connect(KAFKA, Pod("kafka-1", "kafka", KAFKA.labels), 9094)
    assert net.can_connect(KAFKA, ZOOKEEPER, 2182)
    assert net.can_connect(ZOOKEEPER, Pod("zookeeper-1", "kafka", ZOOKEEPER.labels), 2888)
    assert net.can_connect(KAFKA, DNS, 53, "UDP")
    # denied
    assert not net.can_connect(HQ, ZOOKEEPER, 2182)  # clients never reach ZooKeeper
    assert not net.can_connect(OUTPOST, ZOOKEEPER, 2182)
    assert not net.can_connect(STRANGER, KAFKA, 9094) and not net.can_connect(IMPOSTOR, KAFKA, 9094)
    assert not net.can_connect(HQ, KAFKA, 9092) and not net.can_connect(HQ, KAFKA, 2888)
    assert not net.can_connect(KAFKA, ZOOKEEPER, 2888)  # quorum only among ZooKeeper pods
    assert not net.can_connect(KAFKA, External("93.184.216.34"), 443)  # broker -> internet
    assert not net.can_connect(ZOOKEEPER, External("8.8.8.8"), 53, "UDP")
    assert not net.can_connect(External("203.0.113.9"), KAFKA, 9094)


def test_the_evaluator_itself_follows_networkpolicy_semantics():
    allow = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "a", "namespace": "n"},
             "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                      "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}},
                                             "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In",
                                                                                   "values": ["api"]}]}},
                                            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.9.0.0/16"]}}],
                                   "ports": [{"port": "sql", "protocol": "TCP"}, {"port": 7000, "endPort": 7010}]}]}}
    db = Pod("db", "n", {"app": "db"}, ports={"sql": 5432})
    net = Cluster([allow], {"n": {}, "m": {"team": "x"}})
    api_elsewhere = Pod("api", "m", {"tier": "api"}, ip="192.168.0.5")
    assert net.can_connect(api_elsewhere, db, 5432) and net.can_connect(api_elsewhere, db, 7005)
    assert not net.can_connect(api_elsewhere, db, 7011)
    assert not net.can_connect(Pod("api", "n", {"tier": "api"}, ip="192.168.0.6"), db, 5432)  # namespace label missing
    assert net.can_connect(Pod("any", "n", {}, ip="10.3.0.1"), db, 5432)  # ipBlock peers match pod IPs too
    assert net.can_connect(External("10.1.2.3"), db, 5432) and not net.can_connect(External("10.9.0.1"), db, 5432)
    assert Cluster([], {}).can_connect(api_elsewhere, db, 1)  # nothing selects: not isolated


BAD = [
    ({"zookeeper_count": 2}, "zookeeper_count", "odd"),
    ({"zookeeper_count": 4}, "zookeeper_count", "odd"),
    ({"zookeeper_count": 1}, "zookeeper_count", "at least 3 nodes in prod"),
    ({"broker_count": 2, "replication_factor": 2}, "broker_count", "3-30 in prod"),
    ({"replication_factor": 4}, "replication_factor", "broker count (3)"),
    ({"storage_class": None}, "storage_class", "encrypted StorageClass"),
    ({"client_service_type": "LoadBalancer"}, "client_service_type", "No loadBalancerSourceRanges"),
    ({"client_service_type": "LoadBalancer", "load_balancer_source_ranges": ("0.0.0.0/0",)},
     "client_service_type", "guardrail says"),
    ({"client_service_type": "NodePort"}, "client_service_type", "guardrail says"),
    ({"client_service_type": "ExternalName"}, "client_service_type", "ClusterIP"),
    ({"listeners": ("PLAINTEXT",)}, "listeners", "TLS listeners only"),
    ({"image": "apache/kafka:latest"}, "image", "pinned"),
    ({"accept_version_risks": ()}, "kafka_version", "accept each by name in accept_version_risks: [CVE-2026-111115"),
    ({"accept_version_risks": (), "metadata_mode": "kraft", "kafka_version": "4.1.1"}, "kafka_version",
     "nearest: 4.2.2"),
    ({"metadata_mode": "kraft"}, "accept_version_risks", "remove CVE-2026-111115"),  # 4.4.0 has none of them
    ({"kafka_version": "4.4.0"}, "kafka_version", "a release that runs zookeeper mode (3.9.2)"),
    ({"image": "apache/kafka:3.9.2", "kafka_version": "3.9.1"}, "kafka_version", "the release the image runs (3.9.2"),
    ({"image": "registry.local/kafka@sha256:" + "a" * 64}, "kafka_version", "its reference does not name one"),
    ({"namespace": "kube-system"}, "namespace", "not kube-"),
    ({"access": (TopicGrant("kafka-broker", produce=("t",)),)}, "access[0].client", "not a node identity"),
    ({"access": (TopicGrant("a", produce=("bad topic",)),)}, "access[0].produce", "topic names"),
    ({"access": (TopicGrant("a"),)}, "access[0]", "at least one topic"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: KafkaOnKubernetes("kafka", replace(ARGS, **change)), setting, fragment)


def test_a_given_storage_class_is_used_and_none_is_created():
    manifests = kubernetes_manifests(record(lambda: KafkaOnKubernetes("kafka", ARGS)).resources)
    assert not of_kind(manifests, "StorageClass")
    claims = [c for s in of_kind(manifests, "StatefulSet") for c in s["spec"]["volumeClaimTemplates"]]
    assert len(claims) == 2 and {c["spec"]["storageClassName"] for c in claims} == {"gp3-encrypted"}


def test_an_internal_load_balancer_with_private_ranges_is_allowed():
    run = record(lambda: KafkaOnKubernetes("kafka", replace(ARGS, client_service_type="LoadBalancer",
                                                            load_balancer_source_ranges=("10.0.0.0/8",),
                                                            metadata_mode="kraft", accept_version_risks=())))
    [svc] = [m for m in kubernetes_manifests(run.resources) if m["kind"] == "Service" and m["metadata"]["name"] == "kafka"]
    assert svc["spec"]["type"] == "LoadBalancer" and svc["spec"]["loadBalancerSourceRanges"] == ["10.0.0.0/8"]
    assert svc["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"
    verdicts, _ = judge(ROOT / "policies", run.resources, project="p", stack="s", preview=False)
    assert not [d for v in verdicts for d in v.diagnostics]


def test_cilium_rules_say_what_the_kafka_acls_say():
    from secure_kafka.model.access import cilium_allows, kafka_acls, permitted

    run = record(lambda: KafkaOnKubernetes("kafka", ARGS))
    policies = {m["metadata"]["name"]: m for m in kubernetes_manifests(run.resources) if m["kind"] == "CiliumNetworkPolicy"}
    acls = kafka_acls(ARGS.access)
    for grant in ARGS.access:
        [rule] = policies[f"kafka-topics-{grant.client}"]["spec"]["ingress"]
        assert rule["fromEndpoints"][0]["matchLabels"]["k8s:io.kubernetes.pod.namespace"] == (grant.namespace or "kafka")
        kafka_rules = rule["toPorts"][0]["rules"]["kafka"]
        for topic in ("deathstar-plans", "empire-announce"):
            for role, op in (("produce", "WRITE"), ("consume", "READ")):
                by_acl = any(a.principal == grant.principal and a.name == topic and a.operation == op for a in acls)
                assert cilium_allows(kafka_rules, role, topic) == by_acl == permitted(ARGS.access, grant.client, role, topic)
    assert not cilium_allows(policies["kafka-topics-outpost"]["spec"]["ingress"][0]["toPorts"][0]["rules"]["kafka"],
                             "produce", "deathstar-plans")


@pytest.mark.parametrize("change,setting", [
    ({"zookeeperCount": 4}, "secure-kafka:kubernetes.zookeeperCount"),
    ({"access": [{"client": "a", "produce": ["t"], "bogus": 1}]}, "secure-kafka:kubernetes.access[0].bogus"),
    ({"access": "a"}, "secure-kafka:kubernetes.access"),
    ({"storageClass": None, "eksKmsKeyArn": None}, "secure-kafka:kubernetes.storageClass"),
])
def test_k8s_stack_config_errors_name_the_key(change, setting):
    base = {"environment": "prod", "platform": "kubernetes", "kubernetes": {"storageClass": "gp3-encrypted"}}
    with pytest.raises(ConfigError) as error:
        parse({**base, "kubernetes": {**base["kubernetes"], **change}})
    assert error.value.setting == setting, str(error.value)


def test_readme_command_runs_the_k8s_stack(capsys):
    from secure_kafka.gate.__main__ import main as gate_main

    assert gate_main(["--stack", "k8s", "--project-dir", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert "secure-kafka:k8s:Kafka" in out and "0 mandatory" in out


def test_cilium_policies_match_the_real_crd_and_1_20_is_refused(stack):
    import jsonschema

    from crds import cilium_network_policy_schema, l7_rule_kinds

    _, manifests = stack
    supported = cilium_network_policy_schema("v1.19.3")
    cnps = of_kind(manifests, "CiliumNetworkPolicy")
    assert cnps and "kafka" in l7_rule_kinds(supported)
    # The CRD's patterns are Go regexps (e.g. \\PC) that Python cannot compile, so the schema
    # itself is not meta-validated; every keyword our manifests touch is checked.
    validator = jsonschema.Draft7Validator(supported)
    for cnp in cnps:
        validator.validate(cnp)
    broken = copy.deepcopy(cnps[0])
    broken["spec"]["ingress"][0]["toPorts"][0]["rules"]["kafka"][0]["role"] = "write"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
    # Cilium 1.20 has no Kafka rules any more: the component refuses to target it
    assert "kafka" not in l7_rule_kinds(cilium_network_policy_schema("v1.20.2"))
    with pytest.raises(ConfigError, match="cilium_version='1.20'"):
        KafkaOnKubernetes("k", replace(ARGS, cilium_version="1.20"))

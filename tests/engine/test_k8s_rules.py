"""KAFKA-K8S-* in the engine, over the Analyzer protocol, and as checkov checks."""
import copy

import pytest

from kafka_guardrails import ADVISORY, MANDATORY, Resource, judge_resource, judge_stack
from secure_kafka.gate.analyzer import PolicyPack, StackResource

from pathlib import Path

PACK = Path(__file__).resolve().parents[2] / "policies"
STS = "kubernetes:apps/v1:StatefulSet"
HARDENED = {
    "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "kafka", "namespace": "data"},
    "spec": {"serviceName": "kafka", "selector": {"matchLabels": {"app": "kafka"}},
             "template": {"metadata": {"labels": {"app": "kafka"}}, "spec": {
                 "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                 "containers": [{"name": "kafka", "image": "apache/kafka:4.4.0",
                                 "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
                                 "resources": {"limits": {"cpu": "2", "memory": "4Gi"}}}]}}}}


def variant(path, value):
    out = copy.deepcopy(HARDENED)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return out


CONTAINER = ("spec", "template", "spec", "containers")
CASES = [
    ("privileged", variant(CONTAINER, [{**HARDENED["spec"]["template"]["spec"]["containers"][0],
                                        "securityContext": {"readOnlyRootFilesystem": True, "privileged": True}}]),
     "k8s-kafka-workload-hardened", "runs privileged"),
    ("root-user", variant(("spec", "template", "spec", "securityContext"), {"runAsUser": 0}),
     "k8s-kafka-workload-hardened", "runs as root"),
    ("maybe-root", variant(("spec", "template", "spec", "securityContext"), None),
     "k8s-kafka-workload-hardened", "may run as root"),
    ("writable-root", variant(CONTAINER, [{**HARDENED["spec"]["template"]["spec"]["containers"][0],
                                           "securityContext": {}}]),
     "k8s-kafka-workload-hardened", "writable root filesystem"),
    ("no-limits", variant(CONTAINER, [{**HARDENED["spec"]["template"]["spec"]["containers"][0], "resources": {}}]),
     "k8s-kafka-resource-limits", "no cpu or memory limit"),
]


def test_hardened_kafka_passes_and_non_kafka_workloads_are_ignored():
    assert judge_resource(Resource(STS, HARDENED)) == []
    nginx = variant(CONTAINER, [{"name": "web", "image": "nginx:1.27"}])
    nginx["spec"]["template"]["metadata"]["labels"] = {"app": "web"}
    assert judge_resource(Resource(STS, nginx)) == []


@pytest.mark.parametrize("name,props,policy,fragment", CASES, ids=[c[0] for c in CASES])
def test_each_weakening_is_found_in_every_shape(name, props, policy, fragment):
    from checkov_forms import terraform_values
    from kafka_guardrails.dialects import manifest_resource

    shapes = [Resource(STS, props), manifest_resource(props),
              Resource("kubernetes:core/v1:Pod", {"metadata": props["metadata"], "spec": props["spec"]["template"]["spec"]}),
              Resource("kubernetes_stateful_set_v1", terraform_values(STS, props))]
    assert len(shapes) == 4
    for resource in shapes:
        findings = judge_resource(resource)
        assert len(findings) == 1 and fragment in findings[0].message, (resource.type, findings)
        assert findings[0].policy == policy
        assert findings[0].level == (ADVISORY if policy == "k8s-kafka-resource-limits" else MANDATORY)


def test_a_patch_is_judged_on_what_it_sets():
    patch = "kubernetes:apps/v1:StatefulSetPatch"
    partial = {"metadata": {"name": "kafka", "namespace": "data"}, "spec": {"template": {"spec": {
        "containers": [{"name": "kafka", "image": "apache/kafka:4.4.0"}]}}}}
    assert judge_resource(Resource(patch, partial)) == []  # absent settings keep the live object's
    root = copy.deepcopy(partial)
    root["spec"]["template"]["spec"]["securityContext"] = {"runAsUser": 0}
    [finding] = judge_resource(Resource(patch, root))
    assert finding.policy == "k8s-kafka-workload-hardened" and "runs as root" in finding.message


def test_kafka_is_recognised_by_image_port_or_label():
    base = variant(CONTAINER, [{"name": "x", "image": "registry.local/streaming/cp-kafka:7.7.0"}])
    assert judge_resource(Resource(STS, base))
    by_port = variant(CONTAINER, [{"name": "x", "image": "internal/broker:1", "ports": [{"containerPort": 2181}]}])
    by_port["spec"]["template"]["metadata"]["labels"] = {"app": "broker"}
    assert judge_resource(Resource(STS, by_port))
    by_label = variant(CONTAINER, [{"name": "x", "image": "internal/broker:1"}])
    by_label["spec"]["template"]["metadata"]["labels"] = {"app.kubernetes.io/name": "zookeeper"}
    assert judge_resource(Resource(STS, by_label))


def test_a_namespace_running_kafka_without_a_network_policy_is_reported():
    workload = Resource(STS, HARDENED, urn="urn:sts")
    [finding] = judge_stack([workload])
    assert finding.rule_id == "KAFKA-K8S-003" and "'data'" in finding.message and finding.level == ADVISORY
    policy = Resource("kubernetes:networking.k8s.io/v1:NetworkPolicy",
                      {"metadata": {"name": "deny", "namespace": "data"}, "spec": {"podSelector": {}}})
    assert judge_stack([workload, policy]) == []
    elsewhere = Resource("kubernetes:networking.k8s.io/v1:NetworkPolicy",
                         {"metadata": {"name": "deny", "namespace": "other"}, "spec": {"podSelector": {}}})
    assert len(judge_stack([workload, elsewhere])) == 1


@pytest.mark.pack
def test_pack_reports_k8s_rules_over_the_protocol():
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        assert pack.analyze(STS, HARDENED, "urn:ok", "ok") == []
        for name, props, policy, fragment in CASES:
            [diag] = pack.analyze(STS, props, f"urn:{name}", name)
            assert diag.policy == policy and fragment in diag.message
            assert diag.level == ("advisory" if policy == "k8s-kafka-resource-limits" else "mandatory")
        [diag] = pack.analyze_stack([StackResource(STS, "kafka", "urn:pulumi:s::p::x::kafka", HARDENED)])
        assert diag.policy == "k8s-kafka-network-policy" and diag.level == "advisory"


@pytest.mark.checkov
def test_checkov_k8s_checks_on_manifests(tmp_path):
    import yaml

    from checkov_forms import run_checkov

    docs = [{**HARDENED, "metadata": {"name": "good", "namespace": "data"}}]
    for name, props, _, _ in CASES:
        docs.append({**props, "metadata": {"name": name, "namespace": "data"}})
    (tmp_path / "workloads.yaml").write_text(yaml.safe_dump_all(docs))
    results = run_checkov(tmp_path, "kubernetes", check_ids=("CKV_KAFKA_K8S_001", "CKV_KAFKA_K8S_002"))
    assert results[("CKV_KAFKA_K8S_001", "StatefulSet.data.good")] == "PASSED"
    assert results[("CKV_KAFKA_K8S_002", "StatefulSet.data.good")] == "PASSED"
    for name, _, policy, _ in CASES:
        check = "CKV_KAFKA_K8S_002" if policy == "k8s-kafka-resource-limits" else "CKV_KAFKA_K8S_001"
        assert results[(check, f"StatefulSet.data.{name}")] == "FAILED", name

"""Every pod template KafkaOnKubernetes renders, judged by the upstream Pod Security Admission
evaluator (k8s.io/pod-security-admission, the library the API server's PodSecurity admission runs)
at restricted:latest - not by our own reading of the manifests. Built from the Go module proxy into
.cache/psa by this test."""
import copy
import json
import os
import subprocess
from pathlib import Path

import pytest

from secure_kafka.model.access import TopicGrant
from secure_kafka.gate import run_program
from secure_kafka.gate.k8syaml import kubernetes_manifests
from secure_kafka.gate.mockrun import record
from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs
from secure_kafka.kubernetes.component import KafkaOnKubernetes
from helpers import ZK_MODE

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "kubernetes" / "psa"
BINARY = ROOT / ".cache" / "psa" / "psa"
WORKLOADS = {"StatefulSet", "Job", "Deployment", "DaemonSet", "Pod"}
# A debug build (no optimisation, no inlining): it judges a few pod templates, and compiling the Kubernetes
# API packages that way costs 67 CPU-s instead of 94 on a fresh cache. .ci/test's warm-up builds with the
# same flags, so this build finds its packages compiled.
BUILD_FLAGS = "-gcflags=all=-N -l"


@pytest.fixture(scope="module")
def evaluator():
    """The evaluator binary, rebuilt when its source changes (go build caches the rest)."""
    env = {**os.environ, "GOMODCACHE": str(ROOT / ".cache" / "go" / "mod"),
           "GOCACHE": str(ROOT / ".cache" / "go" / "build"), "GOFLAGS": "-modcacherw", "CGO_ENABLED": "0"}
    done = subprocess.run(["go", "build", BUILD_FLAGS, "-o", str(BINARY), "."], cwd=SOURCE, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return BINARY


def evaluate(binary, templates, level="restricted:latest"):
    done = subprocess.run([str(binary), level], input=json.dumps(templates), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout)
    assert [v["name"] for v in verdicts] == [t["name"] for t in templates]
    return verdicts


def pod_templates(manifests):
    out = []
    for m in manifests:
        if m["kind"] not in WORKLOADS:
            continue
        spec = m["spec"] if m["kind"] == "Pod" else m["spec"]["template"]["spec"]
        meta = m["metadata"] if m["kind"] == "Pod" else m["spec"]["template"].get("metadata", {})
        out.append({"name": f"{m['kind']}/{m['metadata']['name']}", "metadata": meta, "spec": spec})
    return out


VARIANTS = {
    "k8s stack": lambda: kubernetes_manifests(run_program(ROOT, "k8s").resources),
    "SASL, Cilium, clients": lambda: kubernetes_manifests(record(lambda: KafkaOnKubernetes("events", KafkaOnKubernetesArgs(
        cluster="events", storage_class="gp3-encrypted", listeners=("SSL", "SASL_SSL"), cilium=True,
        access=(TopicGrant("hq", produce=("plans",)), TopicGrant("outpost", consume=("plans",), namespace="o")))))
        .resources),
    "KRaft controllers": lambda: kubernetes_manifests(record(lambda: KafkaOnKubernetes("raft", KafkaOnKubernetesArgs(
        cluster="raft", storage_class="gp3-encrypted", metadata_mode="kraft"))).resources),
    "dev, one ZooKeeper, EKS storage": lambda: kubernetes_manifests(record(lambda: KafkaOnKubernetes("dev", KafkaOnKubernetesArgs(
        cluster="dev", environment="dev", broker_count=2, zookeeper_count=1, replication_factor=2, **ZK_MODE,
        eks_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/0c0ffee0-0000-4000-8000-c0ffee000002")))
        .resources),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_pod_template_passes_restricted_latest(evaluator, variant):
    manifests = VARIANTS[variant]()
    templates = pod_templates(manifests)
    workloads = [m for m in manifests if m["kind"] in WORKLOADS]
    assert len(templates) == len(workloads) >= 3  # brokers, ZooKeeper, the access job
    verdicts = evaluate(evaluator, templates)
    assert [v for v in verdicts if not v["allowed"]] == []


def test_the_evaluator_flags_what_restricted_forbids(evaluator):
    """Negative controls: the same templates, each with one hardening line removed, are refused."""
    [template, *_] = pod_templates(VARIANTS["k8s stack"]())
    def without(mutate):
        broken = copy.deepcopy(template)
        mutate(broken["spec"])
        return broken
    def drop_non_root(spec):
        spec.get("securityContext", {}).pop("runAsNonRoot", None)
        for c in spec["containers"] + spec.get("initContainers", []):
            c.get("securityContext", {}).pop("runAsNonRoot", None)
    def add_capability(spec):
        spec["containers"][0]["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]
    def host_network(spec):
        spec["hostNetwork"] = True
    cases = {"runAsNonRoot": drop_non_root, "NET_ADMIN": add_capability, "host namespaces": host_network}
    verdicts = evaluate(evaluator, [{**without(m), "name": n} for n, m in cases.items()])
    assert len(verdicts) == 3
    for verdict in verdicts:
        assert not verdict["allowed"] and any(verdict["name"] in r or verdict["name"].lower() in r.lower()
                                              for r in verdict["forbidden"]), verdict


def test_a_misspelled_field_is_an_error_not_an_absence(evaluator):
    [template, *_] = pod_templates(VARIANTS["k8s stack"]())
    broken = copy.deepcopy(template)
    broken["spec"]["securityContextt"] = broken["spec"].pop("securityContext", {})
    done = subprocess.run([str(evaluator)], input=json.dumps([broken]), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and 'unknown field "securityContextt"' in done.stderr

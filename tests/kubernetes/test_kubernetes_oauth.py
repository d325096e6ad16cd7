"""Opt-in OAuth on KafkaOnKubernetes: the brokers' configs and JVM allow-list as on EC2 (one renderer,
proven on the real servers in tests/e2e), the provider's CA in their ConfigMap, and one network-policy
hole: the broker pods to the provider's ranges on 443, nothing else and no other pod."""
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import assert_refused, assert_schema_valid

from kafka_guardrails.netpol import Cluster, External, Pod
from secure_kafka import KafkaOnKubernetesArgs, OAuthArgs
from secure_kafka.gate.k8syaml import kubernetes_manifests
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.kubernetes.component import KafkaOnKubernetes
from secure_kafka.kubernetes.manifests import OAUTH_CA
from secure_kafka.model.oauth import BROKER_VALIDATOR, LOGIN_MODULE, VALIDATING_HANDLER
from secure_kafka.render import parse_properties
from secure_kafka.render.jvm import OAUTH_URLS_PROPERTY

ROOT = Path(__file__).resolve().parents[2]
JWKS = "https://login.example.com/realms/orders/protocol/openid-connect/certs"
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
OAUTH = OAuthArgs(jwks_endpoint_url=JWKS, allowed_urls=[JWKS], expected_issuer="https://login.example.com/realms/orders",
                  expected_audience=["kafka-orders"], jwt_validator=BROKER_VALIDATOR, jwks_ca_pem=CA)
ARGS = KafkaOnKubernetesArgs(cluster="orders", storage_class="gp3-encrypted", listeners=["SSL", "SASL_SSL"],
                             oauth=OAUTH, https_egress_cidrs=["192.0.2.0/24"])
LABELS = {"app.kubernetes.io/part-of": "secure-kafka"}
KAFKA = Pod("kafka-0", "kafka", {"app.kubernetes.io/name": "kafka", **LABELS})
CONTROLLER = Pod("kafka-controller-0", "kafka", {"app.kubernetes.io/name": "kafka-controller", **LABELS})
ADMIN = Pod("kafka-access", "kafka", {"app.kubernetes.io/name": "kafka-admin", **LABELS})


@pytest.fixture(scope="module")
def built():
    run = record(lambda: KafkaOnKubernetes("orders", ARGS))
    return run, kubernetes_manifests(run.resources)


def named(manifests, kind, name):
    [found] = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    return found


def env_of(manifests, workload, container):
    spec = named(manifests, "StatefulSet" if workload != "kafka-access" else "Job", workload)["spec"]["template"]["spec"]
    [found] = [c for c in spec["containers"] if c["name"] == container]
    return {e["name"]: e["value"] for e in found["env"]}


def test_the_brokers_take_signed_tokens_and_trust_the_providers_ca_from_their_config_map(built):
    _, manifests = built
    data = named(manifests, "ConfigMap", "kafka-config")["data"]
    assert data[OAUTH_CA.rsplit("/", 1)[1]] == CA
    for index in range(3):
        server = parse_properties(data[f"server-{index}.properties"])
        assert server["sasl.enabled.mechanisms"] == "SCRAM-SHA-512,OAUTHBEARER"
        assert server["listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class"] == VALIDATING_HANDLER
        assert server["sasl.oauthbearer.jwt.validator.class"] == BROKER_VALIDATOR
        assert f'ssl.truststore.location="{OAUTH_CA}"' in server["listener.name.sasl_ssl.oauthbearer.sasl.jaas.config"]
    assert_schema_valid(manifests)


def test_only_the_broker_pods_may_fetch_the_providers_url(built):
    _, manifests = built
    broker = env_of(manifests, "kafka", "kafka")["KAFKA_OPTS"]
    controller = env_of(manifests, "kafka-controller", "kafka-controller")["KAFKA_OPTS"]
    assert f"-D{OAUTH_URLS_PROPERTY}={JWKS}" in broker.split() and LOGIN_MODULE in broker
    assert f"-D{OAUTH_URLS_PROPERTY}=" in controller.split() and LOGIN_MODULE not in controller


def test_the_network_opens_443_to_the_providers_ranges_for_the_brokers_only(built):
    _, manifests = built
    net = Cluster([m for m in manifests if m["kind"] == "NetworkPolicy"], {"kafka": {}, "kube-system": {}})
    assert net.can_connect(KAFKA, External("192.0.2.10"), 443)
    assert not net.can_connect(KAFKA, External("192.0.2.10"), 80)
    assert not net.can_connect(KAFKA, External("198.51.100.7"), 443)
    assert not net.can_connect(CONTROLLER, External("192.0.2.10"), 443)
    assert not net.can_connect(ADMIN, External("192.0.2.10"), 443)


def test_without_oauth_no_pod_reaches_outside(built):
    run = record(lambda: KafkaOnKubernetes("plain", replace(ARGS, oauth=None, https_egress_cidrs=())))
    manifests = kubernetes_manifests(run.resources)
    net = Cluster([m for m in manifests if m["kind"] == "NetworkPolicy"], {"kafka": {}, "kube-system": {}})
    assert not net.can_connect(KAFKA, External("192.0.2.10"), 443)
    assert "oauthbearer" not in named(manifests, "ConfigMap", "kafka-config")["data"]["server-0.properties"]


def test_the_pack_finds_nothing_mandatory(built):
    run, _ = built
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack="k8s", preview=True)
    assert verdicts and mandatory_count(verdicts, stack_diags) == 0


@pytest.mark.parametrize("change, setting, fragment", [
    ({"https_egress_cidrs": ()}, "https_egress_cidrs", "the brokers fetch its keys on 443"),
    ({"https_egress_cidrs": ["0.0.0.0/0"]}, "https_egress_cidrs", "not the whole internet"),
    ({"https_egress_cidrs": ["login.example.com"]}, "https_egress_cidrs", "a CIDR"),
    ({"oauth": None}, "https_egress_cidrs", "empty without oauth"),
    ({"listeners": ["SSL"]}, "listeners", "OAuth logins ride the SASL_SSL listener"),
    ({"oauth": replace(OAUTH, expected_audience=[])}, "oauth.expected_audience", "a non-empty list"),
    ({"oauth": replace(OAUTH, jwt_validator="org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator")},
     "oauth.jwt_validator", "CVE-2026-33557"),
])
def test_an_unsafe_setting_is_refused_before_anything_is_registered(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: KafkaOnKubernetes("orders", replace(ARGS, **change)), setting, fragment)

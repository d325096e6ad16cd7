"""Each security line of the rendered configs, weakened on purpose, is caught by its claim.

A mutation changes one line of what a server is started with (or of a rendered boot command); the
cluster must still start; the claim that guards that line must then fail with an AssertionError.
The list is the note's table of mutations and the claims that catch them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

import claims
from harness import HOST, KafkaCluster, free_ports

pytestmark = pytest.mark.mutation  # its own suite: the e2e suite is the claims themselves


def _broker(key: str, value: Any) -> Callable[[str, int, dict], dict]:
    def mutate(role: str, index: int, config: dict) -> dict:
        return {**config, key: value} if role == "broker" else config
    return mutate


def _brokers(values: dict) -> Callable[[str, int, dict], dict]:
    def mutate(role: str, index: int, config: dict) -> dict:
        return {**config, **values} if role == "broker" else config
    return mutate


def _without(key: str, on: str = "broker") -> Callable[[str, int, dict], dict]:
    def mutate(role: str, index: int, config: dict) -> dict:
        assert role != on or key in config, f"{key} is not rendered: nothing to take away"
        return {k: v for k, v in config.items() if k != key} if role == on else config
    return mutate


def _zookeeper(key: str, value: Any) -> Callable[[str, int, dict], dict]:
    def mutate(role: str, index: int, config: dict) -> dict:
        return {**config, key: value} if role == "zookeeper" else config
    return mutate


def _extra_plaintext_listener() -> Callable[[str, int, dict], dict]:
    ports = free_ports(4)

    def mutate(role: str, index: int, config: dict) -> dict:
        if role != "broker":
            return config
        return {**config, "listeners": f"{config['listeners']},PLAINTEXT://{HOST}:{ports[index]}",
                "listener.security.protocol.map": "SSL:SSL,SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT"}
    return mutate


def _audit_off(version: str, log_dir: str, allowed: bool = True) -> Any:
    """The rendered log configuration with the authorizer's logger turned off."""
    from secure_kafka.render.kafka import AUDIT_LOGGER, LogConfig, log_config

    config = log_config(version, log_dir, allowed)
    props = dict(config.properties)
    for key in (f"log4j.logger.{AUDIT_LOGGER}", "logger.audit.level"):
        if key in props:
            props[key] = "OFF, audit" if key.startswith("log4j.") else "OFF"
    return LogConfig(config.file, props)


@dataclass
class Mutation:
    name: str
    claim: Callable[[KafkaCluster], None]
    mutate: Optional[Callable[[], Callable[[str, int, dict], dict]]] = None
    cluster: dict = field(default_factory=lambda: {"zookeepers": 1, "brokers": 2, "sasl": False})
    check: tuple[str, str, str] = ("", "", "")  # (role, key, fragment) the running config must show
    wait: bool = True
    patch: Optional[tuple[str, Callable[..., Any]]] = None  # (attribute path, replacement) for rendered commands
    message: str = ""  # the claim's failure must say this (which of its checks caught the mutation)


def _broken_quota_arguments(quota, bootstrap, command_config, user=None):
    from secure_kafka.render.kafka import quota_arguments
    return [a.replace("producer_byte_rate", "producer_rate") for a in quota_arguments(quota, bootstrap,
                                                                                          command_config, user)]


MUTATIONS = [
    Mutation("extra PLAINTEXT listener", claims.surface, _extra_plaintext_listener,
             check=("broker", "listeners", "PLAINTEXT://")),
    # TLSv1.1 added to the protocols alone is still refused: the rendered suites are all TLS 1.2+.
    # So the mutation also adds a suite TLS 1.1 can use; the failure must be the version check's.
    Mutation("TLSv1.1 enabled", claims.tls_versions_and_ciphers,
             lambda: _brokers({"ssl.enabled.protocols": "TLSv1.3,TLSv1.2,TLSv1.1",
                               "ssl.cipher.suites": "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
                                                    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}),
             check=("broker", "ssl.enabled.protocols", "TLSv1.1"), message="TLSv1_1"),
    Mutation("static-RSA and CBC suites allowed", claims.tls_versions_and_ciphers,
             lambda: _broker("ssl.cipher.suites", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
                                                  "TLS_RSA_WITH_AES_128_GCM_SHA256"),
             check=("broker", "ssl.cipher.suites", "TLS_RSA_WITH")),
    Mutation("inter-broker endpoint identification off", claims.brokers_check_each_others_names,
             lambda: _broker("ssl.endpoint.identification.algorithm", ""),
             cluster={"cluster": "names", "zookeepers": 1, "brokers": 2, "sasl": False,
                      "cert_hosts": {"broker1": [claims.WRONG_HOST]}},
             check=("broker", "ssl.endpoint.identification.algorithm", "")),
    Mutation("ZooKeeper endpoint identification off", claims.brokers_check_zookeeper_names,
             lambda: _broker("zookeeper.ssl.endpoint.identification.algorithm", ""),
             cluster={"cluster": "zknames", "zookeepers": 1, "brokers": 2, "sasl": False,
                      "cert_hosts": {"zk0": [claims.WRONG_HOST]}},
             check=("broker", "zookeeper.ssl.endpoint.identification.algorithm", ""), wait=False),
    Mutation("4lw.commands.whitelist=*", claims.four_letter_words, lambda: _zookeeper("4lw.commands.whitelist", "*"),
             check=("zookeeper", "4lw.commands.whitelist", "*")),
    Mutation("quorum hostname verification off", lambda c: claims.zookeeper_name_checks(c, quorum_verifies=True),
             lambda: _zookeeper("ssl.quorum.hostnameVerification", False),
             cluster={"zookeepers": 3, "brokers": 2, "sasl": False},
             check=("zookeeper", "ssl.quorum.hostnameVerification", "false")),
    Mutation("min.insync.replicas=1", claims.isr_floor_and_no_unclean_election,
             lambda: _broker("min.insync.replicas", 1), cluster={"zookeepers": 1, "brokers": 3, "sasl": False},
             check=("broker", "min.insync.replicas", "1")),
    Mutation("unclean.leader.election.enable=true", claims.isr_floor_and_no_unclean_election,
             lambda: _broker("unclean.leader.election.enable", True),
             cluster={"zookeepers": 1, "brokers": 3, "sasl": False},
             check=("broker", "unclean.leader.election.enable", "true")),
    Mutation("boot quota command broken", claims.default_quota_from_the_boot_command,
             patch=("secure_kafka.aws.self_managed.quota_arguments", _broken_quota_arguments)),
    # OAuth on: without the signature-checking handler Kafka falls back to its unsecured one (3.9), and
    # with a validator that checks no signature (4.x, the CVE-2026-33557 default) any issuer gets in
    Mutation("OAuth validating handler removed", claims.oauth_logins,
             lambda: _without("listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class"),
             cluster={"zookeepers": 1, "brokers": 2, "sasl": True, "oauth": True},
             message="unsigned (alg none): []"),
    Mutation("OAuth JWT validator that checks no signature", claims.oauth_logins,
             lambda: _broker("sasl.oauthbearer.jwt.validator.class",
                             "org.apache.kafka.common.security.oauthbearer.ClientJwtValidator"),
             cluster={"metadata": "kraft", "controllers": 1, "brokers": 2, "sasl": True, "oauth": True},
             check=("broker", "sasl.oauthbearer.jwt.validator.class", "ClientJwtValidator"),
             message="another issuer: []"),
    Mutation("controllers without the login policy", claims.runtime_login_changes_are_refused,
             lambda: _without("alter.config.policy.class.name", on="controller"),
             cluster={"metadata": "kraft", "controllers": 1, "brokers": 2, "sasl": True},
             message="stored"),
    Mutation("authorizer log off", lambda c: claims.investigation_answers(c, claims.incident_trail(c)),
             cluster={"zookeepers": 1, "brokers": 2, "sasl": True}, patch=("harness.log_config", _audit_off),
             message="the user's reads and writes are not in the audit"),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_the_claim_catches_the_weakened_line(mutation, monkeypatch):
    if mutation.patch:
        monkeypatch.setattr(*mutation.patch)
    cluster = KafkaCluster(**{"cluster": "mutant", **mutation.cluster},
                           mutate=mutation.mutate() if mutation.mutate else None)
    try:
        cluster.start(wait=mutation.wait)
        role, key, fragment = mutation.check
        if key:  # the mutation really reached the running config
            running = cluster.rendered(role, 0)[key]
            assert fragment.lower() in running.lower() if fragment else running == "", running
        with pytest.raises(AssertionError) as caught:
            mutation.claim(cluster)
        assert mutation.message in str(caught.value)
    finally:
        cluster.cleanup()

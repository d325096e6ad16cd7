"""The security claims about the rendered configs, as checks on a running cluster.

Each claim raises AssertionError when the running servers do not behave as claimed. The e2e tests
run them on clusters booted from the renderers (they pass); the mutation tests run the same claim on
a cluster whose rendered config was weakened in one line (it must fail). Expected values come from
the configuration files the servers were started with, never from constants in the tests.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import re
import shlex
import signal
import ssl
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

import yaml
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicCollection
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, AlterConfigOpType,
                                   ConfigEntry, ConfigResource,
                                   NewTopic, ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism,
                                   UserScramCredentialUpsertion)

import probes
from harness import HOST, KafkaCluster, new_authority
from jvmcache import flags, shared
from kafka_guardrails.versions import DEFAULTS, risk_ids

QUIET = {"log_level": 0}
REFUSING_ALERTS = ("TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_UNKNOWN_CA",
                   "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "SSLV3_ALERT_HANDSHAKE_FAILURE")
NOT_WHITELISTED = b"is not executed because it is not in the whitelist"


# --- clients ---------------------------------------------------------------------------------
def admin(cluster: KafkaCluster) -> AdminClient:
    return AdminClient({**cluster.tls_config(cluster.operator()), **QUIET})


def create_topic(cluster: KafkaCluster, name: str, partitions: int = 1, replication: Optional[int] = 0) -> None:
    """A topic on every broker (up to 3); `replication=None` leaves replication (and every config)
    to the brokers' defaults. On a cluster just started, a request could wait out all of librdkafka's
    60 s and never be answered (twice in the suite, once on an idle machine): each attempt has a client
    of its own, with fresh metadata, and 15 s."""
    if replication == 0:
        replication = min(3, cluster.brokers)
    topic = NewTopic(name, partitions) if replication is None else NewTopic(name, partitions, replication)
    deadline, tried = time.monotonic() + 90, False
    while True:
        client = admin(cluster)  # keep the handle alive until the future resolves
        try:
            client.create_topics([topic], request_timeout=15)[name].result(timeout=20)
            return
        except KafkaException as error:
            code = error.args[0].code()
            if code == KafkaError.TOPIC_ALREADY_EXISTS and tried:
                return  # made by an attempt whose answer never came
            # INVALID_REPLICATION_FACTOR: a controller that has not seen every broker register yet
            if code not in (KafkaError.INVALID_REPLICATION_FACTOR, KafkaError._TIMED_OUT,
                            KafkaError.REQUEST_TIMED_OUT) or time.monotonic() > deadline:
                raise
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
        tried = True
        time.sleep(1)


def answered(cluster: KafkaCluster, call: Callable[[Any], dict], seconds: int = 90) -> None:
    """An idempotent admin call (a SCRAM upsert, ACLs) until the cluster answers it. A cluster just started
    may not name its controller within librdkafka's timeout ("Failed while waiting for controller", once
    in the suite): each attempt has a client of its own and 15 s."""
    deadline = time.monotonic() + seconds
    while True:
        client = admin(cluster)  # keep the handle alive until the futures resolve
        try:
            for future in call(client).values():
                future.result(timeout=20)
            return
        except KafkaException as error:
            if error.args[0].code() not in (KafkaError._TIMED_OUT, KafkaError.REQUEST_TIMED_OUT) or \
                    time.monotonic() > deadline:
                raise
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
        time.sleep(1)


def upsert_scram(cluster: KafkaCluster, user: str, password: str) -> None:
    upsert = UserScramCredentialUpsertion(user, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                          password.encode())
    answered(cluster, lambda client: client.alter_user_scram_credentials([upsert], request_timeout=15))


def grant(cluster: KafkaCluster, principal: str, topic: str, group: Optional[str] = None,
          operations: tuple = (AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)) -> None:
    bindings = [AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, principal, "*", op,
                           AclPermissionType.ALLOW) for op in operations]
    if group:
        bindings.append(AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, principal, "*",
                                   AclOperation.READ, AclPermissionType.ALLOW))
    answered(cluster, lambda client: client.create_acls(bindings, request_timeout=15))


def produce(config: dict, topic: str, values: list[bytes], timeout: int = 30,
            once: bool = False) -> tuple[list, list]:
    """Produce with acks=all; return (acknowledged values, errors). `once`: no retries (and so no
    idempotence), so that the broker's own refusal is the error reported, not a final timeout."""
    acked: list = []
    errors: list = []

    def report(err, msg):
        (errors if err else acked).append(err if err else msg.value())

    retry = {"enable.idempotence": False, "retries": 0} if once else {"enable.idempotence": True}
    producer = Producer({**config, **QUIET, "acks": "all", **retry, "message.timeout.ms": timeout * 1000})
    try:  # a refusal the client already knows (topic metadata, a producer id) is raised, not delivered
        for value in values:
            producer.produce(topic, value, on_delivery=report)
            producer.poll(0)
        producer.flush(timeout + 5)
    except KafkaException as refused:
        errors.append(refused.args[0])
    return acked, errors


def produce_once_allowed(config: dict, topic: str, values: list[bytes], timeout: int = 60) -> tuple[list, list]:
    """ACL changes reach every broker through ZooKeeper watches, asynchronously: retry the first
    batch until it is no longer refused (each retry still has to be fully acknowledged)."""
    deadline = time.monotonic() + timeout
    while True:
        acked, errors = produce(config, topic, values, timeout=10)
        refused = [e for e in errors if e.code() in (KafkaError.TOPIC_AUTHORIZATION_FAILED,
                                                     KafkaError.CLUSTER_AUTHORIZATION_FAILED)]
        if not refused or time.monotonic() > deadline:
            return acked, errors
        time.sleep(1)


def consume(config: dict, topic: str, group: str, expected: int, timeout: int = 60) -> tuple[list, list]:
    consumer = Consumer({**config, **QUIET, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    got: list = []
    errors: list = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < expected and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                errors.append(msg.error())
                if msg.error().code() in (KafkaError.TOPIC_AUTHORIZATION_FAILED,
                                          KafkaError.GROUP_AUTHORIZATION_FAILED):
                    break
                continue
            got.append(msg.value())
    finally:
        consumer.close()
    return got, errors


def connection_errors(config: dict, seconds: float = 12) -> list[KafkaError]:
    """The errors a client reports while it tries to reach the cluster: polled until the broker's
    refusal (authentication or TLS) shows up, or `seconds` pass."""
    errors: list[KafkaError] = []
    producer = Producer({**config, **QUIET, "error_cb": errors.append, "socket.timeout.ms": 4000,
                         "reconnect.backoff.ms": 500})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not any(
            e.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL) for e in errors):
        producer.poll(0.5)
    return errors


# --- the surface: exactly the expected sockets, each refusing what it must -------------------------
def expected_sockets(cluster: KafkaCluster) -> dict[str, set[int]]:
    out = {}
    for index, server in enumerate(cluster.kafka_servers):
        config = cluster.rendered("broker", index)
        out[server.name] = {int(l.rsplit(":", 1)[1]) for l in config["listeners"].split(",")}
    return out


def surface(cluster: KafkaCluster) -> None:
    """Every socket each server listens on, read from the OS, is one the config declares, bound to
    127.0.0.1; and every one of them refuses plaintext, a missing and a foreign certificate, while
    the same probe with a cluster certificate gets an answer (positive control, per port)."""
    good = cluster.client("prober")
    foreign = cluster.client("prober", ca=new_authority(cluster.cluster))  # same names, other key
    request = probes.api_versions_request()
    declared = expected_sockets(cluster)
    assert len(declared) == cluster.brokers
    for server in cluster.kafka_servers:
        found = cluster.listening(server, expected=declared[server.name])
        assert {addr for addr, _ in found} == {HOST}, (server.name, found)
        ports = {port for _, port in found}
        assert ports == declared[server.name], (server.name, sorted(ports), sorted(declared[server.name]))
        for port in sorted(ports):
            answer = probes.tls(port, request, good.ca, good.cert, good.key)
            assert answer.kind == "answer" and probes.is_kafka_answer(answer.data), (server.name, port, answer)
            plain = probes.plaintext(port, request)
            assert plain.refused and not probes.is_kafka_answer(plain.data), (server.name, port, plain)
            certless = probes.tls(port, request, good.ca)
            assert certless.kind == "alert" and certless.detail in REFUSING_ALERTS, (server.name, port, certless)
            stranger = probes.tls(port, request, good.ca, foreign.cert, foreign.key)
            assert stranger.kind == "alert" and stranger.detail in REFUSING_ALERTS, (server.name, port, stranger)
    zookeeper_surface(cluster, good, foreign)
    controller_surface(cluster, good, foreign, request)


def controller_surface(cluster: KafkaCluster, good, foreign, request: bytes) -> None:
    """KRaft controllers: only their CONTROLLER listener, TLS with client certificates required."""
    assert len(cluster.controller_servers) == cluster.controllers
    for index, server in enumerate(cluster.controller_servers):
        config = cluster.rendered("controller", index)
        declared = {int(l.rsplit(":", 1)[1]) for l in config["listeners"].split(",")}
        found = cluster.listening(server, expected=declared)
        assert {addr for addr, _ in found} == {HOST}, (server.name, found)
        assert {port for _, port in found} == declared, (server.name, found, declared)
        for port in sorted(declared):
            answer = probes.tls(port, request, good.ca, good.cert, good.key)
            assert answer.kind == "answer" and probes.is_kafka_answer(answer.data), (server.name, port, answer)
            assert probes.plaintext(port, request).refused, (server.name, port)
            for who in (None, foreign):
                refused = probes.tls(port, request, good.ca, who.cert if who else None, who.key if who else None)
                assert refused.kind == "alert" and refused.detail in REFUSING_ALERTS, (server.name, port, refused)


def zookeeper_surface(cluster: KafkaCluster, good, foreign) -> None:
    leaders = 0
    assert len(cluster.zk_servers) == cluster.zookeepers
    for index, (server, member) in enumerate(zip(cluster.zk_servers, cluster.zk_members)):
        config = cluster.rendered("zookeeper", index)
        client_port = int(config["secureClientPort"])
        found = cluster.listening(server)
        assert {addr for addr, _ in found} == {HOST}, (server.name, found)
        ports = {port for _, port in found}
        # the election port always; the quorum port on the leader only; nothing else (no clientPort,
        # no admin server, no JMX)
        allowed = {client_port, member.election_port, member.quorum_port}
        assert {client_port} <= ports <= allowed, (server.name, sorted(ports), sorted(allowed))
        if cluster.zookeepers > 1:
            assert member.election_port in ports
        leaders += member.quorum_port in ports
        ruok = probes.tls(client_port, b"ruok", good.ca, good.cert, good.key)
        assert ruok.data == b"imok", (server.name, ruok)  # positive control
        plain = probes.plaintext(client_port, probes.zookeeper_connect_request())
        assert plain.refused, (server.name, plain)
        certless = probes.tls(client_port, b"ruok", good.ca)
        assert certless.kind in ("alert", "closed") and certless.data != b"imok", (server.name, certless)
        stranger = probes.tls(client_port, b"ruok", good.ca, foreign.cert, foreign.key)
        assert stranger.kind in ("alert", "closed") and stranger.data != b"imok", (server.name, stranger)
        # quorum and election ports: TLS only, and only for the ensemble's own certificates
        node = cluster.zk_ids[index]
        for port in sorted(ports - {client_port}):
            shaken = probes.handshake(port, node.ca, node.cert, node.key)
            assert shaken.kind == "handshake", (server.name, port, shaken)
            assert probes.plaintext(port, b"\x00" * 32).refused, (server.name, port)
            refused = probes.tls(port, b"\x00" * 32, node.ca, foreign.cert, foreign.key)
            assert refused.kind in ("alert", "closed"), (server.name, port, refused)
    if cluster.zookeepers > 1 and leaders != 1:
        # an election in flight (a loaded machine can time a follower out): exactly one member must
        # lead, i.e. listen on its quorum port, once it is over
        def one_leader() -> bool:
            return sum(member.quorum_port in {port for _, port in probes.listening(server.process.pid)}
                       for server, member in zip(cluster.zk_servers, cluster.zk_members)) == 1
        _wait("exactly one ZooKeeper member leads (listens on its quorum port)", one_leader, 60)
    elif cluster.zookeepers == 1:
        assert leaders == 0  # a single server has no quorum port to open


# --- TLS versions and cipher suites ------------------------------------------------------------------
def tls_ports(cluster: KafkaCluster) -> list[tuple[str, int, object]]:
    """(what, port, identity that gets an answer there) for every TLS port of the cluster."""
    out = []
    for server in cluster.kafka_servers:  # once every declared port is bound (a slow start on a loaded machine)
        for _, port in sorted(cluster.listening(server, server.ports)):
            out.append((server.name, port, None))
    for index, server in enumerate(cluster.zk_servers):
        out.append((server.name, int(cluster.rendered("zookeeper", index)["secureClientPort"]), None))
        if cluster.zookeepers > 1:
            out.append((f"{server.name} election", cluster.zk_members[index].election_port, cluster.zk_ids[index]))
    for voter, server in zip(cluster.voters, cluster.controller_servers):
        out.append((server.name, voter.port, None))
    return out


def tls_versions_and_ciphers(cluster: KafkaCluster) -> None:
    """TLS 1.0 and 1.1 are refused with a protocol_version alert, and so is a weak suite (static RSA
    key exchange, CBC) with handshake_failure - on a JDK that would allow all of them; TLS 1.2 with a
    forward-secret AEAD suite works (positive control). Every TLS port of brokers and ZooKeeper."""
    client = cluster.client("tls-prober")
    ports = tls_ports(cluster)
    assert len(ports) >= cluster.brokers + cluster.zookeepers + cluster.controllers
    for what, port, node in ports:
        who = node or client
        ok = probes.handshake(port, who.ca, who.cert, who.key, version=ssl.TLSVersion.TLSv1_2,
                              ciphers="ECDHE-RSA-AES128-GCM-SHA256")
        assert ok.kind == "handshake", (what, port, ok)
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            old = probes.handshake(port, who.ca, who.cert, who.key, version=version)
            assert old.kind == "alert" and old.detail == "TLSV1_ALERT_PROTOCOL_VERSION", (what, port, version, old)
        # static-RSA key exchange (no forward secrecy), CBC with SHA-2 and with SHA-1
        for weak in ("AES128-GCM-SHA256", "AES256-SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA"):
            refused = probes.handshake(port, who.ca, who.cert, who.key, version=ssl.TLSVersion.TLSv1_2,
                                       ciphers=f"{weak}:@SECLEVEL=0")
            assert refused.kind == "alert" and refused.detail == "SSLV3_ALERT_HANDSHAKE_FAILURE", (what, port, weak,
                                                                                                  refused)


# --- ZooKeeper ----------------------------------------------------------------------------------------
# Every four-letter word ZooKeeper 3.8 knows. `srvr` answers whatever the whitelist says:
# ZooKeeper adds it itself (zkServer.sh status uses it), so it is pinned here, not denied.
FOUR_LETTER_WORDS = ("conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat", "wchs", "wchc", "wchp",
                     "mntr", "isro", "hash", "gtmk", "stmk", "dirs")
ALWAYS_ON = {"srvr"}


def four_letter_words(cluster: KafkaCluster) -> None:
    """Only the whitelisted `ruok` (and `srvr`, which ZooKeeper always enables) answers; every other word
    is refused as not whitelisted."""
    good = cluster.client("fourletter")
    assert len(cluster.zk_servers) == cluster.zookeepers
    for index, server in enumerate(cluster.zk_servers):
        config = cluster.rendered("zookeeper", index)
        port = int(config["secureClientPort"])
        whitelisted = set(config["4lw.commands.whitelist"].split(","))
        answering = set()
        for word in FOUR_LETTER_WORDS:
            reply = probes.tls(port, word.encode(), good.ca, good.cert, good.key)
            assert reply.kind == "answer", (server.name, word, reply)
            if NOT_WHITELISTED not in reply.data:
                answering.add(word)
        assert "ruok" in whitelisted and answering == {"ruok"} | ALWAYS_ON, (server.name, sorted(answering))


def zookeeper_name_checks(cluster: KafkaCluster, quorum_verifies: bool) -> None:
    """Where ZooKeeper checks certificate host names. Quorum and election ports: a member certificate
    from the cluster CA issued for another host is refused where the config verifies names (EC2) and
    accepted where it deliberately does not (Kubernetes pods). The client port never checks client
    host names (ZooKeeper's client TLS does not; a client is its certificate's DN): pinned here."""
    right = cluster.client("named-right")
    wrong = cluster.client_for_hosts("named-wrong", ["wrong.example.invalid"])
    impostor = cluster.zookeeper_identity_for_hosts(["wrong.example.invalid"])
    assert len(cluster.zk_servers) == cluster.zookeepers > 1
    for index, server in enumerate(cluster.zk_servers):
        port = int(cluster.rendered("zookeeper", index)["secureClientPort"])
        assert probes.tls(port, b"ruok", right.ca, right.cert, right.key).data == b"imok", server.name
        assert probes.tls(port, b"ruok", wrong.ca, wrong.cert, wrong.key).data == b"imok", server.name
        election = cluster.zk_members[index].election_port
        reply = probes.tls(election, b"\x00" * 32, impostor.ca, impostor.cert, impostor.key)
        if quorum_verifies:
            assert reply.kind == "alert" and reply.detail == "SSLV3_ALERT_CERTIFICATE_UNKNOWN", (server.name, reply)
        else:
            assert reply.kind != "alert", (server.name, reply)


# --- endpoint identification: certificates from the cluster CA, but for the wrong host ------------
WRONG_HOST = "wrong.example.invalid"
NAME_MISMATCH = re.compile(r"No subject alternative (DNS )?names? matching|Failed to verify (both )?host")


def _names_in_logs(cluster: KafkaCluster, role: str, count: int, timeout: float,
                   accepted: Optional[Callable[[], bool]] = None) -> list[str]:
    """The name-mismatch refusals the servers logged; stops early once `accepted()` shows the
    opposite (the peer was accepted), so a weakened config fails fast."""
    deadline = time.monotonic() + timeout
    while True:
        found = [cluster.logs(role, i) for i in range(count)]
        hits = [NAME_MISMATCH.search(text).group(0) for text in found if NAME_MISMATCH.search(text)]
        if hits or time.monotonic() > deadline or (accepted is not None and accepted()):
            return hits
        time.sleep(1)


def brokers_check_each_others_names(cluster: KafkaCluster) -> None:
    """Broker 1's certificate names another host (cluster built with cert_hosts={"broker1": [WRONG_HOST]}).
    A client with the rendered client settings refuses broker 1 and talks to broker 0; the brokers,
    which verify each other by the rendered broker settings, refuse broker 1 as a replication peer.
    Broker 0 must be the controller (broker0_controls=True): broker 1 cannot even reach itself."""
    from secure_kafka.render.kafka import admin_client_properties

    rendered = admin_client_properties(cluster.operator().pem_files)
    assert cluster.controller_id() == 0, "precondition: broker 0, whose name is right, is the controller"
    who = cluster.client("names")
    base = {"security.protocol": "SSL", "ssl.ca.location": str(who.ca), "ssl.certificate.location": str(who.cert),
            "ssl.key.location": str(who.key),
            "ssl.endpoint.identification.algorithm": rendered["ssl.endpoint.identification.algorithm"] or "none"}
    good = {**base, "bootstrap.servers": f"{HOST}:{cluster.tls_ports[0]}"}
    assert 0 in AdminClient({**good, **QUIET}).list_topics(timeout=20).brokers  # positive control
    refused = connection_errors({**base, "bootstrap.servers": f"{HOST}:{cluster.tls_ports[1]}"})
    assert any("certificate verify failed" in e.str() for e in refused), [e.str() for e in refused]

    topic = f"names-{uuid.uuid4().hex[:6]}"
    # the test's own tool asks broker 0 only: broker 1 never hears from the controller, so its
    # metadata names no controller and a client asking it would wait forever
    client = AdminClient({**cluster.tls_config(cluster.operator()), "bootstrap.servers": good["bootstrap.servers"],
                          **QUIET})
    client.create_topics([NewTopic(topic, 1, replica_assignment=[[1, 0]])])[topic].result(timeout=60)
    hits = _names_in_logs(cluster, "broker", 1, 25)  # broker 0 fetching from leader 1
    assert hits, "broker 0 replicated from a broker whose certificate names another host"


def brokers_check_zookeeper_names(cluster: KafkaCluster) -> None:
    """The ZooKeeper member's certificate names another host (cert_hosts={"zk0": [WRONG_HOST]}): the
    brokers, verifying ZooKeeper's name by the rendered settings, refuse it and never register."""
    hits = _names_in_logs(cluster, "broker", cluster.brokers, 45, accepted=lambda: bool(cluster.registered_brokers()))
    assert hits, "a broker accepted a ZooKeeper whose certificate names another host"
    assert cluster.registered_brokers() == []


# --- authorization ------------------------------------------------------------------------------------
def acls_deny_by_default(cluster: KafkaCluster) -> None:
    topic = f"orders-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    config = cluster.tls_config(cluster.client("orders-service"))
    acked, errors = produce(config, topic, [b"before-grant"], timeout=10, once=True)
    assert acked == [] and len(errors) == 1 and errors[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, errors
    grant(cluster, "User:orders-service", topic, group="orders-readers")
    values = [f"order-{i}".encode() for i in range(50)]
    acked, errors = produce_once_allowed(config, topic, values)
    assert errors == [] and sorted(acked) == sorted(values)
    got, errors = consume(config, topic, "orders-readers", len(values))
    assert sorted(got) == sorted(values), errors


def topic_denied_with_an_allowed_group(cluster: KafkaCluster) -> None:
    """The reader may use its consumer group, so the refusal it gets is the topic's."""
    topic = f"payments-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    grant(cluster, "User:payments", topic, group="payments")
    acked, _ = produce_once_allowed(cluster.tls_config(cluster.client("payments")), topic, [b"secret"])
    assert acked == [b"secret"]
    group = f"snoop-{uuid.uuid4().hex[:4]}"
    client = admin(cluster)
    binding = AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, "User:snoop", "*",
                         AclOperation.READ, AclPermissionType.ALLOW)
    for future in client.create_acls([binding]).values():
        future.result(timeout=30)
    snoop = cluster.tls_config(cluster.client("snoop"))
    deadline = time.monotonic() + 60
    while True:  # the group's ACL reaches every broker asynchronously (ZooKeeper watch, KRaft metadata)
        got, errors = consume(snoop, topic, group, 1, timeout=20)
        if not errors or errors[-1].code() != KafkaError.GROUP_AUTHORIZATION_FAILED or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert got == [] and errors, errors
    assert [e.code() for e in errors][-1] == KafkaError.TOPIC_AUTHORIZATION_FAILED, errors
    assert KafkaError.GROUP_AUTHORIZATION_FAILED not in {e.code() for e in errors}


def denials_reach_the_audit_log(cluster: KafkaCluster) -> None:
    """A denied produce lands in the authorizer's own file (kafka-authorizer.log), written by the log
    configuration the platforms render for this Kafka release (log4j 1 on 3.x, log4j 2 on 4.x), naming
    the principal, the client's address, the operation and the topic — and not in the server log."""
    from secure_kafka.render.kafka import log_config

    expected = log_config(cluster.version, "x").file
    for index in range(cluster.brokers):
        home = cluster.workdir / f"kafka{index}"
        assert (home / expected).exists() and f"file:{home / expected}" in " ".join(cluster.kafka_servers[index].command)
    topic = f"audit-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    acked, errors = produce(cluster.tls_config(cluster.client("stranger")), topic, [b"x"], timeout=10, once=True)
    assert acked == [] and [e.code() for e in errors] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], errors

    def audit() -> list[str]:
        lines = []
        for index in range(cluster.brokers):
            for path in sorted((cluster.workdir / f"kafka{index}").glob("kafka-authorizer.log*")):
                lines += [l for l in path.read_text(errors="replace").splitlines() if topic in l]
        return lines

    seen: list = []
    _wait("the denial in kafka-authorizer.log", lambda: bool(seen.append(audit()) or seen[-1]), 30, seen)
    denied = [l for l in seen[-1] if "User:stranger" in l and "denied" in l.lower()]
    assert denied, seen[-1]
    # the producer is refused at its metadata request (DESCRIBE) or at the produce itself (WRITE)
    assert all("from host = 127.0.0.1" in l and re.search(r"operation = (write|describe)\b", l, re.I)
               and "(kafka.authorizer.logger)" in l for l in denied), denied
    for index in range(cluster.brokers):
        server = (cluster.workdir / f"kafka{index}" / "server.log")
        assert server.exists() and not [l for l in server.read_text(errors="replace").splitlines()
                                        if "User:stranger" in l], f"the denial also went to broker {index}'s server.log"


def sasl_outside_our_modules_is_refused(version: str, options, workdir: Path) -> dict[str, str]:
    """Kafka's own admin client of `version` (as its tools run it), started with JVM `options`, meets
    SASL configurations our listeners never use: PLAIN, LDAP (JNDI's sibling), OAUTHBEARER with a token
    endpoint. Each must be refused at start by the JVM properties — a login module not allowed, or an
    endpoint not allowed — never get as far as a connection attempt. Returns what refused each."""
    from harness import kafka_tools_classpath

    workdir.mkdir(parents=True, exist_ok=True)
    quick = "request.timeout.ms=2000\ndefault.api.timeout.ms=4000\nsocket.connection.setup.timeout.ms=1000\n"
    cases = {
        "PLAIN": ("PLAIN", 'org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";', ""),
        "LDAP": ("PLAIN", 'com.sun.security.auth.module.LdapLoginModule required userProvider="ldap://127.0.0.1:1/ou=x";', ""),
        "OAUTHBEARER": ("OAUTHBEARER", 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required '
                        'clientId="x" clientSecret="y";',
                        "sasl.oauthbearer.token.endpoint.url=http://127.0.0.1:1/token\n"
                        "sasl.login.callback.handler.class="
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\n"),
    }
    refused = {}
    for name, (mechanism, jaas, extra) in cases.items():
        config = workdir / f"{name.lower()}.properties"
        config.write_text(f"security.protocol=SASL_SSL\nsasl.mechanism={mechanism}\nsasl.jaas.config={jaas}\n{quick}{extra}")
        done = subprocess.run(shared(["java", "-Xmx128m", *options, "-cp", kafka_tools_classpath(version),
                                      "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", f"{HOST}:1",
                                      "--command-config", str(config), "--list"]),
                              capture_output=True, text=True, timeout=90)
        said = re.findall(r"IllegalArgumentException: (\S+ is not allowed)\. Update [Ss]ystem property '([\w.]+)'",
                          done.stdout + done.stderr)
        assert done.returncode != 0 and said, f"{name} was not refused by a JVM property on Kafka {version}: " \
                                             f"{(done.stdout + done.stderr)[-600:]}"
        refused[name] = " / ".join(dict.fromkeys(f"{what} ({prop})" for what, prop in said))
    return refused


OAUTH_REFUSALS = ("another issuer", "another audience", "unsigned (alg none)", "signed by another key", "expired",
                  "a good token without a certificate")


def oauth_config(cluster: KafkaCluster, token: Callable[[], tuple[str, float]]) -> dict:
    """A client that logs in on the SASL_SSL listener with the JWT `token()` returns (its certificate
    is still required there; the principal is the token's subject)."""
    return {**cluster.tls_config(cluster.client("oauth-carrier")), "bootstrap.servers": cluster.bootstrap(sasl=True),
            "security.protocol": "SASL_SSL", "sasl.mechanisms": "OAUTHBEARER", "oauth_cb": lambda _config: token()}


def oauth_logins(cluster: KafkaCluster) -> dict[str, list[str]]:
    """OAuth turned on as a user turns it on (OAuthArgs), with the issuer, audience and JWKS read from
    the broker's rendered configuration: a token the provider signed, for that issuer and audience,
    logs in as `User:<sub>` (ACLs still decide: it writes where granted and nowhere else); a token with
    another issuer, another audience, no signature (`alg: none`), a signature by another key, or an
    expired one is refused at login (tried first: a validator that takes unsigned tokens fails here, not
    at the signed one it may refuse). Returns the errors of each refused login."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    idp = cluster.idp
    assert idp is not None, "a cluster started with oauth=True"
    rendered = cluster.rendered("broker", 0)
    assert "OAUTHBEARER" in rendered["sasl.enabled.mechanisms"].split(","), rendered["sasl.enabled.mechanisms"]
    issuer = rendered["sasl.oauthbearer.expected.issuer"]
    audience = rendered["sasl.oauthbearer.expected.audience"].split(",")[0]
    assert rendered["sasl.oauthbearer.jwks.endpoint.url"] == idp.jwks_url
    subject, topic = f"svc-{uuid.uuid4().hex[:6]}", f"oauth-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    grant(cluster, f"User:{subject}", topic, group=subject)

    def sign(**changes) -> Callable[[], tuple[str, float]]:
        return lambda: idp.token(subject, **{"issuer": issuer, "audience": audience, **changes})

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # each refused at login, for its own reason (jose4j's words in the brokers' server.log)
    bad = {"another issuer": (sign(issuer="https://evil.example/realms/e2e"),
                              "Issuer (iss) claim value (https://evil.example/realms/e2e) doesn't match"),
           "another audience": (sign(audience="some-other-service"), "Audience (aud) claim [some-other-service]"),
           "unsigned (alg none)": (sign(algorithm="none"), "Malformed JWT provided"),
           "signed by another key": (sign(key=forger), "Invalid JWS Signature"),
           "expired": (sign(lifetime=-120), "is on or after the Expiration Time")}
    refused: dict[str, list[str]] = {}
    for name, (token, _) in bad.items():
        seen = connection_errors(oauth_config(cluster, token))
        assert any(e.code() == KafkaError._AUTHENTICATION for e in seen), f"{name}: {[e.str() for e in seen]}"
        refused[name] = [e.str() for e in seen if e.code() == KafkaError._AUTHENTICATION]
    logs = "\n".join(_log_lines(cluster, "server.log"))
    for name, (_, reason) in bad.items():
        assert reason in logs, f"{name}: no broker said {reason!r}"
    assert idp.fetches and set(idp.fetches) == {"/jwks"}, idp.fetches  # the keys came from the provider
    good = oauth_config(cluster, sign())
    acked, errors = [], []
    deadline = time.monotonic() + 30
    while not acked and time.monotonic() < deadline:  # ACLs propagate asynchronously
        acked, errors = produce_once_allowed(good, topic, [b"with-a-token"], timeout=10)
    assert acked == [b"with-a-token"], [e.str() for e in errors]
    got, _ = consume(good, topic, subject, 1)
    assert got == [b"with-a-token"], got
    elsewhere = f"oauth-other-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, elsewhere)
    acked, errors = produce(good, elsewhere, [b"not-granted"], timeout=10, once=True)
    assert acked == [] and [e.code() for e in errors] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], errors

    # a good token does not replace the certificate the listener requires
    no_cert = {k: v for k, v in good.items() if k not in ("ssl.certificate.location", "ssl.key.location")}
    seen = connection_errors(no_cert)
    assert any(e.code() in (KafkaError._SSL, KafkaError._TRANSPORT) for e in seen), [e.str() for e in seen]
    refused["a good token without a certificate"] = [e.str() for e in seen]
    return refused


def listener_jaas_change(cluster: KafkaCluster) -> str:
    """A runtime change of broker 0's SASL listener JAAS to a login module our listeners never use (LDAP):
    a client that is not the operator is refused by the authorizer; the operator's own attempt is returned —
    `refused: <why>` or `stored` (the change is then taken back)."""
    from secure_kafka.render.kafka import SCRAM_MECHANISM

    key = f"listener.name.sasl_ssl.{SCRAM_MECHANISM.lower()}.sasl.jaas.config"
    ldap = 'com.sun.security.auth.module.LdapLoginModule required userProvider="ldap://127.0.0.1:1/ou=x";'

    def alter(client: AdminClient, op: AlterConfigOpType, value: str) -> None:
        change = ConfigResource(ConfigResource.Type.BROKER, "0", incremental_configs=[
            ConfigEntry(key, value, incremental_operation=op)])
        client.incremental_alter_configs([change])[change].result(timeout=30)

    outsider = AdminClient({**cluster.tls_config(cluster.client("config-outsider")), **QUIET})
    try:
        alter(outsider, AlterConfigOpType.SET, ldap)
    except KafkaException as error:
        assert error.args[0].code() == KafkaError.CLUSTER_AUTHORIZATION_FAILED, error
    else:
        alter(admin(cluster), AlterConfigOpType.DELETE, "")
        raise AssertionError("a client that is not the operator changed a listener's JAAS configuration")
    try:
        alter(admin(cluster), AlterConfigOpType.SET, ldap)
    except KafkaException as error:
        return f"refused: {error.args[0].name()}: {error.args[0].str()}"
    alter(admin(cluster), AlterConfigOpType.DELETE, "")
    return "stored"


def runtime_login_changes_are_refused(cluster: KafkaCluster) -> str:
    """KRaft: the operator's own runtime change of a listener's JAAS (to LDAP) is refused by the
    controllers' AlterConfigs policy the rendered config names (an outsider, by the authorizer)."""
    assert cluster.metadata == "kraft"
    said = listener_jaas_change(cluster)
    assert said.startswith("refused: POLICY_VIOLATION:") and "is static (server.properties)" in said, said
    return said


def incident_trail(cluster: KafkaCluster) -> dict:
    """What an incident responder later asks the logs about, done on the real cluster: a SCRAM user
    reads its topic, a stranger's certificate is denied on it, a wrong password fails, the operator
    adds an ACL and sets a SCRAM credential. Returns who, what and how often, to compare the logs with."""
    user, password = f"reader{uuid.uuid4().hex[:4]}", uuid.uuid4().hex
    topic = f"ledger-{uuid.uuid4().hex[:6]}"
    upsert_scram(cluster, user, password)  # the first admin call on a just-started cluster, on a loaded machine
    create_topic(cluster, topic)
    grant(cluster, f"User:{user}", topic, group=user)  # the operator adds ACLs
    reader = cluster.sasl_config(cluster.client("reader-host"), user, password)
    acked, errors = [], []
    deadline = time.monotonic() + 30
    while not acked and time.monotonic() < deadline:  # credentials and ACLs propagate asynchronously
        acked, errors = produce_once_allowed(reader, topic, [b"entry"], timeout=5)
    assert acked == [b"entry"], errors
    got, _ = consume(reader, topic, user, 1)
    assert got == [b"entry"]
    stranger = cluster.tls_config(cluster.client("stranger"))
    acked, errors = produce(stranger, topic, [b"exfiltrate"], timeout=10, once=True)
    assert acked == [] and [e.code() for e in errors] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], errors
    wrong = connection_errors(cluster.sasl_config(cluster.client("reader-host"), user, "not-the-password"))
    assert any(e.code() == KafkaError._AUTHENTICATION for e in wrong), [e.str() for e in wrong]
    return {"user": f"User:{user}", "topic": topic, "host": HOST}


def _log_lines(cluster: KafkaCluster, name: str) -> list[str]:
    """Every line the servers wrote to `name`, the hourly rolled files (`name.2026-12-03-12`) included: a
    run that crosses the hour finds the earlier lines there."""
    return [line for path in sorted(cluster.workdir.rglob(f"{name}*")) if path.name == name or
            path.name.startswith(f"{name}.") for line in path.read_text(errors="replace").splitlines()]


def investigation_answers(cluster: KafkaCluster, facts: dict) -> None:
    """`secure-kafka investigate` over the files the servers wrote answers for `incident_trail`: the
    user's writes and reads, the stranger's denials with its address, the failed login, and the ACL and
    SCRAM changes — each count equal to the lines the servers wrote for it."""
    import json
    import sys

    # the servers' log files, as an operator hands them over (not the data directories' segments)
    logs = sorted(str(p) for p in cluster.workdir.glob("*/*.log*"))
    assert any(p.endswith("kafka-authorizer.log") for p in logs), logs

    def ask(*args: str) -> list[dict]:
        done = subprocess.run([sys.executable, "-m", "secure_kafka.cli", "investigate", *logs,
                               "--format", "jsonl", *args], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert " 0 unreadable audit lines" in done.stderr, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    audit, server = _log_lines(cluster, "kafka-authorizer.log"), _log_lines(cluster, "server.log")
    user, topic = facts["user"], facts["topic"]
    mine = {(r["operation"], r["resource"]): r for r in ask("--principal", user)}
    assert {("WRITE", topic), ("READ", topic)} <= set(mine), f"the user's reads and writes are not in the audit: {mine}"
    assert mine[("WRITE", topic)]["allowed"] >= 1 and mine[("READ", topic)]["allowed"] >= 1, mine
    assert all(r["denied"] == 0 and r["client_address"] == facts["host"] for r in mine.values()), mine
    denied = ask("--topic", topic, "--result", "denied")
    assert {(r["principal"], r["client_address"]) for r in denied} == {("User:stranger", facts["host"])}, denied
    assert sum(r["denied"] for r in denied) == sum("Principal = User:stranger is Denied" in line and
                                                   f":{topic} for request" in line for line in audit)
    failed = ask("--operation", "AUTHENTICATE")  # the wrong password; other tests' failed TLS handshakes too
    assert "SCRAM-SHA-512" in {r["resource"] for r in failed}, failed
    assert sum(r["failed"] for r in failed) == sum("Failed authentication with" in line for line in server)
    changes = ask("--operation", "ALTER", "--result", "allowed")
    requests = {request for r in changes if r["resource_type"] == "CLUSTER" for request in r["requests"]}
    assert {"CreateAcls", "AlterUserScramCredentials"} <= requests, changes


def alarm_filters_match_the_servers_lines(cluster: KafkaCluster) -> dict[str, int]:
    """The security alarms' metric filter patterns, applied to every line the servers wrote, match exactly
    the lines that are those events (as `secure-kafka investigate` reads them) and nothing else. Returns
    how many lines each alarm would have counted."""
    from kafka_guardrails.cwlogs import matches
    from secure_kafka.aws.alarms import EVENTS
    from secure_kafka.ops.trail.lines import DENIED, FAILED, Event, parse

    lines = _log_lines(cluster, "kafka-authorizer.log") + _log_lines(cluster, "server.log")
    parsed = [(line, parse(line)) for line in lines]
    want = {"authentication_failures": lambda e: e.result == FAILED, "denials": lambda e: e.result == DENIED,
            "access_changes": lambda e: e.changes_access}
    counts = {}
    for event in EVENTS:
        hits = [line for line in lines if matches(event.pattern, line)]
        assert hits == [line for line, p in parsed if isinstance(p, Event) and want[event.key](p)], event.key
        counts[event.key] = len(hits)
    return counts


def security_stream_feeds_the_shipped_rules(cluster: KafkaCluster) -> dict[str, int]:
    """The Kubernetes variant (its ConfigMaps' log configuration): the servers' stdout carries, each line
    prefixed, every security event their log files hold; the shipped Fluent Bit filter keeps exactly the
    prefixed lines (and the CloudWatch patterns count them as in the files); each shipped Loki rule's line
    filters pass exactly the lines of its event. Returns how many lines each Loki rule counted."""
    import yaml

    from kafka_guardrails.cwlogs import matches
    from logstacks import fluent_bit_grep, logql_count_rule
    from secure_kafka.kubernetes.alerts import FLUENT_BIT_FILE, RULES_FILE
    from secure_kafka.kubernetes.manifests import alert_config_maps
    from secure_kafka.model.alarms import EVENTS
    from secure_kafka.render.kafka import SECURITY_STREAM_PREFIX

    from harness import kubernetes_args

    assert cluster.variant == "kubernetes"
    args = dataclasses.replace(kubernetes_args(cluster), fluent_bit_log_group="/secure-kafka/e2e",
                               fluent_bit_region="eu-west-1")
    maps = {m["metadata"]["name"]: m["data"] for m in alert_config_maps(args)}
    rules = {r["alert"]: r for g in yaml.safe_load(maps["kafka-security-rules"][RULES_FILE])["groups"]
             for r in g["rules"]}
    keep = fluent_bit_grep(maps["kafka-security-fluent-bit"][FLUENT_BIT_FILE])
    stdout = _log_lines(cluster, "stdout.log")
    prefixed = [line for line in stdout if line.startswith(SECURITY_STREAM_PREFIX + " ")]
    assert [line for line in stdout if keep(line)] == prefixed and prefixed
    files = _log_lines(cluster, "kafka-authorizer.log") + _log_lines(cluster, "server.log")
    counted = {}
    for event in EVENTS:
        in_files = sorted(line for line in files if matches(event.pattern, line))
        assert in_files, f"no {event.key} in the servers' files: the trail did not happen"
        shipped = sorted(line[len(SECURITY_STREAM_PREFIX) + 1:] for line in prefixed if matches(event.pattern, line))
        assert shipped == in_files, f"{event.key}: the stream and the files differ"
        [rule] = [r for r in rules.values() if event.summary in r["annotations"]["summary"]]
        passes, minutes, threshold = logql_count_rule(rule["expr"])
        loki = sorted(line[len(SECURITY_STREAM_PREFIX) + 1:] for line in stdout if passes(line))
        assert loki == in_files, f"{rule['alert']} counts other lines than the {event.key}"
        assert (minutes, threshold) == (args.alarms.period_minutes, getattr(args.alarms, event.key))
        counted[event.key] = len(loki)
    return counted


# --- durability: what the cluster does with the rendered defaults -----------------------------------
def _partition(client: AdminClient, topic: str):
    try:
        return client.describe_topics(TopicCollection([topic]))[topic].result(timeout=10).partitions[0]
    except (KafkaException, concurrent.futures.TimeoutError):  # brokers coming and going
        return None


def _wait(what: str, check, timeout: float, seen: Optional[list] = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s: {what}; last seen {(seen or [])[-3:]}"
        time.sleep(0.5)


def _isr(cluster: KafkaCluster, topic: str, seen: list) -> Optional[set[int]]:
    """The partition's in-sync replicas, asked of a fresh client (one that knows no dead broker)."""
    p = _partition(admin(cluster), topic)
    seen.append(None if p is None else (p.leader.id if p.leader else None, sorted(r.id for r in p.isr)))
    return None if p is None else {r.id for r in p.isr}


def topic_takes_the_rendered_defaults(cluster: KafkaCluster, topic: str) -> tuple[int, int]:
    rendered = cluster.rendered("broker", 0)
    rf, min_isr = int(rendered["default.replication.factor"]), int(rendered["min.insync.replicas"])
    create_topic(cluster, topic, replication=None)  # the test sets neither
    client = admin(cluster)
    seen: list = []
    _wait("the new topic is described", lambda: seen.append(_partition(client, topic)) or seen[-1] is not None, 30)
    partition = seen[-1]
    assert len(partition.replicas) == rf
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = client.describe_configs([resource])[resource].result(timeout=30)
    assert int(configs["min.insync.replicas"].value) == min_isr
    assert configs["unclean.leader.election.enable"].value == rendered["unclean.leader.election.enable"]
    return rf, min_isr


def send_killing(config: dict, topic: str, prefix: str, victim, total: int) -> tuple[list, list, int]:
    """`total` acks=all sends; a third of the way in, `victim` is SIGKILLed without a flush first.
    Returns (acknowledged values, errors, messages in flight at the kill)."""
    acked: list = []
    errors: list = []

    def report(err, msg):
        (errors if err else acked).append(err if err else msg.value())

    producer = Producer({**config, **QUIET, "acks": "all", "enable.idempotence": True,
                         "message.timeout.ms": 120000, "linger.ms": 5})
    in_flight = 0
    for i in range(total):
        producer.produce(topic, f"{prefix}-{i}".encode(), on_delivery=report)
        producer.poll(0)
        if i == total // 3:
            in_flight = len(producer)
            victim.signal(signal.SIGKILL)
        if i % 200 == 0:
            producer.poll(0.05)
    producer.flush(150)
    return acked, errors, in_flight


def leader_killed_in_flight(cluster: KafkaCluster) -> None:
    """acks=all: the partition leader is SIGKILLed while messages are in flight (no flush before);
    every acknowledged message is read back and at least 99 % of sends are acknowledged."""
    topic = f"ledger-{uuid.uuid4().hex[:6]}"
    rf, _ = topic_takes_the_rendered_defaults(cluster, topic)
    assert rf == cluster.brokers
    grant(cluster, "User:ledger", topic, group="ledger-audit")
    config = cluster.tls_config(cluster.client("ledger"))
    warm, _ = produce_once_allowed(config, topic, [b"entry-warmup"])
    assert warm == [b"entry-warmup"]
    operator = admin(cluster)
    leader = _partition(operator, topic).leader.id
    total = 3000
    acked, errors, in_flight = send_killing(config, topic, "entry", cluster.kafka_servers[leader], total)
    assert in_flight > 0, "nothing was in flight when the leader died"
    assert not cluster.kafka_servers[leader].running
    assert len(acked) + len(errors) == total
    assert len(acked) >= 0.99 * total, f"only {len(acked)} of {total} acknowledged: {errors[:3]}"
    got, _ = consume(config, topic, "ledger-audit", len(acked) + 1, timeout=90)
    assert set(acked) <= set(got), f"lost {len(set(acked) - set(got))} acknowledged messages"
    cluster.restart_broker(leader)
    seen: list = []

    def back() -> bool:
        p = _partition(operator, topic)
        seen.append(sorted(n.id for n in p.isr) if p is not None else "no answer")
        return p is not None and len(p.isr) == rf

    # A JVM with TLS starting on a 2-core runner that runs the other test lane too can take minutes;
    # the claim above is already proven, this only checks the cluster heals.
    _wait("the restarted broker rejoins the ISR", back, 300, seen)


def isr_floor_and_no_unclean_election(cluster: KafkaCluster) -> None:
    """With the rendered min.insync.replicas, a write is refused once too few replicas are in sync;
    a stale replica left alone is never elected leader (no unclean election); when the others come
    back, every acknowledged message is there."""
    topic = f"vault-{uuid.uuid4().hex[:6]}"
    rf, min_isr = topic_takes_the_rendered_defaults(cluster, topic)
    assert rf == 3 == cluster.brokers and min_isr == 2, "this scenario needs RF 3 and min ISR 2"
    grant(cluster, "User:vault", topic, group="vault")
    config = cluster.tls_config(cluster.client("vault"))
    assert produce_once_allowed(config, topic, [b"vault-open"])[0] == [b"vault-open"]
    operator = admin(cluster)
    first = _partition(operator, topic)
    leader = first.leader.id
    stale, last = [r.id for r in first.replicas if r.id != leader]

    seen: list = []
    cluster.kafka_servers[stale].stop()  # controlled shutdown: out of the ISR at once
    _wait(f"ISR without the stopped follower {stale}", lambda: _isr(cluster, topic, seen) == {leader, last}, 60, seen)
    batch = [f"kept-{i}".encode() for i in range(100)]
    acked, errors = produce(config, topic, batch, timeout=30)
    assert errors == [] and sorted(acked) == sorted(batch)

    cluster.kafka_servers[last].stop()
    _wait(f"ISR down to the leader {leader}", lambda: _isr(cluster, topic, seen) == {leader}, 60, seen)
    refused, errors = produce(config, topic, [b"below-floor"], timeout=15, once=True)
    assert refused == [], "a write was acknowledged with fewer in-sync replicas than the floor"
    assert len(errors) == 1 and errors[0].code() in (KafkaError.NOT_ENOUGH_REPLICAS,
                                                      KafkaError.NOT_ENOUGH_REPLICAS_AFTER_APPEND), errors

    cluster.kafka_servers[leader].signal(signal.SIGKILL)
    cluster.kafka_servers[leader].process.wait(timeout=30)
    cluster.restart_broker(stale)  # alone, and behind: it lacks the batch
    _wait("the stale replica registered", lambda: cluster.registered_brokers() == [stale], 90)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the controller has every chance to elect it
        p = _partition(admin(cluster), topic)
        assert p is None or p.leader is None or p.leader.id != stale, "the stale replica was elected leader"
        time.sleep(1)

    cluster.restart_broker(leader)
    cluster.restart_broker(last)
    _wait("every replica back in sync", lambda: (p := _partition(admin(cluster), topic)) is not None
          and len(p.isr) == rf, 180)
    got, errors = consume(config, topic, "vault", len(batch) + 1, timeout=90)
    assert set(batch) <= set(got), f"lost {len(set(batch) - set(got))} acknowledged messages: {errors[:3]}"


# --- quotas: the command the brokers run at boot -------------------------------------------------------
def boot_commands(cluster: KafkaCluster, tool: str, quota=None, **changes) -> list[list[str]]:
    """The arguments of every `tool` (kafka-configs.sh, kafka-acls.sh) run broker 0's boot document
    runs, as rendered (for SelfManagedKafkaArgs with `changes`), with only the host-specific
    bootstrap address and command-config path replaced."""
    from secure_kafka.aws.self_managed import SelfManagedKafkaArgs, broker_user_data
    from secure_kafka.aws.controllers import voters
    from secure_kafka.aws.security_groups import ClientAccess
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import ClientQuota, admin_client_properties

    mode = changes.pop("metadata_mode", cluster.metadata)
    args = SelfManagedKafkaArgs(cluster=cluster.cluster, vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                subnet_ids=["subnet-0a1b2c3d4e5f60718"] * 3, environment="dev",
                                quota=quota or ClientQuota(), clients=[ClientAccess("app", cidr="10.0.32.0/20")],
                                metadata_mode=mode, kafka_version=DEFAULTS[mode],
                                accept_version_risks=risk_ids(DEFAULTS[mode], mode), **changes)
    kraft = {"controllers": voters(["10.0.1.10", "10.0.1.11", "10.0.1.12"]),
             "cluster_id": "AAAAAAAAAAAAAAAAAAAAAA"} if args.metadata_mode == "kraft" else {}
    document = yaml.safe_load(broker_user_data(args, 0, ["10.0.0.10", "10.0.0.11", "10.0.0.12"],
                                               "" if kraft else "zk:2182",
                                               "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x",
                                               "eu-west-1", "/secure-kafka/e2e/kafka", **kraft))
    config = cluster.workdir / "boot-admin.properties"
    config.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    local = {"--bootstrap-server": cluster.bootstrap(), "--command-config": str(config)}
    out = []
    for command in (c[-1] for c in document["runcmd"] if f"/{tool} " in c[-1]):
        argv = shlex.split(command.split(f"/{tool}", 1)[1].split("&&", 1)[0])
        out.append([local.get(argv[i - 1], a) if i else a for i, a in enumerate(argv)])
    return out


def boot_quota_command(cluster: KafkaCluster, quota) -> list[str]:
    commands = boot_commands(cluster, "kafka-configs.sh", quota)
    assert len(commands) == 1, commands
    return commands[0]


def _java_tool(cluster: KafkaCluster, main: str) -> list[str]:
    """The command line of one of Kafka's tools on the cluster's release: from 4.0 the admin
    commands live in kafka-tools as org.apache.kafka.tools.* (as bin/kafka-acls.sh runs them)."""
    from harness import kafka_tools_classpath

    if int(cluster.version.split(".")[0]) >= 4 and main.startswith("kafka.admin."):
        return shared(["java", "-cp", kafka_tools_classpath(cluster.version),
                       "org.apache.kafka.tools." + main.rsplit(".", 1)[1]])
    return shared(["java", "-cp", cluster.classpath, main])


def run_tool(cluster: KafkaCluster, main: str, argv: list[str]) -> None:
    done = subprocess.run([*_java_tool(cluster, main), *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def run_config_command(cluster: KafkaCluster, argv: list[str]) -> None:
    run_tool(cluster, "kafka.admin.ConfigCommand", argv)


def throttle_seconds(cluster: KafkaCluster, user: str, topic: str) -> float:
    grant(cluster, f"User:{user}", topic)
    events: list = []
    config = {**cluster.tls_config(cluster.client(user)), "throttle_cb": events.append, "linger.ms": 0,
              "batch.size": 16384}
    payload = [b"x" * 8192 for _ in range(48)]  # 384 KiB: ~12 s at 32 KiB/s
    acked, errors = produce_once_allowed(config, topic, payload, timeout=60)
    assert errors == [] and len(acked) == len(payload)
    return sum(e.throttle_time for e in events)


def default_quota_from_the_boot_command(cluster: KafkaCluster) -> None:
    """The boot command sets the default quota of every user: a client with no quota of its own is
    throttled; a user with its own, higher quota is not (per-user quotas override the default)."""
    from secure_kafka.render.kafka import ClientQuota, quota_arguments

    small = ClientQuota(producer_byte_rate=32 * 1024, consumer_byte_rate=32 * 1024, request_percentage=200)
    argv = boot_quota_command(cluster, small)
    assert "--entity-default" in argv
    run_config_command(cluster, argv)
    try:
        big = ClientQuota(producer_byte_rate=1 << 30, consumer_byte_rate=1 << 30, request_percentage=1000)
        own = quota_arguments(big, cluster.bootstrap(), argv[argv.index("--command-config") + 1], user="vip")
        run_config_command(cluster, own)
        topic = f"bulk-{uuid.uuid4().hex[:6]}"
        create_topic(cluster, topic)
        throttled = {user: throttle_seconds(cluster, user, topic) for user in ("anyone", "vip")}
        assert throttled["anyone"] > 0.5 and throttled["vip"] == 0, throttled
    finally:  # the session cluster goes on unthrottled
        run_config_command(cluster, [*argv[:argv.index("--alter") + 1], "--delete-config",
                                     "producer_byte_rate,consumer_byte_rate,request_percentage",
                                     "--entity-type", "users", "--entity-default"])


# --- KRaft -----------------------------------------------------------------------------------------
ACTIVE = re.compile(r"Becoming the active controller at epoch (\d+)")


def active_controller(cluster: KafkaCluster) -> tuple[int, int]:
    """(index, epoch) of the controller that most recently became active, from their own logs."""
    best = (-1, -1)
    for index in range(cluster.controllers):
        epochs = [int(e) for e in ACTIVE.findall(cluster.logs("controller", index))]
        if epochs and max(epochs) > best[1]:
            best = (index, max(epochs))
    assert best[0] >= 0, "no controller says it is active"
    return best


def active_controller_killed(cluster: KafkaCluster) -> None:
    """acks=all while the active KRaft controller is SIGKILLed: another takes over, nothing
    acknowledged is lost, at least 99 % of sends are acknowledged."""
    topic = f"quorum-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic, partitions=3)
    grant(cluster, "User:quorum", topic, group="quorum")
    config = cluster.tls_config(cluster.client("quorum"))
    assert produce_once_allowed(config, topic, [b"warm"])[0] == [b"warm"]
    victim, epoch = active_controller(cluster)
    total = 3000
    acked, errors, _ = send_killing(config, topic, "q", cluster.controller_servers[victim], total)
    assert not cluster.controller_servers[victim].running
    _wait("another controller takes over", lambda: active_controller(cluster)[1] > epoch, 60)
    assert active_controller(cluster)[0] != victim
    assert len(acked) + len(errors) == total and len(acked) >= 0.99 * total, errors[:3]
    got, _ = consume(config, topic, "quorum", len(acked) + 1, timeout=90)
    assert set(acked) <= set(got), f"lost {len(set(acked) - set(got))} acknowledged messages"
    cluster.restart_controller(victim)
    quorum_whole(cluster, f"the restarted controller {cluster.voters[victim].node_id} is a caught-up voter again")


def quorum_rows(cluster: KafkaCluster, seen: list) -> Optional[list]:
    """The quorum's table, or None (noted in `seen`) while the tool finds no leader to ask: during an
    election, e.g. right after a controller stops."""
    try:
        return quorum_replication(cluster, cluster.version)
    except ValueError as error:
        seen.append(str(error))
        return None


def quorum_whole(cluster: KafkaCluster, what: str, seconds: int = 120) -> None:
    """Wait until every voter is a caught-up member of the quorum, as the operator's tool reports it: a
    claim that restarts a controller leaves the cluster as it found it for the next one."""
    from secure_kafka.ops.rolling import quorum_ready

    seen: list = []

    def whole() -> bool:
        rows = quorum_rows(cluster, seen)
        if rows is None:
            return False
        voters = {r.node for r in rows if r.status in ("Leader", "Follower")}
        seen.append((sorted(voters), quorum_ready(rows)))
        return voters == {v.node_id for v in cluster.voters} and not quorum_ready(rows)

    _wait(what, whole, seconds, seen)


# --- guarded rolling changes: one node at a time, gated on the ISR and the controller quorum --------
class Load:
    """An acks=all producer sending steadily from a thread until stopped (5 records every 0.2 s: records
    in flight at every leadership change, in a produce request per burst rather than per record, which
    the brokers spent a tenth of a core each on); keeps what was acknowledged."""

    def __init__(self, config: dict, topic: str, prefix: str) -> None:
        import threading

        self.topic, self.prefix = topic, prefix
        self.acked: list = []
        self.acked_at: list[float] = []
        self.errors: list = []
        self.sent = 0
        self._stop = threading.Event()
        self._producer = Producer({**config, **QUIET, "acks": "all", "enable.idempotence": True,
                                   "message.timeout.ms": 300000, "linger.ms": 5})
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _report(self, err, msg) -> None:
        (self.errors if err else self.acked).append(err if err else msg.value())
        if not err:
            self.acked_at.append(time.monotonic())

    def _run(self) -> None:
        while not self._stop.is_set():
            for _ in range(5):
                self._producer.produce(self.topic, f"{self.prefix}-{self.sent}".encode(), on_delivery=self._report)
                self.sent += 1
            self._producer.poll(0)
            self._stop.wait(0.2)

    def __enter__(self) -> "Load":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)
        self._producer.flush(300)


class IsrSampler:
    """Samples every partition's ISR against its min ISR from its own thread while a roll runs (every
    2 s by default: each sample opens a TLS connection to every broker, 25 ms of a broker's CPU, and the
    long rolls take ten times the samples their claims need)."""

    def __init__(self, observe: Callable, interval: float = 2.0) -> None:
        import threading

        self.observe, self.interval = observe, interval
        self.margins: list[int] = []
        self.below: list[str] = []
        self.low: list[tuple[float, int, list[str]]] = []  # (when, margin, partitions) of each bad sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from secure_kafka.ops.rolling import under_min_isr

        while not self._stop.is_set():
            try:
                state = self.observe()
            except Exception:  # noqa: BLE001 - a broker restarting may fail one query
                pass
            else:
                margin, below = min(len(p.isr) - p.min_isr for p in state.partitions), under_min_isr(state)
                self.margins.append(margin)
                self.below += [p.name for p in below]
                if below:
                    self.low.append((time.monotonic(), margin, sorted(p.name for p in below)))
            self._stop.wait(self.interval)

    def __enter__(self) -> "IsrSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)


def operator_observer(cluster: KafkaCluster):
    from secure_kafka.ops.rolling import admin_observer

    # a broker that is down answers nothing: 3 s per view, so a sample does not wait out the restart
    return admin_observer({**cluster.tls_config(cluster.operator()), **QUIET, "socket.timeout.ms": 3000},
                          timeout=3, every=False)


def _in_sync(observe: Callable, drain: "Drain", timeout: float) -> None:
    """Waits until the consumer has read and no partition (the offsets topic included) lags."""
    from secure_kafka.ops.rolling import under_replicated

    seen: list = []

    def settled() -> bool:
        try:
            lagging = under_replicated(observe())
        except Exception as error:  # noqa: BLE001 - a query may time out on a loaded machine
            seen.append(repr(error)[:200])
            return False
        seen.append(f"{len(lagging)} under-replicated")
        return bool(drain.got) and not lagging

    _wait("every partition in sync and the consumer reading", settled, timeout, seen)


def _loaded_topic(cluster: KafkaCluster, name: str) -> tuple[str, dict]:
    topic = f"{name}-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic, partitions=6, replication=None)  # the rendered defaults: RF 3, min ISR 2
    grant(cluster, f"User:{name}", topic, group=name)
    config = cluster.tls_config(cluster.client(name))
    assert produce_once_allowed(config, topic, [b"warm"])[0] == [b"warm"]
    return topic, config


def _nothing_lost(load: Load, config: dict, topic: str, group: str) -> None:
    assert load.sent > 200 and len(load.acked) + len(load.errors) == load.sent, (load.sent, len(load.acked))
    assert load.errors == [], load.errors[:3]
    got, _ = consume(config, topic, group, len(load.acked) + 1, timeout=120)
    assert set(load.acked) <= set(got), f"lost {len(set(load.acked) - set(got))} acknowledged messages"


def rolling_config_change(cluster: KafkaCluster) -> None:
    """A config change that needs restarts rolls one broker at a time under acks=all load, each only
    when it can be spared and the next only once it is back in every ISR; nothing acknowledged is
    lost, no partition is ever sampled under min ISR, and every broker ends on the new config."""
    from secure_kafka.ops.rolling import roll, roll_order

    topic, config = _loaded_topic(cluster, "rolling")
    change = {"log.retention.hours": 72}
    observe = operator_observer(cluster)
    restarted = []

    def restart(node: int) -> None:
        restarted.append(node)
        cluster.roll_node("broker", node, change=change)

    # three restarts in about a minute: a sample every half second (the migration's long rolls take one every 2 s)
    with IsrSampler(observe, interval=0.5) as sampler, Load(config, topic, "roll") as load:
        report = roll(roll_order(range(cluster.brokers)), restart, observe, expected=range(cluster.brokers),
                      timeout=240, interval=1)
    assert restarted == list(range(cluster.brokers)) and len(report.steps) == cluster.brokers
    assert all(step.samples >= 2 for step in report.steps)
    assert report.lowest_isr_margin == 0, report  # one replica away at a time, never more
    assert len(sampler.margins) >= 10 and sampler.below == [] and min(sampler.margins) >= 0, (
        f"{len(sampler.margins)} samples, lowest margin {min(sampler.margins, default=None)}, "
        f"under min ISR: {sorted(set(sampler.below))[:10]} ({len(sampler.below)} sample(s))")
    _nothing_lost(load, config, topic, "rolling")
    client = admin(cluster)
    for node in range(cluster.brokers):
        resource = ConfigResource(ConfigResource.Type.BROKER, str(node))
        entries = client.describe_configs([resource])[resource].result(timeout=30)
        assert entries["log.retention.hours"].value == "72", node


def roll_refused_when_a_broker_cannot_be_spared(cluster: KafkaCluster) -> None:
    """A topic whose min ISR equals its replication factor cannot lose any replica: the gate
    refuses to restart the first broker, names the partition, and restarts nothing."""
    from secure_kafka.ops.rolling import RollRefused, roll

    topic = f"strict-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic, partitions=1, replication=3)
    seen: list = []  # a replica not yet in the ISR could go without harm: wait for all three
    _wait("all three replicas in the ISR", lambda: _isr(cluster, topic, seen) == {0, 1, 2}, 60, seen)
    client = admin(cluster)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("min.insync.replicas", "3", incremental_operation=AlterConfigOpType.SET)])
    client.incremental_alter_configs([resource])[resource].result(timeout=30)
    described = ConfigResource(ConfigResource.Type.TOPIC, topic)
    _wait("the topic's min ISR reads 3", lambda: client.describe_configs([described])[described].result(
        timeout=10)["min.insync.replicas"].value == "3", 30)
    pids = [s.process.pid for s in cluster.kafka_servers]
    restarted: list = []
    observe, views = operator_observer(cluster), []

    def watched():
        state = observe()
        views.append((sorted(state.brokers), [p for p in state.partitions if p.topic == topic]))
        return state

    def strict(state) -> bool:
        return [(set(p.isr), p.min_isr) for p in state.partitions if p.topic == topic] == [({0, 1, 2}, 3)]

    # the gate reads one broker's metadata, which may lag the one the checks above asked: the claim
    # starts once the gate's own view holds the strict topic, three times in a row
    streak: list = []
    _wait("the gate sees the strict topic", lambda: streak.append(strict(watched())) or streak[-3:] == [True] * 3,
          60, views)
    views.clear()
    try:
        roll([0, 1, 2], restarted.append, watched, expected=[0, 1, 2], timeout=8, interval=1)
    except RollRefused as refused:
        message = str(refused)
    else:
        raise AssertionError(f"the roll went ahead although any restart breaks min ISR; the gate saw {views}")
    assert message.startswith("broker 0 may not stop") and f"{topic}-0" in message, message
    assert restarted == [] and [s.process.pid for s in cluster.kafka_servers] == pids
    client.delete_topics([topic])[topic].result(timeout=30)


def quorum_replication(cluster: KafkaCluster, version: str):
    """`kafka-metadata-quorum describe --replication`, asked of the quorum with the operator's cert."""
    from harness import java, kafka_tools_classpath
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import admin_client_properties
    from secure_kafka.ops.rolling import quorum_replication as parse

    settings = cluster.workdir / "operator-admin.properties"
    settings.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    bootstrap = ",".join(f"{HOST}:{v.port}" for v in cluster.voters)
    done = subprocess.run(java(kafka_tools_classpath(version), "org.apache.kafka.tools.MetadataQuorumCommand",
                               ["--bootstrap-controller", bootstrap, "--command-config", str(settings),
                                "describe", "--replication"], "128m"),
                          capture_output=True, text=True, timeout=90)
    return parse(done.stdout)


def rolling_upgrade(cluster: KafkaCluster, to_version: str) -> None:
    """A KRaft cluster rolls to another Kafka version under acks=all load: controllers first (each
    while the quorum is caught up, the active one last), then brokers (the ISR gate). Nothing
    acknowledged is lost, no partition is sampled under min ISR, every node runs the new version."""
    from secure_kafka.ops.rolling import roll, roll_controllers, roll_order

    topic, config = _loaded_topic(cluster, "upgrade")
    observe = operator_observer(cluster)
    active, _ = active_controller(cluster)
    quorum = lambda: quorum_replication(cluster, to_version)  # noqa: E731
    rows = quorum()
    assert len([r for r in rows if r.status in ("Leader", "Follower")]) == cluster.controllers, rows
    with IsrSampler(observe) as sampler, Load(config, topic, "upgrade") as load:
        controllers = roll_controllers(roll_order(range(cluster.controllers), last=active),
                                       lambda i: cluster.roll_node("controller", i, version=to_version),
                                       quorum, timeout=240, interval=2)
        brokers = roll(roll_order(range(cluster.brokers)),
                       lambda i: cluster.roll_node("broker", i, version=to_version), observe,
                       expected=range(cluster.brokers), timeout=240, interval=2)
    assert [s.node for s in controllers.steps] == roll_order(range(cluster.controllers), last=active)
    assert len(brokers.steps) == cluster.brokers and brokers.lowest_isr_margin == 0
    assert len(sampler.margins) >= 10 and sampler.below == [] and min(sampler.margins) >= 0, (
        f"{len(sampler.margins)} samples, lowest margin {min(sampler.margins, default=None)}, "
        f"under min ISR: {sorted(set(sampler.below))[:10]} ({len(sampler.below)} sample(s))")
    _nothing_lost(load, config, topic, "upgrade")
    started = re.compile(r"Kafka version: (\S+)")
    for role, count in (("controller", cluster.controllers), ("broker", cluster.brokers)):
        for index in range(count):
            assert started.findall(cluster.logs(role, index))[-1] == to_version, (role, index)
    assert len([r for r in quorum() if r.status in ("Leader", "Follower")]) == cluster.controllers


def credentials_env(who, command: str) -> dict:
    """The environment a secure-kafka command takes its identity from (SECURE_KAFKA_<command>_*_PEM),
    as the component or the operator hands it over: never on the command line."""
    import os

    return {**os.environ, **{f"SECURE_KAFKA_{command}_{part}_PEM": path.read_text()
                             for part, path in (("CA", who.ca), ("CERT", who.cert), ("KEY", who.key))}}


def _roll_gate_cli(cluster: KafkaCluster, who, step: str, broker: int, timeout: int) -> subprocess.CompletedProcess:
    """`secure-kafka roll-gate` as `pulumi up` runs it: credentials in the environment only."""
    import sys

    env = credentials_env(who, "GATE")
    argv = [sys.executable, "-m", "secure_kafka.cli", "roll-gate", step, "--broker", str(broker),
            "--brokers", ",".join(str(b) for b in range(cluster.brokers)), "--bootstrap", cluster.bootstrap(),
            "--timeout", str(timeout), "--interval", "1"]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout + 60)


def rollout_identity_gates_and_can_do_nothing_else(cluster: KafkaCluster) -> None:
    """The gate's own identity: without the rendered rollout ACLs it refuses to judge (it would
    see no topic and call the cluster healthy); with them it passes a healthy cluster, refuses a
    broker no partition can spare, and still may neither write nor read a record."""
    from secure_kafka.model.access import rollout_acls
    from secure_kafka.model.pki import ROLLOUT_IDENTITY

    topic = f"gated-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic, partitions=1, replication=3)
    who = cluster.rollout_identity()
    blind = _roll_gate_cli(cluster, who, "before", 0, timeout=6)
    assert blind.returncode == 1 and "rollout ACLs are missing" in blind.stderr, blind.stderr[-800:]
    commands = [c for c in boot_commands(cluster, "kafka-acls.sh") if f"User:{ROLLOUT_IDENTITY}" in c]
    assert len(commands) == len(rollout_acls(f"User:{ROLLOUT_IDENTITY}")) == 2
    for argv in commands:  # exactly what broker 0's boot runs, through Kafka's own ACL tool
        run_tool(cluster, "kafka.admin.AclCommand", argv)
    _wait("the rollout ACLs reach every broker", lambda: _roll_gate_cli(cluster, who, "after", 1, 5).returncode == 0, 60)
    passed = _roll_gate_cli(cluster, who, "before", 0, timeout=30)
    assert passed.returncode == 0 and "broker 0 may stop" in passed.stdout, passed.stderr[-800:]
    client = admin(cluster)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("min.insync.replicas", "3", incremental_operation=AlterConfigOpType.SET)])
    client.incremental_alter_configs([resource])[resource].result(timeout=30)
    _wait("min ISR 3 is seen", lambda: _roll_gate_cli(cluster, who, "before", 0, 4).returncode == 1, 60)
    refused = _roll_gate_cli(cluster, who, "before", 0, timeout=4)
    assert refused.returncode == 1 and f"{topic}-0" in refused.stderr and "min.insync.replicas" in refused.stderr
    config = cluster.tls_config(who)
    acked, errors = produce(config, topic, [b"not-yours"], timeout=10, once=True)
    assert acked == [] and len(errors) == 1 and errors[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, errors
    got, errors = consume(config, topic, "kafka-rollout", 1, timeout=15)
    assert got == [] and errors, "the gate's identity read a record"
    client.delete_topics([topic])[topic].result(timeout=30)


def controller_gate_through_the_brokers(cluster: KafkaCluster) -> None:
    """`roll-gate --controller`, as `pulumi up` runs it between KRaft controller replacements
    (rollout_kafka_home): with the rollout ACLs broker 0's boot grants then (Describe on the cluster
    too), asked through the brokers' TLS listener, it lets a controller of a healthy quorum stop;
    with another controller down it refuses both to stop one more and to call the stopped one
    back; restarted and caught up, the stopped one is called back."""
    import sys

    from secure_kafka.model.access import rollout_acls
    from secure_kafka.model.pki import ROLLOUT_IDENTITY

    who, home = cluster.rollout_identity(), _kafka_home(cluster)
    env = credentials_env(who, "GATE")

    def gate(step: str, index: int, timeout: int) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "secure_kafka.cli", "roll-gate", step, "--controller",
                str(cluster.voters[index].node_id), "--kafka-home", home, "--bootstrap", cluster.bootstrap(),
                "--timeout", str(timeout), "--interval", "1"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout + 120)

    def refused(step: str, index: int, timeout: int, because: Callable[[str], bool]) -> str:
        """The gate refuses, for the reason expected: a request the brokers forward to the active
        controller can meet a passing error (UNKNOWN_SERVER_ERROR while their channel to it reconnects),
        which the gate reports as its last reason, so it is asked again until the reason is the one
        expected; no answer may let a controller go."""
        answers = []
        for _ in range(10):
            answers.append(gate(step, index, timeout))
            if because(answers[-1].stderr):
                break
        assert all(a.returncode == 1 for a in answers), [(a.returncode, a.stdout[-300:]) for a in answers]
        assert because(answers[-1].stderr), [a.stderr[-600:] for a in answers]
        return answers[-1].stderr

    quorum_whole(cluster, "every controller is a caught-up voter before the gate is asked")
    # without the rollout ACLs (Describe on the cluster) the gate is refused
    refused("before", 0, 3, lambda said: "cluster_authorization_failed" in said.lower().replace(" ", "_")
            or "not authorized" in said.lower())
    commands = [c for c in boot_commands(cluster, "kafka-acls.sh", metadata_mode="kraft",
                                         rollout_kafka_home="/opt/kafka") if f"User:{ROLLOUT_IDENTITY}" in c]
    assert len(commands) == len(rollout_acls(f"User:{ROLLOUT_IDENTITY}", quorum=True)) == 3
    for argv in commands:  # exactly what broker 0's boot runs, through Kafka's own ACL tool
        run_tool(cluster, "kafka.admin.AclCommand", argv)
    _wait("the cluster ACL reaches the brokers", lambda: gate("before", 0, 5).returncode == 0, 60)
    passed = gate("before", 0, timeout=30)
    assert passed.returncode == 0 and "controller 1000 may stop" in passed.stdout, passed.stderr[-800:]
    cluster.controller_servers[1].stop(timeout=60)
    from secure_kafka.ops.rolling import quorum_ready
    # the quorum's own table says so once the leader has not heard from it for 5 s
    seen: list = []
    _wait("the leader reports controller 1001 behind",
          lambda: any("controller 1001" in r for r in quorum_ready(quorum_rows(cluster, seen) or [])), 60, seen)
    # the reason names the one that is gone
    refused("before", 0, 6, lambda said: "controller 1000 may not stop" in said and "controller 1001" in said
            and "not observable" not in said)
    refused("after", 1, 5, lambda said: "controller 1001 did not rejoin the quorum" in said)
    cluster.restart_controller(1)
    back = gate("after", 1, timeout=120)
    assert back.returncode == 0 and "controller 1001 is a caught-up voter again" in back.stdout, back.stderr[-800:]


# --- ZooKeeper -> KRaft: the migration, phase by phase, under load -----------------------------------
MIGRATED = "Completed migration of metadata from ZooKeeper to KRaft"


def _tool_output(cluster: KafkaCluster, main: str, argv: list[str]) -> str:
    done = subprocess.run([*_java_tool(cluster, main), *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Hands:
    """What `secure-kafka migrate` asks the platform to do, served to its commands over HTTP on
    127.0.0.1: each command is a tiny client that POSTs here and fails unless the step succeeded.
    Records when each step began, to cut the run into phases."""

    CALL = ("import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], "
            "method='POST'), timeout=900)")

    def __init__(self, actions: dict[str, Callable[..., None]]) -> None:
        import http.server
        import threading
        import traceback

        self.actions, self.calls = actions, []
        self.failures: list[str] = []  # what a step raised here (the command sees only a 500)
        hands = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                name, *args = self.path.strip("/").split("/")
                hands.calls.append((time.monotonic(), name, *args))
                try:
                    hands.actions[name](*args)
                except Exception:  # noqa: BLE001 - reported to the command, which then fails
                    body, code = traceback.format_exc().encode(), 500
                    hands.failures.append(f"{name}{args}: {traceback.format_exc()[-3000:]}")
                else:
                    body, code = b"done", 200
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.HTTPServer((HOST, 0), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def command(self, name: str, *places: str) -> list[str]:
        import sys

        url = f"http://{HOST}:{self.server.server_address[1]}/{name}" + "".join(f"/{p}" for p in places)
        return [sys.executable, "-c", self.CALL, url]

    def said(self, done: subprocess.CompletedProcess) -> str:
        """A failed run's message: what the command printed, then what a step raised here, last, where a
        truncated CI log still shows it (the command itself sees only the 500)."""
        raised = "\n".join(self.failures) or "(no step raised)"
        return f"{done.stdout[-3000:]}{done.stderr[-3000:]}\n--- what the harness's steps raised:\n{raised}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Drain:
    """A consumer reading a topic in its group from its own thread until stopped; keeps what it
    read and when."""

    def __init__(self, config: dict, topic: str, group: str) -> None:
        import threading

        self.got: list[tuple[float, bytes]] = []
        self.errors: list = []
        self._stop = threading.Event()
        self._consumer = Consumer({**config, **QUIET, "group.id": group, "auto.offset.reset": "earliest",
                                   "enable.auto.commit": True})
        self._consumer.subscribe([topic])
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self._consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                self.errors.append(msg.error())
            else:
                self.got.append((time.monotonic(), msg.value()))

    def __enter__(self) -> "Drain":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)
        self._consumer.close()


def migration_plan(cluster: KafkaCluster, hands: Hands) -> Path:
    """The plan file an operator writes for `secure-kafka migrate`, with the harness as the platform."""
    plan = {
        "bootstrap": cluster.bootstrap(),
        "bootstrap_controller": ",".join(f"{HOST}:{v.port}" for v in cluster.voters),
        "brokers": list(range(cluster.brokers)), "controllers": [v.node_id for v in cluster.voters],
        "kafka_home": _kafka_home(cluster), "timeout": 240, "interval": 2,  # the command waits 5 s by default
        "commands": {
            "start_controllers": hands.command("start_controllers"),
            "restart_broker": hands.command("restart_broker", "{node}", "{phase}"),
            "restart_controller": hands.command("restart_controller", "{index}", "{phase}"),
            # what an operator greps in the controllers' logs (over SSM or `kubectl exec`), rolled files
            # included: log4j rolls them every hour, and a run that crosses the hour lost the line
            "migrated": ["sh", "-c", f"cat \"$0\"/controller*/*.log* 2>/dev/null | grep -qF '{MIGRATED}'",
                         str(cluster.workdir)],
            "stop_zookeeper": hands.command("stop_zookeeper"),
            "stop_controllers": hands.command("stop_controllers"),
            "clear_migration": hands.command("clear_migration"),
        }}
    path = cluster.workdir / "migration.yaml"
    path.write_text(yaml.safe_dump(plan))
    return path


def run_migrate(cluster: KafkaCluster, plan: Path, *args: str) -> subprocess.CompletedProcess:
    """`secure-kafka migrate` as an operator runs it: the operator's credentials in the environment."""
    import sys

    who = cluster.operator()
    env = credentials_env(who, "MIGRATE")
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "secure_kafka.cli", "migrate", "--plan", str(plan), *args],
                          env=env, capture_output=True, text=True, timeout=1200)
    print(f"secure-kafka migrate {' '.join(args)}: exit {done.returncode} after {time.monotonic() - began:.0f}s\n"
          f"{done.stdout}{done.stderr}")  # shown with -s, and with a failure
    return done


def migration_hands(cluster: KafkaCluster, cluster_id: str) -> Hands:
    """The platform's side of each phase: the configs `render.migration` renders, installed by the harness."""
    from secure_kafka.render.kafka import server_properties
    from secure_kafka.render.migration import (finalised_controller, migrated_broker, migrating_broker,
                                               migrating_controller)

    zookeeper_identity = cluster.operator().pem_files  # the identity that owns the znodes

    def start_controllers() -> None:
        cluster.start_controllers([migrating_controller(cluster.controller_settings(i), cluster.broker_settings(0),
                                                        cluster.brokers, zookeeper_identity)
                                   for i in range(cluster.controllers)], cluster_id)

    def restart_broker(broker: str, phase: str) -> None:
        index = int(broker)
        settings = cluster.broker_settings(index)
        if phase == "zookeeper":  # rolled back: the config the cluster ran before the migration
            config = server_properties(settings, cluster.brokers)
        else:
            render = {"brokers": migrating_broker, "kraft": migrated_broker}[phase]
            config = render(settings, cluster.brokers, cluster.voters)
        cluster.roll_node("broker", index, config=config)

    def restart_controller(index: str, phase: str) -> None:
        assert phase == "finalised", phase
        cluster.roll_node("controller", int(index), config=finalised_controller(cluster.controller_settings(int(index))))

    def stop_zookeeper() -> None:
        for server in cluster.zk_servers:
            server.stop()

    def stop_controllers() -> None:  # deprovisioned: processes, metadata and logs go
        for index, server in enumerate(cluster.controller_servers):
            server.stop()
            removed = cluster.workdir / "removed"
            removed.mkdir(exist_ok=True)
            (cluster.workdir / f"controller{index}").rename(removed / f"controller{index}-{uuid.uuid4().hex[:4]}")

    def clear_migration() -> None:
        kraft, before, after = raise_controller_epoch(cluster)
        assert after > kraft, (kraft, before, after)
        print(f"clear_migration: the KRaft controller's epoch {kraft}; /controller_epoch {before} -> {after}")
        for path in ("/controller", "/migration"):
            zookeeper_shell(cluster, "deleteall", path)

    return Hands({"start_controllers": start_controllers, "restart_broker": restart_broker,
                  "restart_controller": restart_controller, "stop_zookeeper": stop_zookeeper,
                  "stop_controllers": stop_controllers, "clear_migration": clear_migration})


def zookeeper_shell(cluster: KafkaCluster, *command: str) -> str:
    """Kafka's zookeeper-shell.sh over TLS, as the identity that owns the znodes (the brokers')."""
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import server_properties

    broker = server_properties(cluster.broker_settings(0), cluster.brokers)
    tls = cluster.workdir / "zookeeper-shell-tls.properties"
    tls.write_text(render_properties({k: v for k, v in broker.items() if k.startswith("zookeeper.ssl")
                                      or k == "zookeeper.clientCnxnSocket"}))
    done = subprocess.run(shared(["java", "-Xmx128m", "-cp", cluster.classpath,
                                  "org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka", "-server",
                                  str(broker["zookeeper.connect"]), "-zk-tls-config-file", str(tls), *command]),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def raise_controller_epoch(cluster: KafkaCluster) -> tuple[int, int, int]:
    """Before `/controller` goes on a rollback (KAFKA-20488, Kafka's migration docs since 2026-05): the
    ZooKeeper controller elected next takes `/controller_epoch` + 1, and brokers that were led by the KRaft
    controller refuse a controller whose epoch is not above the KRaft one as stale. Returns the KRaft
    controller's epoch (from `/controller`) and `/controller_epoch` before and after."""
    def read(path: str, shaped: Callable[[str], bool]) -> str:
        return znode_data(zookeeper_shell(cluster, "get", path), shaped)

    kraft = int(json.loads(read("/controller", lambda line: line.startswith("{"))).get("kraftControllerEpoch", -1))
    before = epoch = int(read("/controller_epoch", str.isdigit))
    if epoch <= kraft:
        zookeeper_shell(cluster, "set", "/controller_epoch", str(kraft + 1))
        epoch = int(read("/controller_epoch", str.isdigit))
    return kraft, before, epoch


def znode_data(output: str, shaped: Callable[[str], bool]) -> str:
    """The data line of `zookeeper-shell get`: the shell prints its connection event from another
    thread, before or (on a loaded machine) after the data, so the data is the one line shaped as
    it must be, not the last line."""
    lines = [line.strip() for line in output.splitlines() if shaped(line.strip())]
    assert len(lines) == 1, f"not one data line in: {output[-1500:]}"
    return lines[0]


PHASE_OF = {"start_controllers": "controllers", "stop_zookeeper": "retired", "stop_controllers": "rollback",
            "clear_migration": "rollback"}


def _phase_windows(calls: list, end: float) -> dict[str, tuple[float, float]]:
    """(start, end) of each phase: from the first step the driver asked for in it to the next phase's."""
    firsts: dict[str, float] = {}
    for at, name, *args in calls:
        firsts.setdefault(PHASE_OF.get(name) or args[-1], at)
    starts = list(firsts.items())
    return {phase: (at, starts[i + 1][1] if i + 1 < len(starts) else end) for i, (phase, at) in enumerate(starts)}


def _after_steps(low: list, calls: list) -> list[str]:
    """Each bad sample placed after the last step the driver asked for before it (for the reader)."""
    placed = []
    for at, margin, names in low:
        before = [c for c in calls if c[0] <= at]
        step = f"{before[-1][1:]} +{at - before[-1][0]:.1f}s" if before else "before any step"
        placed.append(f"{step}: margin {margin}, {len(names)} partition(s) e.g. {names[:3]}")
    return placed


def _back_on_zookeeper(cluster: KafkaCluster, topic: str, config: dict) -> None:
    """After the rollback: every broker runs its pre-migration config, no controller runs, a broker
    is the ZooKeeper controller again, and a topic and ACL made while the brokers ran KRaft (written
    to ZooKeeper by the controllers) still serve their user and still refuse a stranger."""
    from secure_kafka.render import parse_properties, render_properties
    from secure_kafka.render.kafka import server_properties

    for index in range(cluster.brokers):
        before = parse_properties(render_properties(server_properties(cluster.broker_settings(index), cluster.brokers)))
        assert cluster.rendered("broker", index) == before, index
    assert not any(server.running for server in cluster.controller_servers)
    _wait("a broker is the ZooKeeper controller", lambda: cluster.controller_id() in range(cluster.brokers), 60)
    acked, errors = produce_once_allowed(config, topic, [b"after-rollback"])
    assert acked == [b"after-rollback"], errors
    got, _ = consume(config, topic, "dualwrite", 2, timeout=60)
    assert {b"warm", b"after-rollback"} <= set(got), got
    stranger = cluster.tls_config(cluster.client("stranger"))
    acked, errors = produce(stranger, topic, [b"sneaky"], timeout=10, once=True)
    assert acked == [] and [e.code() for e in errors] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], errors


def zookeeper_to_kraft(cluster: KafkaCluster) -> None:
    """A running secured ZooKeeper-mode cluster (SCRAM users, ACLs, quotas) moves to KRaft, driven
    by `secure-kafka migrate`, while an acks=all producer and a consumer run: a phase whose
    preconditions do not hold is refused before anything restarts; the brokers go to KRaft and are
    rolled back to ZooKeeper (what was made meanwhile survives); a second attempt goes all the way.
    Both clients make progress in every phase and in the rollback, nothing acknowledged is lost, no
    partition is sampled under min ISR, what was denied is still denied, SCRAM and quotas carry
    over, and the cluster ends with no ZooKeeper process and no ZooKeeper setting."""
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import ClientQuota, admin_client_properties, quota_arguments
    from secure_kafka.render.migration import PHASES, no_zookeeper_left

    topic, config = _loaded_topic(cluster, "migrating")
    user, password = "ledger-scram", uuid.uuid4().hex
    upsert_scram(cluster, user, password)
    grant(cluster, f"User:{user}", topic, group=user)
    quota = ClientQuota(producer_byte_rate=123456, consumer_byte_rate=234567, request_percentage=150)
    settings = cluster.workdir / "migration-admin.properties"
    settings.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    run_config_command(cluster, quota_arguments(quota, cluster.bootstrap(), str(settings), user="metered"))

    cluster_id = parse_meta(cluster.workdir / "kafka0" / "data" / "meta.properties")["cluster.id"]
    hands = migration_hands(cluster, cluster_id)
    plan = migration_plan(cluster, hands)
    observe = operator_observer(cluster)
    try:
        with IsrSampler(observe) as sampler, Load(config, topic, "migrate") as load, \
                Drain(config, topic, "migrating") as drain:
            # the group's __consumer_offsets (created as the consumer joins) must be in sync before the
            # first phase: migrate refuses an under-replicated cluster, which is its job, not this claim's
            _in_sync(observe, drain, timeout=240)
            first = run_migrate(cluster, plan, "--until", "controllers")
            assert first.returncode == 0 and "controllers done" in first.stdout, hands.said(first)
            steps = len(hands.calls)
            early = run_migrate(cluster, plan, "--from", "kraft")  # before the metadata was migrated
            assert early.returncode == 1, hands.said(early)
            assert "phase kraft refused" in early.stderr and "have not migrated the metadata" in early.stderr
            assert len(hands.calls) == steps  # nothing restarted
            # to KRaft brokers, then back: Kafka allows it until the controllers are finalised
            to_kraft = run_migrate(cluster, plan, "--from", "brokers", "--until", "kraft")
            assert to_kraft.returncode == 0, hands.said(to_kraft)
            dual_topic, dual_config = _loaded_topic(cluster, "dualwrite")
            back = run_migrate(cluster, plan, "--rollback")
            assert back.returncode == 0, hands.said(back)
            _back_on_zookeeper(cluster, dual_topic, dual_config)
            # the rolled-back brokers catch up before the second attempt, which refuses a lagging cluster
            _in_sync(observe, drain, timeout=240)
            second = len(hands.calls)
            # and a second attempt, all the way
            rest = run_migrate(cluster, plan)
            assert rest.returncode == 0, hands.said(rest)
            time.sleep(4)  # the clients keep going on the cluster without ZooKeeper
            end = time.monotonic()
    finally:
        hands.close()
    brokers, forward = range(cluster.brokers), [("start_controllers",)]
    for phase in ("brokers", "kraft"):
        forward += [("restart_broker", str(b), phase) for b in brokers]
    rollback = ([("restart_broker", str(b), "brokers") for b in brokers] + [("stop_controllers",), ("clear_migration",)]
                + [("restart_broker", str(b), "zookeeper") for b in brokers])
    finish = [("restart_controller", str(c), "finalised") for c in range(cluster.controllers)] + [("stop_zookeeper",)]
    assert len(hands.calls) == 26, hands.calls
    assert [(c[1], *c[2:]) for c in hands.calls] == forward + rollback + forward + finish
    for phase in PHASES:
        assert f"{phase} done in" in rest.stdout, rest.stdout
    assert len(sampler.margins) >= 20 and sampler.below == [] and min(sampler.margins) >= 0, (
        f"{len(sampler.margins)} samples, lowest margin {min(sampler.margins, default=None)}, "
        f"under min ISR: {sorted(set(sampler.below))[:10]} ({len(sampler.below)} sample(s)); "
        f"restarts: {[c[1:] for c in hands.calls]}; when: {_after_steps(sampler.low, hands.calls)}")
    windows = _phase_windows(hands.calls[second:], end)
    windows["rollback"] = (hands.calls[len(forward)][0], hands.calls[second][0])
    assert list(windows) == [*PHASES, "rollback"], windows
    acked_at, read_at = load.acked_at, [at for at, _ in drain.got]
    for phase, (begin, finish_at) in windows.items():  # both clients made progress in every phase
        assert any(begin <= at < finish_at for at in acked_at), f"no send acknowledged during {phase}"
        assert any(begin <= at < finish_at for at in read_at), f"nothing consumed during {phase}"
    missing = set(load.acked) - {value for _, value in drain.got}
    if missing:  # the consumer group's tail after it stopped: read it in the same group
        got, _ = consume(config, topic, "migrating", len(missing), timeout=60)
        missing -= set(got)
    assert load.errors == [] and len(load.acked) + len(load.errors) == load.sent and load.sent > 200
    assert not missing, f"lost {len(missing)} acknowledged messages"

    assert not any(server.running for server in cluster.zk_servers)
    for role, count in (("broker", cluster.brokers), ("controller", cluster.controllers)):
        for index in range(count):
            rendered = cluster.rendered(role, index)
            assert no_zookeeper_left(rendered) == [] and rendered["process.roles"] == role, (role, index)
    observers = {r.node for r in quorum_replication(cluster, cluster.version) if r.status == "Observer"}
    assert observers == set(range(cluster.brokers))
    # still denied what it was denied
    stranger = cluster.tls_config(cluster.client("stranger"))
    acked, errors = produce(stranger, topic, [b"sneaky"], timeout=10, once=True)
    assert acked == [] and [e.code() for e in errors] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], errors
    # the SCRAM user and its ACL carried over; a wrong password is still refused
    scram = cluster.sasl_config(cluster.client("ledger-host"), user, password)
    acked, errors = produce_once_allowed(scram, topic, [b"after-migration"])
    assert acked == [b"after-migration"], errors
    wrong = connection_errors(cluster.sasl_config(cluster.client("ledger-host"), user, "not-the-password"))
    assert wrong and any("Authentication failed" in e.str() for e in wrong), [e.str() for e in wrong]
    # the quota carried over
    described = _tool_output(cluster, "kafka.admin.ConfigCommand", [
        "--bootstrap-server", cluster.bootstrap(), "--command-config", str(settings), "--describe",
        "--entity-type", "users", "--entity-name", "metered"])
    assert "producer_byte_rate=123456.0" in described and "consumer_byte_rate=234567.0" in described, described


def parse_meta(path) -> dict[str, str]:
    from secure_kafka.render import parse_properties

    return parse_properties(path.read_text())


# --- the Kubernetes readiness probe is the rolling gate, not a port check ---------------------------
def _kafka_home(cluster: KafkaCluster) -> str:
    """A stand-in for the image's /opt/kafka/bin: Kafka's own tools on the fetched jars."""
    from harness import kafka_tools_classpath

    home = cluster.workdir / "kafka-home"
    (home / "bin").mkdir(parents=True, exist_ok=True)
    for name, main in (("kafka-topics.sh", "org.apache.kafka.tools.TopicCommand"),
                       ("kafka-metadata-quorum.sh", "org.apache.kafka.tools.MetadataQuorumCommand"),
                       ("kafka-configs.sh", "kafka.admin.ConfigCommand")):
        script = home / "bin" / name
        classpath = kafka_tools_classpath()
        java = " ".join(["java", *flags(classpath)])  # with the runtime's archive
        script.write_text(f'#!/bin/bash\nexec {java} ${{KAFKA_HEAP_OPTS:--Xmx128m}} -cp "{classpath}" {main} "$@"\n')
        script.chmod(0o755)
    return str(home)


def _ready(cluster: KafkaCluster, script, home: str, broker: int) -> subprocess.CompletedProcess:
    import os

    settings = cluster.workdir / "ready-admin.properties"
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import admin_client_properties
    settings.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    return subprocess.run(["/bin/bash", str(script), str(broker), f"{HOST}:{cluster.tls_ports[0]}", str(settings)],
                          env={**os.environ, "KAFKA_HOME": home}, capture_output=True, text=True, timeout=120)


def readiness_probe_is_the_isr_gate(cluster: KafkaCluster) -> None:
    """The readiness script KafkaOnKubernetes ships (from its ConfigMap) calls a restarted broker
    ready only once it is back in every ISR: with replication throttled, the broker listens (a TCP
    probe would pass) but the script says not ready, as the rolling gate does; unthrottled, both
    say ready."""
    from harness import kubernetes_args, port_open
    from secure_kafka.kubernetes.manifests import config_files
    from secure_kafka.ops.rolling import back_in_sync

    script = cluster.workdir / "ready.sh"
    script.write_text(config_files(kubernetes_args(cluster))[0]["ready.sh"])
    home = _kafka_home(cluster)
    topic = f"catchup-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic, partitions=2, replication=3)
    client, observe, lagging = admin(cluster), operator_observer(cluster), 2
    assert _ready(cluster, script, home, lagging).returncode == 0  # positive control: all in sync

    def throttle(rate: Optional[str]) -> None:
        op = AlterConfigOpType.SET if rate else AlterConfigOpType.DELETE
        resources = [ConfigResource(ConfigResource.Type.BROKER, str(b), incremental_configs=[
            ConfigEntry(name, rate or "", incremental_operation=op)
            for name in ("leader.replication.throttled.rate", "follower.replication.throttled.rate")])
            for b in range(cluster.brokers)]
        resources.append(ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
            ConfigEntry(name, "*" if rate else "", incremental_operation=op)
            for name in ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")]))
        for resource in resources:  # one broker resource per call
            client.incremental_alter_configs([resource])[resource].result(timeout=30)

    grant(cluster, "User:catchup", topic)
    throttle("1024")
    cluster.kafka_servers[lagging].stop(timeout=60)
    payload = [bytes(1000) + str(i).encode() for i in range(3000)]  # ~3 MB the stopped broker misses
    acked, errors = produce_once_allowed(cluster.tls_config(cluster.client("catchup")), topic, payload)
    assert len(acked) == len(payload), errors[:3]
    cluster.restart_broker(lagging)
    _wait("the restarted broker listens", lambda: port_open(cluster.tls_ports[lagging]), 90)
    _wait("the restarted broker registers", lambda: lagging in observe().brokers, 90)
    behind = _ready(cluster, script, home, lagging)
    assert behind.returncode == 1 and f"not in the ISR of {topic}-" in behind.stderr, behind.stderr[-500:]
    assert back_in_sync(observe(), lagging, range(cluster.brokers)) != []  # the gate agrees
    assert _ready(cluster, script, home, 0).returncode == 0  # a broker in every ISR is ready
    throttle(None)
    _wait("the broker catches up and the probe says ready",
          lambda: _ready(cluster, script, home, lagging).returncode == 0, 180)
    assert back_in_sync(observe(), lagging, range(cluster.brokers)) == []
    client.delete_topics([topic])[topic].result(timeout=30)


def controller_readiness_is_the_quorum_gate(cluster: KafkaCluster) -> None:
    """The controller pods' readiness script, its admin settings and its arguments taken from
    KafkaOnKubernetes' manifests (only the certificate paths and the address made local): ready
    on a healthy quorum; not ready while its port is open but the quorum has lost its majority (a
    TCP probe would pass), agreeing with the gate; ready again once the majority is back."""
    from harness import kubernetes_args, port_open
    from secure_kafka.kubernetes.manifests import config_files
    from secure_kafka.render import parse_properties, render_properties
    from secure_kafka.ops.rolling import controller_ready

    _, files = config_files(kubernetes_args(cluster))
    script = cluster.workdir / "controller-ready.sh"
    script.write_text(files["controller-ready.sh"])
    home = _kafka_home(cluster)

    def ready(index: int) -> subprocess.CompletedProcess:
        import os

        admin = parse_properties(files[f"admin-{index}.properties"])
        local = cluster.controller_ids[index].pem_files
        admin.update({"ssl.keystore.location": local.keystore, "ssl.truststore.location": local.truststore})
        settings = cluster.workdir / f"controller-ready-{index}.properties"
        settings.write_text(render_properties(admin))
        voter = cluster.voters[index]
        return subprocess.run(["/bin/bash", str(script), str(voter.node_id), f"{HOST}:{voter.port}", str(settings)],
                              env={**os.environ, "KAFKA_HOME": home}, capture_output=True, text=True, timeout=120)

    first = ready(0)
    assert first.returncode == 0, first.stderr[-800:]
    assert controller_ready(quorum_replication(cluster, cluster.version), cluster.voters[0].node_id) == []
    for index in (1, 2):
        cluster.controller_servers[index].stop(timeout=60)
    seen: list = []
    _wait("controller 0 says not ready", lambda: seen.append(ready(0)) or seen[-1].returncode == 1, 60)
    assert seen[-1].stderr.startswith("not ready: "), seen[-1].stderr[-800:]
    assert port_open(cluster.voters[0].port)  # a TCP probe would still pass
    for index in (1, 2):
        cluster.restart_controller(index)
    _wait("the quorum is whole again and controller 0 says ready", lambda: ready(0).returncode == 0, 120)
    assert ready(2).returncode == 0

"""Security claims about the rendered broker and ZooKeeper configs, proven on real Kafka 3.9.x."""
import os
import signal
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicCollection
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewTopic,
                                   ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism,
                                   UserScramCredentialUpsertion)
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import Permissions

import probes
from harness import HOST, KafkaCluster, new_authority, port_open, wait_until

pytestmark = pytest.mark.e2e
QUIET = {"log_level": 0}


def admin(cluster):
    return AdminClient({**cluster.tls_config(cluster.operator()), **QUIET})


def create_topic(cluster, name, partitions=1):
    client = admin(cluster)  # keep the handle alive until the future resolves
    client.create_topics([NewTopic(name, partitions, 3)])[name].result(timeout=60)


def grant(cluster, principal, topic, group=None):
    bindings = [AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, principal, "*", op,
                           AclPermissionType.ALLOW)
                for op in (AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)]
    if group:
        bindings.append(AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, principal, "*",
                                   AclOperation.READ, AclPermissionType.ALLOW))
    client = admin(cluster)
    for future in client.create_acls(bindings).values():
        future.result(timeout=30)


def produce(config, topic, values, timeout=30):
    """Produce with acks=all; return (acknowledged values, errors)."""
    acked, errors = [], []

    def report(err, msg):
        (errors if err else acked).append(err if err else msg.value())

    producer = Producer({**config, **QUIET, "acks": "all", "enable.idempotence": True,
                         "message.timeout.ms": timeout * 1000})
    for value in values:
        producer.produce(topic, value, on_delivery=report)
        producer.poll(0)
    producer.flush(timeout + 5)
    return acked, errors


def produce_once_allowed(config, topic, values, timeout=60):
    """ACL changes reach every broker through ZooKeeper watches, asynchronously: retry the
    first batch until it is no longer refused (each retry still has to be fully acknowledged)."""
    deadline = time.monotonic() + timeout
    while True:
        acked, errors = produce(config, topic, values, timeout=10)
        refused = [e for e in errors if e.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED]
        if not refused or time.monotonic() > deadline:
            return acked, errors
        time.sleep(1)


def consume(config, topic, group, expected, timeout=60):
    consumer = Consumer({**config, **QUIET, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    got, errors, deadline = [], [], time.monotonic() + timeout
    try:
        while len(got) < expected and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                errors.append(msg.error())
                if msg.error().code() in (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.GROUP_AUTHORIZATION_FAILED):
                    break
                continue
            got.append(msg.value())
    finally:
        consumer.close()
    return got, errors


def test_acls_deny_by_default_then_a_grant_lets_a_tls_client_produce_and_consume(cluster):
    topic = f"orders-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    client = cluster.client("orders-service")
    config = cluster.tls_config(client)

    acked, errors = produce(config, topic, [b"before-grant"], timeout=10)
    assert acked == [] and errors and errors[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    audit = "".join((cluster.workdir / f"kafka{i}" / "kafka-authorizer.log").read_text(errors="replace")
                    for i in range(cluster.brokers) if (cluster.workdir / f"kafka{i}" / "kafka-authorizer.log").exists())
    assert "User:orders-service" in audit and "Denied" in audit  # the audit log names who was refused

    grant(cluster, "User:orders-service", topic, group="orders-readers")
    values = [f"order-{i}".encode() for i in range(50)]
    acked, errors = produce_once_allowed(config, topic, values)
    assert errors == [] and sorted(acked) == sorted(values)
    got, errors = consume(config, topic, "orders-readers", len(values))
    assert sorted(got) == sorted(values), errors


def test_a_client_without_an_acl_on_a_topic_cannot_read_it(cluster):
    topic = f"payments-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    grant(cluster, "User:payments", topic, group="payments")
    acked, _ = produce_once_allowed(cluster.tls_config(cluster.client("payments")), topic, [b"secret"])
    assert acked == [b"secret"]
    snoop = cluster.tls_config(cluster.client("snoop"))
    got, errors = consume(snoop, topic, "snoop", 1, timeout=20)
    assert got == [] and errors
    assert {e.code() for e in errors} & {KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.GROUP_AUTHORIZATION_FAILED}


def test_sasl_ssl_needs_both_a_certificate_and_valid_scram_credentials(cluster):
    user, password = "billing", uuid.uuid4().hex
    upsert = UserScramCredentialUpsertion(user, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                          password.encode())
    client = admin(cluster)
    for future in client.alter_user_scram_credentials([upsert]).values():
        future.result(timeout=30)
    topic = f"billing-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    grant(cluster, f"User:{user}", topic, group="billing")
    cert = cluster.client("billing-host")
    good = cluster.sasl_config(cert, user, password)
    deadline = time.monotonic() + 30
    acked, errors = [], []
    while not acked and time.monotonic() < deadline:  # SCRAM credentials propagate through ZooKeeper
        acked, errors = produce_once_allowed(good, topic, [b"invoice"], timeout=5)
    assert acked == [b"invoice"], errors
    got, _ = consume(good, topic, "billing", 1)
    assert got == [b"invoice"]

    wrong = AdminClient({**cluster.sasl_config(cert, user, "not-the-password"), **QUIET})
    with pytest.raises(KafkaException):
        wrong.list_topics(timeout=8)
    no_cert = {k: v for k, v in good.items() if k not in ("ssl.certificate.location", "ssl.key.location")}
    with pytest.raises(KafkaException):
        AdminClient({**no_cert, **QUIET}).list_topics(timeout=8)


def test_every_broker_port_refuses_plaintext_and_bad_certificates(cluster):
    good = cluster.client("prober")
    foreign_ca = new_authority("e2e")  # same names, different key: must not be trusted
    foreign = cluster.client("prober", ca=foreign_ca)
    request = probes.api_versions_request()
    for port in cluster.tls_ports + cluster.sasl_ports:
        # positive control: the probe recognises a Kafka answer over proper mutual TLS
        assert probes.is_kafka_answer(probes.tls(port, request, good.ca, good.cert, good.key)), port
        assert not probes.is_kafka_answer(probes.plaintext(port, request)), port
        assert not probes.is_kafka_answer(probes.tls(port, request, good.ca)), port
        assert not probes.is_kafka_answer(probes.tls(port, request, good.ca, foreign.cert, foreign.key)), port
    plain = AdminClient({"bootstrap.servers": cluster.bootstrap(), "security.protocol": "PLAINTEXT", **QUIET,
                         "socket.timeout.ms": 3000})
    with pytest.raises(KafkaException):
        plain.list_topics(timeout=8)


def zk_client(cluster, identity, port=None):
    port = port or cluster.zk_client_ports[0]
    return KazooClient(hosts=f"{HOST}:{port}", use_ssl=True, ca=str(identity.ca), certfile=str(identity.cert),
                       keyfile=str(identity.key), verify_certs=True, timeout=10)


def test_zookeeper_is_tls_only_and_refuses_clients_without_a_valid_certificate(cluster):
    good = cluster.client("zk-prober")
    foreign = cluster.client("zk-prober", ca=new_authority("e2e"))
    for port in cluster.zk_client_ports:
        assert probes.tls(port, b"ruok", good.ca, good.cert, good.key) == b"imok", port  # positive control
        assert probes.plaintext(port, b"ruok") != b"imok", port
        assert probes.tls(port, b"ruok", good.ca) != b"imok", port
        assert probes.tls(port, b"ruok", good.ca, foreign.cert, foreign.key) != b"imok", port
    for member in cluster.zk_members:  # quorum and election ports speak TLS only too
        assert probes.plaintext(member.quorum_port, b"\x00" * 16) == b""
        assert probes.plaintext(member.election_port, b"\x00" * 16) == b""


def test_broker_metadata_znodes_are_locked_to_the_brokers(cluster):
    outsider = cluster.client("zk-outsider")
    zk = zk_client(cluster, outsider)
    zk.start(timeout=20)
    try:
        ids = zk.get_children("/kafka/brokers/ids")
        assert sorted(ids) == ["0", "1", "2"]  # world may read broker registrations ...
        acls, _ = zk.get_acls("/kafka/brokers/topics")
        world = [a for a in acls if a.id.scheme == "world"]
        assert world and all(a.perms == Permissions.READ for a in world)
        owners = [a for a in acls if a.id.scheme == "x509"]
        assert owners and all(a.id.id.startswith("CN=kafka-broker,OU=e2e") for a in owners)
        with pytest.raises(NoAuthError):  # ... but not change them
            zk.set("/kafka/brokers/ids/0", b"{}")
        with pytest.raises(NoAuthError):
            zk.create("/kafka/brokers/topics/injected", b"{}")
        with pytest.raises(NoAuthError):  # deleting needs DELETE on the parent: the chroot is locked
            zk.delete("/kafka/controller")
        with pytest.raises(NoAuthError):
            zk.delete("/kafka", recursive=True)
        with pytest.raises(NoAuthError):  # and where SCRAM credentials live is not even readable
            zk.get_children("/kafka/config/users")
    finally:
        zk.stop()
        zk.close()


def test_acks_all_loses_nothing_when_the_leader_is_killed(cluster):
    topic = f"ledger-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    grant(cluster, "User:ledger", topic, group="ledger-audit")
    config = cluster.tls_config(cluster.client("ledger"))
    warm, _ = produce_once_allowed(config, topic, [b"entry-warmup"])
    assert warm == [b"entry-warmup"]
    operator = admin(cluster)
    description = operator.describe_topics(TopicCollection([topic]))[topic].result(timeout=30)
    leader = description.partitions[0].leader.id
    assert len(description.partitions[0].isr) == 3

    acked, errors = [], []

    def report(err, msg):
        (errors if err else acked).append(err if err else msg.value())

    producer = Producer({**config, **QUIET, "acks": "all", "enable.idempotence": True,
                         "message.timeout.ms": 120000, "linger.ms": 5})
    total, killed = 3000, False
    for i in range(total):
        producer.produce(topic, f"entry-{i}".encode(), on_delivery=report)
        producer.poll(0)
        if i == total // 3:
            producer.flush(60)
            cluster.kafka_servers[leader].signal(signal.SIGKILL)
            killed = True
        if i % 200 == 0:
            producer.poll(0.05)
    producer.flush(120)
    assert killed and not cluster.kafka_servers[leader].running
    assert len(acked) >= total // 3 and len(acked) + len(errors) == total

    got, consume_errors = consume(config, topic, "ledger-audit", len(acked) + 1, timeout=90)
    assert set(acked) <= set(got), f"lost {len(set(acked) - set(got))} acknowledged messages"

    cluster.restart_broker(leader)
    def back_in_isr():
        try:
            d = operator.describe_topics(TopicCollection([topic]))[topic].result(timeout=10)
        except KafkaException:  # a broker that just restarted may not know the topic yet
            return False
        return len(d.partitions[0].isr) == 3
    deadline = time.monotonic() + 120
    while not back_in_isr():
        assert time.monotonic() < deadline, "restarted broker did not rejoin the ISR"
        time.sleep(1)


def test_everything_is_cleaned_up_even_when_the_body_fails(tmp_path):
    small = KafkaCluster(cluster="cleanup", zookeepers=1, brokers=2, sasl=False)
    with pytest.raises(RuntimeError, match="boom"):
        with small:
            ports = [p for s in small.servers for p in s.ports]
            pids = [s.process.pid for s in small.servers]
            listening = small.zk_client_ports + small.tls_ports
            wait_until(lambda: all(port_open(p) for p in listening), 60,
                       f"ports {listening} to accept ({[s.name for s in small.servers if not s.running]} exited)")
            raise RuntimeError("boom")
    assert not small.workdir.exists()
    assert all(not s.running for s in small.servers)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not any(port_open(p) for p in ports)


def test_client_quotas_from_the_renderer_throttle_a_client(cluster):
    """The quota command our brokers run at boot, applied with Kafka's own ConfigCommand."""
    import subprocess

    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import ClientQuota, admin_client_properties, quota_arguments

    command_config = cluster.workdir / "admin.properties"
    command_config.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    quota = ClientQuota(producer_byte_rate=32 * 1024, consumer_byte_rate=32 * 1024, request_percentage=50)
    args = quota_arguments(quota, cluster.bootstrap(), str(command_config), user="throttled")
    done = subprocess.run(["java", "-cp", cluster.classpath, "kafka.admin.ConfigCommand", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    topic = f"bulk-{uuid.uuid4().hex[:6]}"
    create_topic(cluster, topic)
    payload = [b"x" * 8192 for _ in range(48)]  # 384 KiB: ~12 s of quota
    throttled = {}
    for user in ("throttled", "free"):
        grant(cluster, f"User:{user}", topic)
        events = []
        config = {**cluster.tls_config(cluster.client(user)), "throttle_cb": events.append,
                  "linger.ms": 0, "batch.size": 16384}
        acked, errors = produce_once_allowed(config, topic, payload, timeout=60)
        assert errors == [] and len(acked) == len(payload)
        throttled[user] = sum(e.throttle_time for e in events)
    assert throttled["throttled"] > 0.5 and throttled["free"] == 0


def test_the_topic_access_model_denies_an_outpost_the_restricted_topic(cluster):
    """Cilium's Kafka example, enforced by the ACLs our access model renders, applied with
    Kafka's own AclCommand: the outpost may consume the announcements and gets
    TOPIC_AUTHORIZATION_FAILED (TopicAuthorizationException) when it produces to the plans."""
    import subprocess

    from secure_kafka.access import TopicGrant, acl_arguments, kafka_acls, permitted
    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import admin_client_properties

    suffix = uuid.uuid4().hex[:6]
    announce, plans = f"empire-announce-{suffix}", f"deathstar-plans-{suffix}"
    grants = [TopicGrant("empire-hq", produce=(announce, plans)), TopicGrant("outpost", consume=(announce,))]
    for topic in (announce, plans):
        create_topic(cluster, topic)
    command_config = cluster.workdir / "acl-admin.properties"
    command_config.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    for entry in kafka_acls(grants):
        done = subprocess.run(["java", "-cp", cluster.classpath, "kafka.admin.AclCommand",
                               *acl_arguments(entry, cluster.bootstrap(), str(command_config))],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    hq = cluster.tls_config(cluster.client("empire-hq"))
    outpost = cluster.tls_config(cluster.client("outpost"))
    acked, errors = produce_once_allowed(hq, announce, [b"the emperor arrives"])
    assert acked and not errors
    got, errors = consume(outpost, announce, "outpost-1", 1)
    assert got == [b"the emperor arrives"], errors
    acked, errors = produce(outpost, plans, [b"stolen"], timeout=10)
    assert acked == [] and errors[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    assert permitted(grants, "outpost", "consume", announce) and not permitted(grants, "outpost", "produce", plans)
    got, errors = consume(outpost, plans, "outpost-2", 1, timeout=15)
    assert got == [] and any(e.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED for e in errors)

"""Security claims about the rendered broker and ZooKeeper configs, proven on real Kafka 3.9.x.

The claims themselves live in claims.py, so that the mutation tests can show each one fails when
its line of the rendered config is weakened."""
import os
import time
import uuid

import pytest
from confluent_kafka import KafkaError
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import Permissions

import claims
from claims import connection_errors, consume, create_topic, grant, produce, produce_once_allowed
from harness import HOST, KafkaCluster, port_open, wait_until
from jvmcache import shared

pytestmark = pytest.mark.e2e


def test_every_socket_of_every_server_is_declared_local_and_refuses_strangers(cluster):
    claims.surface(cluster)


def test_old_tls_versions_and_weak_cipher_suites_are_refused_on_every_tls_port(cluster):
    claims.tls_versions_and_ciphers(cluster)


def test_zookeeper_answers_only_whitelisted_four_letter_words(cluster):
    claims.four_letter_words(cluster)


def test_zookeeper_quorum_refuses_a_member_certificate_issued_for_another_host(cluster):
    claims.zookeeper_name_checks(cluster, quorum_verifies=True)


def test_acls_deny_by_default_then_a_grant_lets_a_tls_client_produce_and_consume(cluster):
    claims.acls_deny_by_default(cluster)
    audit = "".join((cluster.workdir / f"kafka{i}" / "kafka-authorizer.log").read_text(errors="replace")
                    for i in range(cluster.brokers) if (cluster.workdir / f"kafka{i}" / "kafka-authorizer.log").exists())
    assert "User:orders-service" in audit and "Denied" in audit  # the audit log names who was refused


def test_a_denial_is_written_to_the_audit_log_alone(cluster):
    claims.denials_reach_the_audit_log(cluster)


def test_reading_a_topic_without_its_acl_fails_on_the_topic_even_with_an_allowed_group(cluster):
    claims.topic_denied_with_an_allowed_group(cluster)


def test_no_one_changes_a_listener_jaas_at_runtime_in_zookeeper_mode(cluster):
    """An outsider is refused by the authorizer; the operator too, by the broker: the rendered config has
    no password encoder secret, so a ZooKeeper-mode broker stores no dynamic SASL secret at all."""
    assert not any(k.startswith("password.encoder") for k in cluster.rendered("broker", 0))
    said = claims.listener_jaas_change(cluster)
    assert said.startswith("refused:") and "Password encoder secret not configured" in said, said


def test_investigate_answers_who_read_what_from_where_and_the_alarm_filters_count_it(cluster):
    claims.investigation_answers(cluster, claims.incident_trail(cluster))
    counted = claims.alarm_filters_match_the_servers_lines(cluster)
    assert all(counted[key] >= 1 for key in ("authentication_failures", "denials", "access_changes")), counted


def test_sasl_ssl_needs_both_a_certificate_and_valid_scram_credentials(cluster):
    user, password = "billing", uuid.uuid4().hex
    claims.upsert_scram(cluster, user, password)
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

    wrong = connection_errors(cluster.sasl_config(cert, user, "not-the-password"))
    assert wrong and any(e.code() == KafkaError._AUTHENTICATION and "Authentication failed" in e.str() for e in wrong), \
        [e.str() for e in wrong]
    no_cert = {k: v for k, v in good.items() if k not in ("ssl.certificate.location", "ssl.key.location")}
    refused = connection_errors(no_cert)
    # the broker ends the handshake with a certificate alert (bad_certificate, 42; certificate_required, 116)
    assert refused and any(e.code() in (KafkaError._SSL, KafkaError._TRANSPORT)
                           and ("alert bad certificate" in e.str() or "alert certificate required" in e.str())
                           for e in refused), [e.str() for e in refused]


def test_oauth_takes_only_signed_tokens_of_the_configured_issuer_and_audience(cluster):
    refused = claims.oauth_logins(cluster)
    assert sorted(refused) == sorted(claims.OAUTH_REFUSALS), refused


def zk_client(cluster, identity, port=None):
    port = port or cluster.zk_client_ports[0]
    return KazooClient(hosts=f"{HOST}:{port}", use_ssl=True, ca=str(identity.ca), certfile=str(identity.cert),
                       keyfile=str(identity.key), verify_certs=True, timeout=10)


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


def test_a_per_user_quota_from_the_renderer_throttles_that_user(cluster):
    """The quota command our brokers run at boot, applied with Kafka's own ConfigCommand."""
    import subprocess

    from secure_kafka.render import render_properties
    from secure_kafka.render.kafka import ClientQuota, admin_client_properties, quota_arguments

    command_config = cluster.workdir / "admin.properties"
    command_config.write_text(render_properties(admin_client_properties(cluster.operator().pem_files)))
    quota = ClientQuota(producer_byte_rate=32 * 1024, consumer_byte_rate=32 * 1024, request_percentage=50)
    args = quota_arguments(quota, cluster.bootstrap(), str(command_config), user="throttled")
    done = subprocess.run(shared(["java", "-cp", cluster.classpath, "kafka.admin.ConfigCommand", *args]),
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

    from secure_kafka.model.access import TopicGrant, acl_arguments, kafka_acls, permitted
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
        done = subprocess.run(shared(["java", "-cp", cluster.classpath, "kafka.admin.AclCommand",
                                      *acl_arguments(entry, cluster.bootstrap(), str(command_config))]),
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


def test_the_boot_commands_default_quota_throttles_a_client_and_a_user_quota_overrides_it(cluster):
    claims.default_quota_from_the_boot_command(cluster)


def test_acks_all_loses_nothing_when_the_leader_is_killed_in_flight(cluster):
    claims.leader_killed_in_flight(cluster)


def test_writes_stop_below_the_rendered_isr_floor_and_a_stale_replica_is_never_elected(cluster):
    claims.isr_floor_and_no_unclean_election(cluster)

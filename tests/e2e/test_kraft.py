"""KRaft mode on the real servers: a dedicated controller quorum, no ZooKeeper, secured like the rest.
The same claims as the ZooKeeper cluster, on the release the platforms ship in KRaft mode (the newest
4.x); KRaft on 3.9 runs only on the way from ZooKeeper (test_migration.py)."""
import pytest

import claims
from harness import KAFKA_4, KafkaCluster

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=[KAFKA_4], ids=["kafka-4"])
def kraft(request):
    with KafkaCluster(cluster="kraft", metadata="kraft", controllers=3, brokers=3, sasl=True, oauth=True,
                      version=request.param) as running:
        yield running


def test_no_zookeeper_and_every_socket_declared_local_and_refusing_strangers(kraft):
    assert kraft.zk_servers == [] and len(kraft.controller_servers) == 3
    for index in range(kraft.brokers):
        assert not [k for k in kraft.rendered("broker", index) if k.startswith("zookeeper")]
    claims.surface(kraft)


def test_old_tls_and_weak_suites_are_refused_on_brokers_and_controllers(kraft):
    claims.tls_versions_and_ciphers(kraft)


def test_no_one_changes_a_listener_jaas_at_runtime(kraft):
    """On KRaft 4.4 the controller would store the operator's change and the broker take it silently: the
    JVM login-module allow-list does not reach dynamic listener configs (found here). The controllers'
    AlterConfigs policy refuses it (its removal is a mutation); an outsider is refused by the authorizer."""
    assert kraft.rendered("controller", 0)["alter.config.policy.class.name"] == "io.securekafka.policy.StaticLoginPolicy"
    said = claims.runtime_login_changes_are_refused(kraft)
    assert "secure-kafka: listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config is static" in said, said


def test_oauth_takes_only_signed_tokens_of_the_configured_issuer_and_audience(kraft):
    """Also the 4.1+ validator class the renderer names (CVE-2026-33557: the default took unsigned tokens)."""
    assert kraft.rendered("broker", 0)["sasl.oauthbearer.jwt.validator.class"].endswith(".BrokerJwtValidator")
    refused = claims.oauth_logins(kraft)
    assert sorted(refused) == sorted(claims.OAUTH_REFUSALS), refused


def test_investigate_answers_who_read_what_from_where_and_the_alarm_filters_count_it(kraft):
    claims.investigation_answers(kraft, claims.incident_trail(kraft))
    counted = claims.alarm_filters_match_the_servers_lines(kraft)
    assert all(counted[key] >= 1 for key in ("authentication_failures", "denials", "access_changes")), counted


def test_acls_deny_by_default(kraft):
    claims.acls_deny_by_default(kraft)


def test_a_denial_is_written_to_the_audit_log_by_the_rendered_log4j2_config(kraft):
    claims.denials_reach_the_audit_log(kraft)


def test_reading_a_topic_without_its_acl_fails_on_the_topic(kraft):
    claims.topic_denied_with_an_allowed_group(kraft)


def test_acks_all_loses_nothing_when_the_leader_is_killed_in_flight(kraft):
    claims.leader_killed_in_flight(kraft)


def test_acks_all_loses_nothing_when_the_active_controller_is_killed(kraft):
    claims.active_controller_killed(kraft)


def test_the_controller_gate_lets_a_controller_go_only_while_the_quorum_can_spare_it(kraft):
    """`roll-gate --controller` on this cluster rather than one of its own (a KRaft cluster's start and
    life cost the suite ~35 CPU-seconds); last in the module, as it stops and restarts a controller."""
    claims.controller_gate_through_the_brokers(kraft)

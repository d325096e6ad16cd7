"""The ZooKeeper -> KRaft driver's order and refusals without a cluster, and the phase renderers
(the real migration: tests/e2e/test_migration.py)."""
import pytest

from secure_kafka.ops.migrate import MigrationOps, MigrationRefused, migrate, preconditions, rollback
from secure_kafka.render.kafka import BrokerSettings, PemFiles
from secure_kafka.render.kraft import ControllerSettings, Voter
from secure_kafka.render.migration import (finalised_controller, migrated_broker, migrating_broker,
                                           migrating_controller, no_zookeeper_left)
from secure_kafka.ops.rolling import ClusterState, PartitionState, QuorumReplica

TLS = PemFiles("/etc/kafka/tls/node.pem", "/etc/kafka/tls/ca.pem")
ZK_ID = PemFiles("/etc/kafka/tls/zk-client.pem", "/etc/kafka/tls/ca.pem")
VOTERS = [Voter(1000 + i, f"10.0.9.{i}") for i in range(3)]


class Fake:
    def __init__(self, lagging=False, healthy=True):
        self.log, self.is_migrated, self.kraft_brokers = [], False, set()
        self.lagging, self.whole = lagging, healthy

    def quorum(self):
        rows = [QuorumReplica(1000, 0, 10_000, 10_000, "Leader")]
        rows += [QuorumReplica(1000 + i, 500 if self.lagging else 0, 9_900, 9_900, "Follower") for i in (1, 2)]
        return rows + [QuorumReplica(b, 0, 9_900, 9_900, "Observer") for b in sorted(self.kraft_brokers)]

    def observe(self):
        isr = (0, 1, 2) if self.whole else (0, 1)
        return ClusterState(frozenset({0, 1, 2}), (PartitionState("t", 0, (0, 1, 2), isr, 2),))

    def restart_broker(self, broker, phase):
        self.log.append((phase, broker))
        if phase == "brokers" and broker == 2:
            self.is_migrated = True  # the last broker in migration mode: the controller copies the metadata
        if phase == "kraft":
            self.kraft_brokers.add(broker)

    def ops(self):
        return MigrationOps(brokers=[0, 1, 2], controllers=[0, 1, 2], restart_broker=self.restart_broker,
                            restart_controller=lambda c, p: self.log.append((p, c)), observe=self.observe,
                            quorum=self.quorum, migrated=lambda: self.is_migrated,
                            stop_zookeeper=lambda: self.log.append(("retired", "zookeeper")),
                            timeout=5, interval=1, sleep=lambda s: None)


def test_every_phase_runs_in_order_one_node_at_a_time():
    fake = Fake()
    report = migrate(fake.ops())
    assert report.phases == ["brokers", "kraft", "finalised", "retired"]
    assert len(fake.log) == 10
    assert fake.log == ([("brokers", b) for b in (0, 1, 2)] + [("kraft", b) for b in (0, 1, 2)]
                        + [("finalised", c) for c in (0, 1, 2)] + [("retired", "zookeeper")])


@pytest.mark.parametrize("fake,start,reason", [
    (Fake(lagging=True), "brokers", "lags the leader by 500 records"),
    (Fake(healthy=False), "brokers", "under-replicated"),
    (Fake(), "kraft", "have not migrated the metadata"),
    (Fake(), "retired", "have not migrated the metadata"),
], ids=["quorum-lagging", "under-replicated", "kraft-before-migration", "retire-before-migration"])
def test_a_phase_whose_preconditions_fail_is_refused_and_restarts_nothing(fake, start, reason):
    with pytest.raises(MigrationRefused, match=reason):
        migrate(fake.ops(), start=start)
    assert fake.log == []


def test_controllers_are_finalised_only_once_every_broker_fetches_the_metadata_log():
    fake = Fake()
    fake.is_migrated, fake.kraft_brokers = True, {0, 1}
    reasons = preconditions("finalised", fake.ops())
    assert reasons == ["broker(s) [2] do not fetch the metadata log yet (not in KRaft mode)"]
    fake.kraft_brokers.add(2)
    assert preconditions("finalised", fake.ops()) == []
    assert "already migrated" in " ".join(preconditions("brokers", fake.ops()))


def test_phase_ranges_are_checked():
    with pytest.raises(ValueError, match="not a range"):
        migrate(Fake().ops(), start="finalised", until="brokers")
    with pytest.raises(ValueError, match="no way to start the controllers"):
        migrate(Fake().ops(), start="controllers")


def test_the_controllers_phase_starts_them_and_waits_for_a_caught_up_quorum():
    fake = Fake(lagging=True)
    ops = fake.ops()

    def start():
        fake.log.append(("controllers", "start"))

    def quorum():
        if fake.log == [("controllers", "start")] and len([e for e in fake.quorum_asked if e]) >= 2:
            fake.lagging = False  # the followers catch up a few observations after the start
        fake.quorum_asked.append(bool(fake.log))
        return fake.quorum()

    fake.quorum_asked = []
    ops.start_controllers, ops.quorum = start, quorum
    report = migrate(ops, start="controllers", until="controllers")
    assert report.phases == ["controllers"] and fake.log == [("controllers", "start")]
    assert fake.quorum_asked[0] is True  # phase 1's preconditions never ask a quorum that does not exist yet
    assert len(fake.quorum_asked) == 3 and not fake.lagging


def test_the_controllers_phase_is_refused_on_an_unhealthy_or_migrated_cluster():
    for fake, reason in ((Fake(healthy=False), "under-replicated"), (Fake(), "already migrated")):
        fake.is_migrated = reason == "already migrated"
        ops = fake.ops()
        ops.start_controllers = lambda: fake.log.append(("controllers", "start"))
        with pytest.raises(MigrationRefused, match=reason):
            migrate(ops, start="controllers")
        assert fake.log == []


def _broker(index=1, sasl=True):
    return BrokerSettings(broker_id=index, cluster="orders", advertised_host=f"10.0.1.{index}",
                          zookeeper_connect="10.0.5.1:2182", log_dirs="/var/lib/kafka/data", tls=TLS,
                          sasl_port=9096 if sasl else None)


def test_each_phase_config_is_derived_from_the_start_and_end_renderers():
    controller = ControllerSettings(1000, "orders", "10.0.9.0", VOTERS, "/var/lib/kafka/metadata", TLS)
    c1 = migrating_controller(controller, _broker(), 3, ZK_ID)
    assert c1["zookeeper.metadata.migration.enable"] is True and c1["zookeeper.connect"] == "10.0.5.1:2182/kafka"
    assert c1["zookeeper.ssl.keystore.location"] == ZK_ID.keystore and c1["ssl.keystore.location"] == TLS.keystore
    assert c1["inter.broker.listener.name"] == "SSL" and "PLAINTEXT" not in c1["listener.security.protocol.map"]
    b2 = migrating_broker(_broker(), 3, VOTERS)
    assert b2["broker.id"] == 1 and b2["zookeeper.metadata.migration.enable"] is True
    assert b2["inter.broker.protocol.version"] == "3.9" and b2["controller.listener.names"] == "CONTROLLER"
    assert b2["listener.security.protocol.map"] == "CONTROLLER:SSL,SSL:SSL,SASL_SSL:SASL_SSL"
    assert set(b2["super.users"].split(";")) == {"User:kafka-broker", "User:kafka-controller"}
    b3 = migrated_broker(_broker(), 3, VOTERS)
    assert b3["node.id"] == 1 and b3["process.roles"] == "broker" and no_zookeeper_left(b3) == []
    assert b3["advertised.listeners"] == "SSL://10.0.1.1:9094,SASL_SSL://10.0.1.1:9096"
    c4 = finalised_controller(controller)
    assert no_zookeeper_left(c4) == [] and no_zookeeper_left(c1) != [] and no_zookeeper_left(b2) != []
    assert migrating_broker(_broker(sasl=False), 3, VOTERS)["listener.security.protocol.map"] == "CONTROLLER:SSL,SSL:SSL"


def _rollback_ops(fake, finalised=()):
    ops = fake.ops()
    ops.stop_controllers = lambda: fake.log.append(("controllers", "stopped"))
    ops.clear_migration = lambda: fake.log.append(("zookeeper", "cleared"))
    ops.finalised = lambda: list(finalised)
    return ops


def test_rollback_from_kraft_brokers_goes_back_through_migration_mode_then_zookeeper():
    fake = Fake()
    fake.is_migrated, fake.kraft_brokers = True, {0, 1, 2}
    report = rollback(_rollback_ops(fake))
    assert report.phases == ["brokers", "controllers", "zookeeper"]
    assert len(fake.log) == 8
    assert fake.log == ([("brokers", b) for b in (0, 1, 2)] + [("controllers", "stopped"), ("zookeeper", "cleared")]
                        + [("zookeeper", b) for b in (0, 1, 2)])


def test_rollback_from_migration_mode_brokers_skips_the_first_roll():
    fake = Fake()
    fake.is_migrated = True
    report = rollback(_rollback_ops(fake))
    assert report.phases == ["controllers", "zookeeper"] and len(fake.log) == 5
    assert fake.log[:2] == [("controllers", "stopped"), ("zookeeper", "cleared")]


@pytest.mark.parametrize("fake, finalised, reason", [
    (Fake(), [1000], r"controller\(s\) \[1000\] run without ZooKeeper \(finalised\): Kafka has no way back"),
    (Fake(healthy=False), [], "under-replicated"),
], ids=["finalised", "under-replicated"])
def test_rollback_is_refused_once_finalised_or_unhealthy_and_restarts_nothing(fake, finalised, reason):
    fake.is_migrated, fake.kraft_brokers = True, {0, 1, 2}
    with pytest.raises(MigrationRefused, match=reason):
        rollback(_rollback_ops(fake, finalised))
    assert fake.log == []


def test_rollback_refuses_when_it_cannot_tell_whether_the_controllers_are_finalised():
    fake = Fake()
    ops = _rollback_ops(fake)

    def unknown():
        raise RuntimeError("kafka-configs.sh exited 1")

    ops.finalised = unknown
    with pytest.raises(MigrationRefused, match="cannot tell whether the controllers still write to ZooKeeper"):
        rollback(ops)
    assert fake.log == []
    with pytest.raises(ValueError, match="rollback needs stop_controllers and clear_migration"):
        rollback(fake.ops())

"""The rolling gate's judgement on cluster states, and the driver's order of work, without a
cluster (the real-server proof is tests/e2e/test_rolling.py)."""
from dataclasses import replace

import pytest

from secure_kafka.rolling import (ClusterState, PartitionState, RollRefused, back_in_sync, healthy, may_stop,
                                  quorum_ready, quorum_replication, roll, roll_order)


def state(isrs, brokers=(0, 1, 2), min_isr=2):
    parts = tuple(PartitionState("orders", i, (0, 1, 2), tuple(isr), min_isr) for i, isr in enumerate(isrs))
    return ClusterState(frozenset(brokers), parts)


def test_a_whole_cluster_may_lose_any_one_broker():
    whole = state([(0, 1, 2), (1, 2, 0)])
    assert healthy(whole, [0, 1, 2]) == []
    assert [may_stop(whole, n) for n in (0, 1, 2)] == [[], [], []]


def test_no_broker_stops_while_a_partition_is_under_replicated():
    lagging = state([(0, 1, 2), (1, 2)])
    reasons = may_stop(lagging, 0)
    assert len(reasons) == 1 and "under-replicated" in reasons[0] and "orders-1" in reasons[0]


def test_a_broker_whose_loss_breaks_min_isr_may_not_stop():
    strict = state([(0, 1, 2)], min_isr=3)
    reasons = may_stop(strict, 1)
    assert len(reasons) == 1 and "fall under min.insync.replicas" in reasons[0] and "orders-0" in reasons[0]
    # a broker outside that ISR may go: its loss changes nothing
    outside = ClusterState(frozenset({0, 1, 2, 3}), (PartitionState("t", 0, (0, 1, 2), (0, 1, 2), 3),))
    assert may_stop(outside, 3) == []


def test_a_restarted_broker_counts_only_once_back_in_every_isr_and_registered():
    assert back_in_sync(state([(0, 2), (0, 1, 2)], brokers=(0, 2)), 1) != []
    missing = back_in_sync(state([(0, 1, 2)], brokers=(0, 2)), 1)
    assert len(missing) == 1 and "[1] not registered" in missing[0]
    out = back_in_sync(state([(0, 2), (0, 1, 2)]), 1)
    assert len(out) == 2 and "not yet in the ISR of 1 partition(s): orders-0" in out[0]
    assert back_in_sync(state([(0, 1, 2), (0, 1, 2)]), 1) == []


def test_the_last_node_named_goes_last():
    assert roll_order([2, 0, 1], last=0) == [1, 2, 0]
    assert roll_order([2, 0, 1]) == [0, 1, 2]
    assert roll_order([1, 1, 0], last=7) == [0, 1]


class FakeCluster:
    """Brokers drop out of the ISR when restarted and come back after `catch_up` observations."""

    def __init__(self, catch_up=2, min_isr=2):
        self.catch_up = catch_up
        self.isr = {0, 1, 2}
        self.min_isr = min_isr
        self.away = {}
        self.log = []
        self.now = 0.0

    def restart(self, node):
        self.log.append(("restart", node, sorted(self.isr)))
        self.isr.discard(node)
        self.away[node] = self.catch_up

    def observe(self):
        for node in list(self.away):
            self.away[node] -= 1
            if self.away[node] == 0:
                del self.away[node]
                self.isr.add(node)
        self.log.append(("observe", sorted(self.isr)))
        return ClusterState(frozenset({0, 1, 2}), (PartitionState("t", 0, (0, 1, 2), tuple(sorted(self.isr)),
                                                                  self.min_isr),))

    def sleep(self, seconds):
        self.now += seconds


def test_roll_restarts_one_at_a_time_and_each_only_after_the_last_is_back():
    fake = FakeCluster()
    report = roll([0, 1, 2], fake.restart, fake.observe, clock=lambda: fake.now, sleep=fake.sleep, interval=1)
    restarts = [entry for entry in fake.log if entry[0] == "restart"]
    assert len(restarts) == 3 and [r[1] for r in restarts] == [0, 1, 2]
    assert all(r[2] == [0, 1, 2] for r in restarts)  # every restart found the whole ISR
    assert len(report.steps) == 3 and all(s.samples >= 3 and s.back_after >= 1 for s in report.steps)
    assert report.lowest_isr_margin == 0  # one replica away at a time: ISR 2 with min ISR 2


def test_roll_refuses_when_a_broker_cannot_be_spared_and_restarts_nothing():
    fake = FakeCluster(min_isr=3)
    with pytest.raises(RollRefused, match=r"broker 0 may not stop: still .*min.insync.replicas.* after 5s"):
        roll([0, 1, 2], fake.restart, fake.observe, clock=lambda: fake.now, sleep=fake.sleep, interval=1, timeout=5)
    assert [e for e in fake.log if e[0] == "restart"] == []


def test_roll_stops_when_a_broker_does_not_come_back():
    fake = FakeCluster()
    fake.restart = lambda node: (fake.log.append(("restart", node, [])), fake.isr.discard(node))
    with pytest.raises(RollRefused, match="broker 0 did not come back in sync"):
        roll([0, 1, 2], fake.restart, fake.observe, clock=lambda: fake.now, sleep=fake.sleep, interval=1, timeout=4)
    assert [e[1] for e in fake.log if e[0] == "restart"] == [0]


def test_an_observer_that_fails_is_waited_out_and_named():
    def broken():
        raise ConnectionError("all brokers down")

    clock = [0.0]
    with pytest.raises(RollRefused, match="cluster not observable: all brokers down"):
        roll([0], lambda n: None, broken, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s),
             timeout=3, interval=1)


REPLICATION = """NodeId	DirectoryId           	LogEndOffset	Lag	LastFetchTimestamp	LastCaughtUpTimestamp	Status
1000  	AAAAAAAAAAAAAAAAAAAAAA	25          	0  	1795986363907     	1795986363907        	Leader
1001  	AAAAAAAAAAAAAAAAAAAAAA	25          	0  	1795986363648     	1795986363648        	Follower
1002  	AAAAAAAAAAAAAAAAAAAAAA	25          	0  	1795986363648     	1795986363648        	Follower
1     	9gLAoo1AbuyWcejm5O_adQ	25          	0  	1795986363640     	1795986363640        	Observer
log4j:WARN No appenders could be found for logger
"""


def test_the_quorum_gate_reads_the_metadata_quorum_tool():
    rows = quorum_replication(REPLICATION)
    assert len(rows) == 4
    assert [(r.node, r.status) for r in rows] == [(1000, "Leader"), (1001, "Follower"), (1002, "Follower"),
                                                  (1, "Observer")]
    assert quorum_ready(rows) == []
    lagging = [replace(r, lag=5000) if r.node == 1001 else r for r in rows]
    assert quorum_ready(lagging) == ["controller 1001 lags the leader by 5000 records (at most 100)"]
    silent = [replace(r, last_caught_up_ms=r.last_caught_up_ms - 60000) if r.node == 1002 else r for r in rows]
    assert quorum_ready(silent) == ["controller 1002 last caught up 60259 ms ago"]
    assert quorum_ready([r for r in rows if r.status != "Leader"]) == ["no quorum leader"]
    with pytest.raises(ValueError, match="no NodeId table"):
        quorum_replication("Error: connection refused")


DESCRIBED = """Topic: orders	TopicId: abc	PartitionCount: 2	ReplicationFactor: 3	Configs: min.insync.replicas=2
	Topic: orders	Partition: 0	Leader: 1	Replicas: 1,2,0	Isr: 1,0	Elr: N/A	LastKnownElr: N/A
	Topic: orders	Partition: 1	Leader: 0	Replicas: 0,12,1	Isr: 0,1,12	Elr: N/A	LastKnownElr: N/A
	Topic: audit	Partition: 3	Leader: 0	Replicas: 0,12,1	Isr: 0,1	Elr: N/A	LastKnownElr: N/A
"""


@pytest.fixture
def fake_kafka(tmp_path):
    """kafka-topics.sh replaced by one that prints a given describe output (or fails)."""
    from secure_kafka.render.readiness import READY_SCRIPT

    script = tmp_path / "ready.sh"
    script.write_text(READY_SCRIPT)
    tool = tmp_path / "home" / "bin" / "kafka-topics.sh"
    tool.parent.mkdir(parents=True)

    def run(broker, output=DESCRIBED, status=0):
        import os
        import subprocess

        (tmp_path / "out.txt").write_text(output)
        tool.write_text(f"#!/bin/bash\ncat {tmp_path / 'out.txt'}\nexit {status}\n")
        tool.chmod(0o755)
        return subprocess.run(["/bin/bash", str(script), str(broker), "kafka-0:9094", "/dev/null"],
                              env={**os.environ, "KAFKA_HOME": str(tmp_path / "home")},
                              capture_output=True, text=True, timeout=30)

    return run


def test_the_readiness_script_names_the_partitions_a_broker_is_missing_from(fake_kafka):
    two = fake_kafka(2)
    assert two.returncode == 1 and two.stderr.strip().splitlines() == ["not in the ISR of orders-0"]
    twelve = fake_kafka(12)  # "2" is not "12": whole ids only
    assert twelve.returncode == 1 and twelve.stderr.strip().splitlines() == ["not in the ISR of audit-3"]
    assert fake_kafka(0).returncode == 0 and fake_kafka(1).returncode == 0
    assert fake_kafka(2, output="").returncode == 0  # nothing under-replicated
    broken = fake_kafka(0, output="Error: TimeoutException", status=1)  # cannot tell: not ready
    assert broken.returncode == 1 and "cannot describe the partitions" in broken.stderr

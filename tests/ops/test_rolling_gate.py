"""The rolling gate's judgement on cluster states, and the driver's order of work, without a
cluster (the real-server proof is tests/e2e/test_rolling.py)."""
from dataclasses import replace

import pytest

from secure_kafka.ops.rolling import (ClusterState, PartitionState, RollRefused, back_in_sync, healthy, may_stop,
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


def _replication(rows):
    """The metadata-quorum tool's table for these (node, lag, last fetch, last caught up, status) rows."""
    lines = ["NodeId\tDirectoryId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus"]
    lines += [f"{n}\tAAAAAAAAAAAAAAAAAAAAAA\t25\t{lag}\t{fetch}\t{caught}\t{status}" for n, lag, fetch, caught, status in rows]
    return "\n".join(lines) + "\nlog4j:WARN No appenders could be found for logger\n"


NOW = 1795986363907
QUORUMS = {
    "healthy": [(1000, 0, NOW, NOW, "Leader"), (1001, 0, NOW - 200, NOW - 200, "Follower"),
                (1002, 0, NOW - 300, NOW - 300, "Follower"), (1, 0, NOW - 10, NOW - 10, "Observer")],
    "lagging": [(1000, 0, NOW, NOW, "Leader"), (1001, 5000, NOW - 200, NOW - 90000, "Follower"),
                (1002, 0, NOW - 300, NOW - 300, "Follower")],
    "stale": [(1000, 0, NOW, NOW, "Leader"), (1001, 0, NOW - 200, NOW - 200, "Follower"),
              (1002, 0, NOW - 60000, NOW - 60000, "Follower")],
    "leaderless": [(1001, 0, NOW, NOW, "Follower"), (1002, 0, NOW, NOW, "Follower")],
    "minority": [(1000, 0, NOW, NOW, "Leader"), (1001, 0, NOW - 9000, NOW - 9000, "Follower"),
                 (1002, 0, NOW - 9000, NOW - 9000, "Follower")],
}


@pytest.mark.parametrize("quorum", sorted(QUORUMS))
@pytest.mark.parametrize("node", [1000, 1001, 1002, 1003, 1])
def test_the_controller_readiness_script_and_the_gate_judge_alike(tmp_path, quorum, node):
    """The controller pods' readiness script (bash + awk in the image) and `controller_ready`
    (Python, the gate) are two spellings of one rule: on every quorum and node they agree, and
    the script's reason is the Python one."""
    import os
    import subprocess

    from secure_kafka.render.readiness import CONTROLLER_READY_SCRIPT
    from secure_kafka.ops.rolling import controller_ready

    script = tmp_path / "controller-ready.sh"
    script.write_text(CONTROLLER_READY_SCRIPT)
    tool = tmp_path / "home" / "bin" / "kafka-metadata-quorum.sh"
    tool.parent.mkdir(parents=True)
    (tmp_path / "out.txt").write_text(_replication(QUORUMS[quorum]))
    tool.write_text(f"#!/bin/bash\ncat {tmp_path / 'out.txt'}\n")
    tool.chmod(0o755)
    done = subprocess.run(["/bin/bash", str(script), str(node), "kafka-controller-0:9093", "/dev/null"],
                          env={**os.environ, "KAFKA_HOME": str(tmp_path / "home")},
                          capture_output=True, text=True, timeout=30)
    rows = quorum_replication(_replication(QUORUMS[quorum]))
    assert len(rows) == len(QUORUMS[quorum])
    reasons = controller_ready(rows, node)
    assert done.returncode == (1 if reasons else 0), (done.stderr, reasons)
    if reasons:
        assert done.stderr.strip() == f"not ready: {reasons[0]}".replace(" (at most 100)", "")
    expected_ready = (quorum, node) in {("healthy", 1000), ("healthy", 1001), ("healthy", 1002),
                                        ("lagging", 1000), ("lagging", 1002), ("stale", 1000), ("stale", 1001)}
    assert (not reasons) == expected_ready


def test_the_controller_readiness_script_is_not_ready_when_it_cannot_ask(tmp_path):
    import os
    import subprocess

    from secure_kafka.render.readiness import CONTROLLER_READY_SCRIPT

    script = tmp_path / "controller-ready.sh"
    script.write_text(CONTROLLER_READY_SCRIPT)
    tool = tmp_path / "home" / "bin" / "kafka-metadata-quorum.sh"
    tool.parent.mkdir(parents=True)
    for body, reason in (("echo 'TimeoutException: no controller'; exit 1", "cannot describe the quorum"),
                         ("echo 'garbage'", "no NodeId table in the tool output")):
        tool.write_text(f"#!/bin/bash\n{body}\n")
        tool.chmod(0o755)
        done = subprocess.run(["/bin/bash", str(script), "1000", "kafka-controller-0:9093", "/dev/null"],
                              env={**os.environ, "KAFKA_HOME": str(tmp_path / "home")},
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 1 and reason in done.stderr, done.stderr


def test_the_controller_gate_waits_for_the_quorum_and_names_the_controller_when_it_gives_up():
    from secure_kafka.ops.rolling import RollRefused, controller_gate

    tables = [QUORUMS["stale"], QUORUMS["stale"], QUORUMS["healthy"]]
    seen = []

    def quorum():
        seen.append(1)
        return quorum_replication(_replication(tables[min(len(seen), len(tables)) - 1]))

    clock = [0.0]
    tick = dict(clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    step = controller_gate("before", 1000, quorum, timeout=60, interval=1, **tick)
    assert len(seen) == 3 and step.samples == 3 and step.waited_before == 2
    with pytest.raises(RollRefused, match=r"controller 1002 did not rejoin the quorum: still controller 1002 last "
                                          r"caught up 60000 ms ago after 3s"):
        controller_gate("after", 1002, lambda: quorum_replication(_replication(QUORUMS["stale"])), timeout=3,
                        interval=1, **tick)
    with pytest.raises(ValueError, match="before or after"):
        controller_gate("during", 1000, quorum)


# --- one broker's metadata can lag: the least healthy view counts ---------------------------------
def test_a_stale_view_of_a_full_isr_does_not_hide_a_fresh_view_of_a_lagging_replica():
    from secure_kafka.ops.rolling import worst_view

    stale = state([(0, 1, 2), (0, 1, 2)])  # a broker still in migration mode, as in the 3.9.2 rollback
    fresh = state([(0, 2), (0, 1, 2)])     # broker 1 is catching up
    merged = worst_view([stale, fresh])
    assert [p.isr for p in merged.partitions] == [(0, 2), (0, 1, 2)]
    assert healthy(stale) == [] and healthy(merged) != [] and may_stop(merged, 2, [0, 1, 2]) != []
    assert worst_view([fresh, stale]) == merged  # whichever answers first


def test_a_broker_counts_as_registered_only_when_every_view_lists_it():
    from secure_kafka.ops.rolling import worst_view

    merged = worst_view([state([(0, 1, 2)]), state([(0, 1, 2)], brokers=(0, 2))])
    assert merged.brokers == frozenset({0, 2}) and healthy(merged, [0, 1, 2]) == ["broker(s) [1] not registered"]
    with pytest.raises(ValueError):
        worst_view([])


class _Metadata:
    def __init__(self, isrs, brokers):
        from types import SimpleNamespace

        parts = {i: SimpleNamespace(replicas=[0, 1, 2], isrs=list(isr), leader=isr[0]) for i, isr in enumerate(isrs)}
        self.topics = {"orders": SimpleNamespace(error=None, partitions=parts)}
        self.brokers = {b: None for b in brokers}


def test_the_admin_observer_asks_each_broker_alone_and_keeps_the_worst_answer(monkeypatch):
    """A fake Admin API: broker 9094 answers from stale metadata, broker 9095 from fresh (what the
    real 3.9.2 rollback showed); a single client asking 'any broker' could have seen only the stale one."""
    import confluent_kafka.admin as admin
    from confluent_kafka import KafkaError

    from secure_kafka.ops.rolling import admin_observer

    answers = {"h:9094": [(0, 1, 2)], "h:9095": [(0, 2)], "h:9096": [(0, 1, 2)]}
    made, down, described = [], set(), []

    class Client:
        def __init__(self, config):
            made.append(config["bootstrap.servers"])
            self.address = config["bootstrap.servers"]

        def list_topics(self, topic=None, timeout=None):
            from types import SimpleNamespace

            if self.address in down:
                raise RuntimeError("connection refused")
            if topic is not None:
                unknown = SimpleNamespace(code=lambda: KafkaError.UNKNOWN_TOPIC_OR_PART)
                return SimpleNamespace(topics={topic: SimpleNamespace(error=unknown)})
            return _Metadata(answers[self.address], (0, 1, 2))

        def describe_configs(self, resources, request_timeout=None):
            from concurrent.futures import Future
            from types import SimpleNamespace

            described.append(self.address)
            out = {}
            for r in resources:
                done = Future()
                done.set_result({"min.insync.replicas": SimpleNamespace(value="2")})
                out[r] = done
            return out

    monkeypatch.setattr(admin, "AdminClient", Client)
    observe = admin_observer({"bootstrap.servers": "h:9094,h:9095,h:9096"})
    assert [p.isr for p in observe().partitions] == [(0, 2)]
    assert made == ["h:9094", "h:9095", "h:9096"]  # one client per broker, each with that broker alone
    assert described == ["h:9094"]  # the topics' min ISR once per observation, the ISR from each
    down.add("h:9095")
    with pytest.raises(RuntimeError, match="connection refused"):
        observe()  # the gate waits while a broker does not answer
    watching = admin_observer({"bootstrap.servers": "h:9094,h:9095,h:9096"}, every=False)
    assert [p.isr for p in watching().partitions] == [(0, 1, 2)]  # what the answering brokers say
    down.update({"h:9094", "h:9096"})
    with pytest.raises(RuntimeError, match="no broker answered"):
        watching()

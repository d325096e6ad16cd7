"""Topic durability (KAFKA-TOPIC-001): the guards the components hold their own topics to.

An acks=all write survives a broker loss only with a second replica and a min ISR of 2 that the
replicas can meet; an unclean election may hand leadership to a replica that lacks acknowledged data.
A topic that does not set min.insync.replicas takes whatever the cluster's default is, which the
topic resource cannot show: that is reported, not passed.
"""
from __future__ import annotations

from .forms.kafka_topic import Topic
from .model import ADVISORY, Resource
from .rules import Issue, rule
from .settings import Settings
from .values import MISSING, UNKNOWN, as_int

_MIN_ISR = "min.insync.replicas"
_UNCLEAN = "unclean.leader.election.enable"


def _unknown(what: str, path: str) -> Issue:
    return Issue(f"{what} is not known yet, so it cannot be judged.", path=path, unknown=True)


@rule("KAFKA-TOPIC-001", "kafka-topic-durability",
      "A declared topic keeps acknowledged writes: replication 2 or more, min ISR 2 up to it, no unclean election",
      ADVISORY, "Set the replication factor to 3 (2 at least) and min.insync.replicas to 2 (never above the "
      "replication factor); leave unclean.leader.election.enable false.", model="kafka-topic")
def durable(resource: Resource, topic: Topic, settings: Settings) -> list[Issue]:
    out: list[Issue] = []
    rf = topic.replication
    if rf is UNKNOWN:
        out.append(_unknown("the replication factor", "replicationFactor"))
    elif rf is MISSING or rf is None:
        out.append(Issue("the replication factor is missing or not a whole number: it cannot be judged.",
                         path="replicationFactor"))
    elif rf < 2:
        out.append(Issue(f"replication factor {rf}: one broker's loss loses the topic's data.",
                         path="replicationFactor"))
    if topic.configs is UNKNOWN:
        return out + [_unknown("the topic configs", "configs")]
    if topic.configs is None:
        return out + [Issue(f"the topic configs cannot be read ({topic.error}); they are reported rather than "
                            "passed.", path="configs")]
    value = topic.configs.get(_MIN_ISR, MISSING)
    min_isr = value if value in (MISSING, UNKNOWN) else as_int(value)
    where = f"configs[{_MIN_ISR}]"
    if min_isr is MISSING:
        out.append(Issue(f"{_MIN_ISR} is not set on the topic: the cluster's default decides, which this "
                         "resource cannot show.", path=where))
    elif min_isr is UNKNOWN:
        out.append(_unknown(_MIN_ISR, where))
    elif min_isr is None or min_isr < 2:
        out.append(Issue(f"{_MIN_ISR}={value}: an acks=all write is acknowledged by a single replica.", path=where))
    elif isinstance(rf, int) and rf >= 2 and min_isr > rf:
        out.append(Issue(f"{_MIN_ISR}={min_isr} is above the replication factor {rf}: acks=all writes always fail.",
                         path=where))
    unclean = topic.configs.get(_UNCLEAN)
    if unclean is UNKNOWN:
        out.append(_unknown(_UNCLEAN, f"configs[{_UNCLEAN}]"))
    elif isinstance(unclean, str) and unclean.strip().lower() == "true":
        out.append(Issue(f"{_UNCLEAN}=true: an out-of-sync replica may lead and acknowledged writes be lost.",
                         path=f"configs[{_UNCLEAN}]"))
    return out

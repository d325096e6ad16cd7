"""Real Kafka 3.9.x: time to a healthy 3 ZooKeeper + 3 broker cluster, and produce throughput
over mutual TLS (the rendered configs) beside a plaintext baseline cluster, in the same process.

Run: make bench-kafka   (or .venv/bin/python bench/kafka_cluster.py [--messages N])
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewTopic,  # noqa: E402
                                   ResourcePatternType, ResourceType)

from harness import SERVER_JVM, KafkaCluster  # noqa: E402


def produce_rate(cluster: KafkaCluster, messages: int, size: int) -> tuple[float, float]:
    """(messages/s, MiB/s) for acks=all into a 3-replica topic."""
    topic = f"bench-{uuid.uuid4().hex[:6]}"
    admin = AdminClient({**cluster.tls_config(cluster.operator()), "log_level": 0})
    admin.create_topics([NewTopic(topic, 3, 3)])[topic].result(timeout=60)
    config = cluster.tls_config(cluster.operator())
    if not cluster.insecure_baseline:
        client = cluster.client("bench")
        for f in admin.create_acls([AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:bench",
                                               "*", AclOperation.WRITE, AclPermissionType.ALLOW)]).values():
            f.result(timeout=30)
        config = cluster.tls_config(client)
    producer = Producer({**config, "acks": "all", "linger.ms": 5, "batch.size": 262144, "log_level": 0,
                         "compression.type": "none"})
    payload = b"x" * size
    for _ in range(1000):  # warm-up: connections, metadata, JIT
        producer.produce(topic, payload)
        producer.poll(0)
    producer.flush(60)
    failures = []
    start = time.perf_counter()
    for _ in range(messages):
        while True:
            try:
                producer.produce(topic, payload, on_delivery=lambda err, msg: err and failures.append(err))
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(120)
    elapsed = time.perf_counter() - start
    assert not failures, failures[:3]
    return messages / elapsed, messages * size / elapsed / (1 << 20)


def run(insecure: bool, messages: int, size: int) -> tuple[float, float, float]:
    start = time.perf_counter()
    with KafkaCluster(cluster="bench", sasl=False, insecure_baseline=insecure, jvm_flags=SERVER_JVM) as cluster:
        healthy = time.perf_counter() - start
        rate, mib = produce_rate(cluster, messages, size)
    return healthy, rate, mib


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    tls = run(False, args.messages, args.size)
    plain = run(True, args.messages, args.size)
    print(f"Kafka 3.9.x, 3 ZooKeeper + 3 brokers on 127.0.0.1, {args.messages} x {args.size} B, acks=all, RF 3")
    print(f"{'':28}{'mutual TLS (ours)':>20}{'plaintext baseline':>20}{'ratio':>8}")
    print(f"{'start to healthy (s)':28}{tls[0]:>20.1f}{plain[0]:>20.1f}{tls[0] / plain[0]:>8.2f}")
    print(f"{'produce (msg/s)':28}{tls[1]:>20,.0f}{plain[1]:>20,.0f}{tls[1] / plain[1]:>8.2f}")
    print(f"{'produce (MiB/s)':28}{tls[2]:>20.1f}{plain[2]:>20.1f}{tls[2] / plain[2]:>8.2f}")


if __name__ == "__main__":
    main()

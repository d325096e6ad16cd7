"""One real 3 ZooKeeper + 3 broker TLS cluster for the e2e module; always torn down."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import KafkaCluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with KafkaCluster(cluster="e2e", zookeepers=3, brokers=3, sasl=True, oauth=True) as running:
        yield running

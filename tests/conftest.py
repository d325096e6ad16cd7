"""Shared fixtures: the tests directory on sys.path, and a mock monitor that records registrations."""
import sys
from pathlib import Path

import pulumi
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from secure_kafka.gate.mockrun import Mocks, RecordingMonitor  # noqa: E402


@pytest.fixture
def monitor():
    """Fresh SDK mocks whose monitor keeps every registration; empty means nothing was created."""
    mon = RecordingMonitor(Mocks())
    pulumi.runtime.set_mocks(Mocks(), project="p", stack="t", preview=True, monitor=mon)
    return mon


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs two workers): every module stays on one worker, so its
    module fixtures are built once and caches are not built twice at the same time, and every real
    Kafka test shares one group, so at most one cluster runs at a time next to the other tests."""
    for item in items:
        path = Path(str(item.fspath))
        group = "kafka" if "e2e" in path.parts else path.stem
        item.add_marker(pytest.mark.xdist_group(group))

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


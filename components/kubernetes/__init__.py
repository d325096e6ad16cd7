"""Kafka on Kubernetes: typed arguments (`args`), the pure manifest builders (`manifests`), the one
validation pass (`validation`) and the component that registers the objects (`component`).

May import: `model`, `render`, `certificates`, `kafka_guardrails`. Only `component` imports
pulumi_kubernetes; `args`, `manifests` and `validation` import no provider. Never `aws`.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """0.2.0's `secure_kafka.kubernetes` was one module; its names still resolve here, with a warning."""
    from .._moved import KUBERNETES, lookup
    return lookup("kubernetes", KUBERNETES, name)

"""Helpers the component tests share: the registered graph by type, and the one shape of a
bad-input test (one clear error, before anything is registered)."""
import pytest

from kafka_guardrails.versions import DEFAULTS, REVIEWED, risk_ids
from secure_kafka.model.errors import ConfigError

# What a ZooKeeper-mode platform must accept by name today: every risk of the last ZooKeeper release
# (read from the table, so a new advisory against 3.9 makes these tests say so).
ZK_ACCEPTED = risk_ids(DEFAULTS["zookeeper"], "zookeeper", today=REVIEWED)
ZK_MODE = {"metadata_mode": "zookeeper", "accept_version_risks": ZK_ACCEPTED}


def assert_refused(monitor, build, setting, fragment):
    """`build()` raises one ConfigError naming `setting`, showing the value, before any registration."""
    with pytest.raises(ConfigError) as error:
        build()
    assert error.value.setting == setting, str(error.value)
    assert fragment in str(error.value)
    assert repr(error.value.value) in str(error.value)
    assert monitor.recorded == []


def by_type(resources):
    """Registered resources grouped by type token."""
    out = {}
    for r in resources:
        out.setdefault(r.type, []).append(r)
    return out


KUBERNETES_VERSIONS = ("1.33", "1.36")  # the oldest supported API and the newest, as of 2026-12


def assert_schema_valid(manifests, versions=KUBERNETES_VERSIONS):
    """Every manifest against the API server's schemas of each version, unknown fields refused. Cilium's
    policies are a CRD kubernetes-validate has no schema for: their tests check their shape."""
    import kubernetes_validate

    checked = 0
    for manifest in manifests:
        if manifest["kind"] == "CiliumNetworkPolicy":
            continue
        for version in versions:
            kubernetes_validate.validate(manifest, version, strict=True)
        checked += 1
    assert checked, "no manifest to validate"

"""Cilium's CiliumNetworkPolicy CRD schema, from the Cilium Go module on the Go module proxy,
cached in .cache/ (git-ignored) like the Kafka jars."""
from __future__ import annotations

import io
import urllib.request
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROXY = "https://proxy.golang.org/github.com/cilium/cilium/@v/{version}.zip"
MEMBER = "github.com/cilium/cilium@{version}/pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml"


def cilium_network_policy_schema(version: str) -> dict:
    """The openAPIV3Schema of cilium.io/v2 CiliumNetworkPolicy in Cilium `version` (e.g. v1.19.3)."""
    cached = ROOT / ".cache" / f"cilium-{version}" / "ciliumnetworkpolicies.yaml"
    if not cached.exists():
        with urllib.request.urlopen(PROXY.format(version=version), timeout=300) as response:
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(archive.read(MEMBER.format(version=version)))
    crd = yaml.safe_load(cached.read_text())
    [v2] = [v for v in crd["spec"]["versions"] if v["name"] == "v2"]
    return v2["schema"]["openAPIV3Schema"]


def l7_rule_kinds(schema: dict) -> set[str]:
    rules = (schema["properties"]["spec"]["properties"]["ingress"]["items"]["properties"]["toPorts"]["items"]
             ["properties"]["rules"]["properties"])
    return set(rules)

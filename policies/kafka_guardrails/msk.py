"""Amazon MSK hardening rules (KAFKA-MSK-*), for Pulumi aws/aws-native, Terraform and CloudFormation.

Absent settings are judged by what AWS does when they are absent: in-transit TLS is AWS's
default, so a missing clientBroker passes; data at rest falls back to an AWS-owned key, so a
missing customer key fails.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Callable, Optional

from .model import ADVISORY, MANDATORY, Finding, Resource
from .settings import Settings
from .values import MISSING, UNKNOWN, as_bool, as_mapping, field, is_unknown, scalar, unwrap, walk

CLUSTER_TYPES = frozenset({"aws:msk/cluster:Cluster", "aws_msk_cluster", "AWS::MSK::Cluster",
                           "aws-native:msk:Cluster"})
CONFIG_TYPES = frozenset({"aws:msk/configuration:Configuration", "aws_msk_configuration",
                          "AWS::MSK::Configuration", "aws-native:msk:Configuration"})


def enabled(value: Any) -> Any:
    """A switch written as a bool (Pulumi/Terraform) or as {Enabled: bool} (CloudFormation)."""
    if value is MISSING:
        return False
    if is_unknown(value):
        return UNKNOWN
    block = as_mapping(value)
    if block is not None:
        inner = field(block, "enabled")
        return True if inner is MISSING else as_bool(inner)  # a present block is a request for it
    return as_bool(value)


def _finding(rule_id: str, resource: Resource, level: str, message: str, fix: str,
             settings: Settings, unknown: bool = False) -> Finding:
    if unknown:
        level = ADVISORY if settings.preview else MANDATORY
    return Finding(rule_id, resource.label, message, fix, level, unknown=unknown)


def _unknown(rule_id: str, resource: Resource, what: str, settings: Settings) -> list[Finding]:
    return [_finding(rule_id, resource, MANDATORY, f"{what} is not known yet, so it cannot be judged.",
                     "Re-run the check when the value is known (pulumi up runs it again).",
                     settings, unknown=True)]


def public_access(resource: Resource, settings: Settings) -> list[Finding]:
    kind = walk(resource.props, "brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type")
    if kind is UNKNOWN:
        return _unknown("KAFKA-MSK-001", resource, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type", settings)
    if isinstance(kind, str) and kind.strip().upper() not in ("DISABLED", ""):
        return [_finding("KAFKA-MSK-001", resource, MANDATORY,
                         f"public access is {kind}: brokers get public addresses on 9194/9196/9198.",
                         "Set publicAccess.type to DISABLED; reach the cluster over private networking.",
                         settings)]
    return []


def in_transit(resource: Resource, settings: Settings) -> list[Finding]:
    out: list[Finding] = []
    client = walk(resource.props, "encryptionInfo", "encryptionInTransit", "clientBroker")
    if client is UNKNOWN:
        out += _unknown("KAFKA-MSK-002", resource, "encryptionInTransit.clientBroker", settings)
    elif isinstance(client, str) and client.strip().upper() != "TLS":
        out.append(_finding("KAFKA-MSK-002", resource, MANDATORY,
                            f"client-broker encryption is {client}: clients may speak plaintext on 9092.",
                            "Set encryptionInTransit.clientBroker to TLS.", settings))
    cluster = walk(resource.props, "encryptionInfo", "encryptionInTransit", "inCluster")
    if cluster is UNKNOWN:
        out += _unknown("KAFKA-MSK-002", resource, "encryptionInTransit.inCluster", settings)
    elif cluster is not MISSING and as_bool(cluster) is not True:
        out.append(_finding("KAFKA-MSK-002", resource, MANDATORY,
                            f"in-cluster encryption is {cluster!r}: brokers replicate in plaintext.",
                            "Set encryptionInTransit.inCluster to true.", settings))
    return out


def client_authentication(resource: Resource, settings: Settings) -> list[Finding]:
    auth = walk(resource.props, "clientAuthentication")
    if auth is UNKNOWN:
        return _unknown("KAFKA-MSK-003", resource, "clientAuthentication", settings)
    block = as_mapping(auth) or {}
    unauthenticated = enabled(field(block, "unauthenticated"))
    modes = {
        "IAM": enabled(walk(block, "sasl", "iam")),
        "SASL/SCRAM": enabled(walk(block, "sasl", "scram")),
        "mutual TLS": _tls_enabled(field(block, "tls")),
    }
    if unauthenticated is UNKNOWN or UNKNOWN in modes.values():
        return _unknown("KAFKA-MSK-003", resource, "clientAuthentication", settings)
    if unauthenticated is True:
        return [_finding("KAFKA-MSK-003", resource, MANDATORY,
                         "unauthenticated access is allowed: anyone who reaches a broker is a client.",
                         "Set clientAuthentication.unauthenticated to false and use IAM, SCRAM or mutual TLS.",
                         settings)]
    if not any(modes.values()):
        return [_finding("KAFKA-MSK-003", resource, MANDATORY,
                         "no client authentication is configured (no IAM, SASL/SCRAM or mutual TLS).",
                         "Enable at least one of clientAuthentication.sasl.iam, sasl.scram or tls.",
                         settings)]
    return []


def _tls_enabled(value: Any) -> Any:
    if value is MISSING or value is None:
        return False
    if is_unknown(value):
        return UNKNOWN
    block = as_mapping(value) or {}
    flag = field(block, "enabled")
    if flag is not MISSING:
        return as_bool(flag)
    arns = unwrap(field(block, "certificateAuthorityArns"))
    if arns is MISSING:
        arns = unwrap(field(block, "certificateAuthorityArnList"))
    return bool(arns) and arns is not MISSING


def customer_key(resource: Resource, settings: Settings) -> list[Finding]:
    key = walk(resource.props, "encryptionInfo", "encryptionAtRestKmsKeyArn")
    if key is MISSING:
        key = walk(resource.props, "encryptionInfo", "encryptionAtRest", "dataVolumeKmsKeyId")
    if key is MISSING:
        key = walk(resource.props, "encryptionInfo", "encryptionAtRest", "dataVolumeKMSKeyId")
    if key is UNKNOWN:
        return []  # a key created in the same stack: its ARN is only known after creation
    if not isinstance(key, str) or not key.strip():
        return [_finding("KAFKA-MSK-004", resource, MANDATORY,
                         "data at rest is encrypted with an AWS-managed key, not a customer key.",
                         "Set encryptionInfo.encryptionAtRestKmsKeyArn to a customer-managed KMS key with rotation.",
                         settings)]
    return []


def broker_logging(resource: Resource, settings: Settings) -> list[Finding]:
    logs = walk(resource.props, "loggingInfo", "brokerLogs")
    if logs is UNKNOWN:
        return []
    block = as_mapping(logs) or {}
    if any(enabled(field(block, sink)) is True for sink in ("cloudwatchLogs", "cloudWatchLogs", "firehose", "s3")):
        return []
    return [_finding("KAFKA-MSK-006", resource, ADVISORY,
                     "broker logs are not delivered anywhere: no audit trail of broker activity.",
                     "Enable loggingInfo.brokerLogs.cloudwatchLogs to an encrypted log group with retention.",
                     settings)]


def server_properties(resource: Resource) -> Optional[dict[str, str]]:
    raw = scalar(resource.props, "serverProperties")
    if not isinstance(raw, str):
        return None
    text = raw
    if "=" not in raw.strip().rstrip("="):  # CloudFormation carries the file base64-encoded
        try:
            text = base64.b64decode(raw, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            text = raw
    return parse_properties(text)


def parse_properties(text: str) -> dict[str, str]:
    """The .properties subset brokers are configured with: comments, blank lines, key=value."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def _property_rule(rule_id: str, key: str, bad: str, level: str, why: str, fix: str) -> Callable:
    def check(resource: Resource, settings: Settings) -> list[Finding]:
        props = server_properties(resource)
        if props is None or props.get(key, "").lower() != bad:
            return []
        return [_finding(rule_id, resource, level, f"{key}={props[key]}: {why}", fix, settings)]
    return check


deny_by_default = _property_rule(
    "KAFKA-MSK-005", "allow.everyone.if.no.acl.found", "true", MANDATORY,
    "every authenticated client may use any topic that has no ACL.",
    "Set allow.everyone.if.no.acl.found=false so ACLs deny by default.")
unclean_election = _property_rule(
    "KAFKA-MSK-007", "unclean.leader.election.enable", "true", ADVISORY,
    "an out-of-sync replica may become leader and acknowledged messages can be lost.",
    "Set unclean.leader.election.enable=false.")

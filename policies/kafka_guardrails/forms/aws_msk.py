"""Amazon MSK clusters and configurations, in the Pulumi aws/Terraform shape and the
CloudFormation/aws-native shape, read into one model the KAFKA-MSK rules judge.

Absent settings keep the value AWS gives them: in-transit TLS is AWS's default, so a missing
clientBroker reads as TLS; data at rest falls back to an AWS-owned key, so a missing customer key
reads as none.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Optional

from ..model import Resource
from ..registry import form
from ..values import MISSING, UNKNOWN, as_bool, as_text, get, known, mapping
from .kafka_release import msk_cluster, msk_configuration


@dataclass(slots=True)
class Msk:
    public_access: Any        # "DISABLED", "SERVICE_PROVIDED_EIPS", UNKNOWN or MISSING
    client_broker: Any        # "TLS", "TLS_PLAINTEXT", "PLAINTEXT", UNKNOWN or MISSING
    in_cluster: Any           # True/False/UNKNOWN/MISSING
    auth: Any                 # {mode: True/False/UNKNOWN} or UNKNOWN
    kms_key: Any              # a key ARN/id, UNKNOWN, or MISSING
    broker_logs: Any          # True/False/UNKNOWN
    log_group: Any = MISSING  # the CloudWatch Logs group the broker logs go to, UNKNOWN, or MISSING


def _switch(value: Any) -> Any:
    """A switch written as a bool (Pulumi/Terraform) or as {enabled: bool} (CloudFormation)."""
    value = known(value)
    if value is MISSING or value is None:
        return False
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
        block = mapping(value)
        flag = known(block.get("enabled", MISSING))
        return True if flag is MISSING else as_bool(flag)  # a present block asks for it
    return as_bool(value)


def _tls(value: Any) -> Any:
    value = known(value)
    if value in (None, MISSING):
        return False
    if value is UNKNOWN:
        return UNKNOWN
    block = mapping(value)
    flag = known(block.get("enabled", MISSING))
    if flag is not MISSING:
        return as_bool(flag)
    arns = known(block.get("certificateAuthorityArns", block.get("certificateAuthorityArnList", MISSING)))
    return UNKNOWN if arns is UNKNOWN else bool(arns) and arns is not MISSING


def _auth(props: dict[str, Any]) -> Any:
    auth = get(props, "clientAuthentication")
    if auth is UNKNOWN:
        return UNKNOWN
    block = mapping(auth)
    modes = {"unauthenticated": _switch(block.get("unauthenticated")),
             "IAM": _switch(get(block, "sasl", "iam")), "SASL/SCRAM": _switch(get(block, "sasl", "scram")),
             "mutual TLS": _tls(block.get("tls"))}
    return modes


def _logs(props: dict[str, Any], cloudwatch: str) -> Any:
    logs = get(props, "loggingInfo", "brokerLogs")
    if logs is UNKNOWN:
        return UNKNOWN
    block = mapping(logs)
    states = [_switch(block.get(sink)) for sink in (cloudwatch, "firehose", "s3")]
    return True if True in states else UNKNOWN if UNKNOWN in states else False


def cluster(resource: Resource, props: Any) -> Msk:
    props = mapping(props)
    return Msk(get(props, "brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type"),
               get(props, "encryptionInfo", "encryptionInTransit", "clientBroker"),
               get(props, "encryptionInfo", "encryptionInTransit", "inCluster"),
               _auth(props), get(props, "encryptionInfo", "encryptionAtRestKmsKeyArn"),
               _logs(props, "cloudwatchLogs"), get(props, "loggingInfo", "brokerLogs", "cloudwatchLogs", "logGroup"))


def cluster_cfn(resource: Resource, props: Any) -> Msk:
    props = mapping(props)
    return Msk(get(props, "brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type"),
               get(props, "encryptionInfo", "encryptionInTransit", "clientBroker"),
               get(props, "encryptionInfo", "encryptionInTransit", "inCluster"),
               _auth(props), get(props, "encryptionInfo", "encryptionAtRest", "dataVolumeKmsKeyId"),
               _logs(props, "cloudWatchLogs"), get(props, "loggingInfo", "brokerLogs", "cloudWatchLogs", "logGroup"))


def parse_properties(text: str) -> dict[str, str]:
    """The .properties subset brokers are configured with: comments, blank lines, key=value."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def configuration(resource: Resource, props: Any) -> Optional[dict[str, Any]]:
    """The server properties as a dict; None when absent or not known yet."""
    raw = as_text(get(props, "serverProperties"))
    if raw is None:
        return None
    text = raw
    if "=" not in raw.rstrip("="):  # CloudFormation carries the file base64-encoded
        try:
            text = base64.b64decode(raw, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            text = raw
    return parse_properties(text)


form(key="aws.msk-cluster", family="Amazon MSK",
     summary="public access, in-transit encryption, client authentication, at-rest key, broker logs (KAFKA-MSK-*)",
     pulumi=("aws:msk/cluster:Cluster",), terraform=("aws_msk_cluster",),
     models={"msk": cluster, "kafka-version": msk_cluster},
     fix="See the KAFKA-MSK rules.")
form(key="aws.msk-cluster.cfn", family="Amazon MSK",
     summary="the same in CloudFormation's spelling (`EncryptionAtRest.DataVolumeKMSKeyId`, `{Enabled: …}` switches)",
     pulumi=("aws-native:msk:Cluster",), cloudformation=("AWS::MSK::Cluster",),
     models={"msk": cluster_cfn, "kafka-version": msk_cluster},
     fix="See the KAFKA-MSK rules.")
form(key="aws.msk-configuration", family="Amazon MSK",
     summary="server properties (base64 in CloudFormation): ACL default, unclean leader election",
     pulumi=("aws:msk/configuration:Configuration", "aws-native:msk:Configuration"),
     terraform=("aws_msk_configuration",), cloudformation=("AWS::MSK::Configuration",),
     models={"msk-config": configuration, "kafka-version": msk_configuration}, fix="See the KAFKA-MSK rules.")



# --- cluster policies (multi-VPC private connectivity, cross-account access) -------------------------

@dataclass(slots=True)
class ClusterPolicy:
    statements: Any    # a list of statement dicts, UNKNOWN, or None when the policy cannot be read
    error: str = ""


def cluster_policy(resource: Resource, props: Any) -> ClusterPolicy:
    import json

    props = mapping(props)
    policy = known(props.get("policy", MISSING))
    if policy is UNKNOWN:
        return ClusterPolicy(UNKNOWN)
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as error:
            return ClusterPolicy(None, f"the policy is not JSON ({error})")
    if isinstance(policy, list) and len(policy) == 1:  # checkov's reader wraps the parsed document
        policy = policy[0]
    if policy is MISSING or policy is None:
        return ClusterPolicy([])
    if not isinstance(policy, dict):
        return ClusterPolicy(None, f"the policy is a {type(policy).__name__}, not a JSON object")
    statements = policy.get("Statement", policy.get("statement", []))
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return ClusterPolicy(None, "Statement is neither a statement nor a list of them")
    return ClusterPolicy(statements)


form(key="aws.msk-cluster-policy", family="Amazon MSK",
     summary="cluster policies: who may create VPC connections, read bootstrap brokers or connect (KAFKA-MSK-008)",
     pulumi=("aws:msk/clusterPolicy:ClusterPolicy", "aws-native:msk:ClusterPolicy"),
     terraform=("aws_msk_cluster_policy",), cloudformation=("AWS::MSK::ClusterPolicy",),
     models={"msk-policy": cluster_policy}, fix="Name the accounts (or an organisation) allowed to connect.")

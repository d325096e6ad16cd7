"""Customer-managed KMS keys: rotation on, a key policy scoped to the account and named services."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from ..model.errors import ConfigError
from ..model.problems import Problems

# Administration without use: the account can manage the key but encrypts/decrypts only
# through the services named below (kms:ViaService), never directly.
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*",
    "kms:Enable*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:Update*",
)
USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
SERVICES = ("kafka", "secretsmanager", "ec2")
_ALIAS = re.compile(r"^[a-zA-Z0-9/_-]{1,250}$")


def key_policy(account_id: str, partition: str, region: str, services: Sequence[str],
               log_group_names: Sequence[str] = (), alarm_topics: bool = False) -> dict[str, Any]:
    """The key policy document. Pure, so the scoping is unit-tested statement by statement."""
    root = f"arn:{partition}:iam::{account_id}:root"
    via = sorted(f"{service}.{region}.amazonaws.com" for service in services)
    statements = [
        {"Sid": "AccountAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": list(ADMIN_ACTIONS), "Resource": "*"},
        {"Sid": "UseOnlyThroughNamedServices", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": list(USE_ACTIONS), "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": via}}},
        {"Sid": "ServicesMayHoldGrants", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": via},
                       "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]
    if log_group_names:
        statements.append({
            "Sid": "CloudWatchLogsForNamedGroups", "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [
                f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}" for name in log_group_names]}},
        })
    if alarm_topics:  # CloudWatch alarms publish to an SNS topic encrypted with this key
        statements.append({
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopics", "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}})
    return {"Version": "2012-10-17", "Statement": statements}


@dataclass(frozen=True)
class CustomerKeyArgs:
    """A customer-managed key for one platform's data.

    Attributes:
        description: shown in the KMS console, e.g. which cluster and what the key protects.
        alias: `alias/<alias>`; letters, digits, '/', '_', '-' (not `aws/...`, AWS's own).
        services: AWS services allowed to use the key on the account's behalf (kms:ViaService);
            default kafka, secretsmanager, ec2. Nobody uses it directly.
        log_group_names: CloudWatch log groups allowed to encrypt with it (default none).
        alarm_topics: CloudWatch alarms of this account may publish to SNS topics under the key.
        deletion_window_days: 7-30 (default 30): a deleted key can be recovered for this long.
        tags: added to the key.
    """

    description: str
    alias: str
    services: Sequence[str] = SERVICES
    log_group_names: Sequence[str] = ()
    alarm_topics: bool = False
    deletion_window_days: int = 30
    tags: Mapping[str, str] = field(default_factory=dict)


def validate_key_args(args: CustomerKeyArgs, label: Callable[[str], str] = lambda name: name) -> None:
    """Every bad argument at once."""
    problems = Problems()
    with problems:
        if not isinstance(args.alias, str) or not _ALIAS.match(args.alias) or args.alias.startswith("aws/"):
            raise ConfigError(label("alias"), args.alias, "letters, digits, '/', '_' or '-', not starting with aws/")
    with problems:
        if type(args.deletion_window_days) is not int or not 7 <= args.deletion_window_days <= 30:
            raise ConfigError(label("deletion_window_days"), args.deletion_window_days, "an integer 7-30")
    with problems:
        unknown = [s for s in args.services if s not in SERVICES]
        if unknown or not args.services:
            raise ConfigError(label("services"), list(args.services), f"a non-empty subset of {', '.join(SERVICES)}")
    problems.raise_all()


class CustomerKey(pulumi.ComponentResource):
    """A symmetric KMS key with yearly rotation, a scoped policy and an alias.

    Outputs: `arn` (the key's ARN), `key` and `alias` (the KMS resources).
    """

    arn: pulumi.Output[str]

    def __init__(self, name: str, args: CustomerKeyArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_key_args(args)
        super().__init__("secure-kafka:aws:CustomerKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        region = aws.get_region_output(opts=invoke)
        policy = pulumi.Output.all(identity.account_id, partition.partition, region.region).apply(
            lambda v: json.dumps(key_policy(v[0], v[1], v[2], args.services, args.log_group_names,
                                            args.alarm_topics)))
        self.key = aws.kms.Key(
            f"{name}-key", description=args.description, enable_key_rotation=True,
            rotation_period_in_days=365, deletion_window_in_days=args.deletion_window_days,
            key_usage="ENCRYPT_DECRYPT", customer_master_key_spec="SYMMETRIC_DEFAULT",
            policy=policy, tags=dict(args.tags), opts=child)
        self.alias = aws.kms.Alias(f"{name}-alias", name=f"alias/{args.alias}",
                                   target_key_id=self.key.key_id, opts=child)
        self.arn = self.key.arn
        self.register_outputs({"arn": self.key.arn, "alias": self.alias.name})

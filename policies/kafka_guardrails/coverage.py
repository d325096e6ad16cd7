"""Coverage: every resource the engine is handed is judged, known harmless, or unjudged.

A gate that passes what it did not read is green because it did not look. So the verdict on a
resource starts with what the engine can say about it at all:

- judged: a form in the registry reads it (its rules ran);
- harmless: a kind that cannot open a network path (identity, keys, logs, secrets, the stack
  itself, a component whose children are judged one by one), listed here with the reason;
- unjudged: anything else. The `kafka-coverage` rule reports it (advisory in the pack, a distinct
  exit code in `secure-kafka check`), and the fallback detector (`fallback.py`) still looks at it.

The harmless list is data, so "unknown" is computed, never assumed.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Optional

from .model import ADVISORY, Resource
from .registry import FORMS, UNIVERSAL
from .rules import Issue, rule
from .settings import Settings

JUDGED, HARMLESS, UNJUDGED = "judged", "harmless", "unjudged"


@dataclass(frozen=True)
class Coverage:
    state: str     # judged | harmless | unjudged
    reason: str


@dataclass(frozen=True)
class Kind:
    """A family of type names (glob patterns, any dialect) that cannot open a network path."""

    patterns: tuple[str, ...]
    reason: str
    when: Optional[Callable[[Any], bool]] = None  # harmless only when this holds of the properties


_NOT_NETWORK = "holds no network path: it cannot admit a client to a port"
_SG_DECIDES = ("reachability of its ports is decided by security groups and firewall rules, which are "
               "judged on their own")


def _own_commands_only(props: Any) -> bool:
    """A command resource is harmless only when every command it runs is this project's roll gate."""
    if not isinstance(props, dict):
        return False
    texts = [props.get(key) for key in ("create", "update", "delete")]
    ran = [t for t in texts if t not in (None, "")]
    return bool(ran) and all(isinstance(t, str) and _ROLL_GATE.match(t) for t in ran)


_ROLL_GATE = re.compile(r"^\s*(?:(\S*/)?secure-kafka roll-gate (before|after) [^;&|`$<>\n]*"
                        r"|echo '[^'\n]*')\s*$")  # our gate, or the echo it runs on first boot

KINDS: tuple[Kind, ...] = (
    Kind(("pulumi:pulumi:Stack",), "the stack itself " + _NOT_NETWORK),
    Kind(("pulumi:providers:*",), "a provider's configuration " + _NOT_NETWORK),
    Kind(("aws:iam/*", "aws-native:iam:*", "aws_iam_*", "AWS::IAM::*"), "identity and access policy " + _NOT_NETWORK),
    Kind(("aws:kms/*", "aws-native:kms:*", "aws_kms_*", "AWS::KMS::*"), "a key " + _NOT_NETWORK),
    Kind(("aws:cloudwatch/*", "aws-native:logs:*", "aws-native:cloudwatch:*", "aws_cloudwatch_*",
          "AWS::Logs::*", "AWS::CloudWatch::*"), "logs, metrics and alarms " + _NOT_NETWORK),
    Kind(("aws:secretsmanager/*", "aws-native:secretsmanager:*", "aws_secretsmanager_*",
          "AWS::SecretsManager::*", "aws:ssm/parameter:*", "aws_ssm_parameter", "AWS::SSM::Parameter"),
         "a secret or parameter " + _NOT_NETWORK),
    Kind(("aws:acm/*", "aws_acm_*", "AWS::CertificateManager::*", "aws:acmpca/*", "aws_acmpca_*"),
         "a certificate " + _NOT_NETWORK),
    Kind(("aws:appautoscaling/*", "aws_appautoscaling_*", "AWS::ApplicationAutoScaling::*"),
         "scaling policy " + _NOT_NETWORK),
    Kind(("aws:sns/*", "aws_sns_*", "AWS::SNS::*"), "a notification topic " + _NOT_NETWORK),
    Kind(("aws:s3/*", "aws_s3_*", "AWS::S3::*"), "object storage " + _NOT_NETWORK + " to a Kafka port"),
    Kind(("aws:msk/scramSecretAssociation:*", "aws_msk_scram_secret_association",
          "AWS::MSK::BatchScramSecret"), "credentials of an MSK cluster " + _NOT_NETWORK),
    Kind(("aws:vpc/securityGroupEgressRule:*", "aws_vpc_security_group_egress_rule",
          "AWS::EC2::SecurityGroupEgress", "aws-native:ec2:SecurityGroupEgress"),
         "an egress rule only lets traffic out"),
    Kind(("aws:ec2/vpc:*", "aws:ec2/subnet:*", "aws:ec2/routeTable*", "aws:ec2/route:*", "aws:ec2/internetGateway*",
          "aws:ec2/natGateway:*", "aws:ec2/vpcEndpoint:*", "aws_vpc", "aws_subnet", "aws_route_table*",
          "aws_route", "aws_internet_gateway*", "aws_nat_gateway", "aws_vpc_endpoint", "AWS::EC2::VPC",
          "AWS::EC2::Subnet*", "AWS::EC2::RouteTable", "AWS::EC2::Route", "AWS::EC2::InternetGateway",
          "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::NatGateway", "AWS::EC2::VPCEndpoint"),
         "routing, not admission: " + _SG_DECIDES),
    Kind(("aws:ec2/instance:*", "aws:ec2/networkInterface:*", "aws:ec2/eip:*", "aws:ec2/eipAssociation:*",
          "aws:ec2/launchTemplate:*", "aws:ec2/keyPair:*", "aws:ec2/placementGroup:*", "aws_instance",
          "aws_network_interface", "aws_eip", "aws_eip_association", "aws_launch_template", "aws_key_pair",
          "aws_placement_group", "AWS::EC2::Instance", "AWS::EC2::NetworkInterface", "AWS::EC2::EIP",
          "AWS::EC2::EIPAssociation", "AWS::EC2::LaunchTemplate", "AWS::EC2::KeyPair"),
         "a machine or address: " + _SG_DECIDES),
    Kind(("random:*", "random_*"), "a random value " + _NOT_NETWORK),
    Kind(("tls:*", "tls_*"), "key material " + _NOT_NETWORK),
    Kind(("command:local:Command", "command:remote:Command"),
         "it runs only this project's roll gate (`secure-kafka roll-gate`), which opens nothing",
         when=_own_commands_only),
    Kind(("kubernetes:gateway.networking.k8s.io/*:HTTPRoute", "kubernetes:gateway.networking.k8s.io/*:GRPCRoute",
          "aws:apigateway/*", "aws:apigatewayv2/*", "aws_api_gateway_*", "aws_apigatewayv2_*", "AWS::ApiGateway::*",
          "AWS::ApiGatewayV2::*", "aws:cloudfront/*", "aws_cloudfront_*", "AWS::CloudFront::*"),
         "HTTP(S) routing only: HTTP cannot carry Kafka's protocol"),
    Kind(("aws:ec2/vpcEndpointService:*", "aws_vpc_endpoint_service", "AWS::EC2::VPCEndpointService"),
         "a PrivateLink endpoint service is reachable only through interface endpoints in VPCs, not from the internet"),
    Kind(tuple(f"kubernetes:{group}:{kind}" for group, kind in (
        ("core/v1", "Namespace"), ("core/v1", "Secret"), ("core/v1", "ServiceAccount"),
        ("core/v1", "PersistentVolumeClaim"), ("core/v1", "PersistentVolume"), ("core/v1", "ResourceQuota"),
        ("core/v1", "LimitRange"), ("rbac.authorization.k8s.io/v1", "*"), ("policy/v1", "PodDisruptionBudget"),
        ("storage.k8s.io/v1", "*"), ("scheduling.k8s.io/v1", "PriorityClass"), ("autoscaling/v2", "*"),
        ("autoscaling/v1", "*"), ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("cert-manager.io/v1", "*"), ("coordination.k8s.io/v1", "Lease"))) +
         ("kubernetes_namespace*", "kubernetes_secret*", "kubernetes_service_account*", "kubernetes_role*",
          "kubernetes_cluster_role*", "kubernetes_persistent_volume*", "kubernetes_storage_class*",
          "kubernetes_pod_disruption_budget*", "kubernetes_horizontal_pod_autoscaler*",
          "kubernetes_resource_quota*", "kubernetes_limit_range*", "kubernetes_priority_class*"),
         "a Kubernetes object that schedules, stores or authorises; it " + _NOT_NETWORK),
)


# What the gate does not judge, said in docs/rules.md (generated from here, so it cannot drift). Each of
# these is reported as unjudged (KAFKA-COV-001) when it is met, never passed.
NOT_JUDGED: tuple[tuple[str, str], ...] = (
    ("Helm charts other than those the Helm form reads",
     "values are chart-specific; render them (`helm template`) and judge the manifests"),
    ("Terraform modules from a registry or Git (`module` with a remote `source`)",
     "the gate reads local module paths only; judge the plan (`terraform show -json`)"),
    ("Azure ARM/Bicep templates, GCP Deployment Manager, Kustomize overlays",
     "no reader for those files; judge what they render (Terraform/Pulumi forms, `kustomize build` output)"),
    ("`pulumi preview --json` steps without inputs (unchanged resources)",
     "the step carries nothing to judge; run with `--show-sames`, or judge `pulumi stack export`"),
    ("Any other resource type no form reads and no harmless kind lists",
     "the generic detector (KAFKA-NET-003) still looks at it; declare it in `harmlessTypes` if it cannot open a "
     "network path"),
)


def _compile(kinds: tuple[Kind, ...]) -> tuple[list[tuple[str, Kind]], list[tuple[re.Pattern[str], Kind]]]:
    exact, globbed = [], []
    for kind in kinds:
        for pattern in kind.patterns:
            if any(c in pattern for c in "*?["):
                globbed.append((re.compile(fnmatch.translate(pattern)), kind))
            else:
                exact.append((pattern, kind))
    return exact, globbed


_EXACT, _GLOBBED = _compile(KINDS)
_EXACT_MAP = dict(_EXACT)


@lru_cache(maxsize=4096)
def harmless_kind(type_name: str) -> Optional[Kind]:
    found = _EXACT_MAP.get(type_name)
    if found is not None:
        return found
    for pattern, kind in _GLOBBED:
        if pattern.match(type_name):
            return kind
    return None


def accepted(type_name: str, patterns: tuple[str, ...]) -> bool:
    """A type the user declared harmless in the pack config (`harmlessTypes`, glob patterns)."""
    return any(fnmatch.fnmatchcase(type_name, p) for p in patterns)


def assess(resource: Resource, harmless_types: tuple[str, ...] = ()) -> Coverage:
    """Judged, harmless (with the reason) or unjudged (with the reason), for one resource."""
    found = FORMS.lookup(resource.type)
    if found is not None:
        form = found[0]
        if form.reads is not None:
            from .dialects import canonical

            try:
                why = form.reads(resource, canonical(resource))
            except Exception as error:  # noqa: BLE001 - fail closed: what cannot be read is not judged
                why = f"{resource.type} could not be read ({type(error).__name__}: {error})"
            if why:
                return Coverage(UNJUDGED, why)
        return Coverage(JUDGED, f"read as form {form.key}")
    if not resource.custom:
        return Coverage(HARMLESS, "a component resource: it holds no cloud object itself, and each child "
                                  "it registers is judged on its own")
    kind = harmless_kind(resource.type)
    if kind is not None and (kind.when is None or kind.when(resource.props)):
        return Coverage(HARMLESS, kind.reason)
    if harmless_types and accepted(resource.type, harmless_types):
        return Coverage(HARMLESS, "declared harmless in the policy config (harmlessTypes)")
    if kind is not None:  # a kind harmless only under a condition that does not hold
        return Coverage(UNJUDGED, f"{resource.type} is harmless only when {kind.reason}; this one runs "
                                  "something else, which the gate cannot read")
    return Coverage(UNJUDGED, f"{resource.type} is not a form kafka-guardrails reads, nor a kind known to be "
                              "harmless, so an exposure through it would not be seen")


# --- the rule --------------------------------------------------------------------------------------

def _itself(resource: Resource, props: Any) -> Resource:
    return resource


UNIVERSAL["coverage"] = _itself

COVERAGE_ID = "KAFKA-COV-001"


@rule(COVERAGE_ID, "kafka-coverage", "Every resource is judged or known to be harmless", ADVISORY,
      "If this kind cannot open a network path, declare it in the policy config (`harmlessTypes`, type "
      "names or globs); if it can, it needs a form in kafka_guardrails/forms/ — until then, review it by hand.",
      model="coverage")
def not_judged(resource: Resource, subject: Resource, settings: Settings) -> list[Issue]:
    found = assess(resource, settings.harmless)
    if found.state != UNJUDGED:
        return []
    return [Issue(f"not judged: {found.reason}. It is reported rather than passed.", (resource,))]

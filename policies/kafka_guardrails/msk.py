"""Amazon MSK hardening rules (KAFKA-MSK-*), over the MSK model of forms/aws_msk.py."""
from __future__ import annotations

from typing import Any, Callable

from .forms.aws_msk import Msk, parse_properties  # noqa: F401 - the components parse with it
from .model import ADVISORY, MANDATORY, Resource
from .rules import Issue, rule
from .settings import Settings
from .values import MISSING, UNKNOWN, as_bool, as_text, items


def _unknown(what: str) -> Issue:
    return Issue(f"{what} is not known yet, so it cannot be judged.", (),
                 "Re-run the check when the value is known (pulumi up runs it again).", unknown=True)


@rule("KAFKA-MSK-001", "msk-no-public-access", "MSK brokers may not have public access", MANDATORY,
      "Set publicAccess.type to DISABLED; reach the cluster over private networking.", model="msk")
def public_access(resource: Resource, msk: Msk, settings: Settings) -> list[Issue]:
    if msk.public_access is UNKNOWN:
        return [_unknown("brokerNodeGroupInfo.connectivityInfo.publicAccess.type")]
    kind = as_text(msk.public_access)
    if kind and kind.upper() != "DISABLED":
        arn = resource.urn if resource.urn.startswith("arn:") else "<cluster-arn>"
        return [Issue(f"public access is {kind}: brokers get public addresses on 9194/9196/9198.",
                      fix=f"To close it now: aws kafka update-connectivity --cluster-arn {arn} --current-version "
                          "<version> --connectivity-info '{\"PublicAccess\":{\"Type\":\"DISABLED\"}}'",
                      path="brokerNodeGroupInfo.connectivityInfo.publicAccess.type", ports=(9194, 9196, 9198))]
    return []


@rule("KAFKA-MSK-002", "msk-tls-in-transit", "MSK must encrypt client-broker and in-cluster traffic with TLS",
      MANDATORY, "Set encryptionInTransit.clientBroker to TLS and inCluster to true.", model="msk")
def in_transit(resource: Resource, msk: Msk, settings: Settings) -> list[Issue]:
    out = []
    if msk.client_broker is UNKNOWN:
        out.append(_unknown("encryptionInTransit.clientBroker"))
    elif msk.client_broker is not MISSING and (as_text(msk.client_broker) or "").upper() != "TLS":
        out.append(Issue(f"client-broker encryption is {msk.client_broker}: clients may speak plaintext on 9092.",
                         path="encryptionInfo.encryptionInTransit.clientBroker", ports=(9092,)))
    if msk.in_cluster is UNKNOWN:
        out.append(_unknown("encryptionInTransit.inCluster"))
    elif msk.in_cluster is not MISSING and as_bool(msk.in_cluster) is not True:
        out.append(Issue(f"in-cluster encryption is {msk.in_cluster!r}: brokers replicate in plaintext.",
                         path="encryptionInfo.encryptionInTransit.inCluster"))
    return out


@rule("KAFKA-MSK-003", "msk-client-authentication", "MSK clients must authenticate (IAM, SCRAM or mutual TLS)",
      MANDATORY, "Disable unauthenticated access; enable IAM, SCRAM or mutual TLS.", model="msk")
def client_authentication(resource: Resource, msk: Msk, settings: Settings) -> list[Issue]:
    if msk.auth is UNKNOWN or UNKNOWN in msk.auth.values():
        return [_unknown("clientAuthentication")]
    modes = dict(msk.auth)
    if modes.pop("unauthenticated"):
        return [Issue("unauthenticated access is allowed: anyone who reaches a broker is a client.",
                      path="clientAuthentication.unauthenticated")]
    if not any(modes.values()):
        return [Issue("no client authentication is configured (no IAM, SASL/SCRAM or mutual TLS).",
                      path="clientAuthentication")]
    return []


@rule("KAFKA-MSK-004", "msk-customer-kms-key", "MSK data at rest must use a customer-managed KMS key",
      MANDATORY, "Set encryptionInfo.encryptionAtRestKmsKeyArn to a customer-managed KMS key with rotation.",
      model="msk")
def customer_key(resource: Resource, msk: Msk, settings: Settings) -> list[Issue]:
    if msk.kms_key is UNKNOWN:
        return []  # a key created in the same stack: its ARN is only known after creation
    if not as_text(msk.kms_key):
        return [Issue("data at rest is encrypted with an AWS-managed key, not a customer key.",
                      path="encryptionInfo.encryptionAtRestKmsKeyArn")]
    return []


@rule("KAFKA-MSK-006", "msk-broker-logging", "MSK broker logs should be delivered for audit", ADVISORY,
      "Enable loggingInfo.brokerLogs.cloudwatchLogs to an encrypted log group with retention.", model="msk")
def broker_logging(resource: Resource, msk: Msk, settings: Settings) -> list[Issue]:
    if msk.broker_logs is False:
        return [Issue("broker logs are not delivered anywhere: no audit trail of broker activity.",
                      path="loggingInfo.brokerLogs")]
    return []


def _property_rule(key: str, bad: str, why: str) -> Callable[..., Any]:
    def check(resource: Resource, props: dict[str, Any], settings: Settings) -> list[Issue]:
        if props.get(key, "").lower() != bad:
            return []
        return [Issue(f"{key}={props[key]}: {why}", path=f"serverProperties[{key}]")]
    return check


rule("KAFKA-MSK-005", "msk-acl-deny-by-default", "MSK configuration must deny topics without ACLs", MANDATORY,
     "Set allow.everyone.if.no.acl.found=false so ACLs deny by default.", model="msk-config")(
    _property_rule("allow.everyone.if.no.acl.found", "true",
                   "every authenticated client may use any topic that has no ACL."))
rule("KAFKA-MSK-007", "msk-no-unclean-leader-election", "MSK should not allow unclean leader election", ADVISORY,
     "Set unclean.leader.election.enable=false.", model="msk-config")(
    _property_rule("unclean.leader.election.enable", "true",
                   "an out-of-sync replica may become leader and acknowledged messages can be lost."))



# Actions that let another account reach the cluster: multi-VPC connectivity and the data plane.
_REACH_ACTIONS = ("kafka:createvpcconnection", "kafka:getbootstrapbrokers", "kafka:describecluster",
                  "kafka:describeclusterv2", "kafka-cluster:connect")
# Conditions that narrow a wildcard principal to known accounts or networks.
_NARROWING = ("aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount",
              "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceip")


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(item == "*" for key, value in principal.items() if str(key).upper() == "AWS"
                   for item in items(value))
    return False


def _reaches(actions: Any) -> list[str]:
    found = []
    for action in items(actions):
        text = str(action).lower()
        if text in ("*", "kafka:*", "kafka-cluster:*") or text in _REACH_ACTIONS or \
                (text.endswith("*") and any(a.startswith(text[:-1]) for a in _REACH_ACTIONS)):
            found.append(str(action))
    return found


def _narrowed(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    return any(str(key).lower() in _NARROWING for operator in condition.values() if isinstance(operator, dict)
               for key in operator)


@rule("KAFKA-MSK-008", "msk-cluster-policy-named-accounts",
      "An MSK cluster policy may not let any AWS account reach the cluster", MANDATORY,
      "Name the accounts allowed (\"Principal\": {\"AWS\": [\"arn:aws:iam::<account>:root\"]}), or keep `*` only "
      "with a condition such as aws:PrincipalOrgID.", model="msk-policy")
def cluster_policy_named(resource: Resource, policy: Any, settings: Settings) -> list[Issue]:
    if policy.statements is UNKNOWN:
        return [_unknown("policy")]
    if policy.statements is None:
        return [Issue(f"the cluster policy cannot be read: {policy.error}; it is reported rather than passed.",
                      path="policy")]
    out = []
    for index, statement in enumerate(policy.statements):
        if not isinstance(statement, dict) or str(statement.get("Effect", "")).lower() != "allow":
            continue
        if "NotPrincipal" in statement:
            out.append(Issue(f"Statement[{index}] allows everyone except the NotPrincipal list.",
                             path=f"policy.Statement[{index}].NotPrincipal"))
            continue
        actions = _reaches(statement.get("Action", [])) or (["(NotAction)"] if "NotAction" in statement else [])
        if _everyone(statement.get("Principal")) and actions and not _narrowed(statement.get("Condition")):
            out.append(Issue(f"Statement[{index}] lets any AWS account ({', '.join(actions)}) without a condition "
                             "naming accounts or an organisation: any account may connect to the cluster's private "
                             "endpoints.", path=f"policy.Statement[{index}]"))
    return out

"""ClusterPki: the platform's certificates, each kept as a Secrets Manager secret under the customer key.

EC2 nodes fetch their key and certificate at boot with their instance role; nothing secret is in
user data, and state holds the private keys only as secrets.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from ..certificates import generate_ca, issue_certificates
from ..model.outputs import secret_text
from ..model.pki import BringYourOwnCa, PkiNode, validate_ca


@dataclass(frozen=True)
class ClusterPkiArgs:
    cluster: str
    nodes: Sequence[PkiNode]
    kms_key_arn: "pulumi.Input[str]"
    ca: Optional[BringYourOwnCa] = None
    recovery_window_days: int = 7


class ClusterPki(pulumi.ComponentResource):
    """A private CA (or yours) and one key + certificate per node, each stored as a Secrets
    Manager secret under the customer key: instances fetch them at boot, state keeps them secret."""

    ca_cert_pem: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: ClusterPkiArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_ca(args.ca)
        super().__init__("secure-kafka:tls:ClusterPki", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ca = args.ca or generate_ca(name, args.cluster, self)
        ca_cert_pem = pulumi.Output.from_input(ca.cert_pem)
        self.secret_arns = {}
        for spec_name, (key_pem, cert_pem) in issue_certificates(name, args.nodes, ca, self).items():
            spec = next(n.spec for n in args.nodes if n.spec.name == spec_name)
            secret = aws.secretsmanager.Secret(
                f"{name}-{spec_name}", name=f"secure-kafka/{args.cluster}/tls/{spec_name}",
                kms_key_id=args.kms_key_arn, recovery_window_in_days=args.recovery_window_days,
                description=f"TLS key and certificate of {spec_name} ({spec.distinguished_name})", opts=child)
            aws.secretsmanager.SecretVersion(
                f"{name}-{spec_name}", secret_id=secret.id,
                secret_string=secret_text(pulumi.Output.all(key_pem, cert_pem, ca_cert_pem).apply(
                    lambda v: json.dumps({"key": v[0], "cert": v[1], "ca": v[2]}))), opts=child)
            self.secret_arns[spec_name] = secret.arn
        self.ca_cert_pem = ca_cert_pem
        self.register_outputs({"caCertPem": ca_cert_pem, "secretArns": self.secret_arns})

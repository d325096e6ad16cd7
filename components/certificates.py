"""Certificates of the PKI model, issued by pulumi-tls; shared by the AWS and Kubernetes components.

Keys are generated in Pulumi state (encrypted as secrets) so no node ever makes its own; the
subjects, SANs and uses all come from `model.pki`, the same model the real-Kafka tests issue from.
"""
from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_tls as tls

from .model.outputs import secret_text
from .model.pki import (CA_VALIDITY_HOURS, EARLY_RENEWAL_HOURS, LEAF_USES, LEAF_VALIDITY_HOURS, RSA_BITS,
                        BringYourOwnCa, PkiNode, ca_subject)


def generate_ca(name: str, cluster: str, parent: pulumi.Resource) -> BringYourOwnCa:
    """A private CA whose key lives only in (encrypted) state; shared by every ClusterPki of a platform."""
    child = pulumi.ResourceOptions(parent=parent)
    key = tls.PrivateKey(f"{name}-ca", algorithm="RSA", rsa_bits=RSA_BITS, opts=child)
    cert = tls.SelfSignedCert(
        f"{name}-ca", private_key_pem=key.private_key_pem, is_ca_certificate=True,
        subject=tls.SelfSignedCertSubjectArgs(**ca_subject(cluster)), validity_period_hours=CA_VALIDITY_HOURS,
        early_renewal_hours=EARLY_RENEWAL_HOURS, max_path_length=0,
        allowed_uses=["cert_signing", "crl_signing"], opts=child)
    return BringYourOwnCa(cert.cert_pem, key.private_key_pem)


def issue_certificates(name: str, nodes: Sequence[PkiNode], ca: BringYourOwnCa,
                       parent: pulumi.Resource) -> dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]]:
    """One RSA key and CA-signed certificate per node: {spec name: (key PEM (secret), cert PEM)}."""
    child = pulumi.ResourceOptions(parent=parent)
    ca_cert_pem = pulumi.Output.from_input(ca.cert_pem)
    ca_key_pem = pulumi.Output.secret(ca.private_key_pem)
    out: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]] = {}
    for node in nodes:
        spec = node.spec
        key = tls.PrivateKey(f"{name}-{spec.name}", algorithm="RSA", rsa_bits=RSA_BITS, opts=child)
        request = tls.CertRequest(
            f"{name}-{spec.name}", private_key_pem=key.private_key_pem, subject=tls.CertRequestSubjectArgs(**spec.subject),
            dns_names=list(spec.dns_names),
            ip_addresses=pulumi.Output.all(list(spec.ip_addresses), node.ip_addresses).apply(
                lambda v: sorted(set(v[0]) | set(v[1] or []))), opts=child)
        uses = list(LEAF_USES) + (["server_auth"] if spec.server else []) + (["client_auth"] if spec.client else [])
        cert = tls.LocallySignedCert(
            f"{name}-{spec.name}", cert_request_pem=request.cert_request_pem, ca_cert_pem=ca_cert_pem,
            ca_private_key_pem=ca_key_pem, validity_period_hours=LEAF_VALIDITY_HOURS,
            early_renewal_hours=EARLY_RENEWAL_HOURS, allowed_uses=uses, opts=child)
        out[spec.name] = (secret_text(key.private_key_pem), cert.cert_pem)
    return out

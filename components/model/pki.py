"""The certificate model of a Kafka platform: who gets a certificate, with which subject and SANs.

The model is pure so that the same identities are issued by pulumi-tls in a deployment and by the
end-to-end harness for the real cluster; Kafka principals and ZooKeeper x509 ids are derived
from it rather than typed by hand.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Sequence

if TYPE_CHECKING:
    import pulumi

from .checks import NAME
from .errors import ConfigError

ORGANIZATION = "secure-kafka"
BROKER_IDENTITY = "kafka-broker"
ZOOKEEPER_IDENTITY = "zookeeper"
CONTROLLER_IDENTITY = "kafka-controller"  # KRaft controllers: a super user, like the brokers
ROLLOUT_IDENTITY = "kafka-rollout"  # the rolling gate: may describe topics and their configs, nothing else
CA_VALIDITY_HOURS = 5 * 365 * 24
LEAF_VALIDITY_HOURS = 365 * 24
EARLY_RENEWAL_HOURS = 30 * 24
RSA_BITS = 2048


@dataclass(frozen=True)
class CertSpec:
    """One leaf certificate. All brokers share one identity (their super-user principal) but
    each gets its own key and its own host names."""

    name: str
    common_name: str
    unit: str
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    server: bool = True
    client: bool = True

    @property
    def subject(self) -> dict[str, str]:
        return {"organization": ORGANIZATION, "organizational_unit": self.unit, "common_name": self.common_name}

    @property
    def distinguished_name(self) -> str:
        """RFC 2253, as Java prints it: what ZooKeeper's x509 provider uses as the id."""
        return f"CN={self.common_name},OU={self.unit},O={ORGANIZATION}"

    @property
    def kafka_principal(self) -> str:
        return f"User:{self.common_name}"


def ca_subject(cluster: str) -> dict[str, str]:
    return {"organization": ORGANIZATION, "organizational_unit": cluster, "common_name": f"{cluster} private CA"}


def _hosts(hosts: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    dns, ips = [], []
    for host in hosts:
        try:
            ips.append(str(ipaddress.ip_address(host)))
        except ValueError:
            dns.append(host)
    return tuple(dns), tuple(ips)


def _node_certs(cluster: str, prefix: str, identity: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    out = []
    for index, names in enumerate(hosts):
        dns, ips = _hosts(names)
        out.append(CertSpec(f"{prefix}-{index}", identity, cluster, dns, ips))
    return out


def broker_certs(cluster: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    """One certificate per broker; `hosts[i]` lists the names and addresses broker i answers on."""
    return _node_certs(cluster, "broker", BROKER_IDENTITY, hosts)


def zookeeper_certs(cluster: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    return _node_certs(cluster, "zookeeper", ZOOKEEPER_IDENTITY, hosts)


def controller_certs(cluster: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    """One certificate per KRaft controller; they authenticate to each other and to brokers with it."""
    return _node_certs(cluster, "controller", CONTROLLER_IDENTITY, hosts)


def client_cert(cluster: str, name: str, hosts: Sequence[str] = ()) -> CertSpec:
    """A client identity; its Kafka principal is `User:<name>`. `hosts` only matter to ZooKeeper,
    which checks a client's certificate against the address it connects from."""
    if not NAME.match(name) or name in (BROKER_IDENTITY, ZOOKEEPER_IDENTITY, CONTROLLER_IDENTITY, ROLLOUT_IDENTITY):
        raise ValueError(f"client name {name!r}: lowercase letters, digits and '-', not a node identity")
    dns, ips = _hosts(hosts)
    return CertSpec(f"client-{name}", name, cluster, dns, ips, server=False, client=True)


def rollout_cert(cluster: str) -> CertSpec:
    """The identity of whoever runs `pulumi up`'s rolling gate (principal User:kafka-rollout)."""
    return CertSpec("rollout", ROLLOUT_IDENTITY, cluster, (), (), server=False, client=True)


def principal_mapping_rules(cluster: str) -> str:
    """Kafka `ssl.principal.mapping.rules`: certificates of this cluster map to their CN; any
    other subject keeps its full DN, which no ACL or super-user entry names."""
    if not NAME.match(cluster):  # also keeps the rule free of regex and .properties escapes
        raise ValueError(f"cluster name {cluster!r}: lowercase letters, digits and '-'")
    return f"RULE:^CN=([a-z0-9-]+),OU={cluster},O={ORGANIZATION}$/$1/,DEFAULT"


# --- what a deployment passes in: your CA, and addresses known at deploy time ---------------
LEAF_USES = ("digital_signature", "key_encipherment")


@dataclass(frozen=True)
class BringYourOwnCa:
    """An existing CA that signs every node and client certificate instead of a generated one.

    Attributes:
        cert_pem: the CA certificate (PEM); may be an Output.
        private_key_pem: its private key (PEM); pass a secret (`pulumi.Config().require_secret`).
    """

    cert_pem: "pulumi.Input[str]"
    private_key_pem: "pulumi.Input[str]"


@dataclass(frozen=True)
class PkiNode:
    """A certificate to issue, plus addresses only known at deploy time (a node's private IP)."""

    spec: CertSpec
    ip_addresses: "pulumi.Input[Sequence[str]]" = ()


def validate_ca(ca: Optional[BringYourOwnCa], label: Callable[[str], str] = lambda n: n) -> None:
    if ca is None:
        return
    for attr, marker in (("cert_pem", "-----BEGIN CERTIFICATE-----"), ("private_key_pem", "PRIVATE KEY-----")):
        value = getattr(ca, attr)
        if value is None or value == "" or (isinstance(value, str) and marker not in value):
            shown = value if attr == "cert_pem" else ("<missing>" if not value else "<not a PEM private key>")
            raise ConfigError(label(f"ca.{attr}"), shown, f"a PEM value containing {marker} (or leave ca unset to generate a CA)")

"""The certificate model of a Kafka platform: who gets a certificate, with which subject and SANs.

The model is pure so that the same identities are issued by pulumi-tls in a deployment and by the
end-to-end harness for the real cluster; Kafka principals and ZooKeeper x509 ids are derived
from it rather than typed by hand.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Sequence

ORGANIZATION = "secure-kafka"
BROKER_IDENTITY = "kafka-broker"
ZOOKEEPER_IDENTITY = "zookeeper"
CA_VALIDITY_HOURS = 5 * 365 * 24
LEAF_VALIDITY_HOURS = 365 * 24
EARLY_RENEWAL_HOURS = 30 * 24
RSA_BITS = 2048
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


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


def broker_certs(cluster: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    """One certificate per broker; `hosts[i]` lists the names and addresses broker i answers on."""
    out = []
    for index, names in enumerate(hosts):
        dns, ips = _hosts(names)
        out.append(CertSpec(f"broker-{index}", BROKER_IDENTITY, cluster, dns, ips))
    return out


def zookeeper_certs(cluster: str, hosts: Sequence[Sequence[str]]) -> list[CertSpec]:
    out = []
    for index, names in enumerate(hosts):
        dns, ips = _hosts(names)
        out.append(CertSpec(f"zookeeper-{index}", ZOOKEEPER_IDENTITY, cluster, dns, ips))
    return out


def client_cert(cluster: str, name: str, hosts: Sequence[str] = ()) -> CertSpec:
    """A client identity; its Kafka principal is `User:<name>`. `hosts` only matter to ZooKeeper,
    which checks a client's certificate against the address it connects from."""
    if not _NAME.match(name) or name in (BROKER_IDENTITY, ZOOKEEPER_IDENTITY):
        raise ValueError(f"client name {name!r}: lowercase letters, digits and '-', not a node identity")
    dns, ips = _hosts(hosts)
    return CertSpec(f"client-{name}", name, cluster, dns, ips, server=False, client=True)


def principal_mapping_rules(cluster: str) -> str:
    """Kafka `ssl.principal.mapping.rules`: certificates of this cluster map to their CN; any
    other subject keeps its full DN, which no ACL or super-user entry names."""
    if not _NAME.match(cluster):  # also keeps the rule free of regex and .properties escapes
        raise ValueError(f"cluster name {cluster!r}: lowercase letters, digits and '-'")
    return f"RULE:^CN=([a-z0-9-]+),OU={cluster},O={ORGANIZATION}$/$1/,DEFAULT"

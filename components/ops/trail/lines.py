"""One log line -> one audit event, for the line forms Kafka's brokers write (taken from the real 3.9.2
and 4.4.0 servers in tests/e2e, and MSK's broker logs, which carry the same messages):

  authorizer (3.9 AclAuthorizer, ZooKeeper mode):
    Principal = User:x is Denied Operation = Describe from host = 10.0.0.5 on resource = Topic:LITERAL:t
    for request = Metadata with resourceRefCount = 1
  authorizer (4.x StandardAuthorizer, KRaft): the same with `operation = DESCRIBE` and `based on rule ...`
  authentication (org.apache.kafka.common.network.Selector):
    Failed authentication with /10.0.0.5 (channelId=...) (Authentication failed ... with SASL mechanism SCRAM-SHA-512)

The 3.9 authorizer's second, per-ACL line (`operation = WRITE on resource = ResourcePattern(...) ... is
ALLOW based on acl = ...`) repeats the first: it is known and skipped. A line that carries an audit
marker but no readable form is UNREADABLE, so a caller counts it instead of losing it.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Optional, Union

from ...render.kafka import SECURITY_STREAM_PREFIX

_STREAM = SECURITY_STREAM_PREFIX + " "

ALLOWED, DENIED, FAILED = "ALLOWED", "DENIED", "FAILED"
# Requests that change who may do what: the "who changed access" events.
ACCESS_CHANGES = frozenset({"CreateAcls", "DeleteAcls", "AlterUserScramCredentials", "CreateDelegationToken",
                            "AlterClientQuotas"})

_STAMP = re.compile(r"^\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3})\]")
# CloudWatch exports and some shippers put an ISO timestamp first: 2026-12-03T11:46:19.702Z <message>
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?\s")
_AUTHZ = re.compile(
    r"Principal = (?P<principal>.+?) is (?P<result>Allowed|Denied) [Oo]peration = (?P<operation>\w+) "
    r"from host = (?P<host>\S+) on resource = (?P<rtype>[A-Za-z]+):(?P<pattern>[A-Z]+):(?P<name>.*?) "
    r"for request = (?P<request>\w+) with resourceRefCount = \d+")
_AUTHN = re.compile(r"Failed authentication with /?(?P<host>[^\s(]+) \(channelId=[^)]*\) \((?P<why>.*?)\)"
                    r"(?: \([\w.$]+\))?$")
_MECHANISM = re.compile(r"SASL mechanism (\S+?)\)?$|with SASL mechanism (\S+)")
_ACL_DETAIL = re.compile(r"operation = \w+ on resource = ResourcePattern\(.*\) from host = \S+ is \w+ based on")


@dataclass(frozen=True)
class Event:
    time: Optional[datetime.datetime]   # UTC-naive as the broker wrote it; None when the line has none
    kind: str                           # authorization | authentication
    principal: str                      # "User:x"; "" for a failed authentication (Kafka logs no name)
    operation: str                      # READ, WRITE, DESCRIBE, ALTER, ... ; AUTHENTICATE
    resource_type: str                  # TOPIC, GROUP, CLUSTER, ...; "" for authentication
    resource: str                       # the name; the SASL mechanism for authentication
    host: str
    result: str                         # ALLOWED | DENIED | FAILED
    request: str                        # the API (Fetch, Produce, CreateAcls, ...); "" for authentication

    @property
    def changes_access(self) -> bool:
        return self.request in ACCESS_CHANGES


class Unreadable(str):
    """A line with an audit marker that no known form reads (the text itself)."""


Parsed = Union[Event, Unreadable, None]
SKIPPED = None  # an ordinary log line, or the 3.9 authorizer's per-ACL detail line


def _operation(text: str) -> str:
    """3.9 writes `DescribeConfigs`, 4.x `DESCRIBE_CONFIGS`: one spelling, Kafka's AclOperation name."""
    return text if text.isupper() else re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text).upper()


def _time(line: str) -> Optional[datetime.datetime]:
    found = _STAMP.match(line)
    if found:
        return datetime.datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}.{found.group(3)}")
    iso = _ISO.match(line)
    if iso:
        stamp = datetime.datetime.fromisoformat(iso.group(1) + (iso.group(2) or "").replace("Z", "+00:00"))
        return stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None) if stamp.tzinfo else stamp
    return None


def parse(line: str) -> Parsed:
    """An Event, Unreadable (an audit marker without a known form), or None (not an audit line). A line of
    the Kubernetes pods' security stream is read without its prefix."""
    if line.startswith(_STREAM):
        line = line[len(_STREAM):]
    if "Principal = " not in line and "Failed authentication" not in line and " based on acl" not in line:
        return SKIPPED
    if " based on acl = " in line and _ACL_DETAIL.search(line):
        return SKIPPED
    authz = _AUTHZ.search(line)
    if authz:
        return Event(_time(line), "authorization", authz["principal"], _operation(authz["operation"]),
                     authz["rtype"].upper(), authz["name"], authz["host"],
                     ALLOWED if authz["result"] == "Allowed" else DENIED, authz["request"])
    authn = _AUTHN.search(line.rstrip())
    if authn:
        mechanism = _MECHANISM.search(authn["why"])
        # the SASL mechanism; "SSL" for a failed TLS handshake (a bad or missing client certificate)
        name = (mechanism.group(1) or mechanism.group(2)) if mechanism else "SSL" if "SSL" in authn["why"] else ""
        return Event(_time(line), "authentication", "", "AUTHENTICATE", "", name, authn["host"], FAILED, "")
    return Unreadable(line.rstrip("\n"))

"""CloudWatch Logs filter patterns over Kafka's log lines: how CloudWatch evaluates the unstructured
patterns (quoted terms are case-sensitive substrings; every plain term must match; `?` terms are
alternatives), and one line of each security event as Kafka writes it (3.9.2 and 4.4.0 brokers), so a
rule can ask whether a stack's metric filters would count them."""
from __future__ import annotations

import re

SAMPLES = {
    "failed logins": "[2026-12-03 11:46:19,792] INFO [SocketServer listenerType=BROKER, nodeId=1] Failed authentication "
                     "with /10.0.0.5 (channelId=10.0.0.9:9096-10.0.0.5:54100-3-1) (Authentication failed during "
                     "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512) "
                     "(org.apache.kafka.common.network.Selector)",
    "authorization denials": "[2026-12-03 11:46:19,702] INFO Principal = User:stranger is Denied operation = DESCRIBE "
                             "from host = 10.0.0.5 on resource = Topic:LITERAL:ledger for request = Metadata with "
                             "resourceRefCount = 1 based on rule DefaultDeny (kafka.authorizer.logger)",
}


def matches(pattern: str, line: str) -> bool:
    terms = re.findall(r'(\??)"([^"]*)"|(\??)(\S+)', pattern)
    plain = [text or bare for q1, text, q2, bare in terms if not (q1 or q2)]
    either = [text or bare for q1, text, q2, bare in terms if q1 or q2]
    return all(t in line for t in plain) and (not either or any(t in line for t in either))


def uncounted(patterns: list[str]) -> list[str]:
    """The security events (SAMPLES' keys) that none of these filter patterns would count."""
    return [event for event, line in SAMPLES.items() if not any(matches(p, line) for p in patterns)]

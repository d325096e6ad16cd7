"""The security events every platform alarms on — failed logins, authorization denials, access changes —
as the literal fragments of the lines Kafka writes (taken from the real 3.9.2 and 4.4.0 servers), and the
thresholds (`SecurityAlarmsArgs`). One source for each log stack's rules: CloudWatch Logs filter patterns
(`aws.alarms`), LogQL line filters for a Loki ruler (`kubernetes.alerts`). Pure: no Pulumi.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .checks import check_int
from .errors import ConfigError
from .problems import Problems

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_RE2_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")


@dataclass(frozen=True)
class SecurityEvent:
    key: str          # the threshold's argument name
    metric: str       # the metric a log stack counts it in
    terms: tuple[str, ...]  # a line is this event when it holds any of these
    summary: str

    @property
    def pattern(self) -> str:
        """The CloudWatch Logs filter pattern: one quoted term, or each as an OR (`?"a" ?"b"`)."""
        if len(self.terms) == 1:
            return f'"{self.terms[0]}"'
        return " ".join(f'?"{term}"' for term in self.terms)

    @property
    def regex(self) -> str:
        """The same as an RE2 regular expression (LogQL `|~`, Fluent Bit `grep`)."""
        return "|".join(_RE2_SPECIAL.sub(r"\\\1", term) for term in self.terms)


EVENTS = (
    SecurityEvent("authentication_failures", "AuthenticationFailures", ("Failed authentication with",),
                  "failed SASL/TLS logins (a wrong password, a guessed user)"),
    SecurityEvent("denials", "AuthorizationDenials", ("is Denied",),
                  "requests the authorizer denied (a credential used beyond its ACLs)"),
    SecurityEvent("access_changes", "AccessChanges",
                  ("for request = CreateAcls", "for request = DeleteAcls", "for request = AlterUserScramCredentials"),
                  "ACL and SCRAM-credential changes, allowed or denied (who changed access)"),
)


@dataclass(frozen=True)
class SecurityAlarmsArgs:
    """Thresholds per evaluation period (sums of matching lines), and who is told.

    Attributes:
        authentication_failures / denials / access_changes: alarm at this many or more per period
            (defaults 5 / 20 / 1: any access change is worth a look).
        period_minutes: 1, 5, 10, 15, 30 or 60 (default 5).
        emails: addresses subscribed to the alarm topic (each confirms by mail); none by default.
    """

    authentication_failures: int = 5
    denials: int = 20
    access_changes: int = 1
    period_minutes: int = 5
    emails: Sequence[str] = ()


def validate_alarm_args(problems: Problems, args: object, label: Callable[[str], str]) -> None:
    if not isinstance(args, SecurityAlarmsArgs):
        with problems:
            raise ConfigError(label("alarms"), args, "SecurityAlarmsArgs(...)")
        return
    for event in EVENTS:
        with problems:
            check_int(getattr(args, event.key), f"{label('alarms')}.{event.key}", 1, 100000)
    with problems:
        if args.period_minutes not in (1, 5, 10, 15, 30, 60) or type(args.period_minutes) is not int:
            raise ConfigError(f"{label('alarms')}.period_minutes", args.period_minutes, "1, 5, 10, 15, 30 or 60")
    with problems:
        emails = args.emails
        if isinstance(emails, str) or not isinstance(emails, Sequence) or \
                not all(isinstance(e, str) and _EMAIL.match(e) for e in emails) or len(set(emails)) != len(emails):
            raise ConfigError(f"{label('alarms')}.emails", emails, "a list of distinct e-mail addresses")

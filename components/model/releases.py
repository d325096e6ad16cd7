"""Which Kafka a component builds, judged by the engine's version table before anything exists.

A release with a known CVE or an ended support is refused with each risk and the nearest release
without them, unless every risk is accepted by name (`accept_version_risks`); an acceptance that names
a risk the release does not have is refused too, so it cannot silently cover a later one. Accepted
risks are written on the resources (`tags`/`annotations`), where the pack reports them (KAFKA-VER-002).
"""
from __future__ import annotations

import datetime
import re
from typing import Callable, Optional, Sequence

from kafka_guardrails.forms.kafka_release import ACCEPT_ANNOTATION, ACCEPT_TAG
from kafka_guardrails.versions import APACHE, DEFAULTS, END_OF_SUPPORT, LINES, MSK, judge, line_of

from .errors import ConfigError
from .problems import Problems

__all__ = ["ACCEPT_ANNOTATION", "ACCEPT_TAG", "accepted_marks", "check_accepted", "check_release", "default_release"]

_RISK_NAME = re.compile(r"^CVE-\d{4}-\d{4,}$")


def default_release(mode: str) -> str:
    """What a platform ships in a metadata mode: the newest release the table has for it."""
    return DEFAULTS[mode]


def check_accepted(value: object, setting: str) -> tuple[str, ...]:
    """A list of CVE ids and/or 'end-of-support', each once."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(setting, value, f"a list of CVE ids (CVE-YYYY-NNNN) and/or {END_OF_SUPPORT!r}")
    bad = [v for v in value if not isinstance(v, str) or not (_RISK_NAME.match(v) or v == END_OF_SUPPORT)]
    if bad or len(set(value)) != len(value):
        raise ConfigError(setting, value, f"a list of distinct CVE ids (CVE-YYYY-NNNN) and/or {END_OF_SUPPORT!r}")
    return tuple(value)


def _known(platform: str) -> str:
    if platform == MSK:
        return ", ".join(ln.line for ln in LINES if ln.platform == MSK)
    return ", ".join(ln.latest for ln in LINES if ln.platform == APACHE)


def check_release(problems: Problems, label: Callable[[str], str], platform: str, version: object, mode: str,
                  accepted: object, *, version_setting: str = "kafka_version",
                  accept_setting: str = "accept_version_risks", today: Optional[datetime.date] = None,
                  after: Sequence[str] = (), scopes: Sequence[str] = ("broker", "client")) -> None:
    """The release exists in the table, suits the metadata mode, and has no risk that is not accepted
    in the parts of Kafka the cluster uses (`scopes`: OAuth's advisories count only when it is on)."""
    names: tuple[str, ...] = ()
    with problems:
        names = check_accepted(accepted, label(accept_setting))
    if not problems.ok(*after, label(accept_setting)):
        return
    with problems:
        if not isinstance(version, str):
            raise ConfigError(label(version_setting), version, f"a Kafka release the version table knows: {_known(platform)}")
        verdict = judge(platform, version, today, mode=mode, scopes=scopes)
        if not verdict.known:
            what = "a version MSK offers" if platform == MSK else "a Kafka release (x.y.z) the version table knows"
            raise ConfigError(label(version_setting), version, f"{what}: {_known(platform)}")
        line = verdict.line if platform == MSK else line_of(APACHE, version)
        if mode and line is not None and mode not in line.modes:
            lines = sorted({ln.latest for ln in LINES if ln.platform == platform and mode in ln.modes})
            raise ConfigError(label(version_setting), version,
                              f"a release that runs {mode} mode ({', '.join(lines) or 'none'}); "
                              f"{version} runs {'/'.join(sorted(line.modes))} only")
        open_risks = verdict.unaccepted(names)
        if open_risks:
            way_out = f"{verdict.nearest}" if verdict.nearest else \
                "none in this metadata mode (ZooKeeper mode ends with 3.9: migrate to KRaft)"
            raise ConfigError(label(version_setting), version,
                              f"a release without known risks — nearest: {way_out}; or accept each by name in "
                              f"{label(accept_setting)}: [{', '.join(r.id for r in open_risks)}]. It has: "
                              + "; ".join(r.reason for r in open_risks))
        stale = verdict.stale(names)
        if stale:
            raise ConfigError(label(accept_setting), list(names),
                              f"only risks {version} has ({', '.join(r.id for r in verdict.risks) or 'none'}); "
                              f"remove {', '.join(stale)}")


def accepted_marks(accepted: Sequence[str], annotation: bool = False) -> dict[str, str]:
    """The tag (or annotation) that carries an acceptance to the pack; {} when nothing is accepted."""
    if not accepted:
        return {}
    return {(ACCEPT_ANNOTATION if annotation else ACCEPT_TAG): " ".join(accepted)}

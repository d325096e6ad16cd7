"""Which Kafka versions a careful operator may run: one table, per platform, with a source per row.

Read by the components (they refuse an affected or unsupported version unless the risk is
accepted by name), by the `kafka-version-supported` rule (pack, checkov, the offline gate) and by
the README's table (generated from here; a test keeps it in sync). Every row carries the day it
was last checked against its source: `overdue(today)` names the rows whose dates have passed
since, so a scheduled job fails when the table needs a human (tests give the date; nothing here
reads the clock unless a caller leaves `today` out).

Two platforms: `apache` (the releases self-managed brokers and container images run; judged by
the project's advisories and its supported branches) and `msk` (Amazon's version strings; AWS
patches them, so they are judged by MSK's end-of-support dates).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional, Sequence

Date = datetime.date

# The day this table was last checked against every source below.
REVIEWED = Date(2026, 12, 3)
APACHE, MSK = "apache", "msk"
END_OF_SUPPORT = "end-of-support"   # the name an acknowledgement gives an unsupported version


@lru_cache(maxsize=1024)  # the table's own versions are parsed for every resource judged
def parse(version: str) -> Optional[tuple[int, ...]]:
    """'3.9.2' -> (3, 9, 2); '4.0' -> (4, 0); anything else (incl. '3.9.x') -> None."""
    if not re.fullmatch(r"\d+(?:\.\d+){1,3}", version):
        return None
    return tuple(int(p) for p in version.split("."))


@dataclass(frozen=True)
class Advisory:
    """A published CVE against Apache Kafka: affected ranges (inclusive) and the releases fixing it."""

    id: str
    title: str
    affected: tuple[tuple[str, str], ...]
    fixed_in: tuple[str, ...]
    published: Date
    source: str
    scope: str = "broker"            # broker | client | oauth (only where OAUTHBEARER is enabled)
    mitigation: str = ""

    def affects(self, version: str) -> bool:
        v = parse(version)
        if v is None:
            return False
        for first, last in self.affected:
            lo, hi = parse(first), parse(last)
            if lo is not None and hi is not None and lo <= v <= hi:
                return True
        return False


@dataclass(frozen=True)
class Line:
    """One release line of a platform."""

    platform: str
    line: str                       # apache: '4.4'; msk: the version string MSK takes, e.g. '3.9.x'
    latest: str                     # apache: newest patch release; msk: same as line
    modes: frozenset[str]           # 'zookeeper', 'kraft'
    supported: bool                 # patched by its maintainer (as of `reviewed`)
    source: str
    reviewed: Date = REVIEWED
    released: Optional[Date] = None
    end_of_support: Optional[Date] = None
    note: str = ""

    def ended(self, today: Date) -> bool:
        return not self.supported or (self.end_of_support is not None and self.end_of_support <= today)


_CVE = "https://www.cve.org/CVERecord?id="
_APACHE_CVE_LIST = "https://kafka.apache.org/cve-list"
_MSK_VERSIONS = "https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html"
_APACHE_BRANCHES = _CVE + "CVE-2026-83525"  # "Users on unsupported branches (4.1.x and earlier) ..."

ADVISORIES: tuple[Advisory, ...] = (
    Advisory("CVE-2026-111115", "pre-authentication broker OutOfMemoryError: tagged-field allocation in request headers",
             (("2.4.0", "4.1.2"), ("4.2.0", "4.2.1"), ("4.3.0", "4.3.1")), ("4.2.2", "4.3.2", "4.4.0"),
             Date(2026, 10, 28), _CVE + "CVE-2026-111115",
             mitigation="no 3.x or 4.1 release fixes it: lower socket.request.max.bytes and admit only named "
                        "clients to the listeners (our security groups do) until the cluster runs KRaft on 4.4"),
    Advisory("CVE-2026-111108", "broker OutOfMemoryError: array allocation in code-generated protocol readers",
             (("3.3.0", "4.1.2"), ("4.2.0", "4.2.1")), ("4.2.2", "4.3.2", "4.4.0"),
             Date(2026, 10, 28), _CVE + "CVE-2026-111108",
             mitigation="as CVE-2026-111115: no 3.x release fixes it"),
    Advisory("CVE-2026-83525", "an authenticated CLUSTER_ACTION principal can stop a controller (FetchSnapshot)",
             (("2.8.0", "4.2.1"), ("4.3.0", "4.3.1")), ("4.2.2", "4.3.2", "4.4.0"),
             Date(2026, 10, 28), _CVE + "CVE-2026-83525",
             mitigation="grant CLUSTER_ACTION to the brokers and controllers only (our ACLs do)"),
    Advisory("CVE-2026-111073", "PushTelemetry payloads decompressed without a limit (authenticated broker DoS)",
             (("3.7.0", "4.2.1"), ("4.3.0", "4.3.0")), ("4.2.2", "4.3.1", "4.4.0"),
             Date(2026, 10, 29), _CVE + "CVE-2026-111073"),
    Advisory("CVE-2026-35554", "producer buffer reuse sends records to the wrong topic",
             (("2.8.0", "3.9.1"), ("4.0.0", "4.0.1"), ("4.1.0", "4.1.1")), ("3.9.2", "4.0.2", "4.1.2", "4.2.0"),
             Date(2026, 4, 17), _CVE + "CVE-2026-35554", scope="client"),
    Advisory("CVE-2026-33558", "DEBUG request logs expose SASL/SCRAM exchanges and config values",
             (("0.10.2.0", "3.9.1"),), ("3.9.2",),
             Date(2026, 4, 20), _CVE + "CVE-2026-33558",
             mitigation="never run the request or authentication loggers at DEBUG (our log4j configs do not)"),
    Advisory("CVE-2026-33557", "OAUTHBEARER brokers accept unsigned JWTs by default",
             (("4.1.0", "4.1.1"),), ("4.1.2", "4.2.0"), Date(2026, 4, 20), _CVE + "CVE-2026-33557",
             scope="oauth", mitigation="set sasl.oauthbearer.jwt.validator.class to BrokerJwtValidator"),
)

_BOTH, _ZK, _KRAFT = frozenset({"zookeeper", "kraft"}), frozenset({"zookeeper"}), frozenset({"kraft"})

LINES: tuple[Line, ...] = (
    Line(APACHE, "4.4", "4.4.0", _KRAFT, True, _APACHE_BRANCHES, released=Date(2026, 10, 27),
         note="recommended: the newest line, KRaft only"),
    Line(APACHE, "4.3", "4.3.2", _KRAFT, True, _APACHE_BRANCHES),
    Line(APACHE, "4.2", "4.2.2", _KRAFT, True, _APACHE_BRANCHES),
    Line(APACHE, "4.1", "4.1.2", _KRAFT, False, _APACHE_BRANCHES, note="no longer patched upstream"),
    Line(APACHE, "4.0", "4.0.2", _KRAFT, False, _APACHE_BRANCHES, note="no longer patched upstream"),
    Line(APACHE, "3.9", "3.9.2", _BOTH, False, _APACHE_BRANCHES,
         note="the last line with ZooKeeper; no longer patched upstream: the 2026-10 broker advisories have no 3.9 fix"),
    Line(MSK, "4.1.x.kraft", "4.1.x.kraft", _KRAFT, True, _MSK_VERSIONS, released=Date(2025, 10, 15)),
    Line(MSK, "4.0.x.kraft", "4.0.x.kraft", _KRAFT, True, _MSK_VERSIONS, released=Date(2025, 5, 16)),
    Line(MSK, "3.9.x", "3.9.x", _ZK, True, _MSK_VERSIONS, released=Date(2025, 4, 21),
         note="the line MSK moves in place from ZooKeeper to KRaft"),
    Line(MSK, "3.9.x.kraft", "3.9.x.kraft", _KRAFT, True, _MSK_VERSIONS, released=Date(2025, 4, 21)),
    Line(MSK, "3.8.x", "3.8.x", _ZK, True, _MSK_VERSIONS, released=Date(2025, 2, 20), note="MSK's recommended"),
    Line(MSK, "3.8.x.kraft", "3.8.x.kraft", _KRAFT, True, _MSK_VERSIONS, released=Date(2025, 2, 20)),
    Line(MSK, "3.7.x", "3.7.x", _ZK, True, _MSK_VERSIONS, released=Date(2024, 5, 29),
         end_of_support=Date(2026, 9, 1), note="MSK upgrades such clusters by itself"),
    Line(MSK, "3.7.x.kraft", "3.7.x.kraft", _KRAFT, True, _MSK_VERSIONS, released=Date(2024, 5, 29),
         end_of_support=Date(2026, 9, 1), note="MSK upgrades such clusters by itself"),
    Line(MSK, "3.6.0", "3.6.0", _ZK, True, _MSK_VERSIONS, released=Date(2023, 11, 16),
         end_of_support=Date(2026, 6, 1), note="MSK upgrades such clusters by itself"),
)

# What the platforms ship by default: the newest release of the newest line per metadata mode.
DEFAULTS = {"zookeeper": "3.9.2", "kraft": "4.4.0"}
MSK_DEFAULT = "3.9.x"


@dataclass(frozen=True)
class Risk:
    """One reason a version is not what a careful operator runs: a CVE, or support that ended."""

    id: str                          # the CVE id, or END_OF_SUPPORT
    reason: str
    source: str
    fixed: bool = True               # False: no release of this metadata mode fixes it


@dataclass(frozen=True)
class Verdict:
    platform: str
    version: str
    known: bool                       # the table knows this version (or its line)
    risks: tuple[Risk, ...] = ()
    nearest: str = ""                 # the nearest version without these risks ('' when none)
    line: Optional[Line] = None

    @property
    def ok(self) -> bool:
        return self.known and not self.risks

    def unaccepted(self, accepted: Iterable[str]) -> tuple[Risk, ...]:
        names = set(accepted)
        return tuple(r for r in self.risks if r.id not in names)

    def stale(self, accepted: Iterable[str]) -> tuple[str, ...]:
        """Acknowledgements that name no risk of this version (they would outlive their reason)."""
        ids = {r.id for r in self.risks}
        return tuple(a for a in accepted if a not in ids)

    def explain(self) -> str:
        if not self.known:
            return f"{self.version} is not a {self.platform} version the table knows"
        parts = [r.reason for r in self.risks]
        advice = f"; nearest without them: {self.nearest}" if self.nearest else ""
        return "; ".join(parts) + advice


def line_of(platform: str, version: str) -> Optional[Line]:
    if platform == MSK:
        return next((ln for ln in LINES if ln.platform == MSK and ln.line == version), None)
    v = parse(version)
    if v is None:
        return None
    return next((ln for ln in LINES if ln.platform == APACHE and parse(ln.line) == v[:2]), None)


def _apache_risks(version: str, today: Date, scopes: Sequence[str], mode: str = "") -> list[Risk]:
    risks = []
    line = line_of(APACHE, version)
    for advisory in ADVISORIES:
        if advisory.scope not in scopes or not advisory.affects(version):
            continue
        lines = [(f, line_of(APACHE, f)) for f in advisory.fixed_in]
        usable = [f for f, ln in lines if ln is not None and (not mode or mode in ln.modes)]
        fixed = ", ".join(advisory.fixed_in)
        if usable:
            where = f"fixed in {fixed}"
        else:
            where = f"no {mode or 'supported'}-mode release fixes it (fixed in {fixed})"
            if advisory.mitigation:
                where += f"; meanwhile {advisory.mitigation}"
        risks.append(Risk(advisory.id, f"{advisory.id} ({advisory.title}): {where}", advisory.source,
                          fixed=bool(usable)))
    if line is None or line.ended(today):
        which = f"the {line.line} line" if line else f"{version}"
        risks.append(Risk(END_OF_SUPPORT, f"{which} is no longer patched by Apache Kafka", _APACHE_BRANCHES,
                          fixed=False))
    return risks


def judge(platform: str, version: str, today: Optional[Date] = None,
          scopes: Sequence[str] = ("broker", "client"), mode: str = "") -> Verdict:
    """The risks of running `version` on `platform` (in metadata `mode`, when known), and the nearest
    version without them ('' when the mode has none: ZooKeeper mode ends with 3.9)."""
    return _judged(platform, version, today or Date.today(), tuple(scopes), mode)


@lru_cache(maxsize=1024)  # a stack names a handful of versions; each verdict walks the whole table
def _judged(platform: str, version: str, today: Date, scopes: tuple[str, ...], mode: str) -> Verdict:
    if platform == MSK:
        line = line_of(MSK, version)
        if line is None:
            return Verdict(platform, version, False, nearest=MSK_DEFAULT)
        if not line.ended(today):
            return Verdict(platform, version, True, line=line)
        risk = Risk(END_OF_SUPPORT, f"MSK ended support for {version} on {line.end_of_support}: it creates no new "
                                    "such clusters and upgrades existing ones without notice", line.source,
                    fixed=False)
        return Verdict(platform, version, True, (risk,), _nearest_msk(line, today), line)
    v = parse(version)
    newest = max(parse(ln.latest) or () for ln in LINES if ln.platform == APACHE)
    if v is None or len(v) != 3 or (line_of(APACHE, version) is None and v > newest):
        # not a release, or one newer than the table: not judged as safe, not judged as ended either
        return Verdict(platform, version, False, nearest=DEFAULTS["kraft"])
    line = line_of(APACHE, version)  # None: a line older than the table's oldest, long unsupported
    risks = tuple(_apache_risks(version, today, scopes, mode))
    if not risks:
        return Verdict(platform, version, True, line=line)
    return Verdict(platform, version, True, risks, _nearest_apache(version, today, scopes, mode), line)


def risk_ids(version: str, mode: str = "", platform: str = APACHE, today: Optional[Date] = None) -> tuple[str, ...]:
    """What a platform must accept by name to run `version` in `mode` (ZooKeeper mode: 3.9's risks)."""
    return tuple(r.id for r in judge(platform, version, today, mode=mode).risks)


def _nearest_msk(line: Line, today: Date) -> str:
    kraft = line.line.endswith(".kraft")
    good = sorted((ln for ln in LINES if ln.platform == MSK and not ln.ended(today)
                   and ln.line.endswith(".kraft") == kraft), key=lambda ln: ln.line)
    return good[0].line if good else MSK_DEFAULT


def _nearest_apache(version: str, today: Date, scopes: Sequence[str], mode: str) -> str:
    """The lowest release at or above `version` (the table's newest per line, in `mode`) with no risk."""
    v = parse(version) or ()
    for ln in sorted((ln for ln in LINES if ln.platform == APACHE), key=lambda ln: parse(ln.latest) or ()):
        if (parse(ln.latest) or ()) >= v and (not mode or mode in ln.modes) \
                and not _apache_risks(ln.latest, today, scopes, mode):
            return ln.latest
    return ""


# --- where a version is written ----------------------------------------------------------------------

_IMAGE_VERSION = (
    # repository (last path part) -> how its tag names the Kafka release; Strimzi's first
    (re.compile(r"^kafka$"), re.compile(r"^\d+\.\d+\.\d+-kafka-(\d+\.\d+\.\d+)$")),
    (re.compile(r"^(?:kafka|kafka-native)$"), re.compile(r"^(\d+\.\d+\.\d+)(?:[-_].*)?$")),
)
_KNOWN_REPOSITORIES = re.compile(r"(?:^|/)(?:apache/kafka(?:-native)?|bitnami/kafka|bitnamilegacy/kafka|"
                                 r"strimzi/kafka|ubuntu/kafka|confluentinc/cp-kafka|confluentinc/cp-server)$")
_VENDOR_VERSIONS = re.compile(r"(?:^|/)confluentinc/")
_DOWNLOAD = re.compile(r"kafka_\d+\.\d+-(\d+\.\d+\.\d+)\.t(?:ar\.)?gz")


@dataclass(frozen=True)
class ImageVersion:
    image: str
    version: Optional[str]          # None: a Kafka image whose release cannot be read from its reference
    why: str = ""


def image_version(image: str) -> Optional[ImageVersion]:
    """The Kafka release of a container image; None for an image that is not a Kafka distribution
    we know (ZooKeeper, tools, anything else)."""
    reference = image.strip()
    name, _, digest = reference.partition("@")
    repo, tag = name, ""
    if ":" in name.rsplit("/", 1)[-1]:
        repo, _, tag = name.rpartition(":")
    if not _KNOWN_REPOSITORIES.search(repo):
        return None
    last = repo.rsplit("/", 1)[-1]
    for repo_pattern, tag_pattern in _IMAGE_VERSION:
        found = tag_pattern.match(tag) if repo_pattern.match(last) else None
        if found:
            return ImageVersion(image, found.group(1))
    if _VENDOR_VERSIONS.search(repo):
        why = "Confluent Platform numbers its releases its own way; the table holds Apache and MSK versions"
    elif digest and not tag:
        why = "it is pinned by digest only"
    else:
        why = f"its tag {tag!r} names no Kafka release" if tag else "it has no tag (it runs whatever :latest is)"
    return ImageVersion(image, None, why)


def downloads(text: str) -> list[str]:
    """Kafka releases a boot script downloads (kafka_<scala>-<version>.tgz)."""
    return sorted(set(_DOWNLOAD.findall(text)))


# --- review -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overdue:
    row: str
    what: str


def overdue(today: Date, lines: Sequence[Line] = LINES,
            advisories: Sequence[Advisory] = ADVISORIES) -> list[Overdue]:
    """Rows that need a human: a date in them passed after they were last reviewed, a row without a
    source, or a review older than 120 days (new releases and advisories appear without a date)."""
    out = []
    for ln in lines:
        name = f"{ln.platform} {ln.line}"
        if not ln.source:
            out.append(Overdue(name, "has no source"))
        if ln.end_of_support and ln.reviewed < ln.end_of_support <= today:
            out.append(Overdue(name, f"support ended {ln.end_of_support}, after its review on {ln.reviewed}"))
        if (today - ln.reviewed).days > 120:
            out.append(Overdue(name, f"last reviewed {ln.reviewed}, over 120 days before {today}"))
    for advisory in advisories:
        if not advisory.source or not advisory.fixed_in:
            out.append(Overdue(advisory.id, "has no source or no fixed-in release"))
        if advisory.published > today:
            out.append(Overdue(advisory.id, f"is dated {advisory.published}, after {today}"))
    return out


@dataclass(frozen=True)
class Table:
    """The rows for the README, in the order they are printed."""

    lines: tuple[Line, ...] = field(default=LINES)

    def markdown(self, today: Date = REVIEWED) -> str:
        rows = ["| platform | version | metadata | status | known CVEs (fixed in) | source |",
                "|---|---|---|---|---|---|"]
        for ln in self.lines:
            verdict = judge(ln.platform, ln.latest, today)
            status = "supported" if not ln.ended(today) else (
                f"support ended {ln.end_of_support}" if ln.end_of_support else "not patched upstream")
            cves = ", ".join(f"{r.id} ({', '.join(_fixed(r.id))})" for r in verdict.risks if r.id != END_OF_SUPPORT)
            rows.append(f"| {ln.platform} | {ln.latest} | {'/'.join(sorted(ln.modes))} | {status} | "
                        f"{cves or 'none known'} | [source]({ln.source}) |")
        rows += ["", "| advisory | what | affected | fixed in | published |", "|---|---|---|---|---|"]
        for a in ADVISORIES:
            affected = ", ".join(f"{lo}–{hi}" if lo != hi else lo for lo, hi in a.affected)
            rows.append(f"| [{a.id}]({a.source}) | {a.title} | {affected} | {', '.join(a.fixed_in)} | "
                        f"{a.published} |")
        return "\n".join(rows)


def _fixed(advisory_id: str) -> tuple[str, ...]:
    return next((a.fixed_in for a in ADVISORIES if a.id == advisory_id), ())

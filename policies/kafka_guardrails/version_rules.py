"""Kafka release rules (KAFKA-VER-*): a resource runs a version the table in versions.py accepts.

A risk the resource accepts by name (the components' `accept_version_risks`, written as a tag or an
annotation) is not a block, but it is never silent: KAFKA-VER-002 reports it, and reports a Kafka
whose release cannot be read at all (a digest, `:latest`, a vendor numbering) as unjudged.
"""
from __future__ import annotations

from .forms.kafka_release import ACCEPT_ANNOTATION, ACCEPT_TAG, Release, Releases
from .model import ADVISORY, MANDATORY, Resource
from .rules import Issue, rule
from .settings import Settings
from .values import UNKNOWN
from .versions import MSK, Verdict, judge

_HOW = (f"Accepting a named risk on purpose: the tag {ACCEPT_TAG} (AWS) or the annotation {ACCEPT_ANNOTATION} "
        "(Kubernetes), listing the CVE ids (and end-of-support) — the components' accept_version_risks writes it.")


def _verdicts(releases: Releases, settings: Settings) -> list[tuple[Release, Verdict]]:
    return [(r, judge(r.platform, r.version, settings.today, mode=releases.mode)) for r in releases.releases
            if isinstance(r.version, str)]


@rule("KAFKA-VER-001", "kafka-version-supported",
      "Kafka runs a supported release with no known CVE (or accepts the risk by name)", MANDATORY,
      "Move to the nearest release the version table accepts (README, 'Kafka versions'). " + _HOW,
      model="kafka-version")
def supported(resource: Resource, releases: Releases, settings: Settings) -> list[Issue]:
    out = []
    for release in releases.releases:
        if release.version is UNKNOWN:
            out.append(Issue(f"the Kafka version at {release.where} is not known yet, so it cannot be judged.",
                             path=release.where, unknown=True))
    for release, verdict in _verdicts(releases, settings):
        if not verdict.known and release.platform == MSK:
            out.append(Issue(f"{release.where} = {release.version!r} is not a version MSK offers (the table lists "
                             f"them); nearest: {verdict.nearest}.", path=release.where))
            continue
        if not verdict.known:
            out.append(Issue(f"{release.where} = {release.version!r} is not an Apache Kafka release the table knows; "
                             f"nearest: {verdict.nearest}.", path=release.where))
            continue
        open_risks = verdict.unaccepted(releases.accepted)
        if open_risks:
            nearest = f" Nearest without them: {verdict.nearest}." if verdict.nearest else \
                " No release of this metadata mode is without them: move to KRaft (secure-kafka migrate)."
            out.append(Issue(f"{release.where} runs Kafka {release.version}: "
                             + "; ".join(r.reason for r in open_risks) + "." + nearest, path=release.where))
    return out


@rule("KAFKA-VER-002", "kafka-version-risk-accepted",
      "Accepted version risks and Kafka releases that cannot be read are reported", ADVISORY,
      "Plan the upgrade the acknowledgement defers; pin Kafka images by a tag that names the release.",
      model="kafka-version")
def accepted(resource: Resource, releases: Releases, settings: Settings) -> list[Issue]:
    out = []
    for release in releases.releases:
        if release.version is None:
            out.append(Issue(f"{release.where}: the Kafka release cannot be read ({release.why}), so it is not "
                             "judged against the version table.", path=release.where))
    for release, verdict in _verdicts(releases, settings):
        taken = [r for r in verdict.risks if r.id in releases.accepted]
        if taken:
            out.append(Issue(f"{release.where} runs Kafka {release.version} with accepted risks: "
                             + ", ".join(r.id for r in taken) + ".", path=release.where))
        stale = verdict.stale(releases.accepted) if verdict.known else ()
        if stale:
            out.append(Issue(f"the acknowledgement names {', '.join(stale)}, which Kafka {release.version} does not "
                             "have: remove it, so it cannot cover a later risk by accident.", path=release.where))
    return out

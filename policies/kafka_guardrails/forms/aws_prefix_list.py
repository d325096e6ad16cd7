"""Customer-managed prefix lists (and their separate entry resources): a security-group rule
that admits a list admits every CIDR in it, so the stack judges the rule by the list's contents."""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..net import Later, Net, key_label, verdict
from ..registry import form
from ..stack import Path, Stack, join
from ..values import UNKNOWN, blocks, get, is_unknown, known, mapping


def prefix_list(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    cidrs = []
    for path, entry in blocks(props, "entries"):
        value = UNKNOWN if is_unknown(entry) else get(entry, "cidr")
        cidrs.append((path, value if value is not None else UNKNOWN))
    return Net([], "prefix-list", (props.get("id"), props.get("prefixListId")), {},
               tuple(cidrs))


def prefix_list_entry(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return Net([], "prefix-list-entry", (), {"list": Later(props.get("prefixListId"), "prefixListId")},
               (("cidr", known(props.get("cidr"))),))


FIX = "Remove the public CIDRs from the prefix list, or stop referencing it on Kafka ports."


def revoke(resource: Resource, entry: Any, offending: Any) -> str:
    props = mapping(resource._canonical)
    pl = props.get("id") or props.get("prefixListId") or "<prefix-list-id>"
    cidrs = " ".join(f"Cidr={c}" for c in offending) or "Cidr=<cidr>"
    return (f"aws ec2 modify-managed-prefix-list --prefix-list-id {pl} --current-version <version> "
            f"--remove-entries {cidrs}")


form(key="aws.prefix-list", family="AWS prefix lists",
     summary="its entries, judged where a security-group rule on a guarded port references it",
     pulumi=("aws:ec2/managedPrefixList:ManagedPrefixList", "aws-native:ec2:PrefixList"),
     terraform=("aws_ec2_managed_prefix_list",), cloudformation=("AWS::EC2::PrefixList",),
     models={"net": prefix_list}, fix=FIX, revoke=revoke, renames={"entry": "entries"})
form(key="aws.prefix-list-entry", family="AWS prefix lists",
     summary="one entry, added to its list's contents in the stack",
     pulumi=("aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",),
     terraform=("aws_ec2_managed_prefix_list_entry",), models={"net": prefix_list_entry}, fix=FIX)


@join("prefix-lists")
def referenced_lists(stack: Stack, settings: Any) -> list[Path]:
    """Rules whose referenced prefix lists hold public ranges; lists outside the stack are
    reported as unseen when the rule covers a guarded port."""
    entries_of: dict[int, list[Any]] = {}
    for resource, net in stack.role("prefix-list-entry"):
        for owner, _ in stack.find(stack.linked(resource, net, "list"), role="prefix-list"):
            entries_of.setdefault(id(owner), []).append((resource, net))
    out: list[Path] = []
    for resource, net in [*stack.role("group"), *stack.role("group-rule")]:
        for entry in net.entries:
            if not entry.prefix_lists or not entry.span.covers(settings.ports):
                continue
            lists = stack.find(entry.prefix_lists, role="prefix-list")
            if not lists:
                out.append(Path((resource,), f"{resource.type} {entry.path or ''} admits the prefix list(s) "
                                f"{', '.join(map(key_label, entry.prefix_lists))} to a Kafka port, "
                                "and none of them is in the stack, so their contents cannot be judged.".replace("  ", " "),
                                entry.span.covers(settings.ports), unseen=True))
                continue
            extra, joined = [], [resource]
            for owner, owner_net in lists:
                joined.append(owner)
                extra.extend(owner_net.data)
                for member, member_net in entries_of.get(id(owner), ()):
                    joined.append(member)
                    extra.extend(member_net.data)
            alone = verdict(entry, settings)
            if alone is not None and (alone.reach.public or alone.bad):
                continue  # the rule is reported on its own
            found = verdict(entry, settings, extra)
            if found is None:
                continue
            names = ", ".join(r.label for r in joined[1:])
            if found.reach.public:
                out.append(Path(tuple(joined), f"{resource.type} {entry.path} admits the prefix list(s) {names} "
                                f"to Kafka/ZooKeeper port(s) {', '.join(map(str, found.covered))}, and the lists hold "
                                f"{', '.join(found.offending)}: {found.reach.reason}.".replace("  ", " "),
                                found.covered, tuple(found.offending),
                                revoke(joined[1], None, found.offending)))
            elif found.bad:
                out.append(Path(tuple(joined), f"the prefix list(s) {names} referenced on Kafka port(s) "
                                f"{', '.join(map(str, found.covered))} hold {found.bad[0][1]!r}, which is not a valid "
                                "CIDR, so they cannot be shown to be private.", found.covered))
            elif found.unknown_paths:
                out.append(Path(tuple(joined), f"the prefix list(s) {names} referenced on Kafka port(s) "
                                f"{', '.join(map(str, found.covered))} hold entries not known yet.",
                                found.covered, unknown=True))
    return out

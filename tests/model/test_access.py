"""The topic-access model and the three enforcement points it feeds."""
import pytest

from secure_kafka import ConfigError
from secure_kafka.model.access import (AclEntry, TopicGrant, acl_arguments, cilium_allows, cilium_kafka_rules, kafka_acls,
                                 msk_iam_policy, permitted, validate_grants)

GRANTS = [TopicGrant("empire-hq", produce=("deathstar-plans", "empire-announce")),
          TopicGrant("outpost", consume=("empire-announce",))]
CLUSTER = "arn:aws:kafka:eu-west-1:123456789012:cluster/events/0f1e2d3c-4b5a"


def test_acls_allow_only_what_was_granted_and_consumers_get_their_own_group_prefix():
    acls = kafka_acls(GRANTS)
    assert AclEntry("User:empire-hq", "TOPIC", "deathstar-plans", "LITERAL", "WRITE") in acls
    assert AclEntry("User:outpost", "TOPIC", "empire-announce", "LITERAL", "READ") in acls
    assert AclEntry("User:outpost", "GROUP", "outpost", "PREFIXED", "READ") in acls
    assert not [a for a in acls if a.principal == "User:outpost" and a.operation == "WRITE"]
    assert not [a for a in acls if a.name == "*" or a.principal == "User:*"]
    assert len(acls) == len(set(acls))


def test_acl_arguments_are_kafka_acls_sh_arguments():
    args = acl_arguments(AclEntry("User:outpost", "GROUP", "outpost", "PREFIXED", "READ"), "b:9094", "/a.properties")
    assert args[args.index("--allow-principal") + 1] == "User:outpost"
    assert args[args.index("--group") + 1] == "outpost" and args[-1] == "prefixed" and "--operation" in args


def test_cilium_rules_and_the_model_agree_for_every_client_topic_and_role():
    for grant in GRANTS:
        rules = cilium_kafka_rules(grant)
        for topic in ("deathstar-plans", "empire-announce", "other"):
            for role in ("produce", "consume"):
                assert cilium_allows(rules, role, topic) == permitted(GRANTS, grant.client, role, topic)
    assert cilium_allows([], "produce", "anything")  # Cilium: no L7 rules on a port = allow all


def test_msk_iam_policy_scopes_topics_and_groups_to_the_grant():
    doc = msk_iam_policy(GRANTS, CLUSTER, "outpost")
    actions = {a for s in doc["Statement"] for a in s["Action"]}
    assert "kafka-cluster:WriteData" not in actions and "kafka-cluster:ReadData" in actions
    [read] = [s for s in doc["Statement"] if "kafka-cluster:ReadData" in s["Action"]]
    assert read["Resource"] == ["arn:aws:kafka:eu-west-1:123456789012:topic/events/0f1e2d3c-4b5a/empire-announce"]
    [group] = [s for s in doc["Statement"] if "kafka-cluster:AlterGroup" in s["Action"]]
    assert group["Resource"] == "arn:aws:kafka:eu-west-1:123456789012:group/events/0f1e2d3c-4b5a/outpost*"


@pytest.mark.parametrize("grants,setting", [
    ([TopicGrant("a", produce=("t",)), TopicGrant("a", consume=("t",))], "access[1].client"),
    ([TopicGrant("zookeeper", consume=("t",))], "access[0].client"),
    ([TopicGrant("a", produce="t")], "access[0].produce"),
    ([TopicGrant("a", consume=("..",))], "access[0].consume"),
    ([TopicGrant("a")], "access[0]"),
])
def test_bad_grants_are_named(grants, setting):
    with pytest.raises(ConfigError) as error:
        validate_grants(grants)
    assert error.value.setting == setting

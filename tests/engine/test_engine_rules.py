"""Behaviour of the engine beyond the table: messages, settings, unknowns, unions."""
import pytest

from cases import SG, SG_RULE, SERVICE, VPC_IN, sg, svc, tcp
from kafka_guardrails import (ADVISORY, MANDATORY, RULES, Resource, Settings, SettingsError,
                              from_config, judge_resource, judge_stack)
from kafka_guardrails.values import UNKNOWN_SENTINELS

UNKNOWN = next(iter(UNKNOWN_SENTINELS))
STRING_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def judge(type_, props, settings=Settings(), **kw):
    return judge_resource(Resource(type_, props, **kw), settings)


def test_finding_names_resource_port_source_and_fix():
    [finding] = judge(SG, {"id": "sg-0abc", "ingress": [tcp(9092, cidrBlocks=["0.0.0.0/0"])]},
                      urn="urn:pulumi:dev::p::aws:ec2/securityGroup:SecurityGroup::brokers")
    assert finding.resource.endswith("::brokers")
    assert finding.ports == (9092,) and finding.sources == ("0.0.0.0/0",)
    assert "9092" in finding.message and "0.0.0.0/0" in finding.message
    assert ("aws ec2 revoke-security-group-ingress --group-id sg-0abc --ip-permissions "
            "'IpProtocol=tcp,FromPort=9092,ToPort=9092,IpRanges=[{CidrIp=0.0.0.0/0}]'") in finding.remediation


def test_revoke_for_ipv6_and_all_traffic():
    [finding] = judge(SG, sg({"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}))
    assert "IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]" in finding.remediation


def test_revoke_for_a_rule_id():
    [finding] = judge(VPC_IN, {"securityGroupId": "sg-01", "securityGroupRuleId": "sgr-0123",
                               "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"})
    assert "--group-id sg-01 --security-group-rule-ids sgr-0123" in finding.remediation


def test_reference_next_to_world_is_named_but_does_not_excuse():
    [finding] = judge(SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/0"], securityGroups=["sg-0aa"])))
    assert "securityGroups=sg-0aa" in finding.message and "do not excuse" in finding.message


def test_configured_ports_replace_and_extend_defaults():
    props = sg(tcp(8083, cidrBlocks=["0.0.0.0/0"]))
    assert judge(SG, props) == []
    assert judge(SG, props, from_config({"extraPorts": [8083]}))[0].ports == (8083,)
    only_9092 = from_config({"ports": [9092]})
    assert judge(SG, sg(tcp(9094, cidrBlocks=["0.0.0.0/0"])), only_9092) == []
    assert judge(SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/0"])), only_9092)


def test_public_prefix_bound_is_configurable():
    props = sg(tcp(9092, cidrBlocks=["52.1.0.0/20"]))
    assert judge(SG, props) == []
    assert judge(SG, props, from_config({"ipv4PublicPrefix": 20}))
    v6 = sg(tcp(9092, ipv6CidrBlocks=["2600:1f18::/40"]))
    assert judge(SG, v6) and judge(SG, v6, from_config({"ipv6PublicPrefix": 32})) == []


def test_union_of_narrow_pieces_covering_the_world_is_public():
    # With the breadth bound at /0 only a union that covers the internet counts.
    strict = from_config({"ipv4PublicPrefix": 0})
    halves = sg(tcp(9092, cidrBlocks=["0.0.0.0/1"]), tcp(9092, cidrBlocks=["128.0.0.0/1"]))
    findings = judge(SG, halves, strict)
    assert len(findings) == 1 and "whole IPv4 internet" in findings[0].message
    assert judge(SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/1"])), strict) == []


def test_union_that_leaves_out_only_private_space_is_still_the_internet():
    strict = from_config({"ipv4PublicPrefix": 0})
    everything_but_10 = ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4",
                         "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"]
    assert judge(SG, sg(tcp(9092, cidrBlocks=everything_but_10)), strict)


@pytest.mark.parametrize("bad", [
    {"ipv4PublicPrefix": 33}, {"ipv6PublicPrefix": -1}, {"ports": []}, {"ports": [0]},
    {"ports": "9092"}, {"extraPorts": [70000]}, {"portz": [1]},
])
def test_bad_settings_name_the_key(bad):
    with pytest.raises(SettingsError) as error:
        from_config(bad)
    assert next(iter(bad)) in str(error.value)


def test_unknown_source_is_advisory_in_preview_and_mandatory_at_up():
    props = sg(tcp(9092, cidrBlocks=[STRING_UNKNOWN]))
    [preview] = judge(SG, props, Settings(preview=True))
    assert preview.unknown and preview.level == ADVISORY
    [up] = judge(SG, props, Settings(preview=False))
    assert up.level == MANDATORY


def test_known_world_entry_is_mandatory_even_next_to_unknowns():
    props = sg(tcp(9092, cidrBlocks=[STRING_UNKNOWN]), tcp(9092, cidrBlocks=["0.0.0.0/0"]))
    levels = sorted(f.level for f in judge(SG, props, Settings(preview=True)))
    assert levels == [ADVISORY, MANDATORY]


def test_unknown_port_with_world_source_is_reported_unknown_port_with_private_is_not():
    world = sg({"protocol": "tcp", "fromPort": STRING_UNKNOWN, "toPort": 9092, "cidrBlocks": ["0.0.0.0/0"]})
    [finding] = judge(SG, world, Settings(preview=True))
    assert finding.unknown and finding.level == ADVISORY
    private = sg({"protocol": "tcp", "fromPort": STRING_UNKNOWN, "toPort": 9092, "cidrBlocks": ["10.0.0.0/8"]})
    assert judge(SG, private, Settings(preview=True)) == []


def test_whole_ingress_list_unknown_is_reported():
    [finding] = judge(SG, {"ingress": "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"}, Settings(preview=True))
    assert finding.unknown


def test_nodeport_message_explains_source_ranges_do_not_apply():
    [finding] = judge(SERVICE, svc("NodePort", [{"port": 9092}], loadBalancerSourceRanges=["10.0.0.0/8"]), name="kafka")
    assert "node ports" in finding.message
    assert "kubectl -n kafka patch service kafka" in finding.remediation


def test_source_ranges_annotation_counts():
    notes = {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8,192.168.0.0/16"}
    assert judge(SERVICE, svc("LoadBalancer", [{"port": 9092}], notes)) == []
    notes = {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8, 0.0.0.0/0"}
    assert judge(SERVICE, svc("LoadBalancer", [{"port": 9092}], notes))


def test_terraform_hcl_shape_via_checkov_wrapping():
    conf = {"ingress": [{"from_port": [9092], "to_port": [9092], "protocol": ["tcp"],
                         "cidr_blocks": [["0.0.0.0/0"]]}]}
    assert judge("aws_security_group", conf)
    conf["ingress"][0]["cidr_blocks"] = [["10.0.0.0/8"]]
    assert judge("aws_security_group", conf) == []


def test_unresolved_terraform_variable_is_reported_not_passed():
    conf = {"type": ["ingress"], "from_port": [9092], "to_port": [9092], "protocol": ["tcp"],
            "cidr_blocks": [["${var.clients}"]]}
    [finding] = judge("aws_security_group_rule", conf)
    assert "not a valid CIDR" in finding.message


def _stack(*resources):
    return judge_stack([Resource(t, p, urn=u, property_dependencies=d) for t, p, u, d in resources])


def test_stack_unions_separate_rules_of_one_group_by_id():
    strict = from_config({"ipv4PublicPrefix": 0})
    group = (SG, {"id": "sg-01", "ingress": []}, "urn:sg", {})
    low = (VPC_IN, {"securityGroupId": "sg-01", "ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092,
                    "cidrIpv4": "0.0.0.0/1"}, "urn:low", {})
    high = (SG_RULE, {"type": "ingress", "securityGroupId": "sg-01", "protocol": "tcp", "fromPort": 9000,
                      "toPort": 9100, "cidrBlocks": ["128.0.0.0/1"]}, "urn:high", {})
    resources = [Resource(t, p, urn=u, property_dependencies=d) for t, p, u, d in (group, low, high)]
    [finding] = judge_stack(resources, strict)
    assert finding.resource == "urn:sg" and finding.ports == (9092,)
    assert "urn:low" in finding.message and "urn:high" in finding.message
    # Each rule alone is not world-open under this bound.
    assert len(resources) == 3
    assert all(judge_resource(r, strict) == [] for r in resources)


def test_stack_links_rules_by_property_dependency_when_id_is_unknown():
    strict = from_config({"ipv4PublicPrefix": 0})
    rules = [Resource(VPC_IN, {"securityGroupId": STRING_UNKNOWN, "ipProtocol": "tcp", "fromPort": 9092,
                               "toPort": 9092, "cidrIpv4": cidr}, urn=f"urn:{i}",
                      property_dependencies={"securityGroupId": ["urn:sg"]})
             for i, cidr in enumerate(["0.0.0.0/1", "128.0.0.0/1"])]
    assert len(judge_stack(rules, strict)) == 1


def test_stack_does_not_mix_groups_or_repeat_single_findings():
    strict = from_config({"ipv4PublicPrefix": 0})
    rules = [Resource(VPC_IN, {"securityGroupId": f"sg-0{i}", "ipProtocol": "tcp", "fromPort": 9092,
                               "toPort": 9092, "cidrIpv4": cidr}, urn=f"urn:{i}")
             for i, cidr in enumerate(["0.0.0.0/1", "128.0.0.0/1"])]
    assert judge_stack(rules, strict) == []
    world = [Resource(VPC_IN, {"securityGroupId": "sg-01", "ipProtocol": "tcp", "fromPort": 9092,
                               "toPort": 9092, "cidrIpv4": c}, urn=f"urn:{c}") for c in ("0.0.0.0/0", "10.0.0.0/8")]
    assert judge_stack(world) == []  # the world-open rule is reported on its own


def test_registry_is_sorted_and_rejects_duplicates():
    from kafka_guardrails.rules import Registry
    names = [r.name for r in RULES]
    assert {"kafka-coverage", "kafka-unrecognised-exposure", "kafka-overridable-source",
            "kafka-version-supported", "kafka-version-risk-accepted", "kafka-topic-durability", "kafka-security-loggers-quiet"} <= set(names)
    assert len(names) == len(set(names)) == 23
    assert names == sorted(names, key=lambda n: (RULES[n].id, n))
    rule = RULES["kafka-no-public-port"]
    registry = Registry()
    registry.add(rule)
    with pytest.raises(ValueError, match="duplicate rule name"):
        registry.add(rule)


def test_a_rule_that_crashes_is_reported_not_passed():
    from kafka_guardrails.rules import Rule, run

    def broken(resource, model, settings):
        raise KeyError("boom")

    rule = Rule("X-1", "broken", "t", ADVISORY, "fix", "net", broken)
    [finding] = run(rule, Resource(SG, sg(tcp(443, cidrBlocks=["10.0.0.0/8"]))), Settings())
    assert finding.level == MANDATORY and "KeyError" in finding.message and finding.rule_id == "X-1"


def test_findings_take_id_and_level_from_their_rule():
    """A rule is declared once; its findings carry its id, policy name and level, never their own."""
    by_policy = {}
    cases = [(SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/0"]))),
             ("aws:msk/cluster:Cluster", {"loggingInfo": {"brokerLogs": {}}}),
             ("kubernetes:apps/v1:Deployment", {"metadata": {"name": "k"}, "spec": {"template": {"spec": {
                 "containers": [{"name": "k", "image": "apache/kafka:4.4.0"}]}}}})]
    for type_, props in cases:
        for finding in judge_resource(Resource(type_, props)):
            by_policy.setdefault(finding.policy, set()).add((finding.rule_id, finding.level))
    assert len(by_policy) >= 5
    for policy, seen in by_policy.items():
        assert seen == {(RULES[policy].id, RULES[policy].level)}, policy


def test_internal_annotation_as_boolean_counts():
    notes = {"service.beta.kubernetes.io/aws-load-balancer-internal": True}
    assert judge(SERVICE, svc("LoadBalancer", [{"port": 9092}], notes)) == []
    notes = {"service.beta.kubernetes.io/aws-load-balancer-internal": False}
    assert judge(SERVICE, svc("LoadBalancer", [{"port": 9092}], notes))


def test_subclassed_scalars_from_parsers_are_read_as_values():
    class IntNode(int):
        pass

    class StrNode(str):
        pass

    props = sg({"protocol": StrNode("tcp"), "fromPort": IntNode(443), "toPort": IntNode(443),
                "cidrBlocks": [StrNode("0.0.0.0/0")]})
    assert judge(SG, props) == []
    props["ingress"][0]["fromPort"] = IntNode(9092)
    props["ingress"][0]["toPort"] = IntNode(9092)
    assert judge(SG, props)


def test_service_with_unknown_spec_is_not_a_silent_pass():
    [finding] = judge(SERVICE, {"metadata": {"name": "k"}, "spec": "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"},
                      Settings(preview=True))
    assert finding.unknown and finding.level == ADVISORY

"""Joins across a stack where the links are not in the resources' own inputs: a first-apply Terraform
plan whose ARNs are unknown (followed through `configuration`, into child modules and through module
outputs), and a Pulumi state where each dialect names its identities in its outputs
(aws-native `loadBalancerArn`, `targetGroupArn`, `groupId`)."""
import json

from kafka_guardrails import judge_stack
from kafka_guardrails.files import pulumi_state, terraform_plan
from secure_kafka.cli import main

COMBINED = "kafka-no-public-port-combined"
UNSEEN = "kafka-exposure-unseen"


def _resource(address, type_, name, values):
    return {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}


def first_apply_plan(internal: bool) -> dict:
    """An NLB, its target group (in module `kafka`) and a root listener that reaches both through the
    module's outputs; every ARN is unknown, as in any first apply."""
    child = {"address": "module.kafka", "resources": [
        _resource("module.kafka.aws_lb.front", "aws_lb", "front",
                  {"internal": internal, "load_balancer_type": "network", "name": "front"}),
        _resource("module.kafka.aws_lb_target_group.brokers", "aws_lb_target_group", "brokers",
                  {"port": 9092, "protocol": "TCP"})]}
    root = {"resources": [_resource("aws_lb_listener.kafka", "aws_lb_listener", "kafka",
                                    {"port": 9092, "protocol": "TCP", "default_action": [{"type": "forward"}]})],
            "child_modules": [child]}
    configuration = {"root_module": {
        "resources": [{"address": "aws_lb_listener.kafka", "mode": "managed", "type": "aws_lb_listener",
                       "name": "kafka", "expressions": {
                           "load_balancer_arn": {"references": ["module.kafka.lb_arn", "module.kafka"]},
                           "default_action": [{"target_group_arn": {"references": ["module.kafka.tg_arn",
                                                                                   "module.kafka"]}}]}}],
        "module_calls": {"kafka": {"source": "./kafka", "module": {
            "outputs": {"lb_arn": {"expression": {"references": ["aws_lb.front.arn", "aws_lb.front"]}},
                        "tg_arn": {"expression": {"references": ["aws_lb_target_group.brokers.arn",
                                                                 "aws_lb_target_group.brokers"]}}},
            "resources": [{"address": "aws_lb.front", "type": "aws_lb", "name": "front", "expressions": {}},
                          {"address": "aws_lb_target_group.brokers", "type": "aws_lb_target_group",
                           "name": "brokers", "expressions": {}}]}}}}}
    return {"format_version": "1.2", "planned_values": {"root_module": root}, "configuration": configuration}


def test_a_first_apply_plan_is_joined_through_module_outputs():
    resources = terraform_plan(first_apply_plan(internal=False))
    assert len(resources) == 3
    findings = judge_stack(resources)
    assert {f.policy for f in findings} == {COMBINED}, [f.message for f in findings]
    assert {"tf:module.kafka.aws_lb.front", "tf:aws_lb_listener.kafka",
            "tf:module.kafka.aws_lb_target_group.brokers"} <= set(findings[0].resources)
    quiet = judge_stack(terraform_plan(first_apply_plan(internal=True)))
    assert [f.policy for f in quiet if f.policy in (COMBINED, UNSEEN)] == []


def test_check_on_the_plan_file_fails_it(tmp_path, capsys):
    (tmp_path / "plan.json").write_text(json.dumps(first_apply_plan(internal=False)))
    assert main(["check", str(tmp_path / "plan.json"), "--format", "json", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not any("not in the stack" in f["message"] for f in report["findings"])


NATIVE = "aws-native:elasticloadbalancingv2:"
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/front/0123456789abcdef"
TG_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/brokers/0123456789abcdef"


def native_state(scheme: str) -> dict:
    def state(kind, name, inputs, outputs):
        return {"urn": f"urn:pulumi:prod::shop::{NATIVE}{kind}::{name}", "type": f"{NATIVE}{kind}",
                "custom": True, "id": outputs.get("id", name), "inputs": inputs, "outputs": outputs}
    return {"version": 3, "deployment": {"resources": [
        state("LoadBalancer", "front", {"scheme": scheme, "type": "network"},
              {"loadBalancerArn": LB_ARN, "scheme": scheme}),
        state("TargetGroup", "brokers", {"port": 9092, "protocol": "TCP"}, {"targetGroupArn": TG_ARN}),
        state("Listener", "kafka", {"loadBalancerArn": LB_ARN, "port": 9092, "protocol": "TCP",
                                    "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}]},
              {"listenerArn": "arn:listener"})]}}


def test_a_state_is_joined_through_each_dialects_own_output_names():
    resources = pulumi_state(native_state("internet-facing"))
    findings = judge_stack(resources)
    assert {f.policy for f in findings} == {COMBINED}, [f.message for f in findings]
    assert len(findings[0].resources) == 3
    assert [f for f in judge_stack(pulumi_state(native_state("internal"))) if f.policy in (COMBINED, UNSEEN)] == []


CDK_TEMPLATE = {
    "Resources": {
        "KafkaNlb4F2B1C3D": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                             "Properties": {"Scheme": "internet-facing", "Type": "network",
                                            "Subnets": [{"Ref": "VpcPublicSubnet1Subnet5C2D37C4"}]},
                             "Metadata": {"aws:cdk:path": "Shop/KafkaNlb/Resource"}},
        "KafkaNlbBrokersListenerA1B2C3D4": {"Type": "AWS::ElasticLoadBalancingV2::Listener",
                                            "Properties": {"LoadBalancerArn": {"Ref": "KafkaNlb4F2B1C3D"},
                                                           "Port": 9094, "Protocol": "TCP",
                                                           "DefaultActions": [{"Type": "forward", "TargetGroupArn": {
                                                               "Fn::GetAtt": ["KafkaTargets9E8D7C6B",
                                                                              "TargetGroupArn"]}}]},
                                            "Metadata": {"aws:cdk:path": "Shop/KafkaNlb/Brokers/Resource"}},
        "KafkaTargets9E8D7C6B": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                                 "Properties": {"Port": 9094, "Protocol": "TCP", "TargetType": "ip",
                                                "VpcId": {"Ref": "Vpc8378EB38"}}},
    }}


def test_cdk_synthesised_names_and_getatt_join(tmp_path, capsys):
    """CDK's logical ids and `Fn::GetAtt [X, TargetGroupArn]` join like hand-written ones; a Ref to a
    resource outside the template (the VPC) does not break the join."""
    (tmp_path / "Shop.template.json").write_text(json.dumps(CDK_TEMPLATE))
    assert main(["check", str(tmp_path / "Shop.template.json"), "--format", "json", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["resources"] == 3
    joined = {label for f in report["findings"] if f["policy"] == COMBINED for label in f["resources"]}
    assert joined == {"cfn:KafkaNlb4F2B1C3D", "cfn:KafkaNlbBrokersListenerA1B2C3D4", "cfn:KafkaTargets9E8D7C6B"}


def test_a_state_joins_a_load_balancer_to_its_group_by_the_groups_own_output_name():
    """aws-native names a security group's id `groupId` (an output): the NLB's group is found in the state."""
    lb = {"urn": f"urn:pulumi:prod::shop::{NATIVE}LoadBalancer::front", "type": f"{NATIVE}LoadBalancer", "custom": True,
          "inputs": {"scheme": "internet-facing", "type": "network", "securityGroups": ["sg-0aaa1111bbbb2222c"]},
          "outputs": {"loadBalancerArn": LB_ARN}}
    group = {"urn": "urn:pulumi:prod::shop::aws-native:ec2:SecurityGroup::front-sg", "type": "aws-native:ec2:SecurityGroup",
             "custom": True, "inputs": {"groupDescription": "front", "securityGroupIngress": [
                 {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIp": "0.0.0.0/0"}]},
             "outputs": {"groupId": "sg-0aaa1111bbbb2222c"}}
    listener = native_state("internet-facing")["deployment"]["resources"][1:]
    for item in listener:
        if item["type"].endswith("Listener"):
            item["inputs"]["port"] = 443
    state = {"version": 3, "deployment": {"resources": [lb, group, *listener]}}
    findings = [f for f in judge_stack(pulumi_state(state)) if f.policy in (COMBINED, UNSEEN)]
    assert [f.policy for f in findings] == [COMBINED], [f.message for f in findings]
    assert "urn:pulumi:prod::shop::aws-native:ec2:SecurityGroup::front-sg" in findings[0].resources
    del group["outputs"]  # without the group's identity the path runs into a group outside the stack
    unseen = [f.policy for f in judge_stack(pulumi_state(state)) if f.policy in (COMBINED, UNSEEN)]
    assert unseen == [UNSEEN]

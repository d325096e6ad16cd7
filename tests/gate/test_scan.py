"""`secure-kafka scan`'s discovery accounts for every directory: hidden ones are entered (a `.deploy/` of
manifests is judged), only version control, tool caches and installed packages are passed over and
listed, a symbolic link to a directory is reported as not judged, and --exclude leaves a path out."""
import json

from secure_kafka.cli import main
from secure_kafka.gate.discover import discover

SERVICE = ("apiVersion: v1\nkind: Service\nmetadata: {name: kafka, namespace: kafka}\n"
           "spec: {type: LoadBalancer, selector: {app: kafka}, ports: [{port: 9092}]}\n")


def test_hidden_directories_are_entered_and_what_is_passed_over_is_listed(tmp_path, capsys):
    (tmp_path / ".deploy").mkdir()
    (tmp_path / ".deploy" / "kafka.yaml").write_text(SERVICE)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text(SERVICE)  # never read: version control
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    found = discover(tmp_path)
    assert [t.path.name for t in found.targets] == ["kafka.yaml"]
    assert sorted(p for paths in found.passed_over.values() for p in paths) == [".git", "node_modules"]
    assert main(["scan", str(tmp_path), "--format", "json", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {f["location"].split(":")[0] for f in report["findings"]} == {str(tmp_path / ".deploy" / "kafka.yaml")}


def test_a_symlinked_directory_is_not_judged_and_says_so_unless_excluded(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "kafka.yaml").write_text(SERVICE)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "deploy").symlink_to(target, target_is_directory=True)
    assert main(["scan", str(repo), "--format", "json", "--quiet"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert [r["label"] for r in report["resources"] if r["state"] == "unjudged"] == ["deploy"]
    assert main(["scan", str(repo), "--exclude", "deploy", "--quiet"]) == 2  # nothing left to judge
    assert "nothing to judge was found" in capsys.readouterr().err


def test_a_repository_with_nothing_to_judge_does_not_pass(tmp_path, capsys):
    (tmp_path / "README.md").write_text("# docs only\n")
    (tmp_path / "package.json").write_text("{}\n")
    assert main(["scan", str(tmp_path), "--quiet"]) == 2
    assert "a gate that judged nothing does not pass" in capsys.readouterr().err


def test_infrastructure_the_gate_cannot_read_is_reported_and_other_files_are_counted(tmp_path, capsys):
    """Terraform JSON, Terragrunt, Bicep, and documents shaped like a template or object that no front end
    takes are not judged (exit 2), each named; source files are counted by suffix, never silently dropped."""
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_security_group": {"k": {}}}}')
    (tmp_path / "terragrunt.hcl").write_text("terraform {}\n")
    (tmp_path / "main.bicep").write_text("param x string\n")
    (tmp_path / "half.yaml").write_text("kind: Service\nspec: {type: LoadBalancer}\n")
    (tmp_path / "cfn.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": []}')
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "notes.json").write_text('{"a": 1}')
    found = discover(tmp_path)
    assert sorted(where for where, _ in found.unjudged) == [
        "cfn.json", "half.yaml", "main.bicep", "main.tf.json", "terragrunt.hcl"]
    assert found.by_suffix == {".py": 1}
    assert found.passed_over == {"not infrastructure (no Terraform, CloudFormation, Pulumi or Kubernetes content)":
                                 ["notes.json"]}
    assert main(["scan", str(tmp_path), "--format", "json", "--quiet"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["unjudged"] == 5
    assert report["outputs"]["not infrastructure (passed over by suffix)"] == {".py": 1}

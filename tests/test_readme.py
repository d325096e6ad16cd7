"""The first screen: what the project is for and the two commands, then how to deploy for real, then CI;
the long reference lives in docs/ pages that the README links, and every link resolves."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_readme_is_a_first_screen():
    lines = README.splitlines()
    assert len(lines) <= 250
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[0] + (" " + line.split()[1] if line.startswith("make") else "") for line in first_block] == \
        ["./preview", "make test"]
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec make test")
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:3] == ["## Deploy for real", "## The gate in your CI", "## The components in your program"]
    deploy = README.split("## Deploy for real", 1)[1].split("\n## ", 1)[0]
    for step in ("pulumi login", "pulumi stack select dev --create", "credentials", "# placeholder",
                 "--policy-pack policies"):
        assert step in deploy, step
    components = README.split("## The components in your program", 1)[1].split("\n## ", 1)[0]
    assert "secure-kafka[ops]" in components and "secure-kafka[audit]" in components


def test_every_docs_page_is_linked_and_every_link_resolves():
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))
    linked = set(LINK.findall(README))
    assert len(pages) >= 6 and set(pages) <= linked, set(pages) - linked
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in LINK.findall(page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_the_workflow_variables_the_readme_names_exist():
    flow = (ROOT / ".github" / "workflows" / "kafka-guardrails.yml").read_text()
    for name in ("SECURE_KAFKA_SOURCE", "KAFKA_GUARDRAILS_ARGS", ".github/kafka-guardrails-targets"):
        assert name in README and name in flow, name


def test_the_plugin_versions_the_readme_gives_are_the_pinned_ones():
    pinned = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                  if "==" in line and not line.startswith("#"))
    for name, version in re.findall(r"pulumi plugin install resource (\w+) ([\d.]+)", README):
        assert pinned[f"pulumi-{name}"] == version, name

"""The deploy context keys are listed once (DeploymentContext); cdk.json and the README's deploy section follow it."""

from __future__ import annotations

import re

from infra.faka_stack import DeploymentContext
from tests.infra.conftest import REPO_ROOT, cdk_json_context

# The README's deploy section lists every key in a table whose rows start with the key in backticks.
CONTEXT_TABLE_HEADER = "| Context key |"


def deploy_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Deploy to AWS")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def test_cdk_json_sets_only_keys_the_app_reads() -> None:
    app_defaults = {key for key in cdk_json_context() if not key.startswith("@")}
    assert app_defaults - set(DeploymentContext.context_keys()) == set()


def test_each_context_key_reads_the_field_it_names() -> None:
    from aws_cdk import App

    given = {"paymentProvider": "sandbox", "apiBurstLimit": "7", "activateInboundMail": "false", "logLevel": "debug"}
    context = DeploymentContext.from_node(App(context=given).node)
    assert (context.payment_provider, context.api_burst_limit, context.activate_inbound_mail) == ("sandbox", 7, False)
    assert context.log_level == "DEBUG"


def test_the_readme_deploy_section_documents_exactly_the_keys_the_app_reads() -> None:
    section = deploy_section()
    assert CONTEXT_TABLE_HEADER in section, "the README's deploy section lists the context keys in a table"
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    assert documented == set(DeploymentContext.context_keys())
    used_on_the_command_line = set(re.findall(r"-c (\w+)=", section))
    assert used_on_the_command_line <= documented

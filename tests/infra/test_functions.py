"""Lambda functions: runtime, layer, environment, event sources and what each may touch."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from faka import resources
from faka.config import SECRET_ID_SETTINGS, Env, env_name
from faka.resources import FunctionSpec, QueueSpec
from infra.constructs.functions import FUNCTIONS_DIR, LAYER_DESCRIPTION, library_layer_description
from infra.layer_build import BASE_LAYER
from tests.infra.conftest import REPO_ROOT, Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _function(synthesized: Synthesized, spec: FunctionSpec) -> tuple[str, dict[str, Any]]:
    logical_id, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
    return logical_id, function["Properties"]


def _statements(synthesized: Synthesized, spec: FunctionSpec) -> list[dict[str, Any]]:
    _, props = _function(synthesized, spec)
    role_id = props["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    found = statement["Resource"]
    return found if isinstance(found, list) else [found]


def test_one_function_per_spec(synthesized: Synthesized) -> None:
    # CDK's own singleton helpers (the S3 bucket-notifications handler) have no name; every named one is ours.
    functions = synthesized.resources("AWS::Lambda::Function").values()
    names = {f["Properties"]["FunctionName"] for f in functions if "FunctionName" in f["Properties"]}
    assert names == {spec.physical_name for spec in resources.FUNCTIONS}


def _faka_layers(synthesized: Synthesized) -> dict[str, tuple[str, dict[str, Any]]]:
    """faka's own layers by name: CDK's BucketDeployment (the console upload) brings an AWS CLI layer of its own."""
    return {
        BASE_LAYER: synthesized.one("AWS::Lambda::LayerVersion", Description=LAYER_DESCRIPTION),
        **{
            library: synthesized.one("AWS::Lambda::LayerVersion", Description=library_layer_description(library))
            for library in resources.SEPARATE_LIBRARIES
        },
    }


# Read off the code: who resolves a Stripe secret (API client, webhook check), who opens or seals with KMS (keys,
# webhook and alert-channel secrets, shops' Alipay and WeChat Pay credentials, whose signatures need cryptography too).
EXPECTED_LIBRARIES = {
    "api": ("stripe", "cryptography"),
    "payment_notifications": ("stripe", "cryptography"),
    "notifier": ("stripe", "cryptography"),
    "inbound_email": ("stripe", "cryptography"),
    "refunds": ("stripe", "cryptography"),
    "reconcile": ("stripe", "cryptography"),
    "rating_aggregates": ("stripe",),
    "webhook_delivery": ("cryptography",),
}


def test_only_the_functions_calling_a_library_declare_its_layer() -> None:
    declared = {spec.name: spec.libraries for spec in resources.FUNCTIONS if spec.libraries}
    assert declared == EXPECTED_LIBRARIES


@pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
def test_function_runtime(synthesized: Synthesized, spec: FunctionSpec) -> None:
    layers = _faka_layers(synthesized)
    _, props = _function(synthesized, spec)
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    # The base layer and exactly the layers of the libraries it calls (in any order: their files are disjoint).
    attached = sorted(layer["Ref"] for layer in props["Layers"])
    assert attached == sorted(layers[name][0] for name in (BASE_LAYER, *spec.libraries))
    assert props["Handler"] == spec.handler
    assert props["MemorySize"] == spec.memory_mb
    assert props["Timeout"] == spec.timeout_seconds


def test_layers_match_functions(synthesized: Synthesized) -> None:
    for _, layer in _faka_layers(synthesized).values():
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_each_function_ships_its_own_handler_package_only(synthesized: Synthesized) -> None:
    """And the payment notifications the api package, whose route modules (api.payments) they serve."""
    for spec in resources.FUNCTIONS:
        _, props = _function(synthesized, spec)
        asset = synthesized.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
        shipped = ["api", spec.name] if spec is resources.PAYMENT_NOTIFICATIONS_FUNCTION else [spec.name]
        assert sorted(path.name for path in asset.iterdir()) == shipped, spec.name
        assert (asset / spec.name / "handler.py").is_file()
        assert not list(asset.rglob("__pycache__")), spec.name


_IMPORT_WITHOUT = """
import importlib, sys
from importlib.abc import MetaPathFinder

class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == sys.argv[1]:
            raise ModuleNotFoundError(f"{name} is not in this function's layers", name=name)
        return None

sys.meta_path.insert(0, Absent())
for module in sys.argv[2:]:
    importlib.import_module(module)
"""


@pytest.mark.parametrize("library", resources.SEPARATE_LIBRARIES)
def test_a_function_without_a_library_layer_starts_without_the_library(library: str) -> None:
    """A function left without a library's layer must not need the library to start (SDK imports sit where they
    are called); each handler is imported, as Lambda does, in a process where the library cannot be found."""
    modules = [spec.module for spec in resources.FUNCTIONS if library not in spec.libraries]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((str(FUNCTIONS_DIR), str(REPO_ROOT / "layers"))),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    probe = subprocess.run(  # noqa: S603 (this interpreter, a fixed script, module names from faka.resources)
        [sys.executable, "-c", _IMPORT_WITHOUT, library, *modules],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]


@pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
def test_function_environment(synthesized: Synthesized, spec: FunctionSpec) -> None:
    _, props = _function(synthesized, spec)
    env = props["Environment"]["Variables"]
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    api_id, _ = synthesized.one("AWS::ApiGateway::RestApi")
    # A function holds the Secrets Manager id of exactly the secrets it may read (and so resolve).
    secret_ids = {
        env_name(setting): secret for setting, secret in SECRET_ID_SETTINGS.items() if secret in spec.access.secrets
    }
    assert {variable for variable in env if variable.endswith("_SECRET_ID")} == set(secret_ids)
    for variable, secret_name in secret_ids.items():
        secret_id, _ = synthesized.one("AWS::SecretsManager::Secret", Name=secret_name)
        assert env[variable] == {"Ref": secret_id}, variable
    assert env["POWERTOOLS_SERVICE_NAME"] == "faka"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "faka"
    assert env["LOG_LEVEL"] == synthesized.context["logLevel"]
    # Lambda's own segments trace it (TracingConfig Active); the X-Ray SDK is not loaded (faka.observability).
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert env[Env.OPERATOR_TOPIC_ARN] == {"Ref": topic_id}
    assert env[Env.PAYMENT_PROVIDER] == synthesized.context["paymentProvider"]
    assert env[Env.SENDER_EMAIL] == synthesized.context["senderEmail"]
    assert env[Env.DEFAULT_SHOP] == synthesized.context["defaultShop"]
    # Built from the API id, not the stage: a reference to the stage would be a dependency cycle.
    url_parts = env[Env.PUBLIC_BASE_URL]["Fn::Join"][1]
    assert url_parts[0] == "https://"
    assert {"Ref": api_id} in url_parts
    assert url_parts[-1] == "/prod"
    # Values the application reads from Secrets Manager must never be plain environment variables.
    assert not {Env.ADMIN_TOKEN, Env.STRIPE_WEBHOOK_SECRET, Env.SIGNING_SECRET} & set(env)


@pytest.mark.parametrize("spec", resources.QUEUES, ids=lambda spec: spec.name)
def test_queue_feeds_its_consumer_with_partial_batch_failures(synthesized: Synthesized, spec: QueueSpec) -> None:
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=spec.physical_name)
    function_id, _ = _function(synthesized, spec.consumer)
    mappings = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    assert len(mappings) == 1
    (mapping,) = mappings
    assert mapping["FunctionName"] == {"Ref": function_id}
    assert mapping["BatchSize"] == spec.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_function_logs_go_to_their_own_retained_group(synthesized: Synthesized) -> None:
    for spec in resources.FUNCTIONS:
        group_id, group = synthesized.one("AWS::Logs::LogGroup", LogGroupName=f"/aws/lambda/{spec.physical_name}")
        assert group["Properties"]["RetentionInDays"] == 30
        _, props = _function(synthesized, spec)
        assert props["LoggingConfig"] == {"LogGroup": {"Ref": group_id}}
        # Only the own log group, instead of AWSLambdaBasicExecutionRole's account-wide logs:*.
        role = synthesized.template["Resources"][props["Role"]["Fn::GetAtt"][0]]
        assert "ManagedPolicyArns" not in role["Properties"]

"""Lambda functions: runtime, layer, environment, event sources and what each may touch."""

from __future__ import annotations

from typing import Any

import pytest

from faka import resources
from faka.config import SECRET_ID_SETTINGS, Env, env_name
from faka.resources import FunctionSpec, QueueSpec
from infra.constructs.functions import LAYER_DESCRIPTION
from tests.infra.conftest import Synthesized

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


def _faka_layer(synthesized: Synthesized) -> tuple[str, dict]:
    """faka's own layer: CDK's BucketDeployment (the console upload) brings an AWS CLI layer of its own."""
    return synthesized.one("AWS::Lambda::LayerVersion", Description=LAYER_DESCRIPTION)


@pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
def test_function_runtime(synthesized: Synthesized, spec: FunctionSpec) -> None:
    layer_id, _ = _faka_layer(synthesized)
    _, props = _function(synthesized, spec)
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Layers"] == [{"Ref": layer_id}]
    assert props["Handler"] == spec.handler
    assert props["MemorySize"] == spec.memory_mb
    assert props["Timeout"] == spec.timeout_seconds


def test_layer_matches_functions(synthesized: Synthesized) -> None:
    _, layer = _faka_layer(synthesized)
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


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

"""Each function's role holds exactly what its spec declares (FunctionSpec.access), and that covers what its code uses.

Two halves: the synthesized template grants each function its declared tables, secrets, KMS keys, queues, bus,
topic and email and nothing else; and the declaration covers every table and secret the function's code can
reach (tests/infra/code_reach.py), so a new code path cannot silently need a grant nobody declared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faka import resources
from faka.config import Env
from faka.resources import FunctionSpec
from tests.infra.code_reach import reach_of
from tests.infra.conftest import SYNTH_ERROR_FILE, Synthesized, _synthesize, cdk_json_context
from tests.infra.test_functions import _actions, _resources, _statements

pytestmark = pytest.mark.xdist_group(name="infra-synth")

FUNCTIONS = pytest.mark.parametrize("spec", resources.FUNCTIONS, ids=lambda spec: spec.name)
_TABLE_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
_SECRET_READ = "secretsmanager:GetSecretValue"


def _referenced(value: Any) -> Iterator[str]:
    """Logical ids a resource expression points at (``Ref`` or ``Fn::GetAtt``), however deeply nested."""
    if isinstance(value, dict):
        if "Ref" in value:
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        for inner in value.values():
            yield from _referenced(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _referenced(inner)


class Grants:
    """One function's allowed actions, per logical id of the resource they apply to."""

    def __init__(self, synthesized: Synthesized, spec: FunctionSpec) -> None:
        self.on: dict[str, set[str]] = {}
        for statement in _statements(synthesized, spec):
            assert statement["Effect"] == "Allow"
            for resource in _resources(statement):
                for logical_id in _referenced(resource):
                    self.on.setdefault(logical_id, set()).update(_actions(statement))

    def targets(self, logical_ids: dict[str, str], action: str) -> set[str]:
        """The names (values of ``logical_ids``) of the resources ``action`` is allowed on."""
        return {name for logical_id, name in logical_ids.items() if action in self.on.get(logical_id, set())}


def _named(synthesized: Synthesized, resource_type: str, name_property: str) -> dict[str, str]:
    return {
        logical_id: resource["Properties"][name_property]
        for logical_id, resource in synthesized.resources(resource_type).items()
        if name_property in resource["Properties"]
    }


def _kms_keys(synthesized: Synthesized) -> dict[str, str]:
    """Key logical id → alias, for the keys faka seals with."""
    return {
        alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]: alias["Properties"]["AliasName"]
        for alias in synthesized.resources("AWS::KMS::Alias").values()
    }


@FUNCTIONS
def test_a_function_may_touch_exactly_its_declared_tables(synthesized: Synthesized, spec: FunctionSpec) -> None:
    grants = Grants(synthesized, spec)
    tables = _named(synthesized, "AWS::DynamoDB::GlobalTable", "TableName")

    assert grants.targets(tables, "dynamodb:GetItem") == set(spec.access.tables)
    assert grants.targets(tables, "dynamodb:Query") == set(spec.access.tables)
    for action in _TABLE_WRITES:
        assert grants.targets(tables, action) == set(spec.access.writes), action


@FUNCTIONS
def test_a_function_may_read_exactly_its_declared_secrets(synthesized: Synthesized, spec: FunctionSpec) -> None:
    grants = Grants(synthesized, spec)

    secrets = _named(synthesized, "AWS::SecretsManager::Secret", "Name")

    assert grants.targets(secrets, _SECRET_READ) == set(spec.access.secrets)


@FUNCTIONS
def test_a_function_opens_and_seals_with_exactly_its_declared_keys(
    synthesized: Synthesized, spec: FunctionSpec
) -> None:
    grants = Grants(synthesized, spec)
    keys = _kms_keys(synthesized)

    assert grants.targets(keys, "kms:Decrypt") == set(spec.access.opens)
    assert grants.targets(keys, "kms:GenerateDataKey") == set(spec.access.seals)
    assert not {action for key in keys for action in grants.on.get(key, set())} - {"kms:Decrypt", "kms:GenerateDataKey"}


@FUNCTIONS
def test_a_function_sends_publishes_and_emails_only_as_declared(synthesized: Synthesized, spec: FunctionSpec) -> None:
    grants = Grants(synthesized, spec)
    queues = _named(synthesized, "AWS::SQS::Queue", "QueueName")
    bus_id, _ = synthesized.one("AWS::Events::EventBus", Name=resources.EVENT_BUS)
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.OPERATOR_TOPIC)
    declared_queues = {f"{resources.PREFIX}-{name}" for name in spec.access.sends_to}
    if spec is resources.WEBHOOK_DELIVERY_FUNCTION:
        # A delivery whose attempts are spent is parked in the dead-letter queue by the delivery function itself.
        declared_queues.add(resources.WEBHOOK_DELIVERIES_QUEUE.dlq_physical_name)
    # A stream's records that keep failing are sent on by Lambda, with its consumer's role.
    declared_queues |= {stream.dlq_physical_name for stream in resources.STREAMS if stream.consumer is spec}

    assert grants.targets(queues, "sqs:SendMessage") == declared_queues
    assert ("events:PutEvents" in grants.on.get(bus_id, set())) == spec.access.publishes_events
    assert ("sns:Publish" in grants.on.get(topic_id, set())) == spec.access.alerts_operators
    emails = any("ses:SendEmail" in _actions(s) for s in _statements(synthesized, spec))
    assert emails == spec.access.sends_email


@pytest.mark.parametrize(
    "spec", [resources.WEBHOOK_FANOUT_FUNCTION, resources.WEBHOOK_DELIVERY_FUNCTION], ids=lambda spec: spec.name
)
def test_the_functions_calling_operator_chosen_urls_can_never_reach_a_card_key(
    synthesized: Synthesized, spec: FunctionSpec
) -> None:
    grants = Grants(synthesized, spec)
    tables = _named(synthesized, "AWS::DynamoDB::GlobalTable", "TableName")
    card_key = next(key for key, alias in _kms_keys(synthesized).items() if alias == resources.KMS_KEY_ALIAS)

    assert not grants.on.get(card_key)
    assert not {resources.KEYS_TABLE, resources.ORDERS_TABLE} & grants.targets(tables, "dynamodb:GetItem")
    assert not grants.targets(_named(synthesized, "AWS::SecretsManager::Secret", "Name"), _SECRET_READ)


def test_every_declared_queue_exists() -> None:
    queues = {queue.name for queue in resources.QUEUES}
    for spec in resources.FUNCTIONS:
        assert set(spec.access.sends_to) <= queues, spec.name


@FUNCTIONS
def test_the_declared_tables_are_those_the_code_reaches(spec: FunctionSpec) -> None:
    """Every table the function's code can touch is granted, and no table its code never names."""
    assert set(spec.access.tables) == reach_of(spec).tables


# Secrets a service reads when it first uses them rather than when it is built: a function reaching the service
# needs the secret only if its paths use it, which the spec decides.
_READ_ON_FIRST_USE = {
    # faka.shared.links: signing or verifying a buyer link (delivery emails, reminders, CSAT, the link pages).
    resources.LINK_SIGNING_SECRET,
}


@FUNCTIONS
def test_the_declared_secrets_are_those_the_code_resolves(spec: FunctionSpec) -> None:
    """Most secrets are resolved when a service is built, so every secret a reached service names is needed."""
    reached = reach_of(spec).secrets
    assert set(spec.access.secrets) <= reached
    assert reached - set(spec.access.secrets) <= _READ_ON_FIRST_USE


@FUNCTIONS
def test_a_function_holds_only_keys_its_code_names(spec: FunctionSpec) -> None:
    """Which reached keys are really used (sealing, opening, or neither) is the spec's reasoned choice."""
    assert set(spec.access.opens) | set(spec.access.seals) <= reach_of(spec).kms_keys


def _reaches(spec: FunctionSpec, definition: str) -> bool:
    return definition in reach_of(spec).definitions


@FUNCTIONS
def test_events_alerts_and_queue_sends_are_declared_where_the_code_reaches_them(spec: FunctionSpec) -> None:
    access = spec.access
    assert access.publishes_events == ("events" in reach_of(spec).services)
    assert access.alerts_operators == _reaches(spec, "faka.adapters.messaging.SnsOperatorAlerts")
    queue_senders = {
        "faka.adapters.messaging.SqsNoticeQueue": resources.NOTIFIER_QUEUE.name,
        "faka.adapters.webhooks.SqsDeliveryQueue": resources.WEBHOOK_DELIVERIES_QUEUE.name,
    }
    assert set(access.sends_to) == {queue for sender, queue in queue_senders.items() if _reaches(spec, sender)}


@FUNCTIONS
def test_email_and_refund_reviews_are_granted_only_where_the_code_reaches_them(spec: FunctionSpec) -> None:
    """Reaching is not using: a ticket case (Tickets.open_once) neither emails nor asks a refund."""
    assert not spec.access.sends_email or _reaches(spec, "faka.adapters.messaging.SesMailer")
    assert not spec.access.starts_refund_reviews or _reaches(spec, "faka.money.refund_review.ReviewWorkflow")


@FUNCTIONS
def test_a_function_creates_escalation_schedules_and_passes_their_role_only_as_declared(
    synthesized: Synthesized, spec: FunctionSpec
) -> None:
    grants = Grants(synthesized, spec)
    roles = _named(synthesized, "AWS::IAM::Role", "Description")
    statements = _statements(synthesized, spec)
    creates = [statement for statement in statements if "scheduler:CreateSchedule" in _actions(statement)]
    passed = grants.targets(roles, "iam:PassRole")

    if spec.access.schedules_escalations:
        [create] = creates
        assert _actions(create) == {"scheduler:CreateSchedule"}
        [schedules] = _resources(create)
        assert f":schedule/{resources.ACTIVATION_DUE_SCHEDULE_GROUP}/*" in str(schedules)
        assert len(passed) == 1
    else:
        assert creates == []
        assert passed == set()
    assert spec.access.schedules_escalations == _reaches(spec, "faka.activation.one_time.OneTimeSchedules")


# -- reply drafts: a model on Amazon Bedrock, only where a deployment turns drafts on --------------------------------

DRAFT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def drafting(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from aws_cdk.assertions import Template

    outdir = tmp_path_factory.mktemp("cdk.out.drafts")
    context = {**cdk_json_context(), "replyDrafts": "bedrock", "replyDraftModel": DRAFT_MODEL}
    _synthesize(outdir, tmp_path_factory.mktemp("layer"), context)
    assert not (outdir / SYNTH_ERROR_FILE).exists(), (outdir / SYNTH_ERROR_FILE).read_text(encoding="utf-8")
    path = outdir / "FakaStack.template.json"
    template = json.loads(path.read_text(encoding="utf-8"))
    return Synthesized(outdir, Template.from_json(template), template, path, {}, {})


def _model_grants(synthesized: Synthesized, spec: FunctionSpec) -> list[tuple[set[str], list[Any]]]:
    return [
        (_actions(statement), _resources(statement))
        for statement in _statements(synthesized, spec)
        if any(action.startswith("bedrock:") for action in _actions(statement))
    ]


def _environment(synthesized: Synthesized, spec: FunctionSpec) -> dict[str, Any]:
    _, function = synthesized.one("AWS::Lambda::Function", FunctionName=spec.physical_name)
    return dict(function["Properties"]["Environment"]["Variables"])


# The queues the one-time schedules send to, each named by a variable only the wiring service that makes those
# schedules reads (faka.wiring: escalation, orders' first levels; held_reminders, reminders held past quiet hours).
_DUE_QUEUE_READERS = {Env.ACTIVATION_DUE_QUEUE_ARN: "escalation", Env.REMINDER_DUE_QUEUE_ARN: "held_reminders"}


@FUNCTIONS
def test_a_function_is_told_a_schedules_queue_only_where_its_code_makes_those_schedules(
    synthesized: Synthesized, spec: FunctionSpec
) -> None:
    """A queue's ARN in the environment of code that never sends there is configuration least privilege forgot."""
    environment = _environment(synthesized, spec)
    for variable, service in _DUE_QUEUE_READERS.items():
        assert (variable in environment) == (service in reach_of(spec).services), variable


@FUNCTIONS
def test_with_reply_drafts_off_no_function_may_call_a_model(synthesized: Synthesized, spec: FunctionSpec) -> None:
    assert _model_grants(synthesized, spec) == []
    assert Env.REPLY_DRAFTS not in _environment(synthesized, spec)


@FUNCTIONS
def test_with_reply_drafts_on_only_the_drafting_function_may_invoke_and_only_its_model(
    drafting: Synthesized, spec: FunctionSpec
) -> None:
    grants = _model_grants(drafting, spec)
    environment = _environment(drafting, spec)

    if not spec.access.drafts_replies:
        assert grants == []
        assert Env.REPLY_DRAFTS not in environment
        return
    [(actions, [model])] = grants
    assert actions == {"bedrock:InvokeModel"}
    assert "*" not in json.dumps(model)
    assert model["Fn::Join"][1][-1] == f"::foundation-model/{DRAFT_MODEL}"
    assert (environment[Env.REPLY_DRAFTS], environment[Env.REPLY_DRAFT_MODEL]) == ("bedrock", DRAFT_MODEL)


@FUNCTIONS
def test_reply_drafts_are_declared_where_the_code_reaches_a_model(spec: FunctionSpec) -> None:
    assert spec.access.drafts_replies == _reaches(spec, "faka.adapters.bedrock.BedrockConverse")

"""SES event publishing: the configuration set's events reach the mail-events queue through an encrypted topic."""

from __future__ import annotations

from typing import Any

import pytest

from faka import resources
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_the_configuration_set_publishes_every_event_faka_records_to_the_topic(synthesized: Synthesized) -> None:
    set_id, _ = synthesized.one("AWS::SES::ConfigurationSet", Name=resources.MAIL_CONFIGURATION_SET)
    topic_id, topic = synthesized.one("AWS::SNS::Topic", TopicName=resources.MAIL_EVENTS_TOPIC)
    _, destination = synthesized.one("AWS::SES::ConfigurationSetEventDestination")

    props = destination["Properties"]
    assert props["ConfigurationSetName"] == {"Ref": set_id}
    assert props["EventDestination"]["SnsDestination"] == {"TopicARN": {"Ref": topic_id}}
    assert props["EventDestination"]["Enabled"] is True
    assert sorted(props["EventDestination"]["MatchingEventTypes"]) == sorted(
        kind.lower() for kind in resources.MAIL_EVENT_TYPES
    )
    assert "KmsMasterKeyId" in topic["Properties"]


def test_only_ses_for_this_set_may_publish_and_the_queue_gets_the_raw_event(synthesized: Synthesized) -> None:
    set_id, _ = synthesized.one("AWS::SES::ConfigurationSet", Name=resources.MAIL_CONFIGURATION_SET)
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=resources.MAIL_EVENTS_TOPIC)
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.MAIL_EVENTS_QUEUE.physical_name)
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.MAIL_EVENTS_QUEUE.dlq_physical_name)

    _, subscription = synthesized.one("AWS::SNS::Subscription", TopicArn={"Ref": topic_id})
    assert subscription["Properties"]["Protocol"] == "sqs"
    assert subscription["Properties"]["Endpoint"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert subscription["Properties"]["RawMessageDelivery"] is True
    assert subscription["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}}

    topic_policies = [
        p
        for p in synthesized.resources("AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in p["Properties"]["Topics"]
    ]
    ses_publish = [
        s
        for p in topic_policies
        for s in _statements(p)
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "ses.amazonaws.com"}
    ]
    assert len(ses_publish) == 1
    assert ses_publish[0]["Action"] == "sns:Publish"
    only_from = ses_publish[0]["Condition"]["StringEquals"]
    assert only_from["AWS:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert {"Ref": set_id} in only_from["AWS:SourceArn"]["Fn::Join"][1]


def test_the_mail_events_function_drains_the_queue(synthesized: Synthesized) -> None:
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=resources.MAIL_EVENTS_QUEUE.physical_name)
    function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=resources.MAIL_EVENTS_FUNCTION.physical_name)

    _, mapping = synthesized.one("AWS::Lambda::EventSourceMapping", EventSourceArn={"Fn::GetAtt": [queue_id, "Arn"]})
    assert mapping["Properties"]["FunctionName"] == {"Ref": function_id}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

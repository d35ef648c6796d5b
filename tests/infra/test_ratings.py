"""The ratings table's stream: the consumer's event-source mapping, its dead-letter queue and alarm."""

from __future__ import annotations

from faka import resources
from tests.infra.conftest import Synthesized

STREAM = resources.RATINGS_STREAM


def test_the_ratings_table_streams_new_images(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.RATINGS_TABLE)

    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}


def test_the_consumer_reads_inserts_bisecting_and_dead_lettering_failures(synthesized: Synthesized) -> None:
    table_id, _ = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.RATINGS_TABLE)
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=STREAM.dlq_physical_name)
    [mapping] = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    ]
    function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=STREAM.consumer.physical_name)

    assert mapping["FunctionName"] == {"Ref": function_id}
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumRetryAttempts"] == STREAM.max_retries
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName":["INSERT"]}'}]}


def test_anything_dead_lettered_alarms_the_operators(synthesized: Synthesized) -> None:
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=STREAM.dlq_physical_name)
    alarms = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]

    assert len(alarms) == 1
    assert alarms[0]["Threshold"] == 0

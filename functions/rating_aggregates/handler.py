"""The ratings table's stream: each new rating is counted once into its product's and shop's figures,
low scores are followed up, ``OrderRated`` is published and the platform's recommendations kept current.

A record that fails is reported alone (Powertools batch); Lambda retries it, bisecting the batch, and
finally sends it to the stream's dead-letter queue.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBRecordEventName

from faka.adapters.tables.ratings import RatingItem
from faka.consumers import stream_consumer
from faka.insight.ratings import Rating
from faka.wiring import services


def record_handler(record: DynamoDBRecord) -> None:
    # Ratings are written once and never changed; only their insertion means anything.
    if record.event_name is not DynamoDBRecordEventName.INSERT:
        return
    item = RatingItem.from_raw_data(record.raw_event["dynamodb"]["NewImage"])
    services().ratings.tally(Rating.from_item(item))


lambda_handler = stream_consumer(record_handler)

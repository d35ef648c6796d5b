"""A large export is written to the export bucket and answered with a presigned link to it, against moto."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import pytest

from faka import resources
from faka.config import get_settings
from faka.sales.order_search import EXPORT_COLUMNS
from faka.wiring import services
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import open_shop
from tests.integration.test_admin_orders import _seed

NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def small_inline_limit(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    # Anything over a header and a row or two goes to the bucket.
    monkeypatch.setenv("FAKA_EXPORT_INLINE_BYTES", "400")
    get_settings.cache_clear()
    services.cache_clear()
    open_shop(stack)
    return stack


def test_a_large_export_is_a_presigned_link_to_the_whole_csv_in_the_export_bucket(small_inline_limit: Stack) -> None:
    stack = small_inline_limit
    ids = _seed("main", 40)

    answer = stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query=NOVEMBER)

    assert answer.status == 200, answer.body
    assert set(answer.body) == {"url", "expires_in", "size", "filename"}
    assert answer.body["filename"] == "orders-main.csv"
    url = urlsplit(answer.body["url"])
    query = parse_qs(url.query)
    assert "X-Amz-Signature" in query or "Signature" in query
    assert 0 < answer.body["expires_in"] <= 3600
    bucket, _, key = unquote(url.path).lstrip("/").partition("/")
    if bucket != resources.EXPORTS_BUCKET.physical_name:  # virtual-hosted style: the bucket is in the host name
        bucket, key = url.hostname.split(".")[0], unquote(url.path).lstrip("/")  # type: ignore[union-attr]
    assert bucket == resources.EXPORTS_BUCKET.physical_name
    assert key.startswith("main/")
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=key)
    assert stored["ContentDisposition"] == 'attachment; filename="orders-main.csv"'
    text = stored["Body"].read().decode()
    assert len(text.encode()) == answer.body["size"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert sorted(r[0] for r in rows[1:]) == sorted(ids)


def test_a_small_export_is_still_the_csv_itself(small_inline_limit: Stack) -> None:
    stack = small_inline_limit
    answer = stack.api("GET", "/v1/admin/orders/export", headers=ADMIN, query="from=2020-01-01&to=2020-01-31")

    assert answer.body == ",".join(EXPORT_COLUMNS) + "\r\n"


def test_the_export_bucket_forgets_each_export_after_its_lifecycle(stack: Stack) -> None:
    rules = boto3.client("s3").get_bucket_lifecycle_configuration(Bucket=resources.EXPORTS_BUCKET.physical_name)
    assert [rule["Expiration"]["Days"] for rule in rules["Rules"]] == [resources.EXPORTS_BUCKET.expiration_days]

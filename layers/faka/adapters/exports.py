"""The S3 adapter for order exports too large to answer inline: written once, fetched through a presigned URL."""

from __future__ import annotations

from typing import Any

from faka.sales.order_search import ExportStore

# Long enough to start the download from the console or the CLI, short enough that a leaked link soon stops working.
URL_SECONDS = 900


class S3ExportStore(ExportStore):
    def __init__(self, s3_client: Any, bucket: str) -> None:
        self._s3 = s3_client
        self._bucket = bucket

    def publish(self, key: str, body: bytes, filename: str) -> tuple[str, int]:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType="text/csv; charset=utf-8",
            ContentDisposition=f'attachment; filename="{filename}"',
        )
        url = self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=URL_SECONDS
        )
        return str(url), URL_SECONDS

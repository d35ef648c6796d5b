"""API Gateway REST proxy events, built the way API Gateway builds them for the api function."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

# API Gateway's payload quota: a larger request never reaches the function (413).
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


def rest_event(
    method: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    raw = body.encode() if isinstance(body, str) else body
    try:
        text: str | None = raw.decode() if raw is not None else None
        encoded = False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(raw or b"").decode(), True
    pairs = parse_qsl(query, keep_blank_values=True)
    header_map = dict(headers or {})
    now = datetime.now(UTC)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method.upper(),
        "headers": header_map,
        "multiValueHeaders": {k: [v] for k, v in header_map.items()},
        "queryStringParameters": dict(pairs) or None,
        "multiValueQueryStringParameters": {k: [v for kk, v in pairs if kk == k] for k, _ in pairs} or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method.upper(),
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "accountId": "123456789012",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": source_ip, "userAgent": header_map.get("User-Agent", "")},
        },
        "body": text,
        "isBase64Encoded": encoded,
    }

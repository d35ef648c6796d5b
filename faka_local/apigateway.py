"""API Gateway proxy events, built the way API Gateway builds them for the function serving their path.

REST APIs send payload format 1.0 (``rest_event``); HTTP APIs and function URLs send 2.0 (``http_api_event``).
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from faka import resources

# API Gateway's payload quota: a larger request never reaches the function (413).
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


def _body(body: bytes | str | None) -> tuple[str | None, bool]:
    """The event's body and isBase64Encoded: text when it is UTF-8, else base64."""
    raw = body.encode() if isinstance(body, str) else body
    if raw is None:
        return None, False
    try:
        return raw.decode(), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), True


def rest_event(
    method: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    text, encoded = _body(body)
    pairs = parse_qsl(query, keep_blank_values=True)
    header_map = dict(headers or {})
    now = datetime.now(UTC)
    # The {proxy+} resource that matched: a route's own under its prefix (resources.API_ROUTES), else the root's.
    route = next((route for route in resources.API_ROUTES if path.startswith(route.prefix)), None)
    resource, proxy = (route.resource_path, path.removeprefix(route.prefix)) if route else ("/{proxy+}", path[1:])
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": header_map,
        "multiValueHeaders": {k: [v] for k, v in header_map.items()},
        "queryStringParameters": dict(pairs) or None,
        "multiValueQueryStringParameters": {k: [v for kk, v in pairs if kk == k] for k, _ in pairs} or None,
        "pathParameters": {"proxy": proxy},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
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


def http_api_event(
    method: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """Payload format 2.0: header names lower-cased, a repeated query key's values joined with commas."""
    text, encoded = _body(body)
    joined: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    header_map = {name.lower(): value for name, value in (headers or {}).items()}
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_map,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "local.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "local",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": header_map.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    # Absent, not null, when there is none: as API Gateway sends them.
    if joined:
        event["queryStringParameters"] = joined
    if text is not None:
        event["body"] = text
    return event

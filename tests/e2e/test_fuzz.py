"""Schema-driven fuzzing of the running API: whatever a client sends, faka answers without a 5xx.

Each operation of the served OpenAPI document gets a bounded, derandomized run of valid and invalid
requests. (schemathesis' pytest loader ``from_fixture`` cannot be used: with pytest 9.2 it fails on
``request.node._nodeid``; the strategies it would build are used directly instead.)
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka

pytestmark = pytest.mark.e2e

FUZZ_SHOP = "fuzz"
# As the platform operator, in a shop of its own: the fuzzer reaches past authorization into every
# route, and what it creates never shows up in the demo shops other tests read.
FUZZ_HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Faka-Shop": FUZZ_SHOP}
EXAMPLES_PER_OPERATION = 25
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    # No shrinking: a failure is reported with the request that caused it, and the run stays short.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def api_schema(local_faka: LocalFaka) -> schemathesis.BaseSchema:
    opened = local_faka.post(
        "/v1/admin/shops",
        json={"shop_id": FUZZ_SHOP, "name": "Fuzz", "support_email": "fuzz@example.com"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert opened.status_code == 201, opened.text
    product = {
        "sku": "fuzz-card",
        "name": "Fuzz card",
        "price": 500,
        "currency": "usd",
        "region": "US",
        "platform": "steam",
    }
    assert local_faka.post("/v1/admin/products", json=product, headers=FUZZ_HEADERS).status_code == 201
    return schemathesis.openapi.from_url(f"{local_faka.api_url}/v1/openapi.json")


def test_no_request_makes_the_api_fail(
    api_schema: schemathesis.BaseSchema, local_faka: LocalFaka, subtests: pytest.Subtests
) -> None:
    operations = []
    for result in api_schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    assert operations

    for operation in operations:
        requests = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @FUZZ_SETTINGS
        @given(case=requests)
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=local_faka.api_url, headers=FUZZ_HEADERS, checks=[not_a_server_error])

        with subtests.test(operation=operation.label):
            fuzz()


MALFORMED_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"\xff\xfe\x00",
    b"[" * 100_000,
    b'{"a": ' * 5_000,
    b"1" * 5_000,
    b'{"a": NaN}',
    b"a=1&a=2&score=%C2%B2",
    b"code\n" + b"X" * 131_073,
    b'{"sku": "' + b"x" * 300_000 + b'"}',
]
CONTENT_TYPES = [
    None,
    "application/json",
    "text/plain",
    "text/csv",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/xml",
]


def test_malformed_bodies_never_make_the_api_fail(api_schema: schemathesis.BaseSchema, local_faka: LocalFaka) -> None:
    """Bodies no schema describes (invalid UTF-8, deep nesting, NaN, oversize fields), under any content type and
    with repeated query keys, through the local gateway: a 4xx in the error shape, never a 5xx."""
    routes = [
        (result.ok().method.upper(), re.sub(r"\{[^}]+\}", "x", result.ok().path))
        for result in api_schema.get_all_operations()
    ]

    @FUZZ_SETTINGS
    @given(
        route=st.sampled_from(routes),
        body=st.sampled_from(MALFORMED_BODIES),
        content_type=st.sampled_from(CONTENT_TYPES),
        repeated=st.booleans(),
    )
    def send(route: tuple[str, str], body: bytes, content_type: str | None, repeated: bool) -> None:
        method, path = route
        headers = {**FUZZ_HEADERS, **({"Content-Type": content_type} if content_type else {})}
        params = [("limit", "1"), ("limit", "x"), ("cursor", "")] if repeated else []
        response = local_faka.http.request(
            method, local_faka.api_url + path, data=body, headers=headers, params=params, timeout=30
        )
        assert response.status_code < 500, (method, path, content_type, response.text[:300])
        if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
            problem = response.json()
            assert problem["code"]
            assert problem["message"]

    send()


def _raw_exchange(local_faka: LocalFaka, head: bytes) -> bytes:
    """What the local gateway answers to a request written byte for byte (the framing requests would fix)."""
    parts = urlsplit(local_faka.api_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (b"Content-Length: 10485761\r\n", b"413"),
        (b"Content-Length: many\r\n", b"400"),
        (b"Transfer-Encoding: chunked\r\n", b"411"),
    ],
    ids=["over-api-gateways-quota", "not-a-length", "chunked"],
)
def test_the_local_gateway_refuses_what_api_gateway_refuses(
    local_faka: LocalFaka, header: bytes, status: bytes
) -> None:
    answer = _raw_exchange(
        local_faka, b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + header + b"\r\n"
    )
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == status, answer[:300]
    assert b'"code"' in rest

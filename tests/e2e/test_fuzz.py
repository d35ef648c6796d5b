"""Schema-driven fuzzing of the running API: whatever a client sends, faka answers without a 5xx.

Each operation of the served OpenAPI document gets a bounded, derandomized run of valid and invalid
requests. (schemathesis' pytest loader ``from_fixture`` cannot be used: with pytest 9.2 it fails on
``request.node._nodeid``; the strategies it would build are used directly instead.)
"""

from __future__ import annotations

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

"""``faka local`` plays SES's mailbox simulator: every delivery email's fate reaches the evidence pack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _email_events(local_faka: LocalFaka, order: dict[str, Any]) -> list[str]:
    evidence = local_faka.get(f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).json()
    return [event["type"] for event in evidence["delivery"]["email_events"]]


@pytest.mark.parametrize(
    ("email", "events"),
    [("buyer@example.com", ["Send", "Delivery"]), ("bounce@simulator.amazonses.com", ["Send", "Bounce"])],
)
def test_the_delivery_emails_events_reach_the_evidence_pack(
    local_faka: LocalFaka, email: str, events: list[str]
) -> None:
    order = place_order(local_faka, email, headers={"X-Faka-Device": "e2e-device-0001"})
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200

    eventually(lambda: _email_events(local_faka, order) == events, f"{events} recorded for {email}")
    evidence = local_faka.get(f"/v1/admin/orders/{order['order_id']}/evidence", headers=ADMIN).json()
    assert evidence["order"]["device_id"] == "e2e-device-0001"

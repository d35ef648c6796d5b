"""The activation escalation on `faka local`: the real ASL on the emulator, levels at 3/6/9 s."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, LocalFaka
from tests.e2e.test_local_runtime import eventually, place_order

pytestmark = pytest.mark.e2e

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def buy(local_faka: LocalFaka) -> tuple[str, str]:
    email = f"escalation-{uuid.uuid4().hex[:8]}@example.com"
    order = place_order(local_faka, email)
    assert local_faka.post(f"/_local/pay/{order['order_id']}").status_code == 200
    return order["order_id"], email


def mail_to(local_faka: LocalFaka, email: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = local_faka.get("/_local/outbox").json()["messages"]
    return [m for m in messages if m["to"] == email]


def test_an_unactivated_purchase_gets_three_reminders_and_a_person(local_faka: LocalFaka) -> None:
    order_id, email = buy(local_faka)

    mails = eventually(lambda: (m := mail_to(local_faka, email)) and len(m) >= 4 and m, "three reminders", timeout=40)

    assert len(mails) == 4
    reminders = mails[1:]
    assert "Reminder" in reminders[0]["subject"]
    assert "Still not activated" in reminders[1]["subject"]
    assert "team" in reminders[2]["subject"]
    tickets = local_faka.get("/v1/admin/tickets", headers=ADMIN).json()["tickets"]
    assert [t["intent"] for t in tickets if t["order_id"] == order_id] == ["activation_help"]
    alerts = local_faka.get("/_local/operator-alerts").json()["alerts"]
    assert any(order_id in alert["message"] for alert in alerts)


def test_an_activated_purchase_gets_no_reminder(local_faka: LocalFaka) -> None:
    _, email = buy(local_faka)
    [delivery] = eventually(lambda: mail_to(local_faka, email), "the delivery email")
    worked = re.search(r"(http://\S+/v1/links/worked\?\S+)", delivery["text"])
    assert worked, delivery["text"]
    assert local_faka.http.get(worked.group(1), timeout=30).status_code == 200  # the page asks
    assert local_faka.http.post(worked.group(1), timeout=30).status_code == 200  # the buyer confirms
    # On a busy machine the first level (3 s after delivery) may come before the buyer's confirmation does.
    before = len(mail_to(local_faka, email))

    time.sleep(12)  # past all three levels (3/6/9 s)
    assert len(mail_to(local_faka, email)) == before
    report = local_faka.get("/v1/admin/reports/activation", headers=ADMIN).json()
    assert report["keys_activated"] >= 1

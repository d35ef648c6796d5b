"""A reply draft masks up to MAX_MESSAGES messages and the model's answer about one order: it reads that order once,
not once per text (requests counted as moto answers them)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from faka import resources
from faka.support.drafts import MAX_MESSAGES
from faka_local.bedrock_standin import BedrockStandIn
from tests.integration.aws_requests import aws_requests
from tests.integration.conftest import ADMIN, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order
from tests.integration.test_reply_drafts import CODE, drafts_on, handed_to_a_person


@pytest.fixture
def standin_url() -> Iterator[str]:
    with BedrockStandIn().serve() as url:
        yield url


def test_a_draft_of_a_long_thread_reads_its_order_once(
    stack: Stack, standin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_shop(stack)
    add_product(stack, keys=[CODE])
    order = place_order(stack)
    assert pay(stack, order["order_id"], order["amount"]).body["result"] == "delivered"
    stack.deliver_events()
    drafts_on(monkeypatch, standin_url, send_at="off")
    ticket_id = handed_to_a_person(stack, order, "How do I redeem a Steam gift card on my account?")
    for n in range(MAX_MESSAGES):
        reply = {"agent": "alice", "message": f"Step {n}"}
        said = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reply", reply, ADMIN)
        assert said.status == 200, said.body
    case = stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).body
    assert len(case["messages"]) > MAX_MESSAGES

    with aws_requests() as made:
        drafted = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/draft", {"agent": "alice"}, ADMIN)

    assert drafted.status == 201, drafted.body
    order_reads = [r for r in made if r.reads(resources.ORDERS_TABLE) and order["order_id"] in json.dumps(r.params)]
    assert len(order_reads) == 1, [r.operation for r in order_reads]

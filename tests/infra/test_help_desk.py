"""HelpDesk: the tickets table's queue and SLA indexes, the SLA sweep schedule, and the API's right to email buyers."""

from __future__ import annotations

import pytest

from faka import resources
from faka.adapters.tables.tickets import TicketItem
from tests.infra.conftest import Synthesized
from tests.infra.test_functions import _actions, _function, _statements

pytestmark = pytest.mark.xdist_group(name="infra-synth")


@pytest.mark.parametrize(
    ("index", "keys"),
    [(TicketItem.queue, ["shop_id", "queue_key"]), (TicketItem.sla_due, ["sla_clock", "sla_due_at"])],
    ids=["queue", "sla_due"],
)
def test_tickets_table_has_the_sparse_desk_indexes(synthesized: Synthesized, index: type, keys: list[str]) -> None:
    _, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.TICKETS_TABLE)
    (found,) = [i for i in table["Properties"]["GlobalSecondaryIndexes"] if i["IndexName"] == index.Meta.index_name]
    assert [key["AttributeName"] for key in found["KeySchema"]] == keys


def test_the_sla_sweep_runs_every_minute(synthesized: Synthesized) -> None:
    _, schedule = synthesized.one("AWS::Scheduler::Schedule", Name=resources.TICKET_SLA_SCHEDULE.physical_name)
    function_id, _ = _function(synthesized, resources.TICKET_SLA_FUNCTION)
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(1 minute)"
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_the_api_may_email_buyers(synthesized: Synthesized) -> None:
    assert any("ses:SendEmail" in _actions(s) for s in _statements(synthesized, resources.API_FUNCTION))

"""The ledger's table and the rule that feeds it, as synthesized."""

from __future__ import annotations

import pytest

from faka import resources
from faka.ledger.entries import LEDGER_EVENTS
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group(name="infra-synth")


def test_the_ledger_table_is_retained_and_protected_like_every_record_of_money(synthesized: Synthesized) -> None:
    logical_id, table = synthesized.one("AWS::DynamoDB::GlobalTable", TableName=resources.LEDGER_TABLE)

    assert table["DeletionPolicy"] == "Retain", logical_id
    (replica,) = table["Properties"]["Replicas"]
    assert replica["DeletionProtectionEnabled"] is True
    assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_every_event_the_ledger_enters_reaches_its_consumer(synthesized: Synthesized) -> None:
    _, rule = synthesized.one("AWS::Events::Rule", Name=resources.KPIS_RULE.physical_name)

    assert set(LEDGER_EVENTS) <= set(rule["Properties"]["EventPattern"]["detail-type"])
    writers = {spec.name for spec in resources.FUNCTIONS if resources.LEDGER_TABLE in spec.access.writes}
    assert writers == {resources.API_FUNCTION.name, resources.KPIS_FUNCTION.name}

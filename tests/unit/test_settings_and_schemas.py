from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from faka.config import Env, Settings, env_name, get_settings

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "events" / "schemas").glob("*.json"))


def test_every_environment_variable_is_a_setting_and_back() -> None:
    declared = {value for name, value in vars(Env).items() if name.isupper()}
    assert declared == {env_name(field.name) for field in dataclasses.fields(Settings)}


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings read again from the environment this test sets, and again after it for the next test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_settings_from_the_environment_take_their_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(Env.MAX_QUANTITY, "50")
    monkeypatch.setenv(Env.WEBHOOK_ALLOW_LOOPBACK, "TRUE")
    monkeypatch.setenv(Env.TEMPLATES_DIR, "/srv/templates")
    monkeypatch.setenv(Env.QUIET_HOURS, "off")
    monkeypatch.setenv(Env.PAYMENT_PROVIDER, "sandbox")
    settings = get_settings()
    assert (settings.max_quantity, settings.webhook_allow_loopback, settings.templates_dir) == (
        50,
        True,
        Path("/srv/templates"),
    )
    assert (settings.quiet_hours, settings.payment_provider) == ("off", "sandbox")


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (Env.MAX_QUANTITY, "51"),
        (Env.ORDER_TTL_MINUTES, "0"),
        (Env.ORDER_TTL_MINUTES, "thirty"),
        (Env.RECONCILE_AFTER_SECONDS, "-1"),
        (Env.QUIET_HOURS, "24-08"),
        (Env.ESCALATION_SECONDS, "86400,172800"),
        (Env.REPLY_DRAFT_SEND_AT, "1.5"),
        (Env.PAYMENT_PROVIDER, "paypal"),
        (Env.WEBHOOK_ALLOW_LOOPBACK, "maybe"),
    ],
)
def test_a_misconfigured_setting_fails_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=f"{variable}='?{value}"):
        get_settings()


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_each_event_schema_is_valid_and_closed(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == path.stem
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"code": "AAAA-BBBB"}, schema)

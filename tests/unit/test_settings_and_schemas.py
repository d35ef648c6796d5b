from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from faka.config import Env, Settings, env_name

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "events" / "schemas").glob("*.json"))


def test_every_environment_variable_is_a_setting_and_back() -> None:
    declared = {value for name, value in vars(Env).items() if name.isupper()}
    assert declared == {env_name(field) for field in Settings.model_fields}


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_each_event_schema_is_valid_and_closed(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == path.stem
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"code": "AAAA-BBBB"}, schema)

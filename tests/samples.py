"""The sample events under ``events/samples``: real AWS shapes, shared by every test that replays one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "samples"


def load_sample(name: str, **placeholders: str) -> dict[str, Any]:
    """The sample ``name``.json with each ``PLACEHOLDER`` (upper-case key) replaced by its value."""
    text = (SAMPLES / f"{name}.json").read_text()
    for key, value in placeholders.items():
        text = text.replace(key.upper(), value)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def sqs_batch_of(*events: dict[str, Any]) -> dict[str, Any]:
    """The SQS batch sample holding each event (as EventBridge's SQS target delivers it), one record each."""
    template = load_sample("sqs_notifier_batch")["Records"][0]
    return {
        "Records": [
            {**template, "messageId": f"{n:08d}-0000-4000-8000-000000000000", "body": json.dumps(event)}
            for n, event in enumerate(events)
        ]
    }

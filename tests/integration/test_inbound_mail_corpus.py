"""Public MIME test mails (data/mime/SOURCES.md lists them) replayed through the inbound-email function.

Mail no person wrote is recorded under its kind and never answered (answering an auto-reply is how two
robots mail each other forever); a buyer's mail opens one ticket and gets one reply however often it is
delivered; no reply header carries a line break; no mail fails its record.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faka import resources
from tests.integration.conftest import Stack
from tests.integration.helpers import sent_mail
from tests.integration.inbound_helpers import deliver, store, tickets

REPO = Path(__file__).resolve().parents[2]
# Other repositories' mails are data the steering repository holds, never committed here (data/mime/SOURCES.md).
CORPUS = Path(os.environ.get("FAKA_MIME_CORPUS") or REPO.parent / "shared" / "datasets" / "mime")
MAILS = sorted(CORPUS.glob("*/*.eml"))
pytestmark = pytest.mark.skipif(not MAILS, reason=f"the public MIME corpus is not at {CORPUS} (data/mime/SOURCES.md)")
BUYERS = [path for path in MAILS if path.parent.name == "buyer"]
UNANSWERED = [path for path in MAILS if path.parent.name != "buyer"]


def named(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def ignored(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.__dict__["kind"], r.__dict__["key"]) for r in caplog.records if r.getMessage() == "ignored inbound mail"]


def test_the_corpus_holds_every_kind_of_mail() -> None:
    assert {path.parent.name for path in MAILS} == {
        "auto_reply",
        "bounce",
        "buyer",
        "complaint",
        "empty",
        "list",
        "read_receipt",
    }
    assert len(MAILS) >= 40
    listed = (REPO / "data" / "mime" / "SOURCES.md").read_text()
    assert all(f"`{path.parent.name}/{path.name}`" in listed for path in MAILS)


@pytest.mark.parametrize("path", UNANSWERED, ids=named)
def test_mail_no_person_wrote_is_recorded_by_kind_and_never_answered(
    stack: Stack, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = store(path.read_bytes())

    assert deliver(name) == {"batchItemFailures": []}

    assert tickets() == []
    assert sent_mail() == []
    assert ignored(caplog) == [(path.parent.name, f"{resources.INBOUND_MAIL_PREFIX}{name}")]


@pytest.mark.parametrize("path", BUYERS, ids=named)
def test_a_buyers_mail_opens_one_ticket_and_gets_one_reply_however_often_it_arrives(stack: Stack, path: Path) -> None:
    raw = path.read_bytes()
    first = store(raw)

    # SQS redelivers the notification; SES may store a second copy of the same message.
    for name in (first, first, store(raw)):
        assert deliver(name) == {"batchItemFailures": []}

    [ticket] = tickets()
    [reply] = sent_mail()
    assert reply.destinations["ToAddresses"] == [ticket.email]
    assert reply.subject.endswith(f"[#T-{ticket.ticket_id}]")
    assert not any(character in reply.subject for character in "\r\n")

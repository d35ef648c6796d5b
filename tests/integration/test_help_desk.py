"""The human help desk against moto: queue order and positions, claims, replies, SLA clocks, CSAT and figures."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from moto.sns.models import sns_backends

from faka.adapters.tables.tickets import TicketItem
from faka.errors import Conflict
from faka.support.help_desk import DEFAULT_HANDLING_SECONDS, HelpDesk
from faka.wiring import services
from faka_local.provision import Provisioned
from tests.integration.conftest import ADMIN, Response, Stack
from tests.integration.helpers import add_product, open_shop, pay, place_order, sent_mail

FIRST_RESPONSE, ESCALATION = 300, 1800  # the default FAKA_TICKET_SLA_SECONDS


@pytest.fixture
def order(stack: Stack) -> dict:
    open_shop(stack)
    add_product(stack, keys=["HD-AAAA-0001", "HD-AAAA-0002"])
    placed = place_order(stack, locale="zh-CN")
    pay(stack, placed["order_id"], placed["amount"])
    return placed


@pytest.fixture
def desk(stack: Stack) -> HelpDesk:
    return services().help_desk


def ticket(key: str, *, severity: int = 3, intent: str = "invalid_key", summary: str = "my code does not work") -> str:
    """A ticket as the assistant leaves it, not yet handed to anyone: what the desk starts from."""
    item = TicketItem(
        f"t-{key}",
        TicketItem.SK,
        shop_id="main",
        intent=intent,
        severity=severity,
        source="api",
        summary=summary,
        status="open",
        created_at=datetime.now(UTC),
    )
    item.save()
    return item.ticket_id


def buyer_ticket(stack: Stack, order: dict, message: str) -> dict:
    response = stack.api(
        "POST",
        "/v1/tickets",
        {"order_id": order["order_id"], "access_token": order["access_token"], "message": message},
    )
    assert response.status == 201, response.body
    return dict(response.body)


def queue(stack: Stack) -> list[dict]:
    response = stack.api("GET", "/v1/admin/tickets/queue", headers=ADMIN)
    assert response.status == 200, response.body
    return list(response.body["tickets"])


def alerts(aws: Provisioned) -> list[tuple[str, str]]:
    topic = sns_backends["123456789012"]["us-east-1"].topics[aws.operator_topic_arn]
    return [(subject, message) for _, message, subject, _, _ in topic.sent_notifications]


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_the_queue_is_fifo_within_priority_and_positions_never_go_up(stack: Stack, order: dict, desk: HelpDesk) -> None:
    first = ticket("a", severity=3)
    second = ticket("b", severity=3)
    places = [desk.enqueue(first, reason="talk_to_human"), desk.enqueue(second, reason="talk_to_human")]
    assert [p.position for p in places] == [1, 2]
    assert places[1].eta_minutes == round(2 * DEFAULT_HANDLING_SECONDS / 60)

    urgent = ticket("c", severity=5)
    minor = ticket("d", severity=1)
    same = ticket("e", severity=3)
    for later_ticket in (urgent, minor, same):
        desk.enqueue(later_ticket, reason="low_confidence")

    assert [t["ticket_id"] for t in queue(stack)] == [urgent, first, second, same, minor]
    assert [t["position"] for t in queue(stack)] == [1, 2, 3, 4, 5]
    # Later tickets of the same or a lower priority never push an earlier one back.
    place = desk.place(second)
    assert place is not None
    assert place.position == 3


def test_enqueue_is_idempotent_and_a_handoff_counts_once(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ticket_id = ticket("once")
    assert desk.enqueue(ticket_id, reason="x") == desk.enqueue(ticket_id, reason="x")
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert item.status == "waiting_for_agent"
    assert item.handoff_reason == "x"
    report = stack.api("GET", "/v1/admin/reports/tickets", headers=ADMIN).body
    assert report["overall"]["handed_off"] == 1


def test_the_buyer_sees_their_place_in_line(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ahead = ticket("ahead", severity=5)
    desk.enqueue(ahead, reason="x")
    opened = buyer_ticket(stack, order, "我要找人工客服")
    place = desk.enqueue(opened["ticket_id"], reason="talk_to_human")

    thread = stack.api(
        "GET", f"/v1/tickets/{opened['ticket_id']}", headers={"Authorization": f"Bearer {opened['ticket_token']}"}
    )

    assert thread.status == 200, thread.body
    assert thread.body["queue"] == {"position": place.position, "eta_minutes": place.eta_minutes}
    assert place.position == 2


def test_two_operators_claiming_at_once_one_wins(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ticket_id = ticket("contested")
    desk.enqueue(ticket_id, reason="x")
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(agent: str) -> None:
        start.wait()
        try:
            desk.claim(ticket_id, "main", agent)
            outcomes[agent] = "won"
        except Conflict as error:
            outcomes[agent] = error.code

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["already_claimed", "won"]
    winner = next(agent for agent, outcome in outcomes.items() if outcome == "won")
    assert TicketItem.get(ticket_id, TicketItem.SK).claimed_by == winner
    loser = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/claim", {"agent": "carol"}, ADMIN)
    assert (loser.status, loser.body["code"]) == (409, "already_claimed")
    assert queue(stack) == []


def test_a_canned_reply_is_sent_in_the_buyers_language_and_keys_stay_masked(
    stack: Stack, order: dict, desk: HelpDesk
) -> None:
    opened = buyer_ticket(stack, order, "卡密 HD-AAAA-0001 无效，我要人工")
    ticket_id = opened["ticket_id"]
    desk.enqueue(ticket_id, reason="talk_to_human")
    mails_before = len(sent_mail())

    canned = stack.api(
        "POST", f"/v1/admin/tickets/{ticket_id}/reply", {"agent": "alice", "canned": "ask_screenshot"}, ADMIN
    )
    free = stack.api(
        "POST",
        f"/v1/admin/tickets/{ticket_id}/reply",
        {"agent": "alice", "message": "Your old key HD-AAAA-0001 was revoked", "await_buyer": True},
        ADMIN,
    )

    assert canned.status == 200, canned.body
    assert free.body["status"] == "awaiting_buyer"
    assert free.body["claimed_by"] == "alice"
    assert free.body["first_response_at"] is not None
    mails = sent_mail()[mails_before:]
    assert len(mails) == 2
    assert "截图" in mails[0].body
    assert f"[#T-{ticket_id}]" in mails[0].subject
    assert all("HD-AAAA-0001" not in m.body for m in mails)
    case = stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=ADMIN).body
    bodies = [m["body"] for m in case["messages"]]
    assert [m["author"] for m in case["messages"]][-2:] == ["operator", "operator"]
    assert not any("HD-AAAA-0001" in body for body in bodies)
    assert "********0001" in bodies[-1]  # the order's own code, masked whole
    assert case["summary"].count("HD-AAAA-0001") == 0
    unknown = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reply", {"canned": "nope"}, ADMIN)
    assert (unknown.status, unknown.body["code"]) == (400, "unknown_canned_reply")


def test_an_unhandled_ticket_breaches_then_escalates_exactly_once(
    stack: Stack, aws: Provisioned, order: dict, desk: HelpDesk
) -> None:
    earlier = ticket("earlier", severity=3)
    waiting = ticket("waiting", severity=3)
    desk.enqueue(earlier, reason="x")
    desk.enqueue(waiting, reason="x")
    desk.claim(earlier, "main", "alice")
    newer = ticket("newer", severity=3)
    desk.enqueue(newer, reason="x")

    assert desk.sweep(now=later(FIRST_RESPONSE - 30)).due == 0
    breached = desk.sweep(now=later(FIRST_RESPONSE + 1))
    again = desk.sweep(now=later(FIRST_RESPONSE + 2))
    escalated = desk.sweep(now=later(ESCALATION + 1))
    repeated = desk.sweep(now=later(ESCALATION + 60))

    # A claim is not an answer: the claimed ticket breaches its first response too, but never escalates.
    assert (breached.first_response_breaches, again.first_response_breaches) == (3, 0)
    assert (escalated.escalations, escalated.alerts) == (2, 2)
    assert (repeated.escalations, repeated.alerts, repeated.due) == (0, 0, 0)
    sent = alerts(aws)
    assert len(sent) == 2
    assert all("/v1/admin/tickets/" in message for _, message in sent)
    item = TicketItem.get(waiting, TicketItem.SK)
    assert (int(item.priority), item.escalated_at is not None) == (4, True)
    # The claimed ticket was never escalated, and both escalated ones keep their order, ahead of the new severity-3s.
    assert TicketItem.get(earlier, TicketItem.SK).escalated_at is None
    stale = ticket("stale", severity=4)
    desk.enqueue(stale, reason="x")
    assert [t["ticket_id"] for t in queue(stack)] == [waiting, newer, stale]


def test_clocks_pause_while_waiting_on_the_buyer_and_resume_with_what_was_left(
    stack: Stack, order: dict, desk: HelpDesk
) -> None:
    ticket_id = ticket("paused")
    desk.enqueue(ticket_id, reason="x")
    desk.ask_buyer(ticket_id)
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert (item.status, item.sla_due_at) == ("awaiting_buyer", None)
    assert FIRST_RESPONSE - 2 <= item.first_response_left <= FIRST_RESPONSE

    assert desk.sweep(now=later(ESCALATION * 10)).due == 0

    place = desk.buyer_replied(ticket_id)
    assert place is not None
    assert place.position == 1
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert item.status == "waiting_for_agent"
    assert item.first_response_left is None
    assert item.first_response_due <= later(FIRST_RESPONSE)
    assert desk.sweep(now=later(FIRST_RESPONSE + 1)).first_response_breaches == 1


def test_a_buyer_answering_a_question_is_owed_the_next_answer(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ticket_id = ticket("question")
    desk.enqueue(ticket_id, reason="x")
    desk.reply(ticket_id, "main", "alice", message="Which region is your account?", await_buyer=True)
    assert TicketItem.get(ticket_id, TicketItem.SK).sla_due_at is None

    assert desk.buyer_replied(ticket_id) == desk.place(ticket_id)
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert item.status == "in_progress"
    assert item.first_response_due is not None
    assert item.escalation_due is None


def test_resolving_stops_the_clocks_and_asks_for_a_rating_once(stack: Stack, order: dict, desk: HelpDesk) -> None:
    opened = buyer_ticket(stack, order, "I want to talk to a human")
    ticket_id = opened["ticket_id"]
    desk.enqueue(ticket_id, reason="talk_to_human")
    stack.api("POST", f"/v1/admin/tickets/{ticket_id}/claim", {"agent": "alice"}, ADMIN)

    resolved = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/resolve", {"agent": "alice"}, ADMIN)

    assert resolved.status == 200, resolved.body
    assert resolved.body["status"] == "resolved"
    assert desk.sweep(now=later(ESCALATION * 2)).due == 0
    csat_mail = sent_mail()[-1]
    assert f"[#T-{ticket_id}]" in csat_mail.subject
    links = [word for word in csat_mail.body.split('"') if "/csat?" in word]
    assert len(links) == 5
    url = urlsplit(links[3].replace("&amp;", "&"))
    query = dict(parse_qsl(url.query))
    assert query["s"] == "4"

    form = stack.api("GET", url.path, query=url.query)
    rated = stack.api("POST", url.path, {"score": 4, "comment": "fast, thanks"}, query=url.query)
    twice = stack.api("POST", url.path, {"score": 1}, query=url.query)
    forged = stack.api("POST", url.path, {"score": 1}, query=url.query.replace("s=4", "s=1"))
    form_post = stack.api(
        "POST",
        url.path,
        raw="score=2&comment=late",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        query=url.query,
    )

    assert form.status == 200
    assert "checked" in str(form.body)
    assert rated.status == 200, rated.body
    assert (twice.status, twice.body["code"]) == (409, "already_rated")
    assert (forged.status, forged.body["code"]) == (400, "invalid_link")
    assert form_post.status == 409
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert (int(item.csat_score), item.csat_comment) == (4, "fast, thanks")
    csat = stack.api("GET", "/v1/admin/reports/tickets", headers=ADMIN).body["overall"]["csat"]
    assert csat == {"count": 1, "mean": 4.0}


def test_a_buyer_writing_after_resolution_reopens_the_ticket(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ticket_id = ticket("reopen")
    assert desk.buyer_replied(ticket_id) is None
    desk.enqueue(ticket_id, reason="x")
    not_resolved = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reopen", headers=ADMIN)
    assert (not_resolved.status, not_resolved.body["code"]) == (409, "not_resolved")
    desk.resolve(ticket_id, "main", "alice")

    place = desk.buyer_replied(ticket_id)

    assert place is not None
    assert place.position == 1
    item = TicketItem.get(ticket_id, TicketItem.SK)
    assert (item.status, item.claimed_by, item.resolved_at) == ("waiting_for_agent", None, None)
    desk.resolve(ticket_id, "main", "alice")
    reopened = stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reopen", headers=ADMIN)
    assert (reopened.status, reopened.body["position"]) == (200, 1)
    figures = stack.api("GET", "/v1/admin/reports/tickets", headers=ADMIN).body["intents"]["invalid_key"]
    assert (figures["reopened"], figures["resolved_by_people"], figures["handed_off"]) == (2, 1, 1)


def test_the_ticket_report_has_rates_times_and_knowledge_base_gaps(stack: Stack, order: dict, desk: HelpDesk) -> None:
    for _ in range(4):
        desk.note_opened("main", "activation_help")
        desk.note_auto_resolved("main", "activation_help", 2.0)
    summaries = ["my steam wallet code says region locked", "steam wallet code region error", "卡密显示地区不符"]
    for n, summary in enumerate(summaries):
        desk.note_opened("main", "wrong_region")
        ticket_id = ticket(f"gap{n}", intent="wrong_region", summary=summary)
        desk.enqueue(ticket_id, reason="low_confidence")
        desk.reply(ticket_id, "main", "alice", message="Looking into it")
        desk.resolve(ticket_id, "main", "alice")

    report = stack.api("GET", "/v1/admin/reports/tickets", headers=ADMIN)

    assert report.status == 200, report.body
    overall = report.body["overall"]
    assert (overall["opened"], overall["auto_resolved"], overall["handed_off"]) == (7, 4, 3)
    assert overall["auto_resolution_rate"] == round(4 / 7, 3)
    assert overall["handoff_rate"] == round(3 / 7, 3)
    assert overall["mean_first_response_seconds"] is not None
    assert overall["mean_resolve_seconds"] is not None
    assert report.body["intents"]["activation_help"]["mean_auto_resolve_seconds"] == 2.0
    gaps = report.body["knowledge_base_gaps"]
    assert gaps["top_intents"] == [{"intent": "wrong_region", "tickets": 3}]
    phrases = {p["phrase"]: p["tickets"] for p in gaps["top_phrases"]}
    assert phrases["steam wallet"] == 2
    assert phrases["region"] == 2


def test_operators_of_another_shop_see_nothing(stack: Stack, order: dict, desk: HelpDesk) -> None:
    ticket_id = ticket("private")
    desk.enqueue(ticket_id, reason="x")
    other = stack.api(
        "POST", "/v1/admin/shops", {"shop_id": "moon", "name": "Moon", "support_email": "m@example.com"}, ADMIN
    )
    token = {"Authorization": f"Bearer {other.body['operator_token']}", "X-Faka-Shop": "moon"}

    responses: list[Response] = [
        stack.api("GET", f"/v1/admin/tickets/{ticket_id}", headers=token),
        stack.api("POST", f"/v1/admin/tickets/{ticket_id}/claim", {"agent": "mallory"}, token),
    ]

    assert [(r.status, r.body["code"]) for r in responses] == [(404, "unknown_ticket")] * 2
    assert stack.api("GET", "/v1/admin/tickets/queue", headers=token).body == {"tickets": []}
    anonymous = stack.api("GET", "/v1/admin/tickets/queue")
    assert anonymous.status == 401


def test_the_desks_emails_link_the_order_page_only_at_the_orders_own_address(
    stack: Stack, order: dict, desk: HelpDesk
) -> None:
    own = buyer_ticket(stack, order, "I want to talk to a human")["ticket_id"]
    elsewhere = ticket("elsewhere", intent="talk_to_human")
    item = TicketItem.get(elsewhere, TicketItem.SK)
    item.update(actions=[TicketItem.order_id.set(order["order_id"]), TicketItem.email.set("someone@else.example")])
    order_page = f"/o/{order['order_id']}#t=op1."

    for ticket_id in (own, elsewhere):
        desk.enqueue(ticket_id, reason="talk_to_human")
        stack.api("POST", f"/v1/admin/tickets/{ticket_id}/reply", {"agent": "alice", "message": "Looking at it"}, ADMIN)
        stack.api("POST", f"/v1/admin/tickets/{ticket_id}/resolve", {"agent": "alice"}, ADMIN)

    mails = {ticket_id: [m for m in sent_mail() if f"[#T-{ticket_id}]" in m.subject] for ticket_id in (own, elsewhere)}
    assert len(mails[own]) == 2  # the reply and the CSAT request
    assert all(order_page in m.body for m in mails[own])
    assert len(mails[elsewhere]) == 2
    assert not any(f"/o/{order['order_id']}" in m.body for m in mails[elsewhere])

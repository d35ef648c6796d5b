"""Replays a labelled ticket stream, fraud patterns included, through `faka local` over HTTP. Prints figures.

    .venv/bin/python benchmarks/tickets.py                  # corrections, then the replay
    .venv/bin/python benchmarks/tickets.py --corrections    # only the corrections' effect (in-process, seconds)
    .venv/bin/python benchmarks/tickets.py --quiet-tickets  # figures only: no ticket's words are printed

``--quiet-tickets`` prints the same figures without any ticket's text (the handoff and waiting lists give counts
only, the help desk report leaves out its phrases), so that whoever tunes the knowledge base or the triage can run
the replay without reading the held-out questions it sends; ``build/bench-tickets.jsonl`` is still written.

**Corrections** (in-process, no server): a shop's operator corrects, in one click each, every message of
``data/triage/eval.jsonl`` the model reads wrong. Printed: recognition before and after those corrections
(``faka.triage.corrections``' nearest-neighbour override at a range of similarity bars) on the held-out
``holdout.jsonl`` (never corrected: other wording), and on the corrected messages as the shop's next buyers
send them again with chat noise (a greeting, a typo, lower case) — the case corrections are for.

**The replay** mixes, as a shop's inbox does, order problems and questions with no order: each question of
``data/knowledge/heldout.jsonl`` that an article answers, in its locale, sent with an email and no order
(the knowledge base's held-out questions, written apart from the articles); and each honest ticket is a
held-out triage message (``data/triage/holdout.jsonl``, never used for tuning)
sent by a new buyer about their own freshly delivered order. Four fraud patterns are mixed in, each
ticket of them labelled whether an automatic reissue or refund would be wrong:
a buyer claiming "invalid" on order after order; several addresses claiming from one IP; an "invalid"
claim on a key the supplier reported activated; "not received" after opening the page showing the key.
A ticket the assistant answers with a question (which of two problems, which order, "shall we refund it?") gets
one answer from its simulated buyer, written once per situation and language below (``FOLLOW_UPS``), chosen by
what the buyer's message is labelled, never by what the assistant asked: a buyer with an order problem says
what is wrong (or accepts the refund offered), a buyer with an FAQ question and no order says so. A ticket
answered from the knowledge base gets the buyer's "did this help?" where the replay knows the article that
answers them (the FAQ question's label; the account-security article for account security): yes for that
article, no for another; after a "no" the assistant may offer the next closest article once, judged the same way,
and a "no" to that (or a first "no" with nothing to offer) goes to a person, so a wrong article is never counted as
resolved.
Figures (resolved without a person / handed to a person / neither, i.e. still waiting on the buyer) are
printed per group after the first answer and after the buyer's answers, with every ticket in neither.
A simulated operator then works the queue (claim, reply, resolve, oldest first) so the help desk's own
figures (first response, time to resolve) can be read back from ``GET /v1/admin/reports/tickets``;
those times are the replay's, not a real team's.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers"))

from faka.knowledge import INTENT_ARTICLES  # noqa: E402
from faka.payments.stripe_signing import stripe_signature  # noqa: E402

ADMIN_TOKEN = "bench-admin-token"  # noqa: S105 - a throwaway local instance
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - a throwaway local instance
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SKU, VARIANT = "bench-steam-10-us", "bench-steam-10-eu"
KEYS_PER_BATCH = 10
HONEST = ("wrong_region", "not_received", "invalid_key", "activation_help", "order_status")
AUTOMATIC = {
    "replaced",
    "exchanged",
    "resent_with_evidence",
    "delivered_now",
    "guide_sent",
    "answered_status",
    "refund_requested",
    "payment_found",
    "already_replaced",
    "resent_to_new_address",
    "acknowledged",
}
REISSUES = {"replaced", "exchanged"}
# Honest tickets whose buyer needs a person whatever the assistant could say: asked for one, reported fraud.
PERSON_INTENTS = ("talk_to_human", "fraud_report")
KNOWLEDGE = "answered_from_knowledge_base"
# The simulated buyer's one answer to the assistant's question, by what their message is labelled and its language.
QUESTIONS = {"asked_to_clarify", "asked_for_order", "refund_offered"}
FOLLOW_UPS = {
    "not_received": {"en": "it never arrived", "zh": "一直没收到", "es": "nunca me llegó"},
    "invalid_key": {"en": "it says the code is invalid", "zh": "提示卡密无效", "es": "dice que el código no es válido"},
    "wrong_region": {"en": "it is for the wrong region", "zh": "地区不对", "es": "es de otra región"},
    "activation_help": {"en": "I don't know where to enter it", "zh": "不知道在哪里输入", "es": "no sé dónde ponerlo"},
    "refund_request": {"en": "I want a refund", "zh": "我要退款", "es": "quiero un reembolso"},
    "payment_issue": {"en": "the payment failed", "zh": "付款失败了", "es": "el pago falló"},
    "order_status": {"en": "where is my order", "zh": "订单到哪了", "es": "dónde está mi pedido"},
    # Offered a refund for a product not as described: the buyer takes it.
    "description_mismatch": {"en": "yes, refund please", "zh": "好的，退款", "es": "sí, reembolso por favor"},
    # No order at all: an FAQ question.
    "faq": {
        "en": "I have no order, it is a general question",
        "zh": "我没有订单，只是咨询一下",
        "es": "no tengo pedido, es una pregunta general",
    },
}
# Similarity bars the corrections are measured at; faka.triage.corrections.SIMILARITY_BAR is one of them.
CORRECTION_BARS = (0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass
class Sent:
    pattern: str
    text: str
    intent: str
    fraud: bool
    outcome: str
    status: str
    seconds: float
    # After the first answer, when the assistant asked the buyer something and they answered (else as above).
    first_outcome: str = ""
    first_status: str = ""
    # The assistant's replies and the buyer's follow-up, in order: the path a ticket took, for reading causes off.
    path: list[str] = field(default_factory=list)
    # The article the assistant answered with, and the buyer's "did this help?" (None: the replay cannot judge).
    article: str = ""
    helped: bool | None = None


class Local:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()
        self._ip = 0
        self.redelivered = 0

    def __enter__(self) -> Local:
        env = {
            **os.environ,
            "FAKA_LOCAL_PORT": str(self.port),
            "FAKA_EMULATOR_PORT": str(_free_port()),
            "FAKA_ADMIN_TOKEN": ADMIN_TOKEN,
            "FAKA_SIGNING_SECRET": SIGNING_SECRET,
            "FAKA_QUIET_HOURS": "off",
            "FAKA_TICKET_SLA_SECONDS": "300,1800",
            # Days, as deployed: the activation escalation would open tickets of its own during the replay.
            "FAKA_ESCALATION_SECONDS": "86400,172800,259200",
        }
        self._log = open(ROOT / "build" / "bench-tickets.log", "wb")
        self._process = subprocess.Popen(
            [str(Path(sys.executable).with_name("faka")), "local"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        # Minutes, not seconds, on a machine busy with other benchmarks.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if self.http.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.3)
        self._process.send_signal(signal.SIGINT)
        raise SystemExit("faka local did not start; see build/bench-tickets.log")

    def __exit__(self, *exc: object) -> None:
        self._process.send_signal(signal.SIGINT)
        self._process.wait(timeout=30)
        self._log.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, self.url + path, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def new_ip(self) -> str:
        self._ip += 1
        return f"100.64.{self._ip // 250}.{self._ip % 250 + 1}"

    def stock(self, keys: int) -> None:
        for sku, region in ((SKU, "US"), (VARIANT, "EU")):
            product = {
                "sku": sku,
                "name": f"Steam $10 {region}",
                "price": 1000,
                "currency": "usd",
                "region": region,
                "platform": "steam",
            }
            self.call("POST", "/v1/admin/products", json=product, headers=ADMIN)
            # Many small supplier batches: the replay's "invalid key" claims quarantine some of them (batch health),
            # and the others keep the product on sale, as a shop restocking from several suppliers would.
            for batch in range(0, keys, KEYS_PER_BATCH):
                codes = [f"BENCH-{region}-{secrets.token_hex(6).upper()}" for _ in range(KEYS_PER_BATCH)]
                imported = {"batch": f"B{batch // KEYS_PER_BATCH:03d}", "keys": codes}
                self.call("POST", f"/v1/admin/products/{sku}/keys", json=imported, headers=ADMIN)

    def delivered_order(self, email: str, ip: str) -> dict[str, Any]:
        draft = {"sku": SKU, "quantity": 1, "email": email, "locale": "en"}
        order: dict[str, Any] = self.call("POST", "/v1/orders", json=draft, headers={"X-Forwarded-For": ip})
        self.pay(order["order_id"])
        deadline = time.monotonic() + 30
        while self.call("GET", f"/v1/admin/orders/{order['order_id']}", headers=ADMIN)["status"] != "delivered":
            if time.monotonic() > deadline:
                raise SystemExit(f"order {order['order_id']} was not delivered")
            time.sleep(0.1)
        return order

    def pay(self, order_id: str) -> None:
        """Pay on the sandbox page; a webhook answered 409 retry_later is delivered again, as Stripe does."""
        # Stripe keeps redelivering for days; an invocation's in-progress mark lasts the API's 29 s timeout.
        for _ in range(40):
            response = self.http.post(f"{self.url}/_local/pay/{order_id}", timeout=60)
            if response.ok:
                return
            if response.json().get("webhook_status") != 409:
                break
            self.redelivered += 1
            time.sleep(1)
        raise SystemExit(f"paying {order_id}: {response.status_code} {response.text}")

    def feedback(self, answer: dict[str, Any], helpful: bool) -> dict[str, Any]:
        token = {"Authorization": f"Bearer {answer['ticket_token']}"}
        reply: dict[str, Any] = self.call(
            "POST", f"/v1/tickets/{answer['ticket_id']}/feedback", json={"helpful": helpful}, headers=token
        )
        return reply

    def follow_up(self, answer: dict[str, Any], message: str) -> dict[str, Any]:
        token = {"Authorization": f"Bearer {answer['ticket_token']}"}
        reply: dict[str, Any] = self.call(
            "POST", f"/v1/tickets/{answer['ticket_id']}/messages", json={"message": message}, headers=token
        )
        return reply

    def ticket(self, order: dict[str, Any], message: str, ip: str) -> tuple[dict[str, Any], float]:
        body = {"order_id": order["order_id"], "access_token": order["access_token"], "message": message}
        started = time.monotonic()
        answer = self.call("POST", "/v1/tickets", json=body, headers={"X-Forwarded-For": ip})
        return answer, time.monotonic() - started

    def activate(self, order: dict[str, Any]) -> None:
        view = self.call(
            "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
        )
        raw = json.dumps({"key": view["keys"][0]["code"], "status": "activated", "at": datetime.now(UTC).isoformat()})
        self.http.post(
            self.url + "/v1/activations",
            data=raw,
            timeout=30,
            headers={"X-Faka-Signature": stripe_signature(raw, SIGNING_SECRET)},
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _record(sent: list[Sent], pattern: str, text: str, fraud: bool, answer: dict[str, Any], seconds: float) -> None:
    outcome, status = answer.get("outcome") or "", answer["status"]
    sent.append(
        Sent(
            pattern,
            text,
            answer["intent"],
            fraud,
            outcome,
            status,
            seconds,
            outcome,
            status,
            [_said(answer)],
            (answer.get("article") or {}).get("id", ""),
        )
    )


def _said(answer: dict[str, Any]) -> str:
    """The assistant's answer as the path shows it: outcome, the article named, the reply."""
    article = (answer.get("article") or {}).get("id")
    return f"[{answer.get('outcome') or answer['status']}{' ' + article if article else ''}] {answer['reply']}"


def _answered(local: Local, sent: Sent, answer: dict[str, Any], situation: str, language: str) -> None:
    """The buyer's one answer when the assistant's first answer was a question (FOLLOW_UPS)."""
    if sent.status != "awaiting_buyer" or sent.outcome not in QUESTIONS:
        return
    words = FOLLOW_UPS.get(situation, FOLLOW_UPS["faq"])
    said = words.get(language, words["en"])
    reply = local.follow_up(answer, said)
    sent.intent, sent.outcome, sent.status = reply["intent"], reply.get("outcome") or "", reply["status"]
    sent.article = (reply.get("article") or {}).get("id", "")
    sent.path += [f"buyer: {said}", _said(reply)]


def _judged(local: Local, sent: Sent, answer: dict[str, Any], right_article: str | None) -> None:
    """The buyer's "did this help?" after an answer from the knowledge base, where the replay knows the article that
    answers them (``right_article``): yes for that article, no for another. After a no the assistant may offer the
    next article, judged the same way; else (or after its no) the ticket goes to a person."""
    while sent.outcome == KNOWLEDGE and right_article is not None and sent.helped is not True:
        sent.helped = sent.article == right_article
        reply = local.feedback(answer, sent.helped)
        sent.outcome, sent.status = reply.get("outcome") or "", reply["status"]
        sent.path += [f"buyer: helped {sent.helped}", _said(reply)]
        offered = (reply.get("article") or {}).get("id", "")
        if sent.helped or not offered or offered == sent.article:
            return
        sent.article = offered


def replay(local: Local) -> list[Sent]:
    sent: list[Sent] = []
    for row in _faq_questions():
        body = {"email": f"faq-{secrets.token_hex(4)}@example.net", "message": row["text"], "locale": row["locale"]}
        started = time.monotonic()
        answer = local.call("POST", "/v1/tickets", json=body, headers={"X-Forwarded-For": local.new_ip()})
        _record(sent, "faq", row["text"], False, answer, time.monotonic() - started)
        _answered(local, sent[-1], answer, "faq", row["locale"].split("-")[0])
        _judged(local, sent[-1], answer, row["article"])
    honest = [json.loads(line) for line in (ROOT / "data/triage/holdout.jsonl").read_text().splitlines()]
    for row in honest:
        ip = local.new_ip()
        order = local.delivered_order(f"honest-{secrets.token_hex(4)}@example.net", ip)
        answer, seconds = local.ticket(order, row["text"], ip)
        _record(sent, f"honest:{row['intent']}", row["text"], False, answer, seconds)
        _answered(local, sent[-1], answer, row["intent"], row["language"])
        _judged(local, sent[-1], answer, INTENT_ARTICLES.get(row["intent"]))
    invalid = "The code you sent me is invalid, it does not work"
    for ring in range(3):  # one buyer claiming on four orders in a row: the third and fourth are held
        email, ip = f"repeat-{ring}-{secrets.token_hex(3)}@example.net", local.new_ip()
        for claim_no in range(4):
            order = local.delivered_order(email, ip)
            _record(sent, "repeat claimant", invalid, claim_no >= 2, *local.ticket(order, invalid, ip))
    for ring in range(3):  # four addresses claiming from one IP: the third and fourth are held
        ip = local.new_ip()
        for member in range(4):
            order = local.delivered_order(f"ring-{ring}-{member}-{secrets.token_hex(3)}@example.net", ip)
            _record(sent, "many emails, one IP", invalid, member >= 2, *local.ticket(order, invalid, ip))
    for _ in range(5):  # "invalid" after the supplier reported the key activated
        ip = local.new_ip()
        order = local.delivered_order(f"used-{secrets.token_hex(4)}@example.net", ip)
        local.activate(order)
        _record(sent, "claim on an activated key", invalid, True, *local.ticket(order, invalid, ip))
    for _ in range(5):  # "not received" after opening the page that shows the key
        ip = local.new_ip()
        order = local.delivered_order(f"viewed-{secrets.token_hex(4)}@example.net", ip)
        local.call(
            "GET", f"/v1/orders/{order['order_id']}", headers={"Authorization": f"Bearer {order['access_token']}"}
        )
        never = "I never received my code, nothing arrived"
        _record(sent, "not received after viewing the key", never, True, *local.ticket(order, never, ip))
    return sent


def _faq_questions() -> list[dict[str, str]]:
    rows = [json.loads(line) for line in (ROOT / "data/knowledge/heldout.jsonl").read_text().splitlines()]
    return [row for row in rows if row["article"]]


def corrections() -> None:
    """Recognition before and after one shop's corrections, on held-out wording and on the corrected wording resent."""
    import random

    from faka.triage import classify, message_features
    from faka.triage.corpus import noisy
    from faka.triage.corrections import SIMILARITY_BAR, CorrectionIndex

    def rows(name: str) -> list[dict[str, str]]:
        return [json.loads(line) for line in (ROOT / "data/triage" / name).read_text().splitlines()]

    corrected = [row for row in rows("eval.jsonl") if classify(row["text"]).intent != row["intent"]]
    index = CorrectionIndex((frozenset(message_features(r["text"])), r["intent"], r["text"]) for r in corrected)
    rng = random.Random(15)
    resent = [{"text": noisy(r["text"], rng), "intent": r["intent"]} for r in corrected]
    print(f"Corrections: an operator corrects the {len(corrected)} eval messages the model reads wrong, one click each")
    sets = (
        ("holdout (145, other wording)", rows("holdout.jsonl")),
        ("the corrected wording resent with chat noise", resent),
        # Many messages the model reads right: how far a correction reaches beyond its own wording.
        ("training rows (5,040; reach check)", rows("train.jsonl")),
    )
    for name, test in sets:
        model = [classify(r["text"]).intent for r in test]
        features = [message_features(r["text"]) for r in test]
        before = sum(m == r["intent"] for m, r in zip(model, test, strict=True))
        print(f"  {name}: before {before / len(test):.3f}")
        for bar in CORRECTION_BARS:
            after = [
                (found.intent if (found := index.nearest(f, bar)) else m) for m, f in zip(model, features, strict=True)
            ]
            right = sum(a == r["intent"] for a, r in zip(after, test, strict=True))
            broke = sum(m == r["intent"] != a for m, a, r in zip(model, after, test, strict=True))
            mark = "  <- shipped" if bar == SIMILARITY_BAR else ""
            print(f"    after, bar {bar:.1f}: {right / len(test):.3f} ({broke} right answers made wrong){mark}")


def work_the_queue(local: Local) -> int:
    """A simulated operator: oldest first, claim, answer with a canned reply, resolve."""
    handled = 0
    while queue := local.call("GET", "/v1/admin/tickets/queue", headers=ADMIN)["tickets"]:
        ticket_id = queue[0]["ticket_id"]
        local.call("POST", f"/v1/admin/tickets/{ticket_id}/claim", json={"agent": "bench"}, headers=ADMIN)
        local.call("POST", f"/v1/admin/tickets/{ticket_id}/reply", json={"message": "We are on it."}, headers=ADMIN)
        local.call("POST", f"/v1/admin/tickets/{ticket_id}/resolve", json={}, headers=ADMIN)
        handled += 1
    return handled


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def _fate(outcome: str, status: str, helped: bool | None = None) -> str:
    """resolved (by the assistant, and not an article the buyer said did not help), person, or neither."""
    if status in ("waiting_for_agent", "in_progress"):
        return "person"
    if status == "resolved" and outcome in AUTOMATIC | {KNOWLEDGE} and helped is not False:
        return "resolved"
    return "neither"


def _fates(counts: Counter[str], whole: int) -> str:
    return " / ".join(_pct(counts[fate], whole) for fate in ("resolved", "person", "neither"))


def _print_neither(neither: list[Sent], quiet: bool) -> None:
    """Tickets neither resolved nor with a person, each with its path: what the assistant last said."""
    print(f"  neither resolved nor with a person ({len(neither)}):")
    for s in [] if quiet else neither:
        print(f"    {s.pattern} / {s.intent} / {s.outcome or s.status}: {s.text[:80]!r}")
        for step in s.path:
            print(f"        {step[:140]!r}")


def _print_handoffs(person: list[Sent], quiet: bool) -> None:
    """Which tickets went to a person and why: by the replay's pattern, the intent read and the outcome, each
    with the messages, so a cause (a playbook that could act, an article missing) can be read off."""
    groups: dict[tuple[str, str, str], list[Sent]] = defaultdict(list)
    for s in person:
        groups[(s.pattern, s.intent, s.outcome)].append(s)
    print(f"  handed to a person, by pattern / intent read / outcome ({len(person)}):")
    for (pattern, intent, outcome), members in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        print(f"    {len(members):3d}  {pattern} / {intent} / {outcome or '-'}")
        for s in [] if quiet else members[:6]:
            print(f"           {s.text[:110]!r}")


def main() -> None:
    corrections()
    if "--corrections" in sys.argv:
        return
    (ROOT / "build").mkdir(exist_ok=True)
    with Local() as local:
        local.stock(keys=260)
        sent = replay(local)
        handled = work_the_queue(local)
        report = local.call("GET", "/v1/admin/reports/tickets", headers=ADMIN)
        batches = local.call("GET", "/v1/admin/reports/batches", headers=ADMIN)["batches"]
    quarantined = sum(1 for b in batches if b.get("quarantine_rule"))
    # Every ticket with its path, for reading off why one was not resolved.
    with (ROOT / "build" / "bench-tickets.jsonl").open("w") as dump:
        dump.writelines(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in sent)
    total = len(sent)
    asked = [s for s in sent if s.first_status == "awaiting_buyer" and s.first_outcome in QUESTIONS]
    print(
        f"Ticket replay through faka local: {total} tickets ({sum(s.fraud for s in sent)} labelled fraud), "
        f"{handled} worked from the queue by the simulated operator"
    )
    print(
        f"  the assistant asked the buyer one question: {len(asked)} ({dict(Counter(s.first_outcome for s in asked))})"
    )
    print(f"  an article answered and the buyer said it did not help: {sum(s.helped is False for s in sent)}")
    print("  resolved without a person / handed to a person / neither (waiting on the buyer), after:")
    groups = {
        "all": sent,
        "FAQ questions, no order": [s for s in sent if s.pattern == "faq"],
        "honest order tickets": [s for s in sent if s.pattern.startswith("honest:")],
        "fraud patterns": [s for s in sent if s.pattern != "faq" and not s.pattern.startswith("honest:")],
    }
    for name, members in groups.items():
        first = Counter(_fate(s.first_outcome, s.first_status) for s in members)
        final = Counter(_fate(s.outcome, s.status, s.helped) for s in members)
        print(
            f"    {name} ({len(members)}): first answer {_fates(first, len(members))}; "
            f"the buyer's answer {_fates(final, len(members))}"
        )
    must = [s for s in sent if s.fraud or s.pattern in (f"honest:{intent}" for intent in PERSON_INTENTS)]
    print(
        f"  must go to a person (fraud patterns held, {', '.join(PERSON_INTENTS)}): {len(must)} = "
        f"{_pct(len(must), total)}, so at most {_pct(total - len(must), total)} can be resolved without a person"
    )
    automatic = [s for s in sent if _fate(s.outcome, s.status, s.helped) == "resolved"]
    person = [s for s in sent if _fate(s.outcome, s.status, s.helped) == "person"]
    wrong = [s for s in sent if s.fraud and s.outcome in REISSUES | {"refund_requested"}]
    fraud = [s for s in sent if s.fraud]
    honest_claims = [s for s in sent if not s.fraud and s.intent in {"invalid_key", "wrong_region", "not_received"}]
    print(f"  auto-resolved (no person)      {_pct(len(automatic), total)}")
    print(f"  handed to a person             {_pct(len(person), total)}")
    print(f"  wrong automatic reissues/refunds on fraud patterns: {len(wrong)} (must be 0)")
    print(
        f"  fraud-pattern tickets held for a person: {sum(s.outcome == 'held_for_review' for s in fraud)}"
        f" of {len(fraud)}"
    )
    print(
        f"  honest claims held by mistake: {sum(s.outcome == 'held_for_review' for s in honest_claims)}"
        f" of {len(honest_claims)}"
    )
    latencies = sorted(s.seconds for s in sent)
    print(f"  payment webhooks redelivered after 409 retry_later: {local.redelivered}")
    print(f"  supplier batches quarantined by batch health: {quarantined} of {len(batches)}")
    print(
        f"  first answer over HTTP: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(0.95 * (total - 1))] * 1000:.0f} ms"
    )
    by_intent: dict[str, Counter[str]] = defaultdict(Counter)
    for s in sent:
        by_intent[s.intent]["total"] += 1
        by_intent[s.intent]["auto"] += _fate(s.outcome, s.status, s.helped) == "resolved"
    print(
        "  per intent (auto / total): "
        + ", ".join(f"{intent} {c['auto']}/{c['total']}" for intent, c in sorted(by_intent.items()))
    )
    print(f"  outcomes: {dict(Counter(s.outcome for s in sent).most_common())}")
    quiet = "--quiet-tickets" in sys.argv
    _print_handoffs(person, quiet)
    _print_neither([s for s in sent if _fate(s.outcome, s.status, s.helped) == "neither"], quiet)
    print("  help desk report (GET /v1/admin/reports/tickets):")
    if quiet:
        gaps = report.get("knowledge_base_gaps", {})
        for phrases_of in (gaps, gaps.get("unanswered_questions", {})):
            phrases_of.pop("top_phrases", None)
    print(json.dumps(report, indent=2, ensure_ascii=False)[:3000])


if __name__ == "__main__":
    main()

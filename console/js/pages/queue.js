import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatNumber, formatSeconds, formatTime, plural, t } from "../i18n.js";
import { maskKeys } from "../mask.js";

const REFRESH_MS = 5000;
// The ids of layers/faka/rules/canned_replies.json (tests/e2e/test_console.py keeps the two equal);
// the API renders the text in the ticket's locale, the console only shows a label.
// A claimed ticket is being worked on, or waits for the buyer's answer.
const CLAIMED_STATUSES = ["in_progress", "awaiting_buyer"];
export const CANNED_REPLIES = ["looking_into_it", "ask_screenshot", "ask_account_region", "replacement_sent", "refund_started", "closing"];
// Reply drafts are off unless the platform turned them on (FAKA_REPLY_DRAFTS): the first 404 reply_drafts_off
// says so, and the button is not offered again in this tab.
let draftsOff = false;

export function render(view, { session, param, onSignedOut }) {
  const list = h("div", { id: "queue-list" });
  const detail = h("div", { id: "ticket-detail", class: "card" }, h("p", { class: "muted" }, t("queue.pick")));
  const status = h("p", { class: "muted" });
  // The queue holds the tickets nobody has claimed yet; "mine" shows the open tickets this operator claimed
  // instead. The search filters either list as read, by ticket id, order id, intent or summary.
  const filter = h(
    "form",
    { class: "row", id: "queue-filter" },
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "mine" }), t("queue.mine")),
    h("label", {}, t("queue.search"), h("input", { type: "search", name: "q", autocomplete: "off" })),
  );
  view.append(h("h1", {}, t("nav.queue")), status, filter, h("div", { class: "split" }, list, detail));
  let selected = param;
  let listed = [];

  function matches(ticket, needle) {
    if (!needle) return true;
    return [ticket.ticket_id, ticket.order_id, ticket.summary, t(`intent.${ticket.intent}`), ticket.intent].some((value) => String(value ?? "").toLowerCase().includes(needle));
  }

  function show() {
    const mine = filter.elements.mine.checked;
    const shown = listed.filter((ticket) => matches(ticket, filter.elements.q.value.trim().toLowerCase()));
    clear(list, h("div", { class: "scroll" }, table(shown)));
    const total = plural(mine ? "queue.mine_count" : "queue.count", listed.length);
    status.textContent = shown.length === listed.length ? total : t("queue.shown", { shown: formatNumber(shown.length), total });
  }

  // The tickets claimed by (or handed over to) this operator; the open ones are read for their clocks. A shop has
  // few tickets in progress at a time; the latest 100 of them are looked at.
  async function claimedByMe() {
    const { tickets } = await api(`/v1/admin/tickets?claimed_by=${encodeURIComponent(session.agent)}`);
    const open = tickets.filter((ticket) => CLAIMED_STATUSES.includes(ticket.status));
    return Promise.all(open.map((ticket) => api(`/v1/admin/tickets/${encodeURIComponent(ticket.ticket_id)}`)));
  }

  async function refresh() {
    const mine = filter.elements.mine.checked;
    try {
      const tickets = mine ? await claimedByMe() : (await api("/v1/admin/tickets/queue")).tickets;
      if (mine !== filter.elements.mine.checked) return;
      listed = tickets;
      show();
    } catch (failure) {
      if (!onSignedOut(failure)) status.textContent = t("error.load", { message: failure.message });
    }
  }
  filter.elements.mine.addEventListener("change", refresh);
  filter.elements.q.addEventListener("input", show);
  filter.addEventListener("submit", (event) => event.preventDefault());

  function table(tickets) {
    if (!tickets.length) return h("p", { class: "card muted", id: "queue-empty" }, t("queue.empty"));
    return h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ["queue.position", "queue.ticket", "queue.intent", "queue.severity", "queue.waiting", "queue.due", "queue.claimed_by"].map((key) => h("th", {}, t(key))))),
      h(
        "tbody",
        {},
        tickets.map((ticket) =>
          h(
            "tr",
            { dataset: { id: ticket.ticket_id }, class: ticket.ticket_id === selected ? "selected" : null, onclick: () => open(ticket.ticket_id) },
            h("td", {}, ticket.position ?? "—"),
            h("td", {}, h("div", {}, ticket.ticket_id), h("div", { class: "muted" }, maskKeys(ticket.summary))),
            h("td", {}, t(`intent.${ticket.intent}`)),
            h("td", {}, h("span", { class: `tag sev${ticket.severity}` }, ticket.severity)),
            h("td", {}, ticket.waiting_seconds === null ? "—" : formatSeconds(ticket.waiting_seconds)),
            h("td", {}, formatTime(ticket.first_response_due)),
            h("td", {}, ticket.claimed_by ?? "—"),
          ),
        ),
      ),
    );
  }

  async function act(path, body) {
    try {
      await api(`/v1/admin/tickets/${encodeURIComponent(selected)}/${path}`, { method: "POST", body });
      await Promise.all([open(selected), refresh()]);
    } catch (failure) {
      if (!onSignedOut(failure)) detail.append(h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
    }
  }

  async function open(ticketId) {
    selected = ticketId;
    history.replaceState(null, "", `#/queue/${encodeURIComponent(ticketId)}`);
    for (const row of list.querySelectorAll("tr[data-id]")) row.classList.toggle("selected", row.dataset.id === ticketId);
    let ticket;
    try {
      ticket = await api(`/v1/admin/tickets/${encodeURIComponent(ticketId)}`);
    } catch (failure) {
      if (!onSignedOut(failure)) clear(detail, h("p", { class: "error" }, t("error.load", { message: failure.message })));
      return;
    }
    const reply = h(
      "form",
      { class: "stack", id: "reply" },
      h("label", {}, t("queue.canned"), h("select", { name: "canned" }, h("option", { value: "" }, t("queue.free_text")), CANNED_REPLIES.map((id) => h("option", { value: id }, t(`canned.${id}`))))),
      h("label", {}, t("queue.message"), h("textarea", { name: "message" })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "await_buyer" }), t("queue.await_buyer")),
      h("button", { type: "submit" }, t("queue.send")),
    );
    reply.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(reply);
      const body = { agent: session.agent, await_buyer: data.get("await_buyer") === "on" };
      if (data.get("canned")) body.canned = data.get("canned");
      else body.message = String(data.get("message")).trim();
      act("reply", body);
    });
    const draft = ticket.status === "resolved" ? null : draftSection(ticket.draft, reply);
    // Internal notes are for the shop's operators: the API keeps them apart from the buyer's thread.
    const note = h(
      "form",
      { class: "stack", id: "note" },
      h("label", {}, t("queue.note"), h("textarea", { name: "text", required: true })),
      h("button", { type: "submit", class: "secondary" }, t("queue.add_note")),
    );
    note.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = String(new FormData(note).get("text")).trim();
      if (text) act("notes", { agent: session.agent, text });
    });
    const colleagues = ticket.operators.filter((agent) => agent !== ticket.claimed_by);
    const handOver =
      ticket.claimed_by && ticket.status !== "resolved" && colleagues.length
        ? h(
            "form",
            { class: "row", id: "reassign" },
            h("label", {}, t("queue.hand_to"), h("select", { name: "to" }, colleagues.map((agent) => h("option", { value: agent }, agent)))),
            h("button", { type: "submit", class: "secondary" }, t("queue.reassign")),
          )
        : null;
    handOver?.addEventListener("submit", (event) => {
      event.preventDefault();
      act("reassign", { agent: session.agent, to: new FormData(handOver).get("to") });
    });
    clear(
      detail,
      h("h2", {}, t("queue.ticket_title", { id: ticket.ticket_id })),
      h("p", { class: "muted" }, [t(`intent.${ticket.intent}`), t("queue.status", { status: ticket.status }), ticket.order_id ? t("queue.order", { id: ticket.order_id }) : null].filter(Boolean).join(" · ")),
      ticket.risk_score ? h("p", { class: "notice" }, t("queue.risk", { score: ticket.risk_score, signals: ticket.risk_signals.join(", ") })) : null,
      h(
        "div",
        { class: "thread", id: "thread" },
        ticket.messages.map((message) =>
          h("div", { class: `msg ${message.author}` }, h("div", { class: "meta" }, `${t(`author.${message.author}`)} · ${formatTime(message.created_at)}`), maskKeys(message.body)),
        ),
      ),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", id: "claim", disabled: Boolean(ticket.claimed_by), onclick: () => act("claim", { agent: session.agent }) }, ticket.claimed_by ? t("queue.claimed", { agent: ticket.claimed_by }) : t("queue.claim")),
        " ",
        h("button", { type: "button", id: "resolve", class: "secondary", disabled: ticket.status === "resolved", onclick: () => act("resolve", { agent: session.agent }) }, t("queue.resolve")),
      ),
      handOver,
      draft,
      ticket.status === "resolved" ? null : reply,
      h(
        "section",
        { id: "notes" },
        h("h3", {}, t("queue.notes")),
        h("p", { class: "muted" }, t("queue.notes_private")),
        ticket.notes.map((entry) => h("div", { class: "msg note" }, h("div", { class: "meta" }, `${entry.agent} · ${formatTime(entry.created_at)}`), maskKeys(entry.body))),
        note,
      ),
      ticket.history.length
        ? h(
            "section",
            { id: "history" },
            h("h3", {}, t("queue.history")),
            h("ol", { class: "muted" }, ticket.history.map((entry) => h("li", { dataset: { kind: entry.kind } }, `${formatTime(entry.created_at)} · ${t(`history.${entry.kind}`, { agent: entry.agent, from: entry.from_agent, to: entry.to_agent })}`))),
          )
        : null,
    );
  }

  // The ticket's latest reply draft (the model's words, masked like the thread), a button to copy it into the
  // reply box, where the operator edits and sends it, and a button for a new draft.
  function draftSection(latest, reply) {
    const section = h("section", { id: "draft" }, h("h3", {}, t("queue.draft")));
    if (latest) {
      const use = h("button", { type: "button", id: "use-draft", class: "secondary" }, t("queue.use_draft"));
      use.addEventListener("click", () => {
        reply.elements.canned.value = "";
        reply.elements.message.value = latest.text;
        reply.elements.message.focus();
      });
      section.append(
        h("p", { class: "muted" }, t(`queue.draft_${latest.status}`, { confidence: formatNumber(Math.round(latest.confidence * 100)) })),
        h("div", { class: "msg draft", id: "draft-text" }, maskKeys(latest.text)),
        latest.tone_violations.length ? h("p", { class: "notice" }, t("queue.draft_tone", { words: latest.tone_violations.map((v) => v.word).join(", ") })) : null,
        latest.status === "draft" ? use : null,
      );
    }
    if (draftsOff) {
      section.append(h("p", { class: "muted", id: "drafts-off" }, t("queue.drafts_off")));
      return section;
    }
    const ask = h("button", { type: "button", id: "ask-draft", class: "secondary" }, t("queue.ask_draft"));
    ask.addEventListener("click", async () => {
      ask.disabled = true;
      try {
        await api(`/v1/admin/tickets/${encodeURIComponent(selected)}/draft`, { method: "POST", body: { agent: session.agent } });
        await open(selected);
      } catch (failure) {
        if (failure.status === 404 && failure.code === "reply_drafts_off") {
          draftsOff = true;
          ask.replaceWith(h("p", { class: "muted", id: "drafts-off" }, t("queue.drafts_off")));
        } else if (!onSignedOut(failure)) {
          ask.disabled = false;
          section.append(h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
        }
      }
    });
    section.append(ask);
    return section;
  }

  refresh();
  if (selected) open(selected);
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

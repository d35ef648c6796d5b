// The buyer's order page: status, keys behind "show", redeem guide, "it worked", refund, rating and the assistant.
import { clear, h } from "/console/js/dom.js";
import { maskCode, maskKeys } from "/console/js/mask.js";
import { qrCode } from "./qr.js";
import { formatMoney, formatTime, language, plural, t } from "/console/js/i18n.js";
import {
  ApiError,
  buyerApi,
  forgetOrderToken,
  keepTicket,
  keptPayment,
  keptTicket,
  orderToken,
  problem,
  translated,
} from "./buyer.js";

const orderId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
// Statuses that change by themselves (the payment arrives, the key goes out): the page looks again.
const SETTLING = new Set(["pending_payment", "paid", "awaiting_stock"]);
const WATCH_MS = 3000;
const QUEUE_WATCH_MS = 10000;
const GONE_KEY_STATES = new Set(["replaced", "revoked", "refunded", "charged_back"]);
const REFUND_REASONS = ["key_invalid", "wrong_region", "not_needed", "other"];
const RATING_SCORES = [5, 4, 3, 2, 1];
let token;
let order;
let watching;
const revealed = new Map();
const refund = { step: 1, reason: "", details: "", lines: [] };

// Codes are fetched only when the buyer asks to see them (that fetch is recorded as the key view).
const load = (reveal = false) => buyerApi(`/v1/orders/${encodeURIComponent(orderId)}?reveal=${reveal}`, { token });
const section = (id) => document.getElementById(id);

function linkProblem(code) {
  const expired = code === "expired_link";
  return h(
    "div",
    { class: "card stack", id: "link-problem" },
    h("h1", {}, t(expired ? "link.expired_title" : "link.invalid_title")),
    h("p", {}, t(expired ? "link.expired" : "link.invalid")),
    h("p", {}, h("a", { href: "/lookup" }, t("link.lookup"))),
  );
}

// What the API says the buyer may do now; an API without `actions` is read from the order's status.
function allowed(action) {
  if (order.actions) {
    const reason = order.actions_reasons?.[action];
    if (order.actions[action]) return null;
    return reason ? translated("reason", reason) : t("reason.closed");
  }
  const open = { confirm_activation: ["delivered"], refund: ["delivered", "paid", "awaiting_stock"], rate: ["delivered"], chat: null };
  if (open[action] === null || open[action].includes(order.status)) return null;
  return t("reason.status", { status: t(`status.${order.status}`) });
}

// A row of buttons for one action: when the order does not allow it, disabled, with the reason under them.
function actionRow(action, ...buttons) {
  const reason = allowed(action);
  const id = `why-${action}`;
  for (const button of reason ? buttons : []) {
    button.disabled = true;
    button.setAttribute("aria-describedby", id);
  }
  return [h("div", { class: "row" }, ...buttons), reason ? h("p", { class: "muted", id }, reason) : null];
}

function timeline() {
  return h(
    "ol",
    { class: "timeline" },
    order.timeline.map((step) => h("li", { "data-status": step.status }, h("strong", {}, t(`status.${step.status}`)), " ", h("time", { datetime: step.at }, formatTime(step.at)))),
  );
}

// faka local's sandbox pays a WeChat code or a USDT transfer for the buyer: the page then sees the order paid.
function sandboxButton(payment) {
  if (!payment.sandbox_pay_url) return null;
  const result = h("span", { role: "status" });
  const pay = async (event) => {
    event.target.disabled = true;
    try {
      await buyerApi(new URL(payment.sandbox_pay_url, location.href).pathname, { method: "POST" });
      clear(result, t("payment.sandbox_sent"));
    } catch (error) {
      event.target.disabled = false;
      clear(result, problem(error));
    }
  };
  return h("p", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: pay }, t("payment.sandbox")), result);
}

function paymentHelp() {
  // The checkout tab kept it; a page opened from the email reads it from the order, which keeps it while pending.
  const payment = keptPayment(orderId) ?? order.payment;
  if (!payment) return null;
  const payUrl = payment.checkout_url ?? payment.h5_url; // h5_url: WeChat Pay on a phone, which opens WeChat to pay
  if (payUrl) return h("p", {}, h("a", { href: payUrl }, t("payment.continue")));
  if (payment.code_url) {
    return h("div", { class: "stack" }, h("p", {}, t("payment.wechat")), qrCode(payment.code_url, t("payment.qr_label")), sandboxButton(payment));
  }
  if (payment.address) {
    return h(
      "div",
      { class: "stack" },
      h("p", {}, t("payment.usdt", { amount: payment.amount, expires: formatTime(payment.expires_at) })),
      h("p", {}, t("payment.usdt_address"), " ", h("code", { class: "code", id: "usdt-address" }, payment.address)),
      h("p", {}, t("payment.usdt_amount"), " ", h("code", { class: "code", id: "usdt-amount" }, payment.amount), " USDT"),
      h("p", { class: "muted" }, t("payment.usdt_exact")),
      sandboxButton(payment),
    );
  }
  return null;
}

function statusNote() {
  const note = {
    pending_payment: ["notice", "note.pending_payment"],
    paid: ["notice", "note.paid"],
    awaiting_stock: ["notice", "note.awaiting_stock"],
    expired: ["error", "note.expired"],
    payment_failed: ["error", "note.payment_failed"],
    on_hold: ["notice", "note.on_hold"],
    refund_pending: ["notice", "note.refund_pending"],
    refunded: ["notice", "note.refunded"],
  }[order.status];
  if (!note) return null;
  return h("div", { class: note[0], role: "status" }, h("p", {}, t(note[1])), order.status === "pending_payment" ? paymentHelp() : null);
}

function summary() {
  return h(
    "section",
    { class: "card stack", "aria-labelledby": "order-title" },
    h("h1", { id: "order-title" }, t("order.title", { number: order.order_number ?? order.order_id })),
    h("p", {}, order.product_name, " × ", order.quantity, " · ", formatMoney(order.amount, order.currency)),
    h("p", {}, t("order.status"), " ", h("strong", { id: "order-status" }, t(`status.${order.status}`))),
    order.email_masked ? h("p", { class: "muted" }, t("order.email", { email: order.email_masked })) : null,
    statusNote(),
    h("h2", {}, t("order.timeline")),
    timeline(),
  );
}

async function reveal(line) {
  const view = await load(true);
  const key = view.keys.find((candidate) => lineOf(candidate) === line);
  if (key?.code) revealed.set(line, key);
  drawKeys();
  section("keys").querySelector(`[data-line="${line}"] button.copy`)?.focus();
}

async function copy(code, button) {
  try {
    await navigator.clipboard.writeText(code);
    button.textContent = t("key.copied");
  } catch {
    // No clipboard permission: select the code so the buyer copies it themselves.
    getSelection().selectAllChildren(button.closest(".key").querySelector(".code"));
    button.textContent = t("key.select");
  }
}

const lineOf = (key) => key.line ?? key.line_no;

function keyBlock(key) {
  const line = lineOf(key);
  const state = key.state ?? "delivered";
  const shown = revealed.get(line);
  const code = shown?.code;
  const label = h("span", { class: "muted" }, t("key.label", { line }), " · ", t(`key.state.${state}`));
  if (GONE_KEY_STATES.has(state)) return h("div", { class: "key", dataset: { line } }, label, h("p", {}, t("key.gone")));
  const masked = key.masked ?? maskCode(key.code ?? "");
  return h(
    "div",
    { class: "key", dataset: { line } },
    label,
    h("span", { class: "code", "aria-label": code ? t("key.code") : t("key.hidden") }, code ?? masked),
    // The key's secret parts (a PIN, a password, a card's further lines): shown and hidden with its code.
    ...(shown ?? key).parts?.map((part) => h("span", { class: "part" }, part.name ? `${part.name}: ` : "", h("span", { class: "code" }, part.value ?? part.masked))) ?? [],
    h(
      "div",
      { class: "row" },
      code
        ? h("button", { type: "button", class: "copy", onclick: (event) => copy(code, event.currentTarget) }, t("key.copy"))
        : h("button", { type: "button", class: "show", onclick: () => reveal(line).catch((error) => section("keys").append(problem(error))) }, t("key.show")),
    ),
  );
}

function guide() {
  const found = order.guide;
  if (!found?.steps?.length) return h("p", { class: "muted" }, t("guide.generic", { platform: order.platform, region: order.region }));
  return h(
    "div",
    {},
    // The steps come numbered from the shop's guide text.
    h("ul", { class: "plain" }, found.steps.map((step) => h("li", {}, step))),
    found.url ? h("p", {}, h("a", { href: found.url, rel: "noopener noreferrer", target: "_blank" }, t("guide.link"))) : null,
  );
}

async function activation(status) {
  try {
    await buyerApi(`/v1/orders/${encodeURIComponent(orderId)}/activation`, { method: "POST", token, body: { status } });
    order = await load();
    drawSummary();
    drawKeys();
    // drawKeys built a new result box.
    clear(section("activation-result"), h("p", { class: status === "activated" ? "success" : "notice", role: "status" }, t(`activation.${status}`)));
    if (status === "activated") await drawRating();
    else {
      const input = section("chat").querySelector("textarea");
      if (input && !input.disabled) {
        input.value = t("chat.didnt_work");
        input.focus();
      }
    }
  } catch (error) {
    clear(section("activation-result"), problem(error));
  }
}

function drawKeys() {
  const keys = order.keys ?? [];
  const live = keys.some((key) => !GONE_KEY_STATES.has(key.state ?? "delivered"));
  const activated = order.activation === "activated";
  clear(
    section("keys"),
    h("h2", {}, plural("keys.title", keys.length)),
    keys.length ? keys.map(keyBlock) : h("p", { class: "muted" }, t("keys.none")),
    live ? [h("h2", {}, t("guide.title")), guide()] : null,
    live
      ? h(
        "div",
        { class: "stack" },
        h("h2", {}, t("activation.question")),
        activated ? h("p", { class: "success" }, t("activation.activated")) : null,
        ...actionRow(
          "confirm_activation",
          h("button", { type: "button", id: "worked", onclick: () => activation("activated") }, t("activation.worked")),
          h("button", { type: "button", id: "didnt-work", class: "secondary", onclick: () => activation("failed") }, t("activation.failed_button")),
        ),
        h("div", { id: "activation-result", "aria-live": "polite" }),
      )
      : null,
  );
}

function drawSummary() {
  section("summary").replaceWith(h("div", { id: "summary" }, summary()));
}

// -- refund: reason → lines → confirm -------------------------------------------------------------------------

function refundableLines() {
  return (order.keys ?? []).filter((key) => !GONE_KEY_STATES.has(key.state ?? "delivered")).map(lineOf);
}

function refundStep() {
  const steps = h("ol", { class: "steps" }, [1, 2, 3].map((n) => h("li", { "aria-current": refund.step === n ? "step" : false }, t(`refund.step${n}`))));
  const back = h("button", { type: "button", class: "secondary", onclick: () => { refund.step -= 1; drawRefund(); } }, t("refund.back"));
  if (refund.step === 1) {
    const form = h(
      "form",
      { class: "stack", id: "refund-reason" },
      h("fieldset", {}, h("legend", {}, t("refund.reason")),
        REFUND_REASONS.map((reason) => h("label", { class: "check" }, h("input", { type: "radio", name: "reason", value: reason, required: true, checked: refund.reason === reason }), t(`refund.reason.${reason}`)))),
      h("label", {}, t("refund.details"), h("textarea", { name: "details", maxlength: 1500 }, refund.details)),
      ...actionRow("refund", h("button", { type: "submit" }, t("refund.next"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      Object.assign(refund, { step: 2, reason: data.reason, details: data.details.trim() });
      drawRefund();
    });
    return [steps, form];
  }
  if (refund.step === 2) {
    const lines = refundableLines();
    const chosen = refund.lines.length ? refund.lines : lines;
    const form = h(
      "form",
      { class: "stack", id: "refund-lines" },
      h("fieldset", {}, h("legend", {}, t("refund.lines")),
        lines.map((line) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "line", value: line, checked: chosen.includes(line) }), t("key.label", { line })))),
      h("div", { class: "row" }, back, h("button", { type: "submit" }, t("refund.next"))),
      h("div", { class: "hint", "aria-live": "polite" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const picked = new FormData(form).getAll("line").map(Number);
      if (!picked.length) {
        clear(form.querySelector(".hint"), h("p", { class: "error" }, t("refund.pick_one")));
        return;
      }
      Object.assign(refund, { step: 3, lines: picked });
      drawRefund();
    });
    return [steps, form];
  }
  const perLine = order.amount / order.quantity;
  const confirm = h("button", { type: "button", id: "refund-confirm" }, t("refund.confirm"));
  const result = h("div", { "aria-live": "polite" });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      const reason = [t(`refund.reason.${refund.reason}`), refund.details].filter(Boolean).join(": ");
      const accepted = await buyerApi(`/v1/orders/${encodeURIComponent(orderId)}/refund`, { method: "POST", token, body: { reason, lines: refund.lines } });
      Object.assign(refund, { step: 1, reason: "", details: "", lines: [], accepted: accepted.status });
      order = await load();
      drawSummary();
      drawKeys();
      await drawRefund();
    } catch (error) {
      confirm.disabled = false;
      clear(result, problem(error));
    }
  });
  return [
    steps,
    h("dl", {},
      h("dt", {}, t("refund.reason")), h("dd", {}, t(`refund.reason.${refund.reason}`), refund.details ? ` — ${refund.details}` : ""),
      h("dt", {}, t("refund.lines")), h("dd", {}, refund.lines.map((line) => t("key.label", { line })).join(", ")),
      h("dt", {}, t("refund.amount")), h("dd", {}, formatMoney(Math.round(perLine * refund.lines.length), order.currency))),
    h("div", { class: "row" }, back, confirm),
    result,
  ];
}

async function drawRefund() {
  const list = await buyerApi(`/v1/orders/${encodeURIComponent(orderId)}/refunds`, { token }).then((found) => found.refunds, () => []);
  clear(
    section("refund"),
    h("h2", {}, t("refund.title")),
    refund.accepted ? h("p", { class: "success", role: "status" }, t("refund.accepted")) : null,
    list.map((item) =>
      h("div", { class: "notice refund-decision", dataset: { status: item.status } },
        h("strong", {}, translated("refund.status", item.status)),
        " · ", formatMoney(item.amount, item.currency), " · ", formatTime(item.created_at),
        item.decision_reason ? h("p", {}, maskKeys(item.decision_reason)) : null)),
    refundStep(),
  );
}

// -- rating ---------------------------------------------------------------------------------------------------

async function drawRating() {
  const box = section("rating");
  let form;
  try {
    form = await buyerApi(`/v1/orders/${encodeURIComponent(orderId)}/rating-form`, { token });
  } catch {
    clear(box);
    return;
  }
  if (form.rated) {
    clear(box, h("h2", {}, t("rating.title")), h("p", { class: "success" }, t("rating.thanks")));
    return;
  }
  if (!form.eligible) {
    const when = form.eligible_at ? t("rating.opens_at", { time: formatTime(form.eligible_at) }) : t("rating.opens_later");
    clear(box, h("h2", {}, t("rating.title")), h("p", { class: "muted" }, when));
    return;
  }
  const element = h(
    "form",
    { class: "stack", id: "rating-form" },
    form.dimensions.map((dimension) =>
      h("fieldset", {}, h("legend", {}, dimension.label),
        h("div", { class: "stars" }, RATING_SCORES.map((score) =>
          h("label", { class: "check" }, h("input", { type: "radio", name: dimension.key, value: score, required: dimension.required }), plural("rating.stars", score)))))),
    h("label", {}, t("rating.comment"), h("textarea", { name: "comment", maxlength: 2000 })),
    h("button", { type: "submit" }, t("rating.submit")),
    h("div", { "aria-live": "polite" }),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(element));
    const scores = Object.fromEntries(form.dimensions.filter((d) => data[d.key]).map((d) => [d.key, Number(data[d.key])]));
    try {
      await buyerApi(`/v1/orders/${encodeURIComponent(orderId)}/rating`, { method: "POST", token, body: { scores, ...(data.comment.trim() ? { comment: data.comment.trim() } : {}) } });
      await drawRating();
    } catch (error) {
      clear(element.lastElementChild, problem(error));
    }
  });
  clear(box, h("h2", {}, form.title || t("rating.title")), element);
}

// -- the assistant --------------------------------------------------------------------------------------------

let queueTimer;

async function drawChat(answer) {
  const ticket = keptTicket(orderId);
  let thread = null;
  if (ticket) thread = await buyerApi(`/v1/tickets/${encodeURIComponent(ticket.ticket_id)}`, { token: ticket.ticket_token }).catch(() => null);
  const input = h("textarea", { name: "message", required: true, maxlength: 5000, id: "chat-message" });
  const form = h(
    "form",
    { class: "stack", id: "chat-form" },
    h("label", { for: "chat-message" }, t("chat.label")),
    input,
    ...actionRow("chat", h("button", { type: "submit" }, t("chat.send"))),
    h("div", { "aria-live": "polite" }),
  );
  if (allowed("chat")) input.disabled = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message) return;
    form.querySelector("button[type=submit]").disabled = true;
    try {
      const reply = ticket
        ? await buyerApi(`/v1/tickets/${encodeURIComponent(ticket.ticket_id)}/messages`, { method: "POST", token: ticket.ticket_token, body: { message } })
        : await openTicket(message);
      order = await load();
      drawSummary();
      drawKeys();
      await drawChat(reply);
      section("chat-message").focus();
    } catch (error) {
      form.querySelector("button[type=submit]").disabled = false;
      clear(form.lastElementChild, problem(error));
    }
  });
  const messages = thread?.messages ?? [];
  const queue = thread?.queue;
  clear(
    section("chat"),
    h("h2", {}, t("chat.title")),
    h("p", { class: "muted" }, t("chat.intro")),
    h("div", { class: "thread", role: "log", "aria-live": "polite" },
      messages.map((message) =>
        h("div", { class: `msg ${message.author}` },
          h("span", { class: "meta" }, translated("author", message.author), " · ", formatTime(message.created_at)),
          maskKeys(message.body))),
      !messages.length && answer ? h("div", { class: "msg assistant" }, maskKeys(answer.reply)) : null),
    queue ? h("p", { class: "notice", id: "queue" }, plural("chat.queue", queue.position, { eta: plural("chat.eta", queue.eta_minutes) })) : null,
    form,
  );
  clearTimeout(queueTimer);
  // While a person is awaited the place in the queue moves: look again now and then.
  if (queue) queueTimer = setTimeout(() => drawChat().catch(() => {}), QUEUE_WATCH_MS);
}

async function openTicket(message) {
  const opened = await buyerApi("/v1/tickets", { method: "POST", body: { order_id: orderId, access_token: token, message, locale: language() } });
  keepTicket(orderId, { ticket_id: opened.ticket_id, ticket_token: opened.ticket_token });
  return opened;
}

// -- the page -------------------------------------------------------------------------------------------------

function watch(view) {
  clearTimeout(watching);
  if (!SETTLING.has(order.status)) return;
  watching = setTimeout(async () => {
    const seen = order.status;
    try {
      const now = await load();
      if (now.status === seen) {
        watch(view);
        return;
      }
    } catch {
      watch(view);
      return;
    }
    await render(view);
  }, WATCH_MS);
}

export async function render(view) {
  token ??= orderToken(orderId);
  if (!token) {
    clear(view, linkProblem("no_token"));
    return;
  }
  try {
    order = await load();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      forgetOrderToken(orderId);
      clear(view, linkProblem(error.code));
      return;
    }
    throw error;
  }
  clear(
    view,
    h("div", { id: "summary" }, summary()),
    h("section", { class: "card stack", id: "keys" }),
    h("section", { class: "card stack", id: "chat" }),
    h("section", { class: "card stack", id: "refund" }),
    h("section", { class: "card stack", id: "rating" }),
  );
  drawKeys();
  await Promise.all([drawChat(), drawRefund(), drawRating()]);
  watch(view);
}

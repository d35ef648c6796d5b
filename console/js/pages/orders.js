import { api, download } from "../api.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatNumber, formatTime, plural, t } from "../i18n.js";
import { fields, showDone, showFailure, table } from "../ui.js";

// faka.domain.model.OrderStatus: the statuses GET /v1/admin/orders filters on.
const STATUSES = ["pending_payment", "paid", "delivered", "awaiting_stock", "on_hold", "refund_pending", "refunded", "expired"];
const PAGE_SIZE = 50;

const orderLink = (order) => h("a", { href: `#/orders/${encodeURIComponent(order.order_id)}`, class: "order-link" }, order.order_id);

// The status and the link first: what a phone shows before the table is scrolled.
const COLUMNS = [
  { key: "orders.status", cell: (o) => h("span", { class: `tag status-${o.status}` }, t(`order_status.${o.status}`)) },
  { key: "orders.order_id", cell: orderLink },
  { key: "orders.amount", cell: (o) => formatMoney(o.amount, o.currency) },
  { key: "orders.created_at", cell: (o) => formatTime(o.created_at) },
  { key: "orders.sku", cell: (o) => `${o.sku} × ${formatNumber(o.quantity)}` },
  { key: "orders.email", cell: (o) => o.email },
  { key: "orders.flag_reason", cell: (o) => o.flag_reason },
];

// A list of orders with "more" paging: each page is GET /v1/admin/orders with the same filters and the
// previous answer's next_cursor.
function pagedList({ onSignedOut, rowActions }) {
  const results = h("div", { id: "order-results" });
  const count = h("p", { class: "muted", id: "order-count" });
  const more = h("button", { type: "button", class: "secondary", id: "more-orders", hidden: true }, t("orders.more"));
  let shown = [];
  let filters = {};
  let cursor = null;
  // Each search starts a new generation: a page that arrives after the operator searched again is dropped.
  let generation = 0;
  const columns = rowActions ? [...COLUMNS, { key: "orders.actions", cell: rowActions }] : COLUMNS;

  async function fetchPage() {
    const query = new URLSearchParams({ ...filters, limit: String(PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    more.disabled = true;
    const asked = generation;
    try {
      const page = await api(`/v1/admin/orders?${query}`);
      if (asked !== generation) return;
      shown = [...shown, ...page.orders];
      cursor = page.next_cursor;
      clear(results, shown.length ? table(columns, shown, (o) => ({ dataset: { order: o.order_id } })) : h("p", { class: "card muted", id: "no-orders" }, t("orders.none")));
      count.textContent = plural(cursor ? "orders.count_more" : "orders.count", shown.length);
      more.hidden = !cursor;
    } catch (failure) {
      showFailure(results, failure, onSignedOut, { key: "error.load" });
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", fetchPage);

  function search(wanted) {
    filters = Object.fromEntries(Object.entries(wanted).filter(([, value]) => value));
    generation += 1;
    shown = [];
    cursor = null;
    return fetchPage();
  }
  return { element: h("div", {}, count, results, more), search, filters: () => filters };
}

export function render(view, context) {
  if (context.param) return renderDetail(view, context);
  const { onSignedOut } = context;
  const message = h("div", { id: "export-message" });
  const form = h(
    "form",
    { class: "row", id: "order-search" },
    h("label", {}, t("orders.email"), h("input", { name: "email", type: "email", autocomplete: "off" })),
    h("label", {}, t("orders.status"), h("select", { name: "status" }, h("option", { value: "" }, t("orders.any_status")), STATUSES.map((status) => h("option", { value: status }, t(`order_status.${status}`))))),
    h("label", {}, t("orders.sku"), h("input", { name: "sku" })),
    h("label", {}, t("orders.from"), h("input", { name: "from", type: "date" })),
    h("label", {}, t("orders.to"), h("input", { name: "to", type: "date" })),
    h("button", { type: "submit" }, t("orders.search")),
    h("button", { type: "button", class: "secondary", id: "export-orders" }, t("orders.export")),
  );
  const list = pagedList({ onSignedOut });
  view.append(h("h1", {}, t("nav.orders")), h("div", { class: "card" }, form, message), list.element);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clear(message);
    list.search(fields(form));
  });
  form.querySelector("#export-orders").addEventListener("click", async () => {
    const query = new URLSearchParams(Object.entries(fields(form)).filter(([, value]) => value));
    try {
      const saved = await download(`/v1/admin/orders/export?${query}`, "orders.csv");
      showDone(message, t("orders.exported", { name: saved.name, size: formatNumber(saved.size) }));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
  });
  list.search({});
}

// The orders the checkout risk rules hold: each released (delivered) or opened to cancel it.
export function renderHeld(view, { onSignedOut }) {
  const message = h("div", { id: "held-message" });
  const list = pagedList({
    onSignedOut,
    rowActions: (order) => h("button", { type: "button", class: "release", onclick: () => release(order.order_id) }, t("orders.release")),
  });
  view.append(h("h1", {}, t("nav.held")), h("p", { class: "muted" }, t("orders.held_help")), message, list.element);

  async function release(orderId) {
    try {
      const outcome = await api(`/v1/admin/orders/${encodeURIComponent(orderId)}/release`, { method: "POST" });
      showDone(message, t("orders.released", { id: orderId, status: t(`order_status.${outcome.status}`) }));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
    await list.search({ status: "on_hold" });
  }
  list.search({ status: "on_hold" });
}

function renderDetail(view, { param: orderId, onSignedOut }) {
  const body = h("div", { id: "order-detail" });
  const message = h("div", { id: "order-message" });
  view.append(h("p", {}, h("a", { href: "#/orders" }, t("orders.back"))), h("h1", {}, t("orders.title", { id: orderId })), message, body);
  const path = `/v1/admin/orders/${encodeURIComponent(orderId)}`;

  async function act(action, request, done) {
    try {
      const answer = await api(`${path}/${action}`, { method: "POST", body: request });
      showDone(message, done(answer));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
    await load();
  }

  function heldActions() {
    const cancel = h(
      "form",
      { class: "stack", id: "cancel-order" },
      h("label", {}, t("orders.cancel_reason"), h("textarea", { name: "reason", required: true, maxlength: 2000 })),
      h("button", { type: "submit", class: "danger" }, t("orders.cancel")),
    );
    cancel.addEventListener("submit", (event) => {
      event.preventDefault();
      act("cancel", { reason: fields(cancel).reason }, (refund) => t("orders.cancelled", { refund: refund.refund_id }));
    });
    return h(
      "div",
      { class: "card" },
      h("h2", {}, t("orders.held_title")),
      h("p", { class: "muted" }, t("orders.held_help")),
      h("button", { type: "button", id: "release-order", onclick: () => act("release", undefined, (outcome) => t("orders.released", { id: orderId, status: t(`order_status.${outcome.status}`) })) }, t("orders.release")),
      cancel,
    );
  }

  function activationForm(order) {
    const form = h(
      "form",
      { class: "row", id: "activation-form" },
      h("label", {}, t("orders.activation"), h("select", { name: "status" }, ["activated", "failed"].map((status) => h("option", { value: status }, t(`activation.${status}`))))),
      h("label", {}, t("orders.line"), h("select", { name: "line_no" }, h("option", { value: "" }, t("orders.all_lines")), order.keys.map((key) => h("option", { value: String(key.line_no) }, String(key.line_no))))),
      h("button", { type: "submit", class: "secondary" }, t("orders.record")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = fields(form);
      const request = { status: data.status, ...(data.line_no ? { line_no: Number(data.line_no) } : {}) };
      act("activation", request, (receipt) => plural("orders.activation_recorded", receipt.changed_lines));
    });
    return h("div", { class: "card" }, h("h2", {}, t("orders.activation_title")), form);
  }

  async function load() {
    let order;
    try {
      order = await api(path);
    } catch (failure) {
      showFailure(body, failure, onSignedOut, { key: "error.load" });
      return;
    }
    const rows = [
      ["status", t(`order_status.${order.status}`)],
      ["sku", `${order.sku} × ${formatNumber(order.quantity)}`],
      ["amount", formatMoney(order.amount, order.currency)],
      ["email", order.email],
      ["buyer_ip", order.buyer_ip],
      ["buyer_country", order.buyer_country],
      ["flag_reason", order.flag_reason],
      ["payment_ref", order.payment_ref],
    ];
    const evidence = h("button", { type: "button", class: "secondary", id: "evidence" }, t("orders.evidence"));
    evidence.addEventListener("click", async () => {
      try {
        const saved = await download(`${path}/evidence`, `evidence-${orderId}.json`);
        showDone(message, t("orders.exported", { name: saved.name, size: formatNumber(saved.size) }));
      } catch (failure) {
        showFailure(message, failure, onSignedOut);
      }
    });
    clear(
      body,
      h(
        "div",
        { class: "card" },
        h("table", { class: "fields" }, h("tbody", {}, rows.map(([name, value]) => h("tr", {}, h("th", {}, t(`orders.${name}`)), h("td", { dataset: { field: name } }, value ?? "—"))))),
        h("h2", {}, t("orders.keys")),
        order.keys.length ? h("ul", { id: "order-keys" }, order.keys.map((key) => h("li", {}, t("orders.key_line", { line: key.line_no, code: [key.code, ...(key.parts ?? []).map((part) => (part.name ? `${part.name}: ${part.value}` : part.value))].join(" · ") })))) : h("p", { class: "muted" }, t("orders.no_keys")),
        h("p", {}, evidence),
      ),
      order.status === "on_hold" ? heldActions() : null,
      order.keys.length ? activationForm(order) : null,
    );
  }
  load();
}

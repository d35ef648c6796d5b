// The platform's ledger for the signed-in shop: balances per currency, entries by date (paged), the settlement
// report as CSV; the platform operator can also see every shop's balances (GET /v1/admin/ledger without a shop).
import { api, download, session } from "../api.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatNumber, formatTime, t } from "../i18n.js";
import { fields, showDone, showFailure, table } from "../ui.js";

const PAGE_SIZE = 50;
const ACCOUNTS = ["shop", "commission", "advances", "funds"];

const BALANCE_COLUMNS = [
  { key: "ledger.shop", cell: (b) => b.shop_id },
  { key: "ledger.account", cell: (b) => t(`ledger.account_${b.account}`) },
  { key: "ledger.amount", cell: (b) => formatMoney(b.amount, b.currency) },
];

// Each entry's legs in one cell: "shop +19.00 · commission +1.00 · funds −20.00".
const postings = (entry) => entry.postings.map((p) => `${t(`ledger.account_${p.account}`)} ${p.amount > 0 ? "+" : ""}${formatMoney(p.amount, entry.currency)}`).join(" · ");

const ENTRY_COLUMNS = [
  { key: "ledger.occurred_at", cell: (e) => formatTime(e.occurred_at) },
  { key: "ledger.kind", cell: (e) => h("span", { class: `tag ledger-${e.kind}` }, t(`ledger.kind_${e.kind}`)) },
  { key: "ledger.order", cell: (e) => h("a", { href: `#/orders/${encodeURIComponent(e.order_id)}` }, e.order_id) },
  { key: "ledger.postings", cell: postings },
  { key: "ledger.commission_rate", cell: (e) => (e.commission_bps === null ? null : `${formatNumber(e.commission_bps / 100)} %`) },
];

const byAccount = (balances) => [...balances].sort((a, b) => a.shop_id.localeCompare(b.shop_id) || a.currency.localeCompare(b.currency) || ACCOUNTS.indexOf(a.account) - ACCOUNTS.indexOf(b.account));

export function render(view, { onSignedOut }) {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
  const form = h(
    "form",
    { class: "row", id: "ledger-period" },
    h("label", {}, t("dashboard.from"), h("input", { name: "from", type: "date", value: monthAgo, required: true })),
    h("label", {}, t("dashboard.to"), h("input", { name: "to", type: "date", value: today, required: true })),
    h("button", { type: "submit" }, t("dashboard.apply")),
    h("button", { type: "button", class: "secondary", id: "ledger-settlement" }, t("ledger.settlement")),
    h("button", { type: "button", class: "secondary", id: "ledger-all-shops" }, t("ledger.all_shops")),
  );
  const message = h("div", { id: "ledger-message" });
  const balances = h("div", { id: "ledger-balances" });
  const entries = h("div", { id: "ledger-entries" });
  const more = h("button", { type: "button", class: "secondary", id: "ledger-more", hidden: true }, t("orders.more"));
  view.append(
    h("h1", {}, t("nav.ledger")),
    h("p", { class: "muted" }, t("ledger.help")),
    h("div", { class: "card" }, form, message),
    h("h2", {}, t("ledger.balances")),
    balances,
    h("h2", {}, t("ledger.entries")),
    entries,
    more,
  );

  let shown = [];
  let cursor = null;
  let period = fields(form);

  async function fetchPage() {
    const query = new URLSearchParams({ ...period, limit: String(PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    more.disabled = true;
    try {
      const ledger = await api(`/v1/admin/ledger?${query}`);
      shown = [...shown, ...ledger.entries];
      cursor = ledger.next_cursor;
      clear(balances, ledger.balances.length ? table(BALANCE_COLUMNS, byAccount(ledger.balances)) : h("p", { class: "card muted" }, t("ledger.no_balances")));
      clear(entries, shown.length ? table(ENTRY_COLUMNS, shown, (e) => ({ dataset: { cause: e.cause } })) : h("p", { class: "card muted", id: "no-entries" }, t("ledger.no_entries")));
      more.hidden = !cursor;
    } catch (failure) {
      showFailure(entries, failure, onSignedOut, { key: "error.load" });
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", fetchPage);

  function load() {
    period = fields(form);
    shown = [];
    cursor = null;
    clear(message);
    fetchPage();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });

  form.querySelector("#ledger-settlement").addEventListener("click", async () => {
    const query = new URLSearchParams(fields(form));
    try {
      const saved = await download(`/v1/admin/ledger/settlement?${query}`, "settlement.csv");
      showDone(message, t("orders.exported", { name: saved.name, size: formatNumber(saved.size) }));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
  });

  // Without X-Faka-Shop the platform operator's token sees every shop; a shop's token is refused (403), which
  // here means "platform only", not a sign-out.
  form.querySelector("#ledger-all-shops").addEventListener("click", async () => {
    try {
      const ledger = await api("/v1/admin/ledger", { as: { ...session(), shop: "" } });
      clear(balances, table(BALANCE_COLUMNS, byAccount(ledger.balances)));
      clear(entries);
      more.hidden = true;
    } catch (failure) {
      showFailure(message, failure, onSignedOut, { platformOnly: true });
    }
  });

  load();
}

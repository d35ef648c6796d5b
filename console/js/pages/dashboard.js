import { api } from "../api.js";
import { barChart, lineChart, ringChart } from "../charts.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatNumber, formatPercent, formatSeconds, t } from "../i18n.js";
import { maskKeys } from "../mask.js";

export const REFRESH_MS = 5000;
const HISTORY = 30;
const DAY_MS = 86_400_000;

const formats = {
  count: (value) => formatNumber(value, { maximumFractionDigits: 0 }),
  number: (value) => formatNumber(value, { maximumFractionDigits: 1 }),
  rate: formatPercent,
  seconds: formatSeconds,
  score: (value) => formatNumber(value, { maximumFractionDigits: 2 }),
};

// Where each figure is in the summary report (GET /v1/admin/reports/summary). While a deployment lacks
// it, fallbackSummary() puts the older per-topic reports' figures at the same places.
const KPIS = [
  { id: "sales", format: "count", path: "overall.orders" },
  { id: "delivery_latency", format: "seconds", path: "overall.mean_delivery_seconds" },
  { id: "activation_rate", format: "rate", path: "overall.activation_rate" },
  { id: "tickets_per_100_orders", format: "number", path: "overall.tickets_per_100_orders" },
  { id: "auto_resolution_rate", format: "rate", path: "overall.auto_resolution_rate" },
  { id: "handoff_rate", format: "rate", path: "overall.handoff_rate" },
  { id: "first_response", format: "seconds", path: "overall.mean_first_response_seconds" },
  { id: "csat", format: "score", path: "overall.csat.mean" },
  { id: "bad_review_rate", format: "rate", path: "overall.ratings.bad_review_rate" },
  { id: "refunds", format: "count", path: "overall.refunds.count" },
];
const RINGS = ["activation_rate", "auto_resolution_rate", "handoff_rate"];

function lookup(source, path) {
  const value = path.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), source);
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function fallbackSummary(activation, tickets) {
  return { overall: { activation_rate: activation?.activation_rate ?? null, ...(tickets?.overall ?? {}) } };
}

async function optional(path) {
  try {
    return await api(path);
  } catch (failure) {
    if (failure.missing) return null;
    throw failure;
  }
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

export function render(view, { onSignedOut }) {
  const history = new Map(KPIS.map((kpi) => [kpi.id, []]));
  const range = h(
    "form",
    { class: "row", id: "range" },
    h("label", {}, t("dashboard.from"), h("input", { type: "date", name: "from", value: isoDay(new Date(Date.now() - 30 * DAY_MS)) })),
    h("label", {}, t("dashboard.to"), h("input", { type: "date", name: "to", value: isoDay(new Date()) })),
    h("button", { type: "submit", class: "secondary" }, t("dashboard.apply")),
  );
  const status = h("p", { class: "muted", id: "updated" });
  const body = h("div", { id: "dashboard", dataset: { refreshes: "0" } });
  view.append(h("h1", {}, t("nav.dashboard")), range, status, body);

  let refreshes = 0;
  async function refresh() {
    const { from, to } = Object.fromEntries(new FormData(range));
    try {
      const query = new URLSearchParams({ from, to }).toString();
      const [summary, activation, tickets, products, suggestions] = await Promise.all([
        optional(`/v1/admin/reports/summary?${query}`),
        optional("/v1/admin/reports/activation"),
        optional("/v1/admin/reports/tickets"),
        api("/v1/admin/products"),
        optional("/v1/admin/reports/suggestions"),
      ]);
      const figures = summary ?? fallbackSummary(activation, tickets);
      const stamp = new Date().toLocaleTimeString();
      const values = Object.fromEntries(KPIS.map((kpi) => [kpi.id, lookup(figures, kpi.path)]));
      for (const kpi of KPIS) {
        if (values[kpi.id] === null) continue;
        const points = history.get(kpi.id);
        points.push({ label: stamp, value: values[kpi.id] });
        if (points.length > HISTORY) points.shift();
      }
      clear(body, ...draw({ summary, tickets, activation, products: products.products, suggestions, values, history }));
      refreshes += 1;
      body.dataset.refreshes = String(refreshes);
      status.textContent = t("dashboard.updated", { time: stamp, seconds: REFRESH_MS / 1000 });
    } catch (failure) {
      if (!onSignedOut(failure)) status.textContent = t("error.load", { message: failure.message });
    }
  }

  range.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const points of history.values()) points.length = 0;
    refresh();
  });
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

function draw({ summary, tickets, activation, products, suggestions, values, history }) {
  const parts = [];
  if (!summary) parts.push(h("p", { class: "notice", id: "summary-missing" }, t("dashboard.summary_missing")));
  parts.push(
    h(
      "div",
      { class: "grid" },
      KPIS.map((kpi) => {
        const value = values[kpi.id];
        const format = formats[kpi.format];
        return h(
          "div",
          { class: "card kpi", dataset: { kpi: kpi.id } },
          h("div", { class: "label" }, t(`kpi.${kpi.id}`)),
          h("div", { class: value === null ? "value na" : "value" }, value === null ? t("kpi.na") : format(value)),
          kpi.id === "sales" && summary ? h("div", { class: "muted" }, Object.entries(summary.overall.revenue ?? {}).map(([currency, minor]) => formatMoney(minor, currency)).join(" · ")) : null,
          value === null ? null : lineChart(history.get(kpi.id), { title: t(`kpi.${kpi.id}`), format }),
        );
      }),
    ),
  );
  const panels = [];
  const rings = RINGS.filter((id) => values[id] !== null);
  if (rings.length) {
    panels.push(
      h(
        "div",
        { class: "card" },
        h("h2", {}, t("dashboard.rates")),
        h("div", { class: "grid" }, rings.map((id) => h("div", {}, h("div", { class: "muted" }, t(`kpi.${id}`)), ringChart(values[id], { title: t(`kpi.${id}`), format: formatPercent })))),
      ),
    );
  }
  panels.push(
    h(
      "div",
      { class: "card", id: "stock-chart" },
      h("h2", {}, t("dashboard.stock")),
      barChart(products.map((product) => ({ label: product.sku, value: product.stock })), { title: t("dashboard.stock"), format: formats.count }),
      h("p", { class: "muted" }, products.map((product) => `${product.sku}: ${formatMoney(product.price, product.currency)}`).join(" · ")),
    ),
  );
  const perProduct = Object.entries(summary?.products ?? {});
  if (perProduct.length) {
    panels.push(
      h(
        "div",
        { class: "card", id: "sales-chart" },
        h("h2", {}, t("dashboard.sales_per_product")),
        barChart(perProduct.map(([sku, row]) => ({ label: sku, value: row.orders ?? 0 })), { title: t("dashboard.sales_per_product"), format: formats.count }),
      ),
    );
  }
  const found = suggestions?.suggestions ?? [];
  if (found.length) {
    panels.push(h("div", { class: "card", id: "suggestions" }, h("h2", {}, t("dashboard.suggestions")), h("ul", {}, found.map((item) => h("li", {}, maskKeys(item.text))))));
  }
  const intents = Object.entries(tickets?.intents ?? {}).map(([intent, row]) => ({ label: t(`intent.${intent}`), value: row?.opened ?? 0 }));
  panels.push(
    h(
      "div",
      { class: "card", id: "intent-chart" },
      h("h2", {}, t("dashboard.tickets_per_intent")),
      intents.length ? barChart(intents, { title: t("dashboard.tickets_per_intent"), format: formats.count }) : h("p", { class: "muted" }, t("dashboard.no_tickets")),
    ),
  );
  const levels = Object.entries(activation?.activations_after_reminder_level ?? {}).map(([level, count]) => ({ label: t("dashboard.level", { level }), value: count }));
  if (levels.length) {
    panels.push(
      h(
        "div",
        { class: "card" },
        h("h2", {}, t("dashboard.activations_by_level")),
        barChart(levels, { title: t("dashboard.activations_by_level"), format: formats.count }),
      ),
    );
  }
  parts.push(h("div", { class: "wide" }, panels));
  return parts;
}

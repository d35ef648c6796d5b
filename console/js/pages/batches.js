import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatNumber, formatPercent, t } from "../i18n.js";

const REPORT = "/v1/admin/reports/batches";
const COLUMNS = ["sku", "batch_id", "supplier", "status", "imported", "issued", "activated", "activation_failures", "invalid_claims", "defect_rate", "quarantine_rule"];

function cell(column, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (column === "defect_rate") return formatPercent(value);
  if (column === "status") return t(`batch_status.${value}`);
  return typeof value === "number" ? formatNumber(value) : String(value);
}

export function render(view, { onSignedOut }) {
  const health = h("div", { id: "batch-report" });
  const message = h("div", { role: "status" });
  const change = h(
    "form",
    { class: "row", id: "batch-status" },
    h("label", {}, t("products.sku"), h("input", { name: "sku", required: true })),
    h("label", {}, t("products.batch"), h("input", { name: "batch", required: true })),
    h("label", {}, t("batches.status"), h("select", { name: "status" }, ["suspended", "active"].map((status) => h("option", { value: status }, t(`batch_status.${status}`))))),
    h("button", { type: "submit" }, t("batches.apply")),
  );
  view.append(h("h1", {}, t("nav.batches")), health, h("h2", {}, t("batches.change_title")), h("div", { class: "card" }, change, message));

  async function setStatus(sku, batch, status) {
    try {
      await api(`/v1/admin/products/${encodeURIComponent(sku)}/batches/${encodeURIComponent(batch)}`, { method: "PUT", body: { status } });
      clear(message, h("p", { class: "ok" }, t("batches.changed", { batch, status: t(`batch_status.${status}`) })));
      load();
    } catch (failure) {
      if (!onSignedOut(failure)) clear(message, h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
    }
  }

  change.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(change));
    setStatus(data.sku.trim(), data.batch.trim(), data.status);
  });

  // Each reported batch can be suspended (or resumed) from its own row.
  function toggle(row) {
    if (row.status !== "active" && row.status !== "suspended") return "—";
    const next = row.status === "active" ? "suspended" : "active";
    return h("button", { type: "button", class: `secondary ${next === "suspended" ? "suspend" : "resume"}`, onclick: () => setStatus(row.sku, row.batch_id, next) }, t(next === "suspended" ? "batches.suspend" : "batches.resume"));
  }

  async function load() {
    try {
      const report = await api(REPORT);
      const rows = Array.isArray(report?.batches) ? report.batches : [];
      if (!rows.length) {
        clear(health, h("p", { class: "card muted" }, t("batches.none")));
        return;
      }
      clear(
        health,
        h(
          "div",
          { class: "scroll" },
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, COLUMNS.map((column) => h("th", {}, t(`batch.${column}`))), h("th", {}, t("batches.action")))),
            h("tbody", {}, rows.map((row) => h("tr", { dataset: { batch: row.batch_id, sku: row.sku } }, COLUMNS.map((column) => h("td", {}, cell(column, row[column]))), h("td", {}, toggle(row))))),
          ),
        ),
      );
    } catch (failure) {
      if (failure.missing) clear(health, h("p", { class: "notice", id: "batch-report-missing" }, t("batches.report_missing")));
      else if (!onSignedOut(failure)) clear(health, h("p", { class: "error" }, t("error.load", { message: failure.message })));
    }
  }

  load();
}

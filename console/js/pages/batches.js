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

  change.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(change));
    try {
      await api(`/v1/admin/products/${encodeURIComponent(data.sku.trim())}/batches/${encodeURIComponent(data.batch.trim())}`, { method: "PUT", body: { status: data.status } });
      clear(message, h("p", { class: "ok" }, t("batches.changed", { batch: data.batch.trim(), status: t(`batch_status.${data.status}`) })));
      load();
    } catch (failure) {
      if (!onSignedOut(failure)) clear(message, h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
    }
  });

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
          "table",
          {},
          h("thead", {}, h("tr", {}, COLUMNS.map((column) => h("th", {}, t(`batch.${column}`))))),
          h("tbody", {}, rows.map((row) => h("tr", { dataset: { batch: row.batch_id } }, COLUMNS.map((column) => h("td", {}, cell(column, row[column])))))),
        ),
      );
    } catch (failure) {
      if (failure.missing) clear(health, h("p", { class: "notice", id: "batch-report-missing" }, t("batches.report_missing")));
      else if (!onSignedOut(failure)) clear(health, h("p", { class: "error" }, t("error.load", { message: failure.message })));
    }
  }

  load();
}

import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatNumber, t } from "../i18n.js";

// The API takes up to 10,000 codes per request; smaller chunks show progress and keep each request short.
const DEFAULT_CHUNK = 500;
const API_LIMIT = 10_000;

export function render(view, { onSignedOut }) {
  const catalog = h("div", { id: "catalog" });
  const progress = h("progress", { id: "import-progress", max: 1, value: 0 });
  const report = h("div", { id: "import-report", role: "status" });
  const codes = h("textarea", { name: "keys", id: "import-keys", autocomplete: "off", spellcheck: "false" });
  const skus = h("select", { name: "sku", required: true });
  const form = h(
    "form",
    { class: "stack", id: "import" },
    h("label", {}, t("products.sku"), skus),
    h("label", {}, t("products.batch"), h("input", { name: "batch", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*" })),
    h("label", {}, t("products.supplier"), h("input", { name: "supplier" })),
    h("label", {}, t("products.chunk"), h("input", { name: "chunk", type: "number", min: 1, max: API_LIMIT, value: DEFAULT_CHUNK })),
    h("label", {}, t("products.keys"), codes),
    h("label", {}, t("products.file"), h("input", { type: "file", name: "file", accept: ".csv,.txt,text/plain,text/csv" })),
    h("button", { type: "submit" }, t("products.import")),
  );
  view.append(
    h("h1", {}, t("nav.products")),
    catalog,
    h("h2", {}, t("products.import_title")),
    h("div", { class: "card" }, h("p", { class: "muted" }, t("products.import_help")), form, progress, report),
  );

  async function load() {
    try {
      const { products } = await api("/v1/admin/products");
      const chosen = skus.value;
      clear(skus, products.map((product) => h("option", { value: product.sku, selected: product.sku === chosen }, product.sku)));
      clear(
        catalog,
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["products.sku", "products.name", "products.price", "products.region", "products.platform", "products.stock"].map((key) => h("th", {}, t(key))))),
          h(
            "tbody",
            {},
            products.map((product) =>
              h("tr", { dataset: { sku: product.sku } }, h("td", {}, product.sku), h("td", {}, product.name), h("td", {}, formatMoney(product.price, product.currency)), h("td", {}, product.region), h("td", {}, product.platform), h("td", { class: "stock" }, formatNumber(product.stock))),
            ),
          ),
        ),
      );
    } catch (failure) {
      if (!onSignedOut(failure)) clear(catalog, h("p", { class: "error" }, t("error.load", { message: failure.message })));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const file = data.get("file");
    const text = file && file.size ? await file.text() : codes.value;
    // The codes leave the page as soon as they are read: from here on only counts are shown.
    codes.value = "";
    form.querySelector("input[type=file]").value = "";
    const keys = text.split(/[\r\n,;\t]+/).map((code) => code.trim()).filter((code) => code && !/^(code|key)$/i.test(code));
    const chunk = Math.min(Math.max(Number(data.get("chunk")) || DEFAULT_CHUNK, 1), API_LIMIT);
    await importKeys(String(data.get("sku")), String(data.get("batch")).trim(), String(data.get("supplier")).trim(), keys, chunk);
  });

  async function importKeys(sku, batch, supplier, keys, chunk) {
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    progress.max = Math.max(keys.length, 1);
    progress.value = 0;
    let imported = 0;
    const rejected = [];
    const line = h("p", { id: "import-status" });
    clear(report, line);
    try {
      for (let start = 0; start < keys.length; start += chunk) {
        const result = await api(`/v1/admin/products/${encodeURIComponent(sku)}/keys`, {
          method: "POST",
          body: { batch, supplier, keys: keys.slice(start, start + chunk) },
        });
        imported += result.imported;
        rejected.push(...result.rejected.map((item) => ({ index: start + item.index, code: item.code })));
        progress.value = Math.min(start + chunk, keys.length);
        line.textContent = t("products.progress", { done: progress.value, total: keys.length, imported, rejected: rejected.length });
      }
      line.classList.add("ok");
      line.textContent = t("products.done", { total: keys.length, imported, rejected: rejected.length });
    } catch (failure) {
      if (onSignedOut(failure)) return;
      report.append(h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
    } finally {
      button.disabled = false;
    }
    if (rejected.length) {
      report.append(h("ul", { id: "import-rejected" }, rejected.slice(0, 50).map((item) => h("li", {}, t("products.rejected_line", { line: item.index + 1, reason: t(`products.rejected_${item.code}`) })))));
    }
    await load();
  }

  load();
}

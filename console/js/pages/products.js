import { api } from "../api.js";
import { CsvError, planImport } from "../csv.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatNumber, fromMinor, plural, t, toMinor } from "../i18n.js";
import { maskCode } from "../mask.js";
import { fields, showDone, showFailure, table } from "../ui.js";

// The API takes up to 10,000 codes per request; smaller chunks show progress and keep each request short.
const DEFAULT_CHUNK = 500;
const API_LIMIT = 10_000;
// The platforms ProductDraft accepts (functions/api/schemas.py).
const PLATFORMS = ["steam", "psn", "xbox", "switch", "apple", "google", "epic", "battlenet", "riot", "other"];
const LISTED = 20;

export function render(view, { onSignedOut }) {
  const catalog = h("div", { id: "catalog" });
  const listingMessage = h("div", { id: "listing-message" });
  let products = [];
  const editor = productEditor();
  const importer = keyImporter();
  view.append(
    h("h1", {}, t("nav.products")),
    listingMessage,
    catalog,
    h("h2", { id: "product-form-title" }, t("products.new_title")),
    h("div", { class: "card" }, editor.form, editor.message),
    h("h2", {}, t("products.import_title")),
    importer.card,
  );

  async function load() {
    try {
      ({ products } = await api("/v1/admin/products"));
      importer.offer(products);
      clear(
        catalog,
        table(
          [
            // What a phone shows without scrolling first: the SKU, its stock and price.
            { key: "products.sku", cell: (p) => p.sku },
            { key: "products.stock", class: "stock", cell: (p) => formatNumber(p.stock) },
            { key: "products.price", cell: (p) => formatMoney(p.price, p.currency) },
            { key: "products.name", cell: (p) => p.name },
            { key: "products.region", cell: (p) => p.region },
            { key: "products.platform", cell: (p) => p.platform },
            { key: "products.listing", class: "listing", cell: (p) => t(p.listed ? "products.on_sale" : "products.delisted") },
            {
              key: "products.actions",
              cell: (p) =>
                h(
                  "div",
                  { class: "row" },
                  h("button", { type: "button", class: "secondary edit", onclick: () => editor.edit(p) }, t("products.edit")),
                  " ",
                  h("button", { type: "button", class: `secondary ${p.listed ? "delist" : "relist"}`, onclick: () => setListed(p, !p.listed) }, t(p.listed ? "products.delist" : "products.relist")),
                ),
            },
          ],
          products,
          (p) => ({ dataset: { sku: p.sku } }),
        ),
      );
    } catch (failure) {
      showFailure(catalog, failure, onSignedOut, { key: "error.load" });
    }
  }

  // Delisting hides the product from buyers and refuses new orders for it; its stock and paid orders are kept.
  async function setListed(product, listed) {
    try {
      await api(`/v1/admin/products/${encodeURIComponent(product.sku)}/${listed ? "relist" : "delist"}`, { method: "POST" });
      showDone(listingMessage, t(listed ? "products.relisted" : "products.delisted_done", { sku: product.sku }));
      await load();
    } catch (failure) {
      showFailure(listingMessage, failure, onSignedOut);
    }
  }

  function productEditor() {
    const message = h("div", { id: "product-message" });
    const form = h(
      "form",
      { class: "stack", id: "product-form" },
      h("label", {}, t("products.sku"), h("input", { name: "sku", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", maxlength: 64 })),
      h("label", {}, t("products.name"), h("input", { name: "name", required: true, maxlength: 200 })),
      h("label", {}, t("products.description"), h("textarea", { name: "description", maxlength: 4000 })),
      h("label", {}, t("products.currency"), h("input", { name: "currency", required: true, pattern: "[A-Za-z]{3}", value: "usd", maxlength: 3 })),
      h("label", {}, t("products.price_major"), h("input", { name: "price", required: true, inputmode: "decimal", pattern: "\\d+([.,]\\d+)?" })),
      h("label", {}, t("products.region"), h("input", { name: "region", required: true, pattern: "[A-Za-z0-9-]{2,16}" })),
      h("label", {}, t("products.platform"), h("select", { name: "platform" }, PLATFORMS.map((platform) => h("option", { value: platform }, platform)))),
      h("div", { class: "row" }, h("button", { type: "submit" }, t("products.save")), " ", h("button", { type: "reset", class: "secondary" }, t("products.clear"))),
    );
    form.addEventListener("reset", () => {
      form.elements.sku.readOnly = false;
      document.getElementById("product-form-title").textContent = t("products.new_title");
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = fields(form);
      const currency = data.currency.toLowerCase();
      const price = toMinor(data.price, currency);
      if (!Number.isFinite(price) || price <= 0) {
        clear(message, h("p", { class: "error", role: "alert" }, t("products.bad_price")));
        return;
      }
      const existed = products.some((product) => product.sku === data.sku);
      try {
        await api("/v1/admin/products", { method: "POST", body: { ...data, currency, price } });
        showDone(message, t(existed ? "products.updated" : "products.created", { sku: data.sku }));
        form.reset();
        await load();
      } catch (failure) {
        showFailure(message, failure, onSignedOut);
      }
    });

    function edit(product) {
      form.reset();
      for (const name of ["sku", "name", "description", "currency", "region", "platform"]) form.elements[name].value = product[name] ?? "";
      form.elements.price.value = fromMinor(product.price, product.currency);
      form.elements.sku.readOnly = true;
      document.getElementById("product-form-title").textContent = t("products.edit_title", { sku: product.sku });
      clear(message);
      form.scrollIntoView({ block: "start" });
    }
    return { form, message, edit };
  }

  function keyImporter() {
    const skus = h("select", { name: "sku", required: true });
    const codes = h("textarea", { name: "keys", id: "import-keys", autocomplete: "off", spellcheck: "false" });
    const file = h("input", { type: "file", name: "file", accept: ".csv,.txt,text/plain,text/csv" });
    const form = h(
      "form",
      { class: "stack", id: "import" },
      h("label", {}, t("products.sku"), skus),
      h("label", {}, t("products.batch"), h("input", { name: "batch", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*" })),
      h("label", {}, t("products.supplier"), h("input", { name: "supplier" })),
      h("label", {}, t("products.chunk"), h("input", { name: "chunk", type: "number", min: 1, max: API_LIMIT, value: DEFAULT_CHUNK })),
      h("label", {}, t("products.keys"), codes),
      h("label", {}, t("products.file"), file),
      h("button", { type: "submit", id: "preview-import" }, t("products.preview")),
    );
    const preview = h("div", { id: "import-preview" });
    const progress = h("progress", { id: "import-progress", max: 1, value: 0 });
    const report = h("div", { id: "import-report", role: "status" });
    const card = h("div", { class: "card" }, h("p", { class: "muted" }, t("products.import_help")), form, preview, progress, report);
    // The codes read from the file or the box, kept here (never in the page) between preview and import.
    let plan = null;

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      const text = chosen ? await chosen.text() : codes.value;
      // The codes leave the page as soon as they are read: from here on only counts and masked samples are shown.
      codes.value = "";
      file.value = "";
      clear(report);
      try {
        const { sku, batch, supplier, chunk } = fields(form);
        plan = { ...planImport(text), sku, batch, supplier, chunk };
      } catch (failure) {
        if (!(failure instanceof CsvError)) throw failure;
        plan = null;
        clear(preview, h("p", { class: "error", role: "alert" }, t("products.csv_unclosed", { line: failure.line })));
        return;
      }
      showPlan();
    });

    function lines(items, describe) {
      return h("ul", {}, items.slice(0, LISTED).map((item) => h("li", {}, describe(item))), items.length > LISTED ? h("li", { class: "muted" }, t("products.and_more", { n: formatNumber(items.length - LISTED) })) : null);
    }

    function showPlan() {
      const column = plan.header ? plan.header[plan.codeColumn] || `#${plan.codeColumn + 1}` : `#${plan.codeColumn + 1}`;
      clear(
        preview,
        h(
          "div",
          { class: "notice" },
          h("p", { id: "preview-codes", dataset: { count: String(plan.codes.length) } }, h("strong", {}, plural("products.preview_codes", plan.codes.length, { sku: plan.sku }))),
          h("p", { class: "muted" }, plan.header ? t("products.preview_header", { column }) : t("products.preview_no_header", { column })),
          plan.codes.length ? h("p", { class: "muted" }, t("products.preview_sample", { sample: plan.codes.slice(0, 3).map((item) => maskCode(item.code)).join(" · ") })) : null,
          plan.extraColumns.length ? h("p", { id: "preview-extra" }, t("products.preview_extra", { columns: plan.extraColumns.join(", ") })) : null,
          plan.withParts ? h("p", { id: "preview-parts", dataset: { count: String(plan.withParts) } }, plural("products.preview_parts", plan.withParts)) : null,
          h("p", { id: "preview-duplicates", dataset: { count: String(plan.duplicates.length) } }, plural("products.preview_duplicates", plan.duplicates.length)),
          plan.duplicates.length ? lines(plan.duplicates, (item) => t("products.duplicate_line", { line: item.line, first: item.first })) : null,
          h("p", { id: "preview-rejected", dataset: { count: String(plan.rejected.length) } }, plural("products.preview_rejected", plan.rejected.length)),
          plan.rejected.length ? lines(plan.rejected, (item) => t("products.rejected_line", { line: item.line, reason: t(`products.rejected_${item.reason}`) })) : null,
          h(
            "div",
            { class: "row" },
            h("button", { type: "button", id: "start-import", disabled: !plan.codes.length, onclick: () => importKeys() }, t("products.import")),
            " ",
            h("button", { type: "button", class: "secondary", onclick: discard }, t("products.discard")),
          ),
        ),
      );
    }

    function discard() {
      plan = null;
      clear(preview);
    }

    async function importKeys() {
      const { sku, batch, supplier, codes: items } = plan;
      const chunk = Math.min(Math.max(Number(plan.chunk) || DEFAULT_CHUNK, 1), API_LIMIT);
      discard();
      form.querySelector("button[type=submit]").disabled = true;
      progress.max = Math.max(items.length, 1);
      progress.value = 0;
      let imported = 0;
      const rejected = [];
      const line = h("p", { id: "import-status" });
      clear(report, line);
      try {
        for (let start = 0; start < items.length; start += chunk) {
          const part = items.slice(start, start + chunk);
          const result = await api(`/v1/admin/products/${encodeURIComponent(sku)}/keys`, {
            method: "POST",
            // A key with parts goes whole: its code and parts are one key, never several.
            body: { batch, supplier, keys: part.map((item) => (item.parts.length ? { code: item.code, parts: item.parts } : item.code)) },
          });
          imported += result.imported;
          rejected.push(...result.rejected.map((item) => ({ line: part[item.index].line, reason: item.code })));
          progress.value = Math.min(start + chunk, items.length);
          line.textContent = t("products.progress", { done: formatNumber(progress.value), total: formatNumber(items.length), imported: formatNumber(imported), rejected: formatNumber(rejected.length) });
        }
        line.classList.add("ok");
        line.textContent = t("products.done", { total: formatNumber(items.length), imported: formatNumber(imported), rejected: formatNumber(rejected.length) });
      } catch (failure) {
        showFailure(report, failure, onSignedOut, { append: true });
      } finally {
        form.querySelector("button[type=submit]").disabled = false;
      }
      if (rejected.length) {
        report.append(h("div", { id: "import-rejected" }, lines(rejected, (item) => t("products.rejected_line", { line: item.line, reason: t(`products.rejected_${item.reason}`) }))));
      }
      await load();
    }

    function offer(list) {
      const chosen = skus.value;
      clear(skus, list.map((product) => h("option", { value: product.sku, selected: product.sku === chosen }, product.sku)));
    }
    return { card, offer };
  }

  load();
}

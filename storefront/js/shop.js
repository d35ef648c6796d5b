// The storefront: products with search and filters, the region advice before paying, and checkout.
import { clear, h } from "/console/js/dom.js";
import { formatMoney, formatPercent, language, plural, t } from "/console/js/i18n.js";
import { ApiError, buyerApi, keepOrderToken, keepPayment, problem, shopFromPath } from "./buyer.js";

const LOW_STOCK = 5;
const MAX_QUANTITY = 10;
const shop = shopFromPath();
let storefront;
let products = [];
const filters = { text: "", platform: "", region: "" };

async function loadShop() {
  try {
    return await buyerApi(shop ? `/v1/storefront?shop=${encodeURIComponent(shop)}` : "/v1/storefront", { shop });
  } catch (error) {
    // A deployment without the storefront route still sells: card payment only, country unknown.
    if (error instanceof ApiError && error.missing) return { shop_id: shop, name: null, payment_methods: [], country: null };
    throw error;
  }
}

// The buyer's country: what CloudFront saw, else the region of the browser's language (en-US → US).
function buyerCountry() {
  if (storefront.country) return storefront.country;
  const region = (navigator.languages ?? [navigator.language]).map((tag) => tag.split("-")[1]).find((part) => /^[A-Za-z]{2}$/.test(part ?? ""));
  return region ? region.toUpperCase() : null;
}

function stockTag(product) {
  if (product.stock <= 0) return h("span", { class: "tag bad" }, t("stock.out"));
  if (product.stock <= LOW_STOCK) return h("span", { class: "tag warn" }, plural("stock.low", product.stock));
  return h("span", { class: "tag ok" }, t("stock.in"));
}

function options(label, name, values) {
  return h(
    "label",
    {},
    label,
    h(
      "select",
      { name, onchange: (event) => { filters[name] = event.target.value; drawProducts(); } },
      h("option", { value: "" }, t("filter.all")),
      values.map((value) => h("option", { value, selected: filters[name] === value }, value)),
    ),
  );
}

function matches(product) {
  const text = filters.text.trim().toLowerCase();
  return (
    (!text || `${product.name} ${product.description ?? ""} ${product.sku}`.toLowerCase().includes(text)) &&
    (!filters.platform || product.platform === filters.platform) &&
    (!filters.region || product.region === filters.region)
  );
}

function productCard(product) {
  const title = h("h2", { id: `p-${product.sku}` }, product.name);
  return h(
    "article",
    { class: "card stack", "aria-labelledby": `p-${product.sku}`, dataset: { sku: product.sku } },
    title,
    h("div", { class: "row" },
      h("span", { class: "tag" }, product.platform),
      h("span", { class: "tag" }, t("product.region", { region: product.region })),
      product.recommended ? h("span", { class: "tag recommended" }, t("product.recommended")) : null,
      stockTag(product),
    ),
    product.description ? h("p", { class: "muted" }, product.description) : null,
    h("div", { class: "row" },
      h("span", { class: "price" }, formatMoney(product.price, product.currency)),
      h("span", { class: "spacer" }),
      h("button", { type: "button", disabled: product.stock <= 0, onclick: () => checkout(product) }, t("product.buy")),
    ),
  );
}

function drawProducts() {
  const shown = products.filter(matches);
  clear(
    document.getElementById("products"),
    shown.length ? shown.map(productCard) : h("p", { class: "muted" }, t("products.none")),
  );
  document.getElementById("count").textContent = plural("products.count", shown.length);
}

export async function render(view) {
  storefront ??= await loadShop();
  products = (await buyerApi("/v1/products", { shop })).products;
  document.getElementById("brand").textContent = storefront.name || "faka";
  document.getElementById("brand").href = shop ? `/s/${shop}/` : "/";
  const unique = (field) => [...new Set(products.map((p) => p[field]))].sort();
  clear(
    view,
    h("h1", {}, storefront.name || t("shop.title")),
    h("form", { class: "filters", role: "search", onsubmit: (event) => event.preventDefault() },
      h("label", { class: "search" }, t("filter.search"),
        h("input", { type: "search", name: "text", value: filters.text, oninput: (event) => { filters.text = event.target.value; drawProducts(); } })),
      options(t("filter.platform"), "platform", unique("platform")),
      options(t("filter.region"), "region", unique("region")),
    ),
    h("p", { id: "count", class: "muted", "aria-live": "polite" }),
    h("section", { id: "checkout" }),
    h("div", { id: "products", class: "grid" }),
  );
  drawProducts();
}

async function advice(product) {
  const country = buyerCountry();
  if (!country) return null;
  try {
    const found = await buyerApi(`/v1/products/${encodeURIComponent(product.sku)}/advice?country=${country}`, { shop });
    if (!found.recommended_region) return h("p", { class: "muted" }, t("advice.unknown", { country }));
    const same = found.recommended_region === product.region;
    return h(
      "p",
      { class: same ? "success" : "notice", id: "advice" },
      t(same ? "advice.fits" : "advice.other", {
        share: formatPercent(found.share),
        country,
        region: found.recommended_region,
      }),
    );
  } catch {
    return null;
  }
}

async function checkout(product) {
  const section = document.getElementById("checkout");
  // Only the shop's methods that take this product's currency (Alipay and WeChat Pay CNY, USDT USD prices).
  const methods = product.payment_methods ?? storefront.payment_methods ?? [];
  const error = h("div");
  const form = h(
    "form",
    { class: "card stack", id: "checkout-form", "aria-labelledby": "checkout-title" },
    h("h2", { id: "checkout-title" }, t("checkout.title", { name: product.name })),
    h("p", { class: "price" }, formatMoney(product.price, product.currency)),
    await advice(product),
    h("label", {}, t("checkout.email"), h("input", { name: "email", type: "email", required: true, autocomplete: "email" })),
    h("label", {}, t("checkout.quantity"),
      h("input", { name: "quantity", type: "number", min: 1, max: Math.min(MAX_QUANTITY, product.stock), value: 1, required: true, inputmode: "numeric" })),
    methods.length
      ? h("fieldset", {}, h("legend", {}, t("checkout.method")),
        methods.map((method, index) =>
          h("label", { class: "check" }, h("input", { type: "radio", name: "payment_method", value: method, checked: index === 0 }), t(`method.${method}`))))
      : null,
    h("div", { class: "row" },
      h("button", { type: "submit" }, t("checkout.pay")),
      h("button", { type: "button", class: "secondary", onclick: () => clear(section) }, t("checkout.cancel"))),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const order = await buyerApi("/v1/orders", {
        method: "POST",
        shop,
        body: {
          sku: product.sku,
          quantity: Number(data.quantity),
          email: data.email.trim(),
          locale: language(),
          ...(data.payment_method ? { payment_method: data.payment_method } : {}),
        },
      });
      keepOrderToken(order.order_id, order.access_token);
      keepPayment(order.order_id, order.payment);
      const page = `/o/${order.order_id}#t=${encodeURIComponent(order.access_token)}`;
      // Card and Alipay pay on the provider's page, which returns to the order page; the others pay from it.
      // A phone paying with WeChat Pay goes to its h5_url (WeChat opens to pay); otherwise to the checkout page.
      location.assign(order.payment?.checkout_url ?? order.payment?.h5_url ?? page);
    } catch (failure) {
      submit.disabled = false;
      clear(error, problem(failure));
    }
  });
  clear(section, form);
  form.querySelector("input[name=email]").focus();
}

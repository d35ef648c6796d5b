import { api, session, signIn } from "../api.js";
import { clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { fields, showFailure, table } from "../ui.js";

// The platform operator sees every shop and can open one; a shop's operator sees its own. "Operate" switches
// the console's shop (the X-Faka-Shop header) without signing in again: the platform token acts on any shop.
export function render(view, { onSignedOut }) {
  const list = h("div", { id: "shop-list" });
  const message = h("div", { id: "shop-message" });
  const form = h(
    "form",
    { class: "stack", id: "open-shop" },
    h("label", {}, t("shops.id"), h("input", { name: "shop_id", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", maxlength: 64 })),
    h("label", {}, t("shops.name"), h("input", { name: "name", required: true, maxlength: 200 })),
    h("label", {}, t("shops.support_email"), h("input", { name: "support_email", type: "email", required: true })),
    h("button", { type: "submit" }, t("shops.open")),
  );
  view.append(h("h1", {}, t("nav.shops")), list, h("h2", {}, t("shops.open_title")), h("div", { class: "card" }, h("p", { class: "muted" }, t("shops.open_help")), form, message));

  function operate(shopId) {
    signIn({ ...session(), shop: shopId });
    location.hash = "#/dashboard";
  }

  async function load() {
    try {
      const { shops } = await api("/v1/admin/shops");
      const current = session().shop;
      clear(
        list,
        table(
          [
            { key: "shops.id", cell: (s) => s.shop_id },
            { key: "shops.name", cell: (s) => s.name },
            { key: "shops.support_email", cell: (s) => s.support_email },
            {
              key: "shops.actions",
              cell: (s) => (s.shop_id === current ? h("span", { class: "tag" }, t("shops.current")) : h("button", { type: "button", class: "secondary operate", onclick: () => operate(s.shop_id) }, t("shops.operate"))),
            },
          ],
          shops,
          (s) => ({ dataset: { shop: s.shop_id } }),
        ),
      );
    } catch (failure) {
      showFailure(list, failure, onSignedOut, { key: "error.load" });
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const opened = await api("/v1/admin/shops", { method: "POST", body: fields(form) });
      form.reset();
      // The operator token is in this answer only: shown once, in a field the operator copies from.
      clear(
        message,
        h(
          "div",
          { class: "notice", id: "shop-token" },
          h("p", { class: "ok" }, t("shops.opened", { shop: opened.shop_id })),
          h("label", {}, t("shops.token_once"), h("input", { readonly: true, value: opened.operator_token, onfocus: (e) => e.target.select() })),
        ),
      );
      await load();
    } catch (failure) {
      showFailure(message, failure, onSignedOut, { platformOnly: true });
    }
  });

  load();
}

// Find an order by email: the answer is the same whether or not the address has orders; the links go by email.
import { clear, h } from "/console/js/dom.js";
import { t } from "/console/js/i18n.js";
import { buyerApi, problem } from "./buyer.js";

export function render(view) {
  const result = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card stack", id: "lookup-form" },
    h("h1", {}, t("lookup.title")),
    h("p", { class: "muted" }, t("lookup.help")),
    h("label", {}, t("lookup.email"), h("input", { name: "email", type: "email", required: true, autocomplete: "email" })),
    h("button", { type: "submit" }, t("lookup.submit")),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = new FormData(form).get("email").trim();
    try {
      await buyerApi("/v1/order-lookup", { method: "POST", body: { email } });
      clear(result, h("p", { class: "success", role: "status" }, t("lookup.sent", { email })));
    } catch (error) {
      clear(result, problem(error));
    }
  });
  clear(view, form);
}

import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatSeconds, fromMinor, t, toMinor } from "../i18n.js";
import { fields, showDone, showFailure } from "../ui.js";

const SLA_POLICIES = ["auto_approve", "flag_shop", "escalate"];

// The shop's refund policy: what is approved without a person, and the review SLA. Every operator reads it;
// only the platform sets it (PUT answers 403 to a shop's operator, shown as such).
export function render(view, { onSignedOut }) {
  const body = h("div", { id: "policy" });
  const message = h("div", { id: "policy-message" });
  view.append(h("h1", {}, t("nav.policy")), body, message);

  function limitRow(currency = "", minor = null) {
    const row = h(
      "div",
      { class: "row limit" },
      h("label", {}, t("policy.currency"), h("input", { name: "currency", value: currency, pattern: "[A-Za-z]{3}", maxlength: 3, required: true, size: 4 })),
      h("label", {}, t("policy.limit"), h("input", { name: "limit", value: minor === null ? "" : fromMinor(minor, currency), inputmode: "decimal", required: true })),
      h("button", { type: "button", class: "secondary", onclick: () => row.remove() }, t("policy.remove")),
    );
    return row;
  }

  function editor(policy) {
    const limits = h("div", { class: "stack", id: "limits" }, Object.entries(policy.auto_approve_limits).map(([currency, minor]) => limitRow(currency, minor)));
    const form = h(
      "form",
      { class: "stack", id: "policy-form" },
      h("h2", {}, t("policy.limits")),
      limits,
      h("button", { type: "button", class: "secondary", onclick: () => limits.append(limitRow()) }, t("policy.add_limit")),
      h("label", {}, t("policy.sla_hours"), h("input", { name: "sla_hours", type: "number", min: 0.1, max: 720, step: 0.1, value: policy.review_sla_seconds / 3600, required: true })),
      h("label", {}, t("policy.sla_policy"), h("select", { name: "sla_policy" }, SLA_POLICIES.map((name) => h("option", { value: name, selected: name === policy.sla_policy }, t(`sla_policy.${name}`))))),
      h("button", { type: "submit" }, t("policy.save")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const auto_approve_limits = {};
      for (const row of limits.querySelectorAll(".limit")) {
        const currency = row.querySelector("[name=currency]").value.trim().toLowerCase();
        const minor = toMinor(row.querySelector("[name=limit]").value, currency);
        if (!Number.isFinite(minor)) {
          clear(message, h("p", { class: "error", role: "alert" }, t("policy.bad_limit", { currency })));
          return;
        }
        auto_approve_limits[currency] = minor;
      }
      const data = fields(form);
      try {
        const saved = await api("/v1/admin/refund-policy", {
          method: "PUT",
          body: { auto_approve_limits, review_sla_seconds: Math.round(Number(data.sla_hours) * 3600), sla_policy: data.sla_policy },
        });
        show(saved);
        showDone(message, t("policy.saved"));
      } catch (failure) {
        showFailure(message, failure, onSignedOut, { platformOnly: true });
      }
    });
    return form;
  }

  function show(policy) {
    const limits = Object.entries(policy.auto_approve_limits);
    clear(
      body,
      h(
        "div",
        { class: "card" },
        h("p", { id: "policy-summary" }, limits.length ? t("policy.summary", { limits: limits.map(([currency, minor]) => formatMoney(minor, currency)).join(" · ") }) : t("policy.no_auto")),
        h("p", {}, t("policy.sla", { sla: formatSeconds(policy.review_sla_seconds), policy: t(`sla_policy.${policy.sla_policy}`) })),
        h("p", { class: "muted" }, t("policy.platform_only")),
        editor(policy),
      ),
    );
  }

  api("/v1/admin/refund-policy").then(show, (failure) => showFailure(body, failure, onSignedOut, { key: "error.load" }));
}

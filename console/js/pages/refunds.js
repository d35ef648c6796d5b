import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatMoney, formatTime, t } from "../i18n.js";

// The refunds waiting for a decision are listed; a refund can also be opened by the id operators get in the
// review notification (an API without the list, before this release, answers 404 and only that works).
const PENDING_LIST = "/v1/admin/refunds?status=in_review";

export function render(view, { param, onSignedOut }) {
  const pending = h("div", { id: "refund-list" });
  const detail = h("div", { id: "refund-detail" });
  const lookup = h(
    "form",
    { class: "row", id: "refund-lookup" },
    h("label", {}, t("refunds.id"), h("input", { name: "refund_id", required: true, value: param ?? "" })),
    h("button", { type: "submit" }, t("refunds.open")),
  );
  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    open(String(new FormData(lookup).get("refund_id")).trim());
  });
  view.append(h("h1", {}, t("nav.refunds")), pending, lookup, detail);

  function fail(failure, target) {
    if (!onSignedOut(failure)) target.append(h("p", { class: "error", role: "alert" }, t("error.action", { message: failure.message })));
  }

  async function list() {
    try {
      const { refunds } = await api(PENDING_LIST);
      clear(
        pending,
        refunds.length
          ? h("ul", {}, refunds.map((refund) => h("li", {}, h("a", { href: `#/refunds/${encodeURIComponent(refund.refund_id)}` }, refund.refund_id), ` ${formatMoney(refund.amount, refund.currency)}`)))
          : h("p", { class: "muted" }, t("refunds.none_waiting")),
      );
    } catch (failure) {
      if (failure.missing || failure.status === 404) clear(pending, h("p", { class: "notice", id: "refund-list-missing" }, t("refunds.list_missing")));
      else fail(failure, pending);
    }
  }

  async function open(refundId) {
    clear(detail);
    let refund;
    try {
      refund = await api(`/v1/admin/refunds/${encodeURIComponent(refundId)}`);
    } catch (failure) {
      fail(failure, detail);
      return;
    }
    const decide = h(
      "form",
      { class: "stack", id: "decision" },
      h("label", {}, t("refunds.reason"), h("textarea", { name: "reason", required: true })),
      h("div", { class: "row" }, h("button", { type: "submit", value: "approve" }, t("refunds.approve")), " ", h("button", { type: "submit", value: "reject", class: "danger" }, t("refunds.reject"))),
    );
    decide.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/v1/admin/refunds/${encodeURIComponent(refundId)}/decision`, {
          method: "POST",
          body: { decision: event.submitter.value, reason: String(new FormData(decide).get("reason")).trim() },
        });
        await open(refundId);
      } catch (failure) {
        fail(failure, detail);
      }
    });
    clear(
      detail,
      h(
        "div",
        { class: "card" },
        h("h2", {}, t("refunds.title", { id: refund.refund_id })),
        h(
          "table",
          {},
          h(
            "tbody",
            {},
            [
              ["refunds.order", refund.order_id],
              ["refunds.status", t(`refund_status.${refund.status}`)],
              ["refunds.amount", formatMoney(refund.amount, refund.currency)],
              ["refunds.buyer_reason", refund.reason],
              ["refunds.rules", (refund.risk_rules ?? []).join(", ") || "—"],
              ["refunds.deadline", formatTime(refund.review_deadline)],
              ["refunds.decided_by", refund.decided_by ?? "—"],
              ["refunds.decision_reason", refund.decision_reason ?? "—"],
            ].map(([key, value]) => h("tr", {}, h("th", {}, t(key)), h("td", { dataset: { field: key.split(".")[1] } }, value))),
          ),
        ),
        refund.status === "in_review" ? decide : null,
      ),
    );
  }

  list();
  if (param) open(param);
}

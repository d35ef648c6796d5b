import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatNumber, formatTime, plural, t } from "../i18n.js";
import { fields, showDone, showFailure, table } from "../ui.js";

// functions/api/schemas.py WebhookEvent: what a storefront can subscribe to.
const EVENTS = ["order.paid", "order.delivered", "order.awaiting_stock", "order.held", "order.refunded", "refund.requested", "refund.rejected", "ticket.opened", "ticket.resolved", "key.activated"];

// Storefront webhooks: subscribe (the signing secret is shown once), unsubscribe, see a subscription's
// recent deliveries and send failed ones again.
export function render(view, { onSignedOut }) {
  const list = h("div", { id: "webhook-list" });
  const deliveries = h("div", { id: "webhook-deliveries" });
  const message = h("div", { id: "webhook-message" });
  const form = h(
    "form",
    { class: "stack", id: "subscribe" },
    h("label", {}, t("webhooks.url"), h("input", { name: "url", type: "url", required: true, placeholder: "https://shop.example.com/faka-hook" })),
    h("fieldset", { class: "events" }, h("legend", {}, t("webhooks.events")), EVENTS.map((name) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "events", value: name, checked: name.startsWith("order.") }), name))),
    h("button", { type: "submit" }, t("webhooks.subscribe")),
  );
  view.append(h("h1", {}, t("nav.webhooks")), list, message, deliveries, h("h2", {}, t("webhooks.new_title")), h("div", { class: "card" }, form));

  async function load() {
    try {
      const { webhooks } = await api("/v1/admin/webhooks");
      clear(
        list,
        webhooks.length
          ? table(
              [
                { key: "webhooks.url", cell: (w) => w.url },
                { key: "webhooks.events", cell: (w) => w.events.join(", ") },
                { key: "webhooks.created_at", cell: (w) => formatTime(w.created_at) },
                {
                  key: "webhooks.actions",
                  cell: (w) =>
                    h(
                      "div",
                      { class: "row" },
                      h("button", { type: "button", class: "secondary", onclick: () => showDeliveries(w) }, t("webhooks.deliveries")),
                      h("button", { type: "button", class: "secondary", onclick: () => replayFailed(w) }, t("webhooks.replay_failed")),
                      h("button", { type: "button", class: "danger", onclick: () => remove(w) }, t("webhooks.delete")),
                    ),
                },
              ],
              webhooks,
              (w) => ({ dataset: { webhook: w.webhook_id } }),
            )
          : h("p", { class: "card muted" }, t("webhooks.none")),
      );
    } catch (failure) {
      showFailure(list, failure, onSignedOut, { key: "error.load" });
    }
  }

  async function showDeliveries(webhook) {
    try {
      const { deliveries: recent } = await api(`/v1/admin/webhooks/${encodeURIComponent(webhook.webhook_id)}/deliveries`);
      clear(
        deliveries,
        h("h2", {}, t("webhooks.deliveries_of", { url: webhook.url })),
        recent.length
          ? table(
              [
                { key: "webhooks.type", cell: (d) => d.type },
                { key: "webhooks.status", cell: (d) => t(`delivery_status.${d.status}`) },
                { key: "webhooks.attempts", cell: (d) => formatNumber(d.attempts) },
                { key: "webhooks.response", cell: (d) => (d.response_code ? String(d.response_code) : d.error) },
                { key: "webhooks.when", cell: (d) => formatTime(d.delivered_at ?? d.last_attempt_at ?? d.created_at) },
                {
                  key: "webhooks.actions",
                  cell: (d) => (d.status === "pending" ? null : h("button", { type: "button", class: "secondary", onclick: () => replay(webhook, d) }, t("webhooks.replay"))),
                },
              ],
              recent,
            )
          : h("p", { class: "muted" }, t("webhooks.no_deliveries")),
      );
    } catch (failure) {
      showFailure(deliveries, failure, onSignedOut, { key: "error.load" });
    }
  }

  async function replay(webhook, delivery) {
    try {
      await api(`/v1/admin/webhooks/deliveries/${encodeURIComponent(delivery.delivery_id)}/replay`, { method: "POST" });
      showDone(message, t("webhooks.replayed_one"));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
    await showDeliveries(webhook);
  }

  async function replayFailed(webhook) {
    try {
      const { replayed } = await api(`/v1/admin/webhooks/${encodeURIComponent(webhook.webhook_id)}/replay-failed`, { method: "POST" });
      showDone(message, plural("webhooks.replayed", replayed));
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
  }

  async function remove(webhook) {
    if (!window.confirm(t("webhooks.confirm_delete", { url: webhook.url }))) return;
    try {
      await api(`/v1/admin/webhooks/${encodeURIComponent(webhook.webhook_id)}`, { method: "DELETE" });
      showDone(message, t("webhooks.deleted", { url: webhook.url }));
      clear(deliveries);
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
    await load();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = new FormData(form).getAll("events");
    try {
      const created = await api("/v1/admin/webhooks", { method: "POST", body: { url: fields(form).url, events } });
      form.reset();
      // The signing secret is in this answer only.
      clear(
        message,
        h(
          "div",
          { class: "notice", id: "webhook-secret" },
          h("p", { class: "ok" }, t("webhooks.subscribed", { url: created.url })),
          h("label", {}, t("webhooks.secret_once"), h("input", { readonly: true, value: created.secret, onfocus: (e) => e.target.select() })),
        ),
      );
      await load();
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
    }
  });

  load();
}

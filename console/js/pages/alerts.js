import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { fields, showDone, showFailure, table } from "../ui.js";

// faka.platform.alert_channels.ChannelKind, and what each one's target is.
const CHANNELS = ["telegram", "wecom", "dingtalk", "feishu", "email"];
// A Telegram bot's token; DingTalk's and Feishu's signing secrets (optional). WeCom robots and email take none.
const takesSecret = (kind) => kind !== "wecom" && kind !== "email";

// The shop's alert channels: where its operators hear of low ratings, SLA breaches, held orders …
// The API keeps the list whole (PUT replaces it); a channel sent back without its secret keeps the one it has,
// which the API never shows again.
export function render(view, { onSignedOut }) {
  const list = h("div", { id: "alert-channel-list" });
  const message = h("div", { id: "alert-channel-message" });
  const kinds = h("fieldset", { class: "events" }, h("legend", {}, t("alerts.kinds")));
  const targetHelp = h("small", { class: "muted", id: "alert-target-help" });
  const kindSelect = h(
    "select",
    { name: "kind", onchange: () => explain() },
    CHANNELS.map((kind) => h("option", { value: kind }, t(`channel.${kind}`))),
  );
  const secretField = h("label", { id: "alert-secret" }, t("alerts.secret"), h("input", { name: "secret", type: "password", autocomplete: "off" }));
  const form = h(
    "form",
    { class: "stack", id: "add-alert-channel" },
    h("label", {}, t("alerts.channel"), kindSelect),
    h("label", {}, t("alerts.target"), h("input", { name: "target", required: true, autocomplete: "off" }), targetHelp),
    secretField,
    kinds,
    h("button", { type: "submit" }, t("alerts.add")),
  );
  view.append(h("h1", {}, t("nav.alerts")), h("p", { class: "muted" }, t("alerts.intro")), list, message, h("h2", {}, t("alerts.new_title")), h("div", { class: "card" }, form));
  let channels = [];

  function explain() {
    const kind = kindSelect.value;
    targetHelp.textContent = t(`alerts.target_help.${kind}`);
    // Labels are laid out as grids by the stylesheet, which the hidden attribute alone does not undo.
    secretField.style.display = takesSecret(kind) ? "" : "none";
  }

  // What the API takes back: every channel as it is, without a secret (each keeps its own).
  const kept = (channel) => ({ kind: channel.kind, target: channel.target, alerts: channel.alerts });

  async function save(next, done) {
    try {
      ({ channels } = await api("/v1/admin/alert-channels", { method: "PUT", body: { channels: next } }));
      showDone(message, done);
      draw();
      return true;
    } catch (failure) {
      showFailure(message, failure, onSignedOut);
      return false;
    }
  }

  function draw() {
    clear(
      list,
      channels.length
        ? table(
            [
              { key: "alerts.channel", cell: (c) => t(`channel.${c.kind}`) },
              { key: "alerts.target", cell: (c) => c.target },
              { key: "alerts.kinds", cell: (c) => (c.alerts.length ? c.alerts.map((kind) => t(`alert_kind.${kind}`)).join(", ") : t("alerts.all_kinds")) },
              { key: "alerts.secret", cell: (c) => (c.has_secret ? t("alerts.secret_set") : null) },
              {
                key: "alerts.actions",
                cell: (c) =>
                  h(
                    "button",
                    {
                      type: "button",
                      class: "danger",
                      onclick: () => window.confirm(t("alerts.confirm_remove", { target: c.target })) && save(channels.filter((other) => other !== c).map(kept), t("alerts.removed")),
                    },
                    t("alerts.remove"),
                  ),
              },
            ],
            channels,
            (c) => ({ dataset: { channel: c.kind } }),
          )
        : h("p", { class: "card muted" }, t("alerts.none")),
    );
  }

  async function load() {
    try {
      const answer = await api("/v1/admin/alert-channels");
      channels = answer.channels;
      clear(
        kinds,
        h("legend", {}, t("alerts.kinds")),
        answer.alert_kinds.map((kind) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "alerts", value: kind }), t(`alert_kind.${kind}`))),
        h("small", { class: "muted" }, t("alerts.kinds_help")),
      );
      draw();
    } catch (failure) {
      showFailure(list, failure, onSignedOut, { key: "error.load" });
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = fields(form);
    const added = { kind: data.kind, target: data.target, alerts: new FormData(form).getAll("alerts") };
    if (data.secret && takesSecret(data.kind)) added.secret = data.secret;
    if (await save([...channels.map(kept), added], t("alerts.saved", { channel: t(`channel.${data.kind}`) }))) {
      form.reset();
      explain();
    }
  });

  explain();
  load();
}

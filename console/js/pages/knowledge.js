import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { formatPercent, t } from "../i18n.js";

// The knowledge base the assistant answers questions with no order from, the shop's tone rules, and the
// one-click intent correction that teaches the assistant the shop's wording.
const LOCALES = ["zh-CN", "zh-TW", "en", "es"];
const INTENTS = [
  "not_received",
  "invalid_key",
  "wrong_region",
  "activation_help",
  "refund_request",
  "payment_issue",
  "order_status",
  "description_mismatch",
  "account_security",
  "fraud_report",
  "talk_to_human",
  "other",
];

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

export function render(view, { onSignedOut }) {
  const status = h("p", { class: "muted", id: "knowledge-status" });
  const figures = h("div", { id: "knowledge-figures" });
  const list = h("div", { id: "knowledge-list", class: "scroll" });
  const locale = h("select", { name: "locale", id: "knowledge-locale" }, LOCALES.map((code) => h("option", { value: code }, code)));
  const editor = h(
    "form",
    { class: "stack card", id: "article-editor" },
    h("h2", {}, t("knowledge.edit")),
    h("label", {}, t("knowledge.id"), h("input", { name: "id", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]{0,63}" })),
    h("label", {}, t("knowledge.locale"), h("select", { name: "locale" }, LOCALES.map((code) => h("option", { value: code }, code)))),
    h("label", {}, t("knowledge.title"), h("input", { name: "title", required: true, maxlength: 200 })),
    h("label", {}, t("knowledge.body"), h("textarea", { name: "body", required: true, rows: 5, maxlength: 5000 })),
    h("label", {}, t("knowledge.questions"), h("textarea", { name: "questions", rows: 3 })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "enabled", checked: true }), t("knowledge.enabled")),
    h("button", { type: "submit" }, t("knowledge.save")),
  );
  const tryOut = h(
    "form",
    { class: "stack card", id: "knowledge-try" },
    h("h2", {}, t("knowledge.try")),
    h("label", {}, t("knowledge.question"), h("input", { name: "question", required: true, maxlength: 2000 })),
    h("button", { type: "submit" }, t("knowledge.ask")),
    h("div", { class: "result" }),
  );
  const correction = h(
    "form",
    { class: "stack card", id: "intent-correction" },
    h("h2", {}, t("knowledge.correct")),
    h("p", { class: "muted" }, t("knowledge.correct_help")),
    h("label", {}, t("knowledge.ticket"), h("input", { name: "ticket", required: true, autocomplete: "off" })),
    h("label", {}, t("knowledge.intent"), h("select", { name: "intent" }, INTENTS.map((intent) => h("option", { value: intent }, t(`intent.${intent}`))))),
    h("button", { type: "submit" }, t("knowledge.correct_submit")),
    h("div", { class: "result" }),
  );
  const tone = h(
    "form",
    { class: "stack card", id: "tone-rules" },
    h("h2", {}, t("knowledge.tone")),
    h("label", {}, t("knowledge.prohibited"), h("textarea", { name: "prohibited", rows: 3 })),
    h("label", {}, t("knowledge.informal"), h("textarea", { name: "informal", rows: 2 })),
    ...LOCALES.flatMap((code) => [
      h("label", {}, t("knowledge.greeting", { locale: code }), h("input", { name: `greeting.${code}`, maxlength: 200 })),
      h("label", {}, t("knowledge.sign_off", { locale: code }), h("input", { name: `sign_off.${code}`, maxlength: 200 })),
    ]),
    h("p", { class: "muted", id: "tone-platform" }),
    h("button", { type: "submit" }, t("knowledge.save")),
  );
  view.append(
    h("h1", {}, t("nav.knowledge")),
    status,
    figures,
    h("label", {}, t("knowledge.locale"), locale),
    h("div", { class: "split" }, list, h("div", { class: "stack" }, editor, tryOut)),
    h("div", { class: "split" }, h("div", { class: "stack" }, correction), tone),
  );

  function failed(failure, where = status) {
    if (!onSignedOut(failure)) where.textContent = t("error.action", { message: failure.message });
  }

  function edit(article) {
    for (const name of ["id", "locale", "title", "body"]) editor.elements[name].value = article[name];
    editor.elements.questions.value = article.questions.join("\n");
    editor.elements.enabled.checked = article.enabled;
    editor.scrollIntoView({ block: "nearest" });
  }

  async function remove(article) {
    try {
      await api(`/v1/admin/knowledge/articles/${encodeURIComponent(article.id)}/${article.locale}`, { method: "DELETE" });
      await load();
    } catch (failure) {
      failed(failure);
    }
  }

  function table(articles) {
    return h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ["knowledge.title", "knowledge.source", ""].map((key) => h("th", {}, key ? t(key) : "")))),
      h(
        "tbody",
        {},
        articles.map((article) =>
          h(
            "tr",
            { dataset: { id: article.id }, class: article.enabled ? null : "muted" },
            h("td", {}, h("div", {}, article.title), h("div", { class: "muted" }, article.id)),
            h("td", {}, t(`knowledge.source_${article.source}`) + (article.enabled ? "" : ` · ${t("knowledge.retired")}`)),
            h(
              "td",
              {},
              h("button", { type: "button", onclick: () => edit(article) }, t("knowledge.edit_one")),
              article.source === "shop" ? h("button", { type: "button", onclick: () => remove(article) }, t("knowledge.delete")) : null,
            ),
          ),
        ),
      ),
    );
  }

  async function load() {
    try {
      const [{ articles }, report] = await Promise.all([
        api(`/v1/admin/knowledge/articles?locale=${encodeURIComponent(locale.value)}`),
        api("/v1/admin/reports/tickets"),
      ]);
      clear(list, table(articles));
      const kb = report.knowledge_base;
      const gaps = report.knowledge_base_gaps.unanswered_questions;
      clear(
        figures,
        h(
          "p",
          { class: "card" },
          t("knowledge.figures", {
            answered: kb.answered,
            helpful: kb.helpful_rate === null ? "—" : formatPercent(kb.helpful_rate),
            unanswered: gaps.questions,
            corrections: report.intent_corrections,
          }),
          gaps.top_phrases.length ? h("span", { class: "muted" }, ` ${t("knowledge.gap_phrases")}: ${gaps.top_phrases.map((p) => p.phrase).join(", ")}`) : null,
        ),
      );
      status.textContent = "";
    } catch (failure) {
      if (!onSignedOut(failure)) status.textContent = t("error.load", { message: failure.message });
    }
  }

  async function loadTone() {
    try {
      const { shop, platform } = await api("/v1/admin/tone");
      tone.elements.prohibited.value = shop.prohibited.join("\n");
      tone.elements.informal.value = shop.informal.join("\n");
      for (const code of LOCALES) {
        tone.elements[`greeting.${code}`].value = shop.greetings[code] ?? "";
        tone.elements[`sign_off.${code}`].value = shop.sign_offs[code] ?? "";
      }
      tone.querySelector("#tone-platform").textContent = t("knowledge.platform_words", { count: platform.prohibited.length });
    } catch (failure) {
      failed(failure);
    }
  }

  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = editor.elements;
    const body = { title: data.title.value, body: data.body.value, questions: lines(data.questions.value), enabled: data.enabled.checked };
    try {
      await api(`/v1/admin/knowledge/articles/${encodeURIComponent(data.id.value)}/${data.locale.value}`, { method: "PUT", body });
      status.textContent = t("knowledge.saved");
      await load();
    } catch (failure) {
      failed(failure);
    }
  });

  tryOut.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = tryOut.querySelector(".result");
    try {
      const found = await api("/v1/admin/knowledge/answer", { method: "POST", body: { question: tryOut.elements.question.value, locale: locale.value } });
      clear(
        result,
        found.article
          ? h("div", {}, h("strong", {}, found.article.title), h("span", { class: "muted" }, ` (${found.article.id}, ${found.score})`), h("p", {}, found.article.body))
          : h("p", { class: "muted" }, t("knowledge.no_answer")),
      );
    } catch (failure) {
      failed(failure, result);
    }
  });

  correction.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = correction.querySelector(".result");
    const ticket = correction.elements.ticket.value.trim();
    try {
      const done = await api(`/v1/admin/tickets/${encodeURIComponent(ticket)}/correction`, { method: "POST", body: { intent: correction.elements.intent.value } });
      clear(result, h("p", {}, t("knowledge.corrected", { from: t(`intent.${done.previous_intent}`), to: t(`intent.${done.intent}`), count: done.corrections })));
    } catch (failure) {
      failed(failure, result);
    }
  });

  tone.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = tone.elements;
    const texts = (prefix) => Object.fromEntries(LOCALES.map((code) => [code, data[`${prefix}.${code}`].value.trim()]).filter(([, text]) => text));
    const body = { prohibited: lines(data.prohibited.value), informal: lines(data.informal.value), greetings: texts("greeting"), sign_offs: texts("sign_off") };
    try {
      await api("/v1/admin/tone", { method: "PUT", body });
      status.textContent = t("knowledge.saved");
      await loadTone();
    } catch (failure) {
      failed(failure);
    }
  });

  locale.addEventListener("change", load);
  load();
  loadTone();
}

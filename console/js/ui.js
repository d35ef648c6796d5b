// Pieces every console page draws the same way: tables that scroll sideways on a phone, and failures.
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

// columns: [{key (i18n), cell(row) → node or text}]; rowAttrs(row) → attributes of the <tr>.
export function table(columns, rows, rowAttrs = () => ({})) {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, columns.map((column) => h("th", {}, t(column.key))))),
      h("tbody", {}, rows.map((row) => h("tr", rowAttrs(row), columns.map((column) => h("td", { class: column.class }, column.cell(row) ?? "—"))))),
    ),
  );
}

// A failure replaces the target's content (or is appended to it), unless it signed the operator out. For an
// action only the platform may take, a 403 says so: the token works, it is a shop's (the API answers the
// same "forbidden" for both, so only the page knows which it means).
export function showFailure(target, failure, onSignedOut, { key = "error.action", append = false, platformOnly = false } = {}) {
  const refused = platformOnly && failure.status === 403;
  if (!refused && onSignedOut(failure)) return;
  const note = h("p", { class: "error", role: "alert" }, refused ? t("error.platform_only") : t(key, { message: failure.message }));
  if (append) target.append(note);
  else clear(target, note);
}

export function showDone(target, text) {
  clear(target, h("p", { class: "ok", role: "status" }, text));
}

// A form's fields as trimmed strings.
export function fields(form) {
  return Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, typeof value === "string" ? value.trim() : value]));
}

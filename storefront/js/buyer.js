// What every buyer page shares: the shop it belongs to, the API as a buyer calls it, the order tokens kept on
// this device, and the language switch. Built on the console's modules: one fetch wrapper, one t().
import { ApiError, fetchJson } from "/console/js/api.js";
import { clear, h } from "/console/js/dom.js";
import { configureI18n, savedLanguage, setLanguage, t } from "/console/js/i18n.js";

export { ApiError };

const TOKEN_PREFIX = "faka.order.";
const TICKET_PREFIX = "faka.ticket.";
const PAYMENT_PREFIX = "faka.payment.";
const SHOP_PATH = /^\/s\/([A-Za-z0-9_-]{1,64})\/?$/;

configureI18n({
  languages: ["en", "zh-CN", "es"],
  storageKey: "faka.storefront.lang",
  dictionaries: new URL("../i18n/", import.meta.url),
});

// The shop named by /s/{shop}/, or the deployment's default shop (null: no header sent).
export function shopFromPath() {
  return SHOP_PATH.exec(location.pathname)?.[1] ?? null;
}

export function buyerApi(path, { method = "GET", body, token, shop } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (shop) headers["X-Faka-Shop"] = shop;
  return fetchJson(path, { method, headers, body });
}

// An order's credential: the #t= of an email link or checkout (then kept here, and taken out of the address bar
// so it is neither bookmarked nor shared), else the one this device kept.
export function orderToken(orderId) {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("t");
  if (fromLink) {
    keepOrderToken(orderId, fromLink);
    history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  return localStorage.getItem(TOKEN_PREFIX + orderId);
}

export function keepOrderToken(orderId, token) {
  localStorage.setItem(TOKEN_PREFIX + orderId, token);
}

export function forgetOrderToken(orderId) {
  localStorage.removeItem(TOKEN_PREFIX + orderId);
}

// How to pay a pending order (a WeChat code, a USDT address): shown on its page in this tab only.
export function keepPayment(orderId, payment) {
  sessionStorage.setItem(PAYMENT_PREFIX + orderId, JSON.stringify(payment ?? null));
}

export function keptPayment(orderId) {
  return kept(sessionStorage, PAYMENT_PREFIX + orderId);
}

function kept(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export function keptTicket(orderId) {
  return kept(localStorage, TICKET_PREFIX + orderId);
}

export function keepTicket(orderId, ticket) {
  localStorage.setItem(TICKET_PREFIX + orderId, JSON.stringify(ticket));
}

// An API value (a status, a reason code) in the reader's language when the dictionary knows it, else as sent.
export function translated(group, value, otherwise = value) {
  const key = `${group}.${value}`;
  return t(key) === key ? otherwise : t(key);
}

// The failure as the buyer reads it: the API's message is English, so known codes get their own text.
export function problem(error) {
  const fallback = t("error.generic", { message: error.message });
  const text = error instanceof ApiError ? translated("error", error.code, fallback) : fallback;
  return h("p", { class: "error", role: "alert" }, text);
}

// Loads the language, wires the switch, and renders; the switch renders the page again in the new language.
export async function start(render) {
  const select = document.getElementById("lang");
  const view = document.getElementById("view");
  const draw = async () => {
    document.title = t("title");
    try {
      await render(view);
    } catch (error) {
      clear(view, problem(error));
    }
  };
  await setLanguage(savedLanguage());
  select.value = document.documentElement.lang;
  select.addEventListener("change", async () => {
    await setLanguage(select.value);
    await draw();
  });
  await draw();
}

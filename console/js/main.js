import { ApiError, api, loadConfig, session, signIn, signOut } from "./api.js";
import { signInWithPassword } from "./cognito.js";
import { h, clear } from "./dom.js";
import { savedLanguage, setLanguage, t } from "./i18n.js";
import * as alerts from "./pages/alerts.js";
import * as batches from "./pages/batches.js";
import * as dashboard from "./pages/dashboard.js";
import * as knowledge from "./pages/knowledge.js";
import * as ledger from "./pages/ledger.js";
import * as orders from "./pages/orders.js";
import * as policy from "./pages/policy.js";
import * as products from "./pages/products.js";
import * as queue from "./pages/queue.js";
import * as refunds from "./pages/refunds.js";
import * as shops from "./pages/shops.js";
import * as webhooks from "./pages/webhooks.js";

const PAGES = { dashboard, orders, held: { render: orders.renderHeld }, queue, knowledge, refunds, products, batches, shops, policy, webhooks, alerts, ledger };
const view = document.getElementById("view");
let config;
let leave = () => {};

// On AWS (a user pool in config.json) operators sign in with their account; locally with a bearer token.
function credentialFields() {
  if (!config.cognito) {
    return [
      h("p", { class: "muted" }, t("signin.help")),
      h("label", {}, t("signin.token"), h("input", { name: "token", type: "password", required: true, autocomplete: "off" })),
    ];
  }
  return [
    h("p", { class: "muted" }, t("signin.cognito_help")),
    h("label", {}, t("signin.username"), h("input", { name: "username", required: true, autocomplete: "username" })),
    h("label", {}, t("signin.password"), h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" })),
    h("label", {}, t("signin.code"), h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code" })),
  ];
}

async function operatorToken(data, steps) {
  if (!config.cognito) return data.token.trim();
  return signInWithPassword(config.cognito, data.username.trim(), data.password, askIn(steps, data.code.trim()));
}

// What Cognito asks on the way in (a new password, setting up the authenticator app, its code), one small form at a
// time under the sign-in form; a code already typed in the sign-in form answers the first code question.
function askIn(steps, typedCode) {
  let code = typedCode;
  return (step, details = {}) =>
    new Promise((resolve) => {
      if (step === "mfa_code" && code) {
        resolve(code);
        code = "";
        return;
      }
      const input =
        step === "new_password"
          ? h("input", { name: "answer", type: "password", required: true, minlength: 8, autocomplete: "new-password" })
          : h("input", { name: "answer", required: true, inputmode: "numeric", pattern: "[0-9]{6}", autocomplete: "one-time-code" });
      const form = h(
        "form",
        { class: "stack card", id: `sign-in-${step.replace("_", "-")}` },
        h("p", {}, t(`signin.${step}.help`)),
        step === "mfa_setup"
          ? [
              h("label", {}, t("signin.mfa_setup.secret"), h("input", { name: "secret", readonly: true, value: details.secret, onfocus: (e) => e.target.select() })),
              h("small", { class: "muted" }, details.uri),
            ]
          : null,
        h("label", {}, t(`signin.${step}.field`), input),
        h("button", { type: "submit" }, t("signin.continue")),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        clear(steps);
        resolve(input.value.trim());
      });
      clear(steps, form);
      input.focus();
    });
}

function signInPage() {
  const error = h("div", { role: "alert" });
  const steps = h("div", { id: "sign-in-steps" });
  const form = h(
    "form",
    { class: "stack card", id: "sign-in" },
    h("h1", {}, t("signin.title")),
    ...credentialFields(),
    h("label", {}, t("signin.shop"), h("input", { name: "shop", value: "main", required: true })),
    h("label", {}, t("signin.agent"), h("input", { name: "agent", value: "operator", required: true })),
    h("button", { type: "submit" }, t("signin.submit")),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    let candidate;
    try {
      candidate = { token: await operatorToken(data, steps), shop: data.shop.trim(), agent: data.agent.trim() };
      // Any operator route proves the token acts on the shop; products is the cheapest.
      await api("/v1/admin/products", { as: candidate });
    } catch (failure) {
      clear(steps);
      clear(error, h("p", { class: "error" }, t("signin.failed", { message: failure.message })));
      return;
    }
    signIn(candidate);
    location.hash = "#/dashboard";
    route();
  });
  return h("div", {}, form, steps);
}

function route() {
  leave();
  leave = () => {};
  const current = session();
  document.getElementById("nav").hidden = !current;
  document.getElementById("sign-out").hidden = !current;
  document.getElementById("who").textContent = current ? t("who", { agent: current.agent, shop: current.shop }) : "";
  if (!current) {
    clear(view, signInPage());
    return;
  }
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const page = PAGES[name] ? name : "dashboard";
  for (const link of document.querySelectorAll("#nav a")) link.classList.toggle("active", link.hash === `#/${page}`);
  clear(view);
  leave = PAGES[page].render(view, { session: current, param: rest.join("/") || null, onSignedOut }) || (() => {});
}

// A token that stops working (revoked, or the shop changed) sends the operator back to sign in.
function onSignedOut(failure) {
  if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) {
    signOut();
    route();
    return true;
  }
  return false;
}

async function start() {
  config = await loadConfig();
  const select = document.getElementById("lang");
  await setLanguage(savedLanguage());
  select.value = document.documentElement.lang;
  select.addEventListener("change", async () => {
    await setLanguage(select.value);
    route();
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    signOut();
    route();
  });
  window.addEventListener("hashchange", route);
  route();
}

start();

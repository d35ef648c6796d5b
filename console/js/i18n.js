// One t() for the console and the storefront: each app names its languages, where its dictionaries live
// (i18n/<lang>.json) and where the reader's choice is kept across visits.
let settings = {
  languages: ["en", "zh-CN"],
  storageKey: "faka.console.lang",
  dictionaries: new URL("../i18n/", import.meta.url),
};
let strings = {};
let fallback = {};
let current = "en";

export function configureI18n(options) {
  settings = { ...settings, ...options };
}

export function languages() {
  return settings.languages;
}

async function load(lang) {
  const response = await fetch(new URL(`${lang}.json`, settings.dictionaries));
  return response.json();
}

export async function setLanguage(lang) {
  current = settings.languages.includes(lang) ? lang : "en";
  if (!Object.keys(fallback).length) fallback = await load("en");
  strings = current === "en" ? fallback : await load(current);
  localStorage.setItem(settings.storageKey, current);
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
}

// The saved choice, else the first of the browser's languages this app speaks (zh-TW reads zh-CN), else English.
export function savedLanguage() {
  const saved = localStorage.getItem(settings.storageKey);
  if (saved) return saved;
  for (const wanted of navigator.languages?.length ? navigator.languages : [navigator.language ?? "en"]) {
    const base = wanted.toLowerCase().split("-")[0];
    const match = settings.languages.find((lang) => lang.toLowerCase().split("-")[0] === base);
    if (match) return match;
  }
  return "en";
}

export function language() {
  return current;
}

export function t(key, vars = {}) {
  const template = strings[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// "key.one" / "key.other"... chosen by the language's plural rules, with {n} formatted.
export function plural(key, n, vars = {}) {
  const category = new Intl.PluralRules(current).select(n);
  const known = (strings[`${key}.${category}`] ?? fallback[`${key}.${category}`]) !== undefined;
  const chosen = known ? `${key}.${category}` : `${key}.other`;
  return t(chosen, { ...vars, n: formatNumber(n) });
}

export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(current, options).format(value);
}

export function formatPercent(rate) {
  return formatNumber(rate, { style: "percent", maximumFractionDigits: 1 });
}

export function formatSeconds(seconds) {
  if (seconds < 90) return t("unit.seconds", { n: formatNumber(seconds, { maximumFractionDigits: 1 }) });
  if (seconds < 5400) return t("unit.minutes", { n: formatNumber(seconds / 60, { maximumFractionDigits: 1 }) });
  return t("unit.hours", { n: formatNumber(seconds / 3600, { maximumFractionDigits: 1 }) });
}

// Minor units per major unit follow the currency (JPY has none, USD two): Intl knows each currency's digits.
export function currencyDigits(currency) {
  const code = String(currency || "usd").toUpperCase();
  return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
}

export function formatMoney(minor, currency) {
  const code = String(currency || "usd").toUpperCase();
  return formatNumber(minor / 10 ** currencyDigits(code), { style: "currency", currency: code });
}

// "12.5" USD → 1250; NaN when the text is not an amount with at most the currency's digits.
export function toMinor(text, currency) {
  const digits = currencyDigits(currency);
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!match || (match[2] ?? "").length > digits) return Number.NaN;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || 0);
}

export function fromMinor(minor, currency) {
  const digits = currencyDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

export function formatTime(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(current, { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
}

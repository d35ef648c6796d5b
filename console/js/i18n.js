// Two dictionaries (i18n/en.json, i18n/zh-CN.json); the choice is kept across visits.
const LANG_KEY = "faka.console.lang";
export const LANGUAGES = ["en", "zh-CN"];
let strings = {};
let fallback = {};
let current = "en";

async function load(lang) {
  const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  return response.json();
}

export async function setLanguage(lang) {
  current = LANGUAGES.includes(lang) ? lang : "en";
  if (!Object.keys(fallback).length) fallback = await load("en");
  strings = current === "en" ? fallback : await load(current);
  localStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
}

export function savedLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved) return saved;
  return navigator.language?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function language() {
  return current;
}

export function t(key, vars = {}) {
  const template = strings[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
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

export function formatMoney(minor, currency) {
  const code = String(currency || "usd").toUpperCase();
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
  return formatNumber(minor / 10 ** digits, { style: "currency", currency: code });
}

export function formatTime(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(current, { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
}

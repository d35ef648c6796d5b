// The operator's session (token, shop, agent name) lives in sessionStorage: gone when the tab closes.
const SESSION_KEY = "faka.console.session";
let config = { apiUrl: "", auth: "token", cognito: null };

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }

  // The route is not deployed (yet): pages show what they can without it.
  get missing() {
    return this.status === 404 && this.code === "no_route";
  }
}

export async function loadConfig() {
  const response = await fetch(new URL("../config.json", import.meta.url), { cache: "no-store" });
  if (response.ok) config = { ...config, ...(await response.json()) };
  return config;
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

export function signIn(value) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
}

export async function api(path, { method = "GET", body, as = session() } = {}) {
  const headers = {};
  if (as?.token) headers.Authorization = `Bearer ${as.token}`;
  if (as?.shop) headers["X-Faka-Shop"] = as.shop;
  return fetchJson(config.apiUrl.replace(/\/$/, "") + path, { method, headers, body });
}

// The one fetch wrapper of the console and the storefront: JSON in and out, errors as ApiError.
export async function fetchJson(url, { method = "GET", headers = {}, body } = {}) {
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.code ?? "http_error", data?.message ?? response.statusText);
  return data;
}

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

function operatorHeaders(as) {
  const headers = {};
  if (as?.token) headers.Authorization = `Bearer ${as.token}`;
  if (as?.shop) headers["X-Faka-Shop"] = as.shop;
  return headers;
}

function apiUrl(path) {
  return config.apiUrl.replace(/\/$/, "") + path;
}

export async function api(path, { method = "GET", body, as = session() } = {}) {
  return fetchJson(apiUrl(path), { method, headers: operatorHeaders(as), body });
}

// An operator download (an order export, an evidence pack) needs the bearer token, which a plain link cannot
// send: the file is fetched, then saved through a short-lived blob URL under the name the API gives it.
export async function download(path, filename) {
  const response = await fetch(apiUrl(path), { headers: operatorHeaders(session()) });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new ApiError(response.status, data?.code ?? "http_error", data?.message ?? response.statusText);
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1];
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = named ?? filename;
  link.click();
  // The click has handed the blob to the download by the next task; the URL is not needed after it.
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
  return { name: link.download, size: blob.size };
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

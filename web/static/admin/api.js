// A small JSON client for /api/v1. A console login is a cookie; requests
// that change something carry the CSRF token GET /api/v1/me hands out. A
// bearer token kept in sessionStorage (set with #token=… in the address)
// works too, for installations that have no login yet.

const TOKEN_KEY = "sb_admin_token";

let csrf = "";
let me = null;

/** APIError is a refusal from the server: its status, code and message. */
export class APIError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** takeTokenFromHash stores a token given as #token=… and returns the rest of the hash. */
export function takeTokenFromHash() {
  const m = location.hash.match(/^#token=([^&]+)(?:&to=(.*))?$/);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, "", location.pathname + "#" + (m[2] ? decodeURIComponent(m[2]) : "/"));
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

function toLogin() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.assign("/login?next=" + encodeURIComponent(location.pathname + location.hash));
}

/** request sends one API call and returns the decoded JSON answer (null for 204). */
export async function request(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (e) {
    // A login's CSRF token changes when it is renewed: fetch it again once.
    if (e.status === 403 && /csrf/i.test(e.message) && !token()) {
      await loadMe();
      return send(method, path, body);
    }
    throw e;
  }
}

async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = "Bearer " + t;
  else if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch("/api/v1" + path, init);
  } catch (e) {
    throw new APIError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (res.status === 401) {
    toLogin();
    throw new APIError(401, "unauthorized", "Your login has expired.");
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new APIError(res.status, "bad_response", `The server answered ${res.status} without JSON.`);
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new APIError(res.status, e.code || "error", e.message || `The request failed (${res.status}).`, e.detail);
  }
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const put = (path, body) => request("PUT", path, body);
export const del = (path) => request("DELETE", path);

/** items returns the list of a collection answer ({"items":[…]} or a bare array). */
export function items(data) {
  if (Array.isArray(data)) return data;
  return (data && data.items) || [];
}

/** loadMe fetches the caller and its CSRF token; null when the server has no /me. */
export async function loadMe() {
  try {
    me = await get("/me");
    csrf = (me && me.csrf_token) || "";
  } catch (e) {
    if (e.status !== 404 && e.status !== 405) throw e;
    me = null;
  }
  return me;
}

/** logout ends the login and goes to the login page. */
export async function logout() {
  if (!token()) {
    try {
      await post("/logout");
    } catch {
      /* the login page follows either way */
    }
  }
  toLogin();
}

/** body strips the fields the server assigns, for a create or replace. */
export function body(obj) {
  const out = { ...obj };
  delete out.id;
  delete out.created_at;
  delete out.updated_at;
  return out;
}

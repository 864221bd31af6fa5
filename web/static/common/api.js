// Switchboard API client for the browser pages: JSON in and out, the login
// cookie with its CSRF token, a redirect to /login when the login is gone,
// and readable errors.

let csrfToken = '';
let mePromise = null;

/** APIError is a refusal from the server: {status, code, message, detail}. */
export class APIError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

function toLogin() {
  const next = location.pathname + location.search + location.hash;
  if (location.pathname !== '/login') location.assign('/login?next=' + encodeURIComponent(next));
}

const safe = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * api sends a request and answers the decoded JSON (null for 204).
 * body: undefined, a plain value (sent as JSON) or a Blob/File (sent raw).
 * opts.noRedirect: answer 401 as an error instead of going to /login.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (body instanceof Blob) {
    init.body = body;
    if (body.type) headers['Content-Type'] = body.type;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (!safe.has(method)) {
    if (!csrfToken && path !== '/api/v1/login') await me().catch(() => {});
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new APIError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const err = new APIError(res.status, e.code || 'http_' + res.status, e.message || res.statusText || 'request failed', e.detail);
  if (res.status === 401 && !opts.noRedirect) {
    mePromise = null;
    toLogin();
  }
  if (res.status === 403 && /csrf/i.test(err.message) && !opts.retried) {
    csrfToken = '';
    mePromise = null;
    return api(method, path, body, { ...opts, retried: true });
  }
  throw err;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/** qs builds a query string from the set values of params. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, v);
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

/** me answers who is logged in: {role, user?, agent?, csrf_token?}, cached for the page. */
export function me(force = false) {
  if (!mePromise || force) {
    mePromise = (async () => {
      try {
        const m = await get('/api/v1/me');
        if (m && m.csrf_token) csrfToken = m.csrf_token;
        return m;
      } catch (e) {
        mePromise = null;
        throw e;
      }
    })();
  }
  return mePromise;
}

/** login signs in with an e-mail and a password. */
export async function login(email, password) {
  const out = await api('POST', '/api/v1/login', { email, password }, { noRedirect: true });
  csrfToken = (out && out.csrf_token) || '';
  mePromise = Promise.resolve({ role: out.user && out.user.role, user: out.user, agent: out.agent, csrf_token: csrfToken });
  return out;
}

/** logout ends the login and goes to the login page. */
export async function logout() {
  try {
    await post('/api/v1/logout', {}, { noRedirect: true });
  } finally {
    mePromise = null;
    csrfToken = '';
    location.assign('/login');
  }
}

/** describe turns any error into a sentence for people. */
export function describe(err) {
  if (err instanceof APIError) {
    let m = err.message;
    if (m) m = m[0].toUpperCase() + m.slice(1);
    if (err.status === 429) return m || 'Too many attempts. Try again later.';
    return m || 'Something went wrong (' + err.code + ').';
  }
  return (err && err.message) || String(err);
}

function toastBox() {
  let box = document.getElementById('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.className = 'toasts';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    document.body.append(box);
  }
  return box;
}

/** toast shows a short note in the corner for a few seconds. */
export function toast(text, kind = '', ms = 4000) {
  const t = document.createElement('div');
  t.className = 'toast ' + kind;
  const span = document.createElement('span');
  span.textContent = text;
  const x = document.createElement('button');
  x.type = 'button';
  x.textContent = '×';
  x.setAttribute('aria-label', 'Dismiss');
  x.onclick = () => t.remove();
  t.append(span, x);
  toastBox().append(t);
  setTimeout(() => t.remove(), ms);
  return t;
}

/** showError shows an error as a toast (and logs it). */
export function showError(err) {
  if (err && err.name === 'AbortError') return;
  console.error(err);
  toast(describe(err), 'error', 6000);
}

// The console's view of the shared API client (common/api.js): paths
// relative to /api/v1, collection answers as arrays, and bodies without
// the fields the server assigns. A bearer token given once as #token=… in
// the address is kept as the shared development token, for installations
// that have no login yet.

import * as common from "../common/api.js";

export const APIError = common.APIError;

/** takeTokenFromHash stores a token given as #token=…&to=/page and shows the page. */
export function takeTokenFromHash() {
  const m = location.hash.match(/^#token=([^&]+)(?:&to=(.*))?$/);
  if (!m) return;
  sessionStorage.setItem(common.DEV_TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, "", location.pathname + "#" + (m[2] ? decodeURIComponent(m[2]) : "/"));
}

/** request sends one API call and returns the decoded JSON answer (null for 204). */
export function request(method, path, body) {
  return common.api(method, "/api/v1" + path, body);
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

/** optionalItems lists a collection, or nothing when it cannot be read (a related list). */
export async function optionalItems(path) {
  try {
    return items(await get(path));
  } catch {
    return [];
  }
}

/** loadMe answers the caller ({role, user?, …}); null when the server cannot say. */
export async function loadMe() {
  try {
    return await common.me();
  } catch (e) {
    if (e.status === 404 || e.status === 405) return null;
    throw e;
  }
}

export const logout = common.logout;

/** body strips the fields the server assigns, for a create or replace. */
export function body(obj) {
  const out = { ...obj };
  delete out.id;
  delete out.created_at;
  delete out.updated_at;
  return out;
}

// The console's view of the shared API client (common/api.js): paths
// relative to /api/v1, collection answers as arrays, and bodies without
// the fields the server assigns. The login cookie, its CSRF token and the
// redirect to /login are the shared client's.

import * as common from "../common/api.js";

export const APIError = common.APIError;

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

/** loadMe answers the caller: {role, user?, agent?, csrf_token?}. */
export function loadMe() {
  return common.me();
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

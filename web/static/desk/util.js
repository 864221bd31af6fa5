// Small DOM and formatting helpers of the desk.

/**
 * h builds an element: h('div.cls#id', {attrs, onclick}, ...children).
 * Children are nodes or strings (always inserted as text, never HTML).
 */
export function h(spec, attrs, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9]*)(.*)$/i);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** clock is "14:05" today, "Nov 3" before. */
export function clock(t) {
  if (!t) return '';
  const d = new Date(t);
  return sameDay(d, new Date()) ? timeFmt.format(d) : dayFmt.format(d);
}
export const hm = (t) => (t ? timeFmt.format(new Date(t)) : '');
export const full = (t) => (t ? fullFmt.format(new Date(t)) : '');
export const dayLabel = (t) => {
  const d = new Date(t);
  return sameDay(d, new Date()) ? 'Today' : dayFmt.format(d);
};
export function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** since is "3 min", "1 h 05" or "12 s" from t to now. */
export function since(t, now = Date.now()) {
  if (!t) return '';
  const s = Math.max(0, Math.round((now - new Date(t)) / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  const m = Math.floor(s / 60);
  return Math.floor(m / 60) + ' h ' + String(m % 60).padStart(2, '0');
}

/** bytes is "12 KB". */
export function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return Math.round(n / 1024) + ' KB';
  return (n / (1 << 20)).toFixed(1) + ' MB';
}

/** initials of a name, for avatars. */
export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/);
  return ((parts[0] || '?')[0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

const palette = ['#5b6ee1', '#d4683a', '#2d9d78', '#b5489c', '#3a8fd4', '#8a6d3b', '#6a5acd', '#c2455a'];
/** avatar is a coloured circle with initials, stable per key. */
export function avatar(name, key) {
  let n = 0;
  for (const c of String(key || name)) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  const a = h('span.avatar', initials(name));
  a.style.background = palette[n % palette.length];
  return a;
}

/**
 * visitorName names the end user of a session for the desk: the name the
 * server gives it by the chat settings (display_name), else its own.
 */
export function visitorName(s) {
  if (s && s.display_name) return s.display_name;
  const u = (s && s.end_user) || {};
  return u.name || u.email || u.phone || (u.identifier ? 'Visitor ' + u.identifier.slice(-6) : 'Visitor #' + s.id);
}

/** words turns a snake_case code into words: "no_free_agent" → "No free agent". */
export function words(code) {
  const s = String(code || '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** live reports whether a session status is not an ended one. */
export function live(s) {
  return !['finished', 'failed', 'recovered', 'deflected', 'voicemail_received'].includes(s.status);
}
export const waiting = (s) => s.status === 'queued' || s.status === 'requeued';

/** handler answers the agent currently handling s, or null. */
export function handler(s) {
  const hs = s.handles || [];
  const last = hs[hs.length - 1];
  return last && !last.ended_at ? last.agent : null;
}

/** pendingTransfer answers the transfer waiting for its receiver, or null. */
export function pendingTransfer(s) {
  const ts = s.transfers || [];
  const t = ts[ts.length - 1];
  return t && t.status === 'started' ? t : null;
}

/** debounce delays fn until ms after the last call. */
export function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

const ICONS = {
  pin: 'M9 4h6l-1 6 3 3H7l3-3zM12 13v7',
  back: 'M15 6l-6 6 6 6',
};
/** icon draws a small line icon by name. */
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'ico');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[name]);
  svg.append(p);
  return svg;
}

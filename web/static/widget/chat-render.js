// Rendering helpers of the chat page. Data from the server only ever
// reaches the page as text nodes or as validated link/image URLs.

/** h builds an element; string children become text nodes. */
export function h(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

const urlRe = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;

/** linkify appends text to parent, turning web addresses into safe links. */
export function linkify(parent, text) {
  let last = 0;
  for (const m of text.matchAll(urlRe)) {
    let url = m[0];
    const trail = /[.,;:!?)\]}'"]+$/.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    const href = url.startsWith('www.') ? 'https://' + url : url;
    let ok = false;
    try { ok = ['http:', 'https:'].includes(new URL(href).protocol); } catch { ok = false; }
    if (!ok) continue;
    parent.appendChild(document.createTextNode(text.slice(last, m.index)));
    parent.appendChild(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, url));
    last = m.index + url.length;
  }
  parent.appendChild(document.createTextNode(text.slice(last)));
  return parent;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** clock formats a time of today as 14:05, older ones with their day. */
export function clock(t) {
  const d = new Date(t);
  if (isNaN(d)) return '';
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return timeFmt.format(d);
  return dayFmt.format(d) + ' ' + timeFmt.format(d);
}

/** size formats a byte count. */
export function size(n) {
  if (!(n >= 0)) return '';
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(n < 10240 ? 1 : 0) + ' KB';
  return (n / (1 << 20)).toFixed(1) + ' MB';
}

/** wait formats an estimated wait in seconds as words. */
export function wait(sec) {
  if (sec === undefined || sec === null) return '';
  if (sec < 60) return 'less than a minute';
  const m = Math.round(sec / 60);
  if (m < 60) return 'about ' + m + (m === 1 ? ' minute' : ' minutes');
  const hrs = Math.round(m / 60);
  return 'about ' + hrs + (hrs === 1 ? ' hour' : ' hours');
}

/** contrast picks readable text (white or near-black) for a background. */
export function contrast(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!m) return '#ffffff';
  const n = parseInt(m[1], 16);
  const lin = [n >> 16, (n >> 8) & 255, n & 255].map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] > 0.45 ? '#111827' : '#ffffff';
}

/** shade mixes a colour with black (amount < 0) or white (amount > 0). */
export function shade(hex, amount) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  const to = amount < 0 ? 0 : 255;
  const a = Math.abs(amount);
  const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.round(v + (to - v) * a));
  return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
}

const svgNS = 'http://www.w3.org/2000/svg';

/** icon builds a one-path SVG icon. */
export function icon(d, cls) {
  const s = document.createElementNS(svgNS, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('focusable', 'false');
  if (cls) s.setAttribute('class', cls);
  const p = document.createElementNS(svgNS, 'path');
  p.setAttribute('d', d);
  s.appendChild(p);
  return s;
}

export const icons = {
  emoji: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5a5.5 5.5 0 0 0 5.1-3.5H6.9a5.5 5.5 0 0 0 5.1 3.5z',
  image: 'M19 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 16H5V5h14v14zm-5.1-6.6-2.7 3.5-1.9-2.3L6.5 17h11l-3.6-4.6zM8.5 10a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z',
  attachment: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z',
  rating: 'M12 17.3 18.2 21l-1.6-7L22 9.2l-7.2-.6L12 2 9.2 8.6 2 9.2 7.5 14l-1.7 7z',
  message: 'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5v2z',
  human: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z',
  file: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm4 18H6V4h7v5h5v11z',
  star: 'M12 17.3 18.2 21l-1.6-7L22 9.2l-7.2-.6L12 2 9.2 8.6 2 9.2 7.5 14l-1.7 7z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
};

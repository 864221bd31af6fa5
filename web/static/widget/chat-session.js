// What a visitor's chat needs besides the page: the visitor's identity,
// the context a new chat records, and the place in line while it waits.
import { ApiError, store } from './chat-api.js';

/**
 * identify answers the visitor's identity for the plugin key: the token
 * kept from an earlier visit, or a new one, verified when the site signed
 * its customer's ID. It sets the API's token and remembers the visitor.
 */
export async function identify(api, key, identity) {
  const storeKey = (k) => 'sb.' + k + '.' + key;
  const id = identity || {};
  // A signed-in customer's chats are not shown to whoever uses the browser
  // after they sign out: without an identity, a verified token is dropped.
  if (!id.user_id && store.get(storeKey('verified')) === '1') {
    ['visitor', 'visitor_id', 'verified', 'session'].forEach((k) => store.del(storeKey(k)));
  }
  const body = { visitor_token: store.get(storeKey('visitor')) || undefined };
  if (id.user_id) { body.user_id = id.user_id; body.user_hash = id.user_hash; }
  if (id.name) body.name = String(id.name).slice(0, 100);
  if (id.email) body.email = String(id.email).slice(0, 200);
  const url = '/api/v1/widget/' + encodeURIComponent(key) + '/visitor';
  let v;
  try {
    v = await api.post(url, body);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 400 && e.status !== 401)) throw e;
    v = await api.post(url, {}); // a stale token or a wrong identity: start anonymous
  }
  api.token = v.visitor_token;
  const prev = store.get(storeKey('visitor_id'));
  if (prev && prev !== v.visitor_id) store.del(storeKey('session')); // another person on this browser
  store.set(storeKey('visitor'), v.visitor_token);
  store.set(storeKey('visitor_id'), v.visitor_id);
  store.set(storeKey('verified'), v.verified ? '1' : '0');
  return v;
}

// visitorContext is the language and device a new chat records (SPEC
// §1: inbound web chat metadata).
export function visitorContext() {
  const out = {};
  const lang = (navigator.language || '').trim();
  if (/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(lang)) out.lang = lang;
  const ua = navigator.userAgent || '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /OPR\//.test(ua) ? 'Opera' : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : '';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  const kind = /Mobi|iPhone|Android.+Mobile/.test(ua) ? 'mobile' : /iPad|Tablet|Android/.test(ua) ? 'tablet' : 'desktop';
  out.device = [browser && os ? browser + ' on ' + os : browser || os, kind].filter(Boolean).join(', ');
  return out;
}

/**
 * QueueWatch follows a waiting chat's place in line: the server's stream
 * where the browser has EventSource, else a poll every ten seconds. The
 * stream opens with a single-use ticket, so the page reopens it itself,
 * with a new ticket, rather than let the browser retry with the old one.
 */
export class QueueWatch {
  constructor(api, show) {
    this.api = api;
    this.show = show; // show({position, waiting, estimated_wait_seconds, no_estimate})
    this.src = null;
    this.timer = 0;
    this.on = false;
    this.failures = 0;
    this.gen = 0;
  }

  follow(id) {
    this.stop();
    this.on = true;
    const gen = ++this.gen;
    const path = '/api/v1/sessions/' + id + '/queue-position';
    const poll = () => {
      this.api.get(path).then((p) => this.on && this.show(p), () => {}).finally(() => {
        if (this.on && gen === this.gen) this.timer = setTimeout(poll, 10000);
      });
    };
    if (!('EventSource' in window)) { poll(); return; }
    const again = () => {
      // Poll meanwhile; reopen after a backoff.
      this.failures++;
      this.api.get(path).then((p) => this.on && this.show(p), () => {});
      const wait = Math.min(30000, 1000 * 2 ** Math.min(this.failures, 5)) * (0.75 + Math.random() / 2);
      this.timer = setTimeout(open, wait);
    };
    const open = async () => {
      let url;
      try { url = await this.api.withTicket(path + '/stream'); } catch { if (this.on && gen === this.gen) again(); return; }
      if (!this.on || gen !== this.gen) return;
      const src = new EventSource(url);
      this.src = src;
      src.addEventListener('position', (m) => {
        this.failures = 0;
        try { if (this.on) this.show(JSON.parse(m.data)); } catch { /* ignore */ }
      });
      src.addEventListener('left', () => { src.close(); if (this.src === src) this.src = null; });
      src.onerror = () => {
        src.close();
        if (this.src !== src) return;
        this.src = null;
        if (this.on) again();
      };
    };
    open();
  }

  stop() {
    this.on = false;
    this.gen++;
    if (this.src) this.src.close();
    this.src = null;
    clearTimeout(this.timer);
  }
}

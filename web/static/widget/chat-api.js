// The chat page's connection to the Switchboard API: JSON requests with
// the visitor token, and a session's events over the WebSocket with a
// polling fallback. Events are delivered once each, in seq order. The
// token never goes in a URL: the WebSocket and event streams open with a
// single-use ticket, attachments load through fetch.

/** ApiError carries the API's {"error":{"code","message"}} answer. */
export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message || code || 'request failed (' + status + ')');
    this.status = status;
    this.code = code || '';
    this.detail = detail || null;
  }
}

/** Storage that survives a browser refusing localStorage in a frame. */
export const store = (() => {
  const mem = new Map();
  let ls = null;
  try {
    ls = window.localStorage;
    ls.setItem('sb.probe', '1');
    ls.removeItem('sb.probe');
  } catch {
    ls = null;
  }
  return {
    get(k) { try { return ls ? ls.getItem(k) : (mem.get(k) ?? null); } catch { return mem.get(k) ?? null; } },
    set(k, v) { try { ls ? ls.setItem(k, v) : mem.set(k, v); } catch { mem.set(k, v); } },
    del(k) { try { ls ? ls.removeItem(k) : mem.delete(k); } catch { mem.delete(k); } },
  };
})();

export class Api {
  constructor() { this.token = ''; }

  async request(method, path, body, opts = {}) {
    const headers = {};
    if (this.token) headers.Authorization = 'Bearer ' + this.token;
    let payload;
    if (opts.raw) {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network', 'You seem to be offline. Check your connection and try again.');
    }
    const text = await res.text();
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch { data = null; } }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApiError(res.status, err.code, err.message, err.detail);
    }
    return data;
  }
  get(p) { return this.request('GET', p); }
  post(p, b) { return this.request('POST', p, b === undefined ? {} : b); }

  /**
   * withTicket resolves to path with a fresh single-use ticket for it, for
   * what a browser opens itself without headers (WebSocket, EventSource).
   */
  async withTicket(path) {
    const r = await this.post('/api/v1/tickets', { path });
    return path + '?ticket=' + encodeURIComponent(r.ticket);
  }

  /** blobURL fetches a file with the token and resolves to an object URL. */
  async blobURL(path) {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: 'Bearer ' + this.token }, credentials: 'omit' });
    } catch {
      throw new ApiError(0, 'network', 'You seem to be offline. Check your connection and try again.');
    }
    if (!res.ok) throw new ApiError(res.status, '', 'The file could not be loaded (' + res.status + ').');
    return URL.createObjectURL(await res.blob());
  }
}

/**
 * Channel follows one session's events. It prefers the WebSocket and
 * falls back to polling GET …/events while the socket is down; either way
 * onEvent sees every event once, in seq order, from after_seq on.
 */
export class Channel {
  constructor(api, handlers) {
    this.api = api;
    this.h = handlers; // onEvent(e), onTyping(m), onState('live'|'polling'|'offline')
    this.sessionId = 0;
    this.seq = 0;
    this.ws = null;
    this.wsOK = false;
    this.failures = 0;
    this.pending = new Map();
    this.refs = 0;
    this.timers = {};
    this.stopped = true;
  }

  follow(sessionId, afterSeq) {
    this.stop();
    this.sessionId = sessionId;
    this.seq = afterSeq || 0;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    Object.values(this.timers).forEach(clearTimeout);
    this.timers = {};
    if (this.ws) { try { this.ws.close(1000); } catch { /* closed */ } }
    this.ws = null;
    this.wsOK = false;
    for (const p of this.pending.values()) p.reject(new ApiError(0, 'closed', 'connection closed'));
    this.pending.clear();
  }

  // deliver applies an event once. Visitors see only the conversation's
  // events of their session, so seqs may skip; they never go back.
  deliver(e) {
    if (e.session_id !== this.sessionId || e.seq <= this.seq) return;
    this.seq = e.seq;
    this.h.onEvent(e);
  }

  async catchUp() {
    if (this.catching) { this.again = true; return; }
    this.catching = true;
    try {
      for (;;) {
        this.again = false;
        const id = this.sessionId;
        const page = await this.api.get('/api/v1/sessions/' + id + '/events?after_seq=' + this.seq + '&limit=200');
        if (this.stopped || id !== this.sessionId) return;
        for (const e of page.events || []) this.deliver(e);
        if (!page.next_after_seq && !this.again) break;
      }
    } finally {
      this.catching = false;
    }
  }

  // connect opens the socket with a fresh ticket each time, reconnects
  // included: a ticket is good once.
  async connect() {
    if (this.stopped || !('WebSocket' in window)) { this.poll(); return; }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const attempt = this.attempt = (this.attempt || 0) + 1;
    let ws;
    try {
      const path = await this.api.withTicket('/api/v1/ws');
      if (this.stopped || attempt !== this.attempt) return;
      ws = new WebSocket(proto + '//' + location.host + path);
    } catch {
      if (this.stopped || attempt !== this.attempt) return;
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ op: 'subscribe', session_id: this.sessionId, after_seq: this.seq }));
      this.timers.sub = setTimeout(() => { if (!this.wsOK) this.poll(); }, 5000);
      clearTimeout(this.timers.ping);
      const ping = () => {
        if (ws.readyState === 1) ws.send('{"op":"ping"}');
        this.timers.ping = setTimeout(ping, 25000);
      };
      this.timers.ping = setTimeout(ping, 25000);
    };
    ws.onmessage = (m) => {
      let f;
      try { f = JSON.parse(m.data); } catch { return; }
      switch (f.op) {
        case 'subscribed':
          this.wsOK = true;
          this.failures = 0;
          clearTimeout(this.timers.poll);
          this.h.onState('live');
          break;
        case 'event': this.deliver(f.event); break;
        case 'typing': if (f.session_id === this.sessionId) this.h.onTyping(f); break;
        case 'result':
        case 'error': {
          if (f.op === 'error' && !f.ref && !this.wsOK) this.poll(); // the subscription was refused
          const p = f.ref && this.pending.get(f.ref);
          if (!p) break;
          this.pending.delete(f.ref);
          if (f.op === 'result') {
            (f.events || []).forEach((e) => this.deliver(e));
            p.resolve(f);
          }
          else p.reject(new ApiError(400, f.error && f.error.code, f.error && f.error.message));
          break;
        }
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.wsOK = false;
      for (const p of this.pending.values()) p.reject(new ApiError(0, 'closed', 'connection closed'));
      this.pending.clear();
      if (this.stopped) return;
      this.retry();
    };
  }

  // retry polls while the socket is down and reconnects after a backoff.
  retry() {
    this.failures++;
    this.h.onState(navigator.onLine === false ? 'offline' : 'polling');
    this.poll();
    clearTimeout(this.timers.reconnect);
    const wait = Math.min(30000, 1000 * 2 ** Math.min(this.failures, 5)) * (0.75 + Math.random() / 2);
    this.timers.reconnect = setTimeout(() => this.connect(), wait);
  }

  poll() {
    clearTimeout(this.timers.poll);
    if (this.stopped || this.wsOK) return;
    this.catchUp().catch(() => {}).finally(() => {
      if (!this.stopped && !this.wsOK) this.timers.poll = setTimeout(() => this.poll(), 3000);
    });
  }

  /** typing tells the other side the visitor is (not) typing; best effort. */
  typing(on) {
    if (this.wsOK && this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ op: 'typing', session_id: this.sessionId, typing: !!on }));
    }
  }

  /** command runs a session command over the socket, else over REST. */
  command(name, body) {
    if (this.wsOK && this.ws && this.ws.readyState === 1) {
      const ref = 'c' + (++this.refs);
      return new Promise((resolve, reject) => {
        this.pending.set(ref, { resolve, reject });
        this.ws.send(JSON.stringify({ op: 'command', ref, session_id: this.sessionId, command: name, body }));
        setTimeout(() => {
          if (this.pending.delete(ref)) reject(new ApiError(0, 'timeout', 'The message could not be sent. Try again.'));
        }, 15000);
      });
    }
    return this.api.post('/api/v1/sessions/' + this.sessionId + '/' + name, body).then((r) => {
      (r.events || []).forEach((e) => this.deliver(e));
      return r;
    });
  }
}

// Live connection to the Switchboard WebSocket API (/api/v1/ws): session
// and all-session subscriptions that resume after a reconnect from the
// last event seen (no gap, no duplicate), typing notices and commands.

import { APIError, get } from './api.js';

const PING_MS = 25000;
const DEAD_MS = 60000;
const COMMAND_MS = 15000;
const POLL_MS = 3000;
const POLL_AFTER_FAILURES = 3;

/**
 * Live keeps one WebSocket open, reconnecting with exponential backoff.
 * Callbacks: onEvent(event), onTyping({session_id, from, agent_id, typing}),
 * onState('connecting'|'open'|'closed'|'polling'), onSubscribed(session id).
 */
export class Live {
  constructor({ url = '/api/v1/ws', onEvent = () => {}, onTyping = () => {}, onState = () => {}, onSubscribed = () => {} } = {}) {
    this.url = url;
    this.onSubscribed = onSubscribed;
    this.onEvent = onEvent;
    this.onTyping = onTyping;
    this.onState = onState;
    this.sessions = new Map(); // session id → last seq seen
    this.all = null; // null: not subscribed; else the last global id seen (0: from now)
    this.pending = new Map(); // command ref → {resolve, reject, timer}
    this.seen = new Set(); // recent event ids, against duplicates from overlapping subscriptions
    this.seenOrder = [];
    this.attempt = 0;
    this.refs = 0;
    this.stopped = true;
    this.state = 'closed';
  }

  /** start opens the connection. */
  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** stop closes it for good. */
  stop() {
    this.stopped = true;
    this.stopPolling();
    clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000);
  }

  get open() { return this.ws && this.ws.readyState === WebSocket.OPEN; }

  setState(s) {
    if (this.polling && s !== 'open') s = 'polling';
    if (s !== this.state) {
      this.state = s;
      this.onState(s);
    }
  }

  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(proto + '//' + location.host + this.url);
    this.ws = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.failures = 0;
      this.stopPolling();
      this.setState('open');
      if (this.all !== null) this.sendRaw(this.all ? { op: 'subscribe_all', after_id: this.all } : { op: 'subscribe_all' });
      for (const [id, seq] of this.sessions) this.sendRaw({ op: 'subscribe', session_id: id, after_seq: seq });
      clearInterval(this.pinger);
      this.pinger = setInterval(() => {
        if (Date.now() - this.lastHeard > DEAD_MS) ws.close(4000, 'no answer');
        else this.sendRaw({ op: 'ping' });
      }, PING_MS);
    };
    ws.onmessage = (m) => {
      this.lastHeard = Date.now();
      this.attempt = 0;
      let f;
      try { f = JSON.parse(m.data); } catch { return; }
      this.frame(f);
    };
    ws.onclose = () => {
      clearInterval(this.pinger);
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new APIError(0, 'disconnected', 'the live connection dropped; try again'));
      }
      this.pending.clear();
      if (this.ws !== ws) return;
      this.setState('closed');
      if (this.stopped) return;
      this.failures = (this.failures || 0) + 1;
      if (this.failures >= POLL_AFTER_FAILURES) this.startPolling();
      const delay = Math.min(30000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt = Math.min(this.attempt + 1, 8);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  // While the WebSocket cannot be opened (a proxy may block it), events of
  // every session are read by polling the event log; typing notices wait
  // for the WebSocket.
  startPolling() {
    if (this.polling || this.all === null) return;
    this.polling = true;
    this.setState('polling');
    const tick = async () => {
      if (!this.polling) return;
      try {
        for (;;) {
          const page = await get('/api/v1/events?after=' + this.all + '&limit=500');
          for (const e of page.events || []) this.frame({ op: 'event', event: e });
          if (!page.next_after || !this.polling) break;
        }
      } catch (e) {
        console.warn('polling events:', e);
      }
      if (this.polling) this.pollTimer = setTimeout(tick, POLL_MS);
    };
    tick();
  }

  stopPolling() {
    this.polling = false;
    clearTimeout(this.pollTimer);
  }

  frame(f) {
    switch (f.op) {
      case 'event': {
        const e = f.event;
        if (!e) return;
        if (this.sessions.has(e.session_id) && e.seq > this.sessions.get(e.session_id)) this.sessions.set(e.session_id, e.seq);
        if (this.all !== null && e.id > this.all) this.all = e.id;
        if (this.seen.has(e.id)) return;
        this.seen.add(e.id);
        this.seenOrder.push(e.id);
        if (this.seenOrder.length > 5000) this.seen.delete(this.seenOrder.shift());
        this.onEvent(e);
        return;
      }
      case 'typing':
        this.onTyping(f);
        return;
      case 'subscribed':
        if (f.session_id) this.onSubscribed(f.session_id);
        return;
      case 'result':
      case 'error': {
        const p = f.ref && this.pending.get(f.ref);
        if (!p) {
          if (f.op === 'error') console.warn('live connection:', f.error);
          return;
        }
        this.pending.delete(f.ref);
        clearTimeout(p.timer);
        if (f.op === 'result') p.resolve({ session: f.session, seq: f.seq, events: f.events || [] });
        else p.reject(new APIError(400, (f.error && f.error.code) || 'error', (f.error && f.error.message) || 'refused', f.error && f.error.detail));
        return;
      }
    }
  }

  sendRaw(obj) {
    if (this.open) this.ws.send(JSON.stringify(obj));
  }

  /** subscribeAll follows every session's events from now (or after afterId). */
  subscribeAll(afterId = 0) {
    this.all = afterId;
    this.sendRaw(afterId ? { op: 'subscribe_all', after_id: afterId } : { op: 'subscribe_all' });
  }

  /** subscribe follows one session's events after afterSeq, and its typing notices. */
  subscribe(sessionId, afterSeq = 0) {
    const had = this.sessions.get(sessionId);
    this.sessions.set(sessionId, Math.max(had || 0, afterSeq));
    this.sendRaw({ op: 'subscribe', session_id: sessionId, after_seq: this.sessions.get(sessionId) });
  }

  unsubscribe(sessionId) {
    if (!this.sessions.delete(sessionId)) return;
    this.sendRaw({ op: 'unsubscribe', session_id: sessionId });
  }

  /** typing tells the session's other side that this side is (not) typing. */
  typing(sessionId, typing) {
    this.sendRaw({ op: 'typing', session_id: sessionId, typing: !!typing });
  }

  /** command runs a session command; answers {session, events}, or {seq, events} for a message (no session). */
  command(sessionId, command, body = {}, ifMatch) {
    if (!this.open) return Promise.reject(new APIError(0, 'disconnected', 'not connected'));
    const ref = 'c' + (++this.refs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new APIError(0, 'timeout', 'the server did not answer in time'));
      }, COMMAND_MS);
      this.pending.set(ref, { resolve, reject, timer });
      const f = { op: 'command', ref, session_id: sessionId, command, body };
      if (ifMatch !== undefined) f.if_match = ifMatch;
      this.sendRaw(f);
    });
  }
}

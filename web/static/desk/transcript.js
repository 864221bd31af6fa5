// The transcript of a chat, drawn from its event log: visitor, agent,
// virtual-agent and system messages with their times and purposes, images
// inline, recalled messages marked, and short notes for what happened to
// the session (queued, assigned, transferred, ended, rated …).

import { h, hm, dayLabel, sameDay, words, bytes } from './util.js';

/** Transcript renders one session's events into el, in seq order. */
export class Transcript {
  constructor(el, { selfAgentId = 0, onRecall = null } = {}) {
    this.el = el;
    this.selfAgentId = selfAgentId;
    this.onRecall = onRecall;
    this.reset(0);
  }

  reset(sessionId) {
    this.sessionId = sessionId;
    this.loading = false;
    this.buffered = [];
    this.lastSeq = 0;
    this.lastDay = null;
    this.msgs = new Map(); // message id → {data, el, at}
    this.names = new Map(); // agent id → name, from the log's assignments and transfers
    this.el.replaceChildren();
  }

  /** begin starts reading the log: live events wait until finish. */
  begin() {
    this.loading = true;
    this.buffered = [];
  }

  /** finish ends the read and renders the live events that came meanwhile. */
  finish() {
    this.loading = false;
    const b = this.buffered;
    this.buffered = [];
    return this.add(b);
  }

  /**
   * add renders events; answers false when one is missing before them (a
   * gap). While the log is being read, only the read's own pages (fromLog)
   * are drawn and live events are kept for finish.
   */
  add(events, fromLog = false) {
    if (this.loading && !fromLog) {
      this.buffered.push(...events);
      return true;
    }
    const stick = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 60;
    for (const e of events) {
      if (e.session_id !== this.sessionId || e.seq <= this.lastSeq) continue;
      if (e.seq !== this.lastSeq + 1 && this.lastSeq !== 0) return false;
      this.lastSeq = e.seq;
      this.render(e);
    }
    if (stick || events.length > 20) this.el.scrollTop = this.el.scrollHeight;
    return true;
  }

  day(t) {
    const d = new Date(t);
    if (!this.lastDay || !sameDay(d, this.lastDay)) {
      this.lastDay = d;
      this.el.append(h('div.day', dayLabel(t)));
    }
  }

  render(e) {
    const d = e.data || {};
    if (d.agent && d.agent.id && d.agent.name) this.names.set(d.agent.id, d.agent.name);
    if (e.type === 'message_sent') {
      this.day(e.time);
      const m = { data: d, at: e.time };
      m.el = this.message(m);
      this.msgs.set(d.id, m);
      this.el.append(m.el);
      return;
    }
    if (e.type === 'message_recalled') {
      const m = this.msgs.get(d.message_id);
      if (m) {
        m.recalled = true;
        const el = this.message(m);
        m.el.replaceWith(el);
        m.el = el;
      }
      return;
    }
    const text = note(e);
    if (text) {
      this.day(e.time);
      this.el.append(h('div.note', text, ' · ', hm(e.time)));
    }
  }

  message(m) {
    const d = m.data;
    const from = d.from || 'system';
    const cls = 'div.msg.' + from + (m.recalled ? '.recalled' : '');
    const who = from === 'agent' ? (d.agent_id === this.selfAgentId ? 'You' : agentName(d, this.names))
      : from === 'end_user' ? 'Visitor' : from === 'virtual_agent' ? d.nickname || 'Virtual agent' : d.nickname || 'System';
    let body;
    if (m.recalled) {
      body = h('div.bubble', from === 'agent' && d.agent_id === this.selfAgentId ? 'You recalled a message' : 'Message recalled');
    } else {
      body = h('div.bubble' + (d.attachment && d.attachment.kind === 'image' ? '.media' : ''), this.attachment(d), d.text || '');
    }
    const meta = h('div.meta', who, ' · ', h('time', { datetime: m.at, title: new Date(m.at).toLocaleString() }, hm(m.at)),
      d.purpose ? h('span.purpose', words(d.purpose)) : null);
    const mine = from === 'agent' && this.selfAgentId && d.agent_id === this.selfAgentId;
    if (mine && !m.recalled && this.onRecall && Date.now() - new Date(m.at) < 60000) {
      const btn = h('button.recall', { type: 'button', title: 'Recall within a minute and edit again', onclick: () => this.onRecall(d) }, 'Recall');
      meta.append(btn);
      setTimeout(() => btn.remove(), Math.max(0, 60000 - (Date.now() - new Date(m.at))));
    }
    return h(cls, { dataset: { msg: d.id } }, body, meta);
  }
}

// agentName is how a colleague's message is signed: the name the message
// recorded, else the agent's name from the session's log, else the
// nickname the visitor saw.
function agentName(d, names) {
  return d.agent_name || names.get(d.agent_id) || d.nickname || 'Agent ' + d.agent_id;
}

Transcript.prototype.attachment = function attachment(d) {
  const a = d.attachment;
  if (!a) return null;
  const url = '/api/v1/attachments/' + a.id;
  if (a.kind === 'image') {
    const img = h('img.thumb', { src: url + '/thumbnail', alt: a.name });
    if (a.width && a.height) {
      const scale = Math.min(1, 240 / Math.max(a.width, a.height));
      img.width = Math.round(a.width * scale);
      img.height = Math.round(a.height * scale);
    }
    img.addEventListener('load', () => {
      const el = this.el;
      if (el.scrollHeight - el.scrollTop - el.clientHeight < img.height + 80) el.scrollTop = el.scrollHeight;
    }, { once: true });
    return h('a', { href: url, target: '_blank', rel: 'noopener' }, img);
  }
  return h('div', h('a.file', { href: url, target: '_blank', rel: 'noopener' }, a.name), ' ', h('span.small', '(' + bytes(a.size) + ')'));
};

const by = { agent: 'the agent', end_user: 'the visitor', system: 'the system' };

/** note answers a one-line description of a lifecycle event, or ''. */
export function note(e) {
  const d = e.data || {};
  const agent = (d.agent && d.agent.name) || '';
  switch (e.type) {
    case 'session_created': return 'Chat started';
    case 'queued': return ['Waiting in ', h('b', (d.queue && d.queue.name) || 'the queue')];
    case 'requeued': return ['Back in the queue ', h('b', (d.queue && d.queue.name) || '')];
    case 'assigned': return ['Assigned to ', h('b', agent)];
    case 'connected': return 'Agent joined the chat';
    case 'transfer_started': {
      const t = d.transfer || {};
      const to = (t.to_agent && t.to_agent.name) || (t.to_queue && t.to_queue.name) || (t.to_virtual_agent && t.to_virtual_agent.name) || '';
      return [t.overflow ? 'Overflowed to ' : 'Transfer to ', h('b', to), t.confirm ? ' (waiting for the receiver)' : ''];
    }
    case 'transfer_completed': return ['Transfer completed', agent ? [' to ', h('b', agent)] : ''];
    case 'transfer_failed': return 'Transfer failed: ' + words(d.reason || 'declined').toLowerCase();
    case 'ended': return 'Chat ended by ' + (by[d.disconnected_by] || d.disconnected_by || 'someone') + (d.reason ? ' (' + words(d.reason).toLowerCase() + ')' : '');
    // Agents the CSAT settings keep from ratings get only that one came.
    case 'rated': return d.rating ? ['Rated ', h('b', '★'.repeat(d.rating)), d.comment ? ' — “' + d.comment + '”' : ''] : 'The visitor rated the chat';
    case 'rating_invited': return 'Rating invitation sent';
    case 'wrapped_up': return ['Wrapped up: ', h('b', (d.disposition && d.disposition.code) || '')];
    case 'tags_changed': {
      const add = (d.added || []).map((t) => t.name).join(', ');
      return add ? ['Tagged ', h('b', add)] : (d.removed || []).length ? 'Tags removed' : '';
    }
    case 'profile_updated': return 'Visitor profile updated';
    case 'no_reply': return h('span.error-text', 'No reply in time: the visitor was prompted');
    case 'held': return 'On hold';
    case 'resumed': return 'Resumed';
    case 'deflected': return 'Deflected: ' + words(d.deflection || '').toLowerCase();
    case 'failed': return 'Failed: ' + words(d.reason || '').toLowerCase();
  }
  return '';
}

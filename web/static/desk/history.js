// Session history: ended chats searched by time range, agent, channel,
// tag and text ("all" or "mine"), with the transcript of the one chosen.

import { get, showError, qs } from '/static/common/api.js';
import { h, $, full, words, visitorName } from './util.js';
import { Transcript } from './transcript.js';

const CHANNELS = ['web', 'mobile', 'whatsapp', 'sms', 'mini_program', 'api'];

export class History {
  constructor({ state }) {
    this.state = state;
    this.el = $('#view-history');
    this.built = false;
    this.next = 0;
    this.turn = 0;
  }

  async show() {
    if (this.built) return;
    this.built = true;
    let agents = [], tags = [];
    try {
      [agents, tags] = await Promise.all([get('/api/v1/agents').then((r) => r.items || []), get('/api/v1/session-tags').then((r) => r.items || [])]);
    } catch (e) {
      showError(e);
    }
    const opt = (v, label) => h('option', { value: v }, label);
    const f = h('form.filters', { onsubmit: (e) => { e.preventDefault(); this.search(); } },
      h('label.field', 'From', h('input', { type: 'datetime-local', name: 'from' })),
      h('label.field', 'To', h('input', { type: 'datetime-local', name: 'to' })),
      h('label.field', 'Agent', h('select', { name: 'handled_by' }, opt('', 'Any agent'), agents.map((a) => opt(a.id, a.name)))),
      h('label.field', 'Channel', h('select', { name: 'channel' }, opt('', 'Any channel'), CHANNELS.map((c) => opt(c, words(c))))),
      h('label.field', 'Tag', h('select', { name: 'tag_id' }, opt('', 'Any tag'), tags.map((t) => opt(t.id, t.name)))),
      h('label.field.grow', 'Text', h('input', { type: 'search', name: 'q', placeholder: 'Words in the messages, a name, an e-mail…' })),
      this.state.agentId ? h('label.row.small', h('input', { type: 'checkbox', name: 'mine' }), 'Only mine') : h('input', { type: 'hidden', name: 'mine' }),
      h('button.primary', { type: 'submit' }, 'Search'));
    this.form = f;
    this.tbody = h('tbody');
    this.more = h('button', { type: 'button', hidden: true, onclick: () => this.search(true) }, 'Load more');
    this.detail = h('div.card.detail', h('p.empty', 'Choose a chat to read its transcript.'));
    this.el.replaceChildren(
      h('div.page-head', h('h1', 'History')), f,
      h('div.split',
        h('div', h('table.grid', h('thead', h('tr', ['Ended', 'Visitor', 'Agent', 'Channel', 'Tags', 'Rating'].map((c) => h('th', c)))), this.tbody),
          h('div.row', this.more)),
        this.detail));
    this.search();
  }

  params() {
    const f = this.form;
    const iso = (v) => (v ? new Date(v).toISOString() : '');
    return {
      medium: 'chat', ended: 'true', from: iso(f.from.value), to: iso(f.to.value), handled_by: f.handled_by.value,
      channel: f.channel.value, tag_id: f.tag_id.value, q: f.q.value.trim(), mine: f.mine.checked ? 'true' : '', limit: 50,
    };
  }

  async search(more = false) {
    const p = this.params();
    if (more) p.before_id = this.next;
    const turn = ++this.turn; // only the latest search draws
    try {
      const out = await get('/api/v1/sessions' + qs(p));
      if (turn !== this.turn) return;
      const list = out.sessions || [];
      if (!more) this.tbody.replaceChildren();
      this.next = out.next_before_id || 0;
      this.more.hidden = !this.next;
      if (!list.length && !more) this.tbody.append(h('tr', h('td', { colspan: 6 }, h('div.empty', 'No chat matches.'))));
      for (const s of list) this.tbody.append(this.row(s));
    } catch (e) {
      showError(e);
    }
  }

  row(s) {
    const tr = h('tr', { dataset: { id: s.id }, onclick: () => this.open(s, tr) },
      h('td.nowrap', full(s.ended_at || s.created_at)), h('td', visitorName(s)), h('td', (s.agent && s.agent.name) || '—'),
      h('td', words(s.channel)), h('td', (s.tags || []).map((t) => h('span.tag-chip', t.name))),
      h('td', s.rating ? '★'.repeat(s.rating) : s.rated_at ? 'Rated' : ''));
    return tr;
  }

  async open(s, tr) {
    for (const r of this.tbody.children) r.classList.toggle('sel', r === tr);
    const box = h('div.transcript');
    const t = new Transcript(box, { selfAgentId: this.state.agentId });
    t.reset(s.id);
    this.detail.replaceChildren(h('h2', visitorName(s), ' ', h('span.pill', words(s.status))),
      h('div.muted.small', `#${s.id} · ${words(s.channel)} · ${full(s.created_at)} → ${full(s.ended_at)}`), box);
    try {
      for (let after = 0; ;) {
        const page = await get(`/api/v1/sessions/${s.id}/events` + qs({ after_seq: after, limit: 1000 }));
        t.add(page.events);
        if (!page.next_after_seq) break;
        after = page.next_after_seq;
      }
    } catch (e) {
      showError(e);
    }
  }
}

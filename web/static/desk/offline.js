// Offline messages ("leave a message", SPEC §2.3): the lists all /
// unprocessed / processing / processed / unassigned / mine with their
// counts, and one message to assign, take, annotate and move on.

import { get, patch, post, showError, toast, qs } from '/static/common/api.js';
import { h, $, full, words } from './util.js';

const LISTS = [
  ['all', 'All', {}], ['unprocessed', 'Unprocessed', { status: 'unprocessed' }], ['processing', 'Processing', { status: 'processing' }],
  ['processed', 'Processed', { status: 'processed' }], ['unassigned', 'Unassigned', { assignee: 'none' }], ['mine', 'Mine', { assignee: 'me' }],
];

export class Offline {
  constructor({ state }) {
    this.state = state;
    this.el = $('#view-offline');
    this.list = 'unprocessed';
    this.agents = [];
    this.selected = 0;
    this.turn = 0;
  }

  /** counts refreshes the badge of unprocessed messages and the list counts. */
  async counts() {
    const c = await get('/api/v1/offline-messages/counts');
    this.countsNow = c;
    const b = $('#count-offline');
    b.hidden = !c.unprocessed;
    b.textContent = String(c.unprocessed);
    return c;
  }

  async show() {
    if (!this.built) {
      this.built = true;
      this.seg = h('div.seg', { role: 'tablist' });
      this.q = h('input', { type: 'search', placeholder: 'Search messages…', 'aria-label': 'Search messages', onchange: () => this.load() });
      this.tbody = h('tbody');
      this.detail = h('div.card.detail', h('p.empty', 'Choose a message.'));
      this.el.replaceChildren(h('div.page-head', h('h1', 'Offline messages'), h('span.grow'), this.q),
        h('div.filters', this.seg),
        h('div.split', h('table.grid', h('thead', h('tr', ['Left', 'From', 'Message', 'Status', 'Handler'].map((c) => h('th', c)))), this.tbody), this.detail));
      get('/api/v1/agents').then((r) => { this.agents = r.items || []; }).catch(() => {});
    }
    await this.load();
  }

  drawSeg() {
    const c = this.countsNow || {};
    this.seg.replaceChildren(...LISTS.map(([key, label]) => h('button', {
      type: 'button', role: 'tab', 'aria-pressed': key === this.list ? 'true' : 'false', dataset: { list: key },
      onclick: () => { this.list = key; this.load(); },
    }, label, c[key] !== undefined ? h('span.n', String(c[key])) : null)));
  }

  async load() {
    const [, , params] = LISTS.find(([k]) => k === this.list);
    const turn = ++this.turn; // only the latest load draws
    try {
      await this.counts().catch(() => {});
      this.drawSeg();
      const out = await get('/api/v1/offline-messages' + qs({ ...params, q: this.q.value.trim(), limit: 100 }));
      if (turn !== this.turn) return;
      const items = out.items || out.messages || [];
      this.tbody.replaceChildren(...(items.length ? items.map((m) => this.row(m))
        : [h('tr', h('td', { colspan: 5 }, h('div.empty', 'No messages here.')))]));
    } catch (e) {
      showError(e);
    }
  }

  agentName(id) {
    if (!id) return '—';
    if (id === this.state.agentId) return 'Me';
    const a = this.agents.find((x) => x.id === id);
    return a ? a.name : 'Agent ' + id;
  }

  row(m) {
    const tr = h('tr', { dataset: { id: m.id }, class: m.id === this.selected ? 'sel' : undefined, onclick: () => this.open(m, tr) },
      h('td', full(m.created_at)), h('td', m.name || m.email || m.phone || m.visitor_id || '—'),
      h('td', m.content.length > 80 ? m.content.slice(0, 80) + '…' : m.content),
      h('td', h('span.st-' + m.status, words(m.status))), h('td', this.agentName(m.assignee_id)));
    return tr;
  }

  open(m, tr) {
    this.selected = m.id;
    for (const r of this.tbody.children) r.classList.toggle('sel', r === tr);
    const staff = this.state.me && this.state.me.role !== 'agent';
    const status = h('select', { name: 'status' }, ['unprocessed', 'processing', 'processed'].map((s) => h('option', { value: s, selected: s === m.status }, words(s))));
    const assignee = h('select', { name: 'assignee_id', disabled: !staff },
      h('option', { value: 0 }, 'Nobody'), this.agents.map((a) => h('option', { value: a.id, selected: a.id === m.assignee_id }, a.name)));
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 }, m.note || '');
    const kv = [['Name', m.name], ['E-mail', m.email], ['Phone', m.phone], ['Visitor', m.visitor_id],
      ['Chat', m.session_id ? '#' + m.session_id : ''], ...Object.entries(m.fields || {})];
    const form = h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        const body = { status: status.value, note: note.value };
        if (staff) body.assignee_id = Number(assignee.value);
        try {
          await patch('/api/v1/offline-messages/' + m.id, body);
          toast('Saved.', 'ok');
          this.load();
        } catch (err) { showError(err); }
      },
    },
    h('label.field', 'Status', status), h('label.field', 'Handler', assignee), h('label.field', 'Note', note),
    h('div.row', m.assignee_id !== this.state.agentId && this.state.agentId
      ? h('button', { type: 'button', onclick: () => this.take(m) }, 'Assign to me') : null, h('span.grow'), h('button.primary', { type: 'submit' }, 'Save')));
    this.detail.replaceChildren(h('h2', m.name || m.email || 'Message #' + m.id), h('div.muted.small', full(m.created_at)),
      h('p.bubble-plain', m.content), h('dl.kv', kv.filter(([, v]) => v).map(([k, v]) => [h('dt', words(k)), h('dd', v)])), form);
  }

  async take(m) {
    try {
      await post(`/api/v1/offline-messages/${m.id}/assign-to-me`, {});
      toast('Assigned to you.', 'ok');
      this.load();
    } catch (e) { showError(e); }
  }
}

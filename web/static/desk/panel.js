// The details panel beside a conversation: the visitor and the session,
// the profile the agent keeps for the customer (update-profile), the
// session tags (a tree), and the live data stream (SPEC §1.4).

import { get, showError } from '/static/common/api.js';
import { h, $, $$, full, hm, words, visitorName } from './util.js';

export class Panel {
  /** opts: run(command, body) → Promise runs a command on the open session. */
  constructor(opts) {
    this.opts = opts;
    this.el = $('#side');
    this.session = null;
    this.streamTypes = new Set();
    this.tags = [];
    this.tagFilter = '';
    this.editable = true;
    for (const b of $$('.tabs [role=tab]', this.el)) b.onclick = () => this.tab(b.dataset.tab);
    get('/api/v1/event-types').then((t) => { this.streamTypes = new Set(t.data_stream || []); }).catch(() => {});
    this.loadTags();
  }

  async loadTags() {
    try {
      this.tags = (await get('/api/v1/session-tags')).items || [];
    } catch (e) {
      this.tags = [];
    }
  }

  tab(name) {
    for (const b of $$('.tabs [role=tab]', this.el)) b.setAttribute('aria-selected', b.dataset.tab === name ? 'true' : 'false');
    for (const p of ['info', 'tags', 'stream']) $('#tab-' + p).hidden = p !== name;
  }

  /** show draws the panel for a session; events are its log so far. */
  show(s, events) {
    const changed = !this.session || this.session.id !== s.id;
    if (changed) this.profileDirty = false;
    this.session = s;
    this.el.hidden = false;
    this.drawInfo(changed);
    this.drawTags();
    if (changed) {
      this.streamList = h('ul.stream');
      $('#tab-stream').replaceChildren(this.streamList);
      this.streamCount = 0;
      this.addEvents(events || []);
    }
  }

  /** update redraws for a new projection of the same session. The
   *  profile form is not redrawn while the agent is in it or has changed
   *  it without saving: an event arriving meanwhile must not wipe what
   *  the agent typed. */
  update(s) {
    if (!this.session || this.session.id !== s.id) return;
    const editing = this.profileDirty || (this.el.contains(document.activeElement) && document.activeElement.closest('form'));
    this.session = s;
    if (!editing) this.drawInfo(false);
    this.drawTags();
  }

  hide() {
    this.session = null;
    this.el.hidden = true;
  }

  drawInfo() {
    const s = this.session;
    const u = s.end_user || {};
    const rows = [
      ['Name', u.name || visitorName(s)], ['E-mail', u.email], ['Phone', u.phone], ['Visitor ID', u.identifier],
      ['Verified', s.verified ? 'Yes' : 'No'], ['Customer tags', (u.tags || []).join(', ')],
      ['Channel', words(s.channel)], ['Entry', s.entry], ['Device', s.device], ['Language', s.lang],
    ];
    const sess = [
      ['Session', '#' + s.id], ['Status', words(s.status)], ['Group', s.queue && s.queue.name],
      ['Agent', s.agent && s.agent.name], ['Started', full(s.created_at)], ['Accepted', full(s.assigned_at)],
      ['Ended', full(s.ended_at)], ['Messages', s.messages ? String(s.messages.count) : '0'],
      ['Rating', s.rating ? '★'.repeat(s.rating) + (s.feedback ? ' — ' + s.feedback : '') : s.rated_at ? 'Rated' : ''],
      ['Disposition', s.disposition && s.disposition.code + (s.disposition.note ? ' — ' + s.disposition.note : '')],
    ];
    const kv = (list) => h('dl.kv', list.filter(([, v]) => v).map(([k, v]) => [h('dt', k), h('dd', v)]));
    const fields = Object.entries(u.profile || {}).filter(([k]) => k !== 'note');
    if (!this.editable) {
      $('#tab-info').replaceChildren(h('h3', 'Visitor'), kv([...rows, ['Notes', u.profile && u.profile.note], ...fields]), h('h3', 'Session'), kv(sess));
      return;
    }
    const form = h('form#profile-form', { onsubmit: (e) => this.saveProfile(e), oninput: () => { this.profileDirty = true; } },
      field('Name', 'name', u.name), field('E-mail', 'email', u.email, 'email'), field('Phone', 'phone', u.phone, 'tel'),
      h('label.field', 'Notes', h('textarea', { name: 'note', rows: 2, maxlength: 1000 }, (u.profile && u.profile.note) || '')),
      h('div.row', h('span.grow'), h('button.primary', { type: 'submit' }, 'Save profile')));
    $('#tab-info').replaceChildren(h('h3', 'Visitor'), kv([...rows, ...fields]), h('h3', 'Profile'), form, h('h3', 'Session'), kv(sess));
  }

  async saveProfile(e) {
    e.preventDefault();
    const f = e.target;
    const body = {};
    for (const k of ['name', 'email', 'phone']) body[k] = f[k].value.trim();
    if (f.note.value.trim()) body.fields = { note: f.note.value.trim() };
    try {
      await this.opts.run('update-profile', body);
      this.profileDirty = false;
      document.activeElement.blur();
      this.drawInfo();
    } catch (err) {
      showError(err);
    }
  }

  drawTags() {
    const s = this.session;
    const on = new Set((s.tags || []).map((t) => t.id));
    const byParent = new Map();
    for (const t of this.tags) {
      const k = t.parent_id || 0;
      if (!byParent.has(k)) byParent.set(k, []);
      byParent.get(k).push(t);
    }
    for (const l of byParent.values()) l.sort((a, b) => a.position - b.position || a.id - b.id);
    const q = this.tagFilter.toLowerCase();
    const matches = (t) => !q || t.name.toLowerCase().includes(q) || (byParent.get(t.id) || []).some(matches);
    const tree = (pid) => {
      const kids = (byParent.get(pid) || []).filter(matches);
      if (!kids.length) return null;
      return h('ul', kids.map((t) => h('li',
        h('label', h('input', { type: 'checkbox', checked: on.has(t.id), dataset: { tag: t.id }, onchange: (e) => this.toggleTag(t, e.target) }),
          color(t), t.name),
        tree(t.id))));
    };
    const chips = (s.tags || []).map((t) => h('span.tag-chip', t.name, this.editable
      ? h('button', { type: 'button', title: 'Remove', 'aria-label': 'Remove ' + t.name, onclick: () => this.opts.run('tag', { remove: [t.id] }).catch(showError) }, '×') : null));
    if (!this.editable) {
      $('#tab-tags').replaceChildren(h('h3', 'On this chat'), chips.length ? h('div.chips', chips) : h('p.muted.small', 'No tags yet.'),
        h('p.muted.small', 'Accept the chat to tag it.'));
      return;
    }
    const filter = h('input', { type: 'search', placeholder: 'Find a tag…', value: this.tagFilter, 'aria-label': 'Find a tag',
      oninput: (e) => { this.tagFilter = e.target.value; this.drawTags(); const i = $('#tab-tags input[type=search]'); i.focus(); i.setSelectionRange(i.value.length, i.value.length); } });
    const body = this.tags.length ? tree(0) || h('p.muted', 'No tag matches.') : h('p.muted', 'No session tags are set up yet.');
    if (body.tagName === 'UL') body.classList.add('tag-tree');
    $('#tab-tags').replaceChildren(h('h3', 'On this chat'), chips.length ? h('div.chips', chips) : h('p.muted.small', 'No tags yet.'),
      h('h3', 'All tags'), filter, h('div.spacer'), body);
  }

  async toggleTag(t, box) {
    try {
      await this.opts.run('tag', box.checked ? { add: [t.id] } : { remove: [t.id] });
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  }

  /** addEvents adds the data-stream events among events to the stream tab. */
  addEvents(events) {
    if (!this.streamList) return;
    for (const e of events) {
      if (!this.streamTypes.has(e.type) || (this.session && e.session_id !== this.session.id)) continue;
      this.streamList.prepend(streamItem(e));
      this.streamCount++;
    }
    if (!this.streamCount && !this.streamList.children.length) {
      this.streamList.replaceChildren(h('li.empty', 'Data-stream events (custom data, payments, transcripts …) appear here as they arrive.'));
    } else {
      const ph = this.streamList.querySelector('li.empty');
      if (ph && this.streamCount) ph.remove();
    }
  }
}

function field(label, name, value, type = 'text') {
  return h('label.field', label, h('input', { name, type, value: value || '', maxlength: 200 }));
}

function color(t) {
  const i = h('i');
  if (t.color) i.style.background = t.color;
  return i;
}

/** streamItem renders one data-stream event readably. */
export function streamItem(e) {
  const d = e.data || {};
  const body = [];
  const kv = [];
  const flat = (obj, prefix = '') => {
    for (const [k, v] of Object.entries(obj || {})) {
      if (v === null || v === undefined || v === '') continue;
      if (Array.isArray(v)) {
        if (v.every((x) => typeof x !== 'object')) kv.push([prefix + k, v.join(', ')]);
        else if (k === 'lines') body.push(h('pre', v.map((l) => `[${l.at || ''}, ${l.speaker}] ${l.text}`).join('\n')));
        else if (k === 'answers') v.forEach((a) => kv.push([a.question, a.type === 'text' ? a.text : a.type === 'stars' ? '★'.repeat(a.value) : String(a.value)]));
        else body.push(h('pre', JSON.stringify(v, null, 2)));
      } else if (typeof v === 'object') {
        flat(v, prefix + k + ' · ');
      } else {
        kv.push([prefix + words(k), String(v)]);
      }
    }
  };
  const { raw, malformed, values, ...rest } = d;
  if (e.type === 'payment') {
    kv.push(['Amount', `${d.amount} ${d.currency}`]);
    delete rest.amount;
    delete rest.currency;
  }
  flat(values && typeof values === 'object' ? { ...values } : {});
  flat(rest);
  if (raw) body.push(h('pre', raw));
  return h('li', { dataset: { type: e.type } },
    h('div.st-head', h('span.st-type', words(e.type)), h('span.st-time', hm(e.time))),
    malformed ? h('div.warn', '⚠ Not valid JSON — kept as received') : null,
    kv.length ? h('dl.kv', kv.map(([k, v]) => [h('dt', k), h('dd', v)])) : null, body,
    e.actor && e.actor.name ? h('div.muted.small', 'by ' + e.actor.name) : null);
}

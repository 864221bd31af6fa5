// The agent desk: the agent's chats, the queue, incoming transfers, one
// open conversation with its details, history and offline messages. It
// reads and changes everything through the public API and follows changes
// live over the WebSocket.

import { get, post, me, logout, showError, toast, qs } from '/static/common/api.js';
import { Live } from '/static/common/ws.js';
import { h, $, $$, icon, clock, since, visitorName, avatar, words, live, waiting, handler, pendingTransfer, hm } from './util.js';
import { Transcript } from './transcript.js';
import { openPassword } from './password.js';
import { Composer } from './composer.js';
import { Panel } from './panel.js';
import { Actions } from './actions.js';
import { History } from './history.js';
import { Offline } from './offline.js';
import { QuickReplies } from './quickreplies.js';

const state = {
  me: null,
  agentId: 0,
  agent: null,
  settings: { new_message_to_top: true, agents_may_pin: true, disposition_codes: [] },
  sessions: new Map(),
  unread: new Map(),
  lastText: new Map(),
  kept: new Set(JSON.parse(localStorage.getItem('sb.desk.kept') || '[]')), // ended chats still on the list
  pinned: new Set(JSON.parse(localStorage.getItem('sb.desk.pinned') || '[]')),
  accepting: new Set(), // chats this desk is accepting: it connects them itself
  quickReplies: { categories: [], replies: [] },
  view: 'conversations',
  selected: 0,
  typingTimer: 0,
  opens: 0,
};

const save = (key, set) => localStorage.setItem(key, JSON.stringify([...set]));

// ---- roles of a session for this agent ----
const isMine = (s) => {
  const a = handler(s);
  if (a && a.id === state.agentId) return true;
  const hs = s.handles || [];
  return !live(s) && hs.length > 0 && hs[hs.length - 1].agent.id === state.agentId && state.kept.has(s.id);
};
const isIncoming = (s) => {
  const t = pendingTransfer(s);
  return !!(t && t.to_agent && t.to_agent.id === state.agentId);
};
const inMyGroups = (s) => {
  const g = (state.agent && state.agent.groups) || [];
  return !g.length || (s.queue && g.includes(s.queue.id));
};
const isQueued = (s) => waiting(s) && s.medium === 'chat' && inMyGroups(s);

// ---- commands ----
/** run executes a session command and folds its answer into the desk. */
async function run(id, command, body = {}) {
  const out = await post(`/api/v1/sessions/${id}/${command}`, body);
  for (const e of out.events || []) {
    if (e.type === 'message_sent') state.lastText.set(id, e.data.text || (e.data.attachment ? (e.data.attachment.kind === 'image' ? 'Image: ' : 'File: ') + e.data.attachment.name : ''));
    if (e.type === 'message_recalled') state.lastText.set(id, 'Message recalled');
  }
  upsert(out.session);
  if (id === state.selected) {
    transcript.add(out.events || []);
    panel.addEvents(out.events || []);
  }
  return out;
}

// ---- loading ----
async function loadSessions() {
  const list = async (params) => (await get('/api/v1/sessions' + qs({ medium: 'chat', limit: 200, ...params }))).sessions || [];
  const [mine, queued, requeued, switching] = await Promise.all([
    state.agentId ? list({ agent_id: state.agentId }) : [],
    list({ status: 'queued' }), list({ status: 'requeued' }), list({ status: 'switching' }),
  ]);
  for (const s of [...mine, ...queued, ...requeued, ...switching]) state.sessions.set(s.id, s);
  for (const s of mine) if (live(s)) state.kept.add(s.id);
  renderAll();
  await Promise.all(mine.filter(live).slice(0, 30).map((s) => preview(s.id, false)));
  renderList();
  for (const s of mine) if (s.status === 'assigned' && isMine(s)) connect(s);
}

/**
 * recentEventId answers the position of a recent event, to follow every
 * session from there rather than from the beginning of time: the last
 * event of the most recently changed session the desk knows (loaded just
 * before, so nothing after it is missed; a few events may come twice and
 * are harmless).
 */
async function recentEventId() {
  const newest = (await get('/api/v1/sessions' + qs({ limit: 1 }))).sessions || [];
  let pick = null;
  for (const s of [...state.sessions.values(), ...newest]) {
    if (!pick || new Date(s.updated_at) > new Date(pick.updated_at)) pick = s;
  }
  if (!pick) return 0;
  const page = await get(`/api/v1/sessions/${pick.id}/events` + qs({ after_seq: Math.max(0, pick.seq - 1), limit: 1 }));
  return page.events.length ? page.events[0].id - 1 : 0;
}

/** preview reads the last message of a chat for the list. */
async function preview(id, draw = true) {
  try {
    const m = (await get(`/api/v1/sessions/${id}/messages`)).messages || [];
    const last = m[m.length - 1];
    if (last && !state.lastText.has(id)) state.lastText.set(id, last.recalled ? 'Message recalled' : last.text);
    if (draw) renderList();
  } catch { /* the preview is optional */ }
}

const refreshing = new Map();
/** refresh re-reads one session soon (coalescing bursts of events). */
function refresh(id) {
  if (refreshing.has(id)) return;
  refreshing.set(id, setTimeout(async () => {
    refreshing.delete(id);
    try {
      upsert(await get('/api/v1/sessions/' + id));
    } catch (e) {
      if (e.status !== 404 && e.status !== 403) console.warn(e);
    }
  }, 120));
}

/** connect tells the platform this desk has the chat open. */
function connect(s) {
  if (s.status !== 'assigned') return;
  run(s.id, 'connect').catch(() => {});
}

function upsert(s) {
  const prev = state.sessions.get(s.id);
  if (prev && prev.seq > s.seq) return;
  state.sessions.set(s.id, s);
  if (handler(s) && handler(s).id === state.agentId) {
    if (!state.kept.has(s.id)) {
      state.kept.add(s.id);
      save('sb.desk.kept', state.kept);
      if (!prev || !isMine(prev)) toast('New chat: ' + visitorName(s));
      preview(s.id);
    }
    if (s.status === 'assigned' && (!prev || prev.status !== 'assigned') && !state.accepting.has(s.id)) connect(s);
  }
  if (isIncoming(s) && !(prev && isIncoming(prev))) toast(`${pendingTransfer(s).from_agent?.name || 'A colleague'} wants to transfer a chat to you`);
  renderList();
  renderCounts();
  if (s.id === state.selected) {
    renderHead(s);
    panel.editable = !state.agentId || isMine(s) || isIncoming(s);
    panel.update(s);
  }
}

// ---- live ----
const liveConn = new Live({
  onEvent(e) {
    const known = state.sessions.get(e.session_id);
    const seen = known && e.seq <= known.seq; // replayed: already in the loaded projection
    if (e.type === 'message_sent' && !seen) {
      const d = e.data || {};
      state.lastText.set(e.session_id, d.text || (d.attachment ? (d.attachment.kind === 'image' ? 'Image: ' : 'File: ') + d.attachment.name : ''));
      if (d.from === 'end_user' && (e.session_id !== state.selected || document.hidden)) {
        state.unread.set(e.session_id, (state.unread.get(e.session_id) || 0) + 1);
      }
      if (d.from === 'end_user' && e.session_id === state.selected) hideTyping();
    }
    if (e.session_id === state.selected) {
      if (!transcript.add([e])) openEvents(state.selected, true);
      panel.addEvents([e]);
    }
    refresh(e.session_id);
  },
  onTyping(f) {
    if (f.session_id !== state.selected || f.from === 'agent') return;
    clearTimeout(state.typingTimer);
    $('#typing').hidden = !f.typing;
    if (f.typing) state.typingTimer = setTimeout(hideTyping, 6000);
  },
  onSubscribed(id) {
    // The open chat follows live, typing notices included.
    if (id === state.selected) $('#conv').dataset.live = String(id);
  },
  onState(s) {
    $('#live-state').className = 'live-state ' + s;
    $('#live-state').title = { open: 'Live updates on', connecting: 'Connecting…', polling: 'Live updates by polling (the WebSocket is unavailable)' }[s] || 'Live updates off — reconnecting';
    if (s !== 'open') delete $('#conv').dataset.live;
    if (s === 'open' && state.opens++ > 0) loadSessions().catch(showError); // catch up after a reconnect
  },
});
const hideTyping = () => { $('#typing').hidden = true; };

// ---- list ----
function sortKey(s) {
  const m = s.messages || {};
  const t = state.settings.new_message_to_top ? m.last_end_user_at || s.assigned_at || s.created_at : s.assigned_at || s.created_at;
  return new Date(t).getTime();
}

function listed() {
  const all = [...state.sessions.values()];
  const q = $('#list-search').value.trim().toLowerCase();
  const match = (s) => !q || visitorName(s).toLowerCase().includes(q) || (state.lastText.get(s.id) || '').toLowerCase().includes(q);
  if (state.view === 'queue') {
    return all.filter((s) => isQueued(s) && match(s)).sort((a, b) => new Date(a.queued_at || a.created_at) - new Date(b.queued_at || b.created_at));
  }
  const incoming = all.filter((s) => isIncoming(s) && match(s));
  const mine = all.filter((s) => isMine(s) && !isIncoming(s) && match(s)).sort((a, b) => {
    const pa = state.pinned.has(a.id), pb = state.pinned.has(b.id);
    if (pa !== pb) return pa ? -1 : 1;
    if (live(a) !== live(b)) return live(a) ? -1 : 1;
    return sortKey(b) - sortKey(a);
  });
  return [...incoming, ...mine];
}

let listKey = '';
/** renderList redraws the session list, only when what it shows changed (force: the times). */
function renderList(force = false) {
  const items = listed();
  const ul = $('#session-list');
  const queueView = state.view === 'queue';
  const key = [state.view, state.selected, state.settings.agents_may_pin, ...items.map((s) => [s.id, s.seq, state.unread.get(s.id) || 0,
    state.lastText.get(s.id) || '', state.pinned.has(s.id)].join(':'))].join('|');
  if (key === listKey && !force && ul.children.length) return;
  listKey = key;
  $('#list-title').textContent = queueView ? 'Queue' : 'Chats';
  const waitingNow = [...state.sessions.values()].filter(isQueued).length;
  $('#list-sub').textContent = queueView ? `${items.length} waiting` : `${items.filter(live).length} active · ${waitingNow} waiting`;
  if (!items.length) {
    ul.replaceChildren(h('li.empty', queueView ? 'Nobody is waiting. 🎉' : 'No chats yet. Go online to receive chats, or accept one from the queue.'));
    return;
  }
  ul.replaceChildren(...items.map((s) => item(s, queueView)));
}

function item(s, queueView) {
  const n = state.unread.get(s.id) || 0;
  const m = s.messages || {};
  const incoming = isIncoming(s);
  const pinned = state.pinned.has(s.id);
  const cls = ['li.session-item', m.no_reply_since && live(s) ? '.noreply' : '', !live(s) ? '.ended' : ''].join('');
  const last = state.lastText.get(s.id);
  const sub = queueView ? `Waiting ${since(s.queued_at || s.created_at)} · ${(s.queue && s.queue.name) || ''}`
    : incoming ? 'Transfer request' : last || words(s.status);
  const pin = state.settings.agents_may_pin && !queueView && !incoming
    ? h('button.si-pin' + (pinned ? '.on' : ''), { type: 'button', title: pinned ? 'Unpin' : 'Pin to the top', 'aria-label': pinned ? 'Unpin' : 'Pin',
      onclick: (e) => { e.stopPropagation(); togglePin(s.id); } }, icon('pin')) : null;
  return h(cls, { role: 'option', 'aria-selected': s.id === state.selected ? 'true' : 'false', dataset: { id: s.id }, onclick: () => select(s.id) },
    avatar(visitorName(s), s.end_user && s.end_user.identifier),
    h('div.si-body',
      h('div.si-top', h('span.si-name', visitorName(s)), pin, h('span.si-time', clock(m.last_at || s.queued_at || s.created_at))),
      h('div.si-mid', h('span.si-last', sub), n ? h('span.badge', String(n)) : null,
        queueView && state.agentId ? h('button.primary.si-accept', { type: 'button', onclick: (e) => { e.stopPropagation(); actions.accept(s); } }, 'Accept') : null),
      incoming || (m.no_reply_since && live(s)) || !live(s) || (!queueView && s.duration_since) ? h('div.si-bottom',
        incoming ? h('span.pill', '↪ Transfer') : null,
        // The server picks where the duration counts from (count_from_last_message).
        !queueView && s.duration_since ? h('span.pill.si-dur', { title: 'Chat time' }, '⏱ ' + since(s.duration_since)) : null,
        m.no_reply_since && live(s) ? h('span.pill.error-text', 'Waiting for reply ' + since(m.no_reply_since)) : null,
        !live(s) ? h('span.pill', s.wrap_up_at ? 'Wrapped up' : 'Ended') : null) : null));
}

function togglePin(id) {
  if (state.pinned.has(id)) state.pinned.delete(id);
  else state.pinned.add(id);
  save('sb.desk.pinned', state.pinned);
  renderList();
}

function renderCounts() {
  const all = [...state.sessions.values()];
  const set = (id, n) => { const b = $(id); b.hidden = !n; b.textContent = n > 99 ? '99+' : String(n); };
  const unread = all.filter((s) => isMine(s) || isIncoming(s)).reduce((a, s) => a + (state.unread.get(s.id) || 0), 0);
  set('#count-mine', unread + all.filter(isIncoming).length);
  set('#count-queue', all.filter(isQueued).length);
  document.title = (unread ? `(${unread}) ` : '') + 'Switchboard desk';
  if (state.agent) $('#load').textContent = `${all.filter((s) => live(s) && (handler(s) || {}).id === state.agentId).length}/${state.agent.max_concurrent || '–'}`;
}

function renderAll() {
  renderList();
  renderCounts();
}

// ---- the open conversation ----
const transcript = new Transcript($('#transcript'), { onRecall: (d) => actions.recall(d) });
const panel = new Panel({ run: (c, b) => run(state.selected, c, b) });
const composer = new Composer({
  send: (text) => actions.send(text),
  upload: (file, kind) => actions.upload(file, kind),
  typing: (on) => state.selected && liveConn.typing(state.selected, on),
  quickReplies: () => state.quickReplies,
  manageQuickReplies: () => quickReplies.open(),
});
const actions = new Actions({ state, run, upsert, select, composer, transcript });

async function openEvents(id, again) {
  if (again) transcript.reset(id);
  transcript.begin();
  let after = 0;
  const all = [];
  try {
    for (;;) {
      const page = await get(`/api/v1/sessions/${id}/events` + qs({ after_seq: after, limit: 1000 }));
      if (state.selected !== id) return null;
      all.push(...page.events);
      transcript.add(page.events, true);
      if (!page.next_after_seq) break;
      after = page.next_after_seq;
    }
  } catch (e) {
    transcript.loading = false;
    throw e;
  }
  if (!transcript.finish()) return openEvents(id, true);
  return all;
}

async function select(id) {
  const s = state.sessions.get(id);
  if (!s) return;
  if (state.selected && state.selected !== id) liveConn.unsubscribe(state.selected);
  delete $('#conv').dataset.live;
  state.selected = id;
  state.unread.delete(id);
  hideTyping();
  $('#conv-empty').hidden = true;
  $('#conv').hidden = false;
  renderList();
  renderCounts();
  renderHead(s);
  transcript.selfAgentId = state.agentId;
  transcript.reset(id);
  composer.open(id);
  // The server says whether this agent may read the chat yet
  // (agents_may_view_waiting): a waiting chat may come as a summary.
  const hidden = () => {
    panel.hide();
    $('#transcript').append(h('div.empty.details-hidden', 'Accept the chat to see its messages.'));
  };
  if (s.details_hidden) return hidden();
  try {
    const events = await openEvents(id);
    if (events === null) return;
    liveConn.subscribe(id, transcript.lastSeq);
    panel.editable = !state.agentId || isMine(s) || isIncoming(s);
    panel.show(state.sessions.get(id) || s, events);
    $('#view-chat').classList.remove('no-side');
    if (isMine(s) && live(s)) composer.focus();
  } catch (e) {
    if (e.status === 403 && waiting(s) && state.selected === id) return hidden();
    showError(e);
  }
}

function renderHead(s) {
  $('#conv-avatar').replaceWith(Object.assign(avatar(visitorName(s), s.end_user && s.end_user.identifier), { id: 'conv-avatar' }));
  $('#conv-name').textContent = visitorName(s);
  $('#conv-status').textContent = words(s.status);
  const meta = [words(s.channel), s.queue && s.queue.name, s.agent && 'with ' + s.agent.name, 'started ' + hm(s.created_at)].filter(Boolean);
  $('#conv-meta').textContent = meta.join(' · ');
  actions.renderActions(s, { isMine: isMine(s), isIncoming: isIncoming(s), isQueued: waiting(s) });
}

// ---- views and keys ----
function setView(view) {
  state.view = view;
  for (const a of $$('.nav')) a.classList.toggle('active', a.dataset.view === view);
  const chat = view === 'conversations' || view === 'queue';
  $('#view-chat').hidden = !chat;
  $('#view-history').hidden = view !== 'history';
  $('#view-offline').hidden = view !== 'offline';
  if (chat) renderList();
  if (view === 'history') historyView.show();
  if (view === 'offline') offline.show();
}

function move(delta) {
  const items = listed();
  if (!items.length) return;
  const i = items.findIndex((s) => s.id === state.selected);
  const next = items[Math.max(0, Math.min(items.length - 1, i < 0 ? 0 : i + delta))];
  select(next.id);
  $(`.session-item[data-id="${next.id}"]`)?.scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    // e.code, not e.key: Alt changes the character typed on some layouts.
    const views = { Digit1: 'conversations', Digit2: 'queue', Digit3: 'history', Digit4: 'offline' };
    if (views[e.code]) { e.preventDefault(); location.hash = views[e.code]; return; }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); move(e.key === 'ArrowDown' ? 1 : -1); }
    if (e.code === 'KeyA' && state.agentId) { // accept the chat waiting longest
      e.preventDefault();
      const next = [...state.sessions.values()].filter(isQueued).sort((a, b) => new Date(a.queued_at) - new Date(b.queued_at))[0];
      if (next) actions.accept(next);
      else toast('Nobody is waiting.');
    }
  }
  if (e.key === 'Escape') { $('#status-menu').hidden = true; $('#me-menu').hidden = true; }
});
$('#session-list').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); move(e.key === 'ArrowDown' ? 1 : -1); }
});
$('#list-search').addEventListener('input', renderList);
window.addEventListener('hashchange', () => setView(location.hash.slice(1) || 'conversations'));
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.selected) { state.unread.delete(state.selected); renderAll(); }
});
setInterval(() => {
  if (state.view === 'queue' || [...state.sessions.values()].some((s) => s.messages?.no_reply_since || s.duration_since)) renderList(true);
}, 15000);

// ---- status ----
function renderStatus(st) {
  $('#status-dot').className = 'dot ' + st;
  $('#status-label').textContent = words(st);
}
$('#status-btn').onclick = (e) => {
  e.stopPropagation();
  $('#status-menu').hidden = !$('#status-menu').hidden;
};
document.addEventListener('click', () => { $('#status-menu').hidden = true; $('#me-menu').hidden = true; });
for (const b of $$('#status-menu [data-status]')) {
  b.onclick = async () => {
    $('#status-menu').hidden = true;
    if (!state.agentId) return toast('Only agents have a status.');
    try {
      state.agent = await post(`/api/v1/agents/${state.agentId}/status`, { status: b.dataset.status });
      renderStatus(state.agent.status);
    } catch (err) { showError(err); }
  };
}
$('#me-btn').onclick = (e) => {
  e.stopPropagation();
  $('#me-menu').hidden = !$('#me-menu').hidden;
};
$('#menu-logout').onclick = () => logout();
$('#menu-qr').onclick = () => { $('#me-menu').hidden = true; quickReplies.open(); };
$('#menu-password').onclick = () => { $('#me-menu').hidden = true; openPassword(); };

const historyView = new History({ state });
const quickReplies = new QuickReplies({ state });
const offline = new Offline({ state });

// ---- start ----
async function start() {
  try {
    state.me = await me();
  } catch (e) {
    return showError(e);
  }
  state.agent = state.me.agent || null;
  state.agentId = state.agent ? state.agent.id : 0;
  const name = (state.me.user && state.me.user.name) || (state.agent && state.agent.name) || state.me.role;
  $('#me-avatar').textContent = name.slice(0, 1).toUpperCase();
  $('#me-btn').title = name;
  $('#me-name').replaceChildren(h('strong', name), h('div.muted.small', state.me.role));
  $('#menu-qr').hidden = !state.agentId;
  $('#menu-password').hidden = !state.me.user;
  renderStatus(state.agent ? state.agent.status : 'offline');
  const [settings, qr] = await Promise.all([
    get('/api/v1/settings/chat').catch(() => null),
    get('/api/v1/quick-replies').catch(() => null),
  ]);
  if (settings) state.settings = settings;
  if (qr) state.quickReplies = { categories: qr.categories || [], replies: qr.replies || [] };
  setView(location.hash.slice(1) || 'conversations');
  try {
    await loadSessions();
  } catch (e) {
    showError(e);
  }
  liveConn.start();
  liveConn.subscribeAll(await recentEventId().catch(() => 0));
  state.loaded = true;
  offline.counts().catch(() => {});
  document.body.dataset.ready = 'true';
}

start();
export { state };

// The hosted chat page (/chat/{key}): standalone, or inside the iframe the
// widget loader opens. It identifies the visitor, starts a chat session
// and follows it live.
import { Api, Channel, store } from './chat-api.js';
import { h, clock, size, wait } from './chat-render.js';
import { renderMessage } from './chat-messages.js';
import { identify, visitorContext, QueueWatch } from './chat-session.js';
import { applyConfig, presence, toggleSidebar, layoutSidebar, canLeaveMessage } from './chat-layout.js';
import { emojiPicker, ratingDialog, leaveMessageForm, confirmDialog } from './chat-forms.js';

const $ = (id) => document.getElementById(id);
const key = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const embed = new URLSearchParams(location.search).get('embed') === '1';
const api = new Api();
const RECALL_MS = 60000;
const WAITING = new Set(['queued', 'requeued']);

const st = {
  cfg: null,
  ctx: null, // from the loader: url, title, identity
  visitor: null,
  session: null,
  ended: false,
  rated: false,
  waiting: false,
  agentNick: '',
  agentName: '', // the serving agent as visitors see it, from assigned events
  agentAvatar: '',
  msgs: new Map(), // message id → {li, data, time}
  sending: new Map(), // client_id → li
  unread: 0,
  visible: !embed,
  history: false,
  position: null,
};
const storeKey = (k) => 'sb.' + k + '.' + key;

const channel = new Channel(api, {
  onEvent: (e) => onEvent(e, st.history),
  onTyping: (m) => showTyping(m),
  onState: (s) => document.body.classList.toggle('degraded', s !== 'live'),
});

// ---- loader messages ----------------------------------------------------

function toParent(msg) {
  if (embed && window.parent !== window) window.parent.postMessage({ sb: 1, ...msg }, '*');
}
let gotContext;
const contextReady = new Promise((r) => { gotContext = r; });
window.addEventListener('message', (ev) => {
  if (!embed || ev.source !== window.parent) return;
  const m = ev.data;
  if (!m || m.sb !== 1) return;
  if (m.type === 'context') {
    const who = (c) => (c && c.identity && c.identity.user_id) || '';
    const changed = st.ctx && who(st.ctx) !== who(m);
    st.ctx = { url: String(m.url || ''), title: String(m.title || ''), identity: m.identity || null };
    gotContext();
    // The site signed a customer in or out after the page loaded: start
    // over as that person.
    if (changed && document.body.dataset.ready) location.reload();
  } else if (m.type === 'opened') {
    st.visible = true;
    st.unread = 0;
    toParent({ type: 'unread', count: 0 });
    setTimeout(() => (st.ended ? $('btn-continue') : $('input')).focus(), 80);
    scrollDown(true);
  } else if (m.type === 'closed') {
    st.visible = false;
  }
});

// ---- boot -----------------------------------------------------------------

async function boot() {
  $('fatal').hidden = true;
  document.body.classList.remove('failed');
  if (!st.cfg) {
    try {
      st.cfg = await api.get('/api/v1/widget/' + encodeURIComponent(key));
    } catch (e) {
      fatal(e.status === 404 ? 'This chat does not exist.' : 'The chat is not available right now.', e.status !== 404);
      toParent({ type: 'ready', error: true });
      return;
    }
    applyConfig(st.cfg, { send, tool, quick });
    toParent({ type: 'ready', theme_color: st.cfg.theme_color, title: st.cfg.title || st.cfg.name,
      invitations: st.cfg.invitations || [], active: Number(store.get(storeKey('session'))) > 0 });
  }
  if (embed) await Promise.race([contextReady, new Promise((r) => setTimeout(r, 1500))]);
  try {
    st.visitor = await identify(api, key, st.ctx && st.ctx.identity);
  } catch (e) {
    fatal('We could not start the chat. ' + e.message);
    return;
  }
  document.body.classList.remove('booting');
  const sid = Number(store.get(storeKey('session'))) || 0;
  if (sid) await resume(sid);
  else showIntro();
  document.body.dataset.ready = 'true';
}


function fatal(text, retry = true) {
  document.body.classList.remove('booting');
  document.body.classList.add('failed');
  $('fatal-text').textContent = text;
  $('fatal-retry').hidden = !retry;
  $('fatal').hidden = false;
}

function tool(t, btn) {
  switch (t) {
    case 'emoji': emojiPicker($('emoji'), btn, (e) => insert(e)); break;
    case 'image': $('file-image').click(); break;
    case 'attachment': $('file-any').click(); break;
    case 'rating': rate(); break;
    case 'message': leaveMessage(); break;
  }
}

function quick(b) {
  if (b === 'human') send('I would like to talk to a person, please.');
  else if (b === 'rate') rate();
  else leaveMessage();
}

// ---- the conversation -----------------------------------------------------

function showIntro() {
  const c = st.cfg;
  // No queue takes the plugin's chats: no chat can start, whatever the
  // after-hours setting says; a message still can be left.
  const unrouted = c.routed === false;
  if (unrouted || (!c.open && c.after_hours !== 'open_chat')) {
    $('after-hours-text').textContent = unrouted ? 'Chat is not available right now. Leave us a message and we will get back to you.'
      : c.after_hours_text || 'We are away right now. Leave us a message and we will get back to you.';
    $('after-hours').hidden = false;
    if (unrouted || c.after_hours === 'leave_message') {
      $('composer').hidden = true;
      $('quick').hidden = true;
      $('after-hours-leave').hidden = false;
      if (st.visible) leaveMessage();
      return;
    }
    $('after-hours-leave').hidden = false;
    $('composer').hidden = true;
    $('quick').hidden = true;
    return;
  }
  $('intro').hidden = false;
  const asks = ((c.sidebar && c.sidebar.self_service) || []).slice(0, 3);
  if (asks.length) {
    $('intro-asks').replaceChildren(...asks.map((q) => h('li', null, h('button', { type: 'button', class: 'chip', onclick: () => send(q) }, q))));
    $('intro-asks').hidden = false;
  }
  const who = st.ctx && st.ctx.identity && st.ctx.identity.name;
  if (who) $('intro-title').textContent = 'Hi ' + String(who).split(' ')[0] + ' 👋';
}

async function resume(id) {
  try {
    st.session = await api.get('/api/v1/sessions/' + id);
  } catch {
    store.del(storeKey('session'));
    showIntro();
    return;
  }
  document.body.classList.add('in-chat');
  st.agentName = (st.session.agent && st.session.agent.name) || '';
  if (st.agentName && !st.session.ended_at) presence('Chatting with ' + st.agentName);
  st.agentAvatar = (st.session.agent && st.session.agent.avatar_url) || '';
  st.msgs.clear(); // message IDs count from 1 in every chat
  st.ended = false;
  st.rated = st.session.rating != null;
  $('ended').hidden = true;
  $('composer').hidden = false;
  $('btn-end').hidden = false;
  st.history = true;
  channel.sessionId = id;
  channel.seq = 0;
  channel.stopped = false;
  try { await channel.catchUp(); } catch { /* followed below */ }
  st.history = false;
  scrollDown(true);
  // An ended chat is still followed for a day until rated: the agent may
  // invite a rating.
  const endedAt = Date.parse(st.session.ended_at || '');
  if (!st.rated && !(endedAt < Date.now() - 864e5)) channel.follow(id, channel.seq);
}

async function ensureSession() {
  if (st.session && !st.ended) return st.session;
  if (st.starting) return st.starting;
  st.starting = (async () => {
    let res;
    try {
      res = await api.post('/api/v1/sessions', { type: 'chat_web', ...visitorContext() });
    } catch (e) {
      // The visitor already has an open chat (another tab, another device):
      // carry on with that one.
      const open = e.status === 409 && e.detail && Number(e.detail.session_id);
      if (!open) throw e;
      store.set(storeKey('session'), String(open));
      $('intro').hidden = true;
      await resume(open);
      return st.session;
    }
    startFresh(res.session);
    (res.events || []).forEach((e) => channel.deliver(e));
    return st.session;
  })();
  try { return await st.starting; } finally { st.starting = null; }
}

function startFresh(sess) {
  st.session = sess;
  st.agentName = '';
  st.agentNick = '';
  document.body.classList.add('in-chat');
  st.ended = false;
  st.rated = false;
  st.msgs.clear();
  store.set(storeKey('session'), String(sess.id));
  $('intro').hidden = true;
  $('ended').hidden = true;
  $('composer').hidden = false;
  $('btn-end').hidden = false;
  if ($('quick').children.length) $('quick').hidden = false;
  channel.follow(sess.id, 0);
}

function onEvent(e, history) {
  const d = e.data || {};
  switch (e.type) {
    case 'session_created':
      st.session = st.session || { id: e.session_id };
      $('intro').hidden = true;
      $('btn-end').hidden = false;
      break;
    case 'queued': case 'requeued':
      setWaiting(true);
      break;
    case 'assigned':
      setWaiting(false);
      if (d.agent && d.agent.name) {
        st.agentName = d.agent.name;
        st.agentAvatar = d.agent.avatar_url || '';
        if (!st.ended) presence('Chatting with ' + st.agentName);
      }
      break;
    case 'connected': case 'va_connected':
      setWaiting(false);
      info(st.agentName ? 'You are now chatting with ' + st.agentName : 'You are now connected', e.time);
      break;
    case 'transfer_completed':
      if (d.agent && d.agent.name) {
        st.agentName = d.agent.name;
        st.agentAvatar = d.agent.avatar_url || '';
        info('Your chat was passed to ' + st.agentName, e.time);
        if (!st.ended) presence('Chatting with ' + st.agentName);
      }
      break;
    case 'message_sent': message(e, d, history); break;
    case 'message_recalled': recalled(d); break;
    case 'rating_invited':
      if (!st.rated) {
        ratingInvite();
        if (!history && !document.querySelector('form.rating')) { rate(); notify('How would you rate this chat?'); }
      }
      break;
    case 'rated': markRated(); break;
    case 'ended': ended(d, history); break;
  }
  if (WAITING.has(d.status) && !st.ended) setWaiting(true);
  if (!history) scrollDown();
}

function setWaiting(on) {
  if (st.waiting === on) return;
  st.waiting = on;
  $('queue').hidden = !on;
  if (on && st.session) queue.follow(st.session.id); else queue.stop();
}

// NO_ESTIMATE says why the server gives no estimated wait, where that
// matters to the visitor (an unknown pace needs no sentence).
const NO_ESTIMATE = {
  no_agent_available: 'No agent is available right now',
  outside_work_hours: 'We are away right now',
};

const queue = new QueueWatch(api, (p) => {
  if (!p || !st.waiting) return;
  $('queue-title').textContent = p.position === 1 ? 'You are next in line' : 'You are number ' + p.position + ' in line';
  const w = wait(p.estimated_wait_seconds);
  const why = NO_ESTIMATE[p.no_estimate];
  $('queue-detail').textContent = w ? ' · Estimated wait ' + w : why ? ' · ' + why : '';
});


// append adds a line to the conversation, above the visitor's messages
// still on their way, so the log keeps the server's order.
function append(li) {
  $('log').insertBefore(li, $('log').querySelector(':scope > .msg.pending'));
}

function info(text, time) {
  append(h('li', { class: 'info' }, h('span', null, text), time ? h('time', { datetime: time }, ' · ' + clock(time)) : null));
}

function message(e, d, history) {
  if (st.msgs.has(d.id)) return;
  const mine = d.from === 'end_user';
  const pending = mine && d.client_id && st.sending.get(d.client_id);
  const li = render(d, e.time);
  if (pending) { pending.remove(); st.sending.delete(d.client_id); }
  append(li);
  st.msgs.set(d.id, { li, data: d, time: Date.parse(e.time) });
  const name = d.from === 'agent' ? sender(d) : '';
  if (name && name !== st.agentNick) { st.agentNick = name; presence('Chatting with ' + name); }
  if (mine && !history) recallable(d.id, Date.parse(e.time));
  if (!mine && !history) {
    $('typing').hidden = true;
    notify(sender(d) + ': ' + (d.text || (d.attachment ? d.attachment.name : '')));
  }
}

// notify counts a new message the visitor has not seen yet; the loader
// shows the preview beside its launcher.
function notify(preview) {
  if (st.visible && !document.hidden) return;
  st.unread++;
  toParent({ type: 'unread', count: st.unread, preview: preview ? preview.slice(0, 160) : '' });
  if (!embed) document.title = '(' + st.unread + ') ' + (st.cfg.title || st.cfg.name || 'Chat');
}

function sender(d) {
  if (d.from === 'system') return d.nickname || st.cfg.dispatcher_nickname || 'Assistant';
  if (d.from === 'end_user') return 'You';
  if (d.from === 'virtual_agent') return d.nickname || 'Virtual assistant';
  return d.nickname || st.agentName || 'Agent';
}

function render(d, time) {
  return renderMessage(d, time, { api, name: sender(d), avatarURL: d.from === 'agent' ? st.agentAvatar : '',
    onLoad: () => scrollDown(), leaveMessage: canLeaveMessage(st.cfg) ? leaveMessage : null });
}

function recallable(id, at) {
  const m = st.msgs.get(id);
  const left = at + RECALL_MS - Date.now();
  if (!m || left <= 0 || st.ended) return;
  const btn = h('button', { type: 'button', class: 'recall', onclick: () => recall(id, btn) }, 'Recall');
  btn.setAttribute('aria-label', 'Recall this message');
  m.li.querySelector('.meta').appendChild(btn);
  setTimeout(() => btn.remove(), Math.min(left, RECALL_MS));
}

async function recall(id, btn) {
  btn.disabled = true;
  try {
    await channel.command('recall', { message_id: id });
    const m = st.msgs.get(id);
    if (m && m.data.text && !$('input').value) { $('input').value = m.data.text; grow(); }
    $('input').focus();
  } catch (e) {
    btn.remove();
    composeError(e.code === 'conflict' || e.status === 409 ? 'This message can no longer be recalled.' : e.message);
  }
}

function recalled(d) {
  const m = st.msgs.get(d.message_id);
  if (!m) return;
  const mine = d.from === 'end_user';
  const li = h('li', { class: 'info recalled' }, mine ? 'You recalled a message' : sender(m.data) + ' recalled a message');
  m.li.replaceWith(li);
  m.li = li;
}

function ratingInvite() {
  if (document.querySelector('.card-msg.invite')) return;
  const li = h('li', { class: 'card-msg invite' },
    h('p', null, st.cfg.csat && st.cfg.csat.score_prompt ? st.cfg.csat.score_prompt : 'How would you rate this chat?'),
    h('button', { type: 'button', class: 'btn primary', onclick: rate }, 'Rate this chat'));
  append(li);
}

// markRated retires every way to rate the chat again.
function markRated() {
  st.rated = true;
  $('ended-rate').hidden = true;
  document.querySelectorAll('.card-msg.invite').forEach((c) => c.remove());
}

function ended(d, history) {
  st.ended = true;
  setWaiting(false);
  append(h('li', { class: 'divider' }, h('span', null, 'Chat ended')));
  $('typing').hidden = true;
  $('btn-end').hidden = true;
  $('composer').hidden = true;
  $('quick').hidden = true;
  $('ended').hidden = false;
  $('ended-text').textContent = d.disconnected_by === 'end_user' ? 'You ended this chat.' : 'This chat has ended.';
  $('ended-rate').hidden = st.rated || !(st.cfg.toolbar || []).concat(st.cfg.quick_buttons || []).some((t) => t === 'rating' || t === 'rate');
  document.querySelectorAll('.recall').forEach((b) => b.remove());
  presence();
  st.agentNick = '';
  if (!history) $('btn-continue').focus();
}

// ---- typing -----------------------------------------------------------------

let typingTimer = 0;
function showTyping(m) {
  if (m.from === 'end_user') return;
  clearTimeout(typingTimer);
  $('typing').hidden = !m.typing;
  $('typing-text').textContent = (st.agentNick || st.agentName || 'Agent') + ' is typing…';
  if (m.typing) { typingTimer = setTimeout(() => { $('typing').hidden = true; }, 6000); scrollDown(); }
}

let typingSent = 0;
function typed() {
  grow();
  $('send').disabled = !$('input').value.trim();
  if (!st.session || st.ended) return;
  const now = Date.now();
  if ($('input').value && now - typingSent > 3000) { typingSent = now; channel.typing(true); }
  if (!$('input').value && typingSent) { typingSent = 0; channel.typing(false); }
}

function grow() {
  const t = $('input');
  t.style.height = 'auto';
  t.style.height = Math.min(t.scrollHeight, 140) + 'px';
}

function insert(text) {
  const t = $('input');
  const s = t.selectionStart ?? t.value.length;
  t.value = t.value.slice(0, s) + text + t.value.slice(t.selectionEnd ?? s);
  t.selectionStart = t.selectionEnd = s + text.length;
  t.focus();
  typed();
}

// ---- sending ---------------------------------------------------------------

function composeError(text) {
  $('compose-error').textContent = text || '';
  $('compose-error').hidden = !text;
}

async function send(text, li) {
  text = (text || '').trim();
  if (!text) return;
  composeError('');
  const cid = 'w' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  if (!li) {
    li = render({ from: 'end_user', text }, '');
    li.classList.add('pending');
    $('log').appendChild(li);
    scrollDown(true);
  }
  li.classList.remove('failed');
  li.classList.add('pending');
  st.sending.set(cid, li);
  typingSent = 0;
  try {
    await ensureSession();
    await channel.command('message', { text, client_id: cid });
  } catch (e) {
    if (!st.sending.has(cid)) return; // delivered after all
    st.sending.delete(cid);
    li.classList.remove('pending');
    li.classList.add('failed');
    const meta = li.querySelector('.meta');
    meta.textContent = '';
    meta.appendChild(h('span', { class: 'fail' }, 'Not sent. '));
    meta.appendChild(h('button', { type: 'button', class: 'recall', onclick: () => send(text, li) }, 'Retry'));
    composeError(e.message);
  }
}

async function upload(file) {
  if (!file) return;
  composeError('');
  const max = (st.cfg.max_upload_bytes || 10 << 20);
  if (file.size > max) { composeError('That file is too large (limit ' + size(max) + ').'); return; }
  const li = h('li', { class: 'msg me pending' }, h('div', { class: 'bubble' }, h('p', { class: 'text' }, 'Uploading ' + file.name + '…')));
  $('log').appendChild(li);
  scrollDown(true);
  try {
    const s = await ensureSession();
    const att = await api.request('POST', '/api/v1/sessions/' + s.id + '/attachments?name=' + encodeURIComponent(file.name), file,
      { raw: true, contentType: file.type || 'application/octet-stream' });
    const cid = 'w' + Date.now().toString(36);
    st.sending.set(cid, li);
    await channel.command('message', { kind: att.kind === 'image' ? 'image' : 'file', attachment_id: att.id, text: '', client_id: cid });
  } catch (e) {
    li.remove();
    composeError(e.status === 413 ? 'That file is too large.' : e.status === 415 || e.status === 400 ? 'This type of file cannot be sent. ' + e.message : e.message);
  }
}

// ---- dialogs -----------------------------------------------------------------

function rate() {
  if (!st.session) { composeError('You can rate the chat once you have talked to us.'); return; }
  if (st.rated) { composeError('Thank you — you already rated this chat.'); return; }
  ratingDialog(st.cfg.csat || {}, async (r) => {
    await api.post('/api/v1/sessions/' + st.session.id + '/rate', r);
    markRated();
    const score = ((st.cfg.csat && st.cfg.csat.scores) || []).find((s) => s.stars === r.rating);
    // The server thanks the visitor with its receipt message; this card
    // records what they chose.
    append(h('li', { class: 'card-msg receipt' },
      h('p', null, 'You rated this chat'),
      h('p', { class: 'stars-line', 'aria-label': r.rating + ' out of 5 stars' }, '★'.repeat(r.rating) + '☆'.repeat(5 - r.rating)),
      score && score.text ? h('p', { class: 'score-text' }, score.text) : null));
    scrollDown(true);
  });
}

function leaveMessage() {
  leaveMessageForm(st.cfg.leave_message_template || st.cfg.template || null, st.ctx, async (msg) => {
    if (st.session) msg.session_id = st.session.id;
    await api.post('/api/v1/offline-messages', msg);
  });
}

async function endChat() {
  if (!st.session || st.ended) return;
  if (!(await confirmDialog('End this chat?', 'You can always start a new one.', 'End chat'))) return;
  try {
    await channel.command('end', { disconnected_by: 'end_user' });
  } catch (e) {
    composeError(e.message);
  }
}

async function continueChat() {
  $('btn-continue').disabled = true;
  try {
    store.del(storeKey('session'));
    st.session = null;
    append(h('li', { class: 'divider' }, h('span', null, 'New conversation')));
    await ensureSession();
    $('input').focus();
  } catch (e) {
    $('ended').hidden = false;
    composeError(e.message);
  } finally {
    $('btn-continue').disabled = false;
  }
}

// ---- scrolling -------------------------------------------------------------

function scrollDown(force) {
  const s = $('scroller');
  const near = s.scrollHeight - s.scrollTop - s.clientHeight < 120;
  if (force || near) requestAnimationFrame(() => { s.scrollTop = s.scrollHeight; });
}

// ---- wiring ----------------------------------------------------------------

$('composer').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const t = $('input');
  const text = t.value;
  if (!text.trim()) return;
  t.value = '';
  typed();
  channel.typing(false);
  send(text);
  t.focus();
});
$('input').addEventListener('input', typed);
$('input').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $('composer').requestSubmit(); }
});
$('input').addEventListener('blur', () => { if (typingSent) { typingSent = 0; channel.typing(false); } });
// Images pasted into the input or files dropped on the page are sent.
const canUpload = () => (st.cfg && st.cfg.toolbar || []).some((t) => t === 'image' || t === 'attachment') && !st.ended;
$('input').addEventListener('paste', (ev) => {
  const f = [...(ev.clipboardData && ev.clipboardData.files) || []][0];
  if (f && canUpload()) { ev.preventDefault(); upload(f); }
});
$('main').addEventListener('dragover', (ev) => { if (canUpload()) { ev.preventDefault(); document.body.classList.add('dropping'); } });
$('main').addEventListener('dragleave', (ev) => { if (ev.target === $('main')) document.body.classList.remove('dropping'); });
$('main').addEventListener('drop', (ev) => {
  document.body.classList.remove('dropping');
  const f = ev.dataTransfer && ev.dataTransfer.files[0];
  if (f && canUpload()) { ev.preventDefault(); upload(f); }
});
$('file-image').addEventListener('change', (ev) => { upload(ev.target.files[0]); ev.target.value = ''; });
$('file-any').addEventListener('change', (ev) => { upload(ev.target.files[0]); ev.target.value = ''; });
$('btn-help').addEventListener('click', () => toggleSidebar());
$('sidebar-close').addEventListener('click', () => toggleSidebar(false));
$('btn-close').hidden = !embed;
$('btn-close').addEventListener('click', () => toParent({ type: 'close' }));
$('btn-end').addEventListener('click', endChat);
$('btn-continue').addEventListener('click', continueChat);
$('ended-rate').addEventListener('click', rate);
$('after-hours-leave').addEventListener('click', leaveMessage);
$('fatal-retry').addEventListener('click', boot);
window.addEventListener('resize', layoutSidebar);
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape' || !$('overlay').hidden) return;
  if (!$('emoji').hidden) return;
  if (document.body.classList.contains('sidebar-open')) { toggleSidebar(false); return; }
  if (embed) toParent({ type: 'close' });
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && st.visible) {
    st.unread = 0;
    toParent({ type: 'unread', count: 0 });
    document.title = st.cfg ? st.cfg.title || st.cfg.name || 'Chat' : 'Chat';
  }
});

boot().then(layoutSidebar);

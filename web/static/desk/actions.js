// What an agent does with a chat: accept it from the queue, write, send
// images and files, recall a message, transfer (and answer a transfer),
// end, invite a rating and wrap up.

import { api, get, showError, toast } from '/static/common/api.js';
import { h, $, live, handler, pendingTransfer } from './util.js';

export class Actions {
  constructor({ state, run, upsert, select, composer, transcript }) {
    Object.assign(this, { state, run, upsert, select, composer, transcript });
    this.bindTransfer();
    this.bindWrapUp();
  }

  get id() { return this.state.selected; }

  /** accept picks a waiting chat up for this agent and opens it. */
  async accept(s) {
    this.state.kept.add(s.id); // picked up here: no "new chat" note
    this.state.accepting.add(s.id); // connected below, not again when the assignment arrives
    try {
      const out = await this.run(s.id, 'assign', { agent_id: this.state.agentId });
      if (out.session.status === 'assigned') await this.run(s.id, 'connect').catch(() => {});
      this.state.accepting.delete(s.id);
      location.hash = 'conversations';
      await this.select(s.id);
      this.composer.focus();
    } catch (e) {
      this.state.accepting.delete(s.id);
      showError(e);
    }
  }

  async send(text) {
    try {
      await this.run(this.id, 'message', { text, client_id: 'd' + Date.now().toString(36) });
      return true;
    } catch (e) {
      showError(e);
      return false;
    }
  }

  /** upload sends an image or a file as a message of the open chat. */
  async upload(file, kind) {
    const id = this.id;
    const max = this.state.settings.max_upload_bytes || 10 << 20;
    if (file.size > max) return toast(`${file.name} is larger than ${Math.round(max / (1 << 20))} MB.`, 'error');
    if (kind === 'image' && !/^image\/(png|jpeg|gif|webp)$/.test(file.type)) kind = 'file';
    const note = toast(`Uploading ${file.name}…`, '', 60000);
    try {
      const a = await api('POST', `/api/v1/sessions/${id}/attachments?name=${encodeURIComponent(file.name)}`,
        file.type ? file : new Blob([file], { type: 'application/octet-stream' }));
      await this.run(id, 'message', { kind: a.kind === 'image' ? 'image' : kind === 'image' ? 'file' : kind, attachment_id: a.id, text: '' });
    } catch (e) {
      showError(e);
    } finally {
      note.remove();
    }
  }

  /** recall takes a message back and puts its text in the reply box. */
  async recall(d) {
    try {
      await this.run(this.id, 'recall', { message_id: d.id });
      if (d.text) this.composer.restore(d.text);
    } catch (e) {
      showError(e);
    }
  }

  renderActions(s, { isMine, isIncoming, isQueued }) {
    const box = $('#conv-actions');
    const btn = (label, onclick, cls = '', title = '') => h('button' + cls, { type: 'button', onclick, title: title || undefined }, label);
    const act = (name, body = {}) => () => this.run(s.id, name, body).catch(showError);
    const list = [];
    const t = pendingTransfer(s);
    const banner = $('#transfer-banner');
    const bannerKey = banner.hidden + banner.textContent;
    const bannerKids = [...banner.childNodes];
    banner.hidden = true;
    if (isQueued && this.state.agentId) list.push(btn('Accept', () => this.accept(s), '.primary', 'Pick this chat up'));
    if (isIncoming) {
      banner.hidden = false;
      banner.replaceChildren(h('span.grow', `↪ ${(t.from_agent && t.from_agent.name) || 'A colleague'} wants to transfer this chat to you.`),
        btn('Accept transfer', () => { this.state.kept.add(s.id); act('transfer-complete')(); }, '.primary'), btn('Decline', act('transfer-fail', { reason: 'declined' })));
    } else if (t && isMine) {
      banner.hidden = false;
      banner.replaceChildren(h('span.grow', `Waiting for ${(t.to_agent && t.to_agent.name) || 'the receiver'} to accept the transfer…`));
    }
    if (bannerKey === banner.hidden + banner.textContent) banner.replaceChildren(...bannerKids); // unchanged: keep its buttons
    if (isMine && live(s)) {
      if (!t) list.push(btn('Transfer', () => this.openTransfer(s), '', 'Transfer to an agent or a group'));
      list.push(this.inviteButton(s, btn, act));
      list.push(btn('End chat', () => this.end(s), '.danger'));
    }
    if (isMine && !live(s)) {
      if (!s.rating && !s.rated_at) list.push(this.inviteButton(s, btn, act));
      if (!s.wrap_up_at) list.push(btn('Wrap up', () => this.openWrapUp(s), '.primary'));
      list.push(btn('Close', () => this.close(s), '', 'Remove from the list'));
    }
    // No rating button for a chat not yet connected (inviteButton answers
    // null): an accepted chat is "assigned" until its connection arrives.
    const shown = list.filter(Boolean);
    // Redraw only when the choices change, so that a click is never lost
    // to a redraw caused by an unrelated update of the same chat.
    const key = [s.id, ...shown.map((b) => b.textContent + b.disabled), banner.hidden, banner.textContent].join('|');
    if (key !== this.actionsKey) {
      this.actionsKey = key;
      box.replaceChildren(...shown);
    }
    const canWrite = isMine && live(s) && (handler(s) || {}).id === this.state.agentId;
    $('#conv').classList.toggle('readonly', !canWrite);
    $('#composer').hidden = !canWrite;
    const closed = $('#composer-closed');
    closed.hidden = canWrite;
    closed.textContent = isQueued ? 'This visitor is waiting. Accept the chat to reply.'
      : isIncoming ? 'Accept the transfer to reply.' : !live(s) ? 'This chat has ended.' : 'This chat is handled by someone else.';
  }

  inviteButton(s, btn, act) {
    // The platform takes invitations for connected and finished chats, not
    // for chats the system ended.
    if (!['connected', 'finished'].includes(s.status) || s.disconnected_by === 'system') return null;
    if (s.rating_invited_at) {
      const b = btn('Rating invited', null, '', 'The visitor was invited to rate this chat');
      b.disabled = true;
      return b;
    }
    return btn('Invite rating', act('invite-rating'), '', 'Ask the visitor to rate this chat');
  }

  async end(s) {
    if (!(await confirmBox('End this chat?', 'The visitor is told the chat has ended. You can still invite a rating and wrap up.', 'End chat'))) return;
    try {
      await this.run(s.id, 'end', { disconnected_by: 'agent' });
    } catch (e) {
      showError(e);
    }
  }

  close(s) {
    this.state.kept.delete(s.id);
    localStorage.setItem('sb.desk.kept', JSON.stringify([...this.state.kept]));
    this.state.selected = 0;
    $('#conv').hidden = true;
    $('#conv-empty').hidden = false;
    $('#side').hidden = true;
    $('#view-chat').classList.add('no-side');
    this.upsert(this.state.sessions.get(s.id) || s);
  }

  // ---- transfer ----
  bindTransfer() {
    const form = $('#transfer-form');
    for (const r of form.kind) r.onchange = () => this.fillTargets();
    $('#dlg-transfer').addEventListener('close', async () => {
      const d = $('#dlg-transfer');
      if (d.returnValue !== 'ok') return;
      const kind = form.kind.value;
      const target = Number($('#transfer-target').value);
      if (!target) return;
      try {
        await this.run(this.transferFor, 'transfer', kind === 'agent' ? { kind, agent_id: target } : { kind, queue_id: target });
        toast('Transfer started.', 'ok');
      } catch (e) {
        showError(e);
      }
    });
  }

  async openTransfer(s) {
    this.transferFor = s.id;
    try {
      const [agents, queues] = await Promise.all([get('/api/v1/agents'), get('/api/v1/queues')]);
      this.agents = (agents.items || []).filter((a) => a.id !== this.state.agentId);
      this.queues = queues.items || [];
    } catch (e) {
      return showError(e);
    }
    this.fillTargets();
    $('#dlg-transfer').showModal();
  }

  fillTargets() {
    const kind = $('#transfer-form').kind.value;
    const sel = $('#transfer-target');
    const order = { online: 0, invisible: 1, busy: 2, away: 3, offline: 4 };
    const opts = kind === 'agent'
      ? [...this.agents].sort((a, b) => (order[a.status] ?? 5) - (order[b.status] ?? 5) || a.name.localeCompare(b.name))
        .map((a) => h('option', { value: a.id, disabled: a.status === 'offline' }, `${a.name} — ${a.status}`))
      : this.queues.map((q) => h('option', { value: q.id }, q.name));
    sel.replaceChildren(...(opts.length ? opts : [h('option', { value: '' }, kind === 'agent' ? 'No other agents' : 'No groups')]));
    $('#transfer-hint').textContent = kind === 'agent'
      ? 'The receiver may have to accept before the chat moves.' : 'The chat waits in the group until an agent there picks it up.';
  }

  // ---- wrap-up ----
  bindWrapUp() {
    $('#dlg-wrapup').addEventListener('close', async () => {
      const d = $('#dlg-wrapup');
      if (d.returnValue !== 'ok') return;
      const code = $('#wrapup-code').value.trim();
      if (!code) return;
      try {
        await this.run(this.wrapFor, 'wrap-up', { code, note: $('#wrapup-note').value.trim() });
        toast('Wrapped up.', 'ok');
      } catch (e) {
        showError(e);
      }
    });
  }

  openWrapUp(s) {
    this.wrapFor = s.id;
    const codes = this.state.settings.disposition_codes || [];
    const old = $('#wrapup-code');
    const field = codes.length
      ? h('select#wrapup-code', { required: true }, codes.map((c) => h('option', { value: c }, c)))
      : h('input#wrapup-code', { required: true, maxlength: 100, placeholder: 'e.g. resolved' });
    old.replaceWith(field);
    $('#wrapup-note').value = '';
    $('#dlg-wrapup').showModal();
  }
}

/** confirmBox asks a yes/no question in a dialog. */
export function confirmBox(title, text, ok = 'OK') {
  const d = $('#dlg-confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = ok;
  d.showModal();
  return new Promise((resolve) => d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true }));
}

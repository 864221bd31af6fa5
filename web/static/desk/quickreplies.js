// The agent's personal quick replies (SPEC §2.4): a dialog to add, change
// and delete them, grouped by the agent's own categories. Public ones are
// listed too, read-only; administrators manage them in the console.

import { get, post, put, del, showError } from '/static/common/api.js';
import { h } from './util.js';
import { confirmBox } from './actions.js';

export class QuickReplies {
  /** opts: state (with quickReplies and agentId). */
  constructor({ state }) {
    this.state = state;
    this.dlg = h('dialog#dlg-qr', { 'aria-labelledby': 'qr-title' });
    document.body.append(this.dlg);
  }

  /** reload reads the replies the agent may use. */
  async reload() {
    const qr = await get('/api/v1/quick-replies');
    this.state.quickReplies = { categories: qr.categories || [], replies: qr.replies || [] };
  }

  async open() {
    try {
      await this.reload();
    } catch (e) {
      return showError(e);
    }
    this.draw();
    if (!this.dlg.open) this.dlg.showModal();
  }

  draw(editing = null) {
    const { categories, replies } = this.state.quickReplies;
    const me = this.state.agentId;
    const mineCats = categories.filter((c) => c.agent_id === me);
    const catName = new Map(categories.map((c) => [c.id, c.name]));
    const mine = replies.filter((r) => r.agent_id === me);
    const pub = replies.filter((r) => !r.agent_id);
    const row = (r, own) => h('li.qr-row', { dataset: { id: r.id } },
      h('div.grow', h('span.qr-short', '/' + r.shortcut), ' ', h('span.muted.small', catName.get(r.category_id) || ''), h('div.qr-text', r.content)),
      own ? h('div.row', h('button', { type: 'button', onclick: () => this.draw(r) }, 'Edit'),
        h('button.danger', { type: 'button', onclick: () => this.remove(r) }, 'Delete')) : null);
    const form = h('form.qr-form', { onsubmit: (e) => this.save(e, editing) },
      h('div.row',
        h('label.field', 'Shortcut', h('input', { name: 'shortcut', required: true, maxlength: 30, pattern: '\\S+', value: editing ? editing.shortcut : '', placeholder: 'thanks' })),
        h('label.field.grow', 'Category', h('input', { name: 'category', list: 'qr-cats', maxlength: 50, value: editing ? catName.get(editing.category_id) || '' : '', placeholder: 'Optional' })),
        h('datalist#qr-cats', mineCats.map((c) => h('option', { value: c.name })))),
      h('label.field', 'Reply', h('textarea', { name: 'content', required: true, rows: 3, maxlength: 5000 }, editing ? editing.content : '')),
      h('div.actions', editing ? h('button', { type: 'button', onclick: () => this.draw() }, 'Cancel edit') : null,
        h('button.primary', { type: 'submit' }, editing ? 'Save' : 'Add')));
    this.dlg.replaceChildren(h('div.dlg.qr-dlg',
      h('div.row', h('h2#qr-title.grow', 'My quick replies'), h('button', { type: 'button', onclick: () => this.dlg.close() }, 'Close')),
      h('p.muted.small', 'Type / and the shortcut in a reply to insert one. Only you see your own replies.'),
      form,
      h('h3', 'Mine'), mine.length ? h('ul.qr-list', mine.map((r) => row(r, true))) : h('p.muted.small', 'None yet.'),
      h('h3', 'Public'), pub.length ? h('ul.qr-list', pub.map((r) => row(r, false))) : h('p.muted.small', 'None.')));
    this.dlg.querySelector('input[name=shortcut]').focus();
  }

  async save(e, editing) {
    e.preventDefault();
    const f = e.target;
    const body = { shortcut: f.shortcut.value.trim(), content: f.content.value.trim() };
    try {
      const cat = f.category.value.trim();
      if (cat) {
        const { categories } = this.state.quickReplies;
        let c = categories.find((x) => x.agent_id === this.state.agentId && x.name === cat);
        if (!c) c = await post('/api/v1/quick-reply-categories', { name: cat });
        body.category_id = c.id;
      }
      if (editing) await put('/api/v1/quick-replies/' + editing.id, { ...body, position: editing.position });
      else await post('/api/v1/quick-replies', body);
      await this.reload();
      this.draw();
    } catch (err) {
      showError(err);
    }
  }

  async remove(r) {
    this.dlg.close();
    const ok = await confirmBox('Delete this quick reply?', '/' + r.shortcut + ' — ' + r.content.slice(0, 80), 'Delete');
    try {
      if (ok) await del('/api/v1/quick-replies/' + r.id);
      await this.reload();
    } catch (err) {
      showError(err);
    }
    this.draw();
    this.dlg.showModal();
  }
}


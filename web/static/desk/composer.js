// The reply box: Enter sends, Shift+Enter adds a line, "/" opens the quick
// replies filtered by shortcut (arrow keys, Enter or Tab to insert), an
// emoji picker, image and file uploads, Clear, a draft per session and
// typing notices.

import { h, $ } from './util.js';

const EMOJI = '😀 😄 😊 🙂 😉 😍 🤔 😅 😂 🙏 👍 👌 👏 🙌 💪 🎉 ✅ ❌ ⚠️ ❤️ 🔥 ⭐ 💡 📌 📎 📞 ✉️ ⏰ 🕐 🚀 😢 😮 😎 🤝 👋 🙋 💬 📦 🛒 💳'.split(' ');
const TYPING_REFRESH = 3000;
const TYPING_IDLE = 4000;

export class Composer {
  /**
   * opts: send(text) → Promise, upload(file, kind) → Promise,
   * typing(bool), quickReplies() → {categories, replies}.
   */
  constructor(opts) {
    this.opts = opts;
    this.input = $('#input');
    this.qrMenu = $('#qr-menu');
    this.emojiMenu = $('#emoji-menu');
    this.drafts = new Map();
    this.sessionId = 0;
    this.qr = { open: false, items: [], index: 0, start: 0 };
    this.typingSent = 0;
    this.bind();
  }

  bind() {
    const inp = this.input;
    inp.addEventListener('keydown', (e) => this.keydown(e));
    // Enter without Shift never types a line break (keydown sends or picks);
    // this also holds for key events that arrive without their keydown.
    inp.addEventListener('keypress', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) e.preventDefault(); });
    inp.addEventListener('input', () => {
      this.autosize();
      this.updateQR();
      this.drafts.set(this.sessionId, inp.value);
      this.typed();
    });
    inp.addEventListener('blur', () => setTimeout(() => this.closeQR(), 150));
    $('#btn-send').onclick = () => this.submit();
    $('#btn-clear').onclick = () => { this.set(''); this.stopTyping(); inp.focus(); };
    $('#btn-qr').onclick = () => {
      if (this.qr.open) return this.closeQR();
      const pos = inp.selectionStart;
      inp.setRangeText('/', pos, pos, 'end');
      inp.focus();
      this.updateQR();
    };
    $('#btn-emoji').onclick = (e) => {
      e.stopPropagation();
      this.emojiMenu.hidden = !this.emojiMenu.hidden;
    };
    this.emojiMenu.replaceChildren(...EMOJI.map((em) => h('button', { type: 'button', title: em, onclick: () => this.insert(em) }, em)));
    document.addEventListener('click', (e) => {
      if (!this.emojiMenu.hidden && !this.emojiMenu.contains(e.target)) this.emojiMenu.hidden = true;
    });
    const pick = (btn, input, kind) => {
      $(btn).onclick = () => input.click();
      input.onchange = async () => {
        const f = input.files[0];
        input.value = '';
        if (f) await this.opts.upload(f, kind);
      };
    };
    pick('#btn-image', $('#file-image'), 'image');
    pick('#btn-file', $('#file-any'), 'file');
    const conv = $('#conv');
    conv.addEventListener('dragover', (e) => {
      if ($('#composer').hidden || !e.dataTransfer.types.includes('Files')) return;
      e.preventDefault();
      conv.classList.add('dropping');
    });
    conv.addEventListener('dragleave', (e) => { if (e.target === conv || !conv.contains(e.relatedTarget)) conv.classList.remove('dropping'); });
    conv.addEventListener('drop', async (e) => {
      conv.classList.remove('dropping');
      if ($('#composer').hidden) return;
      e.preventDefault();
      for (const f of e.dataTransfer.files) await this.opts.upload(f, f.type.startsWith('image/') ? 'image' : 'file');
    });
    inp.addEventListener('paste', (e) => {
      const f = [...(e.clipboardData?.files || [])].find((x) => x.type.startsWith('image/'));
      if (f) {
        e.preventDefault();
        this.opts.upload(f, 'image');
      }
    });
  }

  /** open switches to a session's draft. */
  open(sessionId) {
    this.stopTyping();
    if (this.sessionId) this.drafts.set(this.sessionId, this.input.value);
    this.sessionId = sessionId;
    this.set(this.drafts.get(sessionId) || '');
    this.closeQR();
  }

  set(text) {
    this.input.value = text;
    this.drafts.set(this.sessionId, text);
    this.autosize();
  }

  /** restore puts a recalled text back for editing, before what is typed. */
  restore(text) {
    const cur = this.input.value.trim();
    this.set(cur ? text + '\n' + cur : text);
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }

  focus() { this.input.focus(); }

  insert(text) {
    const inp = this.input;
    inp.setRangeText(text, inp.selectionStart, inp.selectionEnd, 'end');
    this.drafts.set(this.sessionId, inp.value);
    this.emojiMenu.hidden = true;
    inp.focus();
  }

  autosize() {
    const inp = this.input;
    inp.style.height = 'auto';
    inp.style.height = Math.min(200, Math.max(60, inp.scrollHeight)) + 'px';
  }

  keydown(e) {
    if (this.qr.open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.qr.items.length;
        if (n) this.qr.index = (this.qr.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.drawQR();
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && this.qr.items.length) {
        e.preventDefault();
        this.pickQR(this.qr.items[this.qr.index]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closeQR();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey) {
      e.preventDefault();
      this.submit();
    }
  }

  async submit() {
    const text = this.input.value.trim();
    if (!text) return;
    const btn = $('#btn-send');
    btn.disabled = true;
    try {
      this.stopTyping();
      const ok = await this.opts.send(text);
      if (ok !== false && this.input.value.trim() === text) this.set('');
    } finally {
      btn.disabled = false;
      this.input.focus();
    }
  }

  typed() {
    if (!this.input.value) return this.stopTyping();
    const now = Date.now();
    if (now - this.typingSent > TYPING_REFRESH) {
      this.typingSent = now;
      this.opts.typing(true);
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stopTyping(), TYPING_IDLE);
  }

  stopTyping() {
    clearTimeout(this.idle);
    if (this.typingSent) {
      this.typingSent = 0;
      this.opts.typing(false);
    }
  }

  // Quick replies: the word being typed after a "/" filters them.
  updateQR() {
    const inp = this.input;
    const before = inp.value.slice(0, inp.selectionStart);
    const m = before.match(/(^|\s)\/(\S*)$/);
    if (!m) return this.closeQR();
    const word = m[2].toLowerCase();
    const { categories = [], replies = [] } = this.opts.quickReplies() || {};
    const cat = new Map(categories.map((c) => [c.id, c.name]));
    const starts = replies.filter((r) => r.shortcut.toLowerCase().startsWith(word));
    const contains = word ? replies.filter((r) => !starts.includes(r) && r.content.toLowerCase().includes(word)) : [];
    this.qr = { open: true, items: [...starts, ...contains].slice(0, 50), index: 0, start: before.length - m[2].length - 1, cat };
    this.drawQR();
  }

  drawQR() {
    const { items, index, cat } = this.qr;
    this.qrMenu.hidden = false;
    const manage = h('button.qr-manage', { type: 'button', role: 'option', onmousedown: (e) => { e.preventDefault(); this.closeQR(); this.opts.manageQuickReplies(); } },
      'Manage my quick replies…');
    if (!items.length) {
      this.qrMenu.replaceChildren(h('div.empty', 'No quick reply matches.'), manage);
      return;
    }
    let lastCat;
    const rows = [];
    items.forEach((r, i) => {
      const c = cat.get(r.category_id) || (r.agent_id ? 'Personal' : 'Public');
      if (c !== lastCat) rows.push(h('div.qr-cat', c));
      lastCat = c;
      rows.push(h('button', {
        type: 'button', role: 'option', 'aria-selected': i === index ? 'true' : 'false', dataset: { shortcut: r.shortcut },
        onmousedown: (e) => { e.preventDefault(); this.pickQR(r); },
      }, h('span.qr-short', '/' + r.shortcut), h('span.qr-text', r.content)));
    });
    this.qrMenu.replaceChildren(...rows, manage);
    const sel = this.qrMenu.querySelector('[aria-selected=true]');
    if (sel) sel.scrollIntoView({ block: 'nearest' });
  }

  pickQR(r) {
    const inp = this.input;
    inp.setRangeText(r.content, this.qr.start, inp.selectionStart, 'end');
    this.drafts.set(this.sessionId, inp.value);
    this.closeQR();
    this.autosize();
    inp.focus();
  }

  closeQR() {
    this.qr.open = false;
    this.qrMenu.hidden = true;
  }
}

// Dialogs of the chat page: the emoji picker, the rating dialog, the
// leave-message form and a confirmation. Dialogs open in one modal sheet
// that keeps keyboard focus inside and gives it back when closed.
import { h, icon, icons } from './chat-render.js';

const $ = (id) => document.getElementById(id);

const EMOJI = ['😀', '😃', '😄', '😁', '😊', '🙂', '😉', '😍', '🥰', '😘', '😎', '🤔', '😐', '😅', '😂', '🤣',
  '😢', '😭', '😡', '😮', '😴', '🙄', '😬', '🤗', '👍', '👎', '👌', '🙏', '👏', '🙌', '💪', '👋',
  '❤️', '💔', '🔥', '⭐', '✅', '❌', '🎉', '💡', '📦', '💳', '📞', '📧', '⏰', '🚚', '🛒', '❓'];

/** emojiPicker toggles the emoji grid next to the button that opened it. */
export function emojiPicker(box, opener, pick) {
  if (!box.hidden) { close(); return; }
  if (!box.children.length) {
    const grid = h('div', { class: 'emoji-grid', role: 'group', 'aria-label': 'Emoji' });
    for (const e of EMOJI) {
      grid.appendChild(h('button', { type: 'button', class: 'emoji-btn', 'aria-label': e, onclick: () => { pick(e); close(); } }, e));
    }
    box.appendChild(grid);
    box.addEventListener('keydown', (ev) => {
      const btns = [...box.querySelectorAll('button')];
      const i = btns.indexOf(document.activeElement);
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[ev.key];
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); close(); box._opener && box._opener.focus(); } else if (step && i >= 0) {
        ev.preventDefault();
        btns[Math.max(0, Math.min(btns.length - 1, i + step))].focus();
      }
    });
  }
  box._opener = opener;
  box.hidden = false;
  opener.setAttribute('aria-expanded', 'true');
  box.querySelector('button').focus();
  setTimeout(() => document.addEventListener('click', outside, true));
  function outside(ev) {
    if (!box.contains(ev.target) && ev.target !== opener && !opener.contains(ev.target)) close();
  }
  function close() {
    box.hidden = true;
    opener.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside, true);
  }
}

let restore = null;
let onClose = null;

/** sheet opens the modal dialog with a title and body; returns close. */
function sheet(title, body, closed) {
  restore = document.activeElement;
  onClose = closed || null;
  $('sheet-title').textContent = title;
  $('sheet-body').replaceChildren(body);
  $('overlay').hidden = false;
  document.body.classList.add('modal');
  const first = $('sheet-body').querySelector('input, textarea, select, button, [tabindex]');
  (first || $('sheet-close')).focus();
  return closeSheet;
}

function closeSheet() {
  if ($('overlay').hidden) return;
  $('overlay').hidden = true;
  document.body.classList.remove('modal');
  $('sheet-body').replaceChildren();
  const cb = onClose;
  onClose = null;
  if (cb) cb();
  if (restore && document.contains(restore)) restore.focus();
}

$('sheet-close').addEventListener('click', closeSheet);
$('overlay').addEventListener('mousedown', (ev) => { if (ev.target === $('overlay')) closeSheet(); });
$('overlay').addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); closeSheet(); return; }
  if (ev.key !== 'Tab') return;
  const f = [...$('sheet').querySelectorAll('button:not([disabled]), input:not([disabled]), textarea, select, a[href]')]
    .filter((e) => e.offsetParent !== null);
  if (!f.length) return;
  const first = f[0];
  const last = f[f.length - 1];
  if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); } else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
});

function errorLine() { return h('p', { class: 'form-error', role: 'alert', hidden: true }); }
function fail(line, text) { line.textContent = text; line.hidden = !text; }

/** confirmDialog asks a yes/no question; resolves true for yes. */
export function confirmDialog(title, text, yes) {
  return new Promise((resolve) => {
    let answer = false;
    const body = h('div', { class: 'confirm' }, h('p', null, text),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Cancel'),
        h('button', { type: 'button', class: 'btn primary', onclick: () => { answer = true; close(); } }, yes)));
    const close = sheet(title, body, () => resolve(answer));
  });
}

const defaultScores = [
  { stars: 1, text: 'Very dissatisfied' }, { stars: 2, text: 'Dissatisfied' }, { stars: 3, text: 'Neutral' },
  { stars: 4, text: 'Satisfied' }, { stars: 5, text: 'Very satisfied' }];

/** ratingDialog asks for stars, tags, "solved?" and a comment; submit posts. */
export function ratingDialog(csat, submit) {
  const scores = csat.scores && csat.scores.length ? csat.scores : defaultScores;
  let rating = 0;
  let solved = null;
  const tags = new Set();
  const starBox = h('div', { class: 'stars', role: 'radiogroup', 'aria-label': csat.score_prompt || 'Your rating' });
  const caption = h('p', { class: 'star-caption', 'aria-live': 'polite' }, ' ');
  const tagBox = h('div', { class: 'tags', role: 'group', 'aria-label': 'What stood out?' });
  const stars = [1, 2, 3, 4, 5].map((n) => {
    const s = scores.find((x) => x.stars === n) || {};
    const b = h('button', { type: 'button', class: 'star', role: 'radio', 'aria-checked': 'false', 'aria-label': n + (n === 1 ? ' star' : ' stars') + (s.text ? ', ' + s.text : ''), tabindex: n === 1 ? '0' : '-1', onclick: () => choose(n) }, icon(icons.star));
    b.addEventListener('mouseenter', () => paint(n));
    b.addEventListener('mouseleave', () => paint(rating));
    return b;
  });
  stars.forEach((b) => starBox.appendChild(b));
  starBox.addEventListener('keydown', (ev) => {
    const d = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[ev.key];
    if (!d) return;
    ev.preventDefault();
    choose(Math.max(1, Math.min(5, (rating || 0) + d)));
    stars[rating - 1].focus();
  });
  function paint(n) { stars.forEach((b, i) => b.classList.toggle('lit', i < n)); }
  function choose(n) {
    rating = n;
    paint(n);
    stars.forEach((b, i) => { b.setAttribute('aria-checked', String(i === n - 1)); b.tabIndex = i === n - 1 ? 0 : -1; });
    const s = scores.find((x) => x.stars === n) || {};
    caption.textContent = s.text || '';
    tags.clear();
    tagBox.replaceChildren(...(s.tags || []).map((t) => {
      const b = h('button', { type: 'button', class: 'tag', 'aria-pressed': 'false', onclick: () => {
        const on = !tags.has(t);
        if (on) tags.add(t); else tags.delete(t);
        b.setAttribute('aria-pressed', String(on));
      } }, t);
      return b;
    }));
    send.disabled = false;
  }
  const yes = h('button', { type: 'button', class: 'seg', 'aria-pressed': 'false', onclick: () => setSolved(true) }, 'Yes');
  const no = h('button', { type: 'button', class: 'seg', 'aria-pressed': 'false', onclick: () => setSolved(false) }, 'No');
  function setSolved(v) {
    solved = v;
    yes.setAttribute('aria-pressed', String(v === true));
    no.setAttribute('aria-pressed', String(v === false));
  }
  const comment = h('textarea', { id: 'rate-comment', rows: '3', maxlength: '1000', placeholder: 'Tell us more (optional)' });
  const err = errorLine();
  const send = h('button', { type: 'submit', class: 'btn primary', disabled: true }, 'Send rating');
  const form = h('form', { class: 'rating' },
    h('p', { class: 'prompt' }, csat.score_prompt || 'How would you rate this chat?'), starBox, caption, tagBox,
    h('div', { class: 'solved', role: 'group', 'aria-labelledby': 'solved-q' },
      h('p', { id: 'solved-q', class: 'prompt small' }, csat.solved_prompt || 'Was your problem solved?'), h('div', { class: 'segs' }, yes, no)),
    h('label', { for: 'rate-comment', class: 'sr-only' }, 'Comment'), comment, err,
    h('div', { class: 'form-actions' }, send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!rating) return;
    send.disabled = true;
    fail(err, '');
    const body = { rating, tags: [...tags] };
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (solved !== null) body.solved = solved;
    try {
      await submit(body);
      closeSheet();
    } catch (e) {
      send.disabled = false;
      fail(err, e.message);
    }
  });
  sheet('Rate this chat', form);
  stars[0].focus();
}

const defaultTemplate = {
  id: 0, intro: 'We are not here right now. Leave a message and we will reply by e-mail.',
  fields: [
    { key: 'name', label: 'Name', type: 'text', required: false },
    { key: 'email', label: 'E-mail', type: 'email', required: true },
    { key: 'content', label: 'Message', type: 'textarea', required: true }],
};
const topLevel = new Set(['name', 'email', 'phone', 'content']);

/** leaveMessageForm shows the leave-message template as a form. */
export function leaveMessageForm(tpl, ctx, submit) {
  tpl = tpl && tpl.fields && tpl.fields.length ? tpl : defaultTemplate;
  const inputs = [];
  const form = h('form', { class: 'leave', novalidate: true });
  if (tpl.intro) form.appendChild(h('p', { class: 'intro-line' }, tpl.intro));
  const identity = (ctx && ctx.identity) || {};
  const hasContent = tpl.fields.some((f) => f.key === 'content');
  const fields = hasContent ? tpl.fields : tpl.fields.concat([{ key: 'content', label: 'Message', type: 'textarea', required: true }]);
  for (const f of fields) {
    const id = 'lm-' + f.key.replace(/[^a-z0-9_-]/gi, '');
    let input;
    if (f.type === 'textarea') input = h('textarea', { id, rows: '4', maxlength: '4000' });
    else if (f.type === 'select') {
      input = h('select', { id }, h('option', { value: '' }, 'Choose…'), ...(f.options || []).map((o) => h('option', { value: o }, o)));
    } else {
      const type = { email: 'email', phone: 'tel' }[f.type] || 'text';
      input = h('input', { id, type, maxlength: '200', autocomplete: { name: 'name', email: 'email', phone: 'tel' }[f.key] || 'off' });
    }
    if (f.required) input.setAttribute('aria-required', 'true');
    if (f.key === 'name' && identity.name) input.value = identity.name;
    if (f.key === 'email' && identity.email) input.value = identity.email;
    const hint = h('span', { class: 'field-error', id: id + '-err', hidden: true });
    input.setAttribute('aria-describedby', id + '-err');
    form.appendChild(h('div', { class: 'field' }, h('label', { for: id }, f.label || f.key, f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), input, hint));
    inputs.push({ f, input, hint });
  }
  const err = errorLine();
  const send = h('button', { type: 'submit', class: 'btn primary' }, 'Send message');
  form.appendChild(err);
  form.appendChild(h('div', { class: 'form-actions' }, send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fail(err, '');
    let bad = null;
    const msg = { fields: {} };
    if (tpl.id) msg.template_id = tpl.id;
    for (const { f, input, hint } of inputs) {
      const v = input.value.trim();
      let problem = '';
      if (f.required && !v) problem = (f.label || f.key) + ' is required.';
      else if (v && f.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) problem = 'Enter a valid e-mail address.';
      else if (v && f.type === 'phone' && !/^[+()\d][\d\s()+-]{4,}$/.test(v)) problem = 'Enter a valid phone number.';
      hint.textContent = problem;
      hint.hidden = !problem;
      input.setAttribute('aria-invalid', String(!!problem));
      if (problem && !bad) bad = input;
      if (!v) continue;
      if (topLevel.has(f.key)) msg[f.key] = v; else msg.fields[f.key] = v;
    }
    if (bad) { bad.focus(); return; }
    if (!Object.keys(msg.fields).length) delete msg.fields;
    send.disabled = true;
    try {
      await submit(msg);
      const done = h('div', { class: 'done' }, h('div', { class: 'done-icon' }, icon(icons.check)),
        h('p', { class: 'prompt' }, 'Message sent'), h('p', null, 'Thank you! We will get back to you as soon as we can.'),
        h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn primary', onclick: closeSheet }, 'Close')));
      $('sheet-body').replaceChildren(done);
      done.querySelector('button').focus();
    } catch (e) {
      send.disabled = false;
      fail(err, e.message);
    }
  });
  sheet('Leave a message', form);
}
